// The iOS package's async wallet API on Linux against the reference backend, and the mapping
// of every error category to VneidKitError.
import Foundation
import VneidCore
import VneidKit

private func openWallet() throws -> VneidWallet {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vneid-ios-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return try VneidWallet(
        config: WalletConfig(dataDir: dir.path, backendUrl: try TestEnv.backendURL, deviceName: "iOS layer test",
                             platform: .ios, kdfIterations: 1_000, httpTimeoutSeconds: 20),
        secureArea: try newSoftwareSecureArea(dir: nil))
}

/// The code every generated variant carries, read independently of the mapping under test.
private func codeOf(_ e: VneidError) -> ErrorCode? {
    guard let payload = Mirror(reflecting: e).children.first?.value else { return nil }
    return Mirror(reflecting: payload).children.first { $0.label == "code" }?.value as? ErrorCode
}

let iosWalletTests: [TestCase] = [
    test("activation, a wrong OTP and a wrong passcode through the async API, then a QR") {
        let c = try await DevBackend.freshCitizen()
        let wallet = try openWallet()
        try assertEqual(WalletState.notActivated, try wallet.state(), "initial state")
        let sent = try await wallet.startActivation(ActivationInput(idNumber: c.idNumber, phone: c.phone,
                                                                    dateOfBirth: c.dateOfBirth, email: nil))
        let otp = try await DevBackend.latestOtp(c.phone)
        let e = try await assertThrows(VneidKitError.self) { try await wallet.verifyOtp(otp == "000000" ? "111111" : "000000") }
        guard case let .otp(details, attemptsLeft, _) = e else { throw fail("expected .otp, got \(e)") }
        try assertEqual(ErrorCode.otpWrong, details.code, "OTP code")
        try assertEqual(Int(sent.maxAttempts) - 1, attemptsLeft, "attempts left")
        try await wallet.verifyOtp(otp)
        _ = try await wallet.setPasscode("860247")
        _ = try await wallet.fetchCredentials()
        let qr = try await wallet.present(.identityCheck)
        try assertTrue(qr.payload.hasPrefix("VN1:"), "payload prefix")
        try assertEqual(Int(qr.qrWidth * qr.qrWidth), qr.modules.count, "module count")
        try wallet.lock()
        let p = try await assertThrows(VneidKitError.self) { _ = try await wallet.unlock("123789") }
        guard case let .passcode(pd, left) = p else { throw fail("expected .passcode, got \(p)") }
        try assertEqual(ErrorCode.passcodeWrong, pd.code, "passcode code")
        try assertEqual(4, left, "attempts left")
        _ = try await wallet.unlock("860247")
        try assertEqual(c.idNumber, try wallet.profile().idNumber, "profile after unlock")
    },

    test("every category of the core's error maps to its Swift case with code and messages") {
        let cases: [(VneidError, (VneidKitError) -> Bool)] = [
            (.Input(code: .phoneInvalid, messageVi: "vi", messageEn: "en"), { if case .invalidInput = $0 { return true }; return false }),
            (.Otp(code: .otpResendTooSoon, messageVi: "vi", messageEn: "en", attemptsLeft: nil, retryAfterSeconds: 42),
             { if case let .otp(_, left, after) = $0 { return left == nil && after == 42 }; return false }),
            (.Passcode(code: .passcodeWrong, messageVi: "vi", messageEn: "en", attemptsLeft: 3),
             { if case let .passcode(_, left) = $0 { return left == 3 }; return false }),
            (.Account(code: .notUnlocked, messageVi: "vi", messageEn: "en"), { if case .account = $0 { return true }; return false }),
            (.Network(code: .networkTimeout, messageVi: "vi", messageEn: "en"), { if case .network = $0 { return $0.isRetryable }; return false }),
            (.Server(code: .rateLimited, messageVi: "vi", messageEn: "en", retryAfterSeconds: 60),
             { if case let .server(_, after) = $0 { return after == 60 && $0.isRetryable }; return false }),
            (.Device(code: .secureAreaFailure, messageVi: "vi", messageEn: "en"), { if case .device = $0 { return true }; return false }),
            (.Storage(code: .storageFailure, messageVi: "vi", messageEn: "en"), { if case .storage = $0 { return true }; return false }),
            (.Credential(code: .noCredential, messageVi: "vi", messageEn: "en"), { if case .credential = $0 { return true }; return false }),
            (.Chip(code: .chipLost, messageVi: "vi", messageEn: "en"), { if case .chip = $0 { return $0.canResume }; return false }),
            (.Judicial(code: .judicialFieldRequired, messageVi: "vi", messageEn: "en", field: "personal.id_number"),
             { if case let .judicial(_, field) = $0 { return field == "personal.id_number" }; return false }),
            (.Cancelled(code: .cancelled, messageVi: "vi", messageEn: "en"), { if case .cancelled = $0 { return true }; return false }),
            (.Internal(code: .internal, messageVi: "vi", messageEn: "en"), { if case .internalError = $0 { return true }; return false }),
        ]
        for (core, check) in cases {
            let mapped = VneidKitError(core)
            try assertTrue(check(mapped), "\(core) mapped to \(mapped)")
            guard case let .Input(code, _, _) = core else {
                try assertEqual(codeOf(core), mapped.code, "code of \(core)")
                try assertEqual("vi", mapped.details.messageVi, "Vietnamese message of \(core)")
                try assertEqual("en", mapped.details.messageEn, "English message of \(core)")
                continue
            }
            try assertEqual(code, mapped.code, "code of \(core)")
            try assertEqual("vi", mapped.details.messageVi, "Vietnamese message of \(core)")
            try assertEqual("en", mapped.details.messageEn, "English message of \(core)")
        }
    },
]
