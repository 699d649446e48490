// Level-2 upgrade through the generated Kotlin bindings: the wallet reads the citizen's chip ID
// card through a Kotlin NfcTransport, the reference backend re-verifies it with its own CSCA
// trust store and raises the account to level 2; a counter then sees the electronic ID as its
// own, level-2 credential type. Refusals (another citizen's card, an altered card, an expired
// or foreign document signer) are typed and leave the level at 1.
package vn.vneid.foreigntest

import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.file.Files
import java.time.Duration
import java.util.Base64
import vn.vneid.core.ActivationInput
import vn.vneid.core.CardAccessKey
import vn.vneid.core.CheckVerdict
import vn.vneid.core.ErrorCode
import vn.vneid.core.NfcTransport
import vn.vneid.core.Platform
import vn.vneid.core.PresentationPreset
import vn.vneid.core.TestCard
import vn.vneid.core.TestCardFault
import vn.vneid.core.VerdictClass
import vn.vneid.core.Verifier
import vn.vneid.core.VerifierConfig
import vn.vneid.core.VneidException
import vn.vneid.core.WalletConfig
import vn.vneid.core.WalletCore
import vn.vneid.core.credentialIdentityLevel
import vn.vneid.core.credentialTypeName
import vn.vneid.core.presentationStatusListId
import vn.vneid.core.virtualCitizens

/** An IsoDep-like transport in front of a (possibly spoiled) virtual card. */
private class TestCardTransport(private val card: TestCard) : NfcTransport {
    override fun transceive(apdu: ByteArray): ByteArray = card.transceive(apdu)
    override fun maxTransceiveLength(): UInt = 65_546u
}

/** Nguyễn Văn An: seeded in the backend and holder of a virtual chip card. */
private const val AN = "001090123456"
/** Trần Thị Bích Ngọc: a virtual card whose holder has no account here. */
private const val NGOC = "079195004321"
/** A stand-in for the JPEG the front camera took. */
private val SELFIE = byteArrayOf(0xFF.toByte(), 0xD8.toByte(), 0xFF.toByte(), 0xE0.toByte()) + "selfie".toByteArray()

private fun keyOf(id: String): CardAccessKey {
    val c = virtualCitizens().first { it.idNumber == id }
    return CardAccessKey(c.idNumber, c.dateOfBirth, c.dateOfExpiry, null)
}

/** The reference backend's trust-list anchor (SEC1 compressed), pinned as a counter app does. */
private val ANCHOR = "03889d55e3ab10002b71ce2c4b5e20c2387d329d405dc0d33952ca6e676eb52b2d"
    .chunked(2).map { it.toInt(16).toByte() }.toByteArray()

/** A signed list from the backend (the `signed` field, base64url-decoded). */
private fun signedList(path: String): ByteArray {
    val http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
    val req = HttpRequest.newBuilder(URI.create("${TestEnv.backendUrl}$path"))
        .timeout(Duration.ofSeconds(10)).GET().build()
    val resp = http.send(req, HttpResponse.BodyHandlers.ofString())
    assertEquals(200, resp.statusCode(), "GET $path status")
    val b64 = Regex("\"signed\"\\s*:\\s*\"([^\"]*)\"").find(resp.body())?.groupValues?.get(1)
        ?: fail("no signed list in $path")
    return Base64.getUrlDecoder().decode(b64)
}

/** A new phone activating An's account (any earlier phone is signed out). */
private suspend fun anAtLevel1(): WalletCore {
    val c = DevBackend.chipCitizen(AN)
    val core = WalletCore(
        WalletConfig(
            dataDir = Files.createTempDirectory("vneid-kotlin-level2-").toString(),
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
    return core
}

private suspend fun refused(cardOf: String, fault: TestCardFault, expected: ErrorCode) {
    val core = anAtLevel1()
    val e = assertThrows<VneidException.Chip> {
        core.upgradeToLevel2(keyOf(cardOf), TestCardTransport(TestCard(cardOf, fault)), SELFIE, null)
    }
    assertEquals(expected, e.code, "code")
    assertTrue(e.messageVi.isNotBlank() && e.messageEn.isNotBlank()) { "messages" }
    assertEquals(1.toUByte(), core.accountInfo().level, "level after a refused upgrade")
    val none = assertThrows<VneidException.Credential> { core.present(PresentationPreset.ELECTRONIC_ID_CHECK) }
    assertEquals(ErrorCode.NO_CREDENTIAL, none.code, "no electronic ID after a refusal")
}

// Refusals first: once An's account is level 2 it stays so for the rest of the run.
val level2Tests = listOf(
    test("another citizen's chip card is refused with CHIP_HOLDER_MISMATCH; the level stays 1") {
        refused(NGOC, TestCardFault.None, ErrorCode.CHIP_HOLDER_MISMATCH)
    },
    test("a card with an altered DG13 is refused with CHIP_EVIDENCE_REJECTED; the level stays 1") {
        refused(AN, TestCardFault.TamperedDataGroup(13u), ErrorCode.CHIP_EVIDENCE_REJECTED)
    },
    test("cards signed by an expired or a foreign document signer are refused; the level stays 1") {
        refused(AN, TestCardFault.ExpiredSigner, ErrorCode.CHIP_EVIDENCE_REJECTED)
        refused(AN, TestCardFault.ForeignSigner, ErrorCode.CHIP_EVIDENCE_REJECTED)
    },
    test("a cloned chip (copied files, other keys) is refused with CHIP_EVIDENCE_REJECTED; the level stays 1") {
        refused(AN, TestCardFault.Cloned, ErrorCode.CHIP_EVIDENCE_REJECTED)
    },
    test("an empty selfie is refused before the chip is read") {
        val core = anAtLevel1()
        val e = assertThrows<VneidException.Input> {
            core.upgradeToLevel2(keyOf(AN), TestCardTransport(TestCard(AN, TestCardFault.None)), ByteArray(0), null)
        }
        assertEquals(ErrorCode.SELFIE_INVALID, e.code, "code")
    },
    test("the citizen's own card raises the account to level 2; the electronic ID verifies as a level-2 type") {
        val core = anAtLevel1()
        assertEquals(1.toUByte(), core.accountInfo().level, "level before")
        val listener = RecordingListener()
        val result = core.upgradeToLevel2(keyOf(AN), TestCardTransport(TestCard(AN, TestCardFault.None)), SELFIE, listener)
        assertEquals(2.toUByte(), result.level, "level in the result")
        assertTrue(result.electronicIdCopies > 0u) { "electronic ID copies ${result.electronicIdCopies}" }
        assertTrue(result.activeAuthentication) { "the backend verified the chip's signature over its challenge" }
        assertEquals(AN, result.chip.idNumber, "ID number read from the chip")
        assertTrue(listener.events.isNotEmpty()) { "no read progress" }
        assertEquals(2.toUByte(), core.accountInfo().level, "level from the backend")

        val qr = core.present(PresentationPreset.ELECTRONIC_ID_CHECK)
        val verifier = Verifier(signedList("/v1/trust-list"), ANCHOR, VerifierConfig())
        val listId = presentationStatusListId(qr.payload) ?: fail("QR names no status list")
        verifier.updateStatusList(signedList("/v1/status-lists/$listId"))
        val ok = verifier.verify(qr.payload, null)
        assertEquals(VerdictClass.ACCEPT, ok.verdict, "verdict (${ok.reason} ${ok.detail})")
        val type = ok.credentialType ?: fail("no credential type in the verdict")
        assertEquals("electronic_id", credentialTypeName(type), "credential type name")
        assertEquals(2.toUByte(), credentialIdentityLevel(type), "level of the presented identity")
        assertEquals(2.toUByte(), ok.identityLevel, "level in the verdict")
        assertEquals(1.toUByte(), credentialIdentityLevel(1u), "the core ID is the level-1 identity")
        assertEquals(AN, ok.claims.associate { it.claim.name to it.value }["id_number"], "ID number")
        assertTrue(result.chip.passiveAuthentication !is CheckVerdict.Passed) {
            "the phone holds no CSCA list: its own passive authentication cannot pass (the backend's does)"
        }
    },
)
