//! A secure area in software, for desktop, the CLI and tests.
//!
//! Private keys and sealed blobs are protected by a 256-bit master key kept in a file with
//! owner-only permissions (or only in memory for [`SoftwareSecureArea::ephemeral`]). This is
//! weaker than hardware: anyone who can read the directory can use the keys. Phones use the
//! Keystore / Secure Enclave implementations instead.

use super::{SecureArea, SecureAreaError};
use crate::crypto::SymmetricKey;
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use zeroize::Zeroizing;

const MASTER_FILE: &str = "master.key";
const KEYS_DIR: &str = "keys";

/// Software [`SecureArea`]: P-256 keys from ring, sealed with AES-256-GCM.
pub struct SoftwareSecureArea {
    dir: Option<PathBuf>,
    key_wrap: SymmetricKey,
    seal_key: SymmetricKey,
    /// PKCS#8 documents by alias, decrypted lazily and zeroized on drop.
    keys: Mutex<HashMap<String, Zeroizing<Vec<u8>>>>,
}

impl std::fmt::Debug for SoftwareSecureArea {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SoftwareSecureArea")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

fn platform(e: impl std::fmt::Display) -> SecureAreaError {
    SecureAreaError::Platform(e.to_string())
}

impl SoftwareSecureArea {
    /// Keys that live only as long as this value.
    pub fn ephemeral() -> Result<Self, SecureAreaError> {
        let master = SymmetricKey::generate().map_err(platform)?;
        Ok(Self::with_master(None, &master))
    }

    /// Opens (or creates) a persistent software secure area in `dir`.
    pub fn open_dir(dir: &Path) -> Result<Self, SecureAreaError> {
        std::fs::create_dir_all(dir.join(KEYS_DIR)).map_err(platform)?;
        let master_path = dir.join(MASTER_FILE);
        let master = match std::fs::read(&master_path) {
            Ok(bytes) => {
                let bytes = Zeroizing::new(bytes);
                SymmetricKey::from_slice(&bytes)
                    .map_err(|_| platform("master key file is corrupt"))?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let master = SymmetricKey::generate().map_err(platform)?;
                write_private(&master_path, master.as_bytes())?;
                master
            }
            Err(e) => return Err(platform(e)),
        };
        Ok(Self::with_master(Some(dir.to_path_buf()), &master))
    }

    fn with_master(dir: Option<PathBuf>, master: &SymmetricKey) -> Self {
        Self {
            dir,
            key_wrap: master.derive(b"software-secure-area/key-wrap"),
            seal_key: master.derive(b"software-secure-area/seal"),
            keys: Mutex::new(HashMap::new()),
        }
    }

    fn key_path(&self, alias: &str) -> Option<PathBuf> {
        let name: String = alias.bytes().map(|b| format!("{b:02x}")).collect();
        self.dir
            .as_ref()
            .map(|d| d.join(KEYS_DIR).join(format!("{name}.key")))
    }

    fn context(alias: &str) -> Vec<u8> {
        [b"software-secure-area/key/".as_slice(), alias.as_bytes()].concat()
    }

    /// The PKCS#8 document of `alias`, from memory or disk.
    fn pkcs8(&self, alias: &str) -> Result<Zeroizing<Vec<u8>>, SecureAreaError> {
        let mut keys = self.keys.lock().map_err(platform)?;
        if let Some(doc) = keys.get(alias) {
            return Ok(doc.clone());
        }
        let path = self.key_path(alias).ok_or(SecureAreaError::KeyNotFound)?;
        let sealed = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(SecureAreaError::KeyNotFound);
            }
            Err(e) => return Err(platform(e)),
        };
        let doc = self
            .key_wrap
            .open(&Self::context(alias), &sealed)
            .map_err(|_| SecureAreaError::SealBroken)?;
        keys.insert(alias.to_string(), doc.clone());
        Ok(doc)
    }

    fn key_pair(&self, alias: &str) -> Result<EcdsaKeyPair, SecureAreaError> {
        let doc = self.pkcs8(alias)?;
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &doc, &SystemRandom::new())
            .map_err(|_| SecureAreaError::SealBroken)
    }
}

impl SecureArea for SoftwareSecureArea {
    fn create_key(&self, alias: &str) -> Result<Vec<u8>, SecureAreaError> {
        match self.pkcs8(alias) {
            Ok(_) => return Err(SecureAreaError::AliasExists),
            Err(SecureAreaError::KeyNotFound) => {}
            Err(e) => return Err(e),
        }
        let rng = SystemRandom::new();
        let doc = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng)
            .map_err(|_| platform("key generation failed"))?;
        let doc = Zeroizing::new(doc.as_ref().to_vec());
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &doc, &rng)
            .map_err(|_| platform("generated key unusable"))?;
        if let Some(path) = self.key_path(alias) {
            let sealed = self
                .key_wrap
                .seal(&Self::context(alias), &doc)
                .map_err(platform)?;
            write_private(&path, &sealed)?;
        }
        self.keys
            .lock()
            .map_err(platform)?
            .insert(alias.to_string(), doc);
        Ok(pair.public_key().as_ref().to_vec())
    }

    fn public_key(&self, alias: &str) -> Result<Vec<u8>, SecureAreaError> {
        Ok(self.key_pair(alias)?.public_key().as_ref().to_vec())
    }

    fn sign(&self, alias: &str, message: &[u8]) -> Result<Vec<u8>, SecureAreaError> {
        let sig = self
            .key_pair(alias)?
            .sign(&SystemRandom::new(), message)
            .map_err(|_| platform("signing failed"))?;
        Ok(sig.as_ref().to_vec())
    }

    fn delete_key(&self, alias: &str) -> Result<(), SecureAreaError> {
        self.keys.lock().map_err(platform)?.remove(alias);
        if let Some(path) = self.key_path(alias) {
            match std::fs::remove_file(path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(platform(e)),
            }
        }
        Ok(())
    }

    fn seal(&self, plaintext: &[u8]) -> Result<Vec<u8>, SecureAreaError> {
        self.seal_key
            .seal(b"software-secure-area/sealed", plaintext)
            .map_err(platform)
    }

    fn unseal(&self, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, SecureAreaError> {
        self.seal_key
            .open(b"software-secure-area/sealed", sealed)
            .map_err(|_| SecureAreaError::SealBroken)
    }
}

/// Writes a file readable only by its owner, atomically (temp file + rename).
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), SecureAreaError> {
    use std::io::Write;
    let tmp = path.with_extension("tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&tmp).map_err(platform)?;
    file.write_all(bytes).map_err(platform)?;
    file.sync_all().map_err(platform)?;
    std::fs::rename(&tmp, path).map_err(platform)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::secure_area::verify_p256;

    #[test]
    fn signatures_verify_under_the_returned_public_key() {
        let sa = SoftwareSecureArea::ephemeral().unwrap();
        let public = sa.create_key("device").unwrap();
        assert_eq!(public.len(), 65);
        let sig = sa.sign("device", b"challenge").unwrap();
        assert!(verify_p256(&public, b"challenge", &sig));
        assert!(!verify_p256(&public, b"other", &sig));
    }

    #[test]
    fn creating_an_existing_alias_fails_and_deleted_keys_are_gone() {
        let sa = SoftwareSecureArea::ephemeral().unwrap();
        sa.create_key("a").unwrap();
        assert_eq!(sa.create_key("a"), Err(SecureAreaError::AliasExists));
        sa.delete_key("a").unwrap();
        sa.delete_key("a").unwrap();
        assert_eq!(sa.sign("a", b"m"), Err(SecureAreaError::KeyNotFound));
    }

    #[test]
    fn keys_persist_encrypted_across_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let public = {
            let sa = SoftwareSecureArea::open_dir(dir.path()).unwrap();
            sa.create_key("device").unwrap()
        };
        let sa = SoftwareSecureArea::open_dir(dir.path()).unwrap();
        assert_eq!(sa.public_key("device").unwrap(), public);
        let sig = sa.sign("device", b"m").unwrap();
        assert!(verify_p256(&public, b"m", &sig));
        // The key file holds no PKCS#8 in clear (the P-256 OID would show).
        let files: Vec<_> = std::fs::read_dir(dir.path().join(KEYS_DIR))
            .unwrap()
            .collect();
        assert_eq!(files.len(), 1);
        let bytes = std::fs::read(files[0].as_ref().unwrap().path()).unwrap();
        let oid = [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
        assert!(!bytes.windows(oid.len()).any(|w| w == oid));
    }

    #[test]
    fn sealed_blobs_open_only_in_the_same_secure_area() {
        let a = SoftwareSecureArea::ephemeral().unwrap();
        let b = SoftwareSecureArea::ephemeral().unwrap();
        let sealed = a.seal(b"data key").unwrap();
        assert_eq!(a.unseal(&sealed).unwrap().as_slice(), b"data key");
        assert_eq!(b.unseal(&sealed), Err(SecureAreaError::SealBroken));
    }
}
