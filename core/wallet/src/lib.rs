//! The holder wallet of vneid-core: account activation (level 1), passcode and lock, the
//! secure-area trait, the encrypted store and the backend client.
//!
//! Generic over the platform through [`SecureArea`]; knows nothing of UniFFI.

pub mod account;
pub mod api_client;
pub mod crypto;
pub mod error;
// Electronic health book (issue 5).
pub mod health;
// Judicial-record certificate requests (issue 6).
pub mod judicial;
pub mod passcode;
pub mod secure_area;
pub mod store;

/// The chip protocol (level-2 upgrade, issue 3), re-exported for the same reason.
pub use vneid_emrtd as emrtd;

/// The credential format, re-exported so apps and tests use the same version as the wallet.
pub use vneid_credential as credential;

pub use account::{
    AccountSummary, ActivationInput, BATCH_SIZE, CredentialSummary, OtpSent, PRESENTATION_VALIDITY,
    Presentation, REFERENCE_TRUST_ANCHOR, STORE_FILE, Wallet, WalletConfig, WalletState,
};
pub use error::{BlockReason, CredentialRejection, ErrorCategory, ErrorCode, Lang, WalletError};
pub use passcode::Passcode;
pub use secure_area::{SecureArea, SecureAreaError, SoftwareSecureArea};
pub use store::DisclosureRecord;
pub use vneid_api::{AccountInfo, CitizenProfile, Sex as api_sex};
