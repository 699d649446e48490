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
fn batch_copies_share_no_signature_root_or_status_index() {
    let f = Fixture::new();
    let req = vneid_credential::issuer::IssueRequest {
        credential_type: types::CORE_ID,
        claims: &core_id_claims(),
        holder_key: f.device.public_key().compressed(),
        nbf: NOW - DAY,
        exp: NOW + DAY,
    };
    let statuses: Vec<_> = (10..15)
        .map(|index| vneid_credential::issuer::StatusRef {
            list: STATUS_LIST,
            index,
        })
        .collect();
    let batch = vneid_credential::issuer::issue_batch(
        &f.registry,
        &f.issuer,
        &req,
        &statuses,
        &mut vneid_credential::issuer::SystemSalts::new(),
    )
    .unwrap();
    assert_eq!(batch.len(), 5);
    for (i, a) in batch.iter().enumerate() {
        for b in batch.iter().skip(i + 1) {
            assert_ne!(a.payload.root, b.payload.root);
            assert_ne!(a.cose[a.cose.len() - 64..], b.cose[b.cose.len() - 64..]);
            assert_ne!(a.payload.status, b.payload.status);
        }
        let bin = f.present(a, &[keys::FULL_NAME], NOW);
        assert!(
            f.verify_bin(&bin, NOW, &VerifyPolicy::default())
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
