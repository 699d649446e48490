//! Wire types of the electronic health book (sổ sức khỏe điện tử): typed records and the
//! incremental change feed the wallet syncs from.
//!
//! Sync model: every change to a citizen's book (a new record, an issuer's correction, a
//! withdrawal) takes the next value of one server-wide, strictly increasing change sequence,
//! and a record row keeps only its latest sequence. A client that has applied every change up
//! to cursor `c` asks for `seq > c` in sequence order, page by page; whatever changes while it
//! pages gets a sequence above anything it has seen, so nothing is lost, and a record changed
//! twice arrives once, in its latest version. Deletions travel as tombstones (`deleted`).

use serde::{Deserialize, Serialize};

/// Paths of the health-book endpoints.
pub mod paths {
    /// `GET ?since=<cursor>&limit=<n>`: the logged-in citizen's changes after `since`.
    pub const HEALTH_CHANGES: &str = "/v1/health/changes";
    /// Dev-only: (re)generate a citizen's synthetic book with a given number of records.
    pub const DEV_HEALTH_BOOK: &str = "/v1/dev/health/book";
    /// Dev-only: an issuer correction of one record (new title, version + 1).
    pub const DEV_HEALTH_EDIT: &str = "/v1/dev/health/edit";
    /// Dev-only: withdraw one record (tombstone).
    pub const DEV_HEALTH_DELETE: &str = "/v1/dev/health/delete";
    /// Dev-only: drop the connection in the middle of a later change page.
    pub const DEV_HEALTH_FAULT: &str = "/v1/dev/health/fault";
    /// `POST`: signed credential copies of one certificate record of the citizen's book
    /// (sick leave, driver health), one per device key.
    pub const HEALTH_CERTIFICATE: &str = "/v1/health/certificates";
}

/// Asks for credential copies of one certificate of the book.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthCertificateRequest {
    /// The record's id as the change feed gave it.
    pub record_id: String,
    /// 1 to `MAX_BATCH` distinct P-256 keys (SEC1, base64url), one copy each.
    pub device_public_keys: Vec<String>,
}

/// The issued copies (credential type `certificate`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthCertificateResponse {
    pub copies: Vec<HealthCertificateCopy>,
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthCertificateCopy {
    pub device_public_key: String,
    /// base64url holder envelope (secret to the holder).
    pub credential: String,
    pub status_list_id: u32,
    pub status_index: u32,
    pub expires_at: u64,
}

impl std::fmt::Debug for HealthCertificateCopy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HealthCertificateCopy")
            .field("credential", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// Records per change page when the client does not say.
pub const DEFAULT_PAGE: u32 = 200;
/// Largest change page the backend serves.
pub const MAX_PAGE: u32 = 500;

/// A health facility (cơ sở khám chữa bệnh) by its 5-character BHYT facility code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Facility {
    pub code: String,
    pub name: String,
}

/// An ICD-10 diagnosis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnosis {
    /// ICD-10 code, e.g. `J06.9`.
    pub code: String,
    /// Vietnamese name as the Ministry of Health's ICD-10 list gives it.
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Procedure {
    /// Code in the Ministry of Health's technical-services list.
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prescription {
    pub drug: String,
    /// e.g. `500 mg`.
    pub strength: String,
    /// e.g. `1 viên x 2 lần/ngày`.
    pub dose: String,
    pub days: u16,
}

/// Where a vaccination belongs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VaccineProgramme {
    /// Tiêm chủng mở rộng: the national expanded programme (free).
    Expanded,
    /// The COVID-19 campaign.
    Covid19,
    /// Paid vaccination services.
    Service,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EncounterClass {
    Outpatient,
    Inpatient,
    Emergency,
}

/// What a record is, with its typed content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RecordBody {
    /// The health-insurance card. `date` of the record is the start of validity.
    BhytCard {
        /// 15 characters, see `vneid_identity::BhytNumber`.
        card_number: String,
        /// Beneficiary group code (the first two letters).
        beneficiary_group: String,
        /// 1–5.
        benefit_level: u8,
        /// Registered primary-care facility (nơi đăng ký KCB ban đầu).
        primary_care: Facility,
        valid_from: String,
        valid_to: String,
        /// Date from which five years of continuous participation are reached.
        five_years_from: Option<String>,
    },
    Vaccination {
        vaccine: String,
        /// The disease it protects against.
        disease: String,
        dose_number: u8,
        lot: String,
        programme: VaccineProgramme,
    },
    Encounter {
        class: EncounterClass,
        department: String,
        /// Last day (inpatient stays); `None` for a same-day visit.
        end_date: Option<String>,
        reason: String,
        diagnoses: Vec<Diagnosis>,
        procedures: Vec<Procedure>,
        prescriptions: Vec<Prescription>,
        discharge_summary: Option<String>,
    },
    Referral {
        referral_number: String,
        to_facility: Facility,
        diagnosis: Diagnosis,
        reason: String,
    },
    Appointment {
        department: String,
        /// `HH:MM`, local time.
        time: String,
        purpose: String,
    },
    SickLeave {
        certificate_number: String,
        from: String,
        to: String,
        days: u16,
        diagnosis: Diagnosis,
    },
    DriverHealth {
        certificate_number: String,
        /// Licence class the examination was for, e.g. `B2`.
        licence_class: String,
        fit_to_drive: bool,
        valid_until: String,
    },
}

impl RecordBody {
    /// The wire name of the kind (`"bhyt_card"`, `"vaccination"`, …).
    pub fn kind_name(&self) -> &'static str {
        match self {
            RecordBody::BhytCard { .. } => "bhyt_card",
            RecordBody::Vaccination { .. } => "vaccination",
            RecordBody::Encounter { .. } => "encounter",
            RecordBody::Referral { .. } => "referral",
            RecordBody::Appointment { .. } => "appointment",
            RecordBody::SickLeave { .. } => "sick_leave",
            RecordBody::DriverHealth { .. } => "driver_health",
        }
    }
}

/// One facility-issued record of the health book.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthRecord {
    /// Stable server id, opaque.
    pub id: String,
    /// Issuer's version, starts at 1 and grows with every correction.
    pub version: u32,
    /// `YYYY-MM-DD`: the day of the event (visit, dose, certificate).
    pub date: String,
    /// The facility that issued the record.
    pub facility: Facility,
    /// One-line Vietnamese title for lists.
    pub title: String,
    #[serde(flatten)]
    pub body: RecordBody,
}

/// One entry of the change feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthChange {
    pub seq: u64,
    pub record_id: String,
    /// A tombstone: the issuer withdrew the record.
    pub deleted: bool,
    /// The record's current version; absent for tombstones.
    pub record: Option<HealthRecord>,
}

/// `GET /v1/health/changes` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthChangesResponse {
    pub changes: Vec<HealthChange>,
    /// The cursor to send next: the sequence of the last change here, or `since` if none.
    pub next_cursor: u64,
    /// More changes follow; ask again with `next_cursor`.
    pub has_more: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevHealthBookRequest {
    pub id_number: String,
    /// Records in the new book (withdraws the old ones), at most 20 000.
    pub records: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevHealthBookResponse {
    pub records: u32,
    /// The change sequence after generating.
    pub last_seq: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevHealthEditRequest {
    pub id_number: String,
    pub record_id: String,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevHealthDeleteRequest {
    pub id_number: String,
    pub record_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevHealthChangeResponse {
    pub seq: u64,
    /// Version after an edit; the last version for a deletion.
    pub version: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevHealthFaultRequest {
    pub id_number: String,
    /// Change pages served normally before one is cut off mid-body.
    pub pages_before_failure: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevHealthFaultResponse {
    pub armed: bool,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn a_record_is_one_flat_object_tagged_by_kind() {
        let r = HealthRecord {
            id: "hr-1".into(),
            version: 1,
            date: "2024-05-01".into(),
            facility: Facility {
                code: "01001".into(),
                name: "Bệnh viện Bạch Mai".into(),
            },
            title: "Tiêm chủng".into(),
            body: RecordBody::Vaccination {
                vaccine: "Comirnaty".into(),
                disease: "COVID-19".into(),
                dose_number: 2,
                lot: "FK1234".into(),
                programme: VaccineProgramme::Covid19,
            },
        };
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["kind"], "vaccination");
        assert_eq!(v["programme"], "covid19");
        assert_eq!(v["facility"]["code"], "01001");
        let back: HealthRecord = serde_json::from_value(v).unwrap();
        assert_eq!(back, r);
    }
}
