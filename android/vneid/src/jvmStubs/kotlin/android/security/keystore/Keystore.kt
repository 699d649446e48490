@file:Suppress("unused", "UNUSED_PARAMETER")

package android.security.keystore

import java.security.spec.AlgorithmParameterSpec

class KeyGenParameterSpec private constructor() : AlgorithmParameterSpec {
    class Builder(keystoreAlias: String, purposes: Int) {
        fun setAlgorithmParameterSpec(spec: AlgorithmParameterSpec): Builder = stub()
        fun setDigests(vararg digests: String): Builder = stub()
        fun setKeySize(keySize: Int): Builder = stub()
        fun setBlockModes(vararg blockModes: String): Builder = stub()
        fun setEncryptionPaddings(vararg paddings: String): Builder = stub()
        fun setUserAuthenticationRequired(required: Boolean): Builder = stub()
        fun setUserAuthenticationParameters(timeout: Int, type: Int): Builder = stub()
        @Deprecated("API 30: setUserAuthenticationParameters")
        fun setUserAuthenticationValidityDurationSeconds(seconds: Int): Builder = stub()
        fun setIsStrongBoxBacked(isStrongBoxBacked: Boolean): Builder = stub()
        fun build(): KeyGenParameterSpec = stub()
    }
}

object KeyProperties {
    const val PURPOSE_ENCRYPT: Int = 1
    const val PURPOSE_DECRYPT: Int = 2
    const val PURPOSE_SIGN: Int = 4
    const val PURPOSE_VERIFY: Int = 8
    const val KEY_ALGORITHM_EC: String = "EC"
    const val KEY_ALGORITHM_AES: String = "AES"
    const val DIGEST_SHA256: String = "SHA-256"
    const val BLOCK_MODE_GCM: String = "GCM"
    const val ENCRYPTION_PADDING_NONE: String = "NoPadding"
    const val AUTH_DEVICE_CREDENTIAL: Int = 1
    const val AUTH_BIOMETRIC_STRONG: Int = 2
}

class StrongBoxUnavailableException : java.security.ProviderException()
open class UserNotAuthenticatedException : java.security.InvalidKeyException()
class KeyPermanentlyInvalidatedException : java.security.InvalidKeyException()

private fun stub(): Nothing = throw UnsupportedOperationException("android.jar stub")
