// NFC transport over CoreNFC's NFCISO7816Tag (iOS only; the resume logic is in
// ResumableNfcTransport, tested on Linux).
#if canImport(CoreNFC)
import CoreNFC
import Foundation
import VneidCore

/// One connected `NFCISO7816Tag`: the core's synchronous transceive (called on a background
/// thread) waits for CoreNFC's completion handler.
final class ISO7816TagLink: TagLink {
    private let tag: NFCISO7816Tag
    private let timeout: TimeInterval

    init(tag: NFCISO7816Tag, timeout: TimeInterval) {
        self.tag = tag
        self.timeout = timeout
    }

    func transceive(_ apdu: Data) throws -> Data {
        guard let command = NFCISO7816APDU(data: apdu) else { throw TagFailure.other("malformed command APDU") }
        let done = DispatchSemaphore(value: 0)
        var result: Result<Data, Error> = .failure(TagFailure.timeout)
        tag.sendCommand(apdu: command) { data, sw1, sw2, error in
            if let error {
                result = .failure(error)
            } else {
                var response = data
                response.append(sw1)
                response.append(sw2)
                result = .success(response)
            }
            done.signal()
        }
        if done.wait(timeout: .now() + timeout) == .timedOut { throw TagFailure.timeout }
        switch result {
        case let .success(response): return response
        case let .failure(error): throw CoreNFCTransport.failure(error)
        }
    }
}

/// Reads the CCCD chip with `NFCTagReaderSession`s. The read itself starts the first session;
/// when iOS ends a session (its ~20 s limit, or the card left the field) the core's resume starts
/// a new one with `messages.holdAgain`, and the read continues where it stopped.
///
/// ```swift
/// let nfc = CoreNFCTransport()
/// let id = try await reader.read(key: key, transport: nfc.transport) { p in nfc.show(progress: p) }
/// nfc.finish(message: "Đã đọc xong")
/// ```
/// Needs the entitlement `com.apple.developer.nfc.readersession.formats` = [TAG], Info.plist
/// `com.apple.developer.nfc.readersession.iso7816.select-identifiers` = [A0000002471001] and
/// `NFCReaderUsageDescription` (see ios/README.md).
@available(iOS 13.0, *)
public final class CoreNFCTransport: NSObject, NFCTagReaderSessionDelegate, @unchecked Sendable {
    public struct Messages: Sendable {
        public var start = "Đặt thẻ CCCD vào mặt sau, phía trên điện thoại"
        public var holdAgain = "Giữ thẻ CCCD lại gần điện thoại để đọc tiếp"
        public var reading = "Đang đọc thẻ"
        public var notACard = "Đây không phải thẻ CCCD gắn chip"
        public init() {}
    }

    /// Give this to `VneidChipReader.read`.
    public private(set) var transport: ResumableNfcTransport!
    private let messages: Messages
    private let commandTimeout: TimeInterval
    private let queue = DispatchQueue(label: "vn.vneid.corenfc")
    private var session: NFCTagReaderSession?

    /// `extendedLength`: most CCCD chips accept extended-length APDUs, which make the read
    /// several times shorter; leave false if a card model misbehaves.
    public init(extendedLength: Bool = false, commandTimeout: TimeInterval = 10,
                reconnectTimeout: TimeInterval = 30, messages: Messages = Messages()) {
        self.messages = messages
        self.commandTimeout = commandTimeout
        super.init()
        transport = ResumableNfcTransport(first: nil, extendedLength: extendedLength,
                                          reconnectTimeout: reconnectTimeout) { [weak self] in
            self?.beginSession()
        }
    }

    /// Shows the read's progress on the system NFC sheet.
    public func show(progress: ReadProgress) {
        let percent = Int(progress.fraction * 100)
        queue.async { self.session?.alertMessage = "\(self.messages.reading) \(percent)%" }
    }

    /// Closes the sheet: with a success message, or `errorMessage` after a failure.
    public func finish(message: String? = nil, errorMessage: String? = nil) {
        queue.async {
            if let errorMessage {
                self.session?.invalidate(errorMessage: errorMessage)
            } else {
                if let message { self.session?.alertMessage = message }
                self.session?.invalidate()
            }
            self.session = nil
            self.transport.end()
        }
    }

    private func beginSession() {
        queue.async {
            let resuming = self.session != nil || self.transport.resumedSessions > 1
            self.session?.invalidate()
            guard let s = NFCTagReaderSession(pollingOption: [.iso14443], delegate: self, queue: self.queue) else {
                self.transport.end() // NFC reading not supported on this device
                return
            }
            s.alertMessage = resuming ? self.messages.holdAgain : self.messages.start
            self.session = s
            s.begin()
        }
    }

    public func tagReaderSessionDidBecomeActive(_ session: NFCTagReaderSession) {}

    public func tagReaderSession(_ session: NFCTagReaderSession, didInvalidateWithError error: Error) {
        guard session === self.session else { return }
        self.session = nil
        if CoreNFCTransport.failure(error) == .userCancelled {
            transport.endByUser() // the citizen closed the sheet: no new session, the read ends as cancelled
        }
        // Other endings (the ~20 s limit, system busy): the current link fails at its next
        // command, the core resumes, and the transport asks for a new session.
    }

    public func tagReaderSession(_ session: NFCTagReaderSession, didDetect tags: [NFCTag]) {
        guard let first = tags.first, case let .iso7816(tag) = first else {
            session.alertMessage = messages.notACard
            session.restartPolling()
            return
        }
        session.connect(to: first) { [weak self] error in
            guard let self else { return }
            if error != nil {
                session.restartPolling()
                return
            }
            session.alertMessage = self.messages.reading
            self.transport.offer(ISO7816TagLink(tag: tag, timeout: self.commandTimeout))
        }
    }

    /// CoreNFC's error codes as the transport's failures.
    static func failure(_ error: Error) -> TagFailure {
        guard let e = error as? NFCReaderError else { return .other(String(describing: error)) }
        switch e.code {
        case .readerTransceiveErrorTagConnectionLost, .readerTransceiveErrorTagNotConnected:
            return .tagLost
        case .readerSessionInvalidationErrorSessionTimeout, .readerSessionInvalidationErrorSessionTerminatedUnexpectedly,
             .readerSessionInvalidationErrorSystemIsBusy, .readerTransceiveErrorSessionInvalidated:
            return .sessionEnded
        case .readerSessionInvalidationErrorUserCanceled:
            return .userCancelled
        case .readerTransceiveErrorRetryExceeded, .readerTransceiveErrorTagResponseError:
            return .timeout
        default:
            return .other("CoreNFC error \(e.code.rawValue)")
        }
    }
}
#endif
