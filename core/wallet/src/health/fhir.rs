//! Export of the book (or a selection) as an HL7 FHIR R4 `Bundle` of type `collection`.
//!
//! Mapping: the citizen → `Patient` (the ID number as an identifier of type `NI` of HL7 v2
//! table 0203); the BHYT card → `Coverage` (type `PUBLICPOL`, payor the `Organization` of
//! Việt Nam Social Security, the five-years-of-participation date as an extension);
//! vaccinations → `Immunization` (vaccine coded in CVX and the local table of [`super::vaccines`]);
//! every facility → one `Organization` and one `Location` with its BHYT facility code,
//! referenced from encounters, immunizations, appointments, referrals and certificates; encounters → `Encounter` with one `Condition` per ICD-10 diagnosis
//! (system `http://hl7.org/fhir/sid/icd-10`, clinical status `active` and verification
//! status `confirmed` as of the encounter that recorded it), one `Procedure` per procedure and one
//! `MedicationRequest` per prescription; referrals → `ServiceRequest`, re-examination
//! appointments → `Appointment` (booked for [`APPOINTMENT_MINUTES`] from its time); certificates (sick leave, driver health) →
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
use super::vaccines::{self, SYSTEM_CVX, SYSTEM_VACCINE_LOCAL};
use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use vneid_api::{CitizenProfile, Sex};
use vneid_identity::CalendarDate;
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
/// The payor's identifier (Việt Nam Social Security, Bảo hiểm xã hội Việt Nam).
pub const SYSTEM_PAYOR: &str = "https://vneid.example.vn/fhir/sid/ma-co-quan-bhxh";
/// Extension on `Coverage`: the date from which the insured has five years of continuous
/// participation (from then on the co-payment is waived above a yearly threshold).
pub const EXTENSION_FIVE_YEARS: &str =
    "https://vneid.example.vn/fhir/StructureDefinition/bhyt-five-years-from";
/// How long a re-examination appointment is booked for: the book gives only its time, and
/// FHIR requires a booked appointment to have an end (invariants app-2, app-3).
pub const APPOINTMENT_MINUTES: u32 = 30;
/// HL7 v2 table 0203 (identifier type). `NI`, "National unique individual identifier", is
/// the code for the personal identification number (`NNxxx` is a pattern, not a code of
/// the table, so `NNVNM` would not validate against it).
const SYSTEM_V2_0203: &str = "http://terminology.hl7.org/CodeSystem/v2-0203";
const SYSTEM_CONDITION_CLINICAL: &str = "http://terminology.hl7.org/CodeSystem/condition-clinical";
const SYSTEM_CONDITION_VERIFICATION: &str =
    "http://terminology.hl7.org/CodeSystem/condition-ver-status";
const PAYOR_CODE: &str = "BHXHVN";
const PAYOR_NAME: &str = "Bảo hiểm xã hội Việt Nam";
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

/// The payor of the BHYT card: Việt Nam Social Security, as an Organization.
fn payor(b: &mut Builder) -> Value {
    let name = "organization/payor";
    let url = b.url(name);
    if !b.facilities.contains_key(PAYOR_CODE) {
        let org = json!({
            "resourceType": "Organization",
            "id": b.key.uuid(name),
            "identifier": [{
                "type": { "coding": [{
                    "system": SYSTEM_V2_0203,
                    "code": "NIIP",
                    "display": "National Insurance Payor Identifier (Payor)",
                }]},
                "system": SYSTEM_PAYOR,
                "value": PAYOR_CODE,
            }],
            "active": true,
            "type": [{ "coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/organization-type",
                "code": "pay",
                "display": "Payer",
            }]}],
            "name": PAYOR_NAME,
            "address": [{ "country": "VN" }],
        });
        b.facilities.insert(
            PAYOR_CODE.to_owned(),
            vec![json!({ "fullUrl": url.clone(), "resource": org })],
        );
    }
    json!({ "reference": url, "display": PAYOR_NAME })
}

/// Start and end of an appointment on `date` (`YYYY-MM-DD`) at `time` (`HH:MM`, Việt Nam
/// time, UTC+7 without daylight saving), booked for [`APPOINTMENT_MINUTES`].
fn appointment_period(date: &str, time: &str) -> Option<(String, String)> {
    let day = CalendarDate::parse_iso(date).ok()?;
    let (h, m) = time.split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    if h > 23 || m > 59 || time.len() != 5 {
        return None;
    }
    let end = h * 60 + m + APPOINTMENT_MINUTES;
    let end_day = CalendarDate::from_unix_days(day.to_unix_days() + i64::from(end / 1440))?;
    let end = end % 1440;
    Some((
        format!("{}T{time}:00+07:00", day.to_iso()),
        format!(
            "{}T{:02}:{:02}:00+07:00",
            end_day.to_iso(),
            end / 60,
            end % 60
        ),
    ))
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
    /// Organization and Location entries by facility code, appended after the records.
    facilities: BTreeMap<String, Vec<Value>>,
}

impl Builder<'_> {
    /// The Organization and the Location of facility `f` (added on first use).
    fn facility_urls(&mut self, f: &vneid_api::health::Facility) -> (String, String) {
        let org_name = format!("organization/{}", f.code);
        let loc_name = format!("location/{}", f.code);
        let (org_url, loc_url) = (self.url(&org_name), self.url(&loc_name));
        if !self.facilities.contains_key(&f.code) {
            let identifier = json!([{ "system": SYSTEM_FACILITY, "value": f.code }]);
            let org = json!({
                "resourceType": "Organization",
                "id": self.key.uuid(&org_name),
                "identifier": identifier,
                "active": true,
                "type": [{ "coding": [{
                    "system": "http://terminology.hl7.org/CodeSystem/organization-type",
                    "code": "prov",
                    "display": "Healthcare Provider",
                }]}],
                "name": f.name,
                "address": [{ "country": "VN" }],
            });
            let loc = json!({
                "resourceType": "Location",
                "id": self.key.uuid(&loc_name),
                "identifier": identifier,
                "status": "active",
                "name": f.name,
                "mode": "instance",
                "managingOrganization": { "reference": org_url, "display": f.name },
            });
            self.facilities.insert(
                f.code.clone(),
                vec![
                    json!({ "fullUrl": org_url, "resource": org }),
                    json!({ "fullUrl": loc_url, "resource": loc }),
                ],
            );
        }
        (org_url, loc_url)
    }

    /// A reference to the Organization of facility `f`.
    fn organization(&mut self, f: &vneid_api::health::Facility) -> Value {
        let (org, _) = self.facility_urls(f);
        json!({ "reference": org, "display": f.name })
    }

    /// A reference to the Location of facility `f`.
    fn location(&mut self, f: &vneid_api::health::Facility) -> Value {
        let (_, loc) = self.facility_urls(f);
        json!({ "reference": loc, "display": f.name })
    }

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
        "serviceProvider": b.organization(&r.facility),
        "location": [{ "location": b.location(&r.facility) }],
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
                // Free text written by the facility, not generated from the elements.
                "status": "additional",
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
                "clinicalStatus": { "coding": [{
                    "system": SYSTEM_CONDITION_CLINICAL, "code": "active", "display": "Active",
                }]},
                "verificationStatus": { "coding": [{
                    "system": SYSTEM_CONDITION_VERIFICATION,
                    "code": "confirmed",
                    "display": "Confirmed",
                }]},
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
    let author = b.organization(&r.facility);
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
            "author": [author],
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
        facilities: BTreeMap::new(),
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
            "identifier": [{
                "use": "official",
                "type": {
                    "coding": [{
                        "system": SYSTEM_V2_0203,
                        "code": "NI",
                        "display": "National unique individual identifier",
                    }],
                    "text": "Số định danh cá nhân",
                },
                "system": SYSTEM_ID_NUMBER,
                "value": patient.id_number,
            }],
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
                five_years_from,
            } => {
                let payor = payor(&mut b);
                let mut coverage = json!({
                    "resourceType": "Coverage",
                    "identifier": [{ "system": SYSTEM_BHYT, "value": card_number }],
                    "status": "active",
                    "type": {
                        "coding": [{
                            "system": SYSTEM_ACT_CODE,
                            "code": "PUBLICPOL",
                            "display": "public healthcare",
                        }],
                        "text": "Bảo hiểm y tế",
                    },
                    "subscriberId": card_number,
                    "beneficiary": b.patient(),
                    "period": { "start": valid_from, "end": valid_to },
                    "payor": [payor],
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
                });
                if let Some(d) = five_years_from {
                    set(
                        &mut coverage,
                        "extension",
                        json!([{ "url": EXTENSION_FIVE_YEARS, "valueDate": d }]),
                    );
                }
                b.add(&format!("{}/coverage", r.id), coverage);
            }
            RecordBody::Vaccination {
                vaccine,
                disease,
                dose_number,
                lot,
                ..
            } => {
                let mut vaccine_code = json!({ "text": vaccine });
                if let Some(row) = vaccines::by_name(vaccine) {
                    set(
                        &mut vaccine_code,
                        "coding",
                        json!([
                            { "system": SYSTEM_CVX, "code": row.cvx, "display": row.cvx_display },
                            { "system": SYSTEM_VACCINE_LOCAL, "code": row.local_code, "display": row.name },
                        ]),
                    );
                }
                let performer = b.organization(&r.facility);
                let location = b.location(&r.facility);
                b.add(
                    &format!("{}/immunization", r.id),
                    json!({
                        "resourceType": "Immunization",
                        "status": "completed",
                        "vaccineCode": vaccine_code,
                        "patient": b.patient(),
                        "occurrenceDateTime": r.date,
                        "primarySource": false,
                        "location": location,
                        "lotNumber": lot,
                        "performer": [{ "actor": performer }],
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
                let requester = b.organization(&r.facility);
                let performer = b.organization(to_facility);
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
                        "requester": requester,
                        "performer": [performer],
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
                let location = b.location(&r.facility);
                let mut appointment = json!({
                    "resourceType": "Appointment",
                    "status": "booked",
                    "description": purpose,
                    "serviceType": [{ "text": department }],
                    "participant": [
                        { "actor": b.patient(), "status": "accepted" },
                        { "actor": location, "status": "accepted" },
                    ],
                });
                // A booked appointment has a start and an end (app-2, app-3); an
                // unreadable time leaves it `proposed`, which needs neither.
                match appointment_period(&r.date, time) {
                    Some((start, end)) => {
                        set(&mut appointment, "start", json!(start));
                        set(&mut appointment, "end", json!(end));
                        set(
                            &mut appointment,
                            "minutesDuration",
                            json!(APPOINTMENT_MINUTES),
                        );
                    }
                    None => set(&mut appointment, "status", json!("proposed")),
                }
                b.add(&format!("{}/appointment", r.id), appointment);
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
    let mut entries = b.entries;
    entries.extend(b.facilities.into_values().flatten());
    json!({
        "resourceType": "Bundle",
        "id": key.uuid("bundle"),
        "type": "collection",
        "timestamp": timestamp,
        "entry": entries,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing, clippy::unwrap_used)]
    use super::*;

    #[test]
    fn an_appointment_lasts_its_booked_minutes_across_midnight_too() {
        assert_eq!(
            appointment_period("2024-05-01", "08:15"),
            Some((
                "2024-05-01T08:15:00+07:00".into(),
                "2024-05-01T08:45:00+07:00".into()
            ))
        );
        assert_eq!(
            appointment_period("2024-12-31", "23:50").unwrap().1,
            "2025-01-01T00:20:00+07:00"
        );
        assert_eq!(appointment_period("2024-05-01", "8h"), None);
        assert_eq!(appointment_period("2024-05-01", "24:00"), None);
    }

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
