// The core's SecureArea over the Android Keystore (Android SDK only; the seal format and the
// public-key encoding are in SealedBox, unit-tested on the JVM).
package vn.vneid.android

import android.content.Context
import android.content.pm.PackageManager
import android.os.Build
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyPermanentlyInvalidatedException
import android.security.keystore.KeyProperties
import android.security.keystore.StrongBoxUnavailableException
import android.security.keystore.UserNotAuthenticatedException
import java.security.GeneralSecurityException
import java.security.KeyPairGenerator
import java.security.KeyStore
import java.security.PrivateKey
import java.security.ProviderException
import java.security.Signature
import java.security.interfaces.ECPublicKey
import java.security.spec.ECGenParameterSpec
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import vn.vneid.core.SecureArea
import vn.vneid.core.SecureAreaException

/**
 * P-256 signing keys and the sealing key live in the Android Keystore, in StrongBox when the
 * phone has one (API 28+, `FEATURE_STRONGBOX_KEYSTORE`), otherwise in the TEE.
 *
 * [userAuthenticationSeconds]: signing keys (device binding, credential keys) can only sign
 * within this many seconds of the user unlocking the phone or passing a BiometricPrompt /
 * device-credential prompt; a signature outside that window fails with
 * `UserAuthenticationRequired`, the core reports it, the app prompts and retries. Null: no
 * user authentication (for phones without a secure lock screen, where the Keystore refuses
 * authentication-bound keys). The sealing key (the store's data key) never needs
 * authentication: the wallet must open to show the lock screen.
 *
 * Keys are named `vneid.key.<alias>`; the sealing key is `vneid.seal` (no clash possible).
 */
class KeystoreSecureArea(
    context: Context,
    private val userAuthenticationSeconds: Int? = 300,
) : SecureArea {
    private val keyStore: KeyStore = KeyStore.getInstance(PROVIDER).apply { load(null) }
    private val hasStrongBox: Boolean = Build.VERSION.SDK_INT >= Build.VERSION_CODES.P &&
        context.packageManager.hasSystemFeature(PackageManager.FEATURE_STRONGBOX_KEYSTORE)

    override fun createKey(alias: String): ByteArray = guard("createKey") {
        val name = entry(alias)
        if (keyStore.containsAlias(name)) throw SecureAreaException.AliasExists()
        val pair = withStrongBoxFallback { strongBox ->
            val builder = KeyGenParameterSpec.Builder(name, KeyProperties.PURPOSE_SIGN)
                .setAlgorithmParameterSpec(ECGenParameterSpec("secp256r1"))
                .setDigests(KeyProperties.DIGEST_SHA256)
            userAuthenticationSeconds?.let { seconds ->
                builder.setUserAuthenticationRequired(true)
                if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.R) {
                    builder.setUserAuthenticationParameters(
                        seconds,
                        KeyProperties.AUTH_BIOMETRIC_STRONG or KeyProperties.AUTH_DEVICE_CREDENTIAL,
                    )
                } else {
                    @Suppress("DEPRECATION")
                    builder.setUserAuthenticationValidityDurationSeconds(seconds)
                }
            }
            if (strongBox) builder.setIsStrongBoxBacked(true)
            KeyPairGenerator.getInstance(KeyProperties.KEY_ALGORITHM_EC, PROVIDER)
                .apply { initialize(builder.build()) }
                .generateKeyPair()
        }
        SealedBox.sec1Uncompressed(pair.public as ECPublicKey)
    }

    override fun publicKey(alias: String): ByteArray = guard("publicKey") {
        val cert = keyStore.getCertificate(entry(alias)) ?: throw SecureAreaException.KeyNotFound()
        SealedBox.sec1Uncompressed(cert.publicKey as ECPublicKey)
    }

    override fun sign(alias: String, message: ByteArray): ByteArray = guard("sign") {
        val name = entry(alias)
        val key = keyStore.getKey(name, null) as? PrivateKey ?: throw SecureAreaException.KeyNotFound()
        try {
            // DER-encoded ECDSA, as the core expects.
            Signature.getInstance("SHA256withECDSA").run {
                initSign(key)
                update(message)
                sign()
            }
        } catch (e: UserNotAuthenticatedException) {
            throw SecureAreaException.UserAuthenticationRequired()
        } catch (e: KeyPermanentlyInvalidatedException) {
            // The lock screen was removed or biometrics re-enrolled: the key is gone for good,
            // the core treats the binding as lost (re-activation).
            keyStore.deleteEntry(name)
            throw SecureAreaException.KeyNotFound()
        }
    }

    override fun deleteKey(alias: String) = guard("deleteKey") {
        val name = entry(alias)
        if (keyStore.containsAlias(name)) keyStore.deleteEntry(name)
    }

    override fun seal(plaintext: ByteArray): ByteArray = guard("seal") {
        SealedBox.seal(sealingKey(create = true)!!, plaintext)
    }

    override fun unseal(sealed: ByteArray): ByteArray = guard("unseal") {
        // Without the sealing key (app data cleared, Keystore reset) nothing can be opened.
        SealedBox.unseal(sealingKey(create = false) ?: throw SecureAreaException.SealBroken(), sealed)
    }

    private fun sealingKey(create: Boolean): SecretKey? = synchronized(this) {
        (keyStore.getKey(SEAL_KEY, null) as? SecretKey)?.let { return it }
        if (!create) return null
        withStrongBoxFallback { strongBox ->
            val builder = KeyGenParameterSpec.Builder(
                SEAL_KEY, KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT,
            )
                .setKeySize(256)
                .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
                .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
            if (strongBox) builder.setIsStrongBoxBacked(true)
            KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES, PROVIDER)
                .apply { init(builder.build()) }
                .generateKey()
        }
    }

    /** StrongBox first when the phone has one; `StrongBoxUnavailableException` → the TEE. */
    private fun <T> withStrongBoxFallback(generate: (Boolean) -> T): T {
        if (hasStrongBox) {
            try {
                return generate(true)
            } catch (e: StrongBoxUnavailableException) {
                // Some StrongBox chips refuse a parameter (or are busy): fall back to the TEE.
            }
        }
        return generate(false)
    }

    /** Typed errors pass through; any other Keystore failure becomes `Platform`. */
    private inline fun <T> guard(what: String, block: () -> T): T =
        try {
            block()
        } catch (e: SecureAreaException) {
            throw e
        } catch (e: GeneralSecurityException) {
            throw SecureAreaException.Platform("$what: ${e.javaClass.simpleName}")
        } catch (e: ProviderException) {
            throw SecureAreaException.Platform("$what: ${e.javaClass.simpleName}")
        } catch (e: IllegalStateException) {
            // e.g. "Secure lock screen must be enabled" for an authentication-bound key.
            throw SecureAreaException.Platform("$what: ${e.message}")
        }

    private fun entry(alias: String) = "vneid.key.$alias"

    private companion object {
        const val PROVIDER = "AndroidKeyStore"
        const val SEAL_KEY = "vneid.seal"
    }
}
