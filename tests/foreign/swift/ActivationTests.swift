// Level-1 activation through the generated Swift bindings, with a Swift SecureArea that Rust
// calls back into, against the reference backend on loopback.
import Foundation
import VneidCore

private let passcode = "860247"

private func newDir() throws -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("vneid-swift-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url.path
}

private func wallet(_ dir: String, _ secureArea: SecureArea) throws -> WalletCore {
    try WalletCore(
        config: WalletConfig(dataDir: dir, backendUrl: try TestEnv.backendURL, deviceName: "Swift test phone",
                             platform: .ios, kdfIterations: 1_000, httpTimeoutSeconds: 20),
        secureArea: secureArea)
}

private func input(_ c: Citizen) -> ActivationInput {
    ActivationInput(idNumber: c.idNumber, phone: c.phone, dateOfBirth: c.dateOfBirth, email: nil)
}

private func activate(_ core: WalletCore, _ c: Citizen) async throws {
    _ = try await core.startActivation(input: input(c))
    try await core.verifyOtp(otp: try await DevBackend.latestOtp(c.phone))
    _ = try await core.setPasscode(passcode: passcode)
}

/// The error's stable code, whatever its category.
private func code(_ e: VneidError) -> ErrorCode {
    switch e {
    case let .Input(code, _, _), let .Account(code, _, _), let .Network(code, _, _),
         let .Device(code, _, _), let .Storage(code, _, _), let .Credential(code, _, _),
         let .Chip(code, _, _), let .Cancelled(code, _, _),
         let .Internal(code, _, _):
        return code
    case let .Otp(code, _, _, _, _): return code
    case let .Passcode(code, _, _, _): return code
    case let .Server(code, _, _, _): return code
    case let .Judicial(code, _, _, _): return code
    }
}

let activationTests: [TestCase] = [
    test("activation binds a key made by the Swift secure area and unlocks") {
        let c = try await DevBackend.freshCitizen()
        let sa = OpenSSLSecureArea()
        let core = try wallet(try newDir(), sa)
        try assertEqual(WalletState.notActivated, try core.state(), "initial state")
        let sent = try await core.startActivation(input: input(c))
        try assertTrue(sent.maskedPhone.hasSuffix(String(c.phone.suffix(3))), "masked phone \(sent.maskedPhone)")
        try await core.verifyOtp(otp: try await DevBackend.latestOtp(c.phone))
        try assertEqual(WalletState.awaitingPasscode, try core.state(), "state after OTP")
        let account = try await core.setPasscode(passcode: passcode)
        try assertEqual(1, account.level, "level")
        try assertEqual(WalletState.unlocked(online: true), try core.state(), "state after passcode")
        try assertEqual(1, sa.aliases.count, "device keys in the Swift secure area")
        try assertTrue(sa.calls("sign") >= 2, "Rust did not sign through Swift")
        try assertEqual(1, sa.calls("seal"), "data key sealed through Swift")
        let info = try await core.accountInfo()
        try assertEqual(c.idNumber, info.citizen.idNumber, "ID number")
        try assertEqual(c.fullName, info.citizen.fullName, "full name with diacritics")
        try core.lock()
        try assertEqual(WalletState.locked(attemptsLeft: 5), try core.state(), "locked")
        _ = try await core.unlock(passcode: passcode)
        try assertEqual(account.accountId, try await core.accountInfo().accountId, "same account")
    },

    test("a wrong OTP is an Otp error with the attempts left") {
        let c = try await DevBackend.freshCitizen()
        let core = try wallet(try newDir(), OpenSSLSecureArea())
        let sent = try await core.startActivation(input: input(c))
        let real = try await DevBackend.latestOtp(c.phone)
        let wrong = real == "000001" ? "000002" : "000001"
        let e = try await assertThrows(VneidError.self) { try await core.verifyOtp(otp: wrong) }
        guard case let .Otp(code, messageVi, _, attemptsLeft, _) = e else { throw fail("not an Otp error: \(e)") }
        try assertEqual(ErrorCode.otpWrong, code, "code")
        try assertEqual(sent.maxAttempts - 1, attemptsLeft, "attempts left")
        try assertTrue(messageVi.contains("OTP"), "vi message \(messageVi)")
        try await core.verifyOtp(otp: real)
    },

    test("an invalid phone number is an Input error") {
        let c = try await DevBackend.freshCitizen()
        let core = try wallet(try newDir(), OpenSSLSecureArea())
        let e = try await assertThrows(VneidError.self) {
            _ = try await core.startActivation(input: ActivationInput(
                idNumber: c.idNumber, phone: "0212345678", dateOfBirth: c.dateOfBirth, email: nil))
        }
        guard case .Input = e else { throw fail("not an Input error: \(e)") }
        try assertEqual(ErrorCode.phoneInvalid, code(e), "code")
        try assertEqual("PHONE_INVALID", errorCodeId(code: code(e)), "stable id")
    },

    test("five wrong passcodes block the wallet across a restart until re-activation") {
        let c = try await DevBackend.freshCitizen()
        let dir = try newDir()
        let sa = OpenSSLSecureArea()
        do {
            let first = try wallet(dir, sa)
            try await activate(first, c)
            try first.lock()
            for left in stride(from: 4, through: 1, by: -1) {
                let e = try await assertThrows(VneidError.self) { _ = try await first.unlock(passcode: "111222") }
                guard case let .Passcode(code, _, _, attemptsLeft) = e else { throw fail("not Passcode: \(e)") }
                try assertEqual(ErrorCode.passcodeWrong, code, "code")
                try assertEqual(UInt32(left), attemptsLeft, "attempts left")
            }
        }
        let restarted = try wallet(dir, sa)
        try assertEqual(WalletState.locked(attemptsLeft: 1), try restarted.state(), "after restart")
        let blocked = try await assertThrows(VneidError.self) { _ = try await restarted.unlock(passcode: "111222") }
        try assertEqual(ErrorCode.walletBlocked, code(blocked), "fifth wrong passcode")
        try assertEqual(WalletState.blocked(reason: .tooManyAttempts), try restarted.state(), "blocked")
        try await activate(restarted, c)
        try assertEqual(WalletState.unlocked(online: true), try restarted.state(), "re-activated")
    },

    test("re-activation on a new phone revokes the old phone") {
        let c = try await DevBackend.freshCitizen()
        let old = try wallet(try newDir(), OpenSSLSecureArea())
        try await activate(old, c)
        try old.lock()
        let new = try wallet(try newDir(), OpenSSLSecureArea())
        try await activate(new, c)
        let e = try await assertThrows(VneidError.self) { _ = try await old.unlock(passcode: passcode) }
        try assertEqual(ErrorCode.deviceRevoked, code(e), "old phone")
        try assertEqual(WalletState.blocked(reason: .deviceRevoked), try old.state(), "old phone state")
    },

    test("reinstalling on the same phone re-activates the same account") {
        let c = try await DevBackend.freshCitizen()
        let sa = OpenSSLSecureArea() // the Keychain survives an uninstall
        let dir = try newDir()
        var accountId = ""
        do {
            let before = try wallet(dir, sa)
            try await activate(before, c)
            accountId = try await before.accountInfo().accountId
        }
        try FileManager.default.removeItem(atPath: dir)
        let after = try wallet(dir, sa)
        try assertEqual(WalletState.notActivated, try after.state(), "fresh install")
        try await activate(after, c)
        try assertEqual(accountId, try await after.accountInfo().accountId, "same account")
    },

    test("a failing Swift secure area surfaces as a Device error") {
        let e = try await assertThrows(VneidError.self) { _ = try wallet(try newDir(), BrokenSecureArea()) }
        guard case .Device = e else { throw fail("not a Device error: \(e)") }
        try assertEqual(ErrorCode.secureAreaFailure, code(e), "code")
    },
]
