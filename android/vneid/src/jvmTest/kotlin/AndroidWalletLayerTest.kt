// The Android library's wallet API on the JVM: suspend calls against the reference backend,
// errors as the sealed VneidException, and the Keystore adapter's seal format and key encoding.
package vn.vneid.foreigntest

import java.nio.file.Files
import java.security.KeyPairGenerator
import java.security.Signature
import java.security.interfaces.ECPublicKey
import java.security.spec.ECGenParameterSpec
import javax.crypto.KeyGenerator
import kotlin.time.Duration.Companion.seconds
import kotlinx.coroutines.launch
import vn.vneid.android.SealedBox
import vn.vneid.android.VneidException
import vn.vneid.android.VneidWallet
import vn.vneid.core.ActivationInput
import vn.vneid.core.ErrorCode
import vn.vneid.core.Platform
import vn.vneid.core.PresentationPreset
import vn.vneid.core.SecureAreaException
import vn.vneid.core.WalletConfig
import vn.vneid.core.WalletState
import vn.vneid.core.newSoftwareSecureArea
import vn.vneid.core.VneidException as CoreException

private suspend fun openWallet() = VneidWallet.open(
    WalletConfig(
        dataDir = Files.createTempDirectory("vneid-android-").toString(),
        backendUrl = TestEnv.backendUrl,
        deviceName = "Android layer test",
        platform = Platform.ANDROID,
        kdfIterations = 1_000u,
        httpTimeoutSeconds = 20u,
    ),
    newSoftwareSecureArea(null),
)

/** The code field every generated variant has (the generated base class does not declare it). */
private fun codeOf(e: CoreException): ErrorCode = e.javaClass.getMethod("getCode").invoke(e) as ErrorCode

private fun aesKey() = KeyGenerator.getInstance("AES").apply { init(256) }.generateKey()

val androidWalletTests = listOf(
    test("activation, a wrong OTP and a wrong passcode through the suspend API, then a QR") {
        val c = DevBackend.freshCitizen()
        openWallet().use { wallet ->
            assertEquals(WalletState.NotActivated, wallet.state(), "initial state")
            val sent = wallet.startActivation(ActivationInput(c.idNumber, c.phone, c.dateOfBirth, null))
            val otp = DevBackend.latestOtp(c.phone)
            val wrongOtp = if (otp == "000000") "111111" else "000000"
            val e = assertThrows<VneidException.Otp> { wallet.verifyOtp(wrongOtp) }
            assertEquals(ErrorCode.OTP_WRONG, e.code, "OTP code")
            assertEquals(sent.maxAttempts.toInt() - 1, e.attemptsLeft, "attempts left as Int")
            wallet.verifyOtp(otp)
            wallet.setPasscode("860247")
            val unlocked = wallet.state()
            assertTrue(unlocked is WalletState.Unlocked) { "state $unlocked" }
            wallet.fetchCredentials()
            val qr = wallet.present(PresentationPreset.IDENTITY_CHECK)
            assertTrue(qr.payload.startsWith("VN1:")) { "payload prefix" }
            assertEquals((qr.qrWidth * qr.qrWidth).toInt(), qr.modules.size, "module count")
            wallet.lock()
            val p = assertThrows<VneidException.Passcode> { wallet.unlock("123789") }
            assertEquals(ErrorCode.PASSCODE_WRONG, p.code, "passcode code")
            assertEquals(4, p.attemptsLeft, "attempts left")
            assertEquals(c.idNumber, run { wallet.unlock("860247"); wallet.profile().idNumber }, "profile after unlock")
        }
    },

    test("every category of the core's error maps to its sealed subclass with code and messages") {
        val cases: List<Pair<CoreException, (VneidException) -> Boolean>> = listOf(
            CoreException.Input(ErrorCode.PHONE_INVALID, "vi", "en") to { it is VneidException.InvalidInput },
            CoreException.Otp(ErrorCode.OTP_RESEND_TOO_SOON, "vi", "en", null, 42u) to {
                it is VneidException.Otp && it.retryAfter == 42.seconds && it.attemptsLeft == null
            },
            CoreException.Passcode(ErrorCode.PASSCODE_WRONG, "vi", "en", 3u) to {
                it is VneidException.Passcode && it.attemptsLeft == 3
            },
            CoreException.Account(ErrorCode.NOT_UNLOCKED, "vi", "en") to { it is VneidException.Account },
            CoreException.Network(ErrorCode.NETWORK_TIMEOUT, "vi", "en") to {
                it is VneidException.Network && it.isRetryable
            },
            CoreException.Server(ErrorCode.RATE_LIMITED, "vi", "en", 60u) to {
                it is VneidException.Server && it.retryAfter == 60.seconds && it.isRetryable
            },
            CoreException.Device(ErrorCode.SECURE_AREA_FAILURE, "vi", "en") to { it is VneidException.Device },
            CoreException.Storage(ErrorCode.STORAGE_FAILURE, "vi", "en") to { it is VneidException.Storage },
            CoreException.Credential(ErrorCode.NO_CREDENTIAL, "vi", "en") to { it is VneidException.Credential },
            CoreException.Chip(ErrorCode.CHIP_LOST, "vi", "en") to { it is VneidException.Chip && it.canResume },
            CoreException.Judicial(ErrorCode.JUDICIAL_FIELD_REQUIRED, "vi", "en", "personal.id_number") to {
                it is VneidException.Judicial && it.field == "personal.id_number"
            },
            CoreException.Cancelled(ErrorCode.CANCELLED, "vi", "en") to { it is VneidException.Cancelled },
            CoreException.Internal(ErrorCode.INTERNAL, "vi", "en") to { it is VneidException.Internal },
        )
        for ((core, check) in cases) {
            val mapped = VneidException.from(core)
            assertTrue(check(mapped)) { "${core::class.simpleName} mapped to ${mapped::class.simpleName}" }
            assertEquals(codeOf(core), mapped.code, "code of ${core::class.simpleName}")
            assertEquals("vi" to "en", mapped.messageVi to mapped.messageEn, "messages of ${core::class.simpleName}")
            assertTrue(mapped.cause === core) { "cause kept" }
        }
    },

    test("sealed boxes open with their key only and reject any change") {
        val key = aesKey()
        val secret = ByteArray(32) { it.toByte() }
        val box = SealedBox.seal(key, secret)
        assertEquals(1 + 12 + 32 + 16, box.size, "version + IV + ciphertext + tag")
        assertTrue(SealedBox.unseal(key, box).contentEquals(secret)) { "round trip" }
        assertTrue(!SealedBox.seal(key, secret).contentEquals(box)) { "fresh IV per seal" }
        val broken = listOf(
            box.copyOf().also { it[20] = (it[20].toInt() xor 1).toByte() },
            box.copyOf().also { it[0] = 2 },
            box.copyOf(20),
            ByteArray(0),
        )
        for (b in broken) assertThrows<SecureAreaException.SealBroken> { SealedBox.unseal(key, b) }
        assertThrows<SecureAreaException.SealBroken> { SealedBox.unseal(aesKey(), box) }
    },

    test("public keys are 65-byte SEC1 points that verify the adapter's DER signatures") {
        repeat(20) {
            val pair = KeyPairGenerator.getInstance("EC").apply { initialize(ECGenParameterSpec("secp256r1")) }.generateKeyPair()
            val sec1 = SealedBox.sec1Uncompressed(pair.public as ECPublicKey)
            assertEquals(65, sec1.size, "length")
            assertEquals(4.toByte(), sec1[0], "uncompressed tag")
            val x = java.math.BigInteger(1, sec1.copyOfRange(1, 33))
            assertEquals((pair.public as ECPublicKey).w.affineX, x, "x coordinate")
            val sig = Signature.getInstance("SHA256withECDSA").run { initSign(pair.private); update(sec1); sign() }
            assertEquals(0x30.toByte(), sig[0], "DER sequence")
        }
    },
)

/** A loopback port that accepts connections (kernel backlog) but never answers. */
private inline fun <T> withSilentServer(block: (String) -> T): T =
    java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress()).use { block("http://127.0.0.1:${it.localPort}") }

private suspend fun walletAt(url: String, timeoutSeconds: UInt) = VneidWallet.open(
    WalletConfig(Files.createTempDirectory("vneid-android-").toString(), url, "Android layer test",
        Platform.ANDROID, 1_000u, timeoutSeconds),
    newSoftwareSecureArea(null),
)

val androidWalletNetworkTests = listOf(
    test("cancelling a wallet call's coroutine ends it at once and leaves the wallet usable") {
        val c = DevBackend.freshCitizen()
        withSilentServer { url ->
            walletAt(url, 30u).use { wallet ->
                val started = System.nanoTime()
                val outcome = kotlinx.coroutines.CompletableDeferred<Throwable?>()
                kotlinx.coroutines.coroutineScope {
                    val job = launch {
                        try {
                            wallet.startActivation(ActivationInput(c.idNumber, c.phone, c.dateOfBirth, null))
                            outcome.complete(null)
                        } catch (e: Throwable) {
                            outcome.complete(e)
                            throw e
                        }
                    }
                    kotlinx.coroutines.delay(300)
                    job.cancel()
                }
                val ms = (System.nanoTime() - started) / 1_000_000
                val e = outcome.await()
                assertTrue(e is kotlinx.coroutines.CancellationException) { "got $e" }
                assertTrue(ms < 5_000) { "cancellation took $ms ms (the HTTP timeout is 30 s)" }
                assertEquals(WalletState.NotActivated, wallet.state(), "state after the cancelled call")
            }
        }
    },

    test("a backend that never answers gives VneidException.Network NETWORK_TIMEOUT, retryable") {
        val c = DevBackend.freshCitizen()
        withSilentServer { url ->
            walletAt(url, 1u).use { wallet ->
                val e = assertThrows<VneidException.Network> {
                    wallet.startActivation(ActivationInput(c.idNumber, c.phone, c.dateOfBirth, null))
                }
                assertEquals(ErrorCode.NETWORK_TIMEOUT, e.code, "code")
                assertTrue(e.isRetryable) { "network errors are retryable" }
            }
        }
    },
)

val androidSecureAreaTests = listOf(
    test("the core and the backend accept the Keystore adapter's key, signature and seal formats") {
        val c = DevBackend.freshCitizen()
        val sa = JcaKeystoreTwin()
        val dir = Files.createTempDirectory("vneid-android-").toString()
        val config = WalletConfig(dir, TestEnv.backendUrl, "Android layer test", Platform.ANDROID, 1_000u, 20u)
        VneidWallet.open(config, sa).use { wallet ->
            wallet.startActivation(ActivationInput(c.idNumber, c.phone, c.dateOfBirth, null))
            wallet.verifyOtp(DevBackend.latestOtp(c.phone))
            wallet.setPasscode("860247") // binds a SEC1 key after a DER proof of possession
            wallet.fetchCredentials()
            assertTrue(wallet.present(PresentationPreset.AGE_OVER18).payload.startsWith("VN1:")) { "QR payload" }
        }
        assertTrue(sa.sealed.get() > 0) { "the core never sealed anything" }
        // A restart: the wallet opens its store with the sealed data key and logs in again.
        VneidWallet.open(config, sa).use { wallet ->
            val state = wallet.state()
            assertTrue(state is WalletState.Locked) { "state after restart $state" }
            wallet.unlock("860247")
            assertEquals(c.idNumber, wallet.accountInfo().citizen.idNumber, "account as the backend sees it")
        }
        assertTrue(sa.unsealed.get() > 0) { "the core never unsealed anything" }
    },
)
