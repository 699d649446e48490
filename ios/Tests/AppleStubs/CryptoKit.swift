// Compile-only stand-in for Apple's CryptoKit (see README.md).
import Foundation
import Security

private func stub() -> Never { fatalError("Apple CryptoKit stub") }

public enum CryptoKitError: Error { case authenticationFailure, incorrectKeySize, incorrectParameterSize }
public protocol HashFunction {}
public struct SHA256: HashFunction {}

public struct SymmetricKeySize { public static var bits256: SymmetricKeySize { stub() } }
public struct SymmetricKey {
    public init(size: SymmetricKeySize) { stub() }
    public init<D: ContiguousBytes>(data: D) { stub() }
}

public struct SharedSecret {
    public func hkdfDerivedSymmetricKey<H: HashFunction, Salt: DataProtocol, Info: DataProtocol>(
        using hashFunction: H.Type, salt: Salt, sharedInfo: Info, outputByteCount: Int) -> SymmetricKey { stub() }
}

public enum P256 {
    public enum Signing {
        public struct ECDSASignature { public var derRepresentation: Data { stub() } }
        public struct PublicKey { public var x963Representation: Data { stub() } }
        public struct PrivateKey {
            public init() { stub() }
            public init<D: ContiguousBytes>(rawRepresentation: D) throws { stub() }
            public var rawRepresentation: Data { stub() }
            public var publicKey: PublicKey { stub() }
            public func signature<D: DataProtocol>(for data: D) throws -> ECDSASignature { stub() }
        }
    }

    public enum KeyAgreement {
        public struct PublicKey {
            public init<D: ContiguousBytes>(x963Representation: D) throws { stub() }
            public var x963Representation: Data { stub() }
        }
        public struct PrivateKey {
            public init() { stub() }
            public init<D: ContiguousBytes>(rawRepresentation: D) throws { stub() }
            public var rawRepresentation: Data { stub() }
            public var publicKey: PublicKey { stub() }
            public func sharedSecretFromKeyAgreement(with publicKeyShare: PublicKey) throws -> SharedSecret { stub() }
        }
    }
}

public enum SecureEnclave {
    public static var isAvailable: Bool { stub() }

    public enum P256 {
        public enum Signing {
            public struct PrivateKey {
                public init(compactRepresentable: Bool = true, accessControl: SecAccessControl) throws { stub() }
                public init(dataRepresentation: Data) throws { stub() }
                public var dataRepresentation: Data { stub() }
                public var publicKey: CryptoKit.P256.Signing.PublicKey { stub() }
                public func signature<D: DataProtocol>(for data: D) throws -> CryptoKit.P256.Signing.ECDSASignature { stub() }
            }
        }

        public enum KeyAgreement {
            public struct PrivateKey {
                public init(compactRepresentable: Bool = true, accessControl: SecAccessControl) throws { stub() }
                public init(dataRepresentation: Data) throws { stub() }
                public var dataRepresentation: Data { stub() }
                public var publicKey: CryptoKit.P256.KeyAgreement.PublicKey { stub() }
                public func sharedSecretFromKeyAgreement(
                    with publicKeyShare: CryptoKit.P256.KeyAgreement.PublicKey) throws -> SharedSecret { stub() }
            }
        }
    }
}

public enum AES {
    public enum GCM {
        public struct Nonce {}
        public struct SealedBox {
            public init<D: DataProtocol>(combined: D) throws { stub() }
            public var combined: Data? { stub() }
        }
        public static func seal<P: DataProtocol, A: DataProtocol>(
            _ message: P, using key: SymmetricKey, nonce: Nonce? = nil, authenticating: A) throws -> SealedBox { stub() }
        public static func open<A: DataProtocol>(
            _ box: SealedBox, using key: SymmetricKey, authenticating: A) throws -> Data { stub() }
    }
}
