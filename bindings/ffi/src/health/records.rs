//! One record of the health book as the app shows it: its kind, facility, the typed
//! [`HealthDetail`] of each kind and the citizen's note, converted from the core's book entry.
//! Conversions only, used by the book's queries and summary.

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

pub(super) fn entry(e: h::BookEntry) -> HealthEntry {
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
