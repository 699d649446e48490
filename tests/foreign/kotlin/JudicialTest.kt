// Judicial-record certificate requests through the generated Kotlin bindings: a draft
// prefilled from the verified identity, field-named validation, the fee, submission, a
// payment gateway and a status listener written in Kotlin, the office workflow driven
// through the backend's dev endpoints, and the certificate verified by a counter.
package vn.vneid.foreigntest

import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration
import java.util.Base64
import java.util.concurrent.CopyOnWriteArrayList
import vn.vneid.core.ActivationInput
import vn.vneid.core.ErrorCode
import vn.vneid.core.FieldErrorKind
import vn.vneid.core.FieldSource
import vn.vneid.core.JudicialForm
import vn.vneid.core.JudicialHistoryKind
import vn.vneid.core.JudicialPaymentGateway
import vn.vneid.core.JudicialStatus
import vn.vneid.core.JudicialStatusListener
import vn.vneid.core.LocalState
import vn.vneid.core.PaymentGatewayException
import vn.vneid.core.PaymentOrder
import vn.vneid.core.PaymentReceipt
import vn.vneid.core.PersonalField
import vn.vneid.core.Platform
import vn.vneid.core.ResidencePeriod
import vn.vneid.core.SecureArea
import vn.vneid.core.StatusChange
import vn.vneid.core.VerdictClass
import vn.vneid.core.Verifier
import vn.vneid.core.VerifierConfig
import vn.vneid.core.VneidException
import vn.vneid.core.WalletConfig
import vn.vneid.core.WalletCore
import vn.vneid.core.presentationStatusListId

private const val JUDICIAL_PASSCODE = "860247"
private const val JUDICIAL_ANCHOR_HEX = "03889d55e3ab10002b71ce2c4b5e20c2387d329d405dc0d33952ca6e676eb52b2d"
/** `vneid_credential::claims::types::JUDICIAL_RECORD`. */
private const val JUDICIAL_RECORD_TYPE: UShort = 6u

private val judicialHttp = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()

private fun judicialHex(s: String): ByteArray =
    ByteArray(s.length / 2) { s.substring(2 * it, 2 * it + 2).toInt(16).toByte() }

private fun devPost(path: String, json: String): String {
    val req = HttpRequest.newBuilder(URI.create("${TestEnv.backendUrl}$path"))
        .header("x-dev-token", TestEnv.devToken).header("content-type", "application/json")
        .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(json)).build()
    val resp = judicialHttp.send(req, HttpResponse.BodyHandlers.ofString())
    assertEquals(200, resp.statusCode(), "POST $path (${resp.body()})")
    return resp.body()
}

private fun jsonField(obj: String, name: String): String =
    Regex("\"$name\"\\s*:\\s*\"?([^\",}]*)\"?").find(obj)?.groupValues?.get(1) ?: fail("$name missing in $obj")

/** The office's staff, through the backend's dev endpoint. */
private fun office(requestId: String, action: String, extra: String = "") {
    devPost("/v1/dev/judicial/advance", "{\"request_id\":\"$requestId\",\"action\":\"$action\"$extra}")
}

/** A payment gateway written in Kotlin: it charges through the backend's test gateway. */
private class KotlinTestGateway : JudicialPaymentGateway {
    val orders = CopyOnWriteArrayList<PaymentOrder>()
    override fun pay(order: PaymentOrder): PaymentReceipt {
        orders.add(order)
        if (order.amountVnd == 0uL) throw PaymentGatewayException.Declined()
        val body = devPost(
            "/v1/dev/payment-gateway/charge",
            "{\"order_ref\":\"${order.orderRef}\",\"amount_vnd\":${order.amountVnd}}",
        )
        return PaymentReceipt(
            transactionId = jsonField(body, "transaction_id"),
            orderRef = jsonField(body, "order_ref"),
            amountVnd = jsonField(body, "amount_vnd").toULong(),
            signature = jsonField(body, "signature"),
        )
    }
}

private class JudicialRecorder : JudicialStatusListener {
    val seen = CopyOnWriteArrayList<StatusChange>()
    override fun onStatusChanged(change: StatusChange) {
        seen.add(change)
    }
}

private fun judicialWallet(dir: Path, sa: SecureArea, url: String = TestEnv.backendUrl) = WalletCore(
    WalletConfig(
        dataDir = dir.toString(),
        backendUrl = url,
        deviceName = "Kotlin test phone",
        platform = Platform.ANDROID,
        kdfIterations = 1_000u,
        httpTimeoutSeconds = 5u,
    ),
    sa,
)

/** A citizen aged 18 to 59 (they pay the standard fee). */
private fun adultCitizen(): Citizen {
    while (true) {
        val c = DevBackend.freshCitizen()
        val year = c.dateOfBirth.substring(0, 4).toInt()
        if (year in 1968..2006) return c
    }
}

private suspend fun activatedJudicialWallet(dir: Path, sa: SecureArea): Pair<WalletCore, Citizen> {
    val c = adultCitizen()
    val core = judicialWallet(dir, sa)
    core.startActivation(ActivationInput(c.idNumber, c.phone, c.dateOfBirth, null))
    core.verifyOtp(DevBackend.latestOtp(c.phone))
    core.setPasscode(JUDICIAL_PASSCODE)
    return core to c
}

/** The prefilled draft completed as a citizen would: purpose, ethnicity, issue date, history. */
private fun complete(form: JudicialForm): JudicialForm {
    val dob = form.personal.dateOfBirth.value
    val from = "%04d-%s".format(dob.substring(0, 4).toInt() + 14, dob.substring(5, 7))
    return form.copy(
        purpose = "Bổ sung hồ sơ xin việc",
        personal = form.personal.copy(
            ethnicity = PersonalField("Kinh", FieldSource.CITIZEN),
            idIssueDate = PersonalField("2021-06-01", FieldSource.CITIZEN),
        ),
        residenceHistory = listOf(ResidencePeriod(from, null, "1 Tràng Tiền, Hà Nội", "Nhân viên")),
    )
}

val judicialTests = listOf(
    test("judicial request: draft, field errors, fee, submit, Kotlin gateway and listener, office workflow, verified certificate") {
        val (core, c) = activatedJudicialWallet(Files.createTempDirectory("vneid-kotlin-judicial-"), JvmSecureArea())
        val draft = core.newJudicialDraft(null)
        assertEquals(c.idNumber, draft.form.personal.idNumber.value, "prefilled ID number")
        assertEquals(FieldSource.POPULATION_DB, draft.form.personal.fullName.source, "name source")

        val errors = core.validateJudicial(draft.form)
        assertTrue(errors.any { it.path == "purpose" && it.kind == FieldErrorKind.REQUIRED }) { "errors $errors" }
        val invalid = assertThrows<VneidException.Judicial> { core.submitJudicial(draft.localId) }
        assertEquals(ErrorCode.JUDICIAL_FIELD_REQUIRED, invalid.code, "code of an incomplete draft")
        assertTrue(invalid.field != null) { "the error names its field" }

        val locked = draft.form.copy(
            personal = draft.form.personal.copy(fullName = PersonalField("Người Khác", FieldSource.CITIZEN)),
        )
        val e = assertThrows<VneidException.Judicial> { core.saveJudicialDraft(draft.localId, locked) }
        assertEquals(ErrorCode.JUDICIAL_FIELD_LOCKED, e.code, "locked detail")
        assertEquals("personal.full_name", e.field, "locked field path")

        val form = core.saveJudicialDraft(draft.localId, complete(draft.form).copy(copies = 3u))
        assertTrue(core.validateJudicial(form).isEmpty()) { "complete form" }
        val fee = core.judicialFee(form)
        assertEquals(205_000uL, fee.total, "fee with one extra copy")
        assertTrue(core.judicialFeeSchedule().categories.any { it.id == "student" && it.fee == 100_000uL }) { "fee table" }

        val listener = JudicialRecorder()
        core.setJudicialListener(listener)
        val submitted = core.submitJudicial(draft.localId)
        assertEquals(LocalState.SUBMITTED, submitted.state, "submitted")
        val requestId = submitted.office?.requestId ?: fail("no backend request")
        assertEquals(205_000uL, submitted.office?.feeVnd, "backend fee")

        val gateway = KotlinTestGateway()
        val paid = core.payJudicial(draft.localId, gateway)
        assertTrue(paid.office?.paid == true) { "paid" }
        assertEquals(requestId, gateway.orders.single().orderRef, "order reference")

        office(requestId, "accept")
        office(requestId, "process")
        office(requestId, "request_info", ",\"question\":\"Bổ sung nơi cư trú\"")
        val asked = core.refreshJudicial().single { it.localId == draft.localId }
        assertEquals(JudicialStatus.ADDITIONAL_INFO_NEEDED, asked.office?.status, "status after the question")
        assertEquals("Bổ sung nơi cư trú", asked.office?.question, "question")
        assertEquals(
            listOf(JudicialStatus.RECEIVED, JudicialStatus.ACCEPTED, JudicialStatus.PROCESSING, JudicialStatus.ADDITIONAL_INFO_NEEDED),
            listener.seen.map { it.status }, "listener",
        )
        val answered = core.answerJudicial(draft.localId, "Năm 2015 tôi ở Huế")
        assertEquals(JudicialStatus.PROCESSING, answered.office?.status, "after answering")
        office(requestId, "ready")
        core.refreshJudicial()

        val held = core.fetchJudicialCertificate(draft.localId)
        assertEquals(JUDICIAL_RECORD_TYPE, held.credentialType, "certificate credential type")
        assertEquals(JudicialStatus.DELIVERED, core.judicialRequest(draft.localId).office?.status, "delivered")

        val qr = core.presentJudicialCertificate()
        val verifier = Verifier(judicialTrustList(), judicialHex(JUDICIAL_ANCHOR_HEX), VerifierConfig())
        val listId = presentationStatusListId(qr.payload) ?: fail("no status list")
        verifier.updateStatusList(judicialSignedList("/v1/status-lists/$listId"))
        val verdict = verifier.verify(qr.payload, null)
        assertEquals(VerdictClass.ACCEPT, verdict.verdict, "counter verdict (${verdict.reason} ${verdict.detail})")
        val claims = verdict.claims.associate { it.claim.name to it.value }
        assertEquals(c.idNumber, claims["id_number"], "certificate holder")
        assertEquals("Phiếu lý lịch tư pháp số 1", claims["cert_title"], "certificate title")

        val history = core.judicialHistory(draft.localId)
        assertTrue(history.any { it.kind == JudicialHistoryKind.PAID }) { "history $history" }
        assertTrue(history.any { it.kind == JudicialHistoryKind.OFFICE && it.officeStatus == JudicialStatus.READY }) { "history $history" }
        assertTrue(history.any { it.kind == JudicialHistoryKind.CERTIFICATE_STORED }) { "history $history" }
        core.close()
    },

    test("judicial request offline: it queues, survives a restart, and is sent once when the network returns") {
        val dir = Files.createTempDirectory("vneid-kotlin-judicial-offline-")
        val sa = JvmSecureArea()
        val (online, _) = activatedJudicialWallet(dir, sa)
        val draft = online.newJudicialDraft(null)
        online.saveJudicialDraft(draft.localId, complete(draft.form))
        online.close()

        // No network: a port nothing listens on.
        val offline = judicialWallet(dir, sa, "http://127.0.0.1:9")
        offline.unlock(JUDICIAL_PASSCODE)
        val queued = offline.submitJudicial(draft.localId)
        assertEquals(LocalState.QUEUED, queued.state, "queued while offline")
        assertEquals(listOf(draft.localId), offline.flushJudicialOutbox().queued, "still queued")
        offline.close()

        val back = judicialWallet(dir, sa)
        back.unlock(JUDICIAL_PASSCODE)
        assertEquals(LocalState.QUEUED, back.judicialRequest(draft.localId).state, "queued after restart")
        assertEquals(listOf(draft.localId), back.flushJudicialOutbox().submitted, "sent")
        assertTrue(back.flushJudicialOutbox().submitted.isEmpty()) { "nothing sent twice" }
        val all = back.refreshJudicial()
        assertEquals(1, all.size, "one request")
        assertEquals(1, all[0].office?.history?.size, "received once")
        back.close()
    },
)

/** A signed list from the backend (the `signed` field, base64url-decoded). */
private fun judicialSignedList(path: String): ByteArray {
    val req = HttpRequest.newBuilder(URI.create("${TestEnv.backendUrl}$path"))
        .timeout(Duration.ofSeconds(10)).GET().build()
    val resp = judicialHttp.send(req, HttpResponse.BodyHandlers.ofString())
    assertEquals(200, resp.statusCode(), "GET $path status")
    val b64 = Regex("\"signed\"\\s*:\\s*\"([^\"]*)\"").find(resp.body())?.groupValues?.get(1)
        ?: fail("no signed list in $path")
    return Base64.getUrlDecoder().decode(b64)
}

private fun judicialTrustList() = judicialSignedList("/v1/trust-list")
