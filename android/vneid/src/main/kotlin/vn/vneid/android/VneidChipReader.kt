// Reading the chip ID card from coroutines: a suspend read, a Flow of progress, and
// cancellation that stops the core before the call returns.
package vn.vneid.android

import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.NonCancellable
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.async
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.buffer
import kotlinx.coroutines.flow.channelFlow
import kotlinx.coroutines.withContext
import vn.vneid.core.CardAccessKey
import vn.vneid.core.ChipIdentity
import vn.vneid.core.ChipReadListener
import vn.vneid.core.ChipReadProgress
import vn.vneid.core.ChipReader
import vn.vneid.core.NfcException
import vn.vneid.core.NfcTransport

/**
 * How far a read is: [file] is the file being read as Doc 9303 names it ("EF.COM", "DG2",
 * "EF.SOD"); totals grow as lengths become known. [fraction] (0.0–1.0, for a progress bar)
 * never decreases and is 1 when the last file is read.
 */
data class ReadProgress(val file: String, val bytesRead: Long, val bytesTotal: Long, val fraction: Float) {
    internal companion object {
        fun of(p: ChipReadProgress) = ReadProgress(p.file, p.bytesRead.toLong(), p.bytesTotal.toLong(), p.fraction)
    }
}

/** Refuses every APDU once [closed]: after a cancelled read, the app's transport is not touched. */
private class GuardedTransport(private val inner: NfcTransport) : NfcTransport {
    @Volatile var closed = false

    override fun transceive(apdu: ByteArray): ByteArray {
        if (closed) throw NfcException.Other("read cancelled")
        return inner.transceive(apdu)
    }

    override fun maxTransceiveLength(): UInt = inner.maxTransceiveLength()
}

/** What [VneidChipReader.readWithProgress] emits: progress events, then exactly one [Done]. */
sealed interface ChipReadEvent {
    data class Progress(val progress: ReadProgress) : ChipReadEvent
    class Done(val identity: ChipIdentity) : ChipReadEvent
}

/**
 * Reads and verifies CCCD chips against [cscaCertificates] (PEM files or DER certificates).
 *
 * Each read uses its own core reader, so cancelling one read can never leak into the next.
 * Cancelling the calling coroutine (screen closed, lifecycle scope ended) calls the core's
 * cancel and waits for the core to stop — at most one APDU — before the cancellation
 * propagates: when the coroutine is done, nothing touches the transport (IsoDep) any more.
 */
class VneidChipReader(private val cscaCertificates: List<ByteArray>) {
    init {
        // Fails early (VneidException.Chip TRUST_STORE_INVALID) on a bad certificate.
        mappingErrors { ChipReader(cscaCertificates) }.close()
    }

    /** The core's read runs here, outside the caller's Job so a cancel can be awaited. */
    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)

    /**
     * Reads the card through [transport]. [onProgress] is called on a background thread after
     * every block. [checkTimeUnixSeconds]: when to check certificate validity (now when null).
     */
    suspend fun read(
        key: CardAccessKey,
        transport: NfcTransport,
        checkTimeUnixSeconds: Long? = null,
        onProgress: ((ReadProgress) -> Unit)? = null,
    ): ChipIdentity {
        val reader = mappingErrors { ChipReader(cscaCertificates) }
        val listener = onProgress?.let { callback ->
            object : ChipReadListener {
                override fun onProgress(progress: ChipReadProgress) = callback(ReadProgress.of(progress))
            }
        }
        val guarded = GuardedTransport(transport)
        val call = scope.async { reader.read(key, guarded, listener, checkTimeUnixSeconds?.toULong()) }
        try {
            return mappingErrors { call.await() }
        } catch (e: CancellationException) {
            // Both: the core's flag stops it between APDUs; the guard also covers a cancel that
            // lands before the core's read has started (and reset its flag).
            guarded.closed = true
            reader.cancel()
            withContext(NonCancellable) { call.join() }
            throw e
        } finally {
            if (call.isCompleted) reader.close()
        }
    }

    /**
     * The same read as a cold Flow: [ChipReadEvent.Progress] for every block, then
     * [ChipReadEvent.Done]. Errors are thrown to the collector as [VneidException]; cancelling
     * the collector cancels the read. No event is dropped (bounded by the card's size).
     */
    fun readWithProgress(
        key: CardAccessKey,
        transport: NfcTransport,
        checkTimeUnixSeconds: Long? = null,
    ): Flow<ChipReadEvent> = channelFlow {
        val identity = read(key, transport, checkTimeUnixSeconds) { trySend(ChipReadEvent.Progress(it)) }
        send(ChipReadEvent.Done(identity))
    }.buffer(Channel.UNLIMITED)
}
