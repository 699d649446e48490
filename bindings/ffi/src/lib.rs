//! UniFFI facade of vneid-core.
//!
//! The only crate that knows UniFFI: it converts between the core's types and FFI records,
//! enums and errors, and adapts foreign trait implementations. It holds no domain logic.
//! One long-lived object, [`WalletCore`], owns the tokio runtime every async call runs on.
#![allow(unsafe_code)] // generated scaffolding

uniffi::setup_scaffolding!();

mod card_qr;
mod chip;
mod claims;
mod error;
// Electronic health book.
mod health;
// Judicial-record certificate requests.
mod judicial;
// Level-2 upgrade with the chip ID card.
mod level2;
mod presentation;
mod records;
mod secure_area;
mod trust;
mod verifier;
#[cfg(feature = "virtual-chip")]
mod virtual_chip;
mod wallet;

pub use card_qr::{CardQrData, parse_card_qr};
pub use chip::{
    CardAccessKey, CheckVerdict, ChipIdentity, ChipReadListener, ChipReadProgress, ChipReader,
    FaceFormat, NfcError, NfcTransport,
};
pub use claims::{ClaimInfo, PresentationPreset, preset_claims};
pub use error::ErrorCode;
pub use error::{VneidError, error_code_id};
pub use health::*;
#[cfg(feature = "virtual-chip")]
pub use level2::test_cards::{TestCard, TestCardFault};
pub use level2::{Level2Result, credential_identity_level, credential_type_name};
pub use presentation::*;
pub use records::*;
pub use secure_area::{SecureArea, SecureAreaError, new_software_secure_area};
pub use verifier::*;
#[cfg(feature = "virtual-chip")]
pub use virtual_chip::{VirtualChip, VirtualCitizen, virtual_chip_csca_pem, virtual_citizens};
pub use vneid_wallet::{BlockReason, ErrorCategory};
pub use wallet::WalletCore;

/// Version of the core library.
/// The system clock unless the caller pins the time (tests, replays of a recorded check).
pub(crate) fn now_or(now_unix: Option<u64>) -> u64 {
    now_unix.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    })
}

#[uniffi::export]
pub fn core_version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
