// Level-1 activation through the generated Kotlin bindings, with a Kotlin SecureArea that
// Rust calls back into, against the reference backend on loopback.
package vn.vneid.foreigntest

import java.net.InetAddress
import java.net.ServerSocket
import java.net.Socket
import java.nio.file.Files
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.withTimeoutOrNull
import java.nio.file.Path
import vn.vneid.core.ActivationInput
import vn.vneid.core.BlockReason
import vn.vneid.core.ErrorCode
import vn.vneid.core.Platform
import vn.vneid.core.SecureArea
import vn.vneid.core.VneidException
import vn.vneid.core.WalletConfig
import vn.vneid.core.WalletCore
import vn.vneid.core.WalletState
import vn.vneid.core.errorCodeId

private const val PASSCODE = "860247"

private fun newDir(): Path = Files.createTempDirectory("vneid-kotlin-")

private fun wallet(dir: Path, secureArea: SecureArea) = WalletCore(
    WalletConfig(
        dataDir = dir.toString(),
        backendUrl = TestEnv.backendUrl,
        deviceName = "Kotlin test phone",
        platform = Platform.ANDROID,
        kdfIterations = 1_000u,
        httpTimeoutSeconds = 20u,
    ),
    secureArea,
)

private fun Citizen.input() = ActivationInput(idNumber, phone, dateOfBirth, null)

private suspend fun activate(core: WalletCore, c: Citizen) {
    core.startActivation(c.input())
    core.verifyOtp(DevBackend.latestOtp(c.phone))
    core.setPasscode(PASSCODE)
}

val activationTests = listOf(
    test("activation binds a key made by the Kotlin secure area and unlocks") {
        val c = DevBackend.freshCitizen()
        val sa = JvmSecureArea()
        val core = wallet(newDir(), sa)
        assertEquals(WalletState.NotActivated, core.state(), "initial state")
        val sent = core.startActivation(c.input())
        assertTrue(sent.maskedPhone.endsWith(c.phone.takeLast(3))) { "masked phone ${sent.maskedPhone}" }
        assertTrue(core.state() is WalletState.AwaitingOtp) { "state ${core.state()}" }
        core.verifyOtp(DevBackend.latestOtp(c.phone))
        assertEquals(WalletState.AwaitingPasscode, core.state(), "state after OTP")
        val account = core.setPasscode(PASSCODE)
        assertEquals(1.toUByte(), account.level, "level")
        assertTrue(account.online) { "not online" }
        assertEquals(WalletState.Unlocked(true), core.state(), "state after passcode")
        assertEquals(1, sa.aliases().size, "device keys in the Kotlin secure area")
        assertTrue((sa.calls["sign"]?.get() ?: 0) >= 2) { "Rust did not sign through Kotlin: ${sa.calls}" }
        assertTrue((sa.calls["seal"]?.get() ?: 0) == 1) { "data key not sealed through Kotlin: ${sa.calls}" }
        val info = core.accountInfo()
        assertEquals(c.idNumber, info.citizen.idNumber, "ID number")
        assertEquals(c.fullName, info.citizen.fullName, "full name with diacritics")
        assertEquals(c.fullName, core.profile().fullName, "stored profile")
        core.lock()
        assertEquals(WalletState.Locked(5u), core.state(), "locked")
        core.unlock(PASSCODE)
        assertEquals(account.accountId, core.accountInfo().accountId, "same account after unlock")
    },

    test("an invalid ID number is an Input error with Vietnamese and English messages") {
        val c = DevBackend.freshCitizen()
        val core = wallet(newDir(), JvmSecureArea())
        val e = assertThrows<VneidException.Input> {
            core.startActivation(ActivationInput("99909012345", c.phone, c.dateOfBirth, null))
        }
        assertEquals(ErrorCode.ID_NUMBER_INVALID, e.code, "code")
        assertEquals("ID_NUMBER_INVALID", errorCodeId(e.code), "stable code id")
        assertTrue(e.messageVi.contains("định danh")) { "vi: ${e.messageVi}" }
        assertTrue(e.messageEn.contains("ID number")) { "en: ${e.messageEn}" }
    },

    test("a wrong OTP reports the attempts left, the right one still works") {
        val c = DevBackend.freshCitizen()
        val core = wallet(newDir(), JvmSecureArea())
        val sent = core.startActivation(c.input())
        val real = DevBackend.latestOtp(c.phone)
        val wrong = if (real == "000001") "000002" else "000001"
        val e = assertThrows<VneidException.Otp> { core.verifyOtp(wrong) }
        assertEquals(ErrorCode.OTP_WRONG, e.code, "code")
        assertEquals(sent.maxAttempts - 1u, e.attemptsLeft, "attempts left")
        core.verifyOtp(real)
        assertEquals(WalletState.AwaitingPasscode, core.state(), "state")
    },

    test("weak passcodes are refused and the flow continues") {
        val c = DevBackend.freshCitizen()
        val core = wallet(newDir(), JvmSecureArea())
        core.startActivation(c.input())
        core.verifyOtp(DevBackend.latestOtp(c.phone))
        for (weak in listOf("000000", "123456", "121212")) {
            val e = assertThrows<VneidException.Passcode> { core.setPasscode(weak) }
            assertEquals(ErrorCode.PASSCODE_TOO_SIMPLE, e.code, "code for $weak")
        }
        val dob = c.dateOfBirth // YYYY-MM-DD
        val ddmmyy = dob.substring(8, 10) + dob.substring(5, 7) + dob.substring(2, 4)
        val e = assertThrows<VneidException.Passcode> { core.setPasscode(ddmmyy) }
        assertEquals(ErrorCode.PASSCODE_IS_BIRTH_DATE, e.code, "birth date as passcode")
        core.setPasscode(PASSCODE)
    },

    test("five wrong passcodes block the wallet across a restart until re-activation") {
        val c = DevBackend.freshCitizen()
        val dir = newDir()
        val sa = JvmSecureArea() // the platform key store outlives the app process
        val first = wallet(dir, sa)
        activate(first, c)
        first.lock()
        for (left in 4 downTo 1) {
            val e = assertThrows<VneidException.Passcode> { first.unlock("111222") }
            assertEquals(ErrorCode.PASSCODE_WRONG, e.code, "code")
            assertEquals(left.toUInt(), e.attemptsLeft, "attempts left")
        }
        first.close()
        val restarted = wallet(dir, sa)
        assertEquals(WalletState.Locked(1u), restarted.state(), "state after restart")
        val blocked = assertThrows<VneidException.Account> { restarted.unlock("111222") }
        assertEquals(ErrorCode.WALLET_BLOCKED, blocked.code, "fifth wrong passcode")
        assertEquals(WalletState.Blocked(BlockReason.TOO_MANY_ATTEMPTS), restarted.state(), "blocked")
        val still = assertThrows<VneidException.Account> { restarted.unlock(PASSCODE) }
        assertEquals(ErrorCode.WALLET_BLOCKED, still.code, "right passcode on a blocked wallet")
        activate(restarted, c)
        assertEquals(WalletState.Unlocked(true), restarted.state(), "re-activated")
    },

    test("re-activation on a new phone revokes the old phone") {
        val c = DevBackend.freshCitizen()
        val old = wallet(newDir(), JvmSecureArea())
        activate(old, c)
        val oldDevice = old.accountInfo().deviceId
        old.lock()
        val new = wallet(newDir(), JvmSecureArea())
        activate(new, c)
        val info = new.accountInfo()
        assertTrue(info.deviceId != oldDevice) { "same device id" }
        val e = assertThrows<VneidException.Account> { old.unlock(PASSCODE) }
        assertEquals(ErrorCode.DEVICE_REVOKED, e.code, "old phone")
        assertEquals(WalletState.Blocked(BlockReason.DEVICE_REVOKED), old.state(), "old phone state")
    },

    test("reinstalling on the same phone re-activates the same account") {
        val c = DevBackend.freshCitizen()
        val sa = JvmSecureArea()
        val dir = newDir()
        val before = wallet(dir, sa)
        activate(before, c)
        val accountId = before.accountInfo().accountId
        before.close()
        dir.toFile().deleteRecursively() // uninstall wipes app data, the key store survives
        val after = wallet(dir, sa)
        assertEquals(WalletState.NotActivated, after.state(), "fresh install")
        activate(after, c)
        assertEquals(accountId, after.accountInfo().accountId, "same account")
    },

    test("cancelAll ends a call to an unresponsive backend with a Cancelled error") {
        val c = DevBackend.freshCitizen()
        // Accepts connections and never answers.
        val server = ServerSocket(0, 50, InetAddress.getLoopbackAddress())
        val held = java.util.Collections.synchronizedList(mutableListOf<Socket>())
        Thread {
            try { while (true) held += server.accept() } catch (_: Exception) {}
        }.apply { isDaemon = true }.start()
        try {
            val core = WalletCore(
                WalletConfig(newDir().toString(), "http://127.0.0.1:${server.localPort}", "k",
                    Platform.ANDROID, 1_000u, 60u),
                JvmSecureArea(),
            )
            val started = System.nanoTime()
            coroutineScope {
                launch { delay(300); core.cancelAll() }
                val e = assertThrows<VneidException.Cancelled> { core.startActivation(c.input()) }
                assertEquals(ErrorCode.CANCELLED, e.code, "code")
            }
            assertTrue(System.nanoTime() - started < 10_000_000_000) { "cancel took too long" }
            // Coroutine cancellation drops the Rust future, which aborts the task too.
            assertEquals(null, withTimeoutOrNull(300) { core.startActivation(c.input()) }, "timed out call")
        } finally {
            server.close()
            held.forEach { it.close() }
        }
    },

    test("a failing Kotlin secure area surfaces as a Device error") {
        val e = assertThrows<VneidException.Device> { wallet(newDir(), BrokenSecureArea()) }
        assertEquals(ErrorCode.SECURE_AREA_FAILURE, e.code, "code")
    },
)
