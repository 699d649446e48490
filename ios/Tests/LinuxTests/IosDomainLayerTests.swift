// The iOS package's wrappers of the health book, judicial requests, the level-2 upgrade and the
// counter verifier on Linux, against the reference backend and the virtual chip cards.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import VneidCore
import VneidKit

private final class DomainResponseBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: (Int, Data) = (-1, Data())
    func set(_ status: Int, _ body: Data) { lock.lock(); value = (status, body); lock.unlock() }
    func get() -> (Int, Data) { lock.lock(); defer { lock.unlock() }; return value }
}

/// A dev endpoint call, synchronous (the payment gateway is called on a core thread).
private func domainPost(_ path: String, _ json: [String: Any]) throws -> [String: Any] {
    guard let url = URL(string: try TestEnv.backendURL + path) else { throw fail("bad URL") }
    var req = URLRequest(url: url, timeoutInterval: 10)
    req.httpMethod = "POST"
    req.httpBody = try JSONSerialization.data(withJSONObject: json)
    req.setValue("application/json", forHTTPHeaderField: "content-type")
    req.setValue(try TestEnv.devToken, forHTTPHeaderField: "x-dev-token")
    let done = DispatchSemaphore(value: 0)
    let box = DomainResponseBox()
    URLSession.shared.dataTask(with: req) { data, resp, _ in
        box.set((resp as? HTTPURLResponse)?.statusCode ?? -1, data ?? Data())
        done.signal()
    }.resume()
    done.wait()
    let result = box.get()
    guard result.0 == 200,
          let obj = try JSONSerialization.jsonObject(with: result.1) as? [String: Any] else {
        throw fail("POST \(path): \(result.0) \(String(decoding: result.1, as: UTF8.self))")
    }
    return obj
}

/// The office's staff, through the backend's dev endpoint.

private func activatedWallet(_ c: Citizen) async throws -> VneidWallet {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vneid-ios-domain-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let wallet = try VneidWallet(
        config: WalletConfig(dataDir: dir.path, backendUrl: try TestEnv.backendURL, deviceName: "iOS layer test",
                             platform: .ios, kdfIterations: 1_000, httpTimeoutSeconds: 20),
        secureArea: try newSoftwareSecureArea(dir: nil))
    _ = try await wallet.startActivation(ActivationInput(idNumber: c.idNumber, phone: c.phone,
                                                         dateOfBirth: c.dateOfBirth, email: nil))
    try await wallet.verifyOtp(try await DevBackend.latestOtp(c.phone))
    _ = try await wallet.setPasscode("860247")
    return wallet
}

private func trustList() async throws -> Data {
    let (status, body) = try await HTTP.get(try TestEnv.backendURL + "/v1/trust-list")
    try assertEqual(200, status, "trust list status")
    guard let obj = try JSONSerialization.jsonObject(with: body) as? [String: Any],
          var b64 = obj["signed"] as? String else { throw fail("no signed trust list") }
    b64 = b64.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    b64 += String(repeating: "=", count: (4 - b64.count % 4) % 4)
    guard let data = Data(base64Encoded: b64) else { throw fail("trust list is not base64url") }
    return data
}

/// A counter's verdict through the layer: lists from the backend, then `verify`.
private func counterVerdict(_ payload: String) async throws -> VerdictClass {
    let hex = Array("03889d55e3ab10002b71ce2c4b5e20c2387d329d405dc0d33952ca6e676eb52b2d")
    let anchor = Data(stride(from: 0, to: hex.count, by: 2).map { UInt8(String(hex[$0...$0 + 1]), radix: 16)! })
    let verifier = try VneidVerifier(trustList: try await trustList(), anchorPublicKey: anchor)
    guard let listId = presentationStatusListId(payloadText: payload) else { throw fail("QR names no status list") }
    _ = try await verifier.refreshFromBackend(try TestEnv.backendURL, statusListIds: [listId])
    return verifier.verify(payload).verdict
}

private final class DevGateway: JudicialPaymentGateway, @unchecked Sendable {
    func pay(order: PaymentOrder) throws -> PaymentReceipt {
        do {
            let r = try domainPost("/v1/dev/payment-gateway/charge", ["order_ref": order.orderRef, "amount_vnd": order.amountVnd])
            guard let tx = r["transaction_id"] as? String, let ref = r["order_ref"] as? String,
                  let amount = r["amount_vnd"] as? NSNumber, let sig = r["signature"] as? String else {
                throw PaymentGatewayError.Failed(reason: "malformed receipt")
            }
            return PaymentReceipt(transactionId: tx, orderRef: ref, amountVnd: amount.uint64Value, signature: sig)
        } catch let e as PaymentGatewayError { throw e } catch { throw PaymentGatewayError.Failed(reason: "\(error)") }
    }
}

private final class StatusLog: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [JudicialStatus] = []
    func add(_ s: JudicialStatus) { lock.lock(); items.append(s); lock.unlock() }
    var all: [JudicialStatus] { lock.lock(); defer { lock.unlock() }; return items }
}

/// An NFCISO7816Tag-like transport in front of a virtual card: counts APDUs, optionally slow.
private final class CountingCard: NfcTransport, @unchecked Sendable {
    private let card: TestCard
    private let delay: TimeInterval
    let sent = Counter()
    private let done = Counter()
    init(_ id: String, delay: TimeInterval = 0) throws { card = try TestCard(idNumber: id, fault: .none); self.delay = delay }
    var busy: Bool { sent.value != done.value }
    func transceive(apdu: Data) throws -> Data {
        sent.increment()
        defer { done.increment() }
        if delay > 0 { Thread.sleep(forTimeInterval: delay) }
        return try card.transceive(apdu: apdu)
    }
    func maxTransceiveLength() -> UInt32 { 261 } // short APDUs: a long read to cancel
}

private let an = "001090123456"
private let ngoc = "079195004321"
private let selfie = Data([0xFF, 0xD8, 0xFF, 0xE0]) + Data("selfie".utf8)

private func cardKey(_ id: String) throws -> CardAccessKey {
    guard let c = virtualCitizens().first(where: { $0.idNumber == id }) else { throw fail("no virtual card \(id)") }
    return CardAccessKey(idNumber: c.idNumber, dateOfBirth: c.dateOfBirth, dateOfExpiry: c.dateOfExpiry, documentNumber: nil)
}

// Level 2 last: the cancelled and refused upgrades need An's account at level 1.
let iosDomainTests: [TestCase] = [
    test("health book through the layer: sync, a page, note, profile, FHIR, typed not-found") {
        let c = try await DevBackend.freshCitizen()
        let wallet = try await activatedWallet(c)
        _ = try domainPost("/v1/dev/health/book", ["id_number": c.idNumber, "records": 40])
        let report = try await wallet.healthSync(pageSize: 15)
        try assertEqual(UInt64(40), report.records, "records after sync")
        try assertTrue(report.pages >= 3, "pages \(report.pages) with 15 per page")
        let page = try wallet.healthQuery(HealthQuery(kinds: [], fromDate: nil, toDate: nil, facilityCode: nil,
                                                      text: nil, pageSize: 10, pageToken: nil))
        try assertEqual(10, page.entries.count, "page size")
        try assertTrue(page.nextPage != nil, "a next page")
        let first = page.entries[0]
        try wallet.healthSetNote(first.recordId, note: "Tái khám sau 2 tuần")
        try assertEqual("Tái khám sau 2 tuần", try wallet.healthRecord(first.recordId).note, "note")
        try assertEqual(UInt64(40), try wallet.healthSummary().records, "summary")
        try assertTrue(!(try wallet.healthFacilities()).isEmpty, "facilities")
        _ = try wallet.healthSetProfile(HealthProfileInput(bloodType: .oPositive, allergies: ["Penicillin"],
                                                           chronicConditions: [], disabilities: []))
        try assertEqual(BloodType.oPositive, try wallet.healthProfile()?.bloodType, "blood type")
        let fhir = try wallet.healthExportFhir(recordIds: [first.recordId])
        try assertTrue(fhir.contains("Bundle"), "FHIR bundle")
        let e = try await assertThrows(VneidKitError.self) { _ = try wallet.healthRecord("no-such-record") }
        guard case .invalidInput = e else { throw fail("expected .invalidInput, got \(e)") }
        try assertEqual(ErrorCode.healthRecordNotFound, e.code, "code")
    },

    test("judicial request through the layer: field error, fee, submit, gateway, status stream, certificate verified") {
        var c = try await DevBackend.freshCitizen()
        while !(1968...2006).contains(Int(c.dateOfBirth.prefix(4)) ?? 0) { c = try await DevBackend.freshCitizen() }
        let wallet = try await activatedWallet(c)
        let draft = try wallet.newJudicialDraft()
        try assertTrue(try wallet.validateJudicial(draft.form).contains { $0.path == "purpose" }, "purpose required")
        let invalid = try await assertThrows(VneidKitError.self) { _ = try await wallet.submitJudicial(draft.localId) }
        guard case let .judicial(_, field) = invalid, field != nil else { throw fail("expected .judicial with a field, got \(invalid)") }
        var form = draft.form
        let dob = form.personal.dateOfBirth.value
        form.purpose = "Bổ sung hồ sơ xin việc"
        form.personal.ethnicity = PersonalField(value: "Kinh", source: .citizen)
        form.personal.idIssueDate = PersonalField(value: "2021-06-01", source: .citizen)
        form.residenceHistory = [ResidencePeriod(from: "\(Int(dob.prefix(4))! + 14)-\(dob.dropFirst(5).prefix(2))", to: nil,
                                                 address: "1 Tràng Tiền, Hà Nội", occupation: "Nhân viên")]
        form = try wallet.saveJudicialDraft(draft.localId, form: form)
        try assertTrue(try wallet.validateJudicial(form).isEmpty, "complete form")
        try assertEqual(UInt64(200_000), try wallet.judicialFee(form).total, "standard fee")

        let log = StatusLog()
        let stream = wallet.judicialStatusChanges() // installs the listener now
        let collector = Task { for await change in stream { log.add(change.status) } }
        let submitted = try await wallet.submitJudicial(draft.localId)
        try assertTrue(try await wallet.flushJudicialOutbox().queued.isEmpty, "nothing left queued")
        guard let requestId = submitted.office?.requestId else { throw fail("no backend request") }
        try assertTrue(try await wallet.payJudicial(draft.localId, gateway: DevGateway()).office?.paid == true, "paid")
        for action in ["accept", "process", "ready"] {
            _ = try domainPost("/v1/dev/judicial/advance", ["request_id": requestId, "action": action])
        }
        _ = try await wallet.refreshJudicial()
        let deadline = Date().addingTimeInterval(5)
        while !log.all.contains(.ready) && Date() < deadline { try await Task.sleep(nanoseconds: 20_000_000) }
        try assertTrue(log.all.contains(.accepted) && log.all.contains(.ready), "status stream: \(log.all)")
        collector.cancel()
        try assertEqual(draft.localId, try wallet.judicialRequests().first?.localId, "requests")
        _ = try await wallet.fetchJudicialCertificate(draft.localId)
        let qr = try await wallet.presentJudicialCertificate()
        try assertEqual(VerdictClass.accept, try await counterVerdict(qr.payload), "counter verdict on the certificate")
    },

    test("a cancelled level-2 upgrade throws CancellationError once the transport is free; the level stays 1") {
        let wallet = try await activatedWallet(try await DevBackend.chipCitizen(an))
        let card = try CountingCard(an, delay: 0.02)
        let task = Task { try await wallet.upgradeToLevel2(key: try cardKey(an), transport: card, selfie: selfie) }
        let deadline = Date().addingTimeInterval(20)
        while card.sent.value < 10 && Date() < deadline { try await Task.sleep(nanoseconds: 5_000_000) }
        task.cancel()
        do { _ = try await task.value; throw fail("the cancelled upgrade succeeded") } catch is CancellationError {}
        try assertTrue(!card.busy, "an APDU was still in flight when the cancelled call returned")
        let atReturn = card.sent.value
        try await Task.sleep(nanoseconds: 300_000_000)
        try assertEqual(atReturn, card.sent.value, "APDUs after the cancelled call returned")
        try assertEqual(UInt8(1), try await wallet.accountInfo().level, "level after the cancelled upgrade")
        let e = try await assertThrows(VneidKitError.self) {
            _ = try await wallet.upgradeToLevel2(key: try cardKey(ngoc), transport: try CountingCard(ngoc), selfie: selfie)
        }
        try assertEqual(ErrorCode.chipHolderMismatch, e.code, "another citizen's card")
    },

    test("the level-2 upgrade stream: progress, then the result; the electronic ID verifies at a counter") {
        let wallet = try await activatedWallet(try await DevBackend.chipCitizen(an))
        var progress = 0
        var result: Level2Result?
        let events = wallet.upgradeEvents(key: try cardKey(an), transport: try CountingCard(an), selfie: selfie)
        for try await event in events {
            switch event {
            case .progress: progress += 1
            case let .done(r): result = r
            }
        }
        guard let result else { throw fail("no .done") }
        try assertTrue(progress > 1, "progress events: \(progress)")
        try assertEqual(UInt8(2), result.level, "level")
        let qr = try await wallet.present(.electronicIdCheck)
        try assertEqual(VerdictClass.accept, try await counterVerdict(qr.payload), "counter verdict on the electronic ID")
    },
]
