//! The secret the citizen gives to open the chip: the MRZ key (document number, date of birth,
//! date of expiry) for BAC or PACE, or the 6-digit card access number (CAN) printed on the card,
//! which only PACE accepts.

use crate::mrz::{MrzError, MrzKey};
use sha1::{Digest, Sha1};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// A card access number: 6 digits printed on the card.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct Can(String);

impl std::fmt::Debug for Can {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Can(<redacted>)")
    }
}

/// Why a CAN was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the card access number must be 6 digits")]
pub struct CanError;

impl Can {
    /// Six ASCII digits (spaces around are ignored).
    pub fn new(can: &str) -> Result<Self, CanError> {
        let can = can.trim();
        if can.len() == 6 && can.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(can.to_string()))
        } else {
            Err(CanError)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How the terminal proves it may read the chip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccessKey {
    /// From the MRZ: BAC, or PACE with password reference 1.
    Mrz(MrzKey),
    /// The card access number: PACE only, password reference 2.
    Can(Can),
}

impl From<MrzKey> for AccessKey {
    fn from(k: MrzKey) -> Self {
        Self::Mrz(k)
    }
}

impl From<Can> for AccessKey {
    fn from(c: Can) -> Self {
        Self::Can(c)
    }
}

impl AccessKey {
    /// The PACE password π (Part 11 §9.7.3): SHA-1 of `MRZ_information` for the MRZ, the CAN's
    /// ASCII digits for the CAN.
    pub fn pace_password(&self) -> Result<Zeroizing<Vec<u8>>, MrzError> {
        Ok(match self {
            Self::Mrz(k) => {
                let info = k.mrz_information()?;
                Zeroizing::new(Sha1::digest(info.as_bytes()).to_vec())
            }
            Self::Can(c) => Zeroizing::new(c.0.as_bytes().to_vec()),
        })
    }

    /// The password reference of MSE:Set AT (1 MRZ, 2 CAN).
    pub fn password_reference(&self) -> u8 {
        match self {
            Self::Mrz(_) => 1,
            Self::Can(_) => 2,
        }
    }

    /// The MRZ key, for BAC.
    pub fn mrz(&self) -> Option<&MrzKey> {
        match self {
            Self::Mrz(k) => Some(k),
            Self::Can(_) => None,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_can_is_six_digits_and_never_printed() {
        assert!(Can::new("12345").is_err());
        assert!(Can::new("12345a").is_err());
        let can = Can::new(" 123456 ").unwrap();
        assert_eq!(can.as_str(), "123456");
        assert!(!format!("{can:?}").contains("123"));
        assert_eq!(
            AccessKey::Can(can).pace_password().unwrap().as_slice(),
            b"123456"
        );
    }

    #[test]
    fn the_mrz_password_is_sha1_of_the_mrz_information() {
        // Doc 9303 Part 11 Appendix G.1.
        let key = AccessKey::Mrz(MrzKey::new("T22000129", "640812", "101031").unwrap());
        assert_eq!(
            key.pace_password().unwrap().as_slice(),
            hex::decode("7E2D2A41C74EA0B38CD36F863939BFA8E9032AAD").unwrap()
        );
        assert_eq!(key.password_reference(), 1);
    }
}
