@file:Suppress("unused", "UNUSED_PARAMETER")

package android.nfc.tech

import android.nfc.Tag

class IsoDep private constructor() : java.io.Closeable {
    val isConnected: Boolean get() = stub()
    var timeout: Int
        get() = stub()
        set(value) = stub()
    val maxTransceiveLength: Int get() = stub()
    val isExtendedLengthApduSupported: Boolean get() = stub()
    val tag: Tag get() = stub()

    @Throws(java.io.IOException::class)
    fun connect(): Unit = stub()

    @Throws(java.io.IOException::class)
    override fun close(): Unit = stub()

    @Throws(java.io.IOException::class)
    fun transceive(data: ByteArray): ByteArray = stub()

    companion object {
        @JvmStatic fun get(tag: Tag): IsoDep? = stub()
    }
}

private fun stub(): Nothing = throw UnsupportedOperationException("android.jar stub")
