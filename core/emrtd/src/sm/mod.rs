//! Secure messaging of Doc 9303 Part 11 §9.8: protecting command APDUs (DO'85/'87, DO'97,
//! DO'8E) and checking and decrypting response APDUs (DO'87, DO'99, DO'8E).
//!
//! Two cipher suites: 3DES-CBC with a zero IV and the ISO/IEC 9797-1 algorithm 3 retail MAC
//! (BAC, 8-byte SSC), and AES-CBC with IV = E(KS_enc, SSC) and AES-CMAC truncated to 8 bytes
//! (PACE and chip authentication, 16-byte SSC). The send sequence counter is incremented
//! before every command and every response. Any failure — above all a wrong response MAC —
//! closes the session: every later call fails with [`SmError::Closed`], because the card side
//! has lost sync and continuing would only feed an attacker more oracles.
//!
//! Layout, each file depending only on the ones listed before it: `cipher` (the two suites,
//! the session keys and the send sequence counter), `data_objects` (DO'85/'87 and DO'97
//! encoding), `terminal` ([`SecureMessaging`], the reader side) and `card`
//! ([`CardSecureMessaging`], the chip side for the virtual card and tests).

mod card;
mod cipher;
mod data_objects;
mod terminal;

#[cfg(test)]
mod fixtures;

pub use card::CardSecureMessaging;
pub use cipher::SmCipher;
pub use terminal::{SecureMessaging, bare_status_acceptable};

use crate::apdu::{ApduError, StatusWord};
use crate::crypto::CryptoError;
use crate::tlv::TlvError;

/// Why protecting or unprotecting failed. Every variant ends the session.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmError {
    #[error("secure messaging session is closed after an earlier failure")]
    Closed,
    #[error("response MAC does not verify")]
    MacMismatch,
    #[error("response carries no MAC (DO'8E)")]
    MissingMac,
    #[error("card answered without secure messaging, status {0}")]
    Unprotected(StatusWord),
    #[error("unexpected secure messaging data object {0:#X}")]
    UnexpectedObject(u32),
    #[error("malformed secure messaging data objects: {0}")]
    Malformed(#[from] TlvError),
    #[error("cryptographic failure: {0}")]
    Crypto(#[from] CryptoError),
    #[error("APDU encoding failed: {0}")]
    Apdu(#[from] ApduError),
    #[error("key length does not fit the cipher suite")]
    KeyLength,
}
