// The counter's verifier for Swift apps: list refreshes with error mapping; verdicts never throw.
import Foundation
import VneidCore

/// Verifies citizens' QR codes at a counter, offline once its lists are held. `trustList` is a
/// signed trust list (bundled or fetched earlier), `anchorPublicKey` the pinned key it must be
/// signed with. A bad QR is a `VerificationResult` with a reason, never an error.
public final class VneidVerifier: @unchecked Sendable {
    /// The generated object, for calls this layer does not wrap.
    public let core: Verifier

    public init(trustList: Data, anchorPublicKey: Data, config: VerifierConfig = VerifierConfig()) throws {
        core = try mappingErrors { try Verifier(trustList: trustList, anchorPublicKey: anchorPublicKey, config: config) }
    }

    /// Fetches the trust list and the status lists held plus `statusListIds`; all or nothing.
    public func refreshFromBackend(_ backendUrl: String, statusListIds: [UInt32] = []) async throws -> VerifierLists {
        try await mappingErrors { try await core.refreshFromBackend(backendUrl: backendUrl, statusListIds: statusListIds) }
    }
    public func updateTrustList(_ trustList: Data) throws -> TrustListInfo {
        try mappingErrors { try core.updateTrustList(trustList: trustList) }
    }
    /// Installs a signed status list; returns its id.
    public func updateStatusList(_ statusList: Data) throws -> UInt32 {
        try mappingErrors { try core.updateStatusList(statusList: statusList) }
    }
    public func lists(now: Date? = nil) -> VerifierLists { core.lists(nowUnix: now.map(unixSeconds)) }
    /// Checks scanned QR text (one-way flow).
    public func verify(_ payload: String, now: Date? = nil) -> VerificationResult {
        core.verify(payloadText: payload, nowUnix: now.map(unixSeconds))
    }
    /// Checks the answer to this counter's `request` (two-way flow).
    public func verifyAnswer(_ payload: String, request: CounterRequest, now: Date? = nil) -> VerificationResult {
        core.verifyAnswer(payloadText: payload, request: request, nowUnix: now.map(unixSeconds))
    }
}

private func unixSeconds(_ d: Date) -> UInt64 { UInt64(max(0, d.timeIntervalSince1970)) }
