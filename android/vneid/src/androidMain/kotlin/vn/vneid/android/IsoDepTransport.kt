// NFC transport over android.nfc.tech.IsoDep (Android SDK only; the logic is in
// ResumableNfcTransport, unit-tested on the JVM).
package vn.vneid.android

import android.nfc.Tag
import android.nfc.TagLostException
import android.nfc.tech.IsoDep
import java.io.IOException

/** [IsoDepLink] over the platform class. */
class IsoDepLinkImpl(private val isoDep: IsoDep) : IsoDepLink {
    override val maxTransceiveLength: Int get() = isoDep.maxTransceiveLength
    override val isExtendedLengthApduSupported: Boolean get() = isoDep.isExtendedLengthApduSupported
    override var timeoutMs: Int
        get() = isoDep.timeout
        set(value) {
            isoDep.timeout = value
        }

    override fun connect() {
        if (!isoDep.isConnected) isoDep.connect()
    }

    override fun close() = isoDep.close()
    override fun transceive(apdu: ByteArray): ByteArray = isoDep.transceive(apdu)
    override fun isTagLost(e: IOException): Boolean = e is TagLostException
}

/**
 * The chip reader's transport for a card found in NFC reader mode. Use:
 *
 * ```kotlin
 * nfcAdapter.enableReaderMode(activity, { tag ->
 *     val t = transport
 *     if (t == null) transport = IsoDepTransport.from(tag)?.also { startRead(it) }  // first discovery
 *     else IsoDepTransport.link(tag)?.let(t::offer)                                 // card held again
 * }, NfcAdapter.FLAG_READER_NFC_A or NfcAdapter.FLAG_READER_NFC_B or
 *    NfcAdapter.FLAG_READER_SKIP_NDEF_CHECK, null)
 * ```
 *
 * When the card leaves the field the core resumes the read as soon as the next discovery is
 * offered (within 20 s), so forward every discovery while a read is running.
 */
object IsoDepTransport {
    /** A transport for [tag], connected; null when the tag does not speak ISO-DEP. */
    @Throws(IOException::class)
    fun from(tag: Tag, readTimeoutMs: Int = 10_000, reconnectTimeoutMs: Long = 20_000): ResumableNfcTransport? =
        link(tag)?.let { ResumableNfcTransport(it, readTimeoutMs, reconnectTimeoutMs) }

    /** The link for a later discovery of the same card, for [ResumableNfcTransport.offer]. */
    fun link(tag: Tag): IsoDepLink? = IsoDep.get(tag)?.let { IsoDepLinkImpl(it) }
}
