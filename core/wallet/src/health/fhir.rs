//! Export of the book (or a selection) as an HL7 FHIR R4 `Bundle` of type `collection`.
//!
//! Mapping: the citizen → `Patient`; the BHYT card → `Coverage`; vaccinations →
//! `Immunization`; encounters → `Encounter` with one `Condition` per ICD-10 diagnosis
//! (system `http://hl7.org/fhir/sid/icd-10`), one `Procedure` per procedure and one
//! `MedicationRequest` per prescription; referrals → `ServiceRequest`, re-examination
//! appointments → `Appointment`; certificates (sick leave, driver health) →
//! `DocumentReference` with the certificate number as identifier, the leave period or the
//! validity as `context.period` and the certificate's text as a `text/plain` attachment (R4
//! has no resource for a medical certificate; a document about the patient is what it is).
//! Every entry has a `urn:uuid:` full URL and references point only at entries of the same
//! bundle. Ids are pseudonyms under a key drawn at random for each export ([`ExportKey`]) and
//! dropped after it: inside one bundle every reference to a resource carries the same id, but
//! two exports of the same book share no id, and no id can be computed from the ID number (or
//! a record id) without the key — removing `Patient.identifier` de-identifies the bundle. The
//! self-declared profile is not exported: FHIR consumers would read it as facility data.

use super::types::{EncounterClass, HealthRecord, RecordBody};
use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};
use serde_json::{Value, json};
use vneid_api::{CitizenProfile, Sex};
use zeroize::Zeroizing;

/// Identifier systems. Việt Nam publishes no FHIR naming system for these yet; these URIs
/// are placeholders under the project's namespace and say so.
pub const SYSTEM_ID_NUMBER: &str = "https://vneid.example.vn/fhir/sid/so-dinh-danh-ca-nhan";
pub const SYSTEM_BHYT: &str = "https://vneid.example.vn/fhir/sid/the-bhyt";
pub const SYSTEM_FACILITY: &str = "https://vneid.example.vn/fhir/sid/ma-co-so-kcb";
pub const SYSTEM_REFERRAL: &str = "https://vneid.example.vn/fhir/sid/giay-chuyen-tuyen";
pub const SYSTEM_SICK_LEAVE: &str = "https://vneid.example.vn/fhir/sid/giay-nghi-viec-bhxh";
pub const SYSTEM_DRIVER_HEALTH: &str =
    "https://vneid.example.vn/fhir/sid/giay-kham-suc-khoe-lai-xe";
pub const SYSTEM_ICD10: &str = "http://hl7.org/fhir/sid/icd-10";
/// Titles of the certificates as printed (Circular 56/2017/TT-BYT; joint Circular
/// 24/2015/TTLT-BYT-BGTVT).
pub const SICK_LEAVE_TITLE: &str = "Giấy chứng nhận nghỉ việc hưởng bảo hiểm xã hội";
pub const DRIVER_HEALTH_TITLE: &str = "Giấy khám sức khỏe của người lái xe";
const SYSTEM_ACT_CODE: &str = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
const SYSTEM_CONDITION_CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/condition-category";
const SYSTEM_COVERAGE_CLASS: &str = "http://terminology.hl7.org/CodeSystem/coverage-class";
const SYSTEM_UCUM: &str = "http://unitsofmeasure.org";

/// The key of one export's resource ids: 32 random bytes, never stored, zeroized on drop.
pub struct ExportKey(Zeroizing<[u8; 32]>);

impl ExportKey {
    /// A fresh key from the system's random source.
    pub fn random() -> Result<Self, ring::error::Unspecified> {
        let mut k = Zeroizing::new([0u8; 32]);
        SystemRandom::new().fill(k.as_mut())?;
        Ok(Self(k))
    }

    /// A key with the given bytes (tests that need reproducible output).
    #[cfg(test)]
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(Zeroizing::new(bytes))
    }

    /// The id of the resource named `name` in this export: a UUID (version 4 layout, RFC
    /// 9562) from HMAC-SHA256 under the export key, so the same name gives the same id within
    /// the bundle and nothing about the name without the key.
    fn uuid(&self, name: &str) -> String {
        let key = hmac::Key::new(hmac::HMAC_SHA256, self.0.as_ref());
        let tag = hmac::sign(&key, name.as_bytes());
        let mut hex = String::with_capacity(36);
        for (i, byte) in tag.as_ref().iter().take(16).enumerate() {
            let byte = match i {
                6 => (byte & 0x0f) | 0x40,
                8 => (byte & 0x3f) | 0x80,
                _ => *byte,
            };
            if matches!(i, 4 | 6 | 8 | 10) {
                hex.push('-');
            }
            hex.push_str(&format!("{byte:02x}"));
        }
        hex
    }
}

fn key_url(key: &ExportKey, name: &str) -> String {
    format!("urn:uuid:{}", key.uuid(name))
}

/// Sets `key` of a JSON object (no-op on anything else, which this module never builds).
fn set(v: &mut Value, key: &str, value: Value) {
    if let Some(o) = v.as_object_mut() {
        o.insert(key.to_owned(), value);
    }
}

struct Builder<'k> {
    key: &'k ExportKey,
    entries: Vec<Value>,
    patient_ref: String,
}

impl Builder<'_> {
    fn url(&self, name: &str) -> String {
        format!("urn:uuid:{}", self.key.uuid(name))
    }

    fn add(&mut self, name: &str, mut resource: Value) -> String {
        let id = self.key.uuid(name);
        let url = format!("urn:uuid:{id}");
        if let Some(o) = resource.as_object_mut() {
            o.insert("id".into(), Value::String(id));
        }
        self.entries
            .push(json!({ "fullUrl": url.clone(), "resource": resource }));
        url
    }

    fn patient(&self) -> Value {
        json!({ "reference": self.patient_ref })
    }
}

fn facility(f: &vneid_api::health::Facility) -> Value {
    json!({
        "identifier": { "system": SYSTEM_FACILITY, "value": f.code },
        "display": f.name,
    })
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn encounter(b: &mut Builder, r: &HealthRecord) {
    let RecordBody::Encounter {
        class,
        department,
        end_date,
        reason,
        diagnoses,
        procedures,
        prescriptions,
        discharge_summary,
    } = &r.body
    else {
        return;
    };
    let (code, display) = match class {
        EncounterClass::Outpatient => ("AMB", "ambulatory"),
        EncounterClass::Inpatient => ("IMP", "inpatient encounter"),
        EncounterClass::Emergency => ("EMER", "emergency"),
    };
    let enc_name = format!("{}/encounter", r.id);
    let enc_url = b.url(&enc_name);
    let cond_urls: Vec<String> = (0..diagnoses.len())
        .map(|i| b.url(&format!("{}/condition/{i}", r.id)))
        .collect();
    let mut period = json!({ "start": r.date });
    if let Some(end) = end_date {
        set(&mut period, "end", json!(end));
    }
    let mut enc = json!({
        "resourceType": "Encounter",
        "status": "finished",
        "class": { "system": SYSTEM_ACT_CODE, "code": code, "display": display },
        "subject": b.patient(),
        "period": period,
        "serviceProvider": facility(&r.facility),
        "serviceType": { "text": department },
        "reasonCode": [{ "text": reason }],
    });
    if !cond_urls.is_empty() {
        let diagnosis = cond_urls
            .iter()
            .enumerate()
            .map(|(i, u)| json!({ "condition": { "reference": u }, "rank": i + 1 }))
            .collect();
        set(&mut enc, "diagnosis", diagnosis);
    }
    if let Some(s) = discharge_summary {
        set(
            &mut enc,
            "text",
            json!({
                "status": "generated",
                "div": format!(
                    "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>{}</p></div>",
                    html_escape(s)
                ),
            }),
        );
    }
    b.add(&enc_name, enc);
    for (i, d) in diagnoses.iter().enumerate() {
        b.add(
            &format!("{}/condition/{i}", r.id),
            json!({
                "resourceType": "Condition",
                "category": [{ "coding": [{
                    "system": SYSTEM_CONDITION_CATEGORY,
                    "code": "encounter-diagnosis",
                }]}],
                "code": {
                    "coding": [{ "system": SYSTEM_ICD10, "code": d.code, "display": d.name }],
                    "text": d.name,
                },
                "subject": b.patient(),
                "encounter": { "reference": enc_url },
                "recordedDate": r.date,
            }),
        );
    }
    for (i, p) in procedures.iter().enumerate() {
        b.add(
            &format!("{}/procedure/{i}", r.id),
            json!({
                "resourceType": "Procedure",
                "status": "completed",
                "code": { "text": p.name },
                "subject": b.patient(),
                "encounter": { "reference": enc_url },
                "performedDateTime": r.date,
            }),
        );
    }
    for (i, p) in prescriptions.iter().enumerate() {
        b.add(
            &format!("{}/medication/{i}", r.id),
            json!({
                "resourceType": "MedicationRequest",
                "status": "completed",
                "intent": "order",
                "medicationCodeableConcept": { "text": format!("{} {}", p.drug, p.strength) },
                "subject": b.patient(),
                "encounter": { "reference": enc_url },
                "authoredOn": r.date,
                "dosageInstruction": [{ "text": p.dose }],
                "dispenseRequest": { "expectedSupplyDuration": {
                    "value": p.days, "unit": "d", "system": SYSTEM_UCUM, "code": "d",
                }},
            }),
        );
    }
}

/// A certificate as a `DocumentReference`: `title` and `text` are what the paper says,
/// `period` the leave period or the validity. `date` is an instant in FHIR, so the issue
/// day is given at midnight Việt Nam time (UTC+7).
#[allow(clippy::too_many_arguments)]
fn certificate(
    b: &mut Builder,
    r: &HealthRecord,
    system: &str,
    number: &str,
    title: &str,
    text: &str,
    start: &str,
    end: &str,
) {
    use base64::Engine as _;
    let data = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    b.add(
        &format!("{}/document", r.id),
        json!({
            "resourceType": "DocumentReference",
            "identifier": [{ "system": system, "value": number }],
            "status": "current",
            "docStatus": "final",
            "type": { "text": title },
            "subject": b.patient(),
            "date": format!("{}T00:00:00+07:00", r.date),
            "author": [facility(&r.facility)],
            "description": text,
            "content": [{ "attachment": {
                "contentType": "text/plain; charset=utf-8",
                "language": "vi",
                "data": data,
                "title": title,
            }}],
            "context": { "period": { "start": start, "end": end } },
        }),
    );
}

/// The bundle for `patient` and `records`; `timestamp` is an RFC 3339 instant; `key` the
/// export's id key (use a fresh [`ExportKey::random`] for every export).
pub fn bundle(
    patient: &CitizenProfile,
    records: &[HealthRecord],
    timestamp: &str,
    key: &ExportKey,
) -> Value {
    // Names only ever enter the keyed derivation; the ID number never needs to: the bundle
    // has one Patient.
    let patient_name = "patient";
    let mut b = Builder {
        key,
        entries: Vec::new(),
        patient_ref: key_url(key, patient_name),
    };
    let mut words = patient.full_name.split_whitespace();
    let family = words.next().unwrap_or("");
    let given: Vec<&str> = words.collect();
    // FHIR forbids empty arrays: `given` only when there is a given name.
    let mut name = json!({ "text": patient.full_name, "family": family });
    if !given.is_empty() {
        set(&mut name, "given", json!(given));
    }
    b.add(
        patient_name,
        json!({
            "resourceType": "Patient",
            "identifier": [{ "system": SYSTEM_ID_NUMBER, "value": patient.id_number }],
            "name": [name],
            "gender": match patient.sex { Sex::Male => "male", Sex::Female => "female" },
            "birthDate": patient.date_of_birth,
            "address": [{
                "text": format!("{}, {}", patient.permanent_address.line,
                                patient.permanent_address.province_name),
                "country": "VN",
            }],
        }),
    );
    for r in records {
        match &r.body {
            RecordBody::BhytCard {
                card_number,
                beneficiary_group,
                benefit_level,
                primary_care,
                valid_from,
                valid_to,
                ..
            } => {
                b.add(
                    &format!("{}/coverage", r.id),
                    json!({
                        "resourceType": "Coverage",
                        "identifier": [{ "system": SYSTEM_BHYT, "value": card_number }],
                        "status": "active",
                        "subscriberId": card_number,
                        "beneficiary": b.patient(),
                        "period": { "start": valid_from, "end": valid_to },
                        "payor": [{ "display": "Bảo hiểm xã hội Việt Nam" }],
                        "class": [
                            {
                                "type": { "coding": [{ "system": SYSTEM_COVERAGE_CLASS, "code": "group" }] },
                                "value": beneficiary_group,
                            },
                            {
                                "type": { "coding": [{ "system": SYSTEM_COVERAGE_CLASS, "code": "plan" }] },
                                "value": format!("muc-huong-{benefit_level}"),
                                "name": format!("Mức hưởng {benefit_level}"),
                            },
                        ],
                        "network": format!("{} - {}", primary_care.code, primary_care.name),
                    }),
                );
            }
            RecordBody::Vaccination {
                vaccine,
                disease,
                dose_number,
                lot,
                ..
            } => {
                b.add(
                    &format!("{}/immunization", r.id),
                    json!({
                        "resourceType": "Immunization",
                        "status": "completed",
                        "vaccineCode": { "text": vaccine },
                        "patient": b.patient(),
                        "occurrenceDateTime": r.date,
                        "lotNumber": lot,
                        "performer": [{ "actor": facility(&r.facility) }],
                        "protocolApplied": [{
                            "targetDisease": [{ "text": disease }],
                            "doseNumberPositiveInt": dose_number,
                        }],
                    }),
                );
            }
            RecordBody::Encounter { .. } => encounter(&mut b, r),
            RecordBody::Referral {
                referral_number,
                to_facility,
                diagnosis,
                reason,
            } => {
                b.add(
                    &format!("{}/service-request", r.id),
                    json!({
                        "resourceType": "ServiceRequest",
                        "identifier": [{ "system": SYSTEM_REFERRAL, "value": referral_number }],
                        "status": "completed",
                        "intent": "order",
                        "category": [{ "coding": [{
                            "system": "http://snomed.info/sct",
                            "code": "3457005",
                            "display": "Patient referral",
                        }]}],
                        "subject": b.patient(),
                        "authoredOn": r.date,
                        "requester": facility(&r.facility),
                        "performer": [facility(to_facility)],
                        "reasonCode": [{
                            "coding": [{ "system": SYSTEM_ICD10, "code": diagnosis.code, "display": diagnosis.name }],
                            "text": reason,
                        }],
                    }),
                );
            }
            RecordBody::Appointment {
                department,
                time,
                purpose,
            } => {
                b.add(
                    &format!("{}/appointment", r.id),
                    json!({
                        "resourceType": "Appointment",
                        "status": "booked",
                        "description": purpose,
                        "serviceType": [{ "text": department }],
                        // Local time in Việt Nam (UTC+7, no daylight saving).
                        "start": format!("{}T{time}:00+07:00", r.date),
                        "participant": [
                            { "actor": b.patient(), "status": "accepted" },
                            { "actor": facility(&r.facility), "status": "accepted" },
                        ],
                    }),
                );
            }
            RecordBody::SickLeave {
                certificate_number,
                from,
                to,
                days,
                diagnosis,
            } => certificate(
                &mut b,
                r,
                SYSTEM_SICK_LEAVE,
                certificate_number,
                SICK_LEAVE_TITLE,
                &format!(
                    "Số {certificate_number}. Nghỉ {days} ngày, từ {from} đến {to}. \
                     Chẩn đoán: {} ({}). Nơi cấp: {}.",
                    diagnosis.name, diagnosis.code, r.facility.name
                ),
                from,
                to,
            ),
            RecordBody::DriverHealth {
                certificate_number,
                licence_class,
                fit_to_drive,
                valid_until,
            } => certificate(
                &mut b,
                r,
                SYSTEM_DRIVER_HEALTH,
                certificate_number,
                DRIVER_HEALTH_TITLE,
                &format!(
                    "Số {certificate_number}. Hạng {licence_class}: {}. Có giá trị đến {valid_until}. \
                     Nơi cấp: {}.",
                    if *fit_to_drive {
                        "đủ điều kiện sức khỏe lái xe"
                    } else {
                        "không đủ điều kiện sức khỏe lái xe"
                    },
                    r.facility.name
                ),
                &r.date,
                valid_until,
            ),
        }
    }
    json!({
        "resourceType": "Bundle",
        "id": key.uuid("bundle"),
        "type": "collection",
        "timestamp": timestamp,
        "entry": b.entries,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing, clippy::unwrap_used)]
    use super::*;

    #[test]
    fn ids_are_stable_within_an_export_and_unlinkable_across_exports() {
        let k = ExportKey::from_bytes([7; 32]);
        let a = k.uuid("hr-1/encounter");
        assert_eq!(a, k.uuid("hr-1/encounter"));
        assert_ne!(a, k.uuid("hr-2/encounter"));
        assert_eq!(a.len(), 36);
        assert_eq!(a.as_bytes()[14], b'4');
        assert!(matches!(a.as_bytes()[19], b'8' | b'9' | b'a' | b'b'));
        let other = ExportKey::random().unwrap();
        assert_ne!(a, other.uuid("hr-1/encounter"));
    }
}
