//! `WalletCore`: the one long-lived object apps hold.
//!
//! It owns a tokio runtime; every async method runs its work there as a task, so the
//! foreign side's executor never needs a tokio reactor, and [`WalletCore::cancel_all`] can
//! abort work in flight (foreign coroutine/task cancellation does not reach Rust).

use crate::error::ErrorCode;
use crate::error::VneidError;
use crate::records::*;
use crate::secure_area::{Adapter, SecureArea};
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::task::AbortHandle;
use vneid_wallet::{Passcode, Wallet, WalletError};
use zeroize::Zeroizing;

#[derive(uniffi::Object)]
pub struct WalletCore {
    pub(crate) wallet: Arc<Wallet>,
    runtime: Option<tokio::runtime::Runtime>,
    tasks: Mutex<HashMap<u64, AbortHandle>>,
    next_task: AtomicU64,
}

impl std::fmt::Debug for WalletCore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WalletCore").finish_non_exhaustive()
    }
}

impl Drop for WalletCore {
    fn drop(&mut self) {
        // Dropping a runtime blocks; if the last reference goes away on a runtime thread
        // that would panic, so let its threads wind down in the background instead.
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

fn internal(message: impl std::fmt::Display) -> VneidError {
    let _ = message.to_string();
    VneidError::from_code(ErrorCode::Internal, None, None)
}

impl WalletCore {
    /// Runs `work` on the core's runtime as an abortable task.
    pub(crate) async fn run<T, F>(
        &self,
        work: impl FnOnce(Arc<Wallet>) -> F,
    ) -> Result<T, VneidError>
    where
        T: Send + 'static,
        F: Future<Output = Result<T, WalletError>> + Send + 'static,
    {
        let runtime = self
            .runtime
            .as_ref()
            .ok_or_else(|| internal("runtime gone"))?;
        let handle = runtime.spawn(work(Arc::clone(&self.wallet)));
        let id = self.next_task.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut tasks) = self.tasks.lock() {
            tasks.insert(id, handle.abort_handle());
        }
        let tracked = Tracked {
            tasks: &self.tasks,
            id,
            armed: true,
        };
        let result = handle.await;
        tracked.finish();
        match result {
            Ok(r) => r.map_err(VneidError::from),
            Err(e) if e.is_cancelled() => {
                Err(VneidError::from_code(ErrorCode::Cancelled, None, None))
            }
            Err(e) => Err(internal(e)),
        }
    }
}

/// A task in [`WalletCore::tasks`]. If the future awaiting it is dropped first (Kotlin cancels
/// a coroutine that way), the task is aborted rather than left running detached.
struct Tracked<'a> {
    tasks: &'a Mutex<HashMap<u64, AbortHandle>>,
    id: u64,
    armed: bool,
}

impl Tracked<'_> {
    fn finish(mut self) {
        self.armed = false;
    }
}

impl Drop for Tracked<'_> {
    fn drop(&mut self) {
        if let Ok(mut tasks) = self.tasks.lock()
            && let Some(task) = tasks.remove(&self.id)
            && self.armed
        {
            task.abort();
        }
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl WalletCore {
    /// Opens (or creates) the wallet. `secure_area` is the platform's key store.
    #[uniffi::constructor]
    pub fn new(
        config: WalletConfig,
        secure_area: Arc<dyn SecureArea>,
    ) -> Result<Arc<Self>, VneidError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("vneid-core")
            .enable_all()
            .build()
            .map_err(internal)?;
        let wallet = Wallet::open(config.into(), Arc::new(Adapter(secure_area)))?;
        Ok(Arc::new(Self {
            wallet: Arc::new(wallet),
            runtime: Some(runtime),
            tasks: Mutex::new(HashMap::new()),
            next_task: AtomicU64::new(0),
        }))
    }

    /// Where the wallet stands.
    pub fn state(&self) -> Result<WalletState, VneidError> {
        Ok(self.wallet.state()?.into())
    }

    /// Checks the input and sends an SMS OTP. Also re-activation (new phone, forgotten
    /// passcode, blocked wallet).
    pub async fn start_activation(&self, input: ActivationInput) -> Result<OtpSent, VneidError> {
        self.run(|w| async move { w.start_activation(input.into()).await })
            .await
            .map(Into::into)
    }

    pub async fn resend_otp(&self) -> Result<OtpSent, VneidError> {
        self.run(|w| async move { w.resend_otp().await })
            .await
            .map(Into::into)
    }

    pub async fn verify_otp(&self, otp: String) -> Result<(), VneidError> {
        let otp = Zeroizing::new(otp);
        self.run(|w| async move { w.verify_otp(otp).await }).await
    }

    /// Sets the 6-digit passcode, binds this device and unlocks.
    pub async fn set_passcode(&self, passcode: String) -> Result<AccountSummary, VneidError> {
        let passcode = Passcode::new(passcode);
        self.run(|w| async move { w.set_passcode(passcode).await })
            .await
            .map(Into::into)
    }

    pub async fn unlock(&self, passcode: String) -> Result<AccountSummary, VneidError> {
        let passcode = Passcode::new(passcode);
        self.run(|w| async move { w.unlock(passcode).await })
            .await
            .map(Into::into)
    }

    pub fn lock(&self) -> Result<(), VneidError> {
        Ok(self.wallet.lock()?)
    }

    /// The citizen's record as stored on the device (needs an unlocked wallet).
    pub fn profile(&self) -> Result<CitizenProfile, VneidError> {
        Ok(self.wallet.profile()?.into())
    }

    /// The account as the backend sees it.
    pub async fn account_info(&self) -> Result<AccountInfo, VneidError> {
        self.run(|w| async move { w.account_info().await })
            .await
            .map(Into::into)
    }

    /// Removes the account and its keys from this device.
    pub fn sign_out(&self) -> Result<(), VneidError> {
        Ok(self.wallet.sign_out()?)
    }

    /// Aborts every operation in flight; each fails with `ErrorCode::CANCELLED`. Call it when
    /// the screen that started them goes away.
    pub fn cancel_all(&self) {
        if let Ok(mut tasks) = self.tasks.lock() {
            for (_, task) in tasks.drain() {
                task.abort();
            }
        }
    }
}
