//! The wallet core: the citizen's account on this device (activation at level 1, passcode,
//! lock and session, the level-2 upgrade), the credentials it holds, and the registry of the
//! capabilities built on it ([`capability`]).
//!
//! States: `NotActivated` → `AwaitingOtp` → `AwaitingPasscode` → `Locked` ⇄ `Unlocked`, with
//! `Blocked` (five wrong passcodes, tampered store, or the account moved to another phone)
//! left only by re-activating with an SMS OTP. Re-activation is the same flow started from
//! any state; it replaces the local account only once the new device key is bound.
//!
//! Locks are never held across an `.await` or a call into the secure area (which may be
//! Kotlin or Swift code).

mod activation;
mod attempts;
pub mod capability;
mod credentials;
// The level-2 upgrade with the chip ID card.
mod level2;
mod session;
mod unlock;

pub use activation::{ActivationInput, OtpSent};
pub use capability::{Capabilities, Capability};
pub use credentials::{BATCH_SIZE, CredentialSummary, PRESENTATION_VALIDITY, Presentation};
// Every credential a capability receives is checked on receipt like the core's own.
pub(crate) use credentials::open_received_copy;
pub use level2::{Level2Outcome, Level2Progress, MAX_SELFIE_BYTES};
pub use session::Session;

use crate::api_client::ApiClient;
use crate::clock::now_unix;
use crate::error::{BlockReason, WalletError};
use crate::passcode::{DEFAULT_ITERATIONS, MAX_ATTEMPTS};
use crate::secure_area::SecureArea;
use crate::store::{self, ResetReason, Store, StoreError};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use vneid_api::CitizenProfile;

/// File name of the store inside the data directory.
pub const STORE_FILE: &str = "wallet.sqlite3";

/// How a wallet is set up on a device.
#[derive(Debug, Clone)]
pub struct WalletConfig {
    /// Directory for the wallet's database (app-private storage).
    pub data_dir: PathBuf,
    /// Base URL of the backend, e.g. `https://api.example.vn`.
    pub backend_url: String,
    /// Shown to the citizen in their device list ("Pixel 8 của An").
    pub device_name: String,
    /// `android`, `ios` or `desktop`.
    pub platform: String,
    /// PBKDF2 iterations for new passcodes.
    pub kdf_iterations: u32,
    pub http_timeout: Duration,
    /// Pinned trust-list anchor keys (SEC1 P-256). Every credential copy the backend sends
    /// must be signed by an issuer in a trust list one of these signed. Defaults to the
    /// reference backend's test anchor ([`REFERENCE_TRUST_ANCHOR`]); a production build pins
    /// its own.
    pub trust_anchors: Vec<Vec<u8>>,
}

/// The reference backend's trust-list anchor (SEC1 compressed): a test key derived from a
/// fixed label (`fixtures/backend/src/issuer.rs`), so it protects nothing outside tests.
pub const REFERENCE_TRUST_ANCHOR: [u8; 33] = [
    0x03, 0x88, 0x9d, 0x55, 0xe3, 0xab, 0x10, 0x00, 0x2b, 0x71, 0xce, 0x2c, 0x4b, 0x5e, 0x20, 0xc2,
    0x38, 0x7d, 0x32, 0x9d, 0x40, 0x5d, 0xc0, 0xd3, 0x39, 0x52, 0xca, 0x6e, 0x67, 0x6e, 0xb5, 0x2b,
    0x2d,
];

impl WalletConfig {
    pub fn new(data_dir: impl Into<PathBuf>, backend_url: impl Into<String>) -> Self {
        Self {
            data_dir: data_dir.into(),
            backend_url: backend_url.into(),
            device_name: "desktop".into(),
            platform: "desktop".into(),
            kdf_iterations: DEFAULT_ITERATIONS,
            http_timeout: Duration::from_secs(20),
            trust_anchors: vec![REFERENCE_TRUST_ANCHOR.to_vec()],
        }
    }
}

/// Where the wallet stands, for the app to pick its screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WalletState {
    NotActivated,
    /// An SMS OTP was sent; the app shows the code entry.
    AwaitingOtp {
        masked_phone: String,
        /// Unix seconds when a resend is allowed.
        resend_at: u64,
    },
    /// OTP accepted; the app asks for a new passcode.
    AwaitingPasscode,
    /// Activated; the passcode unlocks it.
    Locked {
        attempts_left: u32,
    },
    Unlocked {
        online: bool,
    },
    /// Needs re-activation with an SMS OTP.
    Blocked {
        reason: BlockReason,
    },
}

/// The activated account as the app shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSummary {
    pub account_id: String,
    pub device_id: String,
    pub level: u8,
    /// False when unlocked without reaching the backend (offline use).
    pub online: bool,
}

/// The holder wallet.
pub struct Wallet {
    config: WalletConfig,
    secure_area: Arc<dyn SecureArea>,
    pub(crate) api: ApiClient,
    store: Mutex<Store>,
    session: Mutex<Option<Session>>,
    enrolment: Mutex<Option<activation::Enrolment>>,
    reset_reason: Option<ResetReason>,
    capabilities: Capabilities,
}

impl std::fmt::Debug for Wallet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Wallet")
            .field("data_dir", &self.config.data_dir)
            .finish_non_exhaustive()
    }
}

fn poisoned<T>(_: T) -> WalletError {
    WalletError::Internal("a wallet lock was poisoned by an earlier panic".into())
}

/// Opens a wallet with the capabilities the app wants. `Wallet::open` (at the crate root)
/// opens it with all of this crate's.
pub struct WalletBuilder {
    config: WalletConfig,
    secure_area: Arc<dyn SecureArea>,
    capabilities: Capabilities,
}

impl std::fmt::Debug for WalletBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WalletBuilder")
            .field("data_dir", &self.config.data_dir)
            .field("capabilities", &self.capabilities)
            .finish_non_exhaustive()
    }
}

impl WalletBuilder {
    pub fn new(config: WalletConfig, secure_area: Arc<dyn SecureArea>) -> Self {
        Self {
            config,
            secure_area,
            capabilities: Capabilities::default(),
        }
    }

    /// Registers a capability: its tables are migrated when the wallet opens.
    pub fn with(mut self, capability: impl Capability) -> Self {
        self.capabilities.add(Arc::new(capability));
        self
    }

    /// Registers every capability of `all`.
    pub fn with_all(mut self, all: Capabilities) -> Self {
        for c in all.iter() {
            self.capabilities.add(Arc::clone(c));
        }
        self
    }

    /// Opens the wallet in `config.data_dir`, creating it on first use.
    pub fn open(self) -> Result<Wallet, WalletError> {
        let Self {
            config,
            secure_area,
            capabilities,
        } = self;
        std::fs::create_dir_all(&config.data_dir)
            .map_err(|e| WalletError::Store(StoreError::Encoding(e.to_string())))?;
        let (store, reset_reason) = Store::open(
            &config.data_dir.join(STORE_FILE),
            secure_area.as_ref(),
            &capabilities.schemas(),
        )?;
        let api = ApiClient::new(&config.backend_url, config.http_timeout)?;
        Ok(Wallet {
            config,
            secure_area,
            api,
            store: Mutex::new(store),
            session: Mutex::new(None),
            enrolment: Mutex::new(None),
            reset_reason,
            capabilities,
        })
    }
}

impl Wallet {
    /// The capabilities this wallet was opened with.
    pub fn capabilities(&self) -> &Capabilities {
        &self.capabilities
    }

    /// The registered capability of type `C`, for its own `impl Wallet` operations.
    pub fn capability<C: Capability>(&self) -> Result<&C, WalletError> {
        self.capabilities.get::<C>().ok_or_else(|| {
            WalletError::Internal(format!(
                "capability {} is not registered",
                std::any::type_name::<C>()
            ))
        })
    }

    /// Set when the store had to start empty because its data key was gone.
    pub fn reset_reason(&self) -> Option<ResetReason> {
        self.reset_reason
    }

    pub fn config(&self) -> &WalletConfig {
        &self.config
    }

    pub(crate) fn store(&self) -> Result<MutexGuard<'_, Store>, WalletError> {
        self.store.lock().map_err(poisoned)
    }

    pub(crate) fn session(&self) -> Result<MutexGuard<'_, Option<Session>>, WalletError> {
        self.session.lock().map_err(poisoned)
    }

    fn enrolment(&self) -> Result<MutexGuard<'_, Option<activation::Enrolment>>, WalletError> {
        self.enrolment.lock().map_err(poisoned)
    }

    /// Loads the account; a tampered row reads as blocked.
    fn load_account(&self) -> Result<AccountLoad, WalletError> {
        let loaded = self.store()?.read(store::load_account);
        match loaded {
            Ok(Some(record)) => Ok(AccountLoad::Present(Box::new(record))),
            Ok(None) => Ok(AccountLoad::Missing),
            Err(StoreError::Integrity) => Ok(AccountLoad::Tampered),
            Err(e) => Err(e.into()),
        }
    }

    /// The current state.
    pub fn state(&self) -> Result<WalletState, WalletError> {
        if self.enrolment()?.is_some() {
            return Ok(WalletState::AwaitingPasscode);
        }
        if let Some(pending) = self.store()?.read(store::load_pending)? {
            if pending
                .enrolment
                .as_ref()
                .is_some_and(|e| now_unix() < e.expires_at)
            {
                return Ok(WalletState::AwaitingPasscode);
            }
            return Ok(WalletState::AwaitingOtp {
                masked_phone: pending.masked_phone,
                resend_at: pending.resend_at,
            });
        }
        Ok(match self.load_account()? {
            AccountLoad::Missing => WalletState::NotActivated,
            AccountLoad::Tampered => WalletState::Blocked {
                reason: BlockReason::Tampered,
            },
            AccountLoad::Present(record) => {
                if let Some(reason) = record.block_reason {
                    WalletState::Blocked { reason }
                } else if let Some(session) = self.session()?.as_ref() {
                    WalletState::Unlocked {
                        online: session.is_online(),
                    }
                } else {
                    let counted = attempts::count(self.secure_area.as_ref(), &record.key_alias)?;
                    let used = record.failed_attempts.max(counted);
                    if used >= MAX_ATTEMPTS {
                        WalletState::Blocked {
                            reason: BlockReason::TooManyAttempts,
                        }
                    } else {
                        WalletState::Locked {
                            attempts_left: MAX_ATTEMPTS - used,
                        }
                    }
                }
            }
        })
    }

    /// The citizen's population record, sealed in the store. Needs an unlocked wallet.
    pub fn profile(&self) -> Result<CitizenProfile, WalletError> {
        if self.session()?.is_none() {
            return Err(WalletError::NotUnlocked);
        }
        match self.load_account()? {
            AccountLoad::Present(record) => Ok(record.secrets.profile.clone()),
            AccountLoad::Tampered => Err(WalletError::Blocked(BlockReason::Tampered)),
            AccountLoad::Missing => Err(WalletError::InvalidState {
                state: "not activated",
            }),
        }
    }

    /// The device key alias created for an activation still in progress, if any. A pending
    /// record that cannot be read has no usable alias either.
    fn pending_key_alias(&self) -> Result<Option<String>, WalletError> {
        Ok(self
            .store()?
            .read(store::load_pending)
            .ok()
            .flatten()
            .and_then(|p| p.key_alias))
    }

    /// Removes the account, its keys and any activation in progress from this device.
    pub fn sign_out(&self) -> Result<(), WalletError> {
        let alias = match self.load_account()? {
            AccountLoad::Present(record) => Some(record.key_alias.clone()),
            _ => None,
        };
        let pending_alias = self.pending_key_alias()?;
        // Credentials go first: their keys are useless without the account anyway.
        self.delete_all_credentials()?;
        self.store()?.transaction(|tx, _| {
            // What every capability keeps leaves with the account.
            self.capabilities.wipe(tx)?;
            store::delete_account(tx)?;
            store::delete_pending(tx)
        })?;
        *self.session()? = None;
        *self.enrolment()? = None;
        for alias in alias.into_iter().chain(pending_alias) {
            attempts::clear(self.secure_area.as_ref(), &alias)?;
            self.secure_area.delete_key(&alias)?;
        }
        Ok(())
    }
}

enum AccountLoad {
    Missing,
    Tampered,
    Present(Box<store::AccountRecord>),
}
