//! The health book over the FFI: sync, paged queries, notes, the self-declared profile and
//! FHIR export. Typed records (one `HealthDetail` variant per kind), no JSON blobs, except the
//! FHIR bundle, which is JSON by definition. The BHYT card QR is `present(HealthInsurance)`.
//!
//! - `records`: one record of the book as a typed entry, converted from the core's record;
//! - `book`: syncing, querying, notes, the summary and the FHIR export of the book;
//! - `certificates`: QR copies of the book's certificates (sick leave, driver health);
//! - `profile`: the citizen's self-declared profile (blood type, allergies, conditions).

mod book;
mod certificates;
mod profile;
mod records;

pub use book::{HealthKindCount, HealthPage, HealthQuery, HealthSummary, HealthSyncReport};
pub use profile::{BloodType, HealthProfileInput, SelfDeclaredHealthProfile};
pub use records::{
    HealthDetail, HealthDiagnosis, HealthEntry, HealthFacility, HealthPrescription,
    HealthRecordKind,
};
