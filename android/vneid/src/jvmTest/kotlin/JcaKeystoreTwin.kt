// KeystoreSecureArea's logic with JCA software keys instead of the Android Keystore: the same
// SealedBox format, SEC1 public keys and DER signatures, so the JVM tests prove the core and the
// backend accept exactly what the Keystore adapter produces.
package vn.vneid.foreigntest

import java.security.KeyPair
import java.security.KeyPairGenerator
import java.security.Signature
import java.security.interfaces.ECPublicKey
import java.security.spec.ECGenParameterSpec
import java.util.concurrent.ConcurrentHashMap
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import vn.vneid.android.SealedBox
import vn.vneid.core.SecureArea
import vn.vneid.core.SecureAreaException

/** Keys survive "restarts" of the wallet as the Keystore's do: share one instance across opens. */
class JcaKeystoreTwin : SecureArea {
    private val keys = ConcurrentHashMap<String, KeyPair>()
    private val sealKey: SecretKey = KeyGenerator.getInstance("AES").apply { init(256) }.generateKey()
    val sealed = java.util.concurrent.atomic.AtomicInteger()
    val unsealed = java.util.concurrent.atomic.AtomicInteger()

    override fun createKey(alias: String): ByteArray {
        if (keys.containsKey(alias)) throw SecureAreaException.AliasExists()
        val pair = KeyPairGenerator.getInstance("EC").apply { initialize(ECGenParameterSpec("secp256r1")) }.generateKeyPair()
        keys[alias] = pair
        return SealedBox.sec1Uncompressed(pair.public as ECPublicKey)
    }

    override fun publicKey(alias: String): ByteArray =
        SealedBox.sec1Uncompressed((keys[alias] ?: throw SecureAreaException.KeyNotFound()).public as ECPublicKey)

    override fun sign(alias: String, message: ByteArray): ByteArray {
        val pair = keys[alias] ?: throw SecureAreaException.KeyNotFound()
        return Signature.getInstance("SHA256withECDSA").run { initSign(pair.private); update(message); sign() }
    }

    override fun deleteKey(alias: String) {
        keys.remove(alias)
    }

    override fun seal(plaintext: ByteArray): ByteArray = SealedBox.seal(sealKey, plaintext).also { sealed.incrementAndGet() }

    override fun unseal(sealed: ByteArray): ByteArray = SealedBox.unseal(sealKey, sealed).also { unsealed.incrementAndGet() }
}
