// A SecureArea written in Swift. On iOS the adapter uses the Secure Enclave and the Keychain
// (CryptoKit); CryptoKit is not on Linux, so this test implementation uses OpenSSL through
// the COpenSSL module: P-256 keys by alias, DER ECDSA-SHA256 signatures, AES-256-GCM sealing.
import COpenSSL
import Foundation
import VneidCore

final class OpenSSLSecureArea: SecureArea, @unchecked Sendable {
    private let lock = NSLock()
    private var keys: [String: OpaquePointer] = [:]
    private var sealKey = [UInt8](repeating: 0, count: 32)
    private var counts: [String: Int] = [:]

    init() {
        precondition(vneid_random(&sealKey, 32) == 1, "RAND_bytes failed")
    }

    deinit {
        for (_, key) in keys { vneid_pkey_free(key) }
    }

    /// How many times Rust called each operation.
    func calls(_ op: String) -> Int { lock.withLock { counts[op] ?? 0 } }
    var aliases: [String] { lock.withLock { Array(keys.keys) } }

    private func count(_ op: String) { lock.withLock { counts[op, default: 0] += 1 } }

    private func key(_ alias: String) throws -> OpaquePointer {
        guard let k = lock.withLock({ keys[alias] }) else { throw SecureAreaError.KeyNotFound }
        return k
    }

    private static func publicPoint(_ key: OpaquePointer) throws -> Data {
        var out = [UInt8](repeating: 0, count: 65)
        guard vneid_p256_public(key, &out) == 1 else { throw SecureAreaError.Platform(reason: "public key export") }
        return Data(out)
    }

    func createKey(alias: String) throws -> Data {
        count("createKey")
        guard let k = vneid_p256_generate() else { throw SecureAreaError.Platform(reason: "key generation") }
        let inserted: Bool = lock.withLock {
            if keys[alias] != nil { return false }
            keys[alias] = k
            return true
        }
        guard inserted else {
            vneid_pkey_free(k)
            throw SecureAreaError.AliasExists
        }
        return try Self.publicPoint(k)
    }

    func publicKey(alias: String) throws -> Data {
        count("publicKey")
        return try Self.publicPoint(try key(alias))
    }

    func sign(alias: String, message: Data) throws -> Data {
        count("sign")
        let k = try key(alias)
        var out = [UInt8](repeating: 0, count: 80)
        let msg = [UInt8](message)
        let len = vneid_p256_sign(k, msg, msg.count, &out, out.count)
        guard len > 0 else { throw SecureAreaError.Platform(reason: "signing") }
        return Data(out.prefix(len))
    }

    func deleteKey(alias: String) throws {
        count("deleteKey")
        if let k = lock.withLock({ keys.removeValue(forKey: alias) }) { vneid_pkey_free(k) }
    }

    func seal(plaintext: Data) throws -> Data {
        count("seal")
        var iv = [UInt8](repeating: 0, count: 12)
        guard vneid_random(&iv, 12) == 1 else { throw SecureAreaError.Platform(reason: "random") }
        let input = [UInt8](plaintext)
        var out = [UInt8](repeating: 0, count: input.count + 16)
        guard vneid_gcm_seal(sealKey, iv, input, Int32(input.count), &out) == 1 else {
            throw SecureAreaError.Platform(reason: "seal")
        }
        return Data(iv + out)
    }

    func unseal(sealed: Data) throws -> Data {
        count("unseal")
        let bytes = [UInt8](sealed)
        guard bytes.count >= 12 + 16 else { throw SecureAreaError.SealBroken }
        let iv = Array(bytes[0..<12])
        let body = Array(bytes[12...])
        var out = [UInt8](repeating: 0, count: body.count)
        guard vneid_gcm_open(sealKey, iv, body, Int32(body.count), &out) == 1 else {
            throw SecureAreaError.SealBroken
        }
        return Data(out.prefix(body.count - 16))
    }
}

/// A secure area whose hardware is gone: every operation fails.
final class BrokenSecureArea: SecureArea, @unchecked Sendable {
    private func broken() -> SecureAreaError { .Platform(reason: "secure enclave unavailable") }
    func createKey(alias: String) throws -> Data { throw broken() }
    func publicKey(alias: String) throws -> Data { throw broken() }
    func sign(alias: String, message: Data) throws -> Data { throw broken() }
    func deleteKey(alias: String) throws { throw broken() }
    func seal(plaintext: Data) throws -> Data { throw broken() }
    func unseal(sealed: Data) throws -> Data { throw broken() }
}
