// The level-2 upgrade for Swift apps: an async call with read progress, the same as an
// AsyncThrowingStream, and Task cancellation after which the app's transport is not touched.
import Foundation
import VneidCore

/// What `upgradeEvents` yields: chip read progress, then exactly one `.done`.
public enum Level2Event: @unchecked Sendable {
    case progress(ReadProgress)
    case done(Level2Result)
}

/// Refuses every APDU once closed; `close()` returns only when the APDU in flight (if any) has
/// returned, so afterwards nothing of the core touches the wrapped transport.
final class FencedTransport: NfcTransport, @unchecked Sendable {
    private let inner: NfcTransport
    private let lock = NSLock()
    private var closed = false
    init(_ inner: NfcTransport) { self.inner = inner }
    func transceive(apdu: Data) throws -> Data {
        lock.lock()
        defer { lock.unlock() }
        if closed { throw NfcError.Other(reason: "cancelled") }
        return try inner.transceive(apdu: apdu)
    }
    func maxTransceiveLength() -> UInt32 { inner.maxTransceiveLength() }
    /// Blocks for at most one APDU.
    func close() { lock.lock(); closed = true; lock.unlock() }
}

extension VneidWallet {
    /// Raises the unlocked account to level 2: reads the citizen's chip with `key` over
    /// `transport` (`CoreNFCTransport.transport`), sends the evidence and the SHA-256 of `selfie`
    /// to the backend, then fetches the electronic-ID credential. `onProgress` runs on a
    /// background thread. Refusals (another citizen's card, an altered card) throw `.chip`; the
    /// level is unchanged after any error.
    ///
    /// Cancelling the Task stops the chip read before its next APDU (through `cancelAll()`, so
    /// other calls of this wallet in flight stop too) and throws `CancellationError` once the
    /// transport is free (at most one APDU later). The citizen closing the NFC sheet throws
    /// `.cancelled`.
    public func upgradeToLevel2(key: CardAccessKey, transport: NfcTransport, selfie: Data,
                                onProgress: (@Sendable (ReadProgress) -> Void)? = nil) async throws -> Level2Result {
        let fenced = FencedTransport(transport)
        let listener = onProgress.map { ProgressForwarder($0) }
        do {
            return try await call {
                try await $0.upgradeToLevel2(key: key, transport: fenced, selfie: selfie, listener: listener)
            }
        } catch {
            fenced.close()
            if let e = error as? VneidKitError, case .chip = e, endedByUser(transport) { throw VneidKitError.userCancelledRead }
            throw error
        }
    }

    /// The same upgrade as a stream: `.progress` per block read, then `.done`. Errors end the
    /// stream; stopping the iteration (or cancelling its Task) cancels the upgrade.
    public func upgradeEvents(key: CardAccessKey, transport: NfcTransport,
                              selfie: Data) -> AsyncThrowingStream<Level2Event, Error> {
        AsyncThrowingStream(bufferingPolicy: .unbounded) { continuation in
            let task = Task {
                do {
                    let result = try await self.upgradeToLevel2(key: key, transport: transport, selfie: selfie) {
                        continuation.yield(.progress($0))
                    }
                    continuation.yield(.done(result))
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
