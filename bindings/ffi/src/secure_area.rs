//! The secure area as a foreign trait: Kotlin (Android Keystore), Swift (Secure Enclave) or the
//! core's software implementation.

use std::sync::Arc;
use vneid_wallet::secure_area as core;
use zeroize::Zeroizing;

#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum SecureAreaError {
    #[error("no key under this alias")]
    KeyNotFound,
    #[error("a key already exists under this alias")]
    AliasExists,
    #[error("sealed data could not be opened")]
    SealBroken,
    #[error("user authentication required")]
    UserAuthenticationRequired,
    /// Field named `reason`, not `message`: Kotlin exceptions already have a `message`.
    #[error("secure area failure: {reason}")]
    Platform { reason: String },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for SecureAreaError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        Self::Platform { reason: e.reason }
    }
}

impl From<SecureAreaError> for core::SecureAreaError {
    fn from(e: SecureAreaError) -> Self {
        match e {
            SecureAreaError::KeyNotFound => Self::KeyNotFound,
            SecureAreaError::AliasExists => Self::AliasExists,
            SecureAreaError::SealBroken => Self::SealBroken,
            SecureAreaError::UserAuthenticationRequired => Self::UserAuthenticationRequired,
            SecureAreaError::Platform { reason } => Self::Platform(reason),
        }
    }
}

impl From<core::SecureAreaError> for SecureAreaError {
    fn from(e: core::SecureAreaError) -> Self {
        match e {
            core::SecureAreaError::KeyNotFound => Self::KeyNotFound,
            core::SecureAreaError::AliasExists => Self::AliasExists,
            core::SecureAreaError::SealBroken => Self::SealBroken,
            core::SecureAreaError::UserAuthenticationRequired => Self::UserAuthenticationRequired,
            core::SecureAreaError::Platform(reason) => Self::Platform { reason },
        }
    }
}

/// P-256 keys by alias and sealing of small secrets, in the platform's secure hardware.
/// Signatures are ECDSA P-256 with SHA-256 over the message, DER-encoded; public keys are
/// SEC1 uncompressed (65 bytes).
#[uniffi::export(with_foreign)]
pub trait SecureArea: Send + Sync {
    fn create_key(&self, alias: String) -> Result<Vec<u8>, SecureAreaError>;
    fn public_key(&self, alias: String) -> Result<Vec<u8>, SecureAreaError>;
    fn sign(&self, alias: String, message: Vec<u8>) -> Result<Vec<u8>, SecureAreaError>;
    fn delete_key(&self, alias: String) -> Result<(), SecureAreaError>;
    fn seal(&self, plaintext: Vec<u8>) -> Result<Vec<u8>, SecureAreaError>;
    /// Opens what `seal` produced.
    fn unseal(&self, sealed: Vec<u8>) -> Result<Vec<u8>, SecureAreaError>;
}

/// Lets the core call a foreign (or the software) implementation.
pub(crate) struct Adapter(pub Arc<dyn SecureArea>);

impl std::fmt::Debug for Adapter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ForeignSecureArea")
    }
}

impl core::SecureArea for Adapter {
    fn create_key(&self, alias: &str) -> Result<Vec<u8>, core::SecureAreaError> {
        Ok(self.0.create_key(alias.to_string())?)
    }
    fn public_key(&self, alias: &str) -> Result<Vec<u8>, core::SecureAreaError> {
        Ok(self.0.public_key(alias.to_string())?)
    }
    fn sign(&self, alias: &str, message: &[u8]) -> Result<Vec<u8>, core::SecureAreaError> {
        Ok(self.0.sign(alias.to_string(), message.to_vec())?)
    }
    fn delete_key(&self, alias: &str) -> Result<(), core::SecureAreaError> {
        Ok(self.0.delete_key(alias.to_string())?)
    }
    fn seal(&self, plaintext: &[u8]) -> Result<Vec<u8>, core::SecureAreaError> {
        Ok(self.0.seal(plaintext.to_vec())?)
    }
    fn unseal(&self, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, core::SecureAreaError> {
        Ok(Zeroizing::new(self.0.unseal(sealed.to_vec())?))
    }
}

/// The core's software implementation, for desktop apps and tests.
struct Software(core::SoftwareSecureArea);

impl SecureArea for Software {
    fn create_key(&self, alias: String) -> Result<Vec<u8>, SecureAreaError> {
        Ok(core::SecureArea::create_key(&self.0, &alias)?)
    }
    fn public_key(&self, alias: String) -> Result<Vec<u8>, SecureAreaError> {
        Ok(core::SecureArea::public_key(&self.0, &alias)?)
    }
    fn sign(&self, alias: String, message: Vec<u8>) -> Result<Vec<u8>, SecureAreaError> {
        Ok(core::SecureArea::sign(&self.0, &alias, &message)?)
    }
    fn delete_key(&self, alias: String) -> Result<(), SecureAreaError> {
        Ok(core::SecureArea::delete_key(&self.0, &alias)?)
    }
    fn seal(&self, plaintext: Vec<u8>) -> Result<Vec<u8>, SecureAreaError> {
        Ok(core::SecureArea::seal(&self.0, &plaintext)?)
    }
    fn unseal(&self, sealed: Vec<u8>) -> Result<Vec<u8>, SecureAreaError> {
        Ok(core::SecureArea::unseal(&self.0, &sealed)?.to_vec())
    }
}

/// A software secure area persisted in `dir` (or in memory when `dir` is null). Desktop and
/// tests only: phones pass their Keystore / Secure Enclave implementation instead.
#[uniffi::export]
pub fn new_software_secure_area(
    dir: Option<String>,
) -> Result<Arc<dyn SecureArea>, SecureAreaError> {
    let inner = match dir {
        Some(dir) => core::SoftwareSecureArea::open_dir(std::path::Path::new(&dir))?,
        None => core::SoftwareSecureArea::ephemeral()?,
    };
    Ok(Arc::new(Software(inner)))
}
