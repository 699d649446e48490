//! Everything here must be refused, each with the reason counter staff can act on.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::BTreeMap;

use common::*;
use vneid_credential::claims::{ClaimValue, PRESET_IDENTITY_CHECK, keys, types};
use vneid_credential::cose::SigningKey;
use vneid_credential::issuer::{IssueError, IssueRequest, StatusRef, SystemSalts, issue};
use vneid_credential::presentation::{MAX_TEXT, PresentRequest, present, to_qr_text};
use vneid_credential::trust::StatusLists;
use vneid_credential::verify::{
    Fixable, Reject, ReplayCache, Verdict, Verifier, VerifyPolicy, Warning,
};

fn sample(f: &Fixture) -> Vec<u8> {
    f.present(&f.core_id, PRESET_IDENTITY_CHECK.claims, NOW)
}

fn reject(v: Verdict) -> Reject {
    match v {
        Verdict::Reject(r) => r,
        other => panic!("expected reject, got {other:?}"),
    }
}

fn fixable(v: Verdict) -> Fixable {
    match v {
        Verdict::Fixable(r) => r,
        other => panic!("expected fixable, got {other:?}"),
    }
}

#[test]
fn every_byte_flipped_in_turn_is_never_accepted() {
    let f = Fixture::new();
    let bin = sample(&f);
    assert!(
        f.verify_bin(&bin, NOW, &VerifyPolicy::default())
            .is_accept()
    );
    let mut reasons = BTreeMap::new();
    for i in 0..bin.len() {
        for x in [0x01u8, 0x80, 0xFF] {
            let mut m = bin.clone();
            m[i] ^= x;
            let v = f.verify_bin(&m, NOW, &VerifyPolicy::default());
            assert!(!v.is_accept(), "flip {x:#x} at {i} accepted");
            *reasons
                .entry(format!("{v:?}").chars().take(40).collect::<String>())
                .or_insert(0) += 1;
            // And through the text path.
            assert!(
                !f.verify_text(&to_qr_text(&m), NOW, &VerifyPolicy::default())
                    .is_accept()
            );
        }
    }
    println!(
        "{} flips of {} bytes: {reasons:#?}",
        bin.len() * 3,
        bin.len()
    );
}

#[test]
fn every_character_of_the_text_replaced_is_never_accepted() {
    let f = Fixture::new();
    let text = to_qr_text(&sample(&f));
    for i in 0..text.len() {
        for c in ['0', 'Z', ':', 'a'] {
            let mut t: Vec<char> = text.chars().collect();
            if t[i] == c {
                continue;
            }
            t[i] = c;
            let t: String = t.into_iter().collect();
            assert!(
                !f.verify_text(&t, NOW, &VerifyPolicy::default()).is_accept(),
                "char {i} -> {c}"
            );
        }
    }
}

#[test]
fn truncated_payloads_at_every_length_are_refused() {
    let f = Fixture::new();
    let bin = sample(&f);
    for n in 0..bin.len() {
        let v = f.verify_bin(&bin[..n], NOW, &VerifyPolicy::default());
        assert!(
            matches!(v, Verdict::Reject(Reject::Malformed(_))),
            "length {n}: {v:?}"
        );
    }
    let text = to_qr_text(&bin);
    for n in 0..text.len() {
        assert!(
            !f.verify_text(&text[..n], NOW, &VerifyPolicy::default())
                .is_accept(),
            "text length {n}"
        );
    }
    let mut extended = bin.clone();
    extended.push(0);
    assert_eq!(
        reject(f.verify_bin(&extended, NOW, &VerifyPolicy::default())),
        Reject::Malformed("trailing bytes")
    );
}

fn issue_by(f: &Fixture, key: &SigningKey, ty: u16, nbf: u64, exp: u64, index: u32) -> Vec<u8> {
    let claims = match ty {
        types::AGE_OVER_18 => age_claims(),
        _ => core_id_claims(),
    };
    let cred = issue_with(&f.registry, key, &f.device, ty, &claims, nbf, exp, index);
    let disclose = if ty == types::AGE_OVER_18 {
        &[keys::AGE_OVER_18][..]
    } else {
        PRESET_IDENTITY_CHECK.claims
    };
    f.present(&cred, disclose, NOW)
}

#[test]
fn unknown_issuer_and_wrong_issuer_key_are_rejected() {
    let f = Fixture::new();
    let stranger = SigningKey::generate().unwrap();
    let bin = issue_by(&f, &stranger, types::CORE_ID, NOW - DAY, NOW + DAY, 1);
    assert_eq!(
        reject(f.verify_bin(&bin, NOW, &VerifyPolicy::default())),
        Reject::UnknownIssuer
    );
    // A stranger using the trusted issuer's kid.
    let impostor = SigningKey::generate().unwrap().with_kid(f.issuer.kid());
    let bin = issue_by(&f, &impostor, types::CORE_ID, NOW - DAY, NOW + DAY, 1);
    assert_eq!(
        reject(f.verify_bin(&bin, NOW, &VerifyPolicy::default())),
        Reject::BadIssuerSignature
    );
}

#[test]
fn entries_sharing_a_kid_are_each_tried() {
    let mut f = Fixture::new();
    let twin = SigningKey::generate().unwrap().with_kid(f.issuer.kid());
    let mut decoy = issuer_entry(&twin);
    decoy.issuer_name = "decoy".into();
    // Decoy first, real entry second.
    f.trust = trust_list(&f.anchor, &[decoy, issuer_entry(&f.issuer)], NOW - DAY);
    let Verdict::Accept(v) = f.verify_bin(&sample(&f), NOW, &VerifyPolicy::default()) else {
        panic!()
    };
    assert!(v.issuer_name.contains("Bộ Công an"));
    let bin = issue_by(&f, &twin, types::CORE_ID, NOW - DAY, NOW + DAY, 1);
    let Verdict::Accept(v) = f.verify_bin(&bin, NOW, &VerifyPolicy::default()) else {
        panic!()
    };
    assert_eq!(v.issuer_name, "decoy");
}

#[test]
fn issuer_outside_its_authorisation_is_rejected() {
    let mut f = Fixture::new();
    let mut e = issuer_entry(&f.issuer);
    e.types = vec![types::BHYT];
    f.trust = trust_list(&f.anchor, &[e], NOW - DAY);
    assert_eq!(
        reject(f.verify_bin(&sample(&f), NOW, &VerifyPolicy::default())),
        Reject::IssuerNotAuthorized
    );
    // Key window does not cover the credential's nbf.
    let mut e = issuer_entry(&f.issuer);
    e.not_before = NOW;
    f.trust = trust_list(&f.anchor, &[e], NOW - DAY);
    assert_eq!(
        reject(f.verify_bin(&sample(&f), NOW, &VerifyPolicy::default())),
        Reject::IssuerNotAuthorized
    );
}

#[test]
fn expired_and_not_yet_valid_credentials_are_rejected() {
    let f = Fixture::new();
    let p = VerifyPolicy::default();
    let expired = issue_by(&f, &f.issuer, types::CORE_ID, NOW - 10 * DAY, NOW - DAY, 1);
    assert_eq!(
        reject(f.verify_bin(&expired, NOW, &p)),
        Reject::CredentialExpired
    );
    let future = issue_by(&f, &f.issuer, types::CORE_ID, NOW + DAY, NOW + 10 * DAY, 1);
    assert_eq!(
        reject(f.verify_bin(&future, NOW, &p)),
        Reject::CredentialNotYetValid
    );
    // Within the skew tolerance on either edge: accepted.
    let edge = issue_by(&f, &f.issuer, types::CORE_ID, NOW + 200, NOW + DAY, 1);
    assert!(f.verify_bin(&edge, NOW, &p).is_accept());
}

#[test]
fn expired_presentation_and_clock_skew_are_fixable() {
    let f = Fixture::new();
    let p = VerifyPolicy::default();
    let claims = PRESET_IDENTITY_CHECK.claims;
    // Default window 60 s plus 300 s skew.
    assert!(
        f.verify_bin(&f.present(&f.core_id, claims, NOW - 350), NOW, &p)
            .is_accept()
    );
    assert_eq!(
        fixable(f.verify_bin(&f.present(&f.core_id, claims, NOW - 400), NOW, &p)),
        Fixable::PresentationExpired
    );
    assert!(
        f.verify_bin(&f.present(&f.core_id, claims, NOW + 290), NOW, &p)
            .is_accept()
    );
    assert_eq!(
        fixable(f.verify_bin(&f.present(&f.core_id, claims, NOW + 400), NOW, &p)),
        Fixable::ClockSkew
    );
    // A stricter counter.
    let strict = VerifyPolicy {
        clock_skew: 10,
        validity_window: 30,
        ..Default::default()
    };
    assert_eq!(
        fixable(f.verify_bin(&f.present(&f.core_id, claims, NOW - 45), NOW, &strict)),
        Fixable::PresentationExpired
    );
    assert_eq!(
        fixable(f.verify_bin(&f.present(&f.core_id, claims, NOW + 11), NOW, &strict)),
        Fixable::ClockSkew
    );
}

#[test]
fn revoked_and_unknown_status_are_refused() {
    let f = Fixture::new();
    let revoked = issue_by(&f, &f.issuer, types::CORE_ID, NOW - DAY, NOW + DAY, 666);
    assert_eq!(
        reject(f.verify_bin(&revoked, NOW, &VerifyPolicy::default())),
        Reject::Revoked
    );
    // Status list older than the verifier's max age (2 days in the fixture).
    let later = f.present(&f.core_id, PRESET_IDENTITY_CHECK.claims, NOW + 3 * DAY);
    assert_eq!(
        fixable(f.verify_bin(&later, NOW + 3 * DAY, &VerifyPolicy::default())),
        Fixable::StatusUnknown
    );
    // No list at all.
    let empty = StatusLists::new(DAY);
    let policy = VerifyPolicy::default();
    let v = Verifier {
        registry: &f.registry,
        trust: &f.trust,
        status: &empty,
        policy: &policy,
    };
    assert_eq!(
        fixable(v.verify_binary(&sample(&f), NOW, &mut ReplayCache::default())),
        Fixable::StatusUnknown
    );
}

#[test]
fn replayed_presentation_is_flagged_inside_its_window() {
    let f = Fixture::new();
    let policy = VerifyPolicy::default();
    let v = Verifier {
        registry: &f.registry,
        trust: &f.trust,
        status: &f.status,
        policy: &policy,
    };
    let mut cache = ReplayCache::new(16);
    let bin = sample(&f);
    assert!(v.verify_binary(&bin, NOW, &mut cache).is_accept());
    assert_eq!(
        reject(v.verify_binary(&bin, NOW + 5, &mut cache)),
        Reject::Replayed
    );
    // A fresh presentation of the same credential is fine.
    assert!(
        v.verify_binary(
            &f.present(&f.core_id, PRESET_IDENTITY_CHECK.claims, NOW + 1),
            NOW + 5,
            &mut cache
        )
        .is_accept()
    );
    // The cache stays bounded.
    for i in 0..40 {
        let b = f.present(&f.core_id, &[keys::SEX], NOW + i);
        assert!(v.verify_binary(&b, NOW + 40, &mut cache).is_accept());
    }
}

#[test]
fn another_devices_key_is_rejected() {
    let f = Fixture::new();
    let thief = SigningKey::generate().unwrap();
    let req = PresentRequest {
        disclose: PRESET_IDENTITY_CHECK.claims,
        timestamp: NOW,
        nonce: None,
        audience: None,
    };
    let bin = present(&f.registry, &f.core_id, &req, &thief).unwrap();
    assert_eq!(
        reject(f.verify_bin(&bin, NOW, &VerifyPolicy::default())),
        Reject::BadHolderSignature
    );
}

#[test]
fn wrong_missing_or_unexpected_nonce_and_wrong_audience_are_rejected() {
    let f = Fixture::new();
    let claims = PRESET_IDENTITY_CHECK.claims;
    let expecting = VerifyPolicy {
        expected_nonce: Some(vec![1; 16]),
        audience: Some("counter-A".into()),
        ..Default::default()
    };
    let wrong = f.present_two_way(&f.core_id, claims, NOW, Some(&[2; 16]), Some("counter-A"));
    assert_eq!(
        reject(f.verify_bin(&wrong, NOW, &expecting)),
        Reject::WrongNonce
    );
    let none = f.present_two_way(&f.core_id, claims, NOW, None, Some("counter-A"));
    assert_eq!(
        reject(f.verify_bin(&none, NOW, &expecting)),
        Reject::WrongNonce
    );
    let right = f.present_two_way(&f.core_id, claims, NOW, Some(&[1; 16]), Some("counter-A"));
    assert!(f.verify_bin(&right, NOW, &expecting).is_accept());
    // Meant for another counter.
    let other = f.present_two_way(&f.core_id, claims, NOW, Some(&[1; 16]), Some("counter-B"));
    assert_eq!(
        reject(f.verify_bin(&other, NOW, &expecting)),
        Reject::BadHolderSignature
    );
    // A two-way answer shown to a one-way counter.
    let one_way = VerifyPolicy::default();
    let for_b = f.present_two_way(&f.core_id, claims, NOW, Some(&[1; 16]), None);
    assert_eq!(
        reject(f.verify_bin(&for_b, NOW, &one_way)),
        Reject::WrongNonce
    );
}

#[test]
fn holder_altering_a_claim_is_caught_as_altered_data() {
    let f = Fixture::new();
    let mut forged = f.core_id.clone();
    forged.claims.insert(
        keys::BIRTH_DATE,
        ClaimValue::Date(vneid_credential::claims::Date::from_ymd(1980, 1, 1).unwrap()),
    );
    let bin = f.present(&forged, PRESET_IDENTITY_CHECK.claims, NOW);
    assert_eq!(
        reject(f.verify_bin(&bin, NOW, &VerifyPolicy::default())),
        Reject::AlteredData
    );
}

#[test]
fn oversized_inputs_and_fields_are_refused() {
    let f = Fixture::new();
    let long = format!("VN1:{}", "0".repeat(MAX_TEXT));
    assert_eq!(
        reject(f.verify_text(&long, NOW, &VerifyPolicy::default())),
        Reject::Oversized("input")
    );
    // A 40-byte nonce spliced in place of the null (the signature no longer matters: size is checked first).
    let bin = sample(&f);
    let sig_at = bin.len() - 66;
    assert_eq!(bin[sig_at - 1], 0xF6);
    let mut m = bin[..sig_at - 1].to_vec();
    m.push(0x58);
    m.push(40);
    m.extend_from_slice(&[9; 40]);
    m.extend_from_slice(&bin[sig_at..]);
    assert_eq!(
        reject(f.verify_bin(&m, NOW, &VerifyPolicy::default())),
        Reject::Oversized("nonce")
    );
    // The issuer refuses over-long claims; the holder refuses over-long nonces.
    let mut claims = core_id_claims();
    claims.insert(keys::FULL_NAME, ClaimValue::Text("A".repeat(101)));
    let req = IssueRequest {
        credential_type: types::CORE_ID,
        claims: &claims,
        holder_key: f.device.public_key().compressed(),
        nbf: NOW,
        exp: NOW + DAY,
    };
    let r = issue(
        &f.registry,
        &f.issuer,
        &req,
        StatusRef { list: 1, index: 1 },
        &mut SystemSalts::new(),
    );
    assert!(matches!(r, Err(IssueError::Claim(_))));
    let req = PresentRequest {
        disclose: &[1],
        timestamp: NOW,
        nonce: Some(&[0; 33]),
        audience: None,
    };
    assert!(present(&f.registry, &f.core_id, &req, &f.device).is_err());
}

#[test]
fn stale_trust_list_is_fixable_and_aging_one_warns() {
    let mut f = Fixture::new();
    f.trust = trust_list(&f.anchor, &[issuer_entry(&f.issuer)], NOW - 10 * DAY);
    let Verdict::Accept(v) = f.verify_bin(&sample(&f), NOW, &VerifyPolicy::default()) else {
        panic!()
    };
    assert!(v.warnings.contains(&Warning::TrustListAging { days: 10 }));
    f.trust = trust_list(&f.anchor, &[issuer_entry(&f.issuer)], NOW - 31 * DAY);
    assert_eq!(
        fixable(f.verify_bin(&sample(&f), NOW, &VerifyPolicy::default())),
        Fixable::TrustListStale { days: 31 }
    );
}

#[test]
fn required_claim_missing_and_foreign_qr_are_fixable() {
    let f = Fixture::new();
    let p = VerifyPolicy {
        required_claims: vec![keys::NATIONALITY],
        ..Default::default()
    };
    assert_eq!(
        fixable(f.verify_bin(&sample(&f), NOW, &p)),
        Fixable::RequiredClaimMissing(keys::NATIONALITY)
    );
    let citizen_card_qr = "001190012345|123456789|Nguyễn Thị Minh Khai|17051990|Nữ|Hà Nội|10042021";
    assert_eq!(
        fixable(f.verify_text(citizen_card_qr, NOW, &VerifyPolicy::default())),
        Fixable::Unreadable
    );
    // Through `scan`, the card QR is recognised and marked unverified, never accepted.
    let policy = VerifyPolicy::default();
    let v = Verifier {
        registry: &f.registry,
        trust: &f.trust,
        status: &f.status,
        policy: &policy,
    };
    match v.scan(citizen_card_qr, NOW, &mut ReplayCache::default()) {
        vneid_credential::verify::Scan::UnverifiedCard(c) => {
            assert_eq!(c.id_number, "001190012345")
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        v.scan(&to_qr_text(&sample(&f)), NOW, &mut ReplayCache::default()),
        vneid_credential::verify::Scan::Presentation(Verdict::Accept(_))
    ));
    assert_eq!(
        fixable(f.verify_text("VN1:abc", NOW, &VerifyPolicy::default())),
        Fixable::Unreadable
    );
}

#[test]
fn random_garbage_never_panics_or_accepts() {
    let f = Fixture::new();
    let bin = sample(&f);
    let mut x: u64 = 0x1234_5678_9ABC_DEF0;
    for round in 0..3000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let mut m = bin.clone();
        // Splice 1..8 random bytes at a random place, sometimes resize.
        let n = (x % 8 + 1) as usize;
        let at = (x >> 8) as usize % m.len();
        for k in 0..n {
            if let Some(b) = m.get_mut(at + k) {
                *b = (x >> (k * 8)) as u8;
            }
        }
        if round % 3 == 0 {
            m.truncate((x >> 20) as usize % m.len());
        }
        if m == bin {
            continue; // the random bytes equalled the originals
        }
        let v = f.verify_bin(&m, NOW, &VerifyPolicy::default());
        assert!(
            !v.is_accept(),
            "round {round}: splice {n} at {at}, len {} of {}: {v:?}",
            m.len(),
            bin.len()
        );
    }
}
