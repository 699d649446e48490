//! Shared pieces of the end-to-end tests in `tests/tests/`: every suite runs the real wallet
//! core against the reference backend on loopback, and each needs the same few steps to get
//! there (a backend with a dev token, a wallet with a cheap passcode KDF, an activated
//! citizen). They live here once so that a change to activation or to the wallet's
//! configuration is made in one place; each suite keeps its own variations (seeded
//! population, timeouts, proxies) as the `configure` closures.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::Arc;
use vneid_backend::{Backend, BackendConfig, RunningBackend, SeededCitizen};
use vneid_wallet::api_client::ApiClient;
use vneid_wallet::credential::cose::PublicKey;
use vneid_wallet::credential::trust::{FreshnessPolicy, StatusList, StatusLists, TrustList};
use vneid_wallet::{ActivationInput, Passcode, SoftwareSecureArea, Wallet, WalletConfig};
use zeroize::Zeroizing;

/// The passcode every test citizen sets: six digits that pass the wallet's strength rules.
pub const PASSCODE: &str = "860247";

/// The dev token the test backends accept on their `/dev/...` endpoints.
pub const DEV_TOKEN: &str = "test-dev-token";

/// The passcode KDF's iteration count in tests: the production default (600k) would make
/// every activation and unlock take seconds on the shared CI machine.
pub const TEST_KDF_ITERATIONS: u32 = 1_000;

/// Starts the reference backend on loopback with [`DEV_TOKEN`]; `configure` sets the rest
/// (seeded population, database path, health books...).
pub async fn spawn_backend(configure: impl FnOnce(&mut BackendConfig)) -> RunningBackend {
    let mut config = BackendConfig {
        dev_token: Some(DEV_TOKEN.into()),
        ..Default::default()
    };
    configure(&mut config);
    vneid_backend::spawn(config).await.expect("backend starts")
}

/// A wallet configuration for `data_dir` against `url`, with the cheap test KDF.
pub fn wallet_config(data_dir: impl AsRef<Path>, url: impl Into<String>) -> WalletConfig {
    let mut config = WalletConfig::new(data_dir.as_ref(), url.into());
    config.kdf_iterations = TEST_KDF_ITERATIONS;
    config
}

/// One phone's wallet under `root`: its software secure area in `root/secure-area` and its
/// data in `root/wallet`. `configure` adjusts the configuration (timeouts, trust anchors).
pub fn open_wallet(root: &Path, url: &str, configure: impl FnOnce(&mut WalletConfig)) -> Wallet {
    let sa = Arc::new(SoftwareSecureArea::open_dir(&root.join("secure-area")).unwrap());
    let mut config = wallet_config(root.join("wallet"), url);
    configure(&mut config);
    Wallet::open(config, sa).unwrap()
}

/// Where a test reads the one-time code the backend texted: the in-process [`Backend`] or
/// the [`RunningBackend`] serving it.
pub trait SmsOutbox {
    /// The last OTP sent to `phone`, if any.
    fn last_otp(&self, phone: &str) -> Option<String>;
}

impl SmsOutbox for Backend {
    fn last_otp(&self, phone: &str) -> Option<String> {
        self.latest_otp(phone)
    }
}

impl SmsOutbox for RunningBackend {
    fn last_otp(&self, phone: &str) -> Option<String> {
        self.latest_otp(phone)
    }
}

/// What the citizen types on the activation screen.
pub fn activation_input(c: &SeededCitizen) -> ActivationInput {
    ActivationInput {
        id_number: c.id_number.clone(),
        phone: c.phone.clone(),
        date_of_birth: c.date_of_birth.clone(),
        email: None,
    }
}

/// Enters the OTP the backend last texted to the citizen's phone.
pub async fn verify_latest_otp(wallet: &Wallet, backend: &impl SmsOutbox, c: &SeededCitizen) {
    let otp = backend.last_otp(&c.phone).expect("an OTP was sent");
    wallet.verify_otp(Zeroizing::new(otp)).await.unwrap();
}

/// Activates the wallet (level 1) for a seeded citizen: identity, OTP, then [`PASSCODE`].
pub async fn activate(wallet: &Wallet, backend: &impl SmsOutbox, c: &SeededCitizen) {
    wallet.start_activation(activation_input(c)).await.unwrap();
    verify_latest_otp(wallet, backend, c).await;
    wallet.set_passcode(Passcode::new(PASSCODE)).await.unwrap();
}

/// Activates the wallet for the first seeded citizen and returns them.
pub async fn activate_first(wallet: &Wallet, backend: &RunningBackend) -> SeededCitizen {
    let c = backend.sample_citizens(1).pop().unwrap();
    activate(wallet, backend, &c).await;
    c
}

/// Now, in Unix seconds, as a counter's clock reads it.
pub fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// What a counter holds: the backend's trust list verified against the pinned anchor, and
/// the status list `list_id` verified against that trust list.
pub async fn counter_lists(api: &ApiClient, list_id: u32) -> (TrustList, StatusLists) {
    let anchor =
        PublicKey::from_sec1(&vneid_backend::issuer::trust_anchor_public_key().unwrap()).unwrap();
    let trust = TrustList::verify(
        &api.trust_list().await.unwrap(),
        &[anchor],
        FreshnessPolicy::default(),
    )
    .unwrap();
    let mut status = StatusLists::new(600);
    status.insert(StatusList::verify(&api.status_list(list_id).await.unwrap(), &trust).unwrap());
    (trust, status)
}
