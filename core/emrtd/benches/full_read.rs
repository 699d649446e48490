//! Core CPU time of a full chip read: the terminal side only (PACE or BAC, chip
//! authentication, active authentication, parsing and passive authentication), measured by
//! replaying a recorded transcript of the virtual card through the sans-IO `ReadEngine`, so
//! neither the card's own crypto nor any I/O is counted.
//!
//! `cargo bench -p vneid-emrtd --bench full_read` (release profile). Plain `harness = false`
//! timing (no criterion in the offline registry): median and minimum over the iterations.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::time::{Duration, Instant};
use vneid_chip::{ActiveAuth, CardConfig, Citizen, DetRng, Suite, VirtualCard};
use vneid_emrtd::mrz::MrzKey;
use vneid_emrtd::pa::TrustStore;
use vneid_emrtd::pa::sig::HashAlgorithm;
use vneid_emrtd::session::{ReadEngine, SessionConfig};
use vneid_pki::{Algorithm, Pki, dates};

const ITERATIONS: usize = 40;

fn key(c: &Citizen) -> MrzKey {
    MrzKey::from_cccd(
        c.id_number,
        c.date_of_birth,
        c.date_of_expiry,
        &Default::default(),
    )
    .unwrap()
}

/// Records the card's answers to one read with a fixed terminal random stream.
fn record(card: &mut VirtualCard, key: &MrzKey) -> Vec<Vec<u8>> {
    let mut engine = ReadEngine::new(key, SessionConfig::default(), card.max_len());
    let mut rng = DetRng::new(b"bench terminal");
    let mut random = |b: &mut [u8]| rng.fill(b);
    let mut responses = Vec::new();
    while let Some(cmd) = engine.next_command(&mut random).unwrap() {
        let resp = card.transceive(&cmd).unwrap();
        engine.handle_response(&resp).unwrap();
        responses.push(resp);
    }
    responses
}

/// One replayed read: every step of the terminal side, then `finish` (PA, AA verification).
fn replay(key: &MrzKey, max: usize, responses: &[Vec<u8>], trust: &TrustStore) -> Duration {
    let started = Instant::now();
    let mut engine = ReadEngine::new(key, SessionConfig::default(), max);
    let mut rng = DetRng::new(b"bench terminal");
    let mut random = |b: &mut [u8]| rng.fill(b);
    for resp in responses {
        engine.next_command(&mut random).unwrap().unwrap();
        engine.handle_response(resp).unwrap();
    }
    assert!(engine.next_command(&mut random).unwrap().is_none());
    let id = engine.finish(trust, dates::CHECK_TIME).unwrap();
    let elapsed = started.elapsed();
    assert!(id.passive_authentication.is_valid());
    assert!(id.chip_authentication.passed() && id.active_authentication.passed());
    elapsed
}

trait MaxLen {
    fn max_len(&self) -> usize;
}

impl MaxLen for VirtualCard {
    fn max_len(&self) -> usize {
        vneid_emrtd::session::Transport::max_transceive_len(self)
    }
}

fn main() {
    let citizen = Citizen::an();
    let k = key(citizen);
    let mut trust = TrustStore::new();
    trust
        .add_csca_der(&Pki::get(Algorithm::EcdsaP256).csca_der())
        .unwrap();
    println!(
        "{:<52} {:>6} {:>10} {:>10}",
        "full read, terminal side only (replayed)", "APDUs", "median", "min"
    );
    let variants = [
        (
            "PACE P-256 + CA P-256 + AA ECDSA P-256 + PA",
            Some(Suite::P256_AES128),
            Suite::P256_AES128,
            ActiveAuth::EcdsaP256,
        ),
        (
            "PACE bp256 + CA bp256 + AA ECDSA P-256 + PA",
            Some(Suite::BP256_AES128),
            Suite::BP256_AES128,
            ActiveAuth::EcdsaP256,
        ),
        (
            "PACE P-256 + CA P-256 + AA RSA-2048 9796-2 + PA",
            Some(Suite::P256_AES128),
            Suite::P256_AES128,
            ActiveAuth::Rsa(HashAlgorithm::Sha256),
        ),
        (
            "BAC + CA P-256 + AA ECDSA P-256 + PA",
            None,
            Suite::P256_AES128,
            ActiveAuth::EcdsaP256,
        ),
    ];
    for (name, pace, chip_auth, active_auth) in variants {
        let mut card = VirtualCard::new(
            citizen,
            CardConfig {
                pace,
                chip_auth,
                active_auth,
                ..CardConfig::default()
            },
        )
        .unwrap();
        let max = card.max_len();
        let responses = record(&mut card, &k);
        // Warm up caches and lazily built tables.
        replay(&k, max, &responses, &trust);
        let mut times: Vec<Duration> = (0..ITERATIONS)
            .map(|_| replay(&k, max, &responses, &trust))
            .collect();
        times.sort();
        println!(
            "{name:<52} {:>6} {:>8.2}ms {:>8.2}ms",
            responses.len(),
            times[ITERATIONS / 2].as_secs_f64() * 1000.0,
            times[0].as_secs_f64() * 1000.0
        );
    }
}
