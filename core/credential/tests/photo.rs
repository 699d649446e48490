//! The optional photo profile: a ≈1 KB grayscale face thumbnail in the QR, bound by the
//! issuer's portrait digest. Prints what it costs:
//! `cargo test -p vneid-credential --test photo -- --nocapture`.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]

mod common;

use common::{DAY, Fixture, NOW, core_id_claims, issue_with};
use qrcode::{EcLevel, QrCode, Version};
use ring::digest::{SHA256, digest};
use vneid_credential::claims::{
    ClaimValue, PRESET_AGE_OVER_18, PRESET_IDENTITY_CHECK, keys, types,
};
use vneid_credential::issuer::IssuedCredential;
use vneid_credential::photo::{DEFAULT_BUDGET, THUMB_HEIGHT, THUMB_WIDTH, thumbnail};
use vneid_credential::presentation::{MAX_PHOTO, attach_photo, to_qr_text};
use vneid_credential::verify::{Reject, Verdict, VerifyPolicy, Warning};

fn qr_version(text: &str) -> i16 {
    match QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .unwrap()
        .version()
    {
        Version::Normal(v) => v,
        Version::Micro(v) => -v,
    }
}

/// A synthetic 240×320 enrolment portrait (background gradient, shoulders, hair, face with
/// eyes and mouth, sensor-like noise of ±8), like the chip fixture's DG2 face; varies with
/// `seed`.
fn portrait(seed: &str) -> Vec<u8> {
    let (w, h) = (240usize, 320usize);
    let mut x: u64 = seed.bytes().fold(0x9E37_79B9_7F4A_7C15, |a, b| {
        (a ^ u64::from(b)).wrapping_mul(0x100_0000_01B3)
    });
    let mut noise = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % 17) as f32 - 8.0
    };
    let tone = (seed.len() % 7) as f32 / 7.0;
    let skin = [
        236.0 - 46.0 * tone,
        200.0 - 60.0 * tone,
        170.0 - 65.0 * tone,
    ];
    let inside = |px: f32, py: f32, cx: f32, cy: f32, rx: f32, ry: f32| {
        ((px - cx) / rx).powi(2) + ((py - cy) / ry).powi(2) <= 1.0
    };
    let (cx, cy, rx, ry) = (
        w as f32 / 2.0,
        h as f32 * 0.45,
        w as f32 * 0.23,
        h as f32 * 0.24,
    );
    let mut out = Vec::with_capacity(w * h * 3);
    for yi in 0..h {
        for xi in 0..w {
            let (px, py) = (xi as f32, yi as f32);
            let t = py / h as f32;
            let mut c = [225.0 - 45.0 * t, 232.0 - 37.0 * t, 240.0 - 25.0 * t];
            if inside(px, py, cx, h as f32 * 1.05, w as f32 * 0.48, h as f32 * 0.3) {
                c = [70.0, 60.0, 110.0];
            }
            if inside(px, py, cx, cy - ry * 0.2, rx * 1.12, ry) {
                c = [35.0, 24.0, 20.0];
            }
            if inside(px, py, cx, cy, rx, ry) && py > cy - ry * 0.62 {
                let d = ((px - cx) / rx).powi(2) + ((py - cy) / ry).powi(2);
                c = skin.map(|v| v * (1.0 - 0.25 * d));
                for ex in [cx - rx * 0.4, cx + rx * 0.4] {
                    if inside(px, py, ex, cy - ry * 0.12, rx * 0.17, ry * 0.055) {
                        c = [245.0, 245.0, 240.0];
                    }
                    if inside(px, py, ex, cy - ry * 0.12, rx * 0.065, ry * 0.05) {
                        c = [45.0, 30.0, 25.0];
                    }
                }
                if inside(px, py, cx, cy + ry * 0.5, rx * 0.32, ry * 0.055) {
                    c = [170.0, 80.0, 80.0];
                }
            }
            let n = noise();
            out.extend(c.map(|v| (v + n).clamp(0.0, 255.0) as u8));
        }
    }
    out
}

/// The portrait of `seed`, shrunk to the photo-profile thumbnail.
fn thumb(seed: &str, budget: usize) -> Vec<u8> {
    thumbnail(&portrait(seed), 240, 320, budget).unwrap().jpeg
}

/// A core ID whose portrait digest is SHA-256 of `photo` (what the issuer signs in the
/// photo profile).
fn photo_credential(f: &Fixture, photo: &[u8]) -> IssuedCredential {
    let mut claims = core_id_claims();
    let d: [u8; 32] = digest(&SHA256, photo).as_ref().try_into().unwrap();
    claims.insert(keys::PORTRAIT_DIGEST, ClaimValue::Digest(d));
    issue_with(
        &f.registry,
        &f.issuer,
        &f.device,
        types::CORE_ID,
        &claims,
        NOW - DAY,
        NOW + 30 * DAY,
        9,
    )
}

#[test]
fn identity_check_with_photo_is_accepted_and_returns_the_photo_and_its_cost() {
    let f = Fixture::new();
    println!("| thumbnail | JPEG bytes | quality | presentation bytes | Base45 chars | QR (M) |");
    let plain = f.present(
        &photo_credential(&f, b"x"),
        PRESET_IDENTITY_CHECK.claims,
        NOW,
    );
    let plain_text = to_qr_text(&plain);
    println!(
        "| none (portrait digest) | 0 | - | {} | {} | {} |",
        plain.len(),
        plain_text.len(),
        qr_version(&plain_text)
    );
    for (seed, budget) in [
        ("001190012345", DEFAULT_BUDGET),
        ("079200012345", DEFAULT_BUDGET),
        ("001190012345", 800),
        ("001190012345", 1_200),
    ] {
        let rgb = portrait(seed);
        let t = thumbnail(&rgb, 240, 320, budget).unwrap();
        let cred = photo_credential(&f, &t.jpeg);
        let bin = attach_photo(
            &f.present(&cred, PRESET_IDENTITY_CHECK.claims, NOW),
            &t.jpeg,
        )
        .unwrap();
        let text = to_qr_text(&bin);
        let v = qr_version(&text);
        println!(
            "| {THUMB_WIDTH}x{THUMB_HEIGHT} gray, budget {budget} | {} | {} | {} | {} | {v} |",
            t.jpeg.len(),
            t.quality,
            bin.len(),
            text.len()
        );
        assert!(t.jpeg.len() <= budget);
        assert!(v <= 33, "QR version {v}");
        match f.verify_text(&text, NOW + 2, &VerifyPolicy::default()) {
            Verdict::Accept(ok) => {
                assert_eq!(ok.photo.as_deref(), Some(t.jpeg.as_slice()));
                assert!(ok.warnings.contains(&Warning::ComparePortrait));
            }
            other => panic!("photo presentation not accepted: {other:?}"),
        }
    }
}

#[test]
fn a_photo_that_is_not_the_signed_one_is_rejected_as_altered() {
    let f = Fixture::new();
    let mine = thumb("001190012345", DEFAULT_BUDGET);
    let someone_else = thumb("079200012345", DEFAULT_BUDGET);
    let cred = photo_credential(&f, &mine);
    let bin = f.present(&cred, PRESET_IDENTITY_CHECK.claims, NOW);
    let swapped = attach_photo(&bin, &someone_else).unwrap();
    assert_eq!(
        f.verify_bin(&swapped, NOW + 2, &VerifyPolicy::default()),
        Verdict::Reject(Reject::AlteredData)
    );
    // Every byte of the attached photo matters.
    let good = attach_photo(&bin, &mine).unwrap();
    let photo_start = good.len() - mine.len();
    for i in (photo_start..good.len()).step_by(7) {
        let mut bad = good.clone();
        bad[i] ^= 0x10;
        assert_eq!(
            f.verify_bin(&bad, NOW + 2, &VerifyPolicy::default()),
            Verdict::Reject(Reject::AlteredData),
            "byte {i}"
        );
    }
    // Truncated photo: the length no longer matches.
    for cut in [1, mine.len() / 2, mine.len()] {
        assert!(
            !f.verify_bin(&good[..good.len() - cut], NOW + 2, &VerifyPolicy::default())
                .is_accept()
        );
    }
}

#[test]
fn a_photo_without_a_disclosed_portrait_digest_or_over_the_bound_is_rejected() {
    let f = Fixture::new();
    let mine = thumb("001190012345", DEFAULT_BUDGET);
    let age = f.present(&f.age, PRESET_AGE_OVER_18.claims, NOW);
    assert_eq!(
        f.verify_bin(
            &attach_photo(&age, &mine).unwrap(),
            NOW + 2,
            &VerifyPolicy::default()
        ),
        Verdict::Reject(Reject::Malformed("photo without portrait digest"))
    );
    assert!(attach_photo(&age, &vec![0; MAX_PHOTO + 1]).is_err());
    assert!(attach_photo(&age, &[]).is_err());
    // Hand-built: a 9-element presentation whose photo is over the bound.
    let cred = photo_credential(&f, &mine);
    let mut bin = f.present(&cred, PRESET_IDENTITY_CHECK.claims, NOW);
    bin[0] = 0x89;
    bin.extend_from_slice(&[0x59, 0x08, 0x01]); // bstr of 2049 bytes
    bin.extend(std::iter::repeat_n(0u8, MAX_PHOTO + 1));
    assert_eq!(
        f.verify_bin(&bin, NOW + 2, &VerifyPolicy::default()),
        Verdict::Reject(Reject::Oversized("photo"))
    );
}

#[test]
fn the_holder_envelope_keeps_the_photo_only_if_it_is_the_signed_one() {
    let f = Fixture::new();
    let mine = thumb("001190012345", DEFAULT_BUDGET);
    let cred = photo_credential(&f, &mine)
        .with_photo(mine.clone())
        .unwrap();
    let env = cred.to_envelope().unwrap();
    let back = IssuedCredential::from_envelope(&f.registry, &env, f.device.public_key()).unwrap();
    assert_eq!(back.photo.as_deref(), Some(mine.as_slice()));
    // Without a photo the envelope is the 3-element one, as before.
    let plain = photo_credential(&f, &mine);
    let back = IssuedCredential::from_envelope(
        &f.registry,
        &plain.to_envelope().unwrap(),
        f.device.public_key(),
    )
    .unwrap();
    assert_eq!(back.photo, None);
    // Another photo, or a credential whose digest is not of this photo, is refused.
    let other = thumb("079200012345", DEFAULT_BUDGET);
    assert!(
        photo_credential(&f, &mine)
            .with_photo(other.clone())
            .is_err()
    );
    assert!(f.age.clone().with_photo(mine.clone()).is_err());
    let mut forged = plain.clone();
    forged.photo = Some(other);
    assert!(
        IssuedCredential::from_envelope(
            &f.registry,
            &forged.to_envelope().unwrap(),
            f.device.public_key()
        )
        .is_err()
    );
}
