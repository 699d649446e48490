// The logic of the IsoDep transport without the Android SDK: extended-length detection, the
// read timeout, error mapping, and waiting for the card to be held again after a lost tag.
package vn.vneid.android

import java.io.IOException
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit
import vn.vneid.core.NfcException
import vn.vneid.core.NfcTransport

/** Largest APDU exchange of a short-length-only link: 5 header bytes + 255 data + Le, or 256 data + SW. */
const val SHORT_APDU_LIMIT = 261

/**
 * The part of `android.nfc.tech.IsoDep` the transport uses (IsoDepTransport implements it over
 * the real class; tests implement it over the virtual card).
 */
interface IsoDepLink {
    val maxTransceiveLength: Int
    val isExtendedLengthApduSupported: Boolean
    var timeoutMs: Int
    fun connect()
    fun close()
    fun transceive(apdu: ByteArray): ByteArray
    /** Android: `e is TagLostException`. */
    fun isTagLost(e: IOException): Boolean
}

/**
 * What the core should assume of a link: extended length only when the controller says so
 * *and* its buffer is larger than a short APDU (some phones report one without the other).
 */
fun effectiveMaxTransceiveLength(maxTransceiveLength: Int, extendedLengthSupported: Boolean): Int =
    if (extendedLengthSupported && maxTransceiveLength > SHORT_APDU_LIMIT) maxTransceiveLength
    else minOf(maxTransceiveLength, SHORT_APDU_LIMIT).coerceAtLeast(0)

/**
 * An [NfcTransport] over successive [IsoDepLink]s. The first link comes with the constructor;
 * after the card leaves the field the core's next command (its resume, SELECT + BAC) waits up to
 * [reconnectTimeoutMs] for the app to hand over the card's next discovery through [offer].
 *
 * Mapping for the core: a lost tag (Android `TagLostException`, a stale-tag `SecurityException`)
 * → `NfcException.TagLost`, which the core resumes from; another `IOException` (a timeout or an
 * RF error, Android does not tell them apart) → `NfcException.Timeout`, also resumed; no card
 * within [reconnectTimeoutMs] → `NfcException.Other`, which ends the read with CHIP_LOST.
 */
class ResumableNfcTransport(
    first: IsoDepLink,
    /** Per-APDU timeout: long enough for an extended READ BINARY of a large DG2 block. */
    private val readTimeoutMs: Int = 10_000,
    private val reconnectTimeoutMs: Long = 20_000,
) : NfcTransport {
    private val next = LinkedBlockingQueue<IsoDepLink>()
    @Volatile private var current: IsoDepLink? = null
    private val maxLength: Int

    init {
        prepare(first)
        current = first
        maxLength = effectiveMaxTransceiveLength(first.maxTransceiveLength, first.isExtendedLengthApduSupported)
    }

    /** Hands over the card discovered again (from the NFC reader-mode callback). Any thread. */
    fun offer(link: IsoDepLink) {
        next.offer(link)
    }

    /** Closes the current link; the read (if any) then fails at its next command. */
    fun close() {
        current?.let { runCatching { it.close() } }
        current = null
        generateSequence { next.poll() }.forEach { runCatching { it.close() } }
    }

    /** How many times the card was handed over again. */
    @Volatile var reconnects: Int = 0
        private set

    override fun maxTransceiveLength(): UInt = maxLength.toUInt()

    override fun transceive(apdu: ByteArray): ByteArray {
        val link = current ?: awaitNextLink()
        return try {
            link.transceive(apdu)
        } catch (e: IOException) {
            if (link.isTagLost(e)) lost(link, NfcException.TagLost()) else lost(link, NfcException.Timeout())
        } catch (e: SecurityException) {
            // "Permission Denial: Tag is out of date": the tag object belongs to an earlier discovery.
            lost(link, NfcException.TagLost())
        }
    }

    private fun lost(link: IsoDepLink, error: NfcException): Nothing {
        runCatching { link.close() }
        current = null
        throw error
    }

    private fun awaitNextLink(): IsoDepLink {
        val link = next.poll(reconnectTimeoutMs, TimeUnit.MILLISECONDS)
            ?: throw NfcException.Other("the card was not held to the phone again")
        try {
            prepare(link)
        } catch (e: IOException) {
            throw NfcException.TagLost()
        }
        reconnects++
        current = link
        return link
    }

    private fun prepare(link: IsoDepLink) {
        link.connect()
        link.timeoutMs = maxOf(link.timeoutMs, readTimeoutMs)
    }
}
