// Compile-only stand-in for Apple's CoreNFC (see README.md).
import Foundation

private func stub() -> Never { fatalError("Apple CoreNFC stub") }

public struct NFCReaderError: Error {
    public enum Code: Int {
        case readerTransceiveErrorTagConnectionLost = 100
        case readerTransceiveErrorRetryExceeded = 101
        case readerTransceiveErrorTagResponseError = 102
        case readerTransceiveErrorSessionInvalidated = 103
        case readerTransceiveErrorTagNotConnected = 104
        case readerTransceiveErrorPacketTooLong = 105
        case readerSessionInvalidationErrorUserCanceled = 200
        case readerSessionInvalidationErrorSessionTimeout = 201
        case readerSessionInvalidationErrorSessionTerminatedUnexpectedly = 202
        case readerSessionInvalidationErrorSystemIsBusy = 203
        case readerSessionInvalidationErrorFirstNDEFTagRead = 204
    }
    public var code: Code { stub() }
}

public class NFCISO7816APDU: NSObject {
    public init?(data: Data) { stub() }
}

public protocol NFCISO7816Tag: AnyObject {
    var initialSelectedAID: String { get }
    func sendCommand(apdu: NFCISO7816APDU, completionHandler: @escaping (Data, UInt8, UInt8, Error?) -> Void)
}

public enum NFCTag {
    case feliCa(AnyObject)
    case iso7816(NFCISO7816Tag)
    case iso15693(AnyObject)
    case miFare(AnyObject)
}

public protocol NFCTagReaderSessionDelegate: NSObjectProtocol {
    func tagReaderSessionDidBecomeActive(_ session: NFCTagReaderSession)
    func tagReaderSession(_ session: NFCTagReaderSession, didInvalidateWithError error: Error)
    func tagReaderSession(_ session: NFCTagReaderSession, didDetect tags: [NFCTag])
}

public class NFCReaderSession: NSObject {
    public var alertMessage: String {
        get { stub() }
        set { stub() }
    }
    public func begin() { stub() }
    public func invalidate() { stub() }
    public func invalidate(errorMessage: String) { stub() }
}

public final class NFCTagReaderSession: NFCReaderSession {
    public struct PollingOption: OptionSet {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        public static let iso14443 = PollingOption(rawValue: 1)
        public static let iso15693 = PollingOption(rawValue: 2)
        public static let iso18092 = PollingOption(rawValue: 4)
    }

    public init?(pollingOption: PollingOption, delegate: NFCTagReaderSessionDelegate, queue: DispatchQueue? = nil) { stub() }
    public func restartPolling() { stub() }
    public func connect(to tag: NFCTag, completionHandler: @escaping (Error?) -> Void) { stub() }
}
