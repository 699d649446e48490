// The counter's verifier for coroutines: list refreshes and QR checks off the main thread, with
// the sealed VneidException (threading and error mapping only).
package vn.vneid.android

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import vn.vneid.core.CounterRequest
import vn.vneid.core.TrustListInfo
import vn.vneid.core.VerificationResult
import vn.vneid.core.Verifier
import vn.vneid.core.VerifierConfig
import vn.vneid.core.VerifierLists

/**
 * Verifies citizens' QR codes at a counter, offline once its lists are held. [trustList] is a
 * signed trust list (bundled with the app or fetched earlier), [anchorPublicKey] the pinned key
 * it must be signed with. Verdicts never throw: a bad QR is a [VerificationResult] with a reason.
 */
class VneidVerifier private constructor(
    /** The generated object, for calls this layer does not wrap. */
    val core: Verifier,
    private val io: CoroutineDispatcher,
) : AutoCloseable {
    companion object {
        suspend fun open(
            trustList: ByteArray,
            anchorPublicKey: ByteArray,
            config: VerifierConfig = VerifierConfig(),
            io: CoroutineDispatcher = Dispatchers.IO,
        ): VneidVerifier = withContext(io) {
            mappingErrors { VneidVerifier(Verifier(trustList, anchorPublicKey, config), io) }
        }
    }

    /** Fetches the trust list and the status lists held plus [statusListIds]; all or nothing. */
    suspend fun refreshFromBackend(backendUrl: String, statusListIds: List<UInt> = emptyList()): VerifierLists =
        withContext(io) { mappingErrors { core.refreshFromBackend(backendUrl, statusListIds) } }

    suspend fun updateTrustList(trustList: ByteArray): TrustListInfo =
        withContext(io) { mappingErrors { core.updateTrustList(trustList) } }

    /** Installs a signed status list; returns its id. */
    suspend fun updateStatusList(statusList: ByteArray): UInt =
        withContext(io) { mappingErrors { core.updateStatusList(statusList) } }

    fun lists(nowUnixSeconds: Long? = null): VerifierLists = core.lists(nowUnixSeconds?.toULong())

    /** Checks scanned QR text (one-way flow); signature checks run on [Dispatchers.Default]. */
    suspend fun verify(payload: String, nowUnixSeconds: Long? = null): VerificationResult =
        withContext(Dispatchers.Default) { core.verify(payload, nowUnixSeconds?.toULong()) }

    /** Checks the answer to this counter's [request] (two-way flow). */
    suspend fun verifyAnswer(payload: String, request: CounterRequest, nowUnixSeconds: Long? = null): VerificationResult =
        withContext(Dispatchers.Default) { core.verifyAnswer(payload, request, nowUnixSeconds?.toULong()) }

    override fun close() = core.close()
}
