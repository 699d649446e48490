// The logic of the CoreNFC transport without CoreNFC: error mapping, and resuming the read in a
// new reader session after the ~20 s session limit or a lost tag.
import Foundation
import VneidCore

/// Why a command to the tag failed, as the platform reports it (CoreNFC `NFCReaderError`
/// codes are mapped to this in `CoreNFCTransport`).
public enum TagFailure: Error, Equatable {
    /// The tag left the field (`readerTransceiveErrorTagConnectionLost`).
    case tagLost
    /// The reader session ended: iOS's ~20 s limit (`readerSessionInvalidationErrorSessionTimeout`)
    /// or the system invalidated it. A new session can continue the read.
    case sessionEnded
    /// The tag did not answer in time or answered garbage (`readerTransceiveErrorRetryExceeded`, ...).
    case timeout
    /// The citizen tapped Cancel on the system sheet: the read ends.
    case userCancelled
    case other(String)

    /// What the core makes of it: lost tags, ended sessions and timeouts are resumed.
    public var nfcError: NfcError {
        switch self {
        case .tagLost, .sessionEnded: return .TagLost
        case .timeout: return .Timeout
        case .userCancelled: return .Other(reason: "cancelled by the user")
        case let .other(reason): return .Other(reason: reason)
        }
    }
}

/// One connected tag in one reader session (`NFCISO7816Tag` on an iPhone).
public protocol TagLink: AnyObject {
    /// Sends one command APDU, returns data + SW1 SW2. Throws `TagFailure`.
    func transceive(_ apdu: Data) throws -> Data
}

/// An `NfcTransport` over successive `TagLink`s. After a lost tag or an ended session, the
/// core's next command (its resume: SELECT + BAC) asks `startSession` for a new reader session
/// ("Hold your card again") and waits up to `reconnectTimeout` for `offer(_:)`.
public final class ResumableNfcTransport: NfcTransport, @unchecked Sendable {
    private let lock = NSCondition()
    private var current: TagLink?
    private var pending: [TagLink] = []
    private var ended = false
    private var byUser = false
    private let maxLength: UInt32
    private let reconnectTimeout: TimeInterval
    private let startSession: @Sendable () -> Void
    /// Sessions started to resume the read.
    public private(set) var resumedSessions = 0

    /// `extendedLength`: the chip and reader accept extended-length APDUs (iOS 13+ does for
    /// ISO 7816 tags; short APDUs are the safe default). `startSession` is called on a background
    /// thread when a new reader session is needed.
    public init(first: TagLink?, extendedLength: Bool = false, reconnectTimeout: TimeInterval = 30,
                startSession: @escaping @Sendable () -> Void) {
        current = first
        maxLength = extendedLength ? 65_546 : 261
        self.reconnectTimeout = reconnectTimeout
        self.startSession = startSession
    }

    /// Hands over a tag connected in a (new) reader session. Any thread.
    public func offer(_ link: TagLink) {
        lock.lock()
        pending.append(link)
        lock.broadcast()
        lock.unlock()
    }

    /// No more sessions will come (the citizen cancelled): a waiting read fails at once.
    public func end() {
        lock.lock()
        ended = true
        current = nil
        lock.broadcast()
        lock.unlock()
    }

    /// The citizen closed the NFC sheet: no new session, and the read ends as
    /// `VneidKitError.cancelled` rather than `chipLost`. Any thread.
    public func endByUser() {
        lock.lock()
        byUser = true
        ended = true
        current = nil
        lock.broadcast()
        lock.unlock()
    }

    /// Whether the read was ended by the citizen (`endByUser()`, or a command failing with
    /// `TagFailure.userCancelled`). The readers check it to report a cancellation.
    public var endedByUser: Bool {
        lock.lock()
        defer { lock.unlock() }
        return byUser
    }

    public func maxTransceiveLength() -> UInt32 { maxLength }

    public func transceive(apdu: Data) throws -> Data {
        let link = try currentOrNext()
        do {
            return try link.transceive(apdu)
        } catch let failure as TagFailure {
            if failure == .userCancelled { endByUser() } else { drop(link) }
            throw failure.nfcError
        } catch {
            drop(link)
            throw NfcError.Other(reason: String(describing: error))
        }
    }

    private func drop(_ link: TagLink) {
        lock.lock()
        if current === link { current = nil }
        lock.unlock()
    }

    private func currentOrNext() throws -> TagLink {
        lock.lock()
        defer { lock.unlock() }
        if let c = current { return c }
        if ended { throw NfcError.Other(reason: "the reading was stopped") }
        if pending.isEmpty {
            resumedSessions += 1
            lock.unlock()
            startSession()
            lock.lock()
        }
        let deadline = Date().addingTimeInterval(reconnectTimeout)
        while pending.isEmpty && !ended {
            if !lock.wait(until: deadline) { break }
        }
        if ended { throw NfcError.Other(reason: "the reading was stopped") }
        guard !pending.isEmpty else { throw NfcError.Other(reason: "the card was not held to the phone again") }
        let next = pending.removeFirst()
        current = next
        return next
    }
}

/// Whether `transport` is a `ResumableNfcTransport` the citizen ended (closed the NFC sheet).
func endedByUser(_ transport: NfcTransport) -> Bool {
    (transport as? ResumableNfcTransport)?.endedByUser ?? false
}
