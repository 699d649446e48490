// Reading the chip ID card with async/await: a read with a progress callback, an
// AsyncThrowingStream of progress events, and Task cancellation that stops the core.
import Foundation
import VneidCore

/// How far a read is; totals grow as file lengths become known.
public struct ReadProgress: Equatable, Sendable {
    /// The file being read as Doc 9303 names it: "EF.COM", "DG2", "EF.SOD".
    public let file: String
    public let bytesRead: UInt64
    public let bytesTotal: UInt64
    /// 0.0–1.0 for a progress bar: never decreases, 1 when the last file is read.
    public let fraction: Double
}

/// What `VneidChipReader.events` yields: progress, then exactly one `.done`.
public enum ChipReadEvent: @unchecked Sendable {
    case progress(ReadProgress)
    case done(ChipIdentity)
}

/// Forwards the core's progress callbacks (background thread) to a closure.
final class ProgressForwarder: ChipReadListener, @unchecked Sendable {
    let callback: @Sendable (ReadProgress) -> Void
    init(_ callback: @escaping @Sendable (ReadProgress) -> Void) { self.callback = callback }
    func onProgress(progress: ChipReadProgress) {
        callback(ReadProgress(file: progress.file, bytesRead: progress.bytesRead, bytesTotal: progress.bytesTotal, fraction: Double(progress.fraction)))
    }
}

/// Refuses every APDU once closed: after a cancelled read, the app's transport is not touched.
private final class GuardedTransport: NfcTransport, @unchecked Sendable {
    private let inner: NfcTransport
    private let lock = NSLock()
    private var closed = false
    init(_ inner: NfcTransport) { self.inner = inner }
    func close() { lock.lock(); closed = true; lock.unlock() }
    func transceive(apdu: Data) throws -> Data {
        lock.lock(); let stop = closed; lock.unlock()
        if stop { throw NfcError.Other(reason: "read cancelled") }
        return try inner.transceive(apdu: apdu)
    }
    func maxTransceiveLength() -> UInt32 { inner.maxTransceiveLength() }
}

/// Reads and verifies CCCD chips against `cscaCertificates` (PEM files or DER certificates).
///
/// Each read uses its own core reader, so a cancelled read never affects the next one.
/// Cancelling the Task of a read calls the core's `cancel()`; the read stops before its next
/// APDU and throws `CancellationError` once the core has stopped using the transport.
public final class VneidChipReader: @unchecked Sendable {
    private let cscaCertificates: [Data]

    /// Throws `.chip(trustStoreInvalid)` for a certificate that does not parse.
    public init(cscaCertificates: [Data]) throws {
        self.cscaCertificates = cscaCertificates
        _ = try mappingErrors { try ChipReader(cscaCertificates: cscaCertificates) }
    }

    /// Reads the card through `transport`. `onProgress` is called on a background thread.
    public func read(key: CardAccessKey, transport: NfcTransport, checkTime: Date? = nil,
                     onProgress: (@Sendable (ReadProgress) -> Void)? = nil) async throws -> ChipIdentity {
        let reader = try mappingErrors { try ChipReader(cscaCertificates: cscaCertificates) }
        let listener = onProgress.map { ProgressForwarder($0) }
        let at = checkTime.map { UInt64(max(0, $0.timeIntervalSince1970)) }
        let guarded = GuardedTransport(transport)
        do {
            return try await withTaskCancellationHandler {
                try await reader.read(key: key, transport: guarded, listener: listener, checkTime: at)
            } onCancel: {
                // The guard also covers a cancel that lands before the core's read has started.
                guarded.close()
                reader.cancel()
            }
        } catch let e as VneidError {
            if Task.isCancelled { throw CancellationError() }
            // The citizen closed the NFC sheet: the core only saw a lost card.
            if case .Chip = e, endedByUser(transport) { throw VneidKitError.userCancelledRead }
            throw VneidKitError(e)
        }
    }

    /// The same read as a stream: `.progress` after every block, then `.done`. Errors end the
    /// stream; stopping the iteration (or cancelling its Task) cancels the read. Unbounded
    /// buffer: the number of events is bounded by the card's size.
    public func events(key: CardAccessKey, transport: NfcTransport,
                       checkTime: Date? = nil) -> AsyncThrowingStream<ChipReadEvent, Error> {
        AsyncThrowingStream(bufferingPolicy: .unbounded) { continuation in
            let task = Task {
                do {
                    let identity = try await self.read(key: key, transport: transport, checkTime: checkTime) {
                        continuation.yield(.progress($0))
                    }
                    continuation.yield(.done(identity))
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Only the progress, for a progress bar bound to a view; the identity comes from `read`.
    public func progress(of events: AsyncThrowingStream<ChipReadEvent, Error>) -> AsyncStream<ReadProgress> {
        AsyncStream { continuation in
            let task = Task {
                do {
                    for try await event in events {
                        if case let .progress(p) = event { continuation.yield(p) }
                    }
                } catch {}
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
