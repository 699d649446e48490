// Test doubles: an IsoDepLink over the virtual CCCD of fixtures/chip, behaving like
// android.nfc.tech.IsoDep (connect before use, TagLostException when the card leaves).
package vn.vneid.foreigntest

import java.io.IOException
import java.util.concurrent.atomic.AtomicInteger
import vn.vneid.android.IsoDepLink
import vn.vneid.core.CardAccessKey
import vn.vneid.core.VirtualChip
import vn.vneid.core.VirtualCitizen

/** Stands in for android.nfc.TagLostException. */
class FakeTagLost : IOException("Tag was lost.")

/**
 * One discovery of [chip]. After [loseAfter] APDUs the card leaves the field: it forgets its
 * session and every later transceive on this link throws [FakeTagLost], like a stale IsoDep.
 */
class VirtualIsoDep(
    private val chip: VirtualChip,
    override val maxTransceiveLength: Int = 65_546,
    override val isExtendedLengthApduSupported: Boolean = true,
    private val loseAfter: Int? = null,
    private val apduDelayMs: Long = 0,
    /** Shared across the links of one card: APDUs the card answered. */
    val counter: AtomicInteger = AtomicInteger(),
) : IsoDepLink {
    override var timeoutMs: Int = 618
    @Volatile var connected = false
        private set
    private var sent = 0
    private var lost = false

    override fun connect() {
        if (lost) throw FakeTagLost()
        connected = true
    }

    override fun close() {
        connected = false
    }

    override fun transceive(apdu: ByteArray): ByteArray {
        if (!connected) throw IllegalStateException("transceive before connect")
        if (lost || (loseAfter != null && sent >= loseAfter)) {
            if (!lost) chip.removeFromField()
            lost = true
            throw FakeTagLost()
        }
        sent++
        if (apduDelayMs > 0) Thread.sleep(apduDelayMs)
        counter.incrementAndGet()
        return chip.transceive(apdu)
    }

    override fun isTagLost(e: IOException): Boolean = e is FakeTagLost
}

fun accessKey(c: VirtualCitizen) = CardAccessKey(c.idNumber, c.dateOfBirth, c.dateOfExpiry, null)
