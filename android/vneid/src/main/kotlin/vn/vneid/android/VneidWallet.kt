// The wallet for Kotlin apps: every call is `suspend`, never blocks the caller's thread, and
// throws the sealed VneidException.
package vn.vneid.android

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import vn.vneid.core.AccountInfo
import vn.vneid.core.AccountSummary
import vn.vneid.core.ActivationInput
import vn.vneid.core.CitizenProfile
import vn.vneid.core.CredentialSummary
import vn.vneid.core.DisclosureRecord
import vn.vneid.core.OtpSent
import vn.vneid.core.PresentationPreset
import vn.vneid.core.PresentationQr
import vn.vneid.core.SecureArea
import vn.vneid.core.VerifierRequest
import vn.vneid.core.WalletConfig
import vn.vneid.core.WalletCore
import vn.vneid.core.WalletState

/**
 * One per app process (it owns the core's worker threads). Open it with [open] from a
 * coroutine; close it when the process no longer needs it.
 *
 * Cancellation: cancelling the coroutine of an async call (activation, unlock, credentials,
 * presentation) drops the core's future, which aborts its task. The calls that are synchronous
 * in the core (state, lock, profile, ...) are short database reads run on [io].
 *
 * Calls the layer does not wrap yet (features added to the core later) stay reachable through
 * [core]; wrap them with [call] to get the same error mapping.
 */
class VneidWallet private constructor(
    /** The generated object, for calls this layer does not wrap. */
    val core: WalletCore,
    private val io: CoroutineDispatcher,
) : AutoCloseable {

    companion object {
        /**
         * Opens (or creates) the wallet in [config].dataDir with the platform [secureArea]
         * (KeystoreSecureArea on Android). Opening reads the database: done on [io].
         */
        suspend fun open(
            config: WalletConfig,
            secureArea: SecureArea,
            io: CoroutineDispatcher = Dispatchers.IO,
        ): VneidWallet = withContext(io) {
            mappingErrors { VneidWallet(WalletCore(config, secureArea), io) }
        }
    }

    /** Runs a core call on [io] with the error mapping; for calls without a wrapper here. */
    suspend fun <T> call(block: suspend (WalletCore) -> T): T = withContext(io) { mappingErrors { block(core) } }

    suspend fun state(): WalletState = call { it.state() }

    /** Checks the input and sends an SMS OTP (also re-activation on a new phone or when blocked). */
    suspend fun startActivation(input: ActivationInput): OtpSent = call { it.startActivation(input) }
    suspend fun resendOtp(): OtpSent = call { it.resendOtp() }
    suspend fun verifyOtp(otp: String) = call { it.verifyOtp(otp) }

    /** Sets the 6-digit passcode, binds this phone (any other phone is signed out) and unlocks. */
    suspend fun setPasscode(passcode: String): AccountSummary = call { it.setPasscode(passcode) }
    suspend fun unlock(passcode: String): AccountSummary = call { it.unlock(passcode) }
    suspend fun lock() = call { it.lock() }
    suspend fun profile(): CitizenProfile = call { it.profile() }
    suspend fun accountInfo(): AccountInfo = call { it.accountInfo() }
    suspend fun signOut() = call { it.signOut() }

    suspend fun fetchCredentials(): List<CredentialSummary> = call { it.fetchCredentials() }
    suspend fun refreshCredentials(): List<CredentialSummary> = call { it.refreshCredentials() }
    suspend fun credentials(): List<CredentialSummary> = call { it.credentials() }
    suspend fun credentialsNeedRefresh(): Boolean = call { it.credentialsNeedRefresh() }

    /** Builds the QR for [preset]; calling it is the citizen's consent (show the claims first). */
    suspend fun present(preset: PresentationPreset): PresentationQr = call { it.present(preset) }
    suspend fun presentForRequest(request: VerifierRequest): PresentationQr = call { it.presentForRequest(request) }
    suspend fun disclosureHistory(): List<DisclosureRecord> = call { it.disclosureHistory() }

    /** Aborts every core operation in flight (each fails with [VneidException.Cancelled]). */
    fun cancelAll() = core.cancelAll()

    override fun close() = core.close()
}
