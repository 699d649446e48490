@file:Suppress("unused", "UNUSED_PARAMETER")

package android.content.pm

abstract class PackageManager {
    abstract fun hasSystemFeature(name: String): Boolean

    companion object {
        const val FEATURE_STRONGBOX_KEYSTORE: String = "android.hardware.strongbox_keystore"
        const val FEATURE_NFC: String = "android.hardware.nfc"
    }
}
