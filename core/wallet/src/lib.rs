//! The holder wallet of vneid-core.
//!
//! Layers, each using only those below it:
//! - leaves: [`clock`], [`crypto`], [`passcode`], [`secure_area`], [`api_client`];
//! - [`store`]: the encrypted SQLite store and its migrations;
//! - [`error`]: the wallet's error and the open catalogue of stable codes;
//! - [`wallet`]: the core — account, lock, session, level-2 upgrade, held credentials, and
//!   the [`capability`](wallet::capability) seam;
//! - capabilities: [`health`], [`judicial`], each registering with the wallet;
//! - this root, which opens a wallet with every capability ([`Wallet::open`]).
//!
//! Generic over the platform through [`SecureArea`]; knows nothing of UniFFI.

pub mod api_client;
pub(crate) mod clock;
pub mod crypto;
pub mod error;
pub mod health;
pub mod judicial;
pub mod passcode;
pub mod secure_area;
pub mod store;
pub mod wallet;

/// The chip protocol (the level-2 upgrade), re-exported for the same reason.
pub use vneid_emrtd as emrtd;

/// The credential format, re-exported so apps and tests use the same version as the wallet.
pub use vneid_credential as credential;

pub use error::{
    BlockReason, CapabilityError, CredentialRejection, ErrorCategory, ErrorCode, Lang, WalletError,
};
pub use passcode::Passcode;
pub use secure_area::{SecureArea, SecureAreaError, SoftwareSecureArea};
pub use store::DisclosureRecord;
pub use vneid_api::{AccountInfo, CitizenProfile, Sex as api_sex};
pub use wallet::{
    AccountSummary, ActivationInput, BATCH_SIZE, Capabilities, Capability, CredentialSummary,
    Level2Outcome, Level2Progress, OtpSent, PRESENTATION_VALIDITY, Presentation,
    REFERENCE_TRUST_ANCHOR, STORE_FILE, Wallet, WalletBuilder, WalletConfig, WalletState,
};

use std::sync::Arc;

impl Wallet {
    /// Opens the wallet in `config.data_dir` with every capability of this crate (the health
    /// book and judicial-record requests), creating it on first use. [`WalletBuilder`] opens
    /// it with a chosen set.
    pub fn open(
        config: WalletConfig,
        secure_area: Arc<dyn SecureArea>,
    ) -> Result<Self, WalletError> {
        Self::builder(config, secure_area).open()
    }

    /// A builder with every capability of this crate registered.
    pub fn builder(config: WalletConfig, secure_area: Arc<dyn SecureArea>) -> WalletBuilder {
        WalletBuilder::new(config, secure_area).with_all(capabilities())
    }
}

/// Fresh instances of every capability of this crate.
pub fn capabilities() -> Capabilities {
    let mut all = Capabilities::default();
    all.add(Arc::new(health::HealthBook));
    all.add(Arc::new(judicial::JudicialRequests::default()));
    all
}

/// Every stable code of the core and of this crate's capabilities: the catalogue the FFI
/// mirrors.
pub fn error_codes() -> Vec<ErrorCode> {
    capabilities().error_codes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_code_has_a_unique_stable_string_and_both_messages() {
        let mut seen = HashSet::new();
        let codes = error_codes();
        assert!(codes.len() > error::CORE_CODES.len());
        for code in codes {
            assert!(seen.insert(code.as_str()), "duplicate {}", code.as_str());
            assert!(
                code.as_str()
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c == '_')
            );
            assert!(!code.message(Lang::Vi).is_empty());
            assert!(!code.message(Lang::En).is_empty());
            assert_ne!(code.message(Lang::Vi), code.message(Lang::En));
        }
    }

    #[test]
    fn each_capability_has_a_unique_name_and_its_own_tables() {
        let all = capabilities();
        let mut names = HashSet::new();
        let mut tables = HashSet::new();
        for c in all.iter() {
            assert!(names.insert(c.name()), "{}", c.name());
            if let Some(schema) = c.schema() {
                assert_eq!(schema.name, c.name());
                for t in schema.tables {
                    assert!(tables.insert(*t), "table {t} claimed twice");
                }
            }
        }
    }
}
