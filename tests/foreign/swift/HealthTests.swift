// The electronic health book through the generated Swift bindings: sync (and a sync cut off
// mid-page, then resumed), filtered pages, search without diacritics, notes, the
// self-declared profile, FHIR export and the BHYT card QR accepted at reception.
import Foundation
import VneidCore

private let healthAnchorHex = "03889d55e3ab10002b71ce2c4b5e20c2387d329d405dc0d33952ca6e676eb52b2d"

private func healthHex(_ s: String) -> Data {
    let chars = Array(s)
    return Data(stride(from: 0, to: chars.count, by: 2).map { UInt8(String(chars[$0...$0 + 1]), radix: 16)! })
}

/// POSTs a dev-only health call with a JSON body.
private func healthDev(_ path: String, _ json: String) async throws {
    let (status, answer) = try await HTTP.request("POST", try TestEnv.backendURL + path,
        headers: ["x-dev-token": try TestEnv.devToken, "content-type": "application/json"], body: Data(json.utf8))
    try assertEqual(200, status, "POST \(path) (\(String(decoding: answer, as: UTF8.self)))")
}

private func healthSignedList(_ path: String) async throws -> Data {
    let (status, body) = try await HTTP.get(try TestEnv.backendURL + path)
    try assertEqual(200, status, "GET \(path) status")
    guard let obj = try JSONSerialization.jsonObject(with: body) as? [String: Any],
          var b64 = obj["signed"] as? String else { throw fail("no signed list in \(path)") }
    b64 = b64.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    b64 += String(repeating: "=", count: (4 - b64.count % 4) % 4)
    guard let data = Data(base64Encoded: b64) else { throw fail("not base64url") }
    return data
}

/// Wallet directories of this suite; each test deletes them when it ends.
private var healthDirs: [URL] = []

private func cleanHealthDirs() {
    for url in healthDirs { try? FileManager.default.removeItem(at: url) }
    healthDirs.removeAll()
}

private func healthWallet() async throws -> (WalletCore, Citizen) {
    let c = try await DevBackend.freshCitizen()
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("vneid-swift-health-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    healthDirs.append(url)
    let core = try WalletCore(
        config: WalletConfig(dataDir: url.path, backendUrl: try TestEnv.backendURL, deviceName: "Swift test phone",
                             platform: .ios, kdfIterations: 1_000, httpTimeoutSeconds: 60),
        secureArea: OpenSSLSecureArea())
    _ = try await core.startActivation(input: ActivationInput(
        idNumber: c.idNumber, phone: c.phone, dateOfBirth: c.dateOfBirth, email: nil))
    try await core.verifyOtp(otp: try await DevBackend.latestOtp(c.phone))
    _ = try await core.setPasscode(passcode: "860247")
    return (core, c)
}

private func healthQuery(kinds: [HealthRecordKind] = [], text: String? = nil, from: String? = nil, to: String? = nil,
                         facility: String? = nil, pageSize: UInt32 = 0, token: String? = nil) -> HealthQuery {
    HealthQuery(kinds: kinds, fromDate: from, toDate: to, facilityCode: facility, text: text,
                pageSize: pageSize, pageToken: token)
}

let healthTests: [TestCase] = [
    test("health book: sync, filtered pages, search without diacritics, notes, profile, FHIR, BHYT QR accepted at reception") {
        defer { cleanHealthDirs() }
        let (core, c) = try await healthWallet()
        try await healthDev("/v1/dev/health/book", "{\"id_number\":\"\(c.idNumber)\",\"records\":300}")
        let report = try await core.healthSync()
        try assertEqual(UInt64(300), report.records, "records after sync")
        try assertEqual(UInt32(4), report.cardCopiesFetched, "BHYT copies fetched")

        let with = try core.healthQuery(query: healthQuery(text: "tiêm chủng"))
        let without = try core.healthQuery(query: healthQuery(text: "tiem chung"))
        let vaccinations = try core.healthQuery(query: healthQuery(kinds: [.vaccination]))
        try assertTrue(with.total > 0, "no vaccination found")
        try assertEqual(with.total, without.total, "with vs without diacritics")
        try assertEqual(vaccinations.total, without.total, "search vs kind filter")

        var token: String? = nil
        var seen: [String] = []
        var total: UInt64 = 0
        repeat {
            let page = try core.healthQuery(query: healthQuery(kinds: [.encounter, .appointment], from: "2014-01-01",
                                                               to: "2024-12-31", pageSize: 11, token: token))
            total = page.total
            try assertTrue(page.entries.allSatisfy { $0.date >= "2014-01-01" && $0.date <= "2024-12-31" }, "date filter")
            try assertTrue(page.entries.allSatisfy { $0.kind == .encounter || $0.kind == .appointment }, "kind filter")
            seen += page.entries.map { $0.recordId }
            token = page.nextPage
        } while token != nil
        try assertEqual(Int(total), seen.count, "entries over all pages")
        try assertEqual(seen.count, Set(seen).count, "no repeats")

        let encounter = try core.healthQuery(query: healthQuery(kinds: [.encounter], pageSize: 1)).entries[0]
        guard case let .encounter(_, _, _, _, diagnoses, _, _, _) = encounter.detail else {
            throw fail("typed encounter \(encounter.detail)")
        }
        try assertTrue(!diagnoses.isEmpty, "diagnoses")
        try core.healthSetNote(recordId: encounter.recordId, note: "Tái khám mang theo phim chụp")
        try assertEqual("Tái khám mang theo phim chụp", try core.healthRecord(recordId: encounter.recordId).note, "note")
        try assertEqual(UInt64(1), try core.healthQuery(query: healthQuery(text: "phim chup")).total, "note search")

        let profile = try core.healthSetProfile(profile: HealthProfileInput(
            bloodType: .abNegative, allergies: ["Hải sản"], chronicConditions: [], disabilities: []))
        try assertTrue(profile.selfDeclared, "self-declared")
        try assertEqual(profile, try core.healthProfile(), "profile read back")

        let fhir = try core.healthExportFhir(recordIds: nil)
        guard let bundle = try JSONSerialization.jsonObject(with: Data(fhir.utf8)) as? [String: Any],
              let entries = bundle["entry"] as? [[String: Any]] else { throw fail("bundle JSON") }
        try assertEqual("Bundle", bundle["resourceType"] as? String, "resourceType")
        let types = entries.compactMap { ($0["resource"] as? [String: Any])?["resourceType"] as? String }
        try assertEqual(1, types.filter { $0 == "Patient" }.count, "patients")
        try assertEqual(1, types.filter { $0 == "Coverage" }.count, "coverage")

        guard case let .bhytCard(cardNumber, _, _, _, _, _, _)? = try core.healthSummary().bhytCard?.detail else {
            throw fail("no BHYT card")
        }
        let qr = try await core.present(preset: .healthInsurance)
        let verifier = try Verifier(trustList: try await healthSignedList("/v1/trust-list"),
                                    anchorPublicKey: healthHex(healthAnchorHex), config: VerifierConfig())
        guard let listId = presentationStatusListId(payloadText: qr.payload) else { throw fail("no status list id") }
        _ = try verifier.updateStatusList(statusList: try await healthSignedList("/v1/status-lists/\(listId)"))
        let v = verifier.verify(payloadText: qr.payload, nowUnix: nil)
        try assertEqual(VerdictClass.accept, v.verdict, "verdict (\(v.reason) \(v.detail ?? ""))")
        var claims: [String: String] = [:]
        for claim in v.claims { claims[claim.claim.name] = claim.value }
        try assertEqual(cardNumber, claims["bhyt_number"], "BHYT number")
        try assertEqual(c.idNumber, claims["id_number"], "ID number")
    },

    test("health certificate: a sick-leave certificate chosen in the book is shown as a QR the counter accepts; a tampered one is rejected") {
        defer { cleanHealthDirs() }
        let (core, c) = try await healthWallet()
        try await healthDev("/v1/dev/health/book", "{\"id_number\":\"\(c.idNumber)\",\"records\":300}")
        _ = try await core.healthSync()
        let leave = try core.healthQuery(query: healthQuery(kinds: [.sickLeave], pageSize: 1)).entries[0]
        guard case let .sickLeave(number, _, _, _, _) = leave.detail else { throw fail("not sick leave \(leave.detail)") }
        let qr = try await core.healthPresentCertificate(recordId: leave.recordId)
        try assertTrue(qr.qrVersion <= 20, "QR version \(qr.qrVersion)")
        let verifier = try Verifier(trustList: try await healthSignedList("/v1/trust-list"),
                                    anchorPublicKey: healthHex(healthAnchorHex), config: VerifierConfig())
        guard let listId = presentationStatusListId(payloadText: qr.payload) else { throw fail("no status list id") }
        _ = try verifier.updateStatusList(statusList: try await healthSignedList("/v1/status-lists/\(listId)"))
        let v = verifier.verify(payloadText: qr.payload, nowUnix: nil)
        try assertEqual(VerdictClass.accept, v.verdict, "verdict (\(v.reason) \(v.detail ?? ""))")
        var claims: [String: String] = [:]
        for claim in v.claims { claims[claim.claim.name] = claim.value }
        try assertEqual(number, claims["cert_number"], "certificate number")
        try assertEqual(c.idNumber, claims["id_number"], "ID number")

        // One character changed in the middle of the QR text: never accepted.
        var chars = Array(qr.payload)
        let i = chars.count / 2
        chars[i] = chars[i] == "A" ? "B" : "A"
        try assertEqual(VerdictClass.reject, verifier.verify(payloadText: String(chars), nowUnix: nil).verdict,
                        "tampered verdict")
    },

    test("health sync cut off mid-page resumes where it stopped, without loss or duplicates") {
        defer { cleanHealthDirs() }
        let (core, c) = try await healthWallet()
        try await healthDev("/v1/dev/health/book", "{\"id_number\":\"\(c.idNumber)\",\"records\":90}")
        try await healthDev("/v1/dev/health/fault", "{\"id_number\":\"\(c.idNumber)\",\"pages_before_failure\":1}")
        let cut = try await assertThrows(VneidError.self) { _ = try await core.healthSyncWithPageSize(pageSize: 20) }
        guard case let .Network(code, _, _) = cut else { throw fail("not a Network error: \(cut)") }
        try assertEqual(ErrorCode.networkUnavailable, code, "cut-off code")
        try assertEqual(UInt64(20), try core.healthSummary().records, "one page kept")
        let resumed = try await core.healthSyncWithPageSize(pageSize: 20)
        try assertEqual(UInt32(4), resumed.pages, "pages after resuming")
        try assertEqual(UInt32(0), resumed.unchanged, "nothing twice")
        try assertEqual(UInt64(90), resumed.records, "records")
    },
]
