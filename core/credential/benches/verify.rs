//! Full verification path vs the two P-256 signature verifications alone,
//! measured in the same run. `cargo bench -p vneid-credential --bench verify`
//!
//! A plain timing loop (no criterion): the quantity of interest is a ratio of
//! two loops run back to back, and the crate keeps its dependency list short.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use minicbor::Decoder;
use vneid_credential::claims::{
    ClaimValue, Date, PRESET_IDENTITY_CHECK, Registry, Sex, keys, types,
};
use vneid_credential::cose::{PublicKey, SigningKey, decode_sign1, sig_structure};
use vneid_credential::issuer::{CredentialPayload, IssueRequest, StatusRef, SystemSalts, issue};
use vneid_credential::presentation::{
    PresentRequest, device_message, from_qr_text, parse, present, to_qr_text,
};
use vneid_credential::trust::{FreshnessPolicy, StatusList, StatusLists, TrustEntry, TrustList};
use vneid_credential::verify::{ReplayCache, Verifier, VerifyPolicy};

/// Issuer Sig_structure, issuer signature, device message, device signature.
type SigCase = (Vec<u8>, Vec<u8>, Vec<u8>, [u8; 64]);

const NOW: u64 = 1_790_000_000;
const N: usize = 2_000;

fn time<F: FnMut(usize)>(label: &str, n: usize, mut f: F) -> Duration {
    // Warm up, then take the best of 5 rounds (least disturbed by the other core's jobs).
    for i in 0..n / 10 {
        f(i);
    }
    let mut best = Duration::MAX;
    for _ in 0..5 {
        let t = Instant::now();
        for i in 0..n {
            f(i);
        }
        best = best.min(t.elapsed());
    }
    let per = best / n as u32;
    println!(
        "{label:<52} {:>9.1} µs/op {:>10.0} op/s",
        per.as_secs_f64() * 1e6,
        1.0 / per.as_secs_f64()
    );
    per
}

fn rand_byte(i: usize) -> u8 {
    (i.wrapping_mul(2_654_435_761) >> 7) as u8
}

fn main() {
    let registry = Registry::builtin();
    let issuer = SigningKey::generate().unwrap();
    let anchor = SigningKey::generate().unwrap();
    let device = SigningKey::generate().unwrap();
    let entry = TrustEntry {
        kid: issuer.kid(),
        key: issuer.public_key().clone(),
        issuer_name: "Bộ Công an".into(),
        types: vec![types::CORE_ID],
        not_before: 0,
        not_after: u64::MAX,
    };
    let trust = TrustList::verify(
        &TrustList::sign(&[entry], 1, NOW, &anchor).unwrap(),
        &[anchor.public_key().clone()],
        FreshnessPolicy::default(),
    )
    .unwrap();
    let mut status = StatusLists::new(86_400);
    status.insert(
        StatusList::verify(
            &StatusList::new(1, 1 << 20, NOW, 86_400)
                .sign(&issuer)
                .unwrap(),
            &trust,
        )
        .unwrap(),
    );

    let mut claims = BTreeMap::new();
    claims.insert(
        keys::FULL_NAME,
        ClaimValue::Text("NGUYỄN THỊ MINH KHAI".into()),
    );
    claims.insert(keys::ID_NUMBER, ClaimValue::Digits("001190012345".into()));
    claims.insert(
        keys::BIRTH_DATE,
        ClaimValue::Date(Date::from_ymd(1990, 5, 17).unwrap()),
    );
    claims.insert(keys::SEX, ClaimValue::Sex(Sex::Female));
    claims.insert(keys::PORTRAIT_DIGEST, ClaimValue::Digest([3; 32]));
    claims.insert(keys::NATIONALITY, ClaimValue::Text("VNM".into()));
    let req = IssueRequest {
        credential_type: types::CORE_ID,
        claims: &claims,
        holder_key: device.public_key().compressed(),
        nbf: NOW - 86_400,
        exp: NOW + 86_400,
    };
    let cred = issue(
        &registry,
        &issuer,
        &req,
        StatusRef { list: 1, index: 5 },
        &mut SystemSalts::new(),
    )
    .unwrap();

    // Distinct presentations so the replay cache does real inserts.
    let texts: Vec<String> = (0..N as u64)
        .map(|i| {
            let r = PresentRequest {
                disclose: PRESET_IDENTITY_CHECK.claims,
                timestamp: NOW - (i % 50),
                nonce: Some(&i.to_be_bytes()),
                audience: None,
            };
            to_qr_text(&present(&registry, &cred, &r, &device).unwrap())
        })
        .collect();
    let bins: Vec<Vec<u8>> = texts.iter().map(|t| from_qr_text(t).unwrap()).collect();
    println!(
        "identity check: {} chars; {} verifications per round",
        texts[0].len(),
        N
    );

    // The two signature checks alone, on precomputed messages and keys.
    let sigs: Vec<SigCase> = bins
        .iter()
        .map(|b| {
            let p = parse(b).unwrap();
            let s = decode_sign1(&mut Decoder::new(p.issuer_signed)).unwrap();
            (
                sig_structure(s.protected, s.payload),
                s.signature.to_vec(),
                device_message(p.issuer_signed, p.body, None),
                p.device_sig,
            )
        })
        .collect();
    let holder: PublicKey = device.public_key().clone();
    let issuer_pk = issuer.public_key().clone();
    // Interleaved rounds (the machine is shared): each round runs the two
    // signatures alone over all N cases, then the full path over the same N
    // presentations; the best round of each is compared.
    let policies: Vec<VerifyPolicy> = (0..N as u64)
        .map(|i| VerifyPolicy {
            expected_nonce: Some(i.to_be_bytes().to_vec()),
            ..Default::default()
        })
        .collect();
    let (mut two, mut full) = (Duration::MAX, Duration::MAX);
    for _ in 0..8 {
        let t = Instant::now();
        for (m1, s1, m2, s2) in &sigs {
            assert!(black_box(issuer_pk.verify(m1, s1)));
            assert!(black_box(holder.verify(m2, s2)));
        }
        two = two.min(t.elapsed() / N as u32);
        let mut cache = ReplayCache::new(N * 2);
        let t = Instant::now();
        for (text, p) in texts.iter().zip(&policies) {
            let v = Verifier {
                registry: &registry,
                trust: &trust,
                status: &status,
                policy: p,
            };
            assert!(v.verify_text(text, NOW, &mut cache).is_accept());
        }
        full = full.min(t.elapsed() / N as u32);
    }
    let line = |label: &str, d: Duration| {
        println!(
            "{label:<52} {:>9.1} µs/op {:>10.0} op/s",
            d.as_secs_f64() * 1e6,
            1.0 / d.as_secs_f64()
        )
    };
    line("two ES256 verifications (ring) alone", two);
    line("full verify_text (accepting, replay cache on)", full);
    println!(
        "ratio full / two verifications: {:.3}",
        full.as_secs_f64() / two.as_secs_f64()
    );

    {
        use p256::ecdsa::signature::Verifier as _;
        let vk1 = p256::ecdsa::VerifyingKey::from_sec1_bytes(issuer_pk.uncompressed()).unwrap();
        let vk2 = p256::ecdsa::VerifyingKey::from_sec1_bytes(holder.uncompressed()).unwrap();
        let parsed: Vec<_> = sigs
            .iter()
            .map(|(_, s1, _, s2)| {
                (
                    p256::ecdsa::Signature::from_slice(s1).unwrap(),
                    p256::ecdsa::Signature::from_slice(s2).unwrap(),
                )
            })
            .collect();
        let pure = time(
            "two ES256 verifications, pure-Rust p256 (for comparison)",
            N / 4,
            |i| {
                let (m1, _, m2, _) = &sigs[i];
                assert!(vk1.verify(m1, &parsed[i].0).is_ok());
                assert!(vk2.verify(m2, &parsed[i].1).is_ok());
            },
        );
        println!(
            "p256 / ring: {:.2}x",
            pure.as_secs_f64() / two.as_secs_f64()
        );
    }

    // Parts, to see where the rest goes.
    time("  Base45 decode", N, |i| {
        black_box(from_qr_text(&texts[i]).unwrap());
    });
    time("  parse presentation", N, |i| {
        black_box(parse(&bins[i]).unwrap());
    });
    let payload = {
        let p = parse(&bins[0]).unwrap();
        decode_sign1(&mut Decoder::new(p.issuer_signed))
            .unwrap()
            .payload
            .to_vec()
    };
    time(
        "  issuer payload decode (incl. holder key decompression)",
        N,
        |_| {
            black_box(CredentialPayload::decode(&payload).unwrap());
        },
    );
    {
        let p = parse(&bins[0]).unwrap();
        let ty = registry.get(types::CORE_ID).unwrap();
        time("  claim tree root recompute", N, |_| {
            black_box(
                ty.shape
                    .recompute_root(p.mask, &p.proof, &p.values)
                    .unwrap(),
            );
        });
        time("  device message + SHA-256 (replay id)", N, |_| {
            let m = device_message(p.issuer_signed, p.body, None);
            black_box(ring::digest::digest(&ring::digest::SHA256, &m));
        });
        let mut cache = ReplayCache::new(N * 100);
        time("  replay cache insert", N, |i| {
            let mut id = [0u8; 32];
            id[..8].copy_from_slice(&(i as u64).to_be_bytes());
            id[8] = rand_byte(i);
            black_box(vneid_credential::verify::ReplayGuard::check_and_record(
                &mut cache,
                id,
                NOW + 60,
                NOW,
            ));
        });
    }
    let compressed = *device.public_key().compressed();
    time("  P-256 point decompression alone (p256 crate)", N, |_| {
        black_box(PublicKey::from_sec1(&compressed).unwrap());
    });

    // Holder side.
    let r = PresentRequest {
        disclose: PRESET_IDENTITY_CHECK.claims,
        timestamp: NOW,
        nonce: None,
        audience: None,
    };
    time(
        "holder: build presentation (software key, DER→raw)",
        500,
        |_| {
            black_box(present(&registry, &cred, &r, &device).unwrap());
        },
    );
    time(
        "holder: build presentation + Base45 + QR matrix (M)",
        200,
        |_| {
            let t = to_qr_text(&present(&registry, &cred, &r, &device).unwrap());
            black_box(vneid_credential::qr::render_matrix(&t).unwrap());
        },
    );
}
