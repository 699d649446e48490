//! The 6-digit passcode: never stored, only verified through PBKDF2-HMAC-SHA256.
//!
//! 600 000 iterations is OWASP's 2023 figure for PBKDF2-SHA256. A 6-digit passcode has only
//! 10^6 values, so the KDF alone cannot stop an offline search: the verifier is also sealed
//! under the store's data key, which only the secure area can unwrap, so a copied database
//! is not enough to start one. The attempt counter does the rest on the device.

use ring::pbkdf2;
use serde::{Deserialize, Serialize};
use std::num::NonZeroU32;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// Default PBKDF2 iteration count.
pub const DEFAULT_ITERATIONS: u32 = 600_000;
/// Wrong passcodes allowed before the wallet blocks.
pub const MAX_ATTEMPTS: u32 = 5;
const SALT_LEN: usize = 16;
const HASH_LEN: usize = 32;

/// A passcode as typed by the citizen; zeroized on drop, never printed.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Passcode(String);

impl Passcode {
    pub fn new(digits: impl Into<String>) -> Self {
        Self(digits.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Passcode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Passcode(<redacted>)")
    }
}

/// Salt, hash and cost of one passcode.
#[derive(Clone, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
pub struct PasscodeVerifier {
    salt: Vec<u8>,
    hash: Vec<u8>,
    iterations: u32,
}

impl std::fmt::Debug for PasscodeVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasscodeVerifier")
            .field("iterations", &self.iterations)
            .finish_non_exhaustive()
    }
}

fn iterations(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

impl PasscodeVerifier {
    /// Derives a verifier with a fresh random salt. Slow by design (hundreds of ms).
    pub fn derive(
        passcode: &Passcode,
        iteration_count: u32,
    ) -> Result<Self, crate::crypto::CryptoError> {
        let salt = crate::crypto::random_bytes::<SALT_LEN>()?.to_vec();
        let mut hash = Zeroizing::new([0u8; HASH_LEN]);
        pbkdf2::derive(
            pbkdf2::PBKDF2_HMAC_SHA256,
            iterations(iteration_count),
            &salt,
            passcode.as_str().as_bytes(),
            hash.as_mut(),
        );
        Ok(Self {
            salt,
            hash: hash.to_vec(),
            iterations: iteration_count,
        })
    }

    /// Constant-time check. Slow by design.
    pub fn verify(&self, passcode: &Passcode) -> bool {
        pbkdf2::verify(
            pbkdf2::PBKDF2_HMAC_SHA256,
            iterations(self.iterations),
            &self.salt,
            passcode.as_str().as_bytes(),
            &self.hash,
        )
        .is_ok()
    }

    pub fn iterations(&self) -> u32 {
        self.iterations
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn verifier_accepts_only_the_same_passcode() {
        let v = PasscodeVerifier::derive(&Passcode::new("246810"), 1_000).unwrap();
        assert!(v.verify(&Passcode::new("246810")));
        assert!(!v.verify(&Passcode::new("246811")));
    }

    #[test]
    fn same_passcode_gets_a_different_salt_each_time() {
        let a = PasscodeVerifier::derive(&Passcode::new("246810"), 1_000).unwrap();
        let b = PasscodeVerifier::derive(&Passcode::new("246810"), 1_000).unwrap();
        assert_ne!(a.salt, b.salt);
        assert_ne!(a.hash, b.hash);
    }

    #[test]
    fn debug_never_shows_passcode_or_hash() {
        let p = Passcode::new("246810");
        assert!(!format!("{p:?}").contains("246810"));
        let v = PasscodeVerifier::derive(&p, 1_000).unwrap();
        let dbg = format!("{v:?}");
        assert!(dbg.contains("1000") && !dbg.contains("salt"));
    }
}
