// The electronic health book through the generated Kotlin bindings: sync (and a sync cut off
// mid-page, then resumed), paged filtered listing, search with and without diacritics, the
// citizen's notes, the self-declared profile, FHIR export, the BHYT card QR at reception, and
// a timed listing from a 10 000-record book.
package vn.vneid.foreigntest

import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.file.Files
import java.time.Duration
import java.util.Base64
import vn.vneid.core.ActivationInput
import vn.vneid.core.BloodType
import vn.vneid.core.ErrorCode
import vn.vneid.core.HealthDetail
import vn.vneid.core.HealthProfileInput
import vn.vneid.core.HealthQuery
import vn.vneid.core.HealthRecordKind
import vn.vneid.core.Platform
import vn.vneid.core.PresentationPreset
import vn.vneid.core.VerdictClass
import vn.vneid.core.Verifier
import vn.vneid.core.VerifierConfig
import vn.vneid.core.VneidException
import vn.vneid.core.WalletConfig
import vn.vneid.core.WalletCore
import vn.vneid.core.presentationStatusListId

private const val HEALTH_ANCHOR_HEX = "03889d55e3ab10002b71ce2c4b5e20c2387d329d405dc0d33952ca6e676eb52b2d"

private val healthHttp = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()

private fun healthHex(s: String): ByteArray = ByteArray(s.length / 2) { s.substring(2 * it, 2 * it + 2).toInt(16).toByte() }

/** POSTs a dev-only health call (JSON body) and returns the answer body. */
private fun healthDev(path: String, body: String): String {
    val req = HttpRequest.newBuilder(URI.create("${TestEnv.backendUrl}$path"))
        .header("x-dev-token", TestEnv.devToken).header("content-type", "application/json")
        .timeout(Duration.ofSeconds(120)).POST(HttpRequest.BodyPublishers.ofString(body)).build()
    val resp = healthHttp.send(req, HttpResponse.BodyHandlers.ofString())
    assertEquals(200, resp.statusCode(), "POST $path status (${resp.body()})")
    return resp.body()
}

private fun setBook(idNumber: String, records: Int) =
    healthDev("/v1/dev/health/book", "{\"id_number\":\"$idNumber\",\"records\":$records}")

private fun healthSignedList(path: String): ByteArray {
    val req = HttpRequest.newBuilder(URI.create("${TestEnv.backendUrl}$path")).timeout(Duration.ofSeconds(10)).GET().build()
    val resp = healthHttp.send(req, HttpResponse.BodyHandlers.ofString())
    assertEquals(200, resp.statusCode(), "GET $path status")
    val b64 = Regex("\"signed\"\\s*:\\s*\"([^\"]*)\"").find(resp.body())?.groupValues?.get(1) ?: fail("no signed list in $path")
    return Base64.getUrlDecoder().decode(b64)
}

/** Wallet directories of this suite, deleted when each test ends (a 10 000-record book is ~25 MB). */
private val healthDirs = mutableListOf<java.io.File>()

/** A test whose wallet directories are deleted when it ends, passed or not. */
private fun healthTest(name: String, timeoutMs: Long = 120_000, body: suspend () -> Unit) =
    test(name, timeoutMs) {
        try {
            body()
        } finally {
            healthDirs.forEach { it.deleteRecursively() }
            healthDirs.clear()
        }
    }

private suspend fun healthWallet(): Pair<WalletCore, Citizen> {
    val c = DevBackend.freshCitizen()
    val dir = Files.createTempDirectory("vneid-kotlin-health-").toFile()
    healthDirs += dir
    val core = WalletCore(
        WalletConfig(
            dataDir = dir.toString(),
            backendUrl = TestEnv.backendUrl,
            deviceName = "Kotlin test phone",
            platform = Platform.ANDROID,
            kdfIterations = 1_000u,
            httpTimeoutSeconds = 60u,
        ),
        JvmSecureArea(),
    )
    core.startActivation(ActivationInput(c.idNumber, c.phone, c.dateOfBirth, null))
    core.verifyOtp(DevBackend.latestOtp(c.phone))
    core.setPasscode("860247")
    return core to c
}

private fun query(
    kinds: List<HealthRecordKind> = emptyList(),
    text: String? = null,
    from: String? = null,
    to: String? = null,
    facility: String? = null,
    pageSize: UInt = 0u,
    token: String? = null,
) = HealthQuery(kinds, from, to, facility, text, pageSize, token)

val healthTests = listOf(
    healthTest("health book: sync, filtered pages, search without diacritics, notes, profile, FHIR, BHYT QR accepted at reception") {
        val (core, c) = healthWallet()
        setBook(c.idNumber, 400)
        val report = core.healthSync()
        assertEquals(400uL, report.records, "records after sync")
        assertEquals(4u, report.cardCopiesFetched, "BHYT copies fetched")
        assertEquals(null, report.cardError, "card error")

        val with = core.healthQuery(query(text = "tiêm chủng"))
        val without = core.healthQuery(query(text = "tiem chung"))
        val vaccinations = core.healthQuery(query(kinds = listOf(HealthRecordKind.VACCINATION)))
        assertTrue(with.total > 0uL) { "no vaccination found" }
        assertEquals(with.total, without.total, "with vs without diacritics")
        assertEquals(vaccinations.total, without.total, "search vs kind filter")
        assertEquals(with.entries.map { it.recordId }, without.entries.map { it.recordId }, "same entries")

        // Paging a filter: no repeats, newest first, all inside the filter.
        val facility = core.healthFacilities().first()
        var token: String? = null
        val seen = mutableListOf<String>()
        var total = 0uL
        do {
            val page = core.healthQuery(query(facility = facility.code, from = "2014-01-01", to = "2024-12-31", pageSize = 9u, token = token))
            total = page.total
            assertTrue(page.entries.all { it.facility.code == facility.code && it.date >= "2014-01-01" && it.date <= "2024-12-31" }) { "filter" }
            assertTrue(page.entries.zipWithNext().all { (a, b) -> a.date >= b.date }) { "order" }
            seen += page.entries.map { it.recordId }
            token = page.nextPage
        } while (token != null)
        assertEquals(total.toInt(), seen.size, "entries over all pages")
        assertEquals(seen.size, seen.toSet().size, "no repeats")

        val bad = assertThrows<VneidException.Input> { core.healthQuery(query(from = "31/12/2024")) }
        assertEquals(ErrorCode.HEALTH_INPUT_INVALID, bad.code, "bad date")

        val encounter = core.healthQuery(query(kinds = listOf(HealthRecordKind.ENCOUNTER), pageSize = 1u)).entries.single()
        val detail = encounter.detail
        assertTrue(detail is HealthDetail.Encounter && detail.diagnoses.isNotEmpty()) { "typed encounter $detail" }
        core.healthSetNote(encounter.recordId, "Nhớ mang sổ khám lần sau")
        assertEquals("Nhớ mang sổ khám lần sau", core.healthRecord(encounter.recordId).note, "note")
        assertEquals(1uL, core.healthQuery(query(text = "nho mang so kham")).total, "note found without diacritics")
        val missing = assertThrows<VneidException.Input> { core.healthRecord("hr-nope") }
        assertEquals(ErrorCode.HEALTH_RECORD_NOT_FOUND, missing.code, "missing record")

        val profile = core.healthSetProfile(HealthProfileInput(BloodType.O_POSITIVE, listOf("Penicillin"), listOf("Tăng huyết áp"), emptyList()))
        assertTrue(profile.selfDeclared) { "self-declared" }
        assertEquals(profile, core.healthProfile(), "profile read back")

        val fhir = core.healthExportFhir(listOf(encounter.recordId))
        assertTrue(fhir.contains("\"resourceType\":\"Bundle\"") && fhir.contains("\"resourceType\":\"Encounter\"")) { "bundle" }
        assertTrue(fhir.contains("http://hl7.org/fhir/sid/icd-10")) { "ICD-10 coding" }

        // The card at reception: the counter verifies it against the backend's lists.
        val card = core.healthSummary().bhytCard?.detail as? HealthDetail.BhytCard ?: fail("no BHYT card")
        val qr = core.present(PresentationPreset.HEALTH_INSURANCE)
        val verifier = Verifier(healthSignedList("/v1/trust-list"), healthHex(HEALTH_ANCHOR_HEX), VerifierConfig())
        val listId = presentationStatusListId(qr.payload) ?: fail("no status list id")
        verifier.updateStatusList(healthSignedList("/v1/status-lists/$listId"))
        val v = verifier.verify(qr.payload, null)
        assertEquals(VerdictClass.ACCEPT, v.verdict, "verdict (${v.reason} ${v.detail})")
        val claims = v.claims.associate { it.claim.name to it.value }
        assertEquals(card.cardNumber, claims["bhyt_number"], "BHYT number")
        assertEquals(c.idNumber, claims["id_number"], "ID number")
    },

    healthTest("health certificate: a sick-leave certificate chosen in the book is shown as a QR the counter accepts; a tampered one is rejected") {
        val (core, c) = healthWallet()
        setBook(c.idNumber, 300)
        core.healthSync()
        val leave = core.healthQuery(query(kinds = listOf(HealthRecordKind.SICK_LEAVE), pageSize = 1u)).entries.single()
        val detail = leave.detail as? HealthDetail.SickLeave ?: fail("not a sick-leave record: ${leave.detail}")
        val qr = core.healthPresentCertificate(leave.recordId)
        println("    [size] Kotlin sick-leave certificate QR: ${qr.payload.length} characters, QR version ${qr.qrVersion}")
        assertTrue(qr.qrVersion.toInt() <= 20) { "QR version ${qr.qrVersion}" }
        assertEquals(3, core.healthCertificateCopies(leave.recordId).unused.toInt(), "unused copies after one QR")
        val verifier = Verifier(healthSignedList("/v1/trust-list"), healthHex(HEALTH_ANCHOR_HEX), VerifierConfig())
        val listId = presentationStatusListId(qr.payload) ?: fail("no status list id")
        verifier.updateStatusList(healthSignedList("/v1/status-lists/$listId"))
        val v = verifier.verify(qr.payload, null)
        assertEquals(VerdictClass.ACCEPT, v.verdict, "verdict (${v.reason} ${v.detail})")
        val claims = v.claims.associate { it.claim.name to it.value }
        assertEquals(detail.certificateNumber, claims["cert_number"], "certificate number")
        assertEquals("Giấy chứng nhận nghỉ việc hưởng BHXH", claims["cert_title"], "title")
        assertEquals(c.idNumber, claims["id_number"], "ID number")

        // One character changed in the middle of the QR text: never accepted.
        val i = qr.payload.length / 2
        val swapped = if (qr.payload[i] == 'A') 'B' else 'A'
        val tampered = qr.payload.substring(0, i) + swapped + qr.payload.substring(i + 1)
        assertEquals(VerdictClass.REJECT, verifier.verify(tampered, null).verdict, "tampered verdict")

        val encounter = core.healthQuery(query(kinds = listOf(HealthRecordKind.ENCOUNTER), pageSize = 1u)).entries.single()
        val notCert = assertThrows<VneidException.Input> { core.healthPresentCertificate(encounter.recordId) }
        assertEquals(ErrorCode.HEALTH_INPUT_INVALID, notCert.code, "not a certificate")
    },

    healthTest("health sync cut off mid-page resumes where it stopped, without loss or duplicates") {
        val (core, c) = healthWallet()
        setBook(c.idNumber, 130)
        healthDev("/v1/dev/health/fault", "{\"id_number\":\"${c.idNumber}\",\"pages_before_failure\":2}")
        val cut = assertThrows<VneidException.Network> { core.healthSyncWithPageSize(20u) }
        assertEquals(ErrorCode.NETWORK_UNAVAILABLE, cut.code, "cut-off code")
        assertEquals(40uL, core.healthSummary().records, "two pages kept")
        val resumed = core.healthSyncWithPageSize(20u)
        assertEquals(5u, resumed.pages, "pages after resuming")
        assertEquals(0u, resumed.unchanged, "nothing twice")
        assertEquals(130uL, resumed.records, "records")
    },

    healthTest("timed: listing and filtering a page of a 10 000-record book through the FFI", timeoutMs = 600_000) {
        val (core, c) = healthWallet()
        setBook(c.idNumber, 10_000)
        val t0 = System.nanoTime()
        val report = core.healthSyncWithPageSize(500u)
        val syncMs = (System.nanoTime() - t0) / 1e6
        assertEquals(10_000uL, report.records, "records")
        println("    [bench] Kotlin FFI health_sync of 10 000 records (debug lib): %.0f ms, %d pages".format(syncMs, report.pages.toInt()))
        val cases = listOf(
            "kind+date page of 50" to query(kinds = listOf(HealthRecordKind.ENCOUNTER), from = "2016-01-01", to = "2023-12-31", pageSize = 50u),
            "text 'viem hong' page of 50" to query(text = "viem hong", pageSize = 50u),
            "all, page of 50" to query(pageSize = 50u),
        )
        for ((name, q) in cases) {
            repeat(5) { core.healthQuery(q) }
            val times = (1..50).map {
                val s = System.nanoTime()
                val page = core.healthQuery(q)
                assertTrue(page.entries.isNotEmpty()) { "empty page for $name" }
                (System.nanoTime() - s) / 1e6
            }.sorted()
            println("    [bench] Kotlin FFI health_query $name: median %.2f ms, p90 %.2f ms".format(times[times.size / 2], times[times.size * 9 / 10]))
        }
    },
)
