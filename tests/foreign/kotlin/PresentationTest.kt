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
import vn.vneid.core.ListAge
import vn.vneid.core.parseCardQr
import vn.vneid.core.presentationStatusEntry
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

/** Revokes one issued status index through the backend's dev endpoint. */
private fun devRevoke(listId: UInt, index: UInt) {
    val body = "{\"status_list_id\":$listId,\"status_index\":$index}"
    val req = HttpRequest.newBuilder(URI.create("${TestEnv.backendUrl}/v1/dev/revoke"))
        .header("x-dev-token", TestEnv.devToken).header("content-type", "application/json")
        .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(body)).build()
    val resp = http.send(req, HttpResponse.BodyHandlers.ofString())
    assertEquals(200, resp.statusCode(), "dev revoke status (${resp.body()})")
}

private fun counter(): Verifier = Verifier(trustList(), hex(ANCHOR_HEX), VerifierConfig())

/** SEC1 of the P-256 generator: a valid key that signed no trust list. */
private const val OTHER_ANCHOR_HEX = "036b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"

private suspend fun activatedWallet(trustAnchor: ByteArray? = null): Pair<WalletCore, Citizen> {
    val c = DevBackend.freshCitizen()
    val core = WalletCore(
        WalletConfig(
            dataDir = Files.createTempDirectory("vneid-kotlin-present-").toString(),
            backendUrl = TestEnv.backendUrl,
            deviceName = "Kotlin test phone",
            platform = Platform.ANDROID,
            kdfIterations = 1_000u,
            httpTimeoutSeconds = 20u,
            trustAnchor = trustAnchor,
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
    test("revoked through the backend: after refreshing the status list the same kind of QR is rejected as revoked") {
        val (core, _) = activatedWallet()
        core.fetchCredentials()
        val verifier = counter()
        val first = core.present(PresentationPreset.AGE_OVER18)
        val entry = presentationStatusEntry(first.payload) ?: fail("QR names no status entry")
        // Lists come from the backend: the trust list and the list this QR names.
        val held = verifier.refreshFromBackend(TestEnv.backendUrl, listOf(entry.listId))
        assertEquals(ListAge.FRESH, held.trustList.age, "trust list age")
        assertTrue(held.statusLists.any { it.listId == entry.listId }) { "status lists ${held.statusLists}" }
        val ok = verifier.verify(first.payload, null)
        assertEquals(VerdictClass.ACCEPT, ok.verdict, "before revocation (${ok.reason} ${ok.detail})")

        devRevoke(entry.listId, entry.index)
        // The counter still holds the old list: the revocation is not visible yet.
        val second = core.present(PresentationPreset.AGE_OVER18)
        val secondEntry = presentationStatusEntry(second.payload) ?: fail("no status entry")
        if (secondEntry.index == entry.index) fail("a fresh copy reused the revoked index")
        // Refresh everything held (no extra ids): now the revoked copy is red.
        verifier.refreshFromBackend(TestEnv.backendUrl, emptyList())
        val replayedAfterRevoke = verifier.verify(first.payload, null)
        assertEquals(VerdictClass.REJECT, replayedAfterRevoke.verdict, "after revocation")
        assertEquals(VerificationReason.REVOKED, replayedAfterRevoke.reason, "reason after revocation (${replayedAfterRevoke.detail})")
        // The other copy of the batch, with its own index, is still fine.
        val other = verifier.verify(second.payload, null)
        assertEquals(VerdictClass.ACCEPT, other.verdict, "other copy (${other.reason})")
    },

    test("stale lists are amber and fixable: old trust list, expired status list, older list refused") {
        val (core, _) = activatedWallet()
        core.fetchCredentials()
        val qr = core.present(PresentationPreset.IDENTITY_CHECK)
        val now = System.currentTimeMillis() / 1000
        val verifier = Verifier(trustList(), hex(ANCHOR_HEX), VerifierConfig(
            trustListWarnAfterSeconds = 60u, trustListRefuseAfterSeconds = 3_600u))
        verifier.updateStatusList(statusList(qr.payload))

        val stale = verifier.verify(qr.payload, (now + 7_200).toULong())
        assertEquals(VerdictClass.FIXABLE, stale.verdict, "stale trust list verdict")
        assertEquals(VerificationReason.TRUST_LIST_STALE, stale.reason, "stale trust list reason")
        assertEquals(ListAge.STALE, verifier.lists((now + 7_200).toULong()).trustList.age, "list age")
        assertEquals(ListAge.AGING, verifier.lists((now + 120).toULong()).trustList.age, "aging")

        // The backend's status lists live 300 s; 330 s later the QR itself is still in its window.
        val unknown = verifier.verify(qr.payload, (now + 330).toULong())
        assertEquals(VerdictClass.FIXABLE, unknown.verdict, "stale status list verdict")
        assertEquals(VerificationReason.STATUS_UNKNOWN, unknown.reason, "stale status list reason")

        // Fixing it: a fresh trust list and status list make the same QR green (it was never
        // accepted, so it is not a replay).
        verifier.refreshFromBackend(TestEnv.backendUrl, emptyList())
        val ok = verifier.verify(qr.payload, null)
        assertEquals(VerdictClass.ACCEPT, ok.verdict, "after refresh (${ok.reason})")
        assertTrue(ok.warnings.none { it is VerificationWarning.TrustListAging }) { "warnings ${ok.warnings}" }

        // The backend numbers trust lists by signing second: an older list never replaces a newer one.
        val older = trustList()
        Thread.sleep(1_100)
        val newer = Verifier(trustList(), hex(ANCHOR_HEX), VerifierConfig())
        val rollback = assertThrows<VneidException.Credential> { newer.updateTrustList(older) }
        assertEquals(ErrorCode.VERIFIER_DATA_INVALID, rollback.code, "older trust list")
        assertEquals(ListAge.FRESH, newer.updateTrustList(trustList()).age, "same-or-newer list accepted")

        val unreachable = assertThrows<VneidException> { verifier.refreshFromBackend("http://127.0.0.1:9", emptyList()) }
        assertTrue(unreachable is VneidException.Network) { "unreachable backend: $unreachable" }
        assertEquals(VerdictClass.REJECT, verifier.verify(qr.payload, null).verdict, "lists kept; now a replay")
    },

    test("printed chip-card QR is parsed and marked not verified; other text is not a card QR") {
        val card = parseCardQr("001190012345|012345678|Nguyễn Thị Minh Khai|17051990|Nữ|Số 12 Hàng Bạc, Hà Nội|10042021")
            ?: fail("card QR not recognised")
        assertEquals(false, card.verified, "verified flag")
        assertTrue(card.noticeEn.contains("not cryptographically verified")) { card.noticeEn }
        assertEquals("001190012345", card.idNumber, "ID number")
        assertEquals("012345678", card.oldIdNumber, "old ID")
        assertEquals("Nguyễn Thị Minh Khai", card.fullName, "name")
        assertEquals("1990-05-17", card.birthDate, "birth date")
        assertEquals("female", card.sex, "sex")
        assertEquals("2021-04-10", card.issueDate, "issue date")
        assertEquals(7, card.rawFields.size, "raw fields")
        val six = parseCardQr("079200012345|Trần Văn B|01012000|Nam|TP. Hồ Chí Minh|01072024") ?: fail("6 fields")
        assertEquals(null, six.oldIdNumber, "no old ID")
        assertEquals("male", six.sex, "sex")
        assertEquals(null, parseCardQr("VN1:ABC"), "presentation text")
        assertEquals(null, parseCardQr("12345|a|b|c|d|e|f"), "short ID")
        assertEquals(null, parseCardQr("|".repeat(2000)), "oversized")
    },
    test("a wallet pinning another trust anchor refuses the backend's credentials as CREDENTIAL_ISSUER_UNTRUSTED") {
        val (core, _) = activatedWallet(hex(OTHER_ANCHOR_HEX))
        val e = assertThrows<VneidException.Credential> { core.fetchCredentials() }
        assertEquals(ErrorCode.CREDENTIAL_ISSUER_UNTRUSTED, e.code, "code")
        assertTrue(core.credentials().isEmpty()) { "nothing stored" }
        val (pinned, _) = activatedWallet(hex(ANCHOR_HEX))
        assertEquals(2, pinned.fetchCredentials().size, "with the right anchor pinned")
    },
    test("photo profile: the identity check carries the issuer-bound face thumbnail and the counter gets it back") {
        val (core, _) = activatedWallet()
        core.fetchCredentials()
        val qr = core.presentWithPhoto(PresentationPreset.IDENTITY_CHECK)
        assertTrue(qr.qrVersion in 26u..33u) { "photo QR version ${qr.qrVersion}" }
        assertTrue(qr.payload.length in 1_500..2_300) { "photo QR characters ${qr.payload.length}" }
        val verifier = counter()
        verifier.updateStatusList(statusList(qr.payload))
        val ok = verifier.verify(qr.payload, null)
        assertEquals(VerdictClass.ACCEPT, ok.verdict, "verdict (${ok.reason} ${ok.detail})")
        val photo = ok.photo ?: fail("no photo in the result")
        assertTrue(photo.size in 300..1_000) { "photo bytes ${photo.size}" }
        assertEquals(0xFF.toByte(), photo[0], "JPEG SOI")
        assertEquals(0xD8.toByte(), photo[1], "JPEG SOI")
        val noPhoto = assertThrows<VneidException.Credential> { core.presentWithPhoto(PresentationPreset.AGE_OVER18) }
        assertEquals(ErrorCode.PRESENTATION_FAILED, noPhoto.code, "photo without portrait digest")
    },
)
