//! The secure area: the platform's hardware-backed key store, behind a small trait.
//!
//! Android implements it with the Keystore (StrongBox when present), iOS with the Secure
//! Enclave and the Keychain. [`SoftwareSecureArea`] is the desktop/CLI/test implementation.
//! The core calls it without holding any lock, since implementations may be foreign code.

mod software;

pub use software::SoftwareSecureArea;

/// P-256 signing keys by alias, and sealing of small secrets (the store's data key).
pub trait SecureArea: Send + Sync + std::fmt::Debug {
    /// Creates a new P-256 key pair under `alias`, replacing nothing: fails with
    /// [`SecureAreaError::AliasExists`] if the alias is taken. Returns the SEC1 uncompressed
    /// public key (65 bytes).
    fn create_key(&self, alias: &str) -> Result<Vec<u8>, SecureAreaError>;
    /// The SEC1 uncompressed public key of `alias`.
    fn public_key(&self, alias: &str) -> Result<Vec<u8>, SecureAreaError>;
    /// ECDSA P-256 with SHA-256 over `message` (the implementation hashes); DER signature.
    fn sign(&self, alias: &str, message: &[u8]) -> Result<Vec<u8>, SecureAreaError>;
    /// Deletes the key; deleting a missing alias is not an error.
    fn delete_key(&self, alias: &str) -> Result<(), SecureAreaError>;
    /// Encrypts and authenticates a small secret so only this secure area can open it.
    fn seal(&self, plaintext: &[u8]) -> Result<Vec<u8>, SecureAreaError>;
    /// Opens what [`SecureArea::seal`] produced. (Not `open`: that is a Swift keyword, and
    /// UniFFI 0.32 emits it unescaped into the C header of the foreign trait.)
    fn unseal(&self, sealed: &[u8]) -> Result<zeroize::Zeroizing<Vec<u8>>, SecureAreaError>;
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecureAreaError {
    #[error("no key under this alias")]
    KeyNotFound,
    #[error("a key already exists under this alias")]
    AliasExists,
    #[error("sealed data could not be opened (wrong device or corrupted)")]
    SealBroken,
    #[error("user authentication required")]
    UserAuthenticationRequired,
    #[error("secure area failure: {0}")]
    Platform(String),
}

/// Checks that `public_key` is a valid SEC1 uncompressed P-256 point and `signature` a valid DER
/// ECDSA-SHA256 signature over `message`. Used to check a platform's key before trusting it.
pub fn verify_p256(public_key: &[u8], message: &[u8], signature: &[u8]) -> bool {
    ring::signature::UnparsedPublicKey::new(&ring::signature::ECDSA_P256_SHA256_ASN1, public_key)
        .verify(message, signature)
        .is_ok()
}
