//! Authenticated encryption of small records with AES-256-GCM (ring).
//!
//! Layout of a sealed record: `version (1) || nonce (12) || ciphertext || tag (16)`. The
//! associated data names what the record is (table, column, row), so a ciphertext moved to
//! another row or column fails to open instead of being read as something else.

use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::hkdf;
use ring::rand::{SecureRandom, SystemRandom};
use zeroize::Zeroizing;

const VERSION: u8 = 1;
/// Overhead of a sealed record over its plaintext.
pub const OVERHEAD: usize = 1 + NONCE_LEN + 16;

/// A 256-bit symmetric key, zeroized on drop and never printed.
#[derive(Clone)]
pub struct SymmetricKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for SymmetricKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SymmetricKey(<redacted>)")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    #[error("random generator failed")]
    Random,
    #[error("ciphertext is malformed or was not made with this key and context")]
    Open,
    #[error("key has the wrong length")]
    KeyLength,
}

impl SymmetricKey {
    pub fn generate() -> Result<Self, CryptoError> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        SystemRandom::new()
            .fill(bytes.as_mut())
            .map_err(|_| CryptoError::Random)?;
        Ok(Self(bytes))
    }

    pub fn from_slice(bytes: &[u8]) -> Result<Self, CryptoError> {
        let arr: [u8; 32] = bytes.try_into().map_err(|_| CryptoError::KeyLength)?;
        Ok(Self(Zeroizing::new(arr)))
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Derives an independent subkey for one purpose (HKDF-SHA256), so one stored secret can
    /// serve encryption and integrity without reusing a key across algorithms.
    pub fn derive(&self, purpose: &[u8]) -> Self {
        struct Len32;
        impl hkdf::KeyType for Len32 {
            fn len(&self) -> usize {
                32
            }
        }
        let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, b"vneid-kdf-v1").extract(self.0.as_ref());
        let mut out = Zeroizing::new([0u8; 32]);
        let info = [purpose];
        // Expanding 32 bytes from SHA-256 HKDF cannot fail (limit is 255 * 32).
        if let Ok(okm) = prk.expand(&info, Len32) {
            let _ = okm.fill(out.as_mut());
        }
        Self(out)
    }

    fn aead(&self) -> Result<LessSafeKey, CryptoError> {
        UnboundKey::new(&AES_256_GCM, self.0.as_ref())
            .map(LessSafeKey::new)
            .map_err(|_| CryptoError::KeyLength)
    }

    /// Encrypts `plaintext` bound to `context`.
    pub fn seal(&self, context: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|_| CryptoError::Random)?;
        let mut out = Vec::with_capacity(plaintext.len() + OVERHEAD);
        out.push(VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(plaintext);
        let (_header, body) = out.split_at_mut(1 + NONCE_LEN);
        let tag = self
            .aead()?
            .seal_in_place_separate_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(context),
                body,
            )
            .map_err(|_| CryptoError::Open)?;
        out.extend_from_slice(tag.as_ref());
        Ok(out)
    }

    /// Decrypts what [`SymmetricKey::seal`] produced with the same `context`.
    pub fn open(&self, context: &[u8], sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        let (version, rest) = sealed.split_first().ok_or(CryptoError::Open)?;
        if *version != VERSION || rest.len() < NONCE_LEN + 16 {
            return Err(CryptoError::Open);
        }
        let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| CryptoError::Open)?;
        let mut buf = Zeroizing::new(ciphertext.to_vec());
        let len = self
            .aead()?
            .open_in_place(nonce, Aad::from(context), buf.as_mut_slice())
            .map_err(|_| CryptoError::Open)?
            .len();
        buf.truncate(len);
        Ok(buf)
    }

    /// HMAC-SHA256 of `data`.
    pub fn mac(&self, data: &[u8]) -> Vec<u8> {
        let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, self.0.as_ref());
        ring::hmac::sign(&key, data).as_ref().to_vec()
    }

    /// Constant-time check of [`SymmetricKey::mac`].
    pub fn verify_mac(&self, data: &[u8], tag: &[u8]) -> bool {
        let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, self.0.as_ref());
        ring::hmac::verify(&key, data, tag).is_ok()
    }
}

/// Fills a buffer with cryptographically secure random bytes.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], CryptoError> {
    let mut out = [0u8; N];
    SystemRandom::new()
        .fill(&mut out)
        .map_err(|_| CryptoError::Random)?;
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn sealed_record_opens_only_with_same_key_and_context() {
        let key = SymmetricKey::generate().unwrap();
        let sealed = key.seal(b"account/profile/1", b"Nguyen Van An").unwrap();
        assert_eq!(sealed.len(), 13 + OVERHEAD);
        assert_eq!(
            key.open(b"account/profile/1", &sealed).unwrap().as_slice(),
            b"Nguyen Van An"
        );
        assert_eq!(
            key.open(b"account/profile/2", &sealed),
            Err(CryptoError::Open)
        );
        let other = SymmetricKey::generate().unwrap();
        assert_eq!(
            other.open(b"account/profile/1", &sealed),
            Err(CryptoError::Open)
        );
    }

    #[test]
    fn every_flipped_bit_and_truncation_is_rejected() {
        let key = SymmetricKey::generate().unwrap();
        let sealed = key.seal(b"c", b"secret").unwrap();
        for i in 0..sealed.len() {
            let mut bad = sealed.clone();
            bad[i] ^= 0x01;
            assert!(key.open(b"c", &bad).is_err(), "byte {i}");
        }
        for len in 0..sealed.len() {
            assert!(key.open(b"c", &sealed[..len]).is_err(), "len {len}");
        }
    }

    #[test]
    fn derived_keys_differ_by_purpose_and_are_deterministic() {
        let key = SymmetricKey::generate().unwrap();
        assert_eq!(key.derive(b"mac").as_bytes(), key.derive(b"mac").as_bytes());
        assert_ne!(key.derive(b"mac").as_bytes(), key.derive(b"enc").as_bytes());
        assert_ne!(key.derive(b"mac").as_bytes(), key.as_bytes());
    }

    #[test]
    fn debug_does_not_print_key_bytes() {
        let key = SymmetricKey::from_slice(&[0xAB; 32]).unwrap();
        assert_eq!(format!("{key:?}"), "SymmetricKey(<redacted>)");
    }
}
