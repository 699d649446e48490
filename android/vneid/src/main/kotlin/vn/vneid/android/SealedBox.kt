// The format of KeystoreSecureArea's sealed data and its public keys, in plain JCA so it is
// unit-tested on the JVM with a software key (the Keystore key only changes where the key lives).
package vn.vneid.android

import java.math.BigInteger
import java.security.interfaces.ECPublicKey
import javax.crypto.AEADBadTagException
import javax.crypto.Cipher
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec
import vn.vneid.core.SecureAreaException

/**
 * `version(1) || iv(12) || AES-256-GCM ciphertext+tag(16)`, with a fixed associated data that
 * names the purpose. The IV is chosen by the cipher (the Android Keystore refuses caller IVs).
 */
object SealedBox {
    private const val VERSION: Byte = 1
    private const val IV_LEN = 12
    private const val TAG_BITS = 128
    private val AAD = "vn.vneid.android.seal.v1".toByteArray()

    fun seal(key: SecretKey, plaintext: ByteArray): ByteArray {
        val cipher = Cipher.getInstance("AES/GCM/NoPadding")
        cipher.init(Cipher.ENCRYPT_MODE, key)
        cipher.updateAAD(AAD)
        val body = cipher.doFinal(plaintext)
        val iv = cipher.iv
        if (iv == null || iv.size != IV_LEN) throw SecureAreaException.Platform("unexpected GCM IV length ${iv?.size}")
        return byteArrayOf(VERSION) + iv + body
    }

    /** Throws [SecureAreaException.SealBroken] for anything that is not an intact box of this key. */
    fun unseal(key: SecretKey, sealed: ByteArray): ByteArray {
        if (sealed.size < 1 + IV_LEN + TAG_BITS / 8 || sealed[0] != VERSION) throw SecureAreaException.SealBroken()
        val cipher = Cipher.getInstance("AES/GCM/NoPadding")
        try {
            cipher.init(Cipher.DECRYPT_MODE, key, GCMParameterSpec(TAG_BITS, sealed, 1, IV_LEN))
            cipher.updateAAD(AAD)
            return cipher.doFinal(sealed, 1 + IV_LEN, sealed.size - 1 - IV_LEN)
        } catch (e: AEADBadTagException) {
            throw SecureAreaException.SealBroken()
        }
    }

    /** SEC1 uncompressed point (65 bytes) of a P-256 public key, as the core expects. */
    fun sec1Uncompressed(key: ECPublicKey): ByteArray {
        if (key.params.curve.field.fieldSize != 256) throw SecureAreaException.Platform("not a P-256 key")
        return byteArrayOf(4) + fixed32(key.w.affineX) + fixed32(key.w.affineY)
    }

    private fun fixed32(n: BigInteger): ByteArray {
        val raw = n.toByteArray().dropWhile { it == 0.toByte() }.toByteArray()
        if (raw.size > 32) throw SecureAreaException.Platform("coordinate too long")
        return ByteArray(32 - raw.size) + raw
    }
}
