//! The electronic health book (sổ sức khỏe điện tử) in the wallet: incremental sync from the
//! backend, sealed storage with a keyed search index, the citizen's notes and self-declared
//! profile, the BHYT card as a presentable credential, and FHIR R4 export.
//!
//! Sync is resumable at every page boundary: each page is checked whole, then applied and the
//! cursor moved in one store transaction. A connection lost mid-page leaves the previous
//! page's cursor; the next sync asks again from there, and re-applying a change the wallet
//! already has is a no-op (same or older version), so nothing is duplicated or lost.

mod cert;
mod check;
mod db;
mod error;
mod fhir;
mod fold;
mod profile;
mod types;
mod vaccines;

pub use check::{PageError, check_page, check_record};
pub use db::MAX_PAGE_SIZE;
pub use error::{HEALTH_CODES, HealthError};
pub use fhir::{SYSTEM_BHYT, SYSTEM_ICD10, SYSTEM_ID_NUMBER};
pub use fold::{fold, words};
pub use profile::{BloodType, HealthProfile, MAX_ENTRIES, MAX_ENTRY_CHARS, SelfDeclaredProfile};
pub use types::*;
/// Page sizes of the change feed, and the date type of queries, for the FFI and apps.
pub use vneid_api::health::{DEFAULT_PAGE, MAX_PAGE};
pub use vneid_identity::CalendarDate;

pub use cert::PRESET_HEALTH_CERTIFICATE;

use crate::clock::now_unix;
use crate::error::{ErrorCode, WalletError};
use crate::store::{self, Schema};
use crate::wallet::{Capability, Wallet};
use vneid_api::CredentialKind;
use vneid_credential::claims::types as cred_types;

/// The health book as a wallet capability: its tables (book, search terms, facilities,
/// notes, sync cursor, profile, certificate copies) and its codes.
#[derive(Debug, Default)]
pub struct HealthBook;

/// The health book's tables.
pub(crate) const SCHEMA: Schema = Schema {
    name: "health",
    migrations: &[db::MIGRATION, cert::CERT_MIGRATION],
    tables: db::TABLES,
    // Created by core schema versions 4 and 5 before capabilities were versioned apart.
    legacy_versions: &[4, 5],
};

impl Capability for HealthBook {
    fn name(&self) -> &'static str {
        SCHEMA.name
    }

    fn schema(&self) -> Option<Schema> {
        Some(SCHEMA)
    }

    fn error_codes(&self) -> &'static [ErrorCode] {
        HEALTH_CODES
    }
}

/// Fetch BHYT copies when fewer unused ones remain.
const CARD_COPIES_LOW: usize = 2;
/// Longest note, in characters.
pub const MAX_NOTE_CHARS: usize = 2000;

/// Result of [`Wallet::health_sync`], with what happened to the card credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncOutcome {
    pub report: SyncReport,
    /// Set when the book synced but fetching BHYT credential copies failed (the card can
    /// then not be presented as a QR until a later sync succeeds).
    pub card_error: Option<ErrorCode>,
    /// Set when the book synced but fetching certificate copies failed.
    pub certificate_error: Option<ErrorCode>,
}

fn rfc3339(now: u64) -> String {
    let days = i64::try_from(now / 86_400).unwrap_or(0);
    let secs = now % 86_400;
    let date = CalendarDate::from_unix_days(days)
        .map(|d| d.to_iso())
        .unwrap_or_else(|| "1970-01-01".into());
    format!(
        "{date}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

impl Wallet {
    /// Syncs the book with the default page size.
    pub async fn health_sync(&self) -> Result<SyncOutcome, WalletError> {
        self.health_sync_with(DEFAULT_PAGE).await
    }

    /// Syncs the book, `page_size` changes per request (1..=500), then makes sure BHYT
    /// credential copies are on hand if the book has a card, and copies of current
    /// certificates (sick leave of the last 30 days, valid driver certificates); copies of
    /// withdrawn certificates are deleted.
    pub async fn health_sync_with(&self, page_size: u32) -> Result<SyncOutcome, WalletError> {
        if page_size == 0 || page_size > vneid_api::health::MAX_PAGE {
            return Err(HealthError::Input("page size").into());
        }
        let mut report = self.health_sync_pages(page_size).await?;
        let card_error = match self.ensure_card_copies().await {
            Ok(n) => {
                report.card_copies_fetched = n;
                None
            }
            Err(e) => Some(e.code()),
        };
        // Certificates: a failure leaves the book synced; presenting fetches again.
        let certificate_error = match self.drop_withdrawn_certificate_copies().await {
            Ok(()) => match self.ensure_certificate_copies().await {
                Ok(n) => {
                    report.certificates_fetched = n;
                    None
                }
                Err(e) => Some(e.code()),
            },
            Err(e) => Some(e.code()),
        };
        Ok(SyncOutcome {
            report,
            card_error,
            certificate_error,
        })
    }

    async fn health_sync_pages(&self, page_size: u32) -> Result<SyncReport, WalletError> {
        self.require_unlocked()?;
        let mut report = SyncReport::default();
        loop {
            let since = self.store()?.read(|c, _| db::cursor(c))?.0;
            // Asked per page: a long sync outlives one access token.
            let token = self.access_token().await?;
            let page = self.api.health_changes(&token, since, page_size).await?;
            check_page(&page, since, page_size)
                .map_err(|e| WalletError::from(HealthError::Data(e)))?;
            let now = now_unix();
            let applied = self.store()?.transaction(|tx, sealer| {
                db::apply_page(tx, sealer, &page.changes, page.next_cursor, now)
            })?;
            report.pages += 1;
            report.upserted += applied.upserted;
            report.deleted += applied.deleted;
            report.unchanged += applied.unchanged;
            report.cursor = page.next_cursor;
            if !page.has_more {
                break;
            }
        }
        let (by_kind, _) = self.store()?.read(|c, _| db::counts(c))?;
        report.records = by_kind.iter().map(|(_, n)| n).sum();
        Ok(report)
    }

    /// Fetches a batch of BHYT credential copies when the book has a card and fewer than two
    /// unused, unexpired copies are left. Returns the copies fetched.
    async fn ensure_card_copies(&self) -> Result<u32, WalletError> {
        let has_card = self.store()?.read(|c, _| {
            Ok(db::counts(c)?
                .0
                .iter()
                .any(|(k, n)| *k == RecordKind::BhytCard && *n > 0))
        })?;
        if !has_card {
            return Ok(0);
        }
        let now = now_unix();
        let fresh = self
            .store()?
            .read(|c, _| store::list_credentials(c))?
            .iter()
            .filter(|r| {
                r.credential_type == cred_types::BHYT && r.used_at.is_none() && r.expires_at > now
            })
            .count();
        if fresh >= CARD_COPIES_LOW {
            return Ok(0);
        }
        self.fetch_kinds(&[CredentialKind::Bhyt]).await?;
        Ok(u32::try_from(crate::BATCH_SIZE).unwrap_or(0))
    }

    /// One page of the book matching `query`, newest first.
    pub fn health_query(&self, query: &HealthQuery) -> Result<HealthPage, WalletError> {
        self.require_unlocked()?;
        self.store()?
            .read(|c, sealer| db::query(c, sealer, query))?
            .map_err(|e| {
                WalletError::from(HealthError::Input(match e {
                    db::QueryError::PageToken => "page token",
                    db::QueryError::PageSize => "page size",
                }))
            })
    }

    /// One record with the citizen's note.
    pub fn health_record(&self, record_id: &str) -> Result<BookEntry, WalletError> {
        self.require_unlocked()?;
        self.store()?
            .read(|c, sealer| db::get(c, sealer, record_id))?
            .ok_or(WalletError::from(HealthError::RecordNotFound))
    }

    /// Facilities that issued records in the book (for a filter picker).
    pub fn health_facilities(&self) -> Result<Vec<Facility>, WalletError> {
        self.require_unlocked()?;
        Ok(self.store()?.read(db::facilities)?)
    }

    /// Sets (or with `None` removes) the citizen's own note on a record. Notes survive the
    /// issuer's corrections of the record and are found by free-text search.
    pub fn health_set_note(&self, record_id: &str, text: Option<&str>) -> Result<(), WalletError> {
        self.require_unlocked()?;
        let text = text.map(str::trim).filter(|t| !t.is_empty());
        if text.is_some_and(|t| t.chars().count() > MAX_NOTE_CHARS || t.contains('\0')) {
            return Err(HealthError::Input("note").into());
        }
        let now = now_unix();
        let found = self
            .store()?
            .transaction(|tx, sealer| db::set_note(tx, sealer, record_id, text, now))?;
        if !found {
            return Err(HealthError::RecordNotFound.into());
        }
        Ok(())
    }

    /// The book at a glance: counts per kind, date range, the BHYT card, last sync.
    pub fn health_summary(&self) -> Result<HealthSummary, WalletError> {
        self.require_unlocked()?;
        let store = self.store()?;
        let (by_kind, range) = store.read(|c, _| db::counts(c))?;
        let (cursor, last_sync_at) = store.read(|c, _| db::cursor(c))?;
        let card = store
            .read(|c, sealer| {
                db::query(
                    c,
                    sealer,
                    &HealthQuery {
                        kinds: vec![RecordKind::BhytCard],
                        page_size: 1,
                        ..HealthQuery::default()
                    },
                )
            })?
            .ok()
            .and_then(|p| p.entries.into_iter().next())
            .map(|e| e.record);
        let iso = |d: i64| CalendarDate::from_unix_days(d).map(|c| c.to_iso());
        Ok(HealthSummary {
            records: by_kind.iter().map(|(_, n)| n).sum(),
            by_kind,
            bhyt_card: card,
            oldest: range.and_then(|(a, _)| iso(a)),
            newest: range.and_then(|(_, b)| iso(b)),
            last_sync_at,
            cursor,
        })
    }

    /// The self-declared profile, if the citizen wrote one.
    pub fn health_profile(&self) -> Result<Option<SelfDeclaredProfile>, WalletError> {
        self.require_unlocked()?;
        Ok(self.store()?.read(profile::load)?)
    }

    /// Replaces the self-declared profile (entries trimmed, duplicates dropped).
    pub fn health_set_profile(&self, p: HealthProfile) -> Result<SelfDeclaredProfile, WalletError> {
        self.require_unlocked()?;
        let p = p.normalised().map_err(|e| {
            WalletError::from(HealthError::Input(match e {
                profile::ProfileError::TooManyEntries => "too many profile entries",
                profile::ProfileError::EntryEmptyOrTooLong => "profile entry",
            }))
        })?;
        let stored = SelfDeclaredProfile {
            profile: p,
            updated_at: now_unix(),
        };
        self.store()?
            .transaction(|tx, sealer| profile::save(tx, sealer, &stored))?;
        Ok(stored)
    }

    /// The book, or the records with the given ids, as a FHIR R4 Bundle (JSON text). An
    /// unknown id in the selection is an error rather than a silently smaller export.
    pub fn health_export_fhir(&self, selection: Option<&[String]>) -> Result<String, WalletError> {
        let patient = self.profile()?;
        let records = self
            .store()?
            .read(|c, sealer| db::records(c, sealer, selection))?;
        if let Some(sel) = selection
            && sel.iter().any(|id| !records.iter().any(|r| &r.id == id))
        {
            return Err(HealthError::RecordNotFound.into());
        }
        // A fresh id key for every export: two exports of the book share no resource id.
        let key = fhir::ExportKey::random()
            .map_err(|_| WalletError::Internal("no random source for the export".into()))?;
        let bundle = fhir::bundle(&patient, &records, &rfc3339(now_unix()), &key);
        serde_json::to_string(&bundle).map_err(|e| WalletError::Internal(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_rfc3339_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_795_000_000), "2026-11-18T11:06:40Z");
    }
}
