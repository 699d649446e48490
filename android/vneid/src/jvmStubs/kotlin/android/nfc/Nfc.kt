@file:Suppress("unused")

package android.nfc

class Tag private constructor() {
    val id: ByteArray get() = throw UnsupportedOperationException("android.jar stub")
    val techList: Array<String> get() = throw UnsupportedOperationException("android.jar stub")
}

open class TagLostException : java.io.IOException()
