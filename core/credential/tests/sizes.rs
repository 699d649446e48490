//! Sizes and QR versions (ECC M) of the presets and of every 5-of-9 core-ID
//! disclosure, measured with the `qrcode` crate; zlib measured on each.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::*;
use qrcode::{EcLevel, QrCode, Version};
use vneid_credential::claims::{
    ClaimKey, PRESET_AGE_OVER_18, PRESET_HEALTH_INSURANCE, PRESET_HOTEL_CHECK_IN,
    PRESET_IDENTITY_CHECK, keys,
};
use vneid_credential::presentation::{PREFIX, from_qr_text, zlib};
use vneid_credential::verify::VerifyPolicy;

fn qr_version(text: &str) -> i16 {
    match QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .unwrap()
        .version()
    {
        Version::Normal(v) => v,
        Version::Micro(v) => -v,
    }
}

struct Row {
    binary: usize,
    chars: usize,
    version: i16,
    zlib: usize,
}

fn measure(f: &Fixture, bin: &[u8]) -> Row {
    let text = f.qr(bin);
    assert!(
        text.starts_with(PREFIX),
        "zlib was chosen, so it helped: {text}"
    );
    assert_eq!(from_qr_text(&text).unwrap(), bin);
    Row {
        binary: bin.len(),
        chars: text.len(),
        version: qr_version(&text),
        zlib: zlib(bin).unwrap().len(),
    }
}

#[test]
fn identity_check_fits_qr_version_15_at_ecc_m() {
    let f = Fixture::new();
    let one_way = f.present(&f.core_id, PRESET_IDENTITY_CHECK.claims, NOW);
    let r = measure(&f, &one_way);
    println!(
        "identity check, one-way: {} B binary, {} Base45 chars, QR version {} (M), zlib {} B",
        r.binary, r.chars, r.version, r.zlib
    );
    assert!(r.chars <= 600, "{} chars", r.chars);
    assert!(r.version <= 15, "version {}", r.version);
    assert!(
        f.verify_text(&f.qr(&one_way), NOW, &VerifyPolicy::default())
            .is_accept()
    );

    let nonce = [7u8; 16];
    let two_way = f.present_two_way(
        &f.core_id,
        PRESET_IDENTITY_CHECK.claims,
        NOW,
        Some(&nonce),
        Some("bank"),
    );
    let r = measure(&f, &two_way);
    println!(
        "identity check, two-way (16-byte nonce): {} B binary, {} chars, QR version {} (M)",
        r.binary, r.chars, r.version
    );
    assert!(r.version <= 16);
}

#[test]
fn other_presets_sizes_are_reported() {
    let f = Fixture::new();
    for (name, cred, claims) in [
        ("age over 18", &f.age, PRESET_AGE_OVER_18.claims),
        ("hotel check-in", &f.core_id, PRESET_HOTEL_CHECK_IN.claims),
        (
            "health insurance at reception",
            &f.bhyt,
            PRESET_HEALTH_INSURANCE.claims,
        ),
        (
            "core ID, all 9 claims",
            &f.core_id,
            &[1, 2, 3, 4, 5, 6, 7, 8, 9][..],
        ),
    ] {
        let r = measure(&f, &f.present(cred, claims, NOW));
        println!(
            "{name}: {} B binary, {} chars, QR version {} (M), zlib {} B",
            r.binary, r.chars, r.version, r.zlib
        );
        assert!(r.version <= 20, "{name}: version {}", r.version);
    }
}

#[test]
fn every_5_of_9_core_id_disclosure_fits_qr_version_20() {
    let f = Fixture::new();
    let all: Vec<ClaimKey> = (1..=9).collect();
    let (mut worst, mut worst_set, mut best) = (0usize, Vec::new(), usize::MAX);
    let mut zlib_helped = 0;
    let mut count = 0;
    for mask in 0u32..(1 << 9) {
        if mask.count_ones() != 5 {
            continue;
        }
        let set: Vec<ClaimKey> = all
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, k)| *k)
            .collect();
        let bin = f.present(&f.core_id, &set, NOW);
        let r = measure(&f, &bin);
        assert!(
            r.version <= 20,
            "{set:?}: {} chars, version {}",
            r.chars,
            r.version
        );
        if r.zlib < r.binary {
            zlib_helped += 1;
        }
        if r.chars > worst {
            worst = r.chars;
            worst_set = set.clone();
        }
        best = best.min(r.chars);
        count += 1;
    }
    let worst_version = {
        let bin = f.present(&f.core_id, &worst_set, NOW);
        qr_version(&f.qr(&bin))
    };
    println!(
        "5-of-9 core ID: {count} subsets, {best}..{worst} chars, worst {worst_set:?} at QR version {worst_version}; zlib smaller in {zlib_helped}"
    );
    assert_eq!(count, 126);
}

#[test]
fn zlib_does_not_pay_on_presentations() {
    // Measured, not assumed: the salts, hashes and signatures are incompressible.
    let f = Fixture::new();
    let bin = f.present(
        &f.core_id,
        &[
            keys::FULL_NAME,
            keys::ID_NUMBER,
            keys::BIRTH_DATE,
            keys::SEX,
            keys::PORTRAIT_DIGEST,
        ],
        NOW,
    );
    let z = zlib(&bin).unwrap();
    println!("identity check: {} B raw, {} B zlib", bin.len(), z.len());
    assert!(z.len() >= bin.len());
}
