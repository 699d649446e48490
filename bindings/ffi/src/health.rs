//! The health book over the FFI: sync, paged queries, notes, the self-declared profile and
//! FHIR export. Typed records (one `HealthDetail` variant per kind), no JSON blobs, except the
//! FHIR bundle, which is JSON by definition. The BHYT card QR is `present(HealthInsurance)`.

use crate::error::ErrorCode;
use crate::error::VneidError;
use crate::presentation::{CredentialSummary, PresentationQr};
use crate::wallet::WalletCore;
use vneid_wallet::health as h;

/// Kinds of facility-issued records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum HealthRecordKind {
    BhytCard,
    Vaccination,
    Encounter,
    Referral,
    Appointment,
    SickLeave,
    DriverHealth,
}

impl From<h::RecordKind> for HealthRecordKind {
    fn from(k: h::RecordKind) -> Self {
        match k {
            h::RecordKind::BhytCard => Self::BhytCard,
            h::RecordKind::Vaccination => Self::Vaccination,
            h::RecordKind::Encounter => Self::Encounter,
            h::RecordKind::Referral => Self::Referral,
            h::RecordKind::Appointment => Self::Appointment,
            h::RecordKind::SickLeave => Self::SickLeave,
            h::RecordKind::DriverHealth => Self::DriverHealth,
        }
    }
}

impl From<HealthRecordKind> for h::RecordKind {
    fn from(k: HealthRecordKind) -> Self {
        match k {
            HealthRecordKind::BhytCard => Self::BhytCard,
            HealthRecordKind::Vaccination => Self::Vaccination,
            HealthRecordKind::Encounter => Self::Encounter,
            HealthRecordKind::Referral => Self::Referral,
            HealthRecordKind::Appointment => Self::Appointment,
            HealthRecordKind::SickLeave => Self::SickLeave,
            HealthRecordKind::DriverHealth => Self::DriverHealth,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HealthFacility {
    /// BHYT facility code.
    pub code: String,
    pub name: String,
}

impl From<h::Facility> for HealthFacility {
    fn from(f: h::Facility) -> Self {
        Self {
            code: f.code,
            name: f.name,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HealthDiagnosis {
    /// ICD-10 code.
    pub code: String,
    pub name: String,
}

impl From<h::Diagnosis> for HealthDiagnosis {
    fn from(d: h::Diagnosis) -> Self {
        Self {
            code: d.code,
            name: d.name,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HealthPrescription {
    pub drug: String,
    pub strength: String,
    pub dose: String,
    pub days: u16,
}

/// What a record says, by kind. Dates are `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum HealthDetail {
    BhytCard {
        card_number: String,
        beneficiary_group: String,
        benefit_level: u8,
        primary_care: HealthFacility,
        valid_from: String,
        valid_to: String,
        five_years_from: Option<String>,
    },
    Vaccination {
        vaccine: String,
        disease: String,
        dose_number: u8,
        lot: String,
        /// `expanded` (national programme), `covid19` or `service`.
        programme: String,
    },
    Encounter {
        /// `outpatient`, `inpatient` or `emergency`.
        encounter_class: String,
        department: String,
        end_date: Option<String>,
        reason: String,
        diagnoses: Vec<HealthDiagnosis>,
        procedures: Vec<String>,
        prescriptions: Vec<HealthPrescription>,
        discharge_summary: Option<String>,
    },
    Referral {
        referral_number: String,
        to_facility: HealthFacility,
        diagnosis: HealthDiagnosis,
        reason: String,
    },
    Appointment {
        department: String,
        time: String,
        purpose: String,
    },
    SickLeave {
        certificate_number: String,
        from_date: String,
        to_date: String,
        days: u16,
        diagnosis: HealthDiagnosis,
    },
    DriverHealth {
        certificate_number: String,
        licence_class: String,
        fit_to_drive: bool,
        valid_until: String,
    },
}

impl From<h::RecordBody> for HealthDetail {
    fn from(b: h::RecordBody) -> Self {
        use h::RecordBody as B;
        match b {
            B::BhytCard {
                card_number,
                beneficiary_group,
                benefit_level,
                primary_care,
                valid_from,
                valid_to,
                five_years_from,
            } => Self::BhytCard {
                card_number,
                beneficiary_group,
                benefit_level,
                primary_care: primary_care.into(),
                valid_from,
                valid_to,
                five_years_from,
            },
            B::Vaccination {
                vaccine,
                disease,
                dose_number,
                lot,
                programme,
            } => Self::Vaccination {
                vaccine,
                disease,
                dose_number,
                lot,
                programme: match programme {
                    h::VaccineProgramme::Expanded => "expanded",
                    h::VaccineProgramme::Covid19 => "covid19",
                    h::VaccineProgramme::Service => "service",
                }
                .into(),
            },
            B::Encounter {
                class,
                department,
                end_date,
                reason,
                diagnoses,
                procedures,
                prescriptions,
                discharge_summary,
            } => Self::Encounter {
                encounter_class: match class {
                    h::EncounterClass::Outpatient => "outpatient",
                    h::EncounterClass::Inpatient => "inpatient",
                    h::EncounterClass::Emergency => "emergency",
                }
                .into(),
                department,
                end_date,
                reason,
                diagnoses: diagnoses.into_iter().map(Into::into).collect(),
                procedures: procedures.into_iter().map(|p| p.name).collect(),
                prescriptions: prescriptions
                    .into_iter()
                    .map(|p| HealthPrescription {
                        drug: p.drug,
                        strength: p.strength,
                        dose: p.dose,
                        days: p.days,
                    })
                    .collect(),
                discharge_summary,
            },
            B::Referral {
                referral_number,
                to_facility,
                diagnosis,
                reason,
            } => Self::Referral {
                referral_number,
                to_facility: to_facility.into(),
                diagnosis: diagnosis.into(),
                reason,
            },
            B::Appointment {
                department,
                time,
                purpose,
            } => Self::Appointment {
                department,
                time,
                purpose,
            },
            B::SickLeave {
                certificate_number,
                from,
                to,
                days,
                diagnosis,
            } => Self::SickLeave {
                certificate_number,
                from_date: from,
                to_date: to,
                days,
                diagnosis: diagnosis.into(),
            },
            B::DriverHealth {
                certificate_number,
                licence_class,
                fit_to_drive,
                valid_until,
            } => Self::DriverHealth {
                certificate_number,
                licence_class,
                fit_to_drive,
                valid_until,
            },
        }
    }
}

/// One record of the book with the citizen's note.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HealthEntry {
    pub record_id: String,
    pub kind: HealthRecordKind,
    /// Issuer's version (grows with corrections).
    pub version: u32,
    pub date: String,
    pub facility: HealthFacility,
    pub title: String,
    pub detail: HealthDetail,
    /// The citizen's own note.
    pub note: Option<String>,
    /// The issuer corrected the record after the note was written.
    pub note_outdated: bool,
}

fn entry(e: h::BookEntry) -> HealthEntry {
    let note_outdated = e.note_outdated();
    HealthEntry {
        record_id: e.record.id,
        kind: e.kind.into(),
        version: e.record.version,
        date: e.record.date,
        facility: e.record.facility.into(),
        title: e.record.title,
        detail: e.record.body.into(),
        note: e.note.map(|n| n.text),
        note_outdated,
    }
}

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum BloodType {
    APositive,
    ANegative,
    BPositive,
    BNegative,
    AbPositive,
    AbNegative,
    OPositive,
    ONegative,
}

impl From<BloodType> for h::BloodType {
    fn from(b: BloodType) -> Self {
        match b {
            BloodType::APositive => Self::APositive,
            BloodType::ANegative => Self::ANegative,
            BloodType::BPositive => Self::BPositive,
            BloodType::BNegative => Self::BNegative,
            BloodType::AbPositive => Self::AbPositive,
            BloodType::AbNegative => Self::AbNegative,
            BloodType::OPositive => Self::OPositive,
            BloodType::ONegative => Self::ONegative,
        }
    }
}

impl From<h::BloodType> for BloodType {
    fn from(b: h::BloodType) -> Self {
        match b {
            h::BloodType::APositive => Self::APositive,
            h::BloodType::ANegative => Self::ANegative,
            h::BloodType::BPositive => Self::BPositive,
            h::BloodType::BNegative => Self::BNegative,
            h::BloodType::AbPositive => Self::AbPositive,
            h::BloodType::AbNegative => Self::AbNegative,
            h::BloodType::OPositive => Self::OPositive,
            h::BloodType::ONegative => Self::ONegative,
        }
    }
}

/// What the citizen edits.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct HealthProfileInput {
    pub blood_type: Option<BloodType>,
    pub allergies: Vec<String>,
    pub chronic_conditions: Vec<String>,
    pub disabilities: Vec<String>,
}

impl std::fmt::Debug for HealthProfileInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HealthProfileInput").finish_non_exhaustive()
    }
}

/// The stored profile. Always self-declared: show it as such, apart from facility records.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct SelfDeclaredHealthProfile {
    pub blood_type: Option<BloodType>,
    pub allergies: Vec<String>,
    pub chronic_conditions: Vec<String>,
    pub disabilities: Vec<String>,
    /// Always true.
    pub self_declared: bool,
    pub updated_at: u64,
}

impl std::fmt::Debug for SelfDeclaredHealthProfile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SelfDeclaredHealthProfile")
            .field("updated_at", &self.updated_at)
            .finish_non_exhaustive()
    }
}

impl From<h::SelfDeclaredProfile> for SelfDeclaredHealthProfile {
    fn from(p: h::SelfDeclaredProfile) -> Self {
        let self_declared = p.self_declared();
        Self {
            blood_type: p.profile.blood_type.map(Into::into),
            allergies: p.profile.allergies,
            chronic_conditions: p.profile.chronic_conditions,
            disabilities: p.profile.disabilities,
            self_declared,
            updated_at: p.updated_at,
        }
    }
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

    /// Fetches QR copies of one certificate of the book (sick leave, driver health).
    pub async fn health_fetch_certificate(
        &self,
        record_id: String,
    ) -> Result<CredentialSummary, VneidError> {
        self.run(move |w| async move { w.health_fetch_certificate(&record_id).await })
            .await
            .map(Into::into)
    }

    /// Copies of one certificate on hand.
    pub fn health_certificate_copies(
        &self,
        record_id: String,
    ) -> Result<CredentialSummary, VneidError> {
        Ok(self.wallet.health_certificate_copies(&record_id)?.into())
    }

    /// One certificate of the book as a QR for the counter (the whole certificate, recorded
    /// in the disclosure history); fetches copies first when none is left unused.
    pub async fn health_present_certificate(
        &self,
        record_id: String,
    ) -> Result<PresentationQr, VneidError> {
        self.run(move |w| async move { w.health_present_certificate(&record_id, None).await })
            .await
            .map(Into::into)
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

    /// The self-declared profile, if any.
    pub fn health_profile(&self) -> Result<Option<SelfDeclaredHealthProfile>, VneidError> {
        Ok(self.wallet.health_profile()?.map(Into::into))
    }

    /// Replaces the self-declared profile.
    pub fn health_set_profile(
        &self,
        profile: HealthProfileInput,
    ) -> Result<SelfDeclaredHealthProfile, VneidError> {
        let p = h::HealthProfile {
            blood_type: profile.blood_type.map(Into::into),
            allergies: profile.allergies,
            chronic_conditions: profile.chronic_conditions,
            disabilities: profile.disabilities,
        };
        Ok(self.wallet.health_set_profile(p)?.into())
    }

    /// The book (`record_ids` = None) or a selection as a FHIR R4 Bundle, JSON text.
    pub fn health_export_fhir(
        &self,
        record_ids: Option<Vec<String>>,
    ) -> Result<String, VneidError> {
        Ok(self.wallet.health_export_fhir(record_ids.as_deref())?)
    }
}
