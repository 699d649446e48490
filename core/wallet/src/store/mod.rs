//! The wallet's local store: SQLite with migrations, WAL, one transaction per state change,
//! personal data sealed per record under a data key that only the secure area can unwrap.

mod account;
mod credentials;
mod migrations;

pub use migrations::Schema;

pub use account::{
    AccountRecord, AccountSecrets, BlockReason, PendingActivation, PendingEnrolment,
    delete_account, delete_pending, load_account, load_pending, save_account, save_pending,
};

pub use credentials::{
    CredentialRow, DisclosureRecord, delete_credentials, delete_disclosures, insert_credential,
    insert_disclosure, list_credentials, load_disclosures, mark_used, open_credential,
    pick_credential, pick_credential_among,
};

use crate::crypto::{CryptoError, SymmetricKey};
use crate::secure_area::{SecureArea, SecureAreaError};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use std::path::Path;

const DATA_KEY: &str = "data_key";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("record could not be decrypted or failed its integrity check")]
    Integrity,
    #[error("record encoding: {0}")]
    Encoding(String),
    #[error("database schema version {0} is newer than this app supports")]
    SchemaTooNew(i64),
    #[error("crypto: {0}")]
    Crypto(#[from] CryptoError),
    #[error("secure area: {0}")]
    SecureArea(#[from] SecureAreaError),
}

/// Why the store started empty although a database file existed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetReason {
    /// The sealed data key was missing: its records could never be read again.
    DataKeyMissing,
    /// The secure area could not open the data key (another device, or its keys were wiped).
    DataKeyUnusable,
}

/// The open store. Not `Sync`: the wallet keeps it behind a mutex and never holds that mutex
/// while calling into the secure area.
pub struct Store {
    conn: Connection,
    data_key: SymmetricKey,
    mac_key: SymmetricKey,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

impl Store {
    /// Opens or creates the store at `path`, unwrapping (or creating and sealing) the data key
    /// with `secure_area`, and brings the core's and each capability's tables up to date. A
    /// store whose data key cannot be recovered is emptied, since nothing in it can be read
    /// any more; the reason is returned.
    pub fn open(
        path: &Path,
        secure_area: &dyn SecureArea,
        capabilities: &[Schema],
    ) -> Result<(Self, Option<ResetReason>), StoreError> {
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrations::migrate(&mut conn, capabilities)?;

        let sealed: Option<Vec<u8>> = conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [DATA_KEY], |r| {
                r.get(0)
            })
            .optional()?;
        let mut reset = None;
        let data_key = match sealed {
            Some(sealed) => match secure_area.unseal(&sealed) {
                Ok(bytes) => SymmetricKey::from_slice(&bytes)?,
                Err(SecureAreaError::SealBroken) => {
                    reset = Some(ResetReason::DataKeyUnusable);
                    Self::create_data_key(&mut conn, secure_area, capabilities)?
                }
                Err(e) => return Err(e.into()),
            },
            None => {
                if migrations::has_user_data(&conn, capabilities)? {
                    reset = Some(ResetReason::DataKeyMissing);
                }
                Self::create_data_key(&mut conn, secure_area, capabilities)?
            }
        };
        let mac_key = data_key.derive(b"store/mac");
        Ok((
            Self {
                conn,
                data_key,
                mac_key,
            },
            reset,
        ))
    }

    /// Generates a fresh data key, seals it, and empties every table in one transaction.
    fn create_data_key(
        conn: &mut Connection,
        secure_area: &dyn SecureArea,
        capabilities: &[Schema],
    ) -> Result<SymmetricKey, StoreError> {
        let key = SymmetricKey::generate()?;
        let sealed = secure_area.seal(key.as_bytes())?;
        let tx = conn.transaction()?;
        migrations::wipe_user_data(&tx, capabilities)?;
        tx.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
            params![DATA_KEY, sealed],
        )?;
        tx.commit()?;
        Ok(key)
    }

    /// Runs `f` in one transaction: all of its writes land, or none.
    pub fn transaction<T>(
        &mut self,
        f: impl FnOnce(&Transaction<'_>, &Sealer<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let tx = self.conn.transaction()?;
        let sealer = Sealer {
            data_key: &self.data_key,
            mac_key: &self.mac_key,
        };
        let out = f(&tx, &sealer)?;
        tx.commit()?;
        Ok(out)
    }

    /// Read-only access.
    pub fn read<T>(
        &self,
        f: impl FnOnce(&Connection, &Sealer<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let sealer = Sealer {
            data_key: &self.data_key,
            mac_key: &self.mac_key,
        };
        f(&self.conn, &sealer)
    }
}

/// Encrypts and authenticates records with the store's keys.
pub struct Sealer<'a> {
    data_key: &'a SymmetricKey,
    mac_key: &'a SymmetricKey,
}

impl std::fmt::Debug for Sealer<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(<keys redacted>)")
    }
}

impl Sealer<'_> {
    pub fn seal(&self, context: &str, plaintext: &[u8]) -> Result<Vec<u8>, StoreError> {
        Ok(self.data_key.seal(context.as_bytes(), plaintext)?)
    }

    pub fn open(
        &self,
        context: &str,
        sealed: &[u8],
    ) -> Result<zeroize::Zeroizing<Vec<u8>>, StoreError> {
        self.data_key
            .open(context.as_bytes(), sealed)
            .map_err(|_| StoreError::Integrity)
    }

    pub fn mac(&self, data: &[u8]) -> Vec<u8> {
        self.mac_key.mac(data)
    }

    pub fn verify_mac(&self, data: &[u8], tag: &[u8]) -> bool {
        self.mac_key.verify_mac(data, tag)
    }
}
