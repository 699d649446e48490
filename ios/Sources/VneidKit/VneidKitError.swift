// The library's error for app code: a Swift enum per category with the stable code and the
// citizen-facing messages of the core's flat VneidError.
import Foundation
import VneidCore

/// The code and messages every failure carries. The messages never contain personal data.
public struct ErrorDetails: Equatable, Hashable, @unchecked Sendable {
    public let code: ErrorCode
    public let messageVi: String
    public let messageEn: String

    public init(code: ErrorCode, messageVi: String, messageEn: String) {
        self.code = code
        self.messageVi = messageVi
        self.messageEn = messageEn
    }
}

/// Every failure of the wallet and the chip reader; `switch` over it picks the screen to show.
/// Task cancellation is reported as `CancellationError`, never as `.cancelled` (which means the
/// core was told to stop by `cancelAll()` or a reader's `cancel()`).
public enum VneidKitError: Error, Equatable, Hashable {
    case invalidInput(ErrorDetails)
    case otp(ErrorDetails, attemptsLeft: Int?, retryAfter: TimeInterval?)
    case passcode(ErrorDetails, attemptsLeft: Int?)
    case account(ErrorDetails)
    case network(ErrorDetails)
    case server(ErrorDetails, retryAfter: TimeInterval?)
    case device(ErrorDetails)
    case storage(ErrorDetails)
    case credential(ErrorDetails)
    /// The chip ID card; when `canResume`, ask the citizen to hold the card again and read again.
    case chip(ErrorDetails)
    /// Judicial-record requests; `field` names the form field at fault (`personal.id_number`).
    case judicial(ErrorDetails, field: String?)
    case cancelled(ErrorDetails)
    /// A bug, or a category added to the core after this version of the library.
    case internalError(ErrorDetails)

    /// Maps the generated error. Variants added to the core later become `.internalError` with
    /// their code and messages intact.
    public init(_ e: VneidError) {
        switch e {
        case let .Input(code, vi, en): self = .invalidInput(.init(code: code, messageVi: vi, messageEn: en))
        case let .Otp(code, vi, en, left, after):
            self = .otp(.init(code: code, messageVi: vi, messageEn: en),
                        attemptsLeft: left.map { Int($0) }, retryAfter: after.map { TimeInterval($0) })
        case let .Passcode(code, vi, en, left):
            self = .passcode(.init(code: code, messageVi: vi, messageEn: en), attemptsLeft: left.map { Int($0) })
        case let .Account(code, vi, en): self = .account(.init(code: code, messageVi: vi, messageEn: en))
        case let .Network(code, vi, en): self = .network(.init(code: code, messageVi: vi, messageEn: en))
        case let .Server(code, vi, en, after):
            self = .server(.init(code: code, messageVi: vi, messageEn: en), retryAfter: after.map { TimeInterval($0) })
        case let .Device(code, vi, en): self = .device(.init(code: code, messageVi: vi, messageEn: en))
        case let .Storage(code, vi, en): self = .storage(.init(code: code, messageVi: vi, messageEn: en))
        case let .Credential(code, vi, en): self = .credential(.init(code: code, messageVi: vi, messageEn: en))
        case let .Chip(code, vi, en): self = .chip(.init(code: code, messageVi: vi, messageEn: en))
        case let .Judicial(code, vi, en, field): self = .judicial(.init(code: code, messageVi: vi, messageEn: en), field: field)
        case let .Cancelled(code, vi, en): self = .cancelled(.init(code: code, messageVi: vi, messageEn: en))
        case let .Internal(code, vi, en): self = .internalError(.init(code: code, messageVi: vi, messageEn: en))
        @unknown default: self = .internalError(Self.reflectedDetails(e))
        }
    }

    /// Code and messages of a variant this file does not name (all variants carry them).
    private static func reflectedDetails(_ e: VneidError) -> ErrorDetails {
        var code = ErrorCode.internal
        var vi = "Đã xảy ra lỗi.", en = "Something went wrong."
        if let payload = Mirror(reflecting: e).children.first?.value {
            for child in Mirror(reflecting: payload).children {
                switch child.label {
                case "code": if let c = child.value as? ErrorCode { code = c }
                case "messageVi": if let s = child.value as? String { vi = s }
                case "messageEn": if let s = child.value as? String { en = s }
                default: break
                }
            }
        }
        return ErrorDetails(code: code, messageVi: vi, messageEn: en)
    }

    public var details: ErrorDetails {
        switch self {
        case let .invalidInput(d), let .otp(d, _, _), let .passcode(d, _), let .account(d), let .network(d),
             let .server(d, _), let .device(d), let .storage(d), let .credential(d), let .chip(d),
             let .judicial(d, _), let .cancelled(d), let .internalError(d):
            return d
        }
    }

    public var code: ErrorCode { details.code }

    /// The message in the citizen's language: Vietnamese unless `locale` is another language.
    public func message(for locale: Locale = .current) -> String {
        let language = locale.identifier.split(separator: "_").first.map(String.init) ?? ""
        return language == "vi" || language.isEmpty ? details.messageVi : details.messageEn
    }

    /// The chip read can be resumed by holding the card again.
    public var canResume: Bool { code == .chipLost }

    /// Trying again later (network back, card held again) may succeed.
    public var isRetryable: Bool {
        switch self {
        case .network: return true
        case .server: return code == .rateLimited || code == .serverError
        case .chip: return canResume
        default: return false
        }
    }
}

extension VneidKitError {
    /// The citizen closed the NFC sheet during a chip read: the core's CANCELLED code and texts
    /// (the core itself only sees a card that went away).
    public static let userCancelledRead = VneidKitError.cancelled(
        ErrorDetails(code: .cancelled, messageVi: "Đã hủy thao tác.", messageEn: "The operation was cancelled."))
}

extension VneidKitError: LocalizedError {
    public var errorDescription: String? { message() }
}

/// Runs `body`, rethrowing the core's error as `VneidKitError`.
@inline(__always)
func mappingErrors<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as VneidError { throw VneidKitError(e) }
}

@inline(__always)
func mappingErrors<T>(_ body: () async throws -> T) async throws -> T {
    do { return try await body() } catch let e as VneidError { throw VneidKitError(e) }
}
