// Judicial-record certificate requests through the generated Swift bindings: a draft
// prefilled from the verified identity, field-named validation, the fee, submission, a
// payment gateway and a status listener written in Swift, the office workflow driven
// through the backend's dev endpoints, and the certificate verified by a counter.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import VneidCore

private let judicialAnchorHex = "03889d55e3ab10002b71ce2c4b5e20c2387d329d405dc0d33952ca6e676eb52b2d"
/// `vneid_credential::claims::types::JUDICIAL_RECORD`.
private let judicialRecordType: UInt16 = 6

private func judicialHex(_ s: String) -> Data {
    let chars = Array(s)
    return Data(stride(from: 0, to: chars.count, by: 2).map { UInt8(String(chars[$0...$0 + 1]), radix: 16)! })
}

private func judicialSignedList(_ path: String) async throws -> Data {
    let (status, body) = try await HTTP.get(try TestEnv.backendURL + path)
    try assertEqual(200, status, "GET \(path) status")
    guard let obj = try JSONSerialization.jsonObject(with: body) as? [String: Any],
          var b64 = obj["signed"] as? String else { throw fail("no signed list in \(path)") }
    b64 = b64.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    b64 += String(repeating: "=", count: (4 - b64.count % 4) % 4)
    guard let data = Data(base64Encoded: b64) else { throw fail("signed list of \(path) is not base64url") }
    return data
}

/// The answer of a completion-handler request, handed across threads under a lock.
private final class ResponseBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: (Int, Data) = (-1, Data())
    func set(_ status: Int, _ body: Data) { lock.lock(); value = (status, body); lock.unlock() }
    func get() -> (Int, Data) { lock.lock(); defer { lock.unlock() }; return value }
}

/// A dev endpoint call, synchronous (the payment gateway is called on a core thread).
private func devPostSync(_ path: String, _ json: [String: Any]) throws -> [String: Any] {
    guard let url = URL(string: try TestEnv.backendURL + path) else { throw fail("bad URL") }
    var req = URLRequest(url: url, timeoutInterval: 10)
    req.httpMethod = "POST"
    req.httpBody = try JSONSerialization.data(withJSONObject: json)
    req.setValue("application/json", forHTTPHeaderField: "content-type")
    req.setValue(try TestEnv.devToken, forHTTPHeaderField: "x-dev-token")
    let done = DispatchSemaphore(value: 0)
    let box = ResponseBox()
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
private func office(_ requestId: String, _ action: String, _ extra: [String: String] = [:]) throws {
    var body: [String: Any] = ["request_id": requestId, "action": action]
    for (k, v) in extra { body[k] = v }
    _ = try devPostSync("/v1/dev/judicial/advance", body)
}

/// A payment gateway written in Swift: it charges through the backend's test gateway.
final class SwiftTestGateway: JudicialPaymentGateway, @unchecked Sendable {
    private let lock = NSLock()
    private var orders: [PaymentOrder] = []

    func pay(order: PaymentOrder) throws -> PaymentReceipt {
        lock.lock(); orders.append(order); lock.unlock()
        if order.amountVnd == 0 { throw PaymentGatewayError.Declined }
        do {
            let r = try devPostSync("/v1/dev/payment-gateway/charge",
                                    ["order_ref": order.orderRef, "amount_vnd": order.amountVnd])
            guard let tx = r["transaction_id"] as? String, let ref = r["order_ref"] as? String,
                  let amount = r["amount_vnd"] as? NSNumber, let sig = r["signature"] as? String else {
                throw PaymentGatewayError.Failed(reason: "malformed receipt")
            }
            return PaymentReceipt(transactionId: tx, orderRef: ref, amountVnd: amount.uint64Value, signature: sig)
        } catch let e as PaymentGatewayError {
            throw e
        } catch {
            throw PaymentGatewayError.Failed(reason: "\(error)")
        }
    }

    var charged: [PaymentOrder] { lock.lock(); defer { lock.unlock() }; return orders }
}

final class SwiftJudicialRecorder: JudicialStatusListener, @unchecked Sendable {
    private let lock = NSLock()
    private var changes: [StatusChange] = []
    func onStatusChanged(change: StatusChange) { lock.lock(); changes.append(change); lock.unlock() }
    var seen: [StatusChange] { lock.lock(); defer { lock.unlock() }; return changes }
}

private func judicialDir() throws -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("vneid-swift-judicial-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url.path
}

private func judicialWallet(_ dir: String, _ sa: SecureArea, url: String? = nil) throws -> WalletCore {
    try WalletCore(
        config: WalletConfig(dataDir: dir, backendUrl: try url ?? TestEnv.backendURL, deviceName: "Swift test phone",
                             platform: .ios, kdfIterations: 1_000, httpTimeoutSeconds: 5),
        secureArea: sa)
}

/// A citizen aged 18 to 59 (they pay the standard fee).
private func adultCitizen() async throws -> Citizen {
    while true {
        let c = try await DevBackend.freshCitizen()
        if let year = Int(c.dateOfBirth.prefix(4)), (1968...2006).contains(year) { return c }
    }
}

private func activatedJudicialWallet(_ dir: String, _ sa: SecureArea) async throws -> (WalletCore, Citizen) {
    let c = try await adultCitizen()
    let core = try judicialWallet(dir, sa)
    _ = try await core.startActivation(input: ActivationInput(
        idNumber: c.idNumber, phone: c.phone, dateOfBirth: c.dateOfBirth, email: nil))
    try await core.verifyOtp(otp: try await DevBackend.latestOtp(c.phone))
    _ = try await core.setPasscode(passcode: "860247")
    return (core, c)
}

/// The prefilled draft completed as a citizen would.
private func complete(_ draft: JudicialForm) -> JudicialForm {
    var form = draft
    let dob = form.personal.dateOfBirth.value
    let year = Int(dob.prefix(4))! + 14
    let month = dob.dropFirst(5).prefix(2)
    form.purpose = "Bổ sung hồ sơ xin việc"
    form.personal.ethnicity = PersonalField(value: "Kinh", source: .citizen)
    form.personal.idIssueDate = PersonalField(value: "2021-06-01", source: .citizen)
    form.residenceHistory = [ResidencePeriod(from: "\(year)-\(month)", to: nil,
                                             address: "1 Tràng Tiền, Hà Nội", occupation: "Nhân viên")]
    return form
}

private func judicialError(_ e: VneidError) throws -> (ErrorCode, String?) {
    guard case let .Judicial(code, _, _, field) = e else { throw fail("not a Judicial error: \(e)") }
    return (code, field)
}

let judicialTests: [TestCase] = [
    test("judicial request: draft, field errors, fee, submit, Swift gateway and listener, office workflow, verified certificate") {
        let (core, c) = try await activatedJudicialWallet(try judicialDir(), OpenSSLSecureArea())
        let draft = try core.newJudicialDraft(chip: nil)
        try assertEqual(c.idNumber, draft.form.personal.idNumber.value, "prefilled ID number")
        try assertEqual(FieldSource.populationDb, draft.form.personal.fullName.source, "name source")

        let errors = try core.validateJudicial(form: draft.form)
        try assertTrue(errors.contains { $0.path == "purpose" && $0.kind == .required }, "errors \(errors)")
        let invalid = try await assertThrows(VneidError.self) { _ = try await core.submitJudicial(localId: draft.localId) }
        let (invalidCode, invalidField) = try judicialError(invalid)
        try assertEqual(ErrorCode.judicialFieldRequired, invalidCode, "code of an incomplete draft")
        try assertTrue(invalidField != nil, "the error names its field")

        var locked = draft.form
        locked.personal.fullName = PersonalField(value: "Người Khác", source: .citizen)
        let lockedError = try await assertThrows(VneidError.self) {
            _ = try core.saveJudicialDraft(localId: draft.localId, form: locked)
        }
        let (lockedCode, lockedField) = try judicialError(lockedError)
        try assertEqual(ErrorCode.judicialFieldLocked, lockedCode, "locked detail")
        try assertEqual("personal.full_name", lockedField, "locked field path")

        var edited = complete(draft.form)
        edited.copies = 3
        let form = try core.saveJudicialDraft(localId: draft.localId, form: edited)
        try assertTrue(try core.validateJudicial(form: form).isEmpty, "complete form")
        try assertEqual(UInt64(205_000), try core.judicialFee(form: form).total, "fee with one extra copy")

        let listener = SwiftJudicialRecorder()
        core.setJudicialListener(listener: listener)
        let submitted = try await core.submitJudicial(localId: draft.localId)
        try assertEqual(LocalState.submitted, submitted.state, "submitted")
        guard let requestId = submitted.office?.requestId else { throw fail("no backend request") }

        let gateway = SwiftTestGateway()
        let paid = try await core.payJudicial(localId: draft.localId, gateway: gateway)
        try assertTrue(paid.office?.paid == true, "paid")
        try assertEqual([requestId], gateway.charged.map { $0.orderRef }, "order reference")

        try office(requestId, "accept")
        try office(requestId, "process")
        try office(requestId, "request_info", ["question": "Bổ sung nơi cư trú"])
        let asked = try await core.refreshJudicial().first { $0.localId == draft.localId }
        try assertEqual(JudicialStatus.additionalInfoNeeded, asked?.office?.status, "status after the question")
        try assertEqual("Bổ sung nơi cư trú", asked?.office?.question, "question")
        try assertEqual([.received, .accepted, .processing, .additionalInfoNeeded],
                        listener.seen.map { $0.status }, "listener")
        let answered = try await core.answerJudicial(localId: draft.localId, answer: "Năm 2015 tôi ở Huế")
        try assertEqual(JudicialStatus.processing, answered.office?.status, "after answering")
        try office(requestId, "ready")
        _ = try await core.refreshJudicial()

        let held = try await core.fetchJudicialCertificate(localId: draft.localId)
        try assertEqual(judicialRecordType, held.credentialType, "certificate credential type")
        try assertEqual(JudicialStatus.delivered, try core.judicialRequest(localId: draft.localId).office?.status, "delivered")

        let qr = try await core.presentJudicialCertificate()
        let verifier = try Verifier(trustList: try await judicialSignedList("/v1/trust-list"),
                                    anchorPublicKey: judicialHex(judicialAnchorHex), config: VerifierConfig())
        guard let listId = presentationStatusListId(payloadText: qr.payload) else { throw fail("no status list") }
        _ = try verifier.updateStatusList(statusList: try await judicialSignedList("/v1/status-lists/\(listId)"))
        let verdict = verifier.verify(payloadText: qr.payload, nowUnix: nil)
        try assertEqual(VerdictClass.accept, verdict.verdict, "counter verdict (\(verdict.reason) \(verdict.detail ?? ""))")
        var claims: [String: String] = [:]
        for claim in verdict.claims { claims[claim.claim.name] = claim.value }
        try assertEqual(c.idNumber, claims["id_number"], "certificate holder")
        try assertEqual("Phiếu lý lịch tư pháp số 1", claims["cert_title"], "certificate title")

        let history = try core.judicialHistory(localId: draft.localId)
        try assertTrue(history.contains { $0.kind == .paid }, "history \(history)")
        try assertTrue(history.contains { $0.kind == .office && $0.officeStatus == .ready }, "history \(history)")
        try assertTrue(history.contains { $0.kind == .certificateStored }, "history \(history)")
    },

    test("judicial request offline: it queues, survives a restart, and is sent once when the network returns") {
        let dir = try judicialDir()
        let sa = OpenSSLSecureArea()
        var localId: Int64 = 0
        do {
            let (online, _) = try await activatedJudicialWallet(dir, sa)
            let draft = try online.newJudicialDraft(chip: nil)
            _ = try online.saveJudicialDraft(localId: draft.localId, form: complete(draft.form))
            localId = draft.localId
        }
        do {
            // No network: a port nothing listens on.
            let offline = try judicialWallet(dir, sa, url: "http://127.0.0.1:9")
            _ = try await offline.unlock(passcode: "860247")
            let queued = try await offline.submitJudicial(localId: localId)
            try assertEqual(LocalState.queued, queued.state, "queued while offline")
            try assertEqual([localId], try await offline.flushJudicialOutbox().queued, "still queued")
        }
        let back = try judicialWallet(dir, sa)
        _ = try await back.unlock(passcode: "860247")
        try assertEqual(LocalState.queued, try back.judicialRequest(localId: localId).state, "queued after restart")
        try assertEqual([localId], try await back.flushJudicialOutbox().submitted, "sent")
        try assertTrue(try await back.flushJudicialOutbox().submitted.isEmpty, "nothing sent twice")
        let all = try await back.refreshJudicial()
        try assertEqual(1, all.count, "one request")
        try assertEqual(1, all.first?.office?.history.count, "received once")
    },
]
