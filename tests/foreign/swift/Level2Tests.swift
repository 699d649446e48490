// Level-2 upgrade through the generated Swift bindings: the wallet reads the citizen's chip ID
// card through a Swift NfcTransport, the reference backend re-verifies it with its own CSCA
// trust store and raises the account to level 2; a counter then sees the electronic ID as its
// own, level-2 credential type. Refusals (another citizen's card, an altered card, an expired
// or foreign document signer) are typed and leave the level at 1.
import Foundation
import VneidCore

/// An NFCISO7816Tag-like transport in front of a (possibly spoiled) virtual card.
private final class TestCardTransport: NfcTransport, @unchecked Sendable {
    private let card: TestCard
    init(_ card: TestCard) { self.card = card }
    func transceive(apdu: Data) throws -> Data { try card.transceive(apdu: apdu) }
    func maxTransceiveLength() -> UInt32 { 65_546 }
}

/// Nguyễn Văn An: seeded in the backend and holder of a virtual chip card.
private let an = "001090123456"
/// Trần Thị Bích Ngọc: a virtual card whose holder has no account here.
private let ngoc = "079195004321"
/// A stand-in for the JPEG the front camera took.
private let selfie = Data([0xFF, 0xD8, 0xFF, 0xE0]) + Data("selfie".utf8)
private let level2AnchorHex = "03889d55e3ab10002b71ce2c4b5e20c2387d329d405dc0d33952ca6e676eb52b2d"

private func keyOf(_ id: String) throws -> CardAccessKey {
    guard let c = virtualCitizens().first(where: { $0.idNumber == id }) else { throw fail("no virtual card \(id)") }
    return CardAccessKey(idNumber: c.idNumber, dateOfBirth: c.dateOfBirth, dateOfExpiry: c.dateOfExpiry,
                         documentNumber: nil)
}

private func transport(_ id: String, _ fault: TestCardFault) throws -> TestCardTransport {
    TestCardTransport(try TestCard(idNumber: id, fault: fault))
}

/// A signed list from the backend (the `signed` field, base64url-decoded).
private func level2SignedList(_ path: String) async throws -> Data {
    let (status, body) = try await HTTP.get(try TestEnv.backendURL + path)
    try assertEqual(200, status, "GET \(path) status")
    guard let obj = try JSONSerialization.jsonObject(with: body) as? [String: Any],
          var b64 = obj["signed"] as? String else { throw fail("no signed list in \(path)") }
    b64 = b64.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    b64 += String(repeating: "=", count: (4 - b64.count % 4) % 4)
    guard let data = Data(base64Encoded: b64) else { throw fail("signed list of \(path) is not base64url") }
    return data
}

/// A new phone activating An's account (any earlier phone is signed out).
private func anAtLevel1() async throws -> WalletCore {
    let c = try await DevBackend.chipCitizen(an)
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("vneid-swift-level2-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    let core = try WalletCore(
        config: WalletConfig(dataDir: url.path, backendUrl: try TestEnv.backendURL, deviceName: "Swift test phone",
                             platform: .ios, kdfIterations: 1_000, httpTimeoutSeconds: 20),
        secureArea: OpenSSLSecureArea())
    _ = try await core.startActivation(input: ActivationInput(idNumber: c.idNumber, phone: c.phone,
                                                               dateOfBirth: c.dateOfBirth, email: nil))
    _ = try await core.verifyOtp(otp: try await DevBackend.latestOtp(c.phone))
    _ = try await core.setPasscode(passcode: "860247")
    return core
}

private func refused(_ cardOf: String, _ fault: TestCardFault, _ expected: ErrorCode) async throws {
    let core = try await anAtLevel1()
    let e = try await assertThrows(VneidError.self) {
        _ = try await core.upgradeToLevel2(key: try keyOf(cardOf), transport: try transport(cardOf, fault),
                                           selfie: selfie, listener: nil)
    }
    guard case let .Chip(code, messageVi, messageEn) = e else { throw fail("not a Chip error: \(e)") }
    try assertEqual(expected, code, "code")
    try assertTrue(!messageVi.isEmpty && !messageEn.isEmpty, "messages")
    try assertEqual(UInt8(1), try await core.accountInfo().level, "level after a refused upgrade")
    let none = try await assertThrows(VneidError.self) { _ = try await core.present(preset: .electronicIdCheck) }
    guard case .Credential(.noCredential, _, _) = none else { throw fail("expected NO_CREDENTIAL, got \(none)") }
}

// Refusals first: once An's account is level 2 it stays so for the rest of the run.
let level2Tests: [TestCase] = [
    test("another citizen's chip card is refused with CHIP_HOLDER_MISMATCH; the level stays 1") {
        try await refused(ngoc, .none, .chipHolderMismatch)
    },
    test("a card with an altered DG13 is refused with CHIP_EVIDENCE_REJECTED; the level stays 1") {
        try await refused(an, .tamperedDataGroup(dataGroup: 13), .chipEvidenceRejected)
    },
    test("cards signed by an expired or a foreign document signer are refused; the level stays 1") {
        try await refused(an, .expiredSigner, .chipEvidenceRejected)
        try await refused(an, .foreignSigner, .chipEvidenceRejected)
    },
    test("a cloned chip (copied files, other keys) is refused with CHIP_EVIDENCE_REJECTED; the level stays 1") {
        try await refused(an, .cloned, .chipEvidenceRejected)
    },
    test("the citizen's own card raises the account to level 2; the electronic ID verifies as a level-2 type") {
        let core = try await anAtLevel1()
        try assertEqual(UInt8(1), try await core.accountInfo().level, "level before")
        let result = try await core.upgradeToLevel2(key: try keyOf(an), transport: try transport(an, .none),
                                                    selfie: selfie, listener: nil)
        try assertEqual(UInt8(2), result.level, "level in the result")
        try assertTrue(result.electronicIdCopies > 0, "electronic ID copies \(result.electronicIdCopies)")
        try assertTrue(result.activeAuthentication, "the backend verified the chip's signature over its challenge")
        try assertEqual(an, result.chip.idNumber, "ID number read from the chip")
        try assertEqual(UInt8(2), try await core.accountInfo().level, "level from the backend")

        let qr = try await core.present(preset: .electronicIdCheck)
        let chars = Array(level2AnchorHex)
        let anchor = Data(stride(from: 0, to: chars.count, by: 2).map { UInt8(String(chars[$0...$0 + 1]), radix: 16)! })
        let verifier = try Verifier(trustList: try await level2SignedList("/v1/trust-list"), anchorPublicKey: anchor,
                                    config: VerifierConfig())
        guard let listId = presentationStatusListId(payloadText: qr.payload) else { throw fail("QR names no status list") }
        _ = try verifier.updateStatusList(statusList: try await level2SignedList("/v1/status-lists/\(listId)"))
        let ok = verifier.verify(payloadText: qr.payload, nowUnix: nil)
        try assertEqual(VerdictClass.accept, ok.verdict, "verdict (\(ok.reason) \(ok.detail ?? ""))")
        guard let type = ok.credentialType else { throw fail("no credential type in the verdict") }
        try assertEqual("electronic_id", credentialTypeName(credentialType: type), "credential type name")
        try assertEqual(UInt8(2), credentialIdentityLevel(credentialType: type), "level of the presented identity")
        try assertEqual(UInt8(2), ok.identityLevel, "level in the verdict")
        try assertEqual(UInt8(1), credentialIdentityLevel(credentialType: 1), "the core ID is the level-1 identity")
    },
]
