//! Round trips: every preset, one-way and two-way.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::*;
use vneid_credential::claims::{ClaimValue, PRESETS, Preset, keys, types};
use vneid_credential::issuer::IssuedCredential;
use vneid_credential::verify::{Verdict, VerifyPolicy, Warning};

fn credential_for<'a>(f: &'a Fixture, p: &Preset) -> &'a IssuedCredential {
    match p.credential_type {
        types::CORE_ID => &f.core_id,
        types::AGE_OVER_18 => &f.age,
        types::BHYT => &f.bhyt,
        types::ELECTRONIC_ID => &f.eid,
        _ => panic!("no credential for {}", p.name),
    }
}

#[test]
fn every_preset_round_trips_one_way_and_discloses_exactly_its_claims() {
    let f = Fixture::new();
    for p in PRESETS {
        let cred = credential_for(&f, p);
        let text = f.qr(&f.present(cred, p.claims, NOW - 5));
        let policy = VerifyPolicy {
            required_claims: p.claims.to_vec(),
            ..Default::default()
        };
        match f.verify_text(&text, NOW, &policy) {
            Verdict::Accept(v) => {
                let mut got: Vec<_> = v.claims.iter().map(|(k, _)| *k).collect();
                let mut want = p.claims.to_vec();
                got.sort_unstable();
                want.sort_unstable();
                assert_eq!(got, want, "{}", p.name);
                for (k, val) in &v.claims {
                    assert_eq!(Some(val), cred.claims.get(k), "{} claim {k}", p.name);
                }
                assert_eq!(v.credential_type, p.credential_type);
                assert!(v.issuer_name.contains("Bộ Công an"));
                assert_eq!(
                    v.warnings.contains(&Warning::ComparePortrait),
                    p.claims.contains(&keys::PORTRAIT_DIGEST)
                );
            }
            other => panic!("{}: {other:?}", p.name),
        }
    }
}

#[test]
fn every_preset_round_trips_two_way_with_nonce_and_audience() {
    let f = Fixture::new();
    let nonce = [0xA5u8; 16];
    for p in PRESETS {
        let cred = credential_for(&f, p);
        let bin = f.present_two_way(
            cred,
            p.claims,
            NOW,
            Some(&nonce),
            Some("vn.hotel.sofitel-metropole"),
        );
        let policy = VerifyPolicy {
            expected_nonce: Some(nonce.to_vec()),
            audience: Some("vn.hotel.sofitel-metropole".into()),
            ..Default::default()
        };
        assert!(
            f.verify_text(&f.qr(&bin), NOW + 10, &policy).is_accept(),
            "{}",
            p.name
        );
    }
}

#[test]
fn age_over_18_discloses_no_birth_date() {
    let f = Fixture::new();
    let bin = f.present(&f.age, &[keys::AGE_OVER_18], NOW);
    let Verdict::Accept(v) = f.verify_bin(&bin, NOW, &VerifyPolicy::default()) else {
        panic!()
    };
    assert_eq!(v.claims, vec![(keys::AGE_OVER_18, ClaimValue::Bool(true))]);
}

#[test]
fn a_presentation_with_no_claims_proves_only_possession() {
    let f = Fixture::new();
    let bin = f.present(&f.core_id, &[], NOW);
    let Verdict::Accept(v) = f.verify_bin(&bin, NOW, &VerifyPolicy::default()) else {
        panic!()
    };
    assert!(v.claims.is_empty());
}

#[test]
fn batch_copies_share_no_signature_root_holder_key_or_status_index() {
    use vneid_credential::cose::SigningKey;
    use vneid_credential::issuer::{BatchCopy, IssueRequest, StatusRef, SystemSalts, issue_batch};
    use vneid_credential::presentation::{PresentRequest, present};
    let f = Fixture::new();
    let claims = core_id_claims();
    let req = IssueRequest {
        credential_type: types::CORE_ID,
        claims: &claims,
        holder_key: f.device.public_key().compressed(),
        nbf: NOW - DAY,
        exp: NOW + DAY,
    };
    let devices: Vec<SigningKey> = (0..5).map(|_| SigningKey::generate().unwrap()).collect();
    let copies: Vec<BatchCopy<'_>> = devices
        .iter()
        .zip(10u32..)
        .map(|(d, index)| BatchCopy {
            holder_key: d.public_key().compressed(),
            status: StatusRef {
                list: STATUS_LIST,
                index,
            },
        })
        .collect();
    let batch = issue_batch(
        &f.registry,
        &f.issuer,
        &req,
        &copies,
        &mut SystemSalts::new(),
    )
    .unwrap();
    assert_eq!(batch.len(), 5);
    for (i, a) in batch.iter().enumerate() {
        for b in batch.iter().skip(i + 1) {
            assert_ne!(a.payload.root, b.payload.root);
            assert_ne!(a.cose[a.cose.len() - 64..], b.cose[b.cose.len() - 64..]);
            assert_ne!(a.payload.status, b.payload.status);
            assert_ne!(a.payload.holder_key, b.payload.holder_key);
        }
        let r = PresentRequest {
            disclose: &[keys::FULL_NAME],
            timestamp: NOW,
            nonce: None,
            audience: None,
        };
        let bin = present(&f.registry, a, &r, &devices[i]).unwrap();
        assert!(
            f.verify_bin(&bin, NOW, &VerifyPolicy::default())
                .is_accept()
        );
        // Each copy answers only to its own device key.
        let wrong = present(&f.registry, a, &r, &devices[(i + 1) % 5]).unwrap();
        assert!(
            !f.verify_bin(&wrong, NOW, &VerifyPolicy::default())
                .is_accept()
        );
    }
}

#[test]
fn holder_checks_a_received_credential() {
    let f = Fixture::new();
    let c = &f.core_id;
    let ok = IssuedCredential::receive(
        &f.registry,
        c.cose.clone(),
        *c.root_seed,
        c.claims.clone(),
        f.device.public_key(),
    );
    assert!(ok.is_ok());
    let mut altered = c.claims.clone();
    altered.insert(keys::FULL_NAME, ClaimValue::Text("TRẦN VĂN B".into()));
    assert!(
        IssuedCredential::receive(
            &f.registry,
            c.cose.clone(),
            *c.root_seed,
            altered,
            f.device.public_key()
        )
        .is_err()
    );
    let other = vneid_credential::cose::SigningKey::generate().unwrap();
    assert!(
        IssuedCredential::receive(
            &f.registry,
            c.cose.clone(),
            *c.root_seed,
            c.claims.clone(),
            other.public_key()
        )
        .is_err()
    );
}

#[test]
fn two_way_flow_from_signed_request_to_verified_answer() {
    use vneid_credential::cose::SigningKey;
    use vneid_credential::request::{ROLE_VERIFIER, Request, RequestError, verify_request};
    let mut f = Fixture::new();
    let counter = SigningKey::generate().unwrap();
    let mut reg = issuer_entry(&counter);
    reg.issuer_name = "Khách sạn Metropole Hà Nội".into();
    reg.types = vec![ROLE_VERIFIER];
    f.trust = trust_list(&f.anchor, &[issuer_entry(&f.issuer), reg], NOW - DAY);

    // Counter: a fresh nonce and the hotel preset.
    let request = Request {
        nonce: [0x5A; 16],
        audience: "vn.hotel.metropole".into(),
        credential_type: types::CORE_ID,
        claims: vneid_credential::claims::PRESET_HOTEL_CHECK_IN
            .claims
            .to_vec(),
        issued_at: NOW,
        expires_at: NOW + 120,
    };
    let qr = request.to_qr_text(&counter).unwrap();
    let qr_matrix = vneid_credential::qr::render_matrix(&qr).unwrap();
    assert!(
        qr_matrix.version <= 8,
        "request QR version {}",
        qr_matrix.version
    );

    // Wallet: checks it, shows the registered name, answers bound to nonce and audience.
    let seen = verify_request(&qr, &f.trust, &f.registry, NOW + 3, 300).unwrap();
    assert_eq!(seen.verifier_name, "Khách sạn Metropole Hà Nội");
    let r = &seen.request;
    let bin = f.present_two_way(
        &f.core_id,
        &r.claims,
        NOW + 5,
        Some(&r.nonce),
        Some(&r.audience),
    );

    // Counter: verifies against what it asked.
    let policy = VerifyPolicy {
        expected_nonce: Some(request.nonce.to_vec()),
        audience: Some(request.audience.clone()),
        required_claims: request.claims.clone(),
        ..Default::default()
    };
    assert!(f.verify_text(&f.qr(&bin), NOW + 8, &policy).is_accept());

    // An unregistered counter, an expired request, a tampered one.
    let stranger = SigningKey::generate().unwrap();
    let fake = request.to_qr_text(&stranger).unwrap();
    assert_eq!(
        verify_request(&fake, &f.trust, &f.registry, NOW, 300),
        Err(RequestError::UnknownVerifier)
    );
    // An issuer key (not registered as verifier) cannot sign requests either.
    let by_issuer = request.to_qr_text(&f.issuer).unwrap();
    assert_eq!(
        verify_request(&by_issuer, &f.trust, &f.registry, NOW, 300),
        Err(RequestError::UnknownVerifier)
    );
    assert_eq!(
        verify_request(&qr, &f.trust, &f.registry, NOW + 1000, 300),
        Err(RequestError::Expired)
    );
    let mut chars: Vec<char> = qr.chars().collect();
    let i = chars.len() / 2;
    chars[i] = if chars[i] == '0' { '1' } else { '0' };
    let tampered: String = chars.into_iter().collect();
    assert!(verify_request(&tampered, &f.trust, &f.registry, NOW, 300).is_err());
    let mut odd = request.clone();
    odd.claims.push(keys::BHYT_NUMBER);
    let odd = odd.to_qr_text(&counter).unwrap();
    assert_eq!(
        verify_request(&odd, &f.trust, &f.registry, NOW, 300),
        Err(RequestError::UnknownClaims)
    );
}

#[test]
fn debug_output_carries_no_secret_seed_or_personal_data() {
    let f = Fixture::new();
    let d = format!("{:?}", f.core_id);
    assert!(!d.contains("KHAI") && !d.contains("001190012345"), "{d}");
    let seed_hex = format!("{:?}", *f.core_id.root_seed);
    assert!(!d.contains(&seed_hex));
    let bin = f.present(
        &f.core_id,
        vneid_credential::claims::PRESET_IDENTITY_CHECK.claims,
        NOW,
    );
    let v = format!("{:?}", f.verify_bin(&bin, NOW, &VerifyPolicy::default()));
    assert!(!v.contains("KHAI") && !v.contains("1190012345"), "{v}");
}
