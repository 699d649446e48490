//! The health book end to end: the wallet syncs a synthetic book from the reference backend
//! on loopback (cut off at every page boundary and resumed), follows the issuer's corrections
//! and withdrawals, searches with and without diacritics, keeps the citizen's notes, exports a
//! FHIR R4 bundle, and presents the BHYT card as a QR a counter verifier accepts.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use base64::Engine as _;
use serde_json::Value;
use std::collections::{BTreeSet, HashSet};
use std::path::Path;
use std::time::Duration;
use vneid_api::health::{
    DevHealthBookRequest, DevHealthBookResponse, DevHealthChangeResponse, DevHealthDeleteRequest,
    DevHealthEditRequest, DevHealthFaultRequest, paths,
};
use vneid_backend::health::synth::{BookOwner, generate};
use vneid_backend::{BackendConfig, RunningBackend, SeededCitizen};
use vneid_identity::CalendarDate;
use vneid_tests::{DEV_TOKEN, activate_first, counter_lists, now_unix, open_wallet, spawn_backend};
use vneid_wallet::api_client::ApiClient;
use vneid_wallet::credential::claims::{ClaimValue, PRESET_HEALTH_INSURANCE, Registry, keys};
use vneid_wallet::credential::verify::{ReplayCache, Verdict, Verifier, VerifyPolicy};
use vneid_wallet::health::{BloodType, HealthProfile, HealthQuery, RecordBody, RecordKind};
use vneid_wallet::{BATCH_SIZE, ErrorCode, STORE_FILE, Wallet};

const SEED: u64 = 1;

async fn backend(book: u32) -> RunningBackend {
    spawn_backend(|c| {
        c.seed_citizens = 20;
        c.seed = SEED;
        c.health_book_sizes = vec![("001090123456".into(), book)];
    })
    .await
}

fn wallet(root: &Path, backend: &RunningBackend) -> Wallet {
    open_wallet(root, &backend.base_url(), |_| {})
}

async fn dev<Req: serde::Serialize, Resp: serde::de::DeserializeOwned>(
    backend: &RunningBackend,
    path: &str,
    body: &Req,
) -> Resp {
    reqwest::Client::new()
        .post(format!("{}{path}", backend.base_url()))
        .header(vneid_api::DEV_TOKEN_HEADER, DEV_TOKEN)
        .json(body)
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn owner(c: &SeededCitizen) -> BookOwner {
    BookOwner {
        id_number: c.id_number.clone(),
        birth: CalendarDate::parse_iso(&c.date_of_birth).unwrap(),
        province_code: c.permanent_address.province_code.clone(),
        province_name: c.permanent_address.province_name.clone(),
    }
}

/// Every record in the wallet as (id, version), walking all pages; checks that no id repeats.
fn local_book(wallet: &Wallet) -> BTreeSet<(String, u32)> {
    let mut out = BTreeSet::new();
    let mut q = HealthQuery {
        page_size: 200,
        ..HealthQuery::default()
    };
    loop {
        let page = wallet.health_query(&q).unwrap();
        for e in page.entries {
            assert!(
                out.insert((e.record.id.clone(), e.record.version)),
                "duplicate"
            );
        }
        match page.next_page {
            Some(t) => q.page_token = Some(t),
            None => break,
        }
    }
    out
}

#[tokio::test]
async fn sync_cut_off_at_every_page_boundary_resumes_without_loss_or_duplicates() {
    const BOOK: u32 = 120;
    const PAGE: u32 = 30;
    let backend = backend(BOOK).await;
    let root = tempfile::tempdir().unwrap();
    let wallet = wallet(root.path(), &backend);
    let citizen = activate_first(&wallet, &backend).await;

    // A clean first sync: 4 pages.
    let first = wallet.health_sync_with(PAGE).await.unwrap().report;
    assert_eq!(first.pages, BOOK.div_ceil(PAGE));
    assert_eq!(first.records, u64::from(BOOK));
    let expected = |generation| -> BTreeSet<(String, u32)> {
        generate(&owner(&citizen), SEED, generation, BOOK)
            .into_iter()
            .map(|r| (r.id, 1))
            .collect()
    };
    assert_eq!(local_book(&wallet), expected(0));

    // Each round the issuer replaces the whole book (BOOK tombstones + BOOK new records =
    // 8 pages) and the connection is cut in the middle of page k + 1.
    let pages = (2 * BOOK).div_ceil(PAGE);
    for k in 0..pages {
        let generation = k + 1;
        let _: DevHealthBookResponse = dev(
            &backend,
            paths::DEV_HEALTH_BOOK,
            &DevHealthBookRequest {
                id_number: citizen.id_number.clone(),
                records: BOOK,
            },
        )
        .await;
        let _: Value = dev(
            &backend,
            paths::DEV_HEALTH_FAULT,
            &DevHealthFaultRequest {
                id_number: citizen.id_number.clone(),
                pages_before_failure: k,
            },
        )
        .await;
        let before = wallet.health_summary().unwrap().cursor;
        let err = wallet.health_sync_with(PAGE).await.unwrap_err();
        assert_eq!(
            err.code(),
            ErrorCode::NetworkUnavailable,
            "round {k}: {err}"
        );
        // Exactly the k pages before the cut are applied, with their cursor.
        let after_cut = local_book(&wallet);
        let applied = (k * PAGE) as usize;
        let withdrawn = applied.min(BOOK as usize);
        let added = applied.saturating_sub(BOOK as usize);
        assert_eq!(
            after_cut.len(),
            BOOK as usize - withdrawn + added,
            "round {k}"
        );
        let cursor = wallet.health_summary().unwrap().cursor;
        assert!(cursor >= before);
        if k == 0 {
            assert_eq!(cursor, before);
        }
        // Resume: exactly the rest arrives, once.
        let resumed = wallet.health_sync_with(PAGE).await.unwrap().report;
        assert_eq!(resumed.pages, pages - k, "round {k}");
        assert_eq!(resumed.unchanged, 0, "round {k}: a change arrived twice");
        assert_eq!(local_book(&wallet), expected(generation), "round {k}");
    }
    // Nothing new: one empty page, nothing applied.
    let idle = wallet.health_sync_with(PAGE).await.unwrap().report;
    assert_eq!((idle.pages, idle.upserted, idle.deleted), (1, 0, 0));
}

#[tokio::test]
async fn corrections_and_withdrawals_reach_the_wallet_and_notes_survive_corrections() {
    let backend = backend(300).await;
    let root = tempfile::tempdir().unwrap();
    let wallet = wallet(root.path(), &backend);
    let citizen = activate_first(&wallet, &backend).await;
    wallet.health_sync().await.unwrap();

    let encounters = wallet
        .health_query(&HealthQuery {
            kinds: vec![RecordKind::Encounter],
            page_size: 3,
            ..HealthQuery::default()
        })
        .unwrap();
    let noted = encounters.entries[0].record.clone();
    let other = encounters.entries[1].record.clone();
    wallet
        .health_set_note(&noted.id, Some("Bác sĩ dặn uống nhiều nước"))
        .unwrap();

    // The issuer corrects the noted record: its version wins, the note stays.
    let edit: DevHealthChangeResponse = dev(
        &backend,
        paths::DEV_HEALTH_EDIT,
        &DevHealthEditRequest {
            id_number: citizen.id_number.clone(),
            record_id: noted.id.clone(),
            title: "Khám bệnh: chẩn đoán đã được cơ sở điều chỉnh".into(),
        },
    )
    .await;
    assert_eq!(edit.version, 2);
    // The issuer withdraws another record.
    let _: DevHealthChangeResponse = dev(
        &backend,
        paths::DEV_HEALTH_DELETE,
        &DevHealthDeleteRequest {
            id_number: citizen.id_number.clone(),
            record_id: other.id.clone(),
        },
    )
    .await;
    let report = wallet.health_sync().await.unwrap().report;
    assert_eq!((report.upserted, report.deleted), (1, 1));
    assert_eq!(report.records, 299);

    let entry = wallet.health_record(&noted.id).unwrap();
    assert_eq!(entry.record.version, 2);
    assert_eq!(
        entry.record.title,
        "Khám bệnh: chẩn đoán đã được cơ sở điều chỉnh"
    );
    assert_eq!(entry.record.body, noted.body);
    let note = entry.note.clone().unwrap();
    assert_eq!(note.text, "Bác sĩ dặn uống nhiều nước");
    assert_eq!(note.for_version, 1);
    assert!(entry.note_outdated());
    // The note is searchable, without diacritics too.
    let found = wallet
        .health_query(&HealthQuery {
            text: Some("uong nhieu nuoc".into()),
            ..HealthQuery::default()
        })
        .unwrap();
    assert_eq!(found.total, 1);
    assert_eq!(found.entries[0].record.id, noted.id);

    assert_eq!(
        wallet.health_record(&other.id).unwrap_err().code(),
        ErrorCode::HealthRecordNotFound
    );
    assert_eq!(
        wallet
            .health_set_note(&other.id, Some("x"))
            .unwrap_err()
            .code(),
        ErrorCode::HealthRecordNotFound
    );

    // Withdrawing the noted record takes its note along.
    let _: DevHealthChangeResponse = dev(
        &backend,
        paths::DEV_HEALTH_DELETE,
        &DevHealthDeleteRequest {
            id_number: citizen.id_number.clone(),
            record_id: noted.id.clone(),
        },
    )
    .await;
    wallet.health_sync().await.unwrap();
    let found = wallet
        .health_query(&HealthQuery {
            text: Some("uong nhieu nuoc".into()),
            ..HealthQuery::default()
        })
        .unwrap();
    assert_eq!(found.total, 0);
}

#[tokio::test]
async fn search_filters_and_pages_with_and_without_diacritics() {
    let backend = backend(600).await;
    let root = tempfile::tempdir().unwrap();
    let wallet = wallet(root.path(), &backend);
    activate_first(&wallet, &backend).await;
    wallet.health_sync().await.unwrap();

    let count = |text: &str| {
        wallet
            .health_query(&HealthQuery {
                text: Some(text.into()),
                ..HealthQuery::default()
            })
            .unwrap()
    };
    let with = count("tiêm chủng");
    let without = count("tiem chung");
    let upper = count("TIEM CHUNG");
    assert!(with.total > 0);
    assert_eq!(with.total, without.total);
    assert_eq!(with.total, upper.total);
    assert_eq!(with.entries, without.entries);
    let vaccinations = wallet
        .health_query(&HealthQuery {
            kinds: vec![RecordKind::Vaccination],
            ..HealthQuery::default()
        })
        .unwrap();
    assert_eq!(with.total, vaccinations.total);
    // An ICD-10 code, whole and by its category.
    let j069 = count("J06.9");
    assert!(j069.total > 0);
    assert!(count("j06").total >= j069.total);
    assert!(j069.entries.iter().all(|e| match &e.record.body {
        RecordBody::Encounter { diagnoses, .. } => diagnoses.iter().any(|d| d.code == "J06.9"),
        RecordBody::Referral { diagnosis, .. } | RecordBody::SickLeave { diagnosis, .. } =>
            diagnosis.code == "J06.9",
        _ => false,
    }));
    assert_eq!(count("khongcotu").total, 0);

    // Facility, date range and kind together, paged 7 at a time, newest first.
    let facilities = wallet.health_facilities().unwrap();
    assert!(facilities.len() >= 3);
    let fac = &facilities[0];
    let from = CalendarDate::new(2015, 1, 1).unwrap();
    let to = CalendarDate::new(2022, 12, 31).unwrap();
    let mut q = HealthQuery {
        kinds: vec![RecordKind::Encounter, RecordKind::Appointment],
        from: Some(from),
        to: Some(to),
        facility_code: Some(fac.code.clone()),
        page_size: 7,
        ..HealthQuery::default()
    };
    let mut seen = Vec::new();
    let mut total = None;
    loop {
        let page = wallet.health_query(&q).unwrap();
        total = total.or(Some(page.total));
        assert!(page.entries.len() <= 7);
        seen.extend(page.entries);
        match page.next_page {
            Some(t) => q.page_token = Some(t),
            None => break,
        }
    }
    assert!(!seen.is_empty());
    assert_eq!(seen.len() as u64, total.unwrap());
    let ids: HashSet<_> = seen.iter().map(|e| e.record.id.clone()).collect();
    assert_eq!(ids.len(), seen.len());
    assert!(
        seen.windows(2)
            .all(|w| w[0].record.date >= w[1].record.date)
    );
    for e in &seen {
        assert_eq!(e.record.facility.code, fac.code);
        assert!(matches!(
            e.kind,
            RecordKind::Encounter | RecordKind::Appointment
        ));
        let d = CalendarDate::parse_iso(&e.record.date).unwrap();
        assert!(from <= d && d <= to);
    }
    // A forged page token is an input error, not a panic or a wrong page.
    let bad = wallet
        .health_query(&HealthQuery {
            page_token: Some("zz".into()),
            ..HealthQuery::default()
        })
        .unwrap_err();
    assert_eq!(bad.code(), ErrorCode::HealthInputInvalid);

    // Nothing readable in the database file: no diagnosis, drug, facility or card number.
    let summary = wallet.health_summary().unwrap();
    let card = match &summary.bhyt_card.as_ref().unwrap().body {
        RecordBody::BhytCard { card_number, .. } => card_number.clone(),
        _ => unreachable!(),
    };
    drop(wallet);
    let mut raw = Vec::new();
    for f in std::fs::read_dir(root.path().join("wallet")).unwrap() {
        raw.extend(std::fs::read(f.unwrap().path()).unwrap());
    }
    for needle in [
        card.as_str(),
        "Nhiễm trùng",
        "Paracetamol",
        "Tiêm chủng",
        fac.name.as_str(),
        "J06.9",
    ] {
        assert!(
            !raw.windows(needle.len()).any(|w| w == needle.as_bytes()),
            "{needle} in clear"
        );
    }
}

/// Checks what this test relies on of FHIR R4 JSON: resource types and their required
/// elements, `urn:uuid` full URLs, references that resolve inside the bundle, codings with
/// absolute systems, dates in FHIR form, and no empty arrays or objects.
fn validate_bundle(b: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let mut p = |s: String| problems.push(s);
    if b["resourceType"] != "Bundle" || b["type"] != "collection" {
        p("not a collection Bundle".into());
    }
    let entries = b["entry"].as_array().cloned().unwrap_or_default();
    let urls: HashSet<String> = entries
        .iter()
        .filter_map(|e| e["fullUrl"].as_str().map(str::to_owned))
        .collect();
    if urls.len() != entries.len() {
        p("missing or repeated fullUrl".into());
    }
    let required: &[(&str, &[&str])] = &[
        ("Patient", &[]),
        ("Coverage", &["status", "type", "beneficiary", "payor"]),
        // Facilities and the BHYT payor.
        ("Organization", &["identifier", "name"]),
        ("Location", &["identifier", "name", "managingOrganization"]),
        (
            "Immunization",
            &["status", "vaccineCode", "patient", "occurrenceDateTime"],
        ),
        ("Encounter", &["status", "class"]),
        (
            "Condition",
            &["subject", "clinicalStatus", "verificationStatus"],
        ),
        ("Procedure", &["status", "subject"]),
        (
            "MedicationRequest",
            &["status", "intent", "medicationCodeableConcept", "subject"],
        ),
        ("ServiceRequest", &["status", "intent", "subject"]),
        ("Appointment", &["status", "participant", "start", "end"]),
        // Certificates (sick leave, driver health).
        (
            "DocumentReference",
            &["status", "type", "subject", "content", "identifier"],
        ),
    ];
    fn walk(v: &Value, path: &str, out: &mut Vec<String>, refs: &mut Vec<String>) {
        match v {
            Value::Object(o) => {
                if o.is_empty() {
                    out.push(format!("{path}: empty object"));
                }
                for (k, x) in o {
                    if k == "reference" {
                        refs.push(x.as_str().unwrap_or_default().to_owned());
                    }
                    if k == "system" && !x.as_str().is_some_and(|s| s.contains(':')) {
                        out.push(format!("{path}.system not an absolute URI"));
                    }
                    walk(x, &format!("{path}.{k}"), out, refs);
                }
                if o.contains_key("coding") {
                    for c in o["coding"].as_array().into_iter().flatten() {
                        if c.get("system").is_none() || c.get("code").is_none() {
                            out.push(format!("{path}: coding without system or code"));
                        }
                    }
                }
            }
            Value::Array(a) => {
                if a.is_empty() {
                    out.push(format!("{path}: empty array"));
                }
                for (i, x) in a.iter().enumerate() {
                    walk(x, &format!("{path}[{i}]"), out, refs);
                }
            }
            Value::String(s) if s.is_empty() => out.push(format!("{path}: empty string")),
            _ => {}
        }
    }
    for e in &entries {
        let r = &e["resource"];
        let ty = r["resourceType"].as_str().unwrap_or("");
        let Some((_, req)) = required.iter().find(|(t, _)| *t == ty) else {
            p(format!("unexpected resource {ty}"));
            continue;
        };
        for f in *req {
            if r.get(*f).is_none() {
                p(format!("{ty} without {f}"));
            }
        }
        if !e["fullUrl"].as_str().is_some_and(|u| {
            u.starts_with("urn:uuid:") && u.ends_with(r["id"].as_str().unwrap_or("?"))
        }) {
            p(format!("{ty}: fullUrl does not carry its id"));
        }
        for date in [
            "birthDate",
            "occurrenceDateTime",
            "recordedDate",
            "authoredOn",
        ] {
            if let Some(d) = r.get(date)
                && CalendarDate::parse_iso(d.as_str().unwrap_or("")).is_err()
            {
                p(format!("{ty}.{date} not a date"));
            }
        }
        // DocumentReference: `date` is an instant (with a zone), the period is two dates in
        // order, and every attachment carries its content (base64) with a content type.
        if ty == "DocumentReference" {
            let instant = r["date"].as_str().unwrap_or("");
            let day = instant.split('T').next().unwrap_or("");
            if CalendarDate::parse_iso(day).is_err()
                || !instant
                    .get(10..)
                    .is_some_and(|t| t.ends_with('Z') || t.contains('+') || t.contains('-'))
            {
                p(format!("{ty}.date not an instant"));
            }
            let period = &r["context"]["period"];
            match (
                CalendarDate::parse_iso(period["start"].as_str().unwrap_or("")),
                CalendarDate::parse_iso(period["end"].as_str().unwrap_or("")),
            ) {
                (Ok(a), Ok(b)) if a <= b => {}
                _ => p(format!("{ty}.context.period not two dates in order")),
            }
            for c in r["content"].as_array().into_iter().flatten() {
                let a = &c["attachment"];
                let decoded = a["data"]
                    .as_str()
                    .and_then(|d| base64::engine::general_purpose::STANDARD.decode(d).ok());
                if a["contentType"].as_str().is_none()
                    || decoded.is_none_or(|d| std::str::from_utf8(&d).is_err())
                {
                    p(format!(
                        "{ty}: attachment without content type or base64 data"
                    ));
                }
            }
        }
        let mut refs = Vec::new();
        let mut found = Vec::new();
        walk(r, ty, &mut found, &mut refs);
        for f in found {
            p(f);
        }
        for reference in refs {
            if !urls.contains(&reference) {
                p(format!("{ty}: reference {reference} does not resolve"));
            }
        }
    }
    problems
}

#[tokio::test]
async fn fhir_export_of_the_book_and_of_a_selection_is_valid_r4() {
    let backend = backend(250).await;
    let root = tempfile::tempdir().unwrap();
    let wallet = wallet(root.path(), &backend);
    let citizen = activate_first(&wallet, &backend).await;
    wallet.health_sync().await.unwrap();

    let all: Value = serde_json::from_str(&wallet.health_export_fhir(None).unwrap()).unwrap();
    assert_eq!(validate_bundle(&all), Vec::<String>::new());
    let count = |b: &Value, ty: &str| {
        b["entry"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["resource"]["resourceType"] == ty)
            .count()
    };
    let summary = wallet.health_summary().unwrap();
    let n = |k| {
        summary
            .by_kind
            .iter()
            .find(|(x, _)| *x == k)
            .map(|(_, n)| *n as usize)
            .unwrap_or(0)
    };
    assert_eq!(count(&all, "Patient"), 1);
    assert_eq!(count(&all, "Coverage"), 1);
    assert_eq!(count(&all, "Immunization"), n(RecordKind::Vaccination));
    assert_eq!(count(&all, "Encounter"), n(RecordKind::Encounter));
    assert!(count(&all, "Condition") >= n(RecordKind::Encounter));
    assert!(count(&all, "MedicationRequest") >= n(RecordKind::Encounter));
    assert_eq!(count(&all, "ServiceRequest"), n(RecordKind::Referral));
    assert_eq!(count(&all, "Appointment"), n(RecordKind::Appointment));
    assert_eq!(
        count(&all, "DocumentReference"),
        n(RecordKind::SickLeave) + n(RecordKind::DriverHealth)
    );
    let patient = &all["entry"][0]["resource"];
    assert_eq!(patient["identifier"][0]["value"], citizen.id_number);
    assert_eq!(
        patient["identifier"][0]["type"]["coding"][0],
        serde_json::json!({
            "system": "http://terminology.hl7.org/CodeSystem/v2-0203",
            "code": "NI",
            "display": "National unique individual identifier",
        })
    );
    // Every vaccine of the synthetic book is coded in CVX and in the local table, and
    // every facility reference names an Organization or a Location of the bundle.
    let resources: Vec<&Value> = all["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .collect();
    for imm in resources
        .iter()
        .filter(|r| r["resourceType"] == "Immunization")
    {
        let systems: Vec<&str> = imm["vaccineCode"]["coding"]
            .as_array()
            .map(|c| c.iter().filter_map(|c| c["system"].as_str()).collect())
            .unwrap_or_default();
        assert_eq!(
            systems,
            [
                "http://hl7.org/fhir/sid/cvx",
                "https://vneid.example.vn/fhir/CodeSystem/vac-xin"
            ],
            "{}",
            imm["vaccineCode"]
        );
    }
    let type_of = |url: &str| {
        all["entry"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["fullUrl"] == url)
            .map(|e| e["resource"]["resourceType"].as_str().unwrap().to_owned())
    };
    for r in &resources {
        let facility = match r["resourceType"].as_str().unwrap() {
            "Encounter" => Some((&r["serviceProvider"], "Organization")),
            "Immunization" => Some((&r["location"], "Location")),
            "Appointment" => Some((&r["participant"][1]["actor"], "Location")),
            _ => None,
        };
        if let Some((reference, ty)) = facility {
            assert_eq!(
                type_of(reference["reference"].as_str().unwrap()).as_deref(),
                Some(ty)
            );
        }
    }
    assert_eq!(patient["birthDate"], citizen.date_of_birth);
    let icd: Vec<&Value> = all["entry"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["resource"]["resourceType"] == "Condition")
        .map(|e| &e["resource"]["code"]["coding"][0])
        .collect();
    assert!(
        icd.iter()
            .all(|c| c["system"] == "http://hl7.org/fhir/sid/icd-10" && c["code"].is_string())
    );

    // A selection: one encounter only.
    let enc = wallet
        .health_query(&HealthQuery {
            kinds: vec![RecordKind::Encounter],
            page_size: 1,
            ..HealthQuery::default()
        })
        .unwrap()
        .entries
        .remove(0)
        .record;
    let one: Value = serde_json::from_str(
        &wallet
            .health_export_fhir(Some(std::slice::from_ref(&enc.id)))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(validate_bundle(&one), Vec::<String>::new());
    assert_eq!(count(&one, "Encounter"), 1);
    assert_eq!(count(&one, "Coverage"), 0);
    assert_eq!(count(&one, "Immunization"), 0);

    // The validator is not a rubber stamp: a dangling reference and a missing field fail.
    let mut broken = one.clone();
    broken["entry"][1]["resource"]["subject"]["reference"] = "urn:uuid:nobody".into();
    broken["entry"][1]["resource"]
        .as_object_mut()
        .unwrap()
        .remove("status");
    assert_eq!(validate_bundle(&broken).len(), 2);
    // Nor for certificates: a day where an instant belongs and an attachment without data.
    let doc = all["entry"]
        .as_array()
        .unwrap()
        .iter()
        .position(|e| e["resource"]["resourceType"] == "DocumentReference")
        .expect("the book has a certificate");
    let mut broken = all.clone();
    broken["entry"][doc]["resource"]["date"] = "2024-05-01".into();
    broken["entry"][doc]["resource"]["content"][0]["attachment"]
        .as_object_mut()
        .unwrap()
        .remove("data");
    assert_eq!(validate_bundle(&broken).len(), 2);

    assert_eq!(
        wallet
            .health_export_fhir(Some(&["hr-unknown".to_owned()]))
            .unwrap_err()
            .code(),
        ErrorCode::HealthRecordNotFound
    );
}

#[tokio::test]
async fn the_bhyt_card_from_the_book_is_presented_and_accepted_at_reception() {
    let backend = backend(50).await;
    let root = tempfile::tempdir().unwrap();
    let wallet = wallet(root.path(), &backend);
    let citizen = activate_first(&wallet, &backend).await;
    let outcome = wallet.health_sync().await.unwrap();
    assert_eq!(outcome.card_error, None);
    assert_eq!(outcome.report.card_copies_fetched as usize, BATCH_SIZE);
    // Enough copies now: the next sync fetches none.
    assert_eq!(
        wallet
            .health_sync()
            .await
            .unwrap()
            .report
            .card_copies_fetched,
        0
    );
    let card = match wallet.health_summary().unwrap().bhyt_card.unwrap().body {
        RecordBody::BhytCard { card_number, .. } => card_number,
        _ => unreachable!(),
    };

    let p = wallet.present(&PRESET_HEALTH_INSURANCE, None).unwrap();
    let Verdict::Accept(v) = counter_verdict(&backend, &p.text, p.status.list).await else {
        panic!("BHYT card not accepted");
    };
    let claim = |k| v.claims.iter().find(|(x, _)| *x == k).unwrap().1.clone();
    assert_eq!(claim(keys::BHYT_NUMBER), ClaimValue::Text(card));
    assert_eq!(
        claim(keys::ID_NUMBER),
        ClaimValue::Digits(citizen.id_number)
    );
    assert!(v.claims.iter().all(|(k, _)| *k != keys::PLACE_OF_RESIDENCE));

    // The self-declared profile is stored apart and survives a re-read.
    let saved = wallet
        .health_set_profile(HealthProfile {
            blood_type: Some(BloodType::OPositive),
            allergies: vec!["Penicillin".into()],
            ..HealthProfile::default()
        })
        .unwrap();
    assert!(saved.self_declared());
    assert_eq!(wallet.health_profile().unwrap().unwrap(), saved);
    // Sign-out takes the book, notes and profile with it.
    wallet.sign_out().unwrap();
    drop(wallet);
    let db = rusqlite::Connection::open(root.path().join("wallet").join(STORE_FILE)).unwrap();
    for table in [
        "health_records",
        "health_terms",
        "health_profile",
        "health_sync",
    ] {
        let n: i64 = db
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 0, "{table}");
    }
}

#[tokio::test]
async fn the_change_feed_needs_a_login_and_a_sane_limit_and_dev_calls_need_the_dev_token() {
    let backend = backend(20).await;
    let http = reqwest::Client::new();
    let feed = format!("{}{}", backend.base_url(), paths::HEALTH_CHANGES);
    let status = |r: reqwest::Response| r.status().as_u16();
    assert_eq!(status(http.get(&feed).send().await.unwrap()), 401);
    assert_eq!(
        status(http.get(&feed).bearer_auth("forged").send().await.unwrap()),
        401
    );
    for bad in ["limit=0", "limit=501", "since=-1", "since=abc"] {
        let r = http
            .get(format!("{feed}?{bad}"))
            .bearer_auth("forged")
            .send()
            .await
            .unwrap();
        assert_eq!(status(r), 400, "{bad}");
    }
    let book = format!("{}{}", backend.base_url(), paths::DEV_HEALTH_BOOK);
    let body = DevHealthBookRequest {
        id_number: "001090123456".into(),
        records: 10,
    };
    let no_token = http.post(&book).json(&body).send().await.unwrap();
    assert_eq!(status(no_token), 401);
    let too_big = http
        .post(&book)
        .header(vneid_api::DEV_TOKEN_HEADER, DEV_TOKEN)
        .json(&DevHealthBookRequest {
            id_number: "001090123456".into(),
            records: 20_001,
        })
        .send()
        .await
        .unwrap();
    assert_eq!(status(too_big), 400);
    let unknown = http
        .post(format!(
            "{}{}",
            backend.base_url(),
            paths::DEV_HEALTH_DELETE
        ))
        .header(vneid_api::DEV_TOKEN_HEADER, DEV_TOKEN)
        .json(&DevHealthDeleteRequest {
            id_number: "001090123456".into(),
            record_id: "hr-none".into(),
        })
        .send()
        .await
        .unwrap();
    assert_eq!(status(unknown), 404);

    // A backend without a dev token does not even reveal the dev endpoints.
    let prod = vneid_backend::spawn(BackendConfig {
        seed_citizens: 5,
        ..Default::default()
    })
    .await
    .unwrap();
    let hidden = http
        .post(format!("{}{}", prod.base_url(), paths::DEV_HEALTH_FAULT))
        .header(vneid_api::DEV_TOKEN_HEADER, DEV_TOKEN)
        .json(&DevHealthFaultRequest {
            id_number: "001090123456".into(),
            pages_before_failure: 0,
        })
        .send()
        .await
        .unwrap();
    assert_eq!(status(hidden), 404);
}

#[tokio::test]
async fn another_citizen_activating_the_phone_does_not_see_the_previous_book() {
    let backend = backend(40).await;
    let root = tempfile::tempdir().unwrap();
    let wallet = wallet(root.path(), &backend);
    activate_first(&wallet, &backend).await;
    wallet.health_sync().await.unwrap();
    wallet
        .health_set_profile(HealthProfile {
            allergies: vec!["Penicillin".into()],
            ..HealthProfile::default()
        })
        .unwrap();
    assert_eq!(wallet.health_summary().unwrap().records, 40);

    // Citizen 2 activates on the same phone.
    let other = backend.sample_citizens(2).pop().unwrap();
    vneid_tests::activate(&wallet, &backend, &other).await;
    let summary = wallet.health_summary().unwrap();
    assert_eq!((summary.records, summary.cursor), (0, 0));
    assert_eq!(wallet.health_profile().unwrap(), None);
    // Their own book arrives from the start of the feed.
    let report = wallet.health_sync().await.unwrap().report;
    assert!(report.records > 0);
}

/// The counter's verdict on a QR text: trust list and status list fetched from the backend,
/// default policy, a fresh replay cache.
async fn counter_verdict(backend: &RunningBackend, text: &str, list: u32) -> Verdict {
    let api = ApiClient::new(&backend.base_url(), Duration::from_secs(10)).unwrap();
    let (trust, status) = counter_lists(&api, list).await;
    let registry = Registry::builtin();
    let policy = VerifyPolicy::default();
    let verifier = Verifier {
        registry: &registry,
        trust: &trust,
        status: &status,
        policy: &policy,
    };
    verifier.verify_text(text, now_unix(), &mut ReplayCache::default())
}

#[tokio::test]
async fn a_sick_leave_certificate_is_presented_by_record_and_accepted_and_a_tampered_one_rejected()
{
    let backend = backend(300).await;
    let root = tempfile::tempdir().unwrap();
    let wallet = wallet(root.path(), &backend);
    let citizen = activate_first(&wallet, &backend).await;
    let outcome = wallet.health_sync().await.unwrap();
    assert_eq!(outcome.certificate_error, None);
    let certificates = |kind| {
        wallet
            .health_query(&HealthQuery {
                kinds: vec![kind],
                page_size: 2,
                ..HealthQuery::default()
            })
            .unwrap()
            .entries
    };
    let leaves = certificates(RecordKind::SickLeave);
    assert_eq!(leaves.len(), 2, "the book has sick-leave certificates");
    let number_of = |r: &vneid_api::health::HealthRecord| match &r.body {
        RecordBody::SickLeave {
            certificate_number, ..
        }
        | RecordBody::DriverHealth {
            certificate_number, ..
        } => certificate_number.clone(),
        _ => unreachable!(),
    };

    // Present the older of the two: its copies are fetched on demand.
    let chosen = &leaves[1].record;
    let p = wallet
        .health_present_certificate(&chosen.id, None)
        .await
        .unwrap();
    let copies = wallet.health_certificate_copies(&chosen.id).unwrap();
    assert_eq!(copies.copies, BATCH_SIZE);
    assert_eq!(copies.unused, BATCH_SIZE - 1);
    println!(
        "[size] sick-leave certificate QR: {} Base45 characters, QR version {} (ECC M)",
        p.text.len(),
        p.qr.version
    );
    assert!(p.qr.version <= 20, "QR version {}", p.qr.version);
    let Verdict::Accept(v) = counter_verdict(&backend, &p.text, p.status.list).await else {
        panic!("certificate not accepted");
    };
    let claim = |k| v.claims.iter().find(|(x, _)| *x == k).unwrap().1.clone();
    assert_eq!(
        claim(keys::CERT_NUMBER),
        ClaimValue::Text(number_of(chosen))
    );
    assert_eq!(
        claim(keys::CERT_TITLE),
        ClaimValue::Text("Giấy chứng nhận nghỉ việc hưởng BHXH".into())
    );
    assert_eq!(
        claim(keys::CERT_ISSUER_NAME),
        ClaimValue::Text(chosen.facility.name.clone())
    );
    assert_eq!(
        claim(keys::ID_NUMBER),
        ClaimValue::Digits(citizen.id_number.clone())
    );
    let ClaimValue::Text(details) = claim(keys::CERT_DETAILS) else {
        panic!("details not text");
    };
    assert!(details.starts_with("Nghỉ "), "{details}");

    // The other certificate shows its own number, never the first one's.
    let other = &leaves[0].record;
    let q = wallet
        .health_present_certificate(&other.id, None)
        .await
        .unwrap();
    let Verdict::Accept(w) = counter_verdict(&backend, &q.text, q.status.list).await else {
        panic!("second certificate not accepted");
    };
    assert!(
        w.claims
            .iter()
            .any(|(k, c)| *k == keys::CERT_NUMBER && *c == ClaimValue::Text(number_of(other)))
    );

    // Tampered: one digit of the certificate number changed inside the signed QR.
    use vneid_wallet::credential::presentation::{from_qr_text, to_qr_text};
    let mut bin = from_qr_text(&p.text).unwrap();
    let number = number_of(chosen);
    let at = bin
        .windows(number.len())
        .position(|w| w == number.as_bytes())
        .expect("the number is in the QR");
    bin[at + number.len() - 1] = if bin[at + number.len() - 1] == b'1' {
        b'2'
    } else {
        b'1'
    };
    let verdict = counter_verdict(&backend, &to_qr_text(&bin), p.status.list).await;
    assert!(
        matches!(verdict, Verdict::Reject(_)),
        "tampered certificate not rejected"
    );

    // Not a certificate, or not in the book: typed errors.
    let enc = certificates(RecordKind::Encounter).remove(0).record;
    assert_eq!(
        wallet
            .health_present_certificate(&enc.id, None)
            .await
            .unwrap_err()
            .code(),
        ErrorCode::HealthInputInvalid
    );
    assert_eq!(
        wallet
            .health_present_certificate("hr-unknown", None)
            .await
            .unwrap_err()
            .code(),
        ErrorCode::HealthRecordNotFound
    );
    // The disclosure history names the certificate presentations.
    let history = wallet.disclosure_history().unwrap();
    assert_eq!(
        history
            .iter()
            .filter(|d| d.preset == "health_certificate")
            .count(),
        2
    );

    // Withdrawn by the issuer: its copies (and keys) go with the next sync.
    let _: vneid_api::health::DevHealthChangeResponse = dev(
        &backend,
        vneid_api::health::paths::DEV_HEALTH_DELETE,
        &vneid_api::health::DevHealthDeleteRequest {
            id_number: citizen.id_number.clone(),
            record_id: chosen.id.clone(),
        },
    )
    .await;
    wallet.health_sync().await.unwrap();
    assert_eq!(
        wallet.health_certificate_copies(&chosen.id).unwrap().copies,
        0
    );
    assert_eq!(
        wallet.health_certificate_copies(&other.id).unwrap().copies,
        BATCH_SIZE
    );
}

#[tokio::test]
async fn every_certificate_of_a_rich_book_is_issued_and_its_qr_stays_within_version_20() {
    let backend = backend(600).await;
    let root = tempfile::tempdir().unwrap();
    let wallet = wallet(root.path(), &backend);
    activate_first(&wallet, &backend).await;
    wallet.health_sync().await.unwrap();
    for kind in [RecordKind::SickLeave, RecordKind::DriverHealth] {
        let entries = wallet
            .health_query(&HealthQuery {
                kinds: vec![kind],
                page_size: 100,
                ..HealthQuery::default()
            })
            .unwrap()
            .entries;
        let mut sizes = Vec::new();
        for e in &entries {
            match wallet.health_present_certificate(&e.record.id, None).await {
                Ok(p) => sizes.push((p.text.len(), p.qr.version)),
                // A driver certificate past its validity cannot be shown.
                Err(err) if kind == RecordKind::DriverHealth => {
                    assert_eq!(err.code(), ErrorCode::HealthInputInvalid, "{err}");
                }
                Err(err) => panic!("{err}"),
            }
        }
        assert!(!sizes.is_empty(), "{kind:?}: no certificate presented");
        let (min, max) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
        println!(
            "[size] {kind:?}: {} presented of {}; Base45 chars {}..{}, QR version {}..{} (ECC M)",
            sizes.len(),
            entries.len(),
            min.0,
            max.0,
            min.1,
            max.1
        );
        assert!(max.1 <= 20, "{kind:?} QR version {}", max.1);
    }
}

/// MD5 (RFC 1321), only to look for MD5 digests of the ID number in an export.
fn md5(input: &[u8]) -> [u8; 16] {
    const S: [u32; 64] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5,
        9, 14, 20, 5, 9, 14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10,
        15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ];
    let k: Vec<u32> = (0..64)
        .map(|i| ((i as f64 + 1.0).sin().abs() * 4_294_967_296.0) as u32)
        .collect();
    let mut msg = input.to_vec();
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&((input.len() as u64).wrapping_mul(8)).to_le_bytes());
    let mut h: [u32; 4] = [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476];
    for chunk in msg.chunks(64) {
        let m: Vec<u32> = chunk
            .chunks(4)
            .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]))
            .collect();
        let [mut a, mut b, mut c, mut d] = h;
        for i in 0..64 {
            let (f, g) = match i / 16 {
                0 => ((b & c) | (!b & d), i),
                1 => ((d & b) | (!d & c), (5 * i + 1) % 16),
                2 => (b ^ c ^ d, (3 * i + 5) % 16),
                _ => (c ^ (b | !d), (7 * i) % 16),
            };
            let f = f.wrapping_add(a).wrapping_add(k[i]).wrapping_add(m[g]);
            a = d;
            d = c;
            c = b;
            b = b.wrapping_add(f.rotate_left(S[i]));
        }
        h = [
            h[0].wrapping_add(a),
            h[1].wrapping_add(b),
            h[2].wrapping_add(c),
            h[3].wrapping_add(d),
        ];
    }
    let mut out = [0u8; 16];
    for (i, w) in h.iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&w.to_le_bytes());
    }
    out
}

/// Every string of a JSON value (keys included).
fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        Value::Object(o) => o.iter().for_each(|(k, x)| {
            out.push(k.clone());
            strings(x, out);
        }),
        _ => {}
    }
}

/// What anyone can compute from an ID number without a key: SHA-256, SHA-1 and MD5 of the
/// number and of its usual naming forms, as hex (of the first 6 bytes, which survive a UUID's
/// version bits) and as base64.
fn unkeyed_derivations(id_number: &str) -> Vec<String> {
    use ring::digest::{SHA1_FOR_LEGACY_USE_ONLY, SHA256, digest};
    let forms = [
        id_number.to_owned(),
        format!("patient/{id_number}"),
        format!("Patient/{id_number}"),
        format!("urn:vn:cccd:{id_number}"),
    ];
    let mut out = Vec::new();
    for f in &forms {
        let digests: Vec<Vec<u8>> = vec![
            digest(&SHA256, f.as_bytes()).as_ref().to_vec(),
            digest(&SHA1_FOR_LEGACY_USE_ONLY, f.as_bytes())
                .as_ref()
                .to_vec(),
            md5(f.as_bytes()).to_vec(),
        ];
        for d in digests {
            out.push(d[..6].iter().map(|b| format!("{b:02x}")).collect());
            out.push(base64::engine::general_purpose::STANDARD.encode(&d));
            out.push(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&d));
        }
    }
    out
}

/// Strings of `bundle` that carry an unkeyed derivation of `id_number`.
fn derived_from_id_number(bundle: &Value, id_number: &str) -> Vec<String> {
    let needles = unkeyed_derivations(id_number);
    let mut all = Vec::new();
    strings(bundle, &mut all);
    all.into_iter()
        .filter(|s| {
            let hexish = s.to_ascii_lowercase().replace('-', "");
            needles
                .iter()
                .any(|n| hexish.contains(n.as_str()) || s.contains(n.as_str()))
        })
        .collect()
}

fn resource_ids(bundle: &Value) -> HashSet<String> {
    let mut ids: HashSet<String> = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| {
            [
                e["fullUrl"].as_str().unwrap().to_owned(),
                e["resource"]["id"].as_str().unwrap().to_owned(),
            ]
        })
        .collect();
    ids.insert(bundle["id"].as_str().unwrap().to_owned());
    ids
}

#[tokio::test]
async fn fhir_exports_carry_no_id_derived_from_the_id_number_and_share_no_resource_id() {
    let backend = backend(80).await;
    let root = tempfile::tempdir().unwrap();
    let wallet = wallet(root.path(), &backend);
    let citizen = activate_first(&wallet, &backend).await;
    wallet.health_sync().await.unwrap();

    let first: Value = serde_json::from_str(&wallet.health_export_fhir(None).unwrap()).unwrap();
    let second: Value = serde_json::from_str(&wallet.health_export_fhir(None).unwrap()).unwrap();
    // Each export is consistent on its own: every reference resolves inside it.
    assert_eq!(validate_bundle(&first), Vec::<String>::new());
    assert_eq!(validate_bundle(&second), Vec::<String>::new());
    let (a, b) = (resource_ids(&first), resource_ids(&second));
    assert!(a.len() > 80, "{} ids", a.len());
    assert_eq!(a.intersection(&b).count(), 0, "the two exports share ids");
    assert_eq!(
        derived_from_id_number(&first, &citizen.id_number),
        Vec::<String>::new()
    );
    assert_eq!(
        derived_from_id_number(&second, &citizen.id_number),
        Vec::<String>::new()
    );

    // The check catches the former scheme: a Patient id that is SHA-256 of `patient/<ID
    // number>` laid out as a UUID.
    let hex = |d: &[u8]| d.iter().map(|b| format!("{b:02x}")).collect::<String>();
    assert_eq!(hex(&md5(b"abc")), "900150983cd24fb0d6963f7d28e17f72");
    let mut old = first.clone();
    let d = ring::digest::digest(
        &ring::digest::SHA256,
        format!("patient/{}", citizen.id_number).as_bytes(),
    );
    let h: String = d.as_ref()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let old_id = format!(
        "{}-{}-8{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[13..16],
        &h[16..20],
        &h[20..32]
    );
    old["entry"][0]["resource"]["id"] = old_id.clone().into();
    assert_eq!(
        derived_from_id_number(&old, &citizen.id_number),
        vec![old_id]
    );
}
