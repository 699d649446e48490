//! PACE (Doc 9303 Part 11 §4.4) with the ECDH generic mapping, as a sans-IO state machine.
//!
//! 1. MSE:Set AT names the protocol, the password (MRZ or CAN) and the domain parameters.
//! 2. General Authenticate (chained, CLA 10) returns the nonce encrypted under
//!    `K_π = KDF(π, 3)`; the terminal decrypts it to `s`.
//! 3. Mapping: an ECDH exchange on the standard generator gives `H`; `G~ = s·G + H`.
//! 4. Key agreement on `G~` gives `K`; session keys `KDF(K, 1)`, `KDF(K, 2)`.
//! 5. Tokens: each side MACs the other's ephemeral public key; the chip's token proves it knew
//!    the password and the keys. A wrong password shows up as the chip refusing the terminal's
//!    token (status 63xx), which is reported as access denied.
//!
//! Secure messaging then starts with a zero send sequence counter. EF.CardAccess, read in the
//! clear before PACE, lists the PACEInfos; [`PaceParams::choose`] picks one this reader runs.
//!
//! Layout, each file depending only on the ones listed before it: `params` (the PACE variant
//! and its cryptography), `card_access` (EF.CardAccess and the choice of a variant),
//! `general_authenticate` (the chained command and its `7C` data) and `terminal` ([`Pace`],
//! the state machine of the terminal side).

mod card_access;
mod general_authenticate;
mod params;
mod terminal;

pub use card_access::{MAX_CARD_ACCESS_LEN, PaceInfo, parse_card_access};
pub use general_authenticate::{ga_object, general_authenticate};
pub use params::{Mapping, PaceParams};
pub use terminal::Pace;

use crate::apdu::StatusWord;
use crate::crypto::CryptoError;
use crate::ec::EcError;
use crate::mrz::MrzError;
use crate::sm::SmError;
use crate::tlv::TlvError;

/// Why PACE failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaceError {
    /// Any refusal of the mutual authentication step (6300, 63Cx, 6982, 6988, ...).
    #[error("the chip rejected the password (wrong MRZ data or CAN?)")]
    AccessDenied { attempts_left: Option<u8> },
    #[error("the chip refused PACE with status {0}")]
    Refused(StatusWord),
    #[error("malformed General Authenticate response: {0}")]
    Malformed(#[from] TlvError),
    #[error("General Authenticate response lacks data object {0:#X}")]
    MissingObject(u32),
    #[error("the chip echoed the terminal's public key")]
    EchoedKey,
    #[error("the chip's authentication token does not verify")]
    TokenMismatch,
    #[error("key agreement: {0}")]
    Ec(#[from] EcError),
    #[error("cryptographic failure: {0}")]
    Crypto(#[from] CryptoError),
    #[error("password: {0}")]
    Password(#[from] MrzError),
    #[error("secure messaging: {0}")]
    Sm(#[from] SmError),
    #[error("PACE step called out of order")]
    OutOfOrder,
    #[error("integrated mapping: {0}")]
    Im(#[from] crate::im::ImError),
}
