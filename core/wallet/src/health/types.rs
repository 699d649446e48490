//! The health book as the wallet hands it to the app: typed records (the wire types of
//! `vneid_api::health`, checked on arrival), the citizen's own notes, queries and pages.

pub use vneid_api::health::{
    Diagnosis, EncounterClass, Facility, HealthRecord, Prescription, Procedure, RecordBody,
    VaccineProgramme,
};
use vneid_identity::CalendarDate;

/// Kinds of facility-issued records. The numbers are stored in the clear `kind` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RecordKind {
    BhytCard = 1,
    Vaccination = 2,
    Encounter = 3,
    Referral = 4,
    Appointment = 5,
    SickLeave = 6,
    DriverHealth = 7,
}

impl RecordKind {
    pub const ALL: [RecordKind; 7] = [
        RecordKind::BhytCard,
        RecordKind::Vaccination,
        RecordKind::Encounter,
        RecordKind::Referral,
        RecordKind::Appointment,
        RecordKind::SickLeave,
        RecordKind::DriverHealth,
    ];

    pub fn of(body: &RecordBody) -> RecordKind {
        match body {
            RecordBody::BhytCard { .. } => RecordKind::BhytCard,
            RecordBody::Vaccination { .. } => RecordKind::Vaccination,
            RecordBody::Encounter { .. } => RecordKind::Encounter,
            RecordBody::Referral { .. } => RecordKind::Referral,
            RecordBody::Appointment { .. } => RecordKind::Appointment,
            RecordBody::SickLeave { .. } => RecordKind::SickLeave,
            RecordBody::DriverHealth { .. } => RecordKind::DriverHealth,
        }
    }

    pub fn from_i64(v: i64) -> Option<RecordKind> {
        RecordKind::ALL.into_iter().find(|k| *k as i64 == v)
    }

    /// Vietnamese name of the kind; its words are indexed with every record of the kind, so
    /// "tiem chung" finds every vaccination even if a title does not say it.
    pub fn label_vi(self) -> &'static str {
        match self {
            RecordKind::BhytCard => "Thẻ bảo hiểm y tế (BHYT)",
            RecordKind::Vaccination => "Tiêm chủng vắc xin",
            RecordKind::Encounter => "Khám chữa bệnh",
            RecordKind::Referral => "Giấy chuyển tuyến",
            RecordKind::Appointment => "Lịch hẹn tái khám",
            RecordKind::SickLeave => "Giấy nghỉ ốm hưởng BHXH",
            RecordKind::DriverHealth => "Giấy khám sức khỏe lái xe",
        }
    }
}

/// The citizen's own note on a record. Kept across issuer corrections of the record.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CitizenNote {
    pub text: String,
    /// Unix seconds.
    pub written_at: u64,
    /// The record version the note was written against: when the issuer has corrected the
    /// record since, the app can say "the record changed after your note".
    pub for_version: u32,
}

impl std::fmt::Debug for CitizenNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CitizenNote")
            .field("written_at", &self.written_at)
            .field("for_version", &self.for_version)
            .finish_non_exhaustive()
    }
}

/// A record in the wallet with the citizen's note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookEntry {
    pub record: HealthRecord,
    pub kind: RecordKind,
    pub note: Option<CitizenNote>,
}

impl BookEntry {
    /// The issuer corrected the record after the citizen wrote the note.
    pub fn note_outdated(&self) -> bool {
        self.note
            .as_ref()
            .is_some_and(|n| n.for_version < self.record.version)
    }
}

/// A filter over the book. Every condition set must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HealthQuery {
    /// Empty: every kind.
    pub kinds: Vec<RecordKind>,
    /// Inclusive.
    pub from: Option<CalendarDate>,
    /// Inclusive.
    pub to: Option<CalendarDate>,
    /// BHYT facility code (see [`crate::Wallet::health_facilities`]).
    pub facility_code: Option<String>,
    /// Words that must all occur (any diacritics, any case).
    pub text: Option<String>,
    /// 1..=200; 0 means the default (50).
    pub page_size: u32,
    /// From the previous page's `next_page`.
    pub page_token: Option<String>,
}

/// One page of a query, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthPage {
    pub entries: Vec<BookEntry>,
    /// Records matching the query in all pages.
    pub total: u64,
    /// Pass back as `page_token` for the next page; `None` on the last page.
    pub next_page: Option<String>,
}

/// What one sync did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SyncReport {
    pub pages: u32,
    /// Records added or replaced by a newer issuer version.
    pub upserted: u32,
    /// Records the issuer withdrew.
    pub deleted: u32,
    /// Changes skipped because the wallet already had that version (a replayed page).
    pub unchanged: u32,
    /// Cursor after the sync.
    pub cursor: u64,
    /// Records in the book after the sync.
    pub records: u64,
    /// BHYT credential copies fetched for presenting the card.
    pub card_copies_fetched: u32,
    /// Certificates (sick leave, driver health) whose credential copies were fetched.
    pub certificates_fetched: u32,
}

/// The book at a glance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthSummary {
    pub records: u64,
    pub by_kind: Vec<(RecordKind, u64)>,
    pub bhyt_card: Option<HealthRecord>,
    /// `YYYY-MM-DD` of the newest and oldest records.
    pub newest: Option<String>,
    pub oldest: Option<String>,
    /// Unix seconds of the last complete sync.
    pub last_sync_at: Option<u64>,
    pub cursor: u64,
}
