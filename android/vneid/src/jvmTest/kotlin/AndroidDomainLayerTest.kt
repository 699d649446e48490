// The Android library's wrappers of the health book, judicial requests, the level-2 upgrade and
// the counter verifier on the JVM, against the reference backend and the virtual chip cards.
package vn.vneid.foreigntest

import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.file.Files
import java.time.Duration
import java.util.Base64
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.atomic.AtomicInteger
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.launch
import kotlinx.coroutines.withTimeout
import vn.vneid.android.Level2Event
import vn.vneid.android.VneidException
import vn.vneid.android.VneidVerifier
import vn.vneid.android.VneidWallet
import vn.vneid.android.healthExportFhir
import vn.vneid.android.healthFacilities
import vn.vneid.android.healthProfile
import vn.vneid.android.healthQuery
import vn.vneid.android.healthRecord
import vn.vneid.android.healthSetNote
import vn.vneid.android.healthSetProfile
import vn.vneid.android.healthSummary
import vn.vneid.android.healthSync
import vn.vneid.android.fetchJudicialCertificate
import vn.vneid.android.flushJudicialOutbox
import vn.vneid.android.judicialFee
import vn.vneid.android.judicialRequests
import vn.vneid.android.judicialStatusChanges
import vn.vneid.android.newJudicialDraft
import vn.vneid.android.payJudicial
import vn.vneid.android.presentJudicialCertificate
import vn.vneid.android.refreshJudicial
import vn.vneid.android.saveJudicialDraft
import vn.vneid.android.submitJudicial
import vn.vneid.android.upgradeToLevel2
import vn.vneid.android.upgradeToLevel2WithProgress
import vn.vneid.android.validateJudicial
import vn.vneid.core.ActivationInput
import vn.vneid.core.BloodType
import vn.vneid.core.CardAccessKey
import vn.vneid.core.ErrorCode
import vn.vneid.core.FieldSource
import vn.vneid.core.HealthProfileInput
import vn.vneid.core.HealthQuery
import vn.vneid.core.JudicialForm
import vn.vneid.core.JudicialPaymentGateway
import vn.vneid.core.JudicialStatus
import vn.vneid.core.LocalState
import vn.vneid.core.NfcTransport
import vn.vneid.core.PaymentOrder
import vn.vneid.core.PaymentReceipt
import vn.vneid.core.PersonalField
import vn.vneid.core.Platform
import vn.vneid.core.PresentationPreset
import vn.vneid.core.ResidencePeriod
import vn.vneid.core.StatusChange
import vn.vneid.core.TestCard
import vn.vneid.core.TestCardFault
import vn.vneid.core.VerdictClass
import vn.vneid.core.WalletConfig
import vn.vneid.core.newSoftwareSecureArea
import vn.vneid.core.presentationStatusListId
import vn.vneid.core.virtualCitizens

private val domainHttp = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()

private fun domainDev(path: String, json: String): String {
    val req = HttpRequest.newBuilder(URI.create("${TestEnv.backendUrl}$path"))
        .header("x-dev-token", TestEnv.devToken).header("content-type", "application/json")
        .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(json)).build()
    val resp = domainHttp.send(req, HttpResponse.BodyHandlers.ofString())
    assertEquals(200, resp.statusCode(), "POST $path (${resp.body()})")
    return resp.body()
}

private fun domainField(obj: String, name: String): String =
    Regex("\"$name\"\\s*:\\s*\"?([^\",}]*)\"?").find(obj)?.groupValues?.get(1) ?: fail("$name missing in $obj")

private fun trustList(): ByteArray {
    val req = HttpRequest.newBuilder(URI.create("${TestEnv.backendUrl}/v1/trust-list")).timeout(Duration.ofSeconds(10)).GET().build()
    val body = domainHttp.send(req, HttpResponse.BodyHandlers.ofString()).body()
    val b64 = Regex("\"signed\"\\s*:\\s*\"([^\"]*)\"").find(body)?.groupValues?.get(1) ?: fail("no signed trust list")
    return Base64.getUrlDecoder().decode(b64)
}

private val ANCHOR = "03889d55e3ab10002b71ce2c4b5e20c2387d329d405dc0d33952ca6e676eb52b2d"
    .chunked(2).map { it.toInt(16).toByte() }.toByteArray()

/** A counter's verifier through the layer: lists from the backend, then the verdict on [payload]. */
private suspend fun counterVerdict(payload: String): VerdictClass =
    VneidVerifier.open(trustList(), ANCHOR).use { v ->
        val listId = presentationStatusListId(payload) ?: fail("the QR names no status list")
        v.refreshFromBackend(TestEnv.backendUrl, listOf(listId))
        v.verify(payload).verdict
    }

private suspend fun activated(c: Citizen): VneidWallet {
    val wallet = VneidWallet.open(
        WalletConfig(
            dataDir = Files.createTempDirectory("vneid-android-domain-").toString(),
            backendUrl = TestEnv.backendUrl,
            deviceName = "Android layer test",
            platform = Platform.ANDROID,
            kdfIterations = 1_000u,
            httpTimeoutSeconds = 20u,
        ),
        newSoftwareSecureArea(null),
    )
    wallet.startActivation(ActivationInput(c.idNumber, c.phone, c.dateOfBirth, null))
    wallet.verifyOtp(DevBackend.latestOtp(c.phone))
    wallet.setPasscode("860247")
    return wallet
}

/** A citizen aged 18 to 59 (the standard judicial fee). */
private fun adult(): Citizen {
    while (true) {
        val c = DevBackend.freshCitizen()
        if (c.dateOfBirth.substring(0, 4).toInt() in 1968..2006) return c
    }
}

private fun completed(form: JudicialForm): JudicialForm {
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

/** Charges through the backend's test gateway, as a bank SDK would. */
private class DevGateway : JudicialPaymentGateway {
    val orders = CopyOnWriteArrayList<PaymentOrder>()
    override fun pay(order: PaymentOrder): PaymentReceipt {
        orders.add(order)
        val body = domainDev("/v1/dev/payment-gateway/charge", "{\"order_ref\":\"${order.orderRef}\",\"amount_vnd\":${order.amountVnd}}")
        return PaymentReceipt(
            domainField(body, "transaction_id"), domainField(body, "order_ref"),
            domainField(body, "amount_vnd").toULong(), domainField(body, "signature"),
        )
    }
}

/** Nguyễn Văn An: seeded in the backend and holder of a virtual chip card. */
private const val AN = "001090123456"
/** Trần Thị Bích Ngọc: a virtual card whose holder has no account here. */
private const val NGOC = "079195004321"
private val SELFIE = byteArrayOf(0xFF.toByte(), 0xD8.toByte(), 0xFF.toByte(), 0xE0.toByte()) + "selfie".toByteArray()

private fun cardKey(id: String): CardAccessKey {
    val c = virtualCitizens().first { it.idNumber == id }
    return CardAccessKey(c.idNumber, c.dateOfBirth, c.dateOfExpiry, null)
}

/** An IsoDep-like transport in front of a virtual card: counts APDUs, optionally slow. */
private class CountingCard(id: String, private val delayMs: Long = 0) : NfcTransport {
    private val card = TestCard(id, TestCardFault.None)
    val apdus = AtomicInteger()
    val started = CompletableDeferred<Unit>()
    /** An APDU is being exchanged right now. */
    val busy = java.util.concurrent.atomic.AtomicBoolean()
    override fun transceive(apdu: ByteArray): ByteArray {
        busy.set(true)
        try {
            if (apdus.incrementAndGet() == 10) started.complete(Unit)
            if (delayMs > 0) Thread.sleep(delayMs)
            return card.transceive(apdu)
        } finally {
            busy.set(false)
        }
    }
    override fun maxTransceiveLength(): UInt = 261u // short APDUs: a long read to cancel
}

/** APDUs of the completed upgrade, for the cancelled one to compare with. */
private var fullUpgradeApdus = 0

// Level 2 last: the cancelled and refused upgrades need An's account at level 1.
val androidDomainTests = listOf(
    test("health book through the suspend API: sync, a filtered page, note, profile, FHIR, typed not-found") {
        val c = DevBackend.freshCitizen()
        activated(c).use { wallet ->
            domainDev("/v1/dev/health/book", "{\"id_number\":\"${c.idNumber}\",\"records\":40}")
            val report = wallet.healthSync(pageSize = 15u)
            assertEquals(40uL, report.records, "records after sync")
            assertTrue(report.pages >= 3u) { "pages ${report.pages} with 15 per page" }
            val page = wallet.healthQuery(HealthQuery(emptyList(), null, null, null, null, 10u, null))
            assertEquals(10, page.entries.size, "page size")
            assertEquals(40uL, page.total, "total")
            assertTrue(page.nextPage != null) { "a next page" }
            val first = page.entries.first()
            wallet.healthSetNote(first.recordId, "Tái khám sau 2 tuần")
            assertEquals("Tái khám sau 2 tuần", wallet.healthRecord(first.recordId).note, "note")
            assertEquals(40uL, wallet.healthSummary().records, "summary")
            assertTrue(wallet.healthFacilities().isNotEmpty()) { "facilities" }
            assertEquals(null, wallet.healthProfile(), "no profile yet")
            val p = wallet.healthSetProfile(HealthProfileInput(BloodType.O_POSITIVE, listOf("Penicillin"), emptyList(), emptyList()))
            assertEquals(BloodType.O_POSITIVE, wallet.healthProfile()?.bloodType, "blood type")
            assertEquals(listOf("Penicillin"), p.allergies, "allergies")
            val fhir = wallet.healthExportFhir(listOf(first.recordId))
            assertTrue(fhir.contains("\"resourceType\"") && fhir.contains("Bundle")) { "FHIR bundle" }
            val e = assertThrows<VneidException.InvalidInput> { wallet.healthRecord("no-such-record") }
            assertEquals(ErrorCode.HEALTH_RECORD_NOT_FOUND, e.code, "code")
        }
    },

    test("judicial request through the suspend API: field error, fee, submit, gateway, status Flow, certificate verified") {
        val c = adult()
        activated(c).use { wallet -> coroutineScope {
            val draft = wallet.newJudicialDraft()
            assertTrue(wallet.validateJudicial(draft.form).any { it.path == "purpose" }) { "purpose required" }
            val invalid = assertThrows<VneidException.Judicial> { wallet.submitJudicial(draft.localId) }
            assertTrue(invalid.field != null) { "the error names its field" }
            val form = wallet.saveJudicialDraft(draft.localId, completed(draft.form))
            assertTrue(wallet.validateJudicial(form).isEmpty()) { "complete form" }
            assertEquals(200_000uL, wallet.judicialFee(form).total, "standard fee")

            val seen = CopyOnWriteArrayList<StatusChange>()
            val collector = launch(Dispatchers.Default) { wallet.judicialStatusChanges().collect { seen.add(it) } }
            delay(300) // the collector installs the core's listener
            val submitted = wallet.submitJudicial(draft.localId)
            assertEquals(LocalState.SUBMITTED, submitted.state, "submitted")
            assertTrue(wallet.flushJudicialOutbox().queued.isEmpty()) { "nothing left queued" }
            val requestId = submitted.office?.requestId ?: fail("no backend request")
            val gateway = DevGateway()
            assertTrue(wallet.payJudicial(draft.localId, gateway).office?.paid == true) { "paid" }
            assertEquals(requestId, gateway.orders.single().orderRef, "order reference")
            for (action in listOf("accept", "process", "ready")) {
                domainDev("/v1/dev/judicial/advance", "{\"request_id\":\"$requestId\",\"action\":\"$action\"}")
            }
            wallet.refreshJudicial()
            withTimeout(5_000) { while (seen.none { it.status == JudicialStatus.READY }) delay(20) }
            assertTrue(seen.map { it.status }.containsAll(listOf(JudicialStatus.ACCEPTED, JudicialStatus.PROCESSING))) {
                "status Flow: $seen"
            }
            collector.cancelAndJoin()
            assertEquals(draft.localId, wallet.judicialRequests().single().localId, "requests")
            wallet.fetchJudicialCertificate(draft.localId)
            val qr = wallet.presentJudicialCertificate()
            assertEquals(VerdictClass.ACCEPT, counterVerdict(qr.payload), "counter verdict on the certificate")
        } }
    },

    test("a cancelled level-2 upgrade stops the chip read before the call returns; the level stays 1") {
        activated(DevBackend.chipCitizen(AN)).use { wallet -> coroutineScope {
            val card = CountingCard(AN, delayMs = 20)
            val job = launch(Dispatchers.Default) { wallet.upgradeToLevel2(cardKey(AN), card, SELFIE) }
            withTimeout(20_000) { card.started.await() }
            job.cancelAndJoin()
            assertTrue(!card.busy.get()) { "an APDU was still in flight when the cancelled call returned" }
            val atReturn = card.apdus.get()
            delay(300)
            assertEquals(atReturn, card.apdus.get(), "APDUs after the cancelled call returned")
            assertTrue(job.isCancelled) { "the coroutine ended as cancelled" }
            assertEquals(1.toUByte(), wallet.accountInfo().level, "level after the cancelled upgrade")
            // The wallet works on: a refused card is typed.
            val e = assertThrows<VneidException.Chip> { wallet.upgradeToLevel2(cardKey(NGOC), CountingCard(NGOC), SELFIE) }
            assertEquals(ErrorCode.CHIP_HOLDER_MISMATCH, e.code, "another citizen's card")
            fullUpgradeApdus = -atReturn // checked against the full upgrade below
        } }
    },

    test("the level-2 upgrade Flow: progress, then the result; the electronic ID verifies at a counter") {
        activated(DevBackend.chipCitizen(AN)).use { wallet ->
            val card = CountingCard(AN)
            val events = wallet.upgradeToLevel2WithProgress(cardKey(AN), card, SELFIE).toList()
            val done = events.last() as? Level2Event.Done ?: fail("last event ${events.last()}")
            assertEquals(1, events.count { it is Level2Event.Done }, "one Done")
            assertTrue(events.size > 2) { "progress events: ${events.size - 1}" }
            assertEquals(2.toUByte(), done.result.level, "level")
            assertEquals(2.toUByte(), wallet.accountInfo().level, "level from the backend")
            if (fullUpgradeApdus < 0) {
                assertTrue(-fullUpgradeApdus * 2 < card.apdus.get()) {
                    "the cancelled upgrade sent ${-fullUpgradeApdus} APDUs of ${card.apdus.get()}"
                }
            }
            val qr = wallet.present(PresentationPreset.ELECTRONIC_ID_CHECK)
            assertEquals(VerdictClass.ACCEPT, counterVerdict(qr.payload), "counter verdict on the electronic ID")
        }
    },
)
