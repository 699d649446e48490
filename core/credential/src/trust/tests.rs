//! Tests of the trust module as a whole: a trust list signed and verified, and status
//! lists verified against it (they share one fixture entry).

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use super::*;
use crate::cose::SigningKey;

fn entry(k: &SigningKey, types: Vec<u16>) -> TrustEntry {
    TrustEntry {
        kid: k.kid(),
        key: k.public_key().clone(),
        issuer_name: "Bộ Công an".into(),
        types,
        not_before: 0,
        not_after: u64::MAX,
    }
}

#[test]
fn trust_list_round_trips_and_ages() {
    let anchor = SigningKey::generate().unwrap();
    let issuer = SigningKey::generate().unwrap();
    let signed = TrustList::sign(&[entry(&issuer, vec![1, 2])], 7, 1_000_000, &anchor).unwrap();
    let tl = TrustList::verify(
        &signed,
        &[anchor.public_key().clone()],
        FreshnessPolicy::default(),
    )
    .unwrap();
    assert_eq!(tl.sequence, 7);
    assert_eq!(tl.candidates(&issuer.kid()).len(), 1);
    assert_eq!(tl.freshness(1_000_000 + 86_400), Freshness::Fresh);
    assert_eq!(
        tl.freshness(1_000_000 + 8 * 86_400),
        Freshness::Aging { days: 8 }
    );
    assert_eq!(
        tl.freshness(1_000_000 + 31 * 86_400),
        Freshness::Stale { days: 31 }
    );
    let wrong = SigningKey::generate().unwrap();
    assert_eq!(
        TrustList::verify(
            &signed,
            &[wrong.public_key().clone()],
            FreshnessPolicy::default()
        )
        .unwrap_err(),
        ListError::BadSignature
    );
    for cut in 0..signed.len() {
        assert!(
            TrustList::verify(
                &signed[..cut],
                &[anchor.public_key().clone()],
                FreshnessPolicy::default()
            )
            .is_err()
        );
    }
}

#[test]
fn status_list_of_100_million_at_0_1_percent_is_small_and_verifies() {
    let anchor = SigningKey::generate().unwrap();
    let issuer = SigningKey::generate().unwrap();
    let tl = TrustList::verify(
        &TrustList::sign(&[entry(&issuer, vec![1])], 1, 0, &anchor).unwrap(),
        &[anchor.public_key().clone()],
        FreshnessPolicy::default(),
    )
    .unwrap();
    let n = 100_000_000usize;
    let mut list = StatusList::new(9, n, 1000, 86_400);
    // 0.1 % revoked, spread pseudo-randomly.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..n / 1000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        assert!(list.set_revoked((x % n as u64) as u32, true));
    }
    list.set_revoked(42, true);
    let signed = list.sign(&issuer).unwrap();
    println!(
        "status list: {n} indices, 0.1 % revoked -> {} bytes signed",
        signed.len()
    );
    assert!(signed.len() < 225_000, "{}", signed.len());
    let v = StatusList::verify(&signed, &tl).unwrap();
    let mut lists = StatusLists::new(86_400);
    lists.insert(v);
    assert_eq!(lists.status(9, 42, 2000), Status::Revoked);
    assert_eq!(lists.status(9, 43, 2000), Status::Valid);
    assert_eq!(lists.status(9, u32::MAX, 2000), Status::UnknownOrStale);
    assert_eq!(lists.status(8, 43, 2000), Status::UnknownOrStale);
    assert_eq!(lists.status(9, 43, 1000 + 86_401), Status::UnknownOrStale);
}

#[test]
fn status_list_inflate_bomb_is_refused() {
    let anchor = SigningKey::generate().unwrap();
    let issuer = SigningKey::generate().unwrap();
    let tl = TrustList::verify(
        &TrustList::sign(&[entry(&issuer, vec![1])], 1, 0, &anchor).unwrap(),
        &[anchor.public_key().clone()],
        FreshnessPolicy::default(),
    )
    .unwrap();
    let big = StatusList::new(1, (MAX_STATUS_BITS_BYTES + 1) * 8, 0, 10);
    let signed = big.sign(&issuer).unwrap();
    assert_eq!(
        StatusList::verify(&signed, &tl).unwrap_err(),
        ListError::TooLarge
    );
}
