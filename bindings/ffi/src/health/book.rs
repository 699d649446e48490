//! The health book itself: syncing it from the backend (resumable, page by page), querying
//! it by kind, date, facility and text, the citizen's notes, the summary and the FHIR export.

use super::records::{HealthEntry, HealthFacility, HealthRecordKind, entry};
use crate::error::ErrorCode;
use crate::error::VneidError;
use crate::wallet::WalletCore;
use vneid_wallet::health as h;

/// A filter over the book; every field set must hold.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HealthQuery {
    /// Empty: every kind.
    pub kinds: Vec<HealthRecordKind>,
    /// `YYYY-MM-DD`, inclusive.
    pub from_date: Option<String>,
    /// `YYYY-MM-DD`, inclusive.
    pub to_date: Option<String>,
    /// BHYT facility code, from `health_facilities()`.
    pub facility_code: Option<String>,
    /// Words that must all occur; diacritics optional ("tiem chung" finds "tiêm chủng").
    pub text: Option<String>,
    /// 1..=200, 0 for the default (50).
    pub page_size: u32,
    /// `next_page` of the previous page.
    pub page_token: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HealthPage {
    /// Newest first.
    pub entries: Vec<HealthEntry>,
    /// Matches in all pages.
    pub total: u64,
    pub next_page: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HealthSyncReport {
    pub pages: u32,
    pub upserted: u32,
    pub deleted: u32,
    pub unchanged: u32,
    pub records: u64,
    /// BHYT credential copies fetched for the reception QR.
    pub card_copies_fetched: u32,
    /// Set when the book synced but the card credential could not be fetched.
    pub card_error: Option<ErrorCode>,
    /// Current certificates (sick leave, driver health) whose QR copies were fetched.
    pub certificates_fetched: u32,
    /// Set when the book synced but certificate copies could not be fetched.
    pub certificate_error: Option<ErrorCode>,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HealthKindCount {
    pub kind: HealthRecordKind,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HealthSummary {
    pub records: u64,
    pub by_kind: Vec<HealthKindCount>,
    pub bhyt_card: Option<HealthEntry>,
    pub newest: Option<String>,
    pub oldest: Option<String>,
    /// Unix seconds of the last sync.
    pub last_sync_at: Option<u64>,
}

fn bad_input() -> VneidError {
    VneidError::from_code(ErrorCode::HealthInputInvalid, None, None)
}

fn date(s: Option<String>) -> Result<Option<h::CalendarDate>, VneidError> {
    s.map(|d| h::CalendarDate::parse_iso(&d).map_err(|_| bad_input()))
        .transpose()
}

#[uniffi::export(async_runtime = "tokio")]
impl WalletCore {
    /// Syncs the health book (resumable: a failed sync keeps every page it completed), then
    /// fetches BHYT credential copies if the book has a card and few are left.
    pub async fn health_sync(&self) -> Result<HealthSyncReport, VneidError> {
        self.health_sync_with_page_size(h::DEFAULT_PAGE).await
    }

    /// [`WalletCore::health_sync`] with `page_size` changes per request (1..=500).
    pub async fn health_sync_with_page_size(
        &self,
        page_size: u32,
    ) -> Result<HealthSyncReport, VneidError> {
        let o = self
            .run(move |w| async move { w.health_sync_with(page_size).await })
            .await?;
        Ok(HealthSyncReport {
            pages: o.report.pages,
            upserted: o.report.upserted,
            deleted: o.report.deleted,
            unchanged: o.report.unchanged,
            records: o.report.records,
            card_copies_fetched: o.report.card_copies_fetched,
            card_error: o.card_error.map(ErrorCode::from),
            certificates_fetched: o.report.certificates_fetched,
            certificate_error: o.certificate_error.map(ErrorCode::from),
        })
    }

    /// One page of the book, newest first.
    pub fn health_query(&self, query: HealthQuery) -> Result<HealthPage, VneidError> {
        let q = h::HealthQuery {
            kinds: query.kinds.into_iter().map(Into::into).collect(),
            from: date(query.from_date)?,
            to: date(query.to_date)?,
            facility_code: query.facility_code,
            text: query.text,
            page_size: query.page_size,
            page_token: query.page_token,
        };
        let page = self.wallet.health_query(&q)?;
        Ok(HealthPage {
            entries: page.entries.into_iter().map(entry).collect(),
            total: page.total,
            next_page: page.next_page,
        })
    }

    /// One record with the citizen's note.
    pub fn health_record(&self, record_id: String) -> Result<HealthEntry, VneidError> {
        Ok(entry(self.wallet.health_record(&record_id)?))
    }

    /// Facilities that issued records (for a filter picker), by name.
    pub fn health_facilities(&self) -> Result<Vec<HealthFacility>, VneidError> {
        Ok(self
            .wallet
            .health_facilities()?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Sets (or with `None` removes) the citizen's note on a record; kept across the
    /// issuer's corrections, found by text search.
    pub fn health_set_note(
        &self,
        record_id: String,
        note: Option<String>,
    ) -> Result<(), VneidError> {
        Ok(self.wallet.health_set_note(&record_id, note.as_deref())?)
    }

    /// Counts per kind, date range, the BHYT card, last sync.
    pub fn health_summary(&self) -> Result<HealthSummary, VneidError> {
        let s = self.wallet.health_summary()?;
        Ok(HealthSummary {
            records: s.records,
            by_kind: s
                .by_kind
                .into_iter()
                .map(|(k, n)| HealthKindCount {
                    kind: k.into(),
                    count: n,
                })
                .collect(),
            bhyt_card: s.bhyt_card.map(|r| {
                entry(h::BookEntry {
                    kind: h::RecordKind::of(&r.body),
                    record: r,
                    note: None,
                })
            }),
            newest: s.newest,
            oldest: s.oldest,
            last_sync_at: s.last_sync_at,
        })
    }

    /// The book (`record_ids` = None) or a selection as a FHIR R4 Bundle, JSON text.
    pub fn health_export_fhir(
        &self,
        record_ids: Option<Vec<String>>,
    ) -> Result<String, VneidError> {
        Ok(self.wallet.health_export_fhir(record_ids.as_deref())?)
    }
}
