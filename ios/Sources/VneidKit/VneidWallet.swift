// The wallet for Swift apps: async calls that throw VneidKitError, with Task cancellation
// forwarded to the core (UniFFI 0.32 does not forward it by itself).
import Foundation
import VneidCore

/// One per app process (it owns the core's worker threads).
///
/// Cancellation: cancelling the `Task` that awaits an async call calls the core's `cancelAll()`,
/// which stops *every* operation of this wallet in flight, and the call throws
/// `CancellationError`. The synchronous calls (state, lock, profile, ...) are short database
/// reads. Calls the layer does not wrap (added to the core later) stay reachable through `core`.
public final class VneidWallet: @unchecked Sendable {
    /// The generated object, for calls this layer does not wrap.
    public let core: WalletCore

    /// Opens (or creates) the wallet in `config.dataDir` with the platform `secureArea`
    /// (`SecureEnclaveSecureArea` on iOS).
    public init(config: WalletConfig, secureArea: SecureArea) throws {
        core = try mappingErrors { try WalletCore(config: config, secureArea: secureArea) }
    }

    /// Runs an async core call with the error mapping and cancellation forwarding.
    public func call<T>(_ body: @escaping (WalletCore) async throws -> T) async throws -> T {
        let core = self.core
        do {
            return try await withTaskCancellationHandler {
                try await body(core)
            } onCancel: {
                core.cancelAll()
            }
        } catch let e as VneidError {
            if Task.isCancelled { throw CancellationError() }
            throw VneidKitError(e)
        }
    }

    public func state() throws -> WalletState { try mappingErrors { try core.state() } }

    /// Checks the input and sends an SMS OTP (also re-activation on a new phone or when blocked).
    public func startActivation(_ input: ActivationInput) async throws -> OtpSent {
        try await call { try await $0.startActivation(input: input) }
    }
    public func resendOtp() async throws -> OtpSent { try await call { try await $0.resendOtp() } }
    public func verifyOtp(_ otp: String) async throws { try await call { try await $0.verifyOtp(otp: otp) } }

    /// Sets the 6-digit passcode, binds this phone (any other phone is signed out) and unlocks.
    public func setPasscode(_ passcode: String) async throws -> AccountSummary {
        try await call { try await $0.setPasscode(passcode: passcode) }
    }
    public func unlock(_ passcode: String) async throws -> AccountSummary {
        try await call { try await $0.unlock(passcode: passcode) }
    }
    public func lock() throws { try mappingErrors { try core.lock() } }
    public func profile() throws -> CitizenProfile { try mappingErrors { try core.profile() } }
    public func accountInfo() async throws -> AccountInfo { try await call { try await $0.accountInfo() } }
    public func signOut() throws { try mappingErrors { try core.signOut() } }

    public func fetchCredentials() async throws -> [CredentialSummary] {
        try await call { try await $0.fetchCredentials() }
    }
    public func refreshCredentials() async throws -> [CredentialSummary] {
        try await call { try await $0.refreshCredentials() }
    }
    public func credentials() throws -> [CredentialSummary] { try mappingErrors { try core.credentials() } }

    /// Builds the QR for `preset`; calling it is the citizen's consent (show the claims first).
    public func present(_ preset: PresentationPreset) async throws -> PresentationQr {
        try await call { try await $0.present(preset: preset) }
    }
    public func present(for request: VerifierRequest) async throws -> PresentationQr {
        try await call { try await $0.presentForRequest(request: request) }
    }
    public func disclosureHistory() throws -> [DisclosureRecord] {
        try mappingErrors { try core.disclosureHistory() }
    }

    /// Stops every core operation in flight (each fails with `.cancelled`).
    public func cancelAll() { core.cancelAll() }
}
