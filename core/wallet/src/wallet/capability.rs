//! The seam between the wallet core and what it does for the citizen.
//!
//! The core (account, passcode and lock, session, secure area, store, backend client, held
//! credentials) knows no capability by name. A capability (the health book, judicial-record
//! requests, and those to come) is a module that registers itself when the wallet is opened
//! ([`WalletBuilder::with`](super::WalletBuilder::with)) and tells the wallet what it needs:
//! its tables, what to wipe when the citizen leaves the phone, what to refresh on unlock,
//! and its error codes. Its operations are `impl Wallet` blocks in its own module, using the
//! core's services; capabilities never call each other.

use super::Wallet;
use crate::error::ErrorCode;
use crate::store::{Schema, StoreError};
use rusqlite::Transaction;
use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// Work a capability does after an online unlock.
pub type Refresh<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// What a capability registers with the wallet. Everything but [`Capability::name`] has a
/// default, so a capability declares only what it has.
pub trait Capability: Any + Send + Sync {
    /// Stable name, unique among capabilities (the key of its schema version).
    fn name(&self) -> &'static str;

    /// Its tables, migrated with the store; `None` if it keeps nothing.
    fn schema(&self) -> Option<Schema> {
        None
    }

    /// Its stable error codes, for catalogue checks and the FFI.
    fn error_codes(&self) -> &'static [ErrorCode] {
        &[]
    }

    /// Drops everything it keeps for the citizen, inside the one transaction that removes
    /// the account (sign-out) or replaces it with another citizen's. By default empties its
    /// schema's tables.
    fn wipe(&self, tx: &Transaction<'_>) -> Result<(), StoreError> {
        for table in self.schema().iter().flat_map(|s| s.tables.iter()) {
            tx.execute(&format!("DELETE FROM {table}"), [])?;
        }
        Ok(())
    }

    /// Runs after an unlock that reached the backend, before `unlock` returns; keep it short
    /// and let it fail quietly (the citizen is unlocked either way).
    fn on_unlock<'a>(&'a self, wallet: &'a Wallet) -> Refresh<'a> {
        let _ = wallet;
        Box::pin(async {})
    }
}

/// The capabilities a wallet was opened with.
#[derive(Clone, Default)]
pub struct Capabilities(Vec<Arc<dyn Capability>>);

impl std::fmt::Debug for Capabilities {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|c| c.name()))
            .finish()
    }
}

impl Capabilities {
    /// Adds one; a second capability of the same name replaces the first.
    pub fn add(&mut self, capability: Arc<dyn Capability>) {
        self.0.retain(|c| c.name() != capability.name());
        self.0.push(capability);
    }

    pub fn iter(&self) -> impl Iterator<Item = &Arc<dyn Capability>> {
        self.0.iter()
    }

    /// The registered capability of type `C`.
    pub fn get<C: Capability>(&self) -> Option<&C> {
        self.0
            .iter()
            .find_map(|c| (c.as_ref() as &dyn Any).downcast_ref::<C>())
    }

    pub(crate) fn schemas(&self) -> Vec<Schema> {
        self.0.iter().filter_map(|c| c.schema()).collect()
    }

    /// Every capability's wipe, in the caller's transaction.
    pub(crate) fn wipe(&self, tx: &Transaction<'_>) -> Result<(), StoreError> {
        self.0.iter().try_for_each(|c| c.wipe(tx))
    }

    /// Every code the core and these capabilities declare.
    pub fn error_codes(&self) -> Vec<ErrorCode> {
        crate::error::CORE_CODES
            .iter()
            .copied()
            .chain(self.0.iter().flat_map(|c| c.error_codes().iter().copied()))
            .collect()
    }
}
