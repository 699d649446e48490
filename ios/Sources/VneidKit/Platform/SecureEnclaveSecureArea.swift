// The core's SecureArea over the Secure Enclave (CryptoKit) and the Keychain (Apple platforms
// only; compiled out on Linux).
#if canImport(CryptoKit) && canImport(Security)
import CryptoKit
import Foundation
import Security
import VneidCore

/// P-256 signing keys created in the Secure Enclave (a software key in the Keychain on the
/// simulator, which has none); only the enclave-encrypted key blob is stored, in the Keychain,
/// this device only. Sealing (the store's data key) is ECIES to an enclave key-agreement key:
/// ephemeral P-256 ECDH → HKDF-SHA256 → AES-256-GCM, so only this phone's enclave can unseal.
///
/// `signingKeysRequireUserPresence`: signing (device binding, credential keys) asks for Face ID
/// / Touch ID / the device passcode; a refusal reaches the core as `UserAuthenticationRequired`.
/// The sealing key never asks: the wallet must open to show its own lock screen.
public final class SecureEnclaveSecureArea: SecureArea, @unchecked Sendable {
    private let service: String
    private let accessGroup: String?
    private let requireUserPresence: Bool
    private let lock = NSLock()
    private static let sealInfo = Data("vn.vneid.ios.seal.v1".utf8)
    private static let sealAccount = "seal-key"

    public init(service: String = "vn.vneid.secure-area", accessGroup: String? = nil,
                signingKeysRequireUserPresence: Bool = false) {
        self.service = service
        self.accessGroup = accessGroup
        self.requireUserPresence = signingKeysRequireUserPresence
    }

    // MARK: SecureArea

    public func createKey(alias: String) throws -> Data {
        try locked {
            let account = "key." + alias
            if try read(account) != nil { throw SecureAreaError.AliasExists }
            let (blob, publicKey) = try newSigningKey()
            try add(account, blob)
            return publicKey.x963Representation
        }
    }

    public func publicKey(alias: String) throws -> Data {
        guard let blob = try read("key." + alias) else { throw SecureAreaError.KeyNotFound }
        return try signingKey(blob).publicKey.x963Representation
    }

    public func sign(alias: String, message: Data) throws -> Data {
        guard let blob = try read("key." + alias) else { throw SecureAreaError.KeyNotFound }
        do {
            return try signingKey(blob).signature(message).derRepresentation
        } catch let e as SecureAreaError {
            throw e
        } catch {
            // LocalAuthentication refused (cancelled, failed, not enrolled) or the enclave failed.
            if (error as NSError).domain == "com.apple.LocalAuthentication" { throw SecureAreaError.UserAuthenticationRequired }
            throw SecureAreaError.Platform(reason: "sign: \(type(of: error))")
        }
    }

    public func deleteKey(alias: String) throws {
        try delete("key." + alias)
    }

    public func seal(plaintext: Data) throws -> Data {
        let recipient = try locked { try sealingKey(create: true)! }.publicKey
        let ephemeral = P256.KeyAgreement.PrivateKey()
        let ephemeralPublic = ephemeral.publicKey.x963Representation
        do {
            let shared = try ephemeral.sharedSecretFromKeyAgreement(with: recipient)
            let key = Self.derive(shared, ephemeralPublic)
            let box = try AES.GCM.seal(plaintext, using: key, authenticating: Self.sealInfo)
            guard let combined = box.combined else { throw SecureAreaError.Platform(reason: "seal: no combined box") }
            return Data([1]) + ephemeralPublic + combined
        } catch let e as SecureAreaError {
            throw e
        } catch {
            throw SecureAreaError.Platform(reason: "seal: \(type(of: error))")
        }
    }

    public func unseal(sealed: Data) throws -> Data {
        let bytes = [UInt8](sealed)
        guard bytes.count > 1 + 65 + 12 + 16, bytes[0] == 1 else { throw SecureAreaError.SealBroken }
        // Without the sealing key (Keychain reset, restored to another phone) nothing opens.
        guard let recipient = try locked({ try sealingKey(create: false) }) else { throw SecureAreaError.SealBroken }
        let ephemeralPublic = Data(bytes[1..<66])
        do {
            let sender = try P256.KeyAgreement.PublicKey(x963Representation: ephemeralPublic)
            let shared = try recipient.sharedSecret(with: sender)
            let key = Self.derive(shared, ephemeralPublic)
            let box = try AES.GCM.SealedBox(combined: Data(bytes[66...]))
            return try AES.GCM.open(box, using: key, authenticating: Self.sealInfo)
        } catch {
            throw SecureAreaError.SealBroken
        }
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    // MARK: keys

    /// A signing key: the enclave's (tag 1 + its encrypted blob) or a software one (tag 0 + raw).
    private enum SigningKey {
        case enclave(SecureEnclave.P256.Signing.PrivateKey)
        case software(P256.Signing.PrivateKey)

        var publicKey: P256.Signing.PublicKey {
            switch self {
            case let .enclave(k): return k.publicKey
            case let .software(k): return k.publicKey
            }
        }

        func signature(_ message: Data) throws -> P256.Signing.ECDSASignature {
            switch self {
            case let .enclave(k): return try k.signature(for: message)
            case let .software(k): return try k.signature(for: message)
            }
        }
    }

    private func newSigningKey() throws -> (Data, P256.Signing.PublicKey) {
        do {
            if SecureEnclave.isAvailable {
                var flags: SecAccessControlCreateFlags = [.privateKeyUsage]
                if requireUserPresence { flags.insert(.userPresence) }
                let key = try SecureEnclave.P256.Signing.PrivateKey(accessControl: try accessControl(flags))
                return (Data([1]) + key.dataRepresentation, key.publicKey)
            }
            let key = P256.Signing.PrivateKey()
            return (Data([0]) + key.rawRepresentation, key.publicKey)
        } catch let e as SecureAreaError {
            throw e
        } catch {
            throw SecureAreaError.Platform(reason: "createKey: \(type(of: error))")
        }
    }

    private func signingKey(_ blob: Data) throws -> SigningKey {
        guard let tag = blob.first else { throw SecureAreaError.KeyNotFound }
        do {
            switch tag {
            case 1: return .enclave(try SecureEnclave.P256.Signing.PrivateKey(dataRepresentation: blob.dropFirst()))
            case 0: return .software(try P256.Signing.PrivateKey(rawRepresentation: blob.dropFirst()))
            default: throw SecureAreaError.KeyNotFound
            }
        } catch let e as SecureAreaError {
            throw e
        } catch {
            // The enclave no longer accepts the blob (device restored, key invalidated).
            throw SecureAreaError.KeyNotFound
        }
    }

    /// The ECIES recipient key: the enclave's key-agreement key, or a software one on the simulator.
    private enum SealingKey {
        case enclave(SecureEnclave.P256.KeyAgreement.PrivateKey)
        case software(P256.KeyAgreement.PrivateKey)

        var publicKey: P256.KeyAgreement.PublicKey {
            switch self {
            case let .enclave(k): return k.publicKey
            case let .software(k): return k.publicKey
            }
        }

        func sharedSecret(with other: P256.KeyAgreement.PublicKey) throws -> SharedSecret {
            switch self {
            case let .enclave(k): return try k.sharedSecretFromKeyAgreement(with: other)
            case let .software(k): return try k.sharedSecretFromKeyAgreement(with: other)
            }
        }
    }

    private func sealingKey(create: Bool) throws -> SealingKey? {
        if let blob = try read(Self.sealAccount), let tag = blob.first {
            do {
                switch tag {
                case 1: return .enclave(try SecureEnclave.P256.KeyAgreement.PrivateKey(dataRepresentation: blob.dropFirst()))
                case 0: return .software(try P256.KeyAgreement.PrivateKey(rawRepresentation: blob.dropFirst()))
                default: return nil
                }
            } catch {
                return nil
            }
        }
        guard create else { return nil }
        do {
            if SecureEnclave.isAvailable {
                let key = try SecureEnclave.P256.KeyAgreement.PrivateKey(accessControl: try accessControl([.privateKeyUsage]))
                try add(Self.sealAccount, Data([1]) + key.dataRepresentation)
                return .enclave(key)
            }
            let key = P256.KeyAgreement.PrivateKey()
            try add(Self.sealAccount, Data([0]) + key.rawRepresentation)
            return .software(key)
        } catch let e as SecureAreaError {
            throw e
        } catch {
            throw SecureAreaError.Platform(reason: "seal key: \(type(of: error))")
        }
    }

    private static func derive(_ shared: SharedSecret, _ ephemeralPublic: Data) -> SymmetricKey {
        shared.hkdfDerivedSymmetricKey(using: SHA256.self, salt: ephemeralPublic, sharedInfo: sealInfo, outputByteCount: 32)
    }

    private func accessControl(_ flags: SecAccessControlCreateFlags) throws -> SecAccessControl {
        var error: Unmanaged<CFError>?
        guard let access = SecAccessControlCreateWithFlags(nil, kSecAttrAccessibleWhenUnlockedThisDeviceOnly, flags, &error) else {
            throw SecureAreaError.Platform(reason: "access control: \(String(describing: error?.takeRetainedValue()))")
        }
        return access
    }

    // MARK: Keychain (generic passwords, this device only, never synced)

    private func query(_ account: String) -> [String: Any] {
        var q: [String: Any] = [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: service,
            kSecAttrAccount as String: account,
        ]
        if let accessGroup { q[kSecAttrAccessGroup as String] = accessGroup }
        return q
    }

    private func read(_ account: String) throws -> Data? {
        var q = query(account)
        q[kSecReturnData as String] = true
        q[kSecMatchLimit as String] = kSecMatchLimitOne
        var out: CFTypeRef?
        let status = SecItemCopyMatching(q as CFDictionary, &out)
        switch status {
        case errSecSuccess: return out as? Data
        case errSecItemNotFound: return nil
        default: throw SecureAreaError.Platform(reason: "keychain read: \(status)")
        }
    }

    private func add(_ account: String, _ data: Data) throws {
        var q = query(account)
        q[kSecValueData as String] = data
        q[kSecAttrAccessible as String] = kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly
        let status = SecItemAdd(q as CFDictionary, nil)
        switch status {
        case errSecSuccess: return
        case errSecDuplicateItem: throw SecureAreaError.AliasExists
        default: throw SecureAreaError.Platform(reason: "keychain add: \(status)")
        }
    }

    private func delete(_ account: String) throws {
        let status = SecItemDelete(query(account) as CFDictionary)
        guard status == errSecSuccess || status == errSecItemNotFound else {
            throw SecureAreaError.Platform(reason: "keychain delete: \(status)")
        }
    }
}
#endif
