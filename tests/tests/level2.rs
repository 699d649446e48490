//! Level-2 upgrade end to end: the wallet reads the citizen's (virtual) chip ID card, the
//! reference backend re-verifies the evidence with its own trust store and raises the account
//! to level 2, and the wallet then holds and presents the electronic ID, which a counter sees
//! as a level-2 credential type. Every refusal leaves the level at 1.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use vneid_backend::RunningBackend;
use vneid_chip::{Algorithm, CardConfig, Citizen, Pki, Signer, Tamper, VirtualCard};
use vneid_tests::{PASSCODE, activate, open_wallet, spawn_backend};
use vneid_wallet::credential::claims::{PRESET_ELECTRONIC_ID_CHECK, identity_level, types};
use vneid_wallet::emrtd::access::{AccessKey, Can};
use vneid_wallet::emrtd::mrz::{DocumentNumberRule, MrzKey};
use vneid_wallet::emrtd::pa::TrustStore;
use vneid_wallet::{ErrorCode, Passcode, Wallet, WalletError};

const SELFIE: &[u8] = b"\xFF\xD8\xFF\xE0 a selfie JPEG from the front camera";

async fn backend() -> RunningBackend {
    spawn_backend(|c| c.seed_citizens = 5).await
}

/// A wallet activated (level 1) for the stable citizen, Nguyễn Văn An, whose virtual card
/// exists in fixtures/chip.
async fn activated_wallet(root: &Path, backend: &RunningBackend) -> Wallet {
    let wallet = open_wallet(root, &backend.base_url(), |_| {});
    activate(&wallet, backend, &vneid_backend::stable_citizen()).await;
    wallet
}

fn key_of(c: &Citizen) -> MrzKey {
    MrzKey::from_cccd(
        c.id_number,
        c.date_of_birth,
        c.date_of_expiry,
        &DocumentNumberRule::LastNineDigitsOfIdNumber,
    )
    .unwrap()
}

async fn upgrade(
    wallet: &Wallet,
    card: VirtualCard,
    key: impl Into<AccessKey>,
) -> Result<vneid_wallet::Level2Outcome, WalletError> {
    wallet
        .upgrade_to_level2(card, key, SELFIE, None, Arc::new(AtomicBool::new(false)))
        .await
}

#[tokio::test]
async fn reading_the_own_chip_card_raises_the_account_to_level_2_and_issues_the_electronic_id() {
    let backend = backend().await;
    let root = tempfile::tempdir().unwrap();
    let wallet = activated_wallet(root.path(), &backend).await;
    assert_eq!(wallet.account_info().await.unwrap().level, 1);

    let an = Citizen::an();
    let card = VirtualCard::for_citizen(an).unwrap();
    let outcome = upgrade(&wallet, card, key_of(an)).await.unwrap();
    assert_eq!(outcome.level, 2);
    assert!(outcome.electronic_id_copies > 0);
    // The chip signed the backend's challenge with its DG15 key and the backend checked it.
    assert!(outcome.active_authentication);
    assert_eq!(
        outcome.chip.dg13.as_ref().unwrap().id_number.as_deref(),
        Some(an.id_number)
    );
    assert_eq!(wallet.account_info().await.unwrap().level, 2);
    // Saved locally too: the sealed account row says level 2 at the next unlock.
    wallet.lock().unwrap();
    assert_eq!(
        wallet.unlock(Passcode::new(PASSCODE)).await.unwrap().level,
        2
    );

    // A level-2 wallet keeps the electronic ID with the level-1 kinds: it is refreshed when
    // its unused copies run low, and fetched with the others.
    let eid = vneid_api::CredentialKind::ElectronicId;
    assert!(!wallet.needs_refresh().unwrap().contains(&eid));
    for _ in 0..3 {
        wallet.present(&PRESET_ELECTRONIC_ID_CHECK, None).unwrap();
    }
    assert!(wallet.needs_refresh().unwrap().contains(&eid));
    assert!(wallet.refresh_credentials().await.unwrap().contains(&eid));
    let held = wallet.fetch_credentials().await.unwrap();
    assert_eq!(held.len(), 3);
    assert!(
        held.iter()
            .any(|h| h.credential_type == types::ELECTRONIC_ID && h.unused >= 4)
    );

    // The electronic ID is its own, level-2 type, and presents like the core ID.
    let p = wallet.present(&PRESET_ELECTRONIC_ID_CHECK, None).unwrap();
    assert_eq!(p.credential_type, types::ELECTRONIC_ID);
    assert_eq!(identity_level(p.credential_type), Some(2));
    assert_eq!(identity_level(types::CORE_ID), Some(1));
}

#[tokio::test]
async fn the_card_access_number_alone_raises_the_account_to_level_2() {
    let backend = backend().await;
    let root = tempfile::tempdir().unwrap();
    let wallet = activated_wallet(root.path(), &backend).await;
    let an = Citizen::an();
    let can = Can::new(&an.can()).unwrap();
    let outcome = upgrade(&wallet, VirtualCard::for_citizen(an).unwrap(), can)
        .await
        .unwrap();
    assert_eq!(outcome.level, 2);
    assert!(outcome.active_authentication);
    assert!(matches!(
        outcome.chip.access,
        vneid_wallet::emrtd::session::AccessProtocol::Pace { .. }
    ));
    assert_eq!(wallet.account_info().await.unwrap().level, 2);
}

#[tokio::test]
async fn a_wrong_card_access_number_leaves_the_account_at_level_1() {
    let backend = backend().await;
    let root = tempfile::tempdir().unwrap();
    let wallet = activated_wallet(root.path(), &backend).await;
    let an = Citizen::an();
    let wrong = if an.can() == "000000" {
        "111111"
    } else {
        "000000"
    };
    let err = upgrade(
        &wallet,
        VirtualCard::for_citizen(an).unwrap(),
        Can::new(wrong).unwrap(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err.code(), ErrorCode::ChipAccessDenied),
        "{:?}",
        err.code()
    );
    assert_eq!(wallet.account_info().await.unwrap().level, 1);
}

/// One refused upgrade: the typed error, and the level still 1 at the backend and locally.
async fn refused(card: VirtualCard, key: MrzKey, expected: ErrorCode) {
    refused_by(backend().await, card, key, expected).await;
}

/// [`refused`] by a given backend.
async fn refused_by(backend: RunningBackend, card: VirtualCard, key: MrzKey, expected: ErrorCode) {
    let root = tempfile::tempdir().unwrap();
    let wallet = activated_wallet(root.path(), &backend).await;
    let err = upgrade(&wallet, card, key).await.unwrap_err();
    assert_eq!(err.code(), expected, "{err}");
    assert_eq!(wallet.account_info().await.unwrap().level, 1);
    assert!(matches!(
        wallet.present(&PRESET_ELECTRONIC_ID_CHECK, None),
        Err(WalletError::NoCredential)
    ));
}

#[tokio::test]
async fn the_card_of_another_citizen_is_refused() {
    let ngoc = Citizen::by_id("079195004321").unwrap();
    refused(
        VirtualCard::for_citizen(ngoc).unwrap(),
        key_of(ngoc),
        ErrorCode::ChipHolderMismatch,
    )
    .await;
}

#[tokio::test]
async fn a_card_with_an_altered_data_group_is_refused() {
    let an = Citizen::an();
    let card = VirtualCard::new(
        an,
        CardConfig {
            tamper: Some(Tamper {
                data_group: 13,
                offset: 40,
            }),
            ..CardConfig::default()
        },
    )
    .unwrap();
    refused(card, key_of(an), ErrorCode::ChipEvidenceRejected).await;
}

#[tokio::test]
async fn cards_signed_by_an_expired_or_foreign_document_signer_are_refused() {
    let an = Citizen::an();
    for signer in [Signer::Expired, Signer::Foreign] {
        let card = VirtualCard::new(
            an,
            CardConfig {
                signer,
                ..CardConfig::default()
            },
        )
        .unwrap();
        refused(card, key_of(an), ErrorCode::ChipEvidenceRejected).await;
    }
}

#[tokio::test]
async fn a_cloned_chip_is_refused() {
    let an = Citizen::an();
    let clone = VirtualCard::new(
        an,
        CardConfig {
            cloned: true,
            ..CardConfig::default()
        },
    )
    .unwrap();
    refused(clone, key_of(an), ErrorCode::ChipEvidenceRejected).await;
}

#[tokio::test]
async fn a_wrong_access_key_fails_the_chip_read_before_anything_is_sent() {
    let an = Citizen::an();
    let wrong = MrzKey::from_cccd(
        an.id_number,
        an.date_of_birth,
        "300316",
        &DocumentNumberRule::LastNineDigitsOfIdNumber,
    )
    .unwrap();
    refused(
        VirtualCard::for_citizen(an).unwrap(),
        wrong,
        ErrorCode::ChipAccessDenied,
    )
    .await;
}

#[tokio::test]
async fn cards_signed_under_the_rsa_chains_raise_the_account_to_level_2() {
    let an = Citizen::an();
    for algorithm in [Algorithm::RsaPkcs1v15, Algorithm::RsaPss] {
        let backend = backend().await;
        let root = tempfile::tempdir().unwrap();
        let wallet = activated_wallet(root.path(), &backend).await;
        let card = VirtualCard::new(
            an,
            CardConfig {
                algorithm,
                ..CardConfig::default()
            },
        )
        .unwrap();
        let outcome = upgrade(&wallet, card, key_of(an)).await.unwrap();
        assert_eq!(outcome.level, 2, "{algorithm:?}");
        assert_eq!(wallet.account_info().await.unwrap().level, 2);
    }
}

#[tokio::test]
async fn a_backend_trusting_only_a_foreign_csca_refuses_the_genuine_card() {
    let foreign = Pki::get(Algorithm::EcdsaP256).foreign_csca.pem();
    let mut trust = TrustStore::new();
    trust.add_csca_pem(foreign.as_bytes()).unwrap();
    let backend = spawn_backend(|c| {
        c.seed_citizens = 5;
        c.csca_trust = Some(Arc::new(trust));
    })
    .await;
    let an = Citizen::an();
    refused_by(
        backend,
        VirtualCard::for_citizen(an).unwrap(),
        key_of(an),
        ErrorCode::ChipEvidenceRejected,
    )
    .await;
}
