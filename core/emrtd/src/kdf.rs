//! Key material and the key derivation function of Doc 9303 Part 11 §9.7.1.
//!
//! `KDF(K, c) = H(K || c)` truncated to the key length, with SHA-1 for 3DES and AES-128 and
//! SHA-256 for AES-192/256. The same function serves BAC (seed from the MRZ), PACE (shared
//! secret; counter 3 for the password key) and chip authentication, so it lives on its own.

use sha1::{Digest, Sha1};
use sha2::Sha256;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// Counter value for the encryption key.
pub const COUNTER_ENC: u32 = 1;
/// Counter value for the MAC key.
pub const COUNTER_MAC: u32 = 2;
/// Counter value for the PACE password key.
pub const COUNTER_PACE: u32 = 3;

/// Secret bytes that are wiped on drop and never printed.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct SecretKey(Vec<u8>);

impl SecretKey {
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    pub fn from_slice(bytes: &[u8]) -> Self {
        Self(bytes.to_vec())
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretKey(<{} bytes redacted>)", self.0.len())
    }
}

/// Which cipher the derived key is for; it fixes the hash and the length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAlgorithm {
    /// Two-key 3DES: 16 bytes of SHA-1, DES parity bits adjusted.
    Tdes,
    Aes128,
    Aes192,
    Aes256,
}

/// `KDF(K, c)` of Part 11 §9.7.1.
pub fn derive(shared: &[u8], counter: u32, algorithm: KeyAlgorithm) -> SecretKey {
    let c = counter.to_be_bytes();
    let mut out: Zeroizing<Vec<u8>> = match algorithm {
        KeyAlgorithm::Tdes | KeyAlgorithm::Aes128 => {
            let d = Sha1::new().chain_update(shared).chain_update(c).finalize();
            Zeroizing::new(d.iter().take(16).copied().collect())
        }
        KeyAlgorithm::Aes192 | KeyAlgorithm::Aes256 => {
            let len = if algorithm == KeyAlgorithm::Aes192 {
                24
            } else {
                32
            };
            let d = Sha256::new()
                .chain_update(shared)
                .chain_update(c)
                .finalize();
            Zeroizing::new(d.iter().take(len).copied().collect())
        }
    };
    if algorithm == KeyAlgorithm::Tdes {
        adjust_des_parity(&mut out);
    }
    SecretKey::new(std::mem::take(&mut *out))
}

/// Sets the least significant bit of every byte so each has odd parity, as DES keys should.
pub fn adjust_des_parity(key: &mut [u8]) {
    for b in key.iter_mut() {
        let ones = (*b & 0xFE).count_ones();
        *b = (*b & 0xFE) | u8::from(ones % 2 == 0);
    }
}

/// An encryption key and a MAC key derived together from one secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPair {
    pub enc: SecretKey,
    pub mac: SecretKey,
}

impl KeyPair {
    /// `K_enc = KDF(seed, 1)`, `K_mac = KDF(seed, 2)`.
    pub fn derive(seed: &[u8], algorithm: KeyAlgorithm) -> Self {
        Self {
            enc: derive(seed, COUNTER_ENC, algorithm),
            mac: derive(seed, COUNTER_MAC, algorithm),
        }
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
mod tests {
    use super::*;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    #[test]
    fn derives_doc_9303_appendix_d2_keys_from_the_seed() {
        let keys = KeyPair::derive(&h("239AB9CB282DAF66231DC5A4DF6BFBAE"), KeyAlgorithm::Tdes);
        assert_eq!(keys.enc.as_bytes(), h("AB94FDECF2674FDFB9B391F85D7F76F2"));
        assert_eq!(keys.mac.as_bytes(), h("7962D9ECE03D1ACD4C76089DCE131543"));
    }

    #[test]
    fn parity_adjustment_matches_the_doc_intermediate_values() {
        // D.2: Ka = AB94FCEDF2664EDF becomes AB94FDECF2674FDF.
        let mut k = h("AB94FCEDF2664EDFB9B291F85D7F77F2");
        adjust_des_parity(&mut k);
        assert_eq!(k, h("AB94FDECF2674FDFB9B391F85D7F76F2"));
    }

    #[test]
    fn aes_key_lengths_follow_the_algorithm() {
        assert_eq!(derive(b"k", 1, KeyAlgorithm::Aes128).len(), 16);
        assert_eq!(derive(b"k", 1, KeyAlgorithm::Aes192).len(), 24);
        assert_eq!(derive(b"k", 1, KeyAlgorithm::Aes256).len(), 32);
    }

    #[test]
    fn debug_output_never_shows_key_bytes() {
        let k = SecretKey::from_slice(&h("AB94FDECF2674FDF"));
        let s = format!("{k:?}");
        assert!(!s.contains("AB") && !s.contains("171"), "{s}");
    }
}
