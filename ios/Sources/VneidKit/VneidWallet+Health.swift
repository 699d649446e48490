// The electronic health book for Swift apps: thin wrappers over the core's health calls
// (error mapping and Task cancellation only; the book's logic lives in the core).
import Foundation
import VneidCore

extension VneidWallet {
    /// Syncs the book (resumable: a failed sync keeps every page it completed), then tops up the
    /// BHYT card copies. `pageSize` (1–500) changes per request; nil = the core's default.
    public func healthSync(pageSize: UInt32? = nil) async throws -> HealthSyncReport {
        try await call { core in
            if let pageSize { return try await core.healthSyncWithPageSize(pageSize: pageSize) }
            return try await core.healthSync()
        }
    }

    // The rest are short reads and writes of the wallet database (synchronous, like `profile()`).

    /// One page of the book, newest first; pass `nextPage` as the next query's `pageToken`.
    public func healthQuery(_ query: HealthQuery) throws -> HealthPage {
        try mappingErrors { try core.healthQuery(query: query) }
    }
    /// One record with the citizen's note.
    public func healthRecord(_ recordId: String) throws -> HealthEntry {
        try mappingErrors { try core.healthRecord(recordId: recordId) }
    }
    /// Facilities that issued records (for a filter picker).
    public func healthFacilities() throws -> [HealthFacility] { try mappingErrors { try core.healthFacilities() } }
    /// Sets (or with nil removes) the citizen's note on a record.
    public func healthSetNote(_ recordId: String, note: String?) throws {
        try mappingErrors { try core.healthSetNote(recordId: recordId, note: note) }
    }
    /// Counts per kind, date range, the BHYT card, last sync.
    public func healthSummary() throws -> HealthSummary { try mappingErrors { try core.healthSummary() } }
    public func healthProfile() throws -> SelfDeclaredHealthProfile? { try mappingErrors { try core.healthProfile() } }
    public func healthSetProfile(_ profile: HealthProfileInput) throws -> SelfDeclaredHealthProfile {
        try mappingErrors { try core.healthSetProfile(profile: profile) }
    }
    /// The book (nil) or a selection of records as a FHIR R4 Bundle (JSON text).
    public func healthExportFhir(recordIds: [String]? = nil) throws -> String {
        try mappingErrors { try core.healthExportFhir(recordIds: recordIds) }
    }
}
