//! Credentials and QR presentation end to end: the wallet fetches credentials from the
//! reference backend on loopback, presents a preset through its secure area, and a counter
//! verifier checks the QR text with the trust list and status list served by the backend.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::Path;
use std::time::Duration;
use vneid_api::DevRevokeRequest;
use vneid_backend::RunningBackend;
use vneid_tests::{
    DEV_TOKEN, activate_first, counter_lists, now_unix as now, open_wallet, spawn_backend,
};
use vneid_wallet::api_client::ApiClient;
use vneid_wallet::credential::claims::{
    ClaimValue, PRESET_AGE_OVER_18, PRESET_IDENTITY_CHECK, Registry, keys, types,
};
use vneid_wallet::credential::verify::{Reject, ReplayCache, Verdict, Verifier, VerifyPolicy};
use vneid_wallet::{BATCH_SIZE, Wallet, WalletError};

async fn backend() -> RunningBackend {
    spawn_backend(|c| c.seed_citizens = 20).await
}

fn wallet(root: &Path, backend: &RunningBackend) -> Wallet {
    open_wallet(root, &backend.base_url(), |_| {})
}

#[tokio::test]
async fn identity_check_is_accepted_then_flagged_on_replay_and_rejected_once_revoked() {
    let backend = backend().await;
    let root = tempfile::tempdir().unwrap();
    let wallet = wallet(root.path(), &backend);
    let citizen = activate_first(&wallet, &backend).await;

    let held = wallet.fetch_credentials().await.unwrap();
    assert_eq!(held.len(), 2);
    assert!(
        held.iter()
            .all(|s| s.copies == BATCH_SIZE && s.unused == BATCH_SIZE)
    );

    let p = wallet.present(&PRESET_IDENTITY_CHECK, None).unwrap();
    assert!(p.text.starts_with("VN1:"));
    assert!(
        p.qr.version <= 15,
        "identity check is QR version {}",
        p.qr.version
    );

    let api = ApiClient::new(&backend.base_url(), Duration::from_secs(10)).unwrap();
    let (trust, status) = counter_lists(&api, p.status.list).await;
    let registry = Registry::builtin();
    let policy = VerifyPolicy::default();
    let verifier = Verifier {
        registry: &registry,
        trust: &trust,
        status: &status,
        policy: &policy,
    };
    let mut replay = ReplayCache::default();
    let Verdict::Accept(v) = verifier.verify_text(&p.text, now(), &mut replay) else {
        panic!("identity check not accepted");
    };
    assert_eq!(v.credential_type, types::CORE_ID);
    let id = v
        .claims
        .iter()
        .find(|(k, _)| *k == keys::ID_NUMBER)
        .unwrap();
    assert_eq!(id.1, ClaimValue::Digits(citizen.id_number.clone()));
    assert_eq!(v.claims.len(), PRESET_IDENTITY_CHECK.claims.len());

    // The same QR scanned twice at the counter.
    assert_eq!(
        verifier.verify_text(&p.text, now(), &mut replay),
        Verdict::Reject(Reject::Replayed)
    );

    // The issuer revokes the copy; a counter with a fresh status list refuses it.
    api.dev_revoke(
        DEV_TOKEN,
        &DevRevokeRequest {
            status_list_id: p.status.list,
            status_index: p.status.index,
        },
    )
    .await
    .unwrap();
    let (trust, status) = counter_lists(&api, p.status.list).await;
    let verifier = Verifier {
        trust: &trust,
        status: &status,
        ..verifier
    };
    assert_eq!(
        verifier.verify_text(&p.text, now(), &mut ReplayCache::default()),
        Verdict::Reject(Reject::Revoked)
    );

    // Both presentations are in the citizen's history, with what was disclosed.
    let q = wallet
        .present(&PRESET_AGE_OVER_18, Some(&[7u8; 16]))
        .unwrap();
    assert_ne!(q.status, p.status);
    let history = wallet.disclosure_history().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].preset, "identity_check");
    assert_eq!(history[0].claims, PRESET_IDENTITY_CHECK.claims);
    assert!(!history[0].nonce_bound);
    assert_eq!(history[1].preset, "age_over_18");
    assert!(history[1].nonce_bound);
}

#[tokio::test]
async fn each_presentation_uses_a_fresh_copy_until_the_batch_needs_a_refresh() {
    let backend = backend().await;
    let root = tempfile::tempdir().unwrap();
    let wallet = wallet(root.path(), &backend);
    activate_first(&wallet, &backend).await;
    wallet.fetch_credentials().await.unwrap();
    assert!(wallet.needs_refresh().unwrap().is_empty());

    let mut seen = Vec::new();
    for _ in 0..BATCH_SIZE {
        let p = wallet.present(&PRESET_IDENTITY_CHECK, None).unwrap();
        assert!(!seen.contains(&p.status), "a copy was reused");
        seen.push(p.status);
    }
    assert_eq!(
        wallet.needs_refresh().unwrap(),
        vec![vneid_api::CredentialKind::CoreId]
    );
    // All copies used: the least recently used one is shown again rather than nothing.
    let again = wallet.present(&PRESET_IDENTITY_CHECK, None).unwrap();
    assert_eq!(again.status, seen[0]);

    let refreshed = wallet.refresh_credentials().await.unwrap();
    assert_eq!(refreshed, vec![vneid_api::CredentialKind::CoreId]);
    let core = wallet
        .credentials()
        .unwrap()
        .into_iter()
        .find(|s| s.credential_type == types::CORE_ID)
        .unwrap();
    assert_eq!((core.copies, core.unused), (BATCH_SIZE, BATCH_SIZE));
    let fresh = wallet.present(&PRESET_IDENTITY_CHECK, None).unwrap();
    assert!(!seen.contains(&fresh.status));
}

#[tokio::test]
async fn presenting_needs_an_unlocked_wallet_and_a_fetched_credential() {
    let backend = backend().await;
    let root = tempfile::tempdir().unwrap();
    let wallet = wallet(root.path(), &backend);
    activate_first(&wallet, &backend).await;
    assert!(matches!(
        wallet.present(&PRESET_IDENTITY_CHECK, None),
        Err(WalletError::NoCredential)
    ));
    wallet.fetch_credentials().await.unwrap();
    wallet.lock().unwrap();
    assert!(matches!(
        wallet.present(&PRESET_IDENTITY_CHECK, None),
        Err(WalletError::NotUnlocked)
    ));
    assert!(matches!(
        wallet.disclosure_history(),
        Err(WalletError::NotUnlocked)
    ));
}

#[tokio::test]
async fn credentials_and_history_are_sealed_in_the_database_file() {
    let backend = backend().await;
    let root = tempfile::tempdir().unwrap();
    let wallet = wallet(root.path(), &backend);
    let citizen = activate_first(&wallet, &backend).await;
    wallet.fetch_credentials().await.unwrap();
    wallet.present(&PRESET_IDENTITY_CHECK, None).unwrap();
    wallet
        .present_to(
            &PRESET_AGE_OVER_18,
            Some(&[1u8; 16]),
            Some("Khách sạn Sen Vàng"),
        )
        .unwrap();
    assert_eq!(
        wallet.disclosure_history().unwrap()[1].verifier.as_deref(),
        Some("Khách sạn Sen Vàng")
    );
    drop(wallet);
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(root.path().join("wallet")).unwrap() {
        bytes.extend(std::fs::read(entry.unwrap().path()).unwrap());
    }
    let contains = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    assert!(!contains(citizen.full_name.as_bytes()));
    assert!(!contains(citizen.id_number.as_bytes()));
    assert!(!contains("Sen Vàng".as_bytes()));
}

#[tokio::test]
async fn signing_out_deletes_credential_copies_and_their_keys() {
    let backend = backend().await;
    let root = tempfile::tempdir().unwrap();
    let wallet = wallet(root.path(), &backend);
    activate_first(&wallet, &backend).await;
    wallet.fetch_credentials().await.unwrap();
    wallet.sign_out().unwrap();
    let keys_left = std::fs::read_dir(root.path().join("secure-area").join("keys"))
        .unwrap()
        .count();
    assert_eq!(keys_left, 0);
}

#[tokio::test]
async fn another_citizen_activating_the_phone_removes_the_previous_credentials_and_history() {
    let backend = backend().await;
    let root = tempfile::tempdir().unwrap();
    let wallet = wallet(root.path(), &backend);
    activate_first(&wallet, &backend).await;
    wallet.fetch_credentials().await.unwrap();
    wallet.present(&PRESET_IDENTITY_CHECK, None).unwrap();

    let other = backend.sample_citizens(2).pop().unwrap();
    vneid_tests::activate(&wallet, &backend, &other).await;

    assert!(wallet.credentials().unwrap().is_empty());
    assert!(wallet.disclosure_history().unwrap().is_empty());
    assert!(matches!(
        wallet.present(&PRESET_IDENTITY_CHECK, None),
        Err(WalletError::NoCredential)
    ));
    // Only the new account's device key is left in the secure area.
    let keys_left = std::fs::read_dir(root.path().join("secure-area").join("keys"))
        .unwrap()
        .count();
    assert_eq!(keys_left, 1);
}

#[tokio::test]
async fn two_way_flow_answers_a_registered_verifiers_request_bound_to_its_nonce() {
    use vneid_wallet::credential::request::{Request, verify_request};
    let backend = backend().await;
    let root = tempfile::tempdir().unwrap();
    let wallet = wallet(root.path(), &backend);
    activate_first(&wallet, &backend).await;
    wallet.fetch_credentials().await.unwrap();

    // The counter shows a signed request for the hotel check-in claims.
    let nonce = [0x5Au8; 16];
    let request = Request {
        nonce,
        audience: "sen-vang-hotel-counter-1".into(),
        credential_type: types::CORE_ID,
        claims: vec![
            keys::FULL_NAME,
            keys::ID_NUMBER,
            keys::BIRTH_DATE,
            keys::NATIONALITY,
        ],
        issued_at: now(),
        expires_at: now() + 120,
    };
    let request_qr = request
        .to_qr_text(&vneid_backend::issuer::test_verifier_key().unwrap())
        .unwrap();

    // The phone checks it against the trust list and answers.
    let api = ApiClient::new(&backend.base_url(), Duration::from_secs(10)).unwrap();
    let (trust, _) = counter_lists(&api, 0).await;
    let registry = Registry::builtin();
    let verified = verify_request(&request_qr, &trust, &registry, now(), 300).unwrap();
    assert_eq!(
        verified.verifier_name,
        vneid_backend::issuer::TEST_VERIFIER_NAME
    );
    let answer = wallet.present_for_request(&verified).unwrap();

    // The counter accepts it only with its own nonce and audience.
    let (trust, status) = counter_lists(&api, answer.status.list).await;
    let expecting = |nonce: &[u8]| VerifyPolicy {
        expected_nonce: Some(nonce.to_vec()),
        audience: Some(request.audience.clone()),
        ..VerifyPolicy::default()
    };
    let policy = expecting(&nonce);
    let verifier = Verifier {
        registry: &registry,
        trust: &trust,
        status: &status,
        policy: &policy,
    };
    let Verdict::Accept(v) = verifier.verify_text(&answer.text, now(), &mut ReplayCache::default())
    else {
        panic!("two-way answer not accepted");
    };
    assert_eq!(v.claims.len(), 4);
    let other = expecting(&[0u8; 16]);
    let wrong = Verifier {
        policy: &other,
        ..verifier
    };
    assert_eq!(
        wrong.verify_text(&answer.text, now(), &mut ReplayCache::default()),
        Verdict::Reject(Reject::WrongNonce)
    );

    let history = wallet.disclosure_history().unwrap();
    assert_eq!(
        history[0].verifier.as_deref(),
        Some(vneid_backend::issuer::TEST_VERIFIER_NAME)
    );
    assert!(history[0].nonce_bound);
}

#[tokio::test]
async fn a_credential_row_swapped_outside_the_app_is_dropped_and_another_copy_is_shown() {
    let backend = backend().await;
    let root = tempfile::tempdir().unwrap();
    let wallet = wallet(root.path(), &backend);
    activate_first(&wallet, &backend).await;
    wallet.fetch_credentials().await.unwrap();
    let db = rusqlite::Connection::open(root.path().join("wallet").join(vneid_wallet::STORE_FILE))
        .unwrap();
    // Copy 2's ciphertext into copy 1's row: the associated data names row and key alias.
    db.execute(
        "UPDATE credentials SET sealed = (SELECT sealed FROM credentials WHERE id = 2) WHERE id = 1",
        [],
    )
    .unwrap();
    // The damaged copy is dropped (with its key) and an intact one is presented.
    let p = wallet.present(&PRESET_IDENTITY_CHECK, None).unwrap();
    assert!(p.text.starts_with("VN1:"));
    let core = wallet
        .credentials()
        .unwrap()
        .into_iter()
        .find(|s| s.credential_type == types::CORE_ID)
        .unwrap();
    assert_eq!(core.copies, BATCH_SIZE - 1);
    let ids: Vec<i64> = db
        .prepare("SELECT id FROM credentials ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(!ids.contains(&1));
}

#[tokio::test]
async fn photo_profile_carries_the_issuer_bound_thumbnail_to_the_counter() {
    let backend = backend().await;
    let root = tempfile::tempdir().unwrap();
    let wallet = wallet(root.path(), &backend);
    activate_first(&wallet, &backend).await;
    wallet.fetch_credentials().await.unwrap();

    let p = wallet
        .present_with_photo(&PRESET_IDENTITY_CHECK, None)
        .unwrap();
    println!(
        "identity check with photo: {} characters, QR version {}",
        p.text.len(),
        p.qr.version
    );
    assert!(
        (26..=33).contains(&p.qr.version),
        "QR version {}",
        p.qr.version
    );

    let api = ApiClient::new(&backend.base_url(), Duration::from_secs(10)).unwrap();
    let (trust, status) = counter_lists(&api, p.status.list).await;
    let registry = Registry::builtin();
    let policy = VerifyPolicy::default();
    let verifier = Verifier {
        registry: &registry,
        trust: &trust,
        status: &status,
        policy: &policy,
    };
    match verifier.verify_text(&p.text, now(), &mut ReplayCache::default()) {
        Verdict::Accept(v) => {
            let photo = v.photo.expect("photo in the verdict");
            assert!(photo.starts_with(&[0xFF, 0xD8]) && photo.len() <= 1_000);
            let digest = v
                .claims
                .iter()
                .find(|(k, _)| *k == keys::PORTRAIT_DIGEST)
                .map(|(_, v)| v.clone());
            assert_eq!(
                digest,
                Some(ClaimValue::Digest(
                    vneid_wallet::credential::photo::photo_digest(&photo)
                ))
            );
        }
        other => panic!("not accepted: {other:?}"),
    }
    let history = wallet.disclosure_history().unwrap();
    assert_eq!(
        history.last().map(|r| r.preset.as_str()),
        Some("identity_check_with_photo")
    );
    // Age over 18 discloses no portrait digest: no photo to bind.
    assert!(matches!(
        wallet.present_with_photo(&PRESET_AGE_OVER_18, None),
        Err(WalletError::Presentation(_))
    ));
}
