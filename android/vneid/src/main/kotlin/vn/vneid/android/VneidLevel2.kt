// The level-2 upgrade for coroutines: a suspend call with read progress, the same as a Flow,
// and cancellation after which the app's transport (IsoDep) is no longer touched.
package vn.vneid.android

import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.NonCancellable
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.buffer
import kotlinx.coroutines.flow.channelFlow
import kotlinx.coroutines.withContext
import vn.vneid.core.CardAccessKey
import vn.vneid.core.ChipReadListener
import vn.vneid.core.ChipReadProgress
import vn.vneid.core.Level2Result
import vn.vneid.core.NfcException
import vn.vneid.core.NfcTransport

/**
 * Refuses every APDU once [close]d, and [close] returns only when the APDU in flight (if any)
 * has returned: after it, nothing of the core touches the wrapped transport.
 */
internal class FencedTransport(private val inner: NfcTransport) : NfcTransport {
    private val lock = Any()
    private var closed = false

    override fun transceive(apdu: ByteArray): ByteArray = synchronized(lock) {
        if (closed) throw NfcException.Other("cancelled")
        inner.transceive(apdu)
    }

    override fun maxTransceiveLength(): UInt = inner.maxTransceiveLength()

    /** Blocks for at most one APDU. */
    fun close() = synchronized(lock) { closed = true }
}

/** What [upgradeToLevel2WithProgress] emits: chip read progress, then exactly one [Done]. */
sealed interface Level2Event {
    data class Progress(val progress: ReadProgress) : Level2Event
    class Done(val result: Level2Result) : Level2Event
}

/**
 * Raises the unlocked account to level 2: reads the citizen's chip with [key] over [transport]
 * (IsoDepTransport), sends the evidence and the SHA-256 of [selfie] to the backend, then
 * fetches the electronic-ID credential. [onProgress] is called on a background thread.
 * Refusals (another citizen's card, an altered card) throw [VneidException.Chip]; the level is
 * unchanged after any error.
 *
 * Cancelling the coroutine drops the core's task (which stops the chip read before its next
 * APDU) and waits — at most one APDU — until the transport is free before the
 * CancellationException propagates.
 */
suspend fun VneidWallet.upgradeToLevel2(
    key: CardAccessKey,
    transport: NfcTransport,
    selfie: ByteArray,
    onProgress: ((ReadProgress) -> Unit)? = null,
): Level2Result {
    val fenced = FencedTransport(transport)
    val listener = onProgress?.let { callback ->
        object : ChipReadListener {
            override fun onProgress(progress: ChipReadProgress) = callback(ReadProgress.of(progress))
        }
    }
    try {
        return call { it.upgradeToLevel2(key, fenced, selfie, listener) }
    } catch (e: CancellationException) {
        withContext(NonCancellable + Dispatchers.IO) { fenced.close() }
        throw e
    }
}

/**
 * [upgradeToLevel2] as a cold Flow: [Level2Event.Progress] per block read, then
 * [Level2Event.Done]. Errors reach the collector as [VneidException]; cancelling the collector
 * cancels the upgrade. No event is dropped (bounded by the card's size).
 */
fun VneidWallet.upgradeToLevel2WithProgress(
    key: CardAccessKey,
    transport: NfcTransport,
    selfie: ByteArray,
): Flow<Level2Event> = channelFlow {
    val result = upgradeToLevel2(key, transport, selfie) { trySend(Level2Event.Progress(it)) }
    send(Level2Event.Done(result))
}.buffer(Channel.UNLIMITED)
