//! Photo profile through the FFI counter verifier: a presentation carrying the issuer-bound
//! face thumbnail comes back with the photo in the result; another photo is rejected.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::collections::BTreeMap;
use vneid_ffi::{VerdictClass, VerificationReason, Verifier, VerifierConfig};
use vneid_wallet::credential::claims::{
    ClaimValue, Date, PRESET_IDENTITY_CHECK, Registry, Sex, keys, types,
};
use vneid_wallet::credential::cose::SigningKey;
use vneid_wallet::credential::issuer::{IssueRequest, StatusRef, SystemSalts, issue};
use vneid_wallet::credential::photo::{DEFAULT_BUDGET, photo_digest, thumbnail};
use vneid_wallet::credential::presentation::{PresentRequest, attach_photo, present, to_qr_text};
use vneid_wallet::credential::trust::{StatusList, TrustEntry, TrustList};

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A 240×320 RGB test portrait: a light background, a darker oval face with eyes.
fn portrait() -> Vec<u8> {
    let mut px = Vec::with_capacity(240 * 320 * 3);
    for y in 0..320i32 {
        for x in 0..240i32 {
            let (dx, dy) = (x - 120, y - 150);
            let face = dx * dx * 4 + dy * dy * 2 < 110 * 110;
            let eye = (dy + 20).abs() < 6 && ((dx - 30).abs() < 10 || (dx + 30).abs() < 10);
            let v = if eye {
                40
            } else if face {
                180 - (dx.abs() / 4) as u8
            } else {
                225
            };
            let noise = ((x * 31 + y * 17) % 9) as u8;
            px.extend([v.saturating_add(noise); 3]);
        }
    }
    px
}

#[test]
fn a_photo_profile_presentation_returns_the_checked_photo_and_a_swapped_photo_is_rejected() {
    let now = now();
    let (anchor, issuer, device) = (
        SigningKey::generate().unwrap(),
        SigningKey::generate().unwrap(),
        SigningKey::generate().unwrap(),
    );
    let entry = TrustEntry {
        kid: issuer.kid(),
        key: issuer.public_key().clone(),
        issuer_name: "Bộ Công an (photo test)".into(),
        types: vec![types::CORE_ID],
        not_before: 0,
        not_after: u64::MAX,
    };
    let trust_bytes = TrustList::sign(&[entry], 1, now, &anchor).unwrap();
    let status_bytes = StatusList::new(7, 1024, now, 600).sign(&issuer).unwrap();

    let thumb = thumbnail(&portrait(), 240, 320, DEFAULT_BUDGET)
        .unwrap()
        .jpeg;
    let claims = BTreeMap::from([
        (keys::FULL_NAME, ClaimValue::Text("TRẦN VĂN B".into())),
        (keys::ID_NUMBER, ClaimValue::Digits("079200012345".into())),
        (
            keys::BIRTH_DATE,
            ClaimValue::Date(Date::from_ymd(2000, 1, 1).unwrap()),
        ),
        (keys::SEX, ClaimValue::Sex(Sex::Male)),
        (
            keys::PORTRAIT_DIGEST,
            ClaimValue::Digest(photo_digest(&thumb)),
        ),
    ]);
    let registry = Registry::builtin();
    let cred = issue(
        &registry,
        &issuer,
        &IssueRequest {
            credential_type: types::CORE_ID,
            claims: &claims,
            holder_key: device.public_key().compressed(),
            nbf: now - 60,
            exp: now + 86_400,
        },
        StatusRef { list: 7, index: 5 },
        &mut SystemSalts::new(),
    )
    .unwrap();
    let bin = present(
        &registry,
        &cred,
        &PresentRequest {
            disclose: PRESET_IDENTITY_CHECK.claims,
            timestamp: now,
            nonce: None,
            audience: None,
        },
        &device,
    )
    .unwrap();

    let verifier = Verifier::new(
        trust_bytes,
        anchor.public_key().compressed().to_vec(),
        VerifierConfig {
            clock_skew_seconds: 300,
            validity_window_seconds: 60,
            status_list_max_age_seconds: 600,
            replay_cache_capacity: 100,
            trust_list_warn_after_seconds: 7 * 86_400,
            trust_list_refuse_after_seconds: 30 * 86_400,
        },
    )
    .unwrap();
    assert_eq!(verifier.update_status_list(status_bytes).unwrap(), 7);

    let with_photo = to_qr_text(&attach_photo(&bin, &thumb).unwrap());
    let ok = verifier.verify(with_photo, Some(now + 1));
    assert_eq!(ok.verdict, VerdictClass::Accept, "{:?}", ok.reason);
    assert_eq!(ok.photo.as_deref(), Some(thumb.as_slice()));

    // Dropping the photo leaves the same device-signed presentation: already seen, a replay.
    let plain = verifier.verify(to_qr_text(&bin), Some(now + 1));
    assert_eq!(plain.reason, VerificationReason::Replayed);

    let mut other = thumb.clone();
    let last = other.len() - 3;
    other[last] ^= 0x01;
    let swapped = verifier.verify(
        to_qr_text(&attach_photo(&bin, &other).unwrap()),
        Some(now + 1),
    );
    assert_eq!(swapped.verdict, VerdictClass::Reject);
    assert_eq!(swapped.reason, VerificationReason::AlteredData);
    assert_eq!(swapped.photo, None);
}
