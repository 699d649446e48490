// Holder presentation and the counter verifier through the generated Kotlin bindings: the
// wallet signs with the Kotlin secure area, a Verifier built from the backend's signed trust
// list and status list checks the QR text.
package vn.vneid.foreigntest

import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.file.Files
import java.time.Duration
import java.util.Base64
import vn.vneid.core.ActivationInput
import vn.vneid.core.ErrorCode
import vn.vneid.core.Platform
import vn.vneid.core.PresentationPreset
import vn.vneid.core.RequestSigner
import vn.vneid.core.VerdictClass
import vn.vneid.core.VerificationReason
import vn.vneid.core.VerificationWarning
import vn.vneid.core.Verifier
import vn.vneid.core.VerifierConfig
import vn.vneid.core.VerifierRequest
import vn.vneid.core.VneidException
import vn.vneid.core.WalletConfig
import vn.vneid.core.WalletCore
import vn.vneid.core.presentationStatusListId

/** The reference backend's trust-list anchor (SEC1 compressed), pinned as a counter app does. */
private const val ANCHOR_HEX = "03889d55e3ab10002b71ce2c4b5e20c2387d329d405dc0d33952ca6e676eb52b2d"
/** SHA-256("vneid-backend/test-verifier/v1"): the scalar of the backend's registered test verifier. */
private const val TEST_VERIFIER_SCALAR_HEX = "d1eedbe5ab4c67d3cc9f242ab4e8e7d849bdb8e2a95d5061d928d1a9a2bfc19c"
private const val TEST_VERIFIER_NAME = "Khách sạn Sen Vàng (test verifier)"
private const val BASE45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

private fun hex(s: String): ByteArray = ByteArray(s.length / 2) { s.substring(2 * it, 2 * it + 2).toInt(16).toByte() }

private val http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()

/** A signed list from the backend: the `signed` field of the JSON answer, base64url-decoded. */
private fun signedList(path: String): ByteArray {
    val req = HttpRequest.newBuilder(URI.create("${TestEnv.backendUrl}$path"))
        .timeout(Duration.ofSeconds(10)).GET().build()
    val resp = http.send(req, HttpResponse.BodyHandlers.ofString())
    assertEquals(200, resp.statusCode(), "GET $path status")
    val b64 = Regex("\"signed\"\\s*:\\s*\"([^\"]*)\"").find(resp.body())?.groupValues?.get(1)
        ?: fail("no signed list in $path")
    return Base64.getUrlDecoder().decode(b64)
}

private fun trustList() = signedList("/v1/trust-list")

private fun statusList(payload: String): ByteArray {
    val id = presentationStatusListId(payload) ?: fail("QR names no status list")
    return signedList("/v1/status-lists/$id")
}

/** Lowers the low digit of one Base45 triple: still valid Base45, one byte of the payload changed. */
private fun tamper(payload: String): String {
    val chars = payload.toCharArray()
    val i = 4 + 3 * ((chars.size - 4) / 6)
    val pos = BASE45.indexOf(chars[i])
    chars[i] = BASE45[if (pos == 0) 1 else pos - 1]
    return String(chars)
}

private fun counter(): Verifier = Verifier(trustList(), hex(ANCHOR_HEX), VerifierConfig())

private suspend fun activatedWallet(): Pair<WalletCore, Citizen> {
    val c = DevBackend.freshCitizen()
    val core = WalletCore(
        WalletConfig(
            dataDir = Files.createTempDirectory("vneid-kotlin-present-").toString(),
            backendUrl = TestEnv.backendUrl,
            deviceName = "Kotlin test phone",
            platform = Platform.ANDROID,
            kdfIterations = 1_000u,
            httpTimeoutSeconds = 20u,
        ),
        JvmSecureArea(),
    )
    core.startActivation(ActivationInput(c.idNumber, c.phone, c.dateOfBirth, null))
    core.verifyOtp(DevBackend.latestOtp(c.phone))
    core.setPasscode("860247")
    return core to c
}

val presentationTests = listOf(
    test("identity check QR from the Kotlin secure area is accepted, then flagged as replayed; tampering is rejected") {
        val (core, c) = activatedWallet()
        val none = assertThrows<VneidException.Credential> { core.present(PresentationPreset.IDENTITY_CHECK) }
        assertEquals(ErrorCode.NO_CREDENTIAL, none.code, "code before fetching")

        val held = core.fetchCredentials()
        assertEquals(2, held.size, "credential types held")
        assertTrue(held.all { it.copies == 4u && it.unused == 4u }) { "batches $held" }

        val qr = core.present(PresentationPreset.IDENTITY_CHECK)
        assertTrue(qr.payload.startsWith("VN1:")) { "payload prefix" }
        assertTrue(qr.qrVersion <= 15u) { "QR version ${qr.qrVersion}" }
        assertEquals((qr.qrWidth * qr.qrWidth).toInt(), qr.modules.size, "module count")
        assertEquals(5, qr.disclosedClaims.size, "disclosed claims")

        val verifier = counter()
        val listId = verifier.updateStatusList(statusList(qr.payload))
        assertEquals(presentationStatusListId(qr.payload), listId, "status list id")

        val ok = verifier.verify(qr.payload, null)
        assertEquals(VerdictClass.ACCEPT, ok.verdict, "verdict (${ok.reason} ${ok.detail})")
        assertEquals(VerificationReason.VERIFIED, ok.reason, "reason")
        val claims = ok.claims.associate { it.claim.name to it.value }
        assertEquals(c.idNumber, claims["id_number"], "ID number")
        assertEquals(c.fullName, claims["full_name"], "full name with diacritics")
        assertEquals(c.dateOfBirth, claims["birth_date"], "date of birth")
        assertTrue(ok.warnings.contains(VerificationWarning.ComparePortrait)) { "warnings ${ok.warnings}" }
        assertTrue(ok.issuerName != null) { "issuer name" }

        val again = verifier.verify(qr.payload, null)
        assertEquals(VerdictClass.REJECT, again.verdict, "replay verdict")
        assertEquals(VerificationReason.REPLAYED, again.reason, "replay reason")

        val tampered = verifier.verify(tamper(qr.payload), null)
        assertEquals(VerdictClass.REJECT, tampered.verdict, "tampered verdict (${tampered.reason})")
        assertTrue(tampered.claims.isEmpty()) { "claims of a rejected QR" }

        val history = core.disclosureHistory()
        assertEquals(1, history.size, "history entries")
        assertEquals("identity_check", history[0].preset, "history preset")
        assertEquals(null, history[0].verifier, "history verifier")
        assertEquals(listOf("full_name", "id_number", "birth_date", "sex", "portrait_digest"),
            history[0].claims.map { it.name }, "history claims")
    },

    test("bad trust list, anchor and status list bytes are VERIFIER_DATA_INVALID") {
        val trust = trustList()
        val badAnchor = assertThrows<VneidException.Credential> { Verifier(trust, ByteArray(33) { 2 }, VerifierConfig()) }
        assertEquals(ErrorCode.VERIFIER_DATA_INVALID, badAnchor.code, "bad anchor")
        val badList = assertThrows<VneidException.Credential> {
            Verifier(trust.copyOfRange(0, trust.size - 1), hex(ANCHOR_HEX), VerifierConfig())
        }
        assertEquals(ErrorCode.VERIFIER_DATA_INVALID, badList.code, "truncated trust list")
        val bad = assertThrows<VneidException.Credential> { counter().updateStatusList(byteArrayOf(1, 2, 3)) }
        assertEquals(ErrorCode.VERIFIER_DATA_INVALID, bad.code, "bad status list")
    },

    test("two-way flow: the answer is bound to the counter's nonce and recorded with the registered name") {
        val (core, _) = activatedWallet()
        core.fetchCredentials()
        val signer = RequestSigner(hex(TEST_VERIFIER_SCALAR_HEX))
        val request = signer.createRequest("sen-vang-counter-1", PresentationPreset.HOTEL_CHECK_IN, 120u, null)
        assertTrue(request.payload.startsWith("VR1:")) { "request prefix" }

        val invalid = assertThrows<VneidException.Credential> {
            VerifierRequest("VR1:NOT-A-REQUEST", trustList(), hex(ANCHOR_HEX), null)
        }
        assertEquals(ErrorCode.REQUEST_INVALID, invalid.code, "invalid request")

        val asked = VerifierRequest(request.payload, trustList(), hex(ANCHOR_HEX), null)
        assertEquals(TEST_VERIFIER_NAME, asked.verifierName(), "registered verifier name")
        assertEquals(listOf("full_name", "id_number", "birth_date", "sex", "nationality"),
            asked.requestedClaims().map { it.name }, "requested claims")

        val answer = core.presentForRequest(asked)
        val verifier = counter()
        verifier.updateStatusList(statusList(answer.payload))
        val wrong = verifier.verifyAnswer(answer.payload, request.copy(nonce = ByteArray(16)), null)
        assertEquals(VerificationReason.WRONG_NONCE, wrong.reason, "wrong nonce")
        val ok = verifier.verifyAnswer(answer.payload, request, null)
        assertEquals(VerdictClass.ACCEPT, ok.verdict, "answer verdict (${ok.reason})")
        assertEquals(5, ok.claims.size, "claims disclosed")

        val history = core.disclosureHistory()
        assertEquals(TEST_VERIFIER_NAME, history.last().verifier, "history verifier")
        assertTrue(history.last().nonceBound) { "history nonce bound" }
    },
)
