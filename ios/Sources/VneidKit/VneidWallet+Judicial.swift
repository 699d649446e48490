// Judicial-record requests for Swift apps: thin async wrappers, and the core's status listener
// as an AsyncStream (error mapping, Task cancellation and listener lifetime only).
import Foundation
import VneidCore

/// Feeds the core's status callbacks (a core thread) into a stream.
private final class StatusForwarder: JudicialStatusListener, @unchecked Sendable {
    let continuation: AsyncStream<StatusChange>.Continuation
    init(_ continuation: AsyncStream<StatusChange>.Continuation) { self.continuation = continuation }
    func onStatusChanged(change: StatusChange) { continuation.yield(change) }
}

extension VneidWallet {
    public func judicialFeeSchedule() throws -> FeeSchedule { try mappingErrors { try core.judicialFeeSchedule() } }

    /// A draft prefilled from the verified identity; `chip` (`judicialChipDetails(identity:)`
    /// after a chip read) locks the chip's details too.
    public func newJudicialDraft(chip: ChipDetails? = nil) throws -> JudicialDraft {
        try mappingErrors { try core.newJudicialDraft(chip: chip) }
    }
    public func judicialForm(_ localId: Int64) throws -> JudicialForm {
        try mappingErrors { try core.judicialForm(localId: localId) }
    }
    /// Saves an edited draft; a changed locked detail throws `.judicial(_, field:)` naming it.
    public func saveJudicialDraft(_ localId: Int64, form: JudicialForm) throws -> JudicialForm {
        try mappingErrors { try core.saveJudicialDraft(localId: localId, form: form) }
    }
    public func deleteJudicialDraft(_ localId: Int64) throws {
        try mappingErrors { try core.deleteJudicialDraft(localId: localId) }
    }
    /// Every error of the form, each naming its field; empty = ready to submit.
    public func validateJudicial(_ form: JudicialForm) throws -> [FieldError] {
        try mappingErrors { try core.validateJudicial(form: form) }
    }
    public func judicialFee(_ form: JudicialForm) throws -> FeeQuote { try mappingErrors { try core.judicialFee(form: form) } }
    public func judicialRequests() throws -> [JudicialRequestInfo] { try mappingErrors { try core.judicialRequests() } }
    public func judicialRequest(_ localId: Int64) throws -> JudicialRequestInfo {
        try mappingErrors { try core.judicialRequest(localId: localId) }
    }
    public func judicialHistory(_ localId: Int64) throws -> [JudicialHistoryEntry] {
        try mappingErrors { try core.judicialHistory(localId: localId) }
    }

    /// Validates, freezes and sends; offline the request stays queued (see `flushJudicialOutbox`).
    public func submitJudicial(_ localId: Int64) async throws -> JudicialRequestInfo {
        try await call { try await $0.submitJudicial(localId: localId) }
    }
    /// Sends whatever is queued: call when the network returns.
    public func flushJudicialOutbox() async throws -> FlushReport { try await call { try await $0.flushJudicialOutbox() } }
    /// Polls the office for every open request; `judicialStatusChanges()` hears each new step.
    public func refreshJudicial() async throws -> [JudicialRequestInfo] { try await call { try await $0.refreshJudicial() } }
    public func answerJudicial(_ localId: Int64, answer: String) async throws -> JudicialRequestInfo {
        try await call { try await $0.answerJudicial(localId: localId, answer: answer) }
    }
    /// Pays through the app's `gateway` (a bank or e-wallet SDK; `pay` is called on a core
    /// thread and may block while the citizen confirms), then settles with the backend.
    public func payJudicial(_ localId: Int64, gateway: JudicialPaymentGateway) async throws -> JudicialRequestInfo {
        try await call { try await $0.payJudicial(localId: localId, gateway: gateway) }
    }
    public func fetchJudicialCertificate(_ localId: Int64) async throws -> CredentialSummary {
        try await call { try await $0.fetchJudicialCertificate(localId: localId) }
    }
    /// The certificate as a QR (recorded in the disclosure history).
    public func presentJudicialCertificate() async throws -> PresentationQr {
        try await call { try await $0.presentJudicialCertificate() }
    }

    /// Every new office step, once stored. Creating the stream installs the core's listener;
    /// ending the iteration removes it. The core holds one listener per wallet: iterate one
    /// stream at a time. Unbounded buffer (a change is a few strings, bounded by the office's steps).
    public func judicialStatusChanges() -> AsyncStream<StatusChange> {
        let core = self.core
        return AsyncStream(bufferingPolicy: .unbounded) { continuation in
            core.setJudicialListener(listener: StatusForwarder(continuation))
            continuation.onTermination = { _ in core.setJudicialListener(listener: nil) }
        }
    }
}
