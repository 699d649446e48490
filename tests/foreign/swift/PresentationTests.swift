// Holder presentation and the counter verifier through the generated Swift bindings: the
// wallet signs with the OpenSSL secure area, a Verifier built from the backend's signed trust
// list and status list checks the QR text.
import Foundation
import VneidCore

/// The reference backend's trust-list anchor (SEC1 compressed), pinned as a counter app does.
private let anchorHex = "03889d55e3ab10002b71ce2c4b5e20c2387d329d405dc0d33952ca6e676eb52b2d"
/// SHA-256("vneid-backend/test-verifier/v1"): the scalar of the backend's registered test verifier.
private let testVerifierScalarHex = "d1eedbe5ab4c67d3cc9f242ab4e8e7d849bdb8e2a95d5061d928d1a9a2bfc19c"
private let testVerifierName = "Khách sạn Sen Vàng (test verifier)"
private let base45 = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")

private func hex(_ s: String) -> Data {
    let chars = Array(s)
    return Data(stride(from: 0, to: chars.count, by: 2).map { UInt8(String(chars[$0...$0 + 1]), radix: 16)! })
}

/// A signed list from the backend: the `signed` field of the JSON answer, base64url-decoded.
private func signedList(_ path: String) async throws -> Data {
    let (status, body) = try await HTTP.get(try TestEnv.backendURL + path)
    try assertEqual(200, status, "GET \(path) status")
    guard let obj = try JSONSerialization.jsonObject(with: body) as? [String: Any],
          var b64 = obj["signed"] as? String else { throw fail("no signed list in \(path)") }
    b64 = b64.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    b64 += String(repeating: "=", count: (4 - b64.count % 4) % 4)
    guard let data = Data(base64Encoded: b64) else { throw fail("signed list of \(path) is not base64url") }
    return data
}

private func trustList() async throws -> Data { try await signedList("/v1/trust-list") }

private func statusList(_ payload: String) async throws -> Data {
    guard let id = presentationStatusListId(payloadText: payload) else { throw fail("QR names no status list") }
    return try await signedList("/v1/status-lists/\(id)")
}

/// Lowers the low digit of one Base45 triple: still valid Base45, one byte of the payload changed.
private func tamper(_ payload: String) -> String {
    var chars = Array(payload)
    let i = 4 + 3 * ((chars.count - 4) / 6)
    let pos = base45.firstIndex(of: chars[i])!
    chars[i] = base45[pos == 0 ? 1 : pos - 1]
    return String(chars)
}

/// Revokes one issued status index through the backend's dev endpoint.
private func devRevoke(_ listId: UInt32, _ index: UInt32) async throws {
    let body = Data("{\"status_list_id\":\(listId),\"status_index\":\(index)}".utf8)
    let (status, answer) = try await HTTP.request("POST", try TestEnv.backendURL + "/v1/dev/revoke",
        headers: ["x-dev-token": try TestEnv.devToken, "content-type": "application/json"], body: body)
    try assertEqual(200, status, "dev revoke status (\(String(decoding: answer, as: UTF8.self)))")
}

private func counter() async throws -> Verifier {
    try Verifier(trustList: try await trustList(), anchorPublicKey: hex(anchorHex), config: VerifierConfig())
}

/// The stable code of a Credential error.
private func credentialCode(_ e: VneidError) throws -> ErrorCode {
    guard case let .Credential(code, _, _) = e else { throw fail("not a Credential error: \(e)") }
    return code
}

/// SEC1 of the P-256 generator: a valid key that signed no trust list.
private let otherAnchorHex = "036b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"

private func activatedWallet(trustAnchor: Data? = nil) async throws -> (WalletCore, Citizen) {
    let c = try await DevBackend.freshCitizen()
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("vneid-swift-present-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    let core = try WalletCore(
        config: WalletConfig(dataDir: url.path, backendUrl: try TestEnv.backendURL, deviceName: "Swift test phone",
                             platform: .ios, kdfIterations: 1_000, httpTimeoutSeconds: 20,
                             trustAnchor: trustAnchor),
        secureArea: OpenSSLSecureArea())
    _ = try await core.startActivation(input: ActivationInput(
        idNumber: c.idNumber, phone: c.phone, dateOfBirth: c.dateOfBirth, email: nil))
    try await core.verifyOtp(otp: try await DevBackend.latestOtp(c.phone))
    _ = try await core.setPasscode(passcode: "860247")
    return (core, c)
}

let presentationTests: [TestCase] = [
    test("identity check QR from the Swift secure area is accepted, then flagged as replayed; tampering is rejected") {
        let (core, c) = try await activatedWallet()
        let none = try await assertThrows(VneidError.self) { _ = try await core.present(preset: .identityCheck) }
        try assertEqual(ErrorCode.noCredential, try credentialCode(none), "code before fetching")

        let held = try await core.fetchCredentials()
        try assertEqual(2, held.count, "credential types held")
        try assertTrue(held.allSatisfy { $0.copies == 4 && $0.unused == 4 }, "batches \(held)")

        let qr = try await core.present(preset: .identityCheck)
        try assertTrue(qr.payload.hasPrefix("VN1:"), "payload prefix")
        try assertTrue(qr.qrVersion <= 15, "QR version \(qr.qrVersion)")
        try assertEqual(Int(qr.qrWidth * qr.qrWidth), qr.modules.count, "module count")
        try assertEqual(5, qr.disclosedClaims.count, "disclosed claims")

        let verifier = try await counter()
        let listId = try verifier.updateStatusList(statusList: try await statusList(qr.payload))
        try assertEqual(presentationStatusListId(payloadText: qr.payload), listId, "status list id")

        let ok = verifier.verify(payloadText: qr.payload, nowUnix: nil)
        try assertEqual(VerdictClass.accept, ok.verdict, "verdict (\(ok.reason) \(ok.detail ?? ""))")
        try assertEqual(VerificationReason.verified, ok.reason, "reason")
        var claims: [String: String] = [:]
        for claim in ok.claims { claims[claim.claim.name] = claim.value }
        try assertEqual(c.idNumber, claims["id_number"], "ID number")
        try assertEqual(c.fullName, claims["full_name"], "full name with diacritics")
        try assertEqual(c.dateOfBirth, claims["birth_date"], "date of birth")
        try assertTrue(ok.warnings.contains(.comparePortrait), "warnings \(ok.warnings)")
        try assertTrue(ok.issuerName != nil, "issuer name")

        let again = verifier.verify(payloadText: qr.payload, nowUnix: nil)
        try assertEqual(VerdictClass.reject, again.verdict, "replay verdict")
        try assertEqual(VerificationReason.replayed, again.reason, "replay reason")

        let tampered = verifier.verify(payloadText: tamper(qr.payload), nowUnix: nil)
        try assertEqual(VerdictClass.reject, tampered.verdict, "tampered verdict (\(tampered.reason))")
        try assertTrue(tampered.claims.isEmpty, "claims of a rejected QR")

        let history = try core.disclosureHistory()
        try assertEqual(1, history.count, "history entries")
        try assertEqual("identity_check", history[0].preset, "history preset")
        try assertEqual(nil, history[0].verifier, "history verifier")
        try assertEqual(["full_name", "id_number", "birth_date", "sex", "portrait_digest"],
                        history[0].claims.map { $0.name }, "history claims")
    },

    test("bad trust list, anchor and status list bytes are VERIFIER_DATA_INVALID") {
        let trust = try await trustList()
        let badAnchor = try await assertThrows(VneidError.self) {
            _ = try Verifier(trustList: trust, anchorPublicKey: Data(repeating: 2, count: 33), config: VerifierConfig())
        }
        try assertEqual(ErrorCode.verifierDataInvalid, try credentialCode(badAnchor), "bad anchor")
        let badList = try await assertThrows(VneidError.self) {
            _ = try Verifier(trustList: trust.dropLast(), anchorPublicKey: hex(anchorHex), config: VerifierConfig())
        }
        try assertEqual(ErrorCode.verifierDataInvalid, try credentialCode(badList), "truncated trust list")
        let verifier = try await counter()
        let bad = try await assertThrows(VneidError.self) {
            _ = try verifier.updateStatusList(statusList: Data([1, 2, 3]))
        }
        try assertEqual(ErrorCode.verifierDataInvalid, try credentialCode(bad), "bad status list")
    },

    test("two-way flow: the answer is bound to the counter's nonce and recorded with the registered name") {
        let (core, _) = try await activatedWallet()
        _ = try await core.fetchCredentials()
        let signer = try RequestSigner(privateKey: hex(testVerifierScalarHex))
        let request = try signer.createRequest(audience: "sen-vang-counter-1", preset: .hotelCheckIn,
                                               validitySeconds: 120, nowUnix: nil)
        try assertTrue(request.payload.hasPrefix("VR1:"), "request prefix")

        let trust = try await trustList()
        let invalid = try await assertThrows(VneidError.self) {
            _ = try VerifierRequest(requestText: "VR1:NOT-A-REQUEST", trustList: trust,
                                    anchorPublicKey: hex(anchorHex), nowUnix: nil)
        }
        try assertEqual(ErrorCode.requestInvalid, try credentialCode(invalid), "invalid request")

        let asked = try VerifierRequest(requestText: request.payload, trustList: trust,
                                        anchorPublicKey: hex(anchorHex), nowUnix: nil)
        try assertEqual(testVerifierName, asked.verifierName(), "registered verifier name")
        try assertEqual(["full_name", "id_number", "birth_date", "sex", "nationality"],
                        asked.requestedClaims().map { $0.name }, "requested claims")

        let answer = try await core.presentForRequest(request: asked)
        let verifier = try await counter()
        _ = try verifier.updateStatusList(statusList: try await statusList(answer.payload))
        var other = request
        other.nonce = Data(count: 16)
        let wrong = verifier.verifyAnswer(payloadText: answer.payload, request: other, nowUnix: nil)
        try assertEqual(VerificationReason.wrongNonce, wrong.reason, "wrong nonce")
        let ok = verifier.verifyAnswer(payloadText: answer.payload, request: request, nowUnix: nil)
        try assertEqual(VerdictClass.accept, ok.verdict, "answer verdict (\(ok.reason))")
        try assertEqual(5, ok.claims.count, "claims disclosed")

        let history = try core.disclosureHistory()
        try assertEqual(testVerifierName, history.last?.verifier, "history verifier")
        try assertTrue(history.last?.nonceBound == true, "history nonce bound")
    },
    test("revoked through the backend: after refreshing the status list the same kind of QR is rejected as revoked") {
        let (core, _) = try await activatedWallet()
        _ = try await core.fetchCredentials()
        let verifier = try await counter()
        let first = try await core.present(preset: .ageOver18)
        guard let entry = presentationStatusEntry(payloadText: first.payload) else { throw fail("QR names no status entry") }
        let held = try await verifier.refreshFromBackend(backendUrl: try TestEnv.backendURL, statusListIds: [entry.listId])
        try assertEqual(ListAge.fresh, held.trustList.age, "trust list age")
        try assertTrue(held.statusLists.contains { $0.listId == entry.listId }, "status lists \(held.statusLists)")
        let ok = verifier.verify(payloadText: first.payload, nowUnix: nil)
        try assertEqual(VerdictClass.accept, ok.verdict, "before revocation (\(ok.reason) \(ok.detail ?? ""))")

        try await devRevoke(entry.listId, entry.index)
        let second = try await core.present(preset: .ageOver18)
        guard let secondEntry = presentationStatusEntry(payloadText: second.payload) else { throw fail("no status entry") }
        try assertTrue(secondEntry.index != entry.index, "a fresh copy reused the revoked index")
        _ = try await verifier.refreshFromBackend(backendUrl: try TestEnv.backendURL, statusListIds: [])
        let revoked = verifier.verify(payloadText: first.payload, nowUnix: nil)
        try assertEqual(VerdictClass.reject, revoked.verdict, "after revocation")
        try assertEqual(VerificationReason.revoked, revoked.reason, "reason after revocation")
        let other = verifier.verify(payloadText: second.payload, nowUnix: nil)
        try assertEqual(VerdictClass.accept, other.verdict, "other copy (\(other.reason))")
    },

    test("stale lists are amber and fixable: old trust list, expired status list, older list refused") {
        let (core, _) = try await activatedWallet()
        _ = try await core.fetchCredentials()
        let qr = try await core.present(preset: .identityCheck)
        let now = UInt64(Date().timeIntervalSince1970)
        let verifier = try Verifier(trustList: try await trustList(), anchorPublicKey: hex(anchorHex),
                                    config: VerifierConfig(trustListWarnAfterSeconds: 60, trustListRefuseAfterSeconds: 3_600))
        _ = try verifier.updateStatusList(statusList: try await statusList(qr.payload))

        let stale = verifier.verify(payloadText: qr.payload, nowUnix: now + 7_200)
        try assertEqual(VerdictClass.fixable, stale.verdict, "stale trust list verdict")
        try assertEqual(VerificationReason.trustListStale, stale.reason, "stale trust list reason")
        try assertEqual(ListAge.stale, verifier.lists(nowUnix: now + 7_200).trustList.age, "list age")
        try assertEqual(ListAge.aging, verifier.lists(nowUnix: now + 120).trustList.age, "aging")

        // The backend's status lists live 300 s; 330 s later the QR itself is still in its window.
        let unknown = verifier.verify(payloadText: qr.payload, nowUnix: now + 330)
        try assertEqual(VerdictClass.fixable, unknown.verdict, "stale status list verdict")
        try assertEqual(VerificationReason.statusUnknown, unknown.reason, "stale status list reason")

        _ = try await verifier.refreshFromBackend(backendUrl: try TestEnv.backendURL, statusListIds: [])
        let ok = verifier.verify(payloadText: qr.payload, nowUnix: nil)
        try assertEqual(VerdictClass.accept, ok.verdict, "after refresh (\(ok.reason))")

        // The backend numbers trust lists by signing second: an older list never replaces a newer one.
        let older = try await trustList()
        try await Task.sleep(nanoseconds: 1_100_000_000)
        let newer = try Verifier(trustList: try await trustList(), anchorPublicKey: hex(anchorHex), config: VerifierConfig())
        let rollback = try await assertThrows(VneidError.self) { _ = try newer.updateTrustList(trustList: older) }
        try assertEqual(ErrorCode.verifierDataInvalid, try credentialCode(rollback), "older trust list")
        let again = try newer.updateTrustList(trustList: try await trustList())
        try assertEqual(ListAge.fresh, again.age, "same-or-newer list accepted")

        let unreachable = try await assertThrows(VneidError.self) {
            _ = try await verifier.refreshFromBackend(backendUrl: "http://127.0.0.1:9", statusListIds: [])
        }
        guard case .Network = unreachable else { throw fail("unreachable backend: \(unreachable)") }
        try assertEqual(VerdictClass.reject, verifier.verify(payloadText: qr.payload, nowUnix: nil).verdict,
                        "lists kept; now a replay")
    },

    test("printed chip-card QR is parsed and marked not verified; other text is not a card QR") {
        guard let card = parseCardQr(text: "001190012345|012345678|Nguyễn Thị Minh Khai|17051990|Nữ|Số 12 Hàng Bạc, Hà Nội|10042021")
        else { throw fail("card QR not recognised") }
        try assertEqual(false, card.verified, "verified flag")
        try assertTrue(card.noticeEn.contains("not cryptographically verified"), card.noticeEn)
        try assertEqual("001190012345", card.idNumber, "ID number")
        try assertEqual("012345678", card.oldIdNumber, "old ID")
        try assertEqual("Nguyễn Thị Minh Khai", card.fullName, "name")
        try assertEqual("1990-05-17", card.birthDate, "birth date")
        try assertEqual("female", card.sex, "sex")
        try assertEqual("2021-04-10", card.issueDate, "issue date")
        try assertEqual(7, card.rawFields.count, "raw fields")
        guard let six = parseCardQr(text: "079200012345|Trần Văn B|01012000|Nam|TP. Hồ Chí Minh|01072024")
        else { throw fail("6 fields") }
        try assertEqual(nil, six.oldIdNumber, "no old ID")
        try assertEqual("male", six.sex, "sex")
        try assertTrue(parseCardQr(text: "VN1:ABC") == nil, "presentation text")
        try assertTrue(parseCardQr(text: "12345|a|b|c|d|e|f") == nil, "short ID")
        try assertTrue(parseCardQr(text: String(repeating: "|", count: 2000)) == nil, "oversized")
    },
    test("a wallet pinning another trust anchor refuses the backend's credentials as CREDENTIAL_ISSUER_UNTRUSTED") {
        let (core, _) = try await activatedWallet(trustAnchor: hex(otherAnchorHex))
        let e = try await assertThrows(VneidError.self) { _ = try await core.fetchCredentials() }
        try assertEqual(ErrorCode.credentialIssuerUntrusted, try credentialCode(e), "code")
        try assertTrue(try core.credentials().isEmpty, "nothing stored")
        let (pinned, _) = try await activatedWallet(trustAnchor: hex(anchorHex))
        try assertEqual(2, try await pinned.fetchCredentials().count, "with the right anchor pinned")
    },
    test("photo profile: the identity check carries the issuer-bound face thumbnail and the counter gets it back") {
        let (core, _) = try await activatedWallet()
        _ = try await core.fetchCredentials()
        let qr = try await core.presentWithPhoto(preset: .identityCheck)
        try assertTrue((26...33).contains(qr.qrVersion), "photo QR version \(qr.qrVersion)")
        try assertTrue((1_500...2_300).contains(qr.payload.count), "photo QR characters \(qr.payload.count)")
        let verifier = try await counter()
        _ = try verifier.updateStatusList(statusList: try await statusList(qr.payload))
        let ok = verifier.verify(payloadText: qr.payload, nowUnix: nil)
        try assertEqual(VerdictClass.accept, ok.verdict, "verdict (\(ok.reason) \(ok.detail ?? ""))")
        guard let photo = ok.photo else { throw fail("no photo in the result") }
        try assertTrue((300...1_000).contains(photo.count), "photo bytes \(photo.count)")
        try assertEqual(Data([0xFF, 0xD8]), photo.prefix(2), "JPEG SOI")
        let noPhoto = try await assertThrows(VneidError.self) { _ = try await core.presentWithPhoto(preset: .ageOver18) }
        try assertEqual(ErrorCode.presentationFailed, try credentialCode(noPhoto), "photo without portrait digest")
    },
]
