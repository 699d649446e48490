// A SecureArea written in Kotlin on the JVM's own crypto: P-256 keys from java.security,
// sealing with AES-256-GCM. The Android adapter does the same with Keystore-held keys; this
// one proves the core calls back into Kotlin for every key operation.
package vn.vneid.foreigntest

import java.math.BigInteger
import java.security.KeyPair
import java.security.KeyPairGenerator
import java.security.SecureRandom
import java.security.Signature
import java.security.interfaces.ECPublicKey
import java.security.spec.ECGenParameterSpec
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.atomic.AtomicInteger
import javax.crypto.AEADBadTagException
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec
import vn.vneid.core.SecureArea
import vn.vneid.core.SecureAreaException

class JvmSecureArea : SecureArea {
    private val keys = ConcurrentHashMap<String, KeyPair>()
    private val sealKey: SecretKey = KeyGenerator.getInstance("AES").apply { init(256) }.generateKey()
    private val random = SecureRandom()

    /** How many times Rust called each operation. */
    val calls = ConcurrentHashMap<String, AtomicInteger>()

    private fun count(op: String) {
        calls.computeIfAbsent(op) { AtomicInteger() }.incrementAndGet()
    }

    fun aliases(): Set<String> = keys.keys.toSet()

    override fun createKey(alias: String): ByteArray {
        count("createKey")
        val generator = KeyPairGenerator.getInstance("EC")
        generator.initialize(ECGenParameterSpec("secp256r1"), random)
        val pair = generator.generateKeyPair()
        if (keys.putIfAbsent(alias, pair) != null) throw SecureAreaException.AliasExists()
        return uncompressed(pair.public as ECPublicKey)
    }

    override fun publicKey(alias: String): ByteArray {
        count("publicKey")
        val pair = keys[alias] ?: throw SecureAreaException.KeyNotFound()
        return uncompressed(pair.public as ECPublicKey)
    }

    override fun sign(alias: String, message: ByteArray): ByteArray {
        count("sign")
        val pair = keys[alias] ?: throw SecureAreaException.KeyNotFound()
        // DER-encoded ECDSA over SHA-256, as the Android Keystore returns it.
        return Signature.getInstance("SHA256withECDSA").run {
            initSign(pair.private)
            update(message)
            sign()
        }
    }

    override fun deleteKey(alias: String) {
        count("deleteKey")
        keys.remove(alias)
    }

    override fun seal(plaintext: ByteArray): ByteArray {
        count("seal")
        val iv = ByteArray(12).also(random::nextBytes)
        val cipher = Cipher.getInstance("AES/GCM/NoPadding")
        cipher.init(Cipher.ENCRYPT_MODE, sealKey, GCMParameterSpec(128, iv))
        return iv + cipher.doFinal(plaintext)
    }

    override fun unseal(sealed: ByteArray): ByteArray {
        count("unseal")
        if (sealed.size < 12 + 16) throw SecureAreaException.SealBroken()
        val cipher = Cipher.getInstance("AES/GCM/NoPadding")
        cipher.init(Cipher.DECRYPT_MODE, sealKey, GCMParameterSpec(128, sealed, 0, 12))
        return try {
            cipher.doFinal(sealed, 12, sealed.size - 12)
        } catch (e: AEADBadTagException) {
            throw SecureAreaException.SealBroken()
        }
    }

    private fun uncompressed(key: ECPublicKey): ByteArray {
        fun coordinate(v: BigInteger): ByteArray {
            val raw = v.toByteArray()
            return when {
                raw.size == 32 -> raw
                raw.size > 32 -> raw.copyOfRange(raw.size - 32, raw.size)
                else -> ByteArray(32 - raw.size) + raw
            }
        }
        return byteArrayOf(4) + coordinate(key.w.affineX) + coordinate(key.w.affineY)
    }
}

/** A secure area whose hardware is gone: every operation fails. */
class BrokenSecureArea : SecureArea {
    private fun broken(): Nothing = throw SecureAreaException.Platform("keystore unavailable")
    override fun createKey(alias: String): ByteArray = broken()
    override fun publicKey(alias: String): ByteArray = broken()
    override fun sign(alias: String, message: ByteArray): ByteArray = broken()
    override fun deleteKey(alias: String) = broken()
    override fun seal(plaintext: ByteArray): ByteArray = broken()
    override fun unseal(sealed: ByteArray): ByteArray = broken()
}
