//! Size of a signed 100-million-index status list at 0.1 % revoked, and why.
//!
//! `cargo test -p vneid-credential --release --test status_list_size -- --nocapture`
//! prints the table in DESIGN.md §2 (Status list).
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::cast_precision_loss
)]

use std::io::Write;

use flate2::Compression;
use flate2::write::ZlibEncoder;
use miniz_oxide::deflate::core::{
    CompressorOxide, TDEFLFlush, TDEFLStatus, compress, create_comp_flags_from_zip_params,
};
use vneid_credential::cose::SigningKey;
use vneid_credential::trust::{FreshnessPolicy, StatusList, TrustEntry, TrustList};

const N: usize = 100_000_000;

fn xorshift(x: &mut u64) -> u64 {
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    *x
}

fn uniform() -> Vec<u8> {
    let mut bits = vec![0u8; N / 8];
    let mut x = 0x9E37_79B9_7F4A_7C15;
    let mut set = 0;
    while set < N / 1000 {
        let i = (xorshift(&mut x) % N as u64) as usize;
        if bits[i / 8] & (1 << (i % 8)) == 0 {
            bits[i / 8] |= 1 << (i % 8);
            set += 1;
        }
    }
    bits
}

/// Same count, revoked in runs of `run` consecutive indices (e.g. a batch allocated together).
fn clustered(run: usize) -> Vec<u8> {
    let mut bits = vec![0u8; N / 8];
    let mut x = 0x1234_5678_9ABC_DEF1;
    for _ in 0..N / 1000 / run {
        let start = (xorshift(&mut x) % (N - run) as u64) as usize;
        for i in start..start + run {
            bits[i / 8] |= 1 << (i % 8);
        }
    }
    bits
}

fn flate2(data: &[u8], level: u32) -> usize {
    let mut e = ZlibEncoder::new(Vec::new(), Compression::new(level));
    e.write_all(data).unwrap();
    e.finish().unwrap().len()
}

fn miniz(data: &[u8], level: i32, strategy: i32) -> usize {
    let mut c = CompressorOxide::new(create_comp_flags_from_zip_params(level, 15, strategy));
    let mut out = vec![0u8; data.len() / 2 + 1024];
    let (status, _, n) = compress(&mut c, data, &mut out, TDEFLFlush::Finish);
    assert_eq!(status, TDEFLStatus::Done);
    out.truncate(n);
    // Round trip with the standard inflater the verifier uses.
    let mut back = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::ZlibDecoder::new(&out[..]), &mut back).unwrap();
    assert!(back == data);
    n
}

/// What the issuer actually publishes: the COSE_Sign1 of the list, verified back.
fn signed_size(bits: &[u8]) -> usize {
    let issuer = SigningKey::generate().unwrap();
    let anchor = SigningKey::generate().unwrap();
    let entry = TrustEntry {
        kid: issuer.kid(),
        key: issuer.public_key().clone(),
        issuer_name: "test".into(),
        types: vec![1],
        not_before: 0,
        not_after: u64::MAX,
    };
    let trust = TrustList::verify(
        &TrustList::sign(&[entry], 1, 0, &anchor).unwrap(),
        &[anchor.public_key().clone()],
        FreshnessPolicy::default(),
    )
    .unwrap();
    let mut list = StatusList::new(1, N, 0, 86_400);
    for (i, b) in bits.iter().enumerate() {
        for k in 0..8 {
            if b & (1 << k) != 0 {
                list.set_revoked((i * 8 + k) as u32, true);
            }
        }
    }
    let signed = list.sign(&issuer).unwrap();
    let back = StatusList::verify(&signed, &trust).unwrap();
    for (i, b) in bits.iter().enumerate().step_by(4099) {
        for k in 0..8 {
            assert_eq!(back.is_revoked((i * 8 + k) as u32), Some(b & (1 << k) != 0));
        }
    }
    signed.len()
}

fn entropy_bytes(revoked_fraction: f64) -> f64 {
    let p = revoked_fraction;
    let h = -(p * p.log2() + (1.0 - p) * (1.0 - p).log2());
    h * N as f64 / 8.0
}

#[test]
fn status_list_sizes_by_encoder_and_revocation_pattern() {
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("uniform random", uniform()),
        ("runs of 4", clustered(4)),
        ("runs of 16", clustered(16)),
    ];
    println!(
        "100,000,000 indices, 100,000 revoked; entropy bound (uniform) {:.0} KB",
        entropy_bytes(0.001) / 1000.0
    );
    println!(
        "| pattern | flate2 L1 | flate2 L6 | flate2 L9 | miniz RLE L6 | miniz RLE L9 | signed list |"
    );
    let mut rle_uniform = 0;
    let mut best_uniform = 0;
    for (name, bits) in &cases {
        let l9 = flate2(bits, 9);
        let rle9 = miniz(bits, 9, 3);
        let signed = signed_size(bits);
        println!(
            "| {name} | {} | {} | {} | {} | {} | {signed} |",
            flate2(bits, 1),
            flate2(bits, 6),
            l9,
            miniz(bits, 6, 3),
            rle9
        );
        assert!(signed <= l9.min(rle9) + 200, "{signed}");
        if *name == "uniform random" {
            rle_uniform = rle9;
            best_uniform = l9;
        }
    }
    assert!(
        rle_uniform < best_uniform,
        "{rle_uniform} vs {best_uniform}"
    );
}
