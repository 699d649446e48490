//! Activation (level 1) end to end: the wallet core against the reference backend on loopback.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::Path;
use std::sync::Arc;
use vneid_backend::{RunningBackend, SeededCitizen};
use vneid_tests::{
    PASSCODE, activate, activation_input, spawn_backend, verify_latest_otp, wallet_config,
};
use vneid_wallet::{
    BlockReason, ErrorCode, Passcode, SoftwareSecureArea, Wallet, WalletConfig, WalletError,
    WalletState,
};
use zeroize::Zeroizing;

async fn backend() -> RunningBackend {
    spawn_backend(|c| c.seed_citizens = 50).await
}

/// One phone: a software secure area dir and a wallet data dir.
struct Phone {
    secure_area: Arc<SoftwareSecureArea>,
    data_dir: std::path::PathBuf,
}

impl Phone {
    fn new(root: &Path, name: &str) -> Self {
        let secure_area =
            Arc::new(SoftwareSecureArea::open_dir(&root.join(name).join("secure-area")).unwrap());
        Self {
            secure_area,
            data_dir: root.join(name).join("wallet"),
        }
    }

    fn wallet(&self, backend: &RunningBackend) -> Wallet {
        let config = wallet_config(&self.data_dir, backend.base_url());
        Wallet::open(config, self.secure_area.clone()).unwrap()
    }
}

fn citizen(backend: &RunningBackend, i: usize) -> SeededCitizen {
    backend.sample_citizens(i + 1).pop().unwrap()
}

#[tokio::test]
async fn activation_binds_the_device_unlocks_and_reads_the_account() {
    let backend = backend().await;
    let root = tempfile::tempdir().unwrap();
    let phone = Phone::new(root.path(), "phone");
    let wallet = phone.wallet(&backend);
    let c = citizen(&backend, 0);
    assert_eq!(wallet.state().unwrap(), WalletState::NotActivated);

    let sent = wallet.start_activation(activation_input(&c)).await.unwrap();
    assert!(sent.masked_phone.ends_with(&c.phone[c.phone.len() - 3..]));
    assert!(matches!(
        wallet.state().unwrap(),
        WalletState::AwaitingOtp { .. }
    ));
    verify_latest_otp(&wallet, &backend, &c).await;
    assert_eq!(wallet.state().unwrap(), WalletState::AwaitingPasscode);

    let account = wallet.set_passcode(Passcode::new(PASSCODE)).await.unwrap();
    assert_eq!(account.level, 1);
    assert!(account.online);
    assert_eq!(
        wallet.state().unwrap(),
        WalletState::Unlocked { online: true }
    );
    let info = wallet.account_info().await.unwrap();
    assert_eq!(info.citizen.id_number, c.id_number);
    assert_eq!(info.citizen.full_name, c.full_name);
    assert_eq!(wallet.profile().unwrap().full_name, c.full_name);

    wallet.lock().unwrap();
    assert_eq!(
        wallet.state().unwrap(),
        WalletState::Locked { attempts_left: 5 }
    );
    assert!(matches!(wallet.profile(), Err(WalletError::NotUnlocked)));
    wallet.unlock(Passcode::new(PASSCODE)).await.unwrap();
    assert_eq!(
        wallet.account_info().await.unwrap().account_id,
        account.account_id
    );
}

#[tokio::test]
async fn wrong_otps_count_down_then_the_activation_must_start_again() {
    let backend = backend().await;
    let root = tempfile::tempdir().unwrap();
    let wallet = Phone::new(root.path(), "p").wallet(&backend);
    let c = citizen(&backend, 1);
    let sent = wallet.start_activation(activation_input(&c)).await.unwrap();
    let real = backend.latest_otp(&c.phone).unwrap();
    let wrong = if real == "000001" { "000002" } else { "000001" };
    let mut last = None;
    for _ in 0..sent.max_attempts {
        let err = wallet
            .verify_otp(Zeroizing::new(wrong.into()))
            .await
            .unwrap_err();
        last = Some(err.code());
        if err.code() == ErrorCode::OtpWrong {
            assert!(err.attempts_left().unwrap() < sent.max_attempts);
        }
    }
    assert_eq!(last, Some(ErrorCode::OtpAttemptsExhausted));
    assert_eq!(wallet.state().unwrap(), WalletState::NotActivated);
    // The right code no longer helps; a new activation does.
    assert!(wallet.verify_otp(Zeroizing::new(real)).await.is_err());
    activate(&wallet, &backend, &c).await;
}

#[tokio::test]
async fn malformed_otp_is_refused_locally() {
    let backend = backend().await;
    let root = tempfile::tempdir().unwrap();
    let wallet = Phone::new(root.path(), "p").wallet(&backend);
    let c = citizen(&backend, 2);
    wallet.start_activation(activation_input(&c)).await.unwrap();
    let err = wallet
        .verify_otp(Zeroizing::new("12ab".into()))
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::OtpFormat);
    verify_latest_otp(&wallet, &backend, &c).await;
}

#[tokio::test]
async fn mismatched_identity_is_refused_without_saying_which_part() {
    let backend = backend().await;
    let root = tempfile::tempdir().unwrap();
    let wallet = Phone::new(root.path(), "p").wallet(&backend);
    let a = citizen(&backend, 3);
    let b = citizen(&backend, 4);
    let mut wrong = activation_input(&a);
    wrong.phone = b.phone.clone();
    let err = wallet.start_activation(wrong).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::IdentityMismatch);
    assert_eq!(wallet.state().unwrap(), WalletState::NotActivated);
}

#[tokio::test]
async fn weak_passcodes_and_the_birth_date_are_refused() {
    let backend = backend().await;
    let root = tempfile::tempdir().unwrap();
    let wallet = Phone::new(root.path(), "p").wallet(&backend);
    let c = citizen(&backend, 5);
    wallet.start_activation(activation_input(&c)).await.unwrap();
    verify_latest_otp(&wallet, &backend, &c).await;
    let dob = &c.date_of_birth; // YYYY-MM-DD
    let ddmmyy = format!("{}{}{}", &dob[8..10], &dob[5..7], &dob[2..4]);
    for (weak, code) in [
        ("000000", ErrorCode::PasscodeTooSimple),
        ("123456", ErrorCode::PasscodeTooSimple),
        ("987654", ErrorCode::PasscodeTooSimple),
        ("121212", ErrorCode::PasscodeTooSimple),
        ("12345", ErrorCode::PasscodeFormat),
        ("12a456", ErrorCode::PasscodeFormat),
        (ddmmyy.as_str(), ErrorCode::PasscodeIsBirthDate),
    ] {
        let err = wallet.set_passcode(Passcode::new(weak)).await.unwrap_err();
        assert_eq!(err.code(), code, "passcode {weak}");
    }
    assert_eq!(wallet.state().unwrap(), WalletState::AwaitingPasscode);
    wallet.set_passcode(Passcode::new(PASSCODE)).await.unwrap();
}

#[tokio::test]
async fn five_wrong_passcodes_block_the_wallet_across_restarts_until_reactivation() {
    let backend = backend().await;
    let root = tempfile::tempdir().unwrap();
    let phone = Phone::new(root.path(), "p");
    let c = citizen(&backend, 6);
    {
        let wallet = phone.wallet(&backend);
        activate(&wallet, &backend, &c).await;
        wallet.lock().unwrap();
        for left in (1..=4).rev() {
            let err = wallet.unlock(Passcode::new("111222")).await.unwrap_err();
            assert_eq!(err.code(), ErrorCode::PasscodeWrong);
            assert_eq!(err.attempts_left(), Some(left));
        }
    }
    // A restart keeps the count: one wrong try left.
    let wallet = phone.wallet(&backend);
    assert_eq!(
        wallet.state().unwrap(),
        WalletState::Locked { attempts_left: 1 }
    );
    let err = wallet.unlock(Passcode::new("111222")).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::WalletBlocked);
    drop(wallet);
    let wallet = phone.wallet(&backend);
    assert_eq!(
        wallet.state().unwrap(),
        WalletState::Blocked {
            reason: BlockReason::TooManyAttempts
        }
    );
    // Even the right passcode does not open a blocked wallet.
    let err = wallet.unlock(Passcode::new(PASSCODE)).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::WalletBlocked);
    // Re-activation with an SMS OTP is the way back.
    activate(&wallet, &backend, &c).await;
    assert_eq!(
        wallet.state().unwrap(),
        WalletState::Unlocked { online: true }
    );
}

#[tokio::test]
async fn a_correct_passcode_resets_the_attempt_counter() {
    let backend = backend().await;
    let root = tempfile::tempdir().unwrap();
    let wallet = Phone::new(root.path(), "p").wallet(&backend);
    let c = citizen(&backend, 7);
    activate(&wallet, &backend, &c).await;
    wallet.lock().unwrap();
    for _ in 0..3 {
        assert!(wallet.unlock(Passcode::new("111222")).await.is_err());
    }
    wallet.unlock(Passcode::new(PASSCODE)).await.unwrap();
    wallet.lock().unwrap();
    assert_eq!(
        wallet.state().unwrap(),
        WalletState::Locked { attempts_left: 5 }
    );
}

fn db_path(phone: &Phone) -> std::path::PathBuf {
    phone.data_dir.join(vneid_wallet::STORE_FILE)
}

#[tokio::test]
async fn editing_the_attempt_counter_outside_the_app_blocks_the_wallet() {
    let backend = backend().await;
    let root = tempfile::tempdir().unwrap();
    let phone = Phone::new(root.path(), "p");
    let c = citizen(&backend, 8);
    {
        let wallet = phone.wallet(&backend);
        activate(&wallet, &backend, &c).await;
        wallet.lock().unwrap();
        for _ in 0..4 {
            assert!(wallet.unlock(Passcode::new("111222")).await.is_err());
        }
    }
    let conn = rusqlite_open(&db_path(&phone));
    conn.execute("UPDATE account SET failed_attempts = 0", [])
        .unwrap();
    drop(conn);
    let wallet = phone.wallet(&backend);
    assert_eq!(
        wallet.state().unwrap(),
        WalletState::Blocked {
            reason: BlockReason::Tampered
        }
    );
    let err = wallet.unlock(Passcode::new(PASSCODE)).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::WalletBlocked);
}

#[tokio::test]
async fn deleting_the_account_row_leaves_only_reactivation() {
    let backend = backend().await;
    let root = tempfile::tempdir().unwrap();
    let phone = Phone::new(root.path(), "p");
    let c = citizen(&backend, 9);
    {
        let wallet = phone.wallet(&backend);
        activate(&wallet, &backend, &c).await;
        wallet.lock().unwrap();
        for _ in 0..4 {
            assert!(wallet.unlock(Passcode::new("111222")).await.is_err());
        }
    }
    rusqlite_open(&db_path(&phone))
        .execute("DELETE FROM account", [])
        .unwrap();
    let wallet = phone.wallet(&backend);
    assert_eq!(wallet.state().unwrap(), WalletState::NotActivated);
    let err = wallet.unlock(Passcode::new(PASSCODE)).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidState);
}

#[tokio::test]
async fn abandoning_an_unlock_midway_still_counts_the_attempt() {
    let backend = backend().await;
    let root = tempfile::tempdir().unwrap();
    let phone = Phone::new(root.path(), "p");
    let mut config = wallet_config(&phone.data_dir, backend.base_url());
    config.kdf_iterations = 600_000;
    let wallet = Wallet::open(config, phone.secure_area.clone()).unwrap();
    let c = citizen(&backend, 10);
    activate(&wallet, &backend, &c).await;
    wallet.lock().unwrap();
    // The app is killed (here: the future dropped) while the slow KDF runs.
    let attempt = wallet.unlock(Passcode::new("111222"));
    let _ = tokio::time::timeout(std::time::Duration::from_millis(5), attempt).await;
    assert_eq!(
        wallet.state().unwrap(),
        WalletState::Locked { attempts_left: 4 }
    );
}

#[tokio::test]
async fn reactivation_on_a_new_phone_revokes_the_old_one() {
    let backend = backend().await;
    let root = tempfile::tempdir().unwrap();
    let c = citizen(&backend, 11);
    let old_phone = Phone::new(root.path(), "old");
    let old = old_phone.wallet(&backend);
    activate(&old, &backend, &c).await;
    let first = old.account_info().await.unwrap();
    old.lock().unwrap();

    let new_phone = Phone::new(root.path(), "new");
    let new = new_phone.wallet(&backend);
    activate(&new, &backend, &c).await;
    let second = new.account_info().await.unwrap();
    assert_eq!(first.account_id, second.account_id);
    assert_ne!(first.device_id, second.device_id);

    let err = old.unlock(Passcode::new(PASSCODE)).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::DeviceRevoked);
    assert_eq!(
        old.state().unwrap(),
        WalletState::Blocked {
            reason: BlockReason::DeviceRevoked
        }
    );
    // Taking the account back to the old phone works too, and revokes the new one.
    activate(&old, &backend, &c).await;
    new.lock().unwrap();
    let err = new.unlock(Passcode::new(PASSCODE)).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::DeviceRevoked);
}

#[tokio::test]
async fn reinstalling_on_the_same_phone_reactivates() {
    let backend = backend().await;
    let root = tempfile::tempdir().unwrap();
    let c = citizen(&backend, 12);
    let phone = Phone::new(root.path(), "p");
    let account_id = {
        let wallet = phone.wallet(&backend);
        activate(&wallet, &backend, &c).await;
        wallet.account_info().await.unwrap().account_id
    };
    // Uninstall wipes app data; the platform key store survives (as the iOS Keychain does).
    std::fs::remove_dir_all(&phone.data_dir).unwrap();
    let wallet = phone.wallet(&backend);
    assert_eq!(wallet.state().unwrap(), WalletState::NotActivated);
    activate(&wallet, &backend, &c).await;
    assert_eq!(wallet.account_info().await.unwrap().account_id, account_id);
}

#[tokio::test]
async fn a_restart_during_activation_resumes_at_the_otp_entry() {
    let backend = backend().await;
    let root = tempfile::tempdir().unwrap();
    let phone = Phone::new(root.path(), "p");
    let c = citizen(&backend, 13);
    phone
        .wallet(&backend)
        .start_activation(activation_input(&c))
        .await
        .unwrap();
    let wallet = phone.wallet(&backend);
    match wallet.state().unwrap() {
        WalletState::AwaitingOtp { masked_phone, .. } => {
            assert!(masked_phone.ends_with(&c.phone[c.phone.len() - 3..]))
        }
        other => panic!("unexpected state {other:?}"),
    }
    verify_latest_otp(&wallet, &backend, &c).await;
    wallet.set_passcode(Passcode::new(PASSCODE)).await.unwrap();
}

#[tokio::test]
async fn resending_too_soon_is_refused_with_a_wait_time() {
    let backend = backend().await;
    let root = tempfile::tempdir().unwrap();
    let wallet = Phone::new(root.path(), "p").wallet(&backend);
    let c = citizen(&backend, 14);
    wallet.start_activation(activation_input(&c)).await.unwrap();
    let err = wallet.resend_otp().await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::OtpResendTooSoon);
    assert!(err.retry_after_seconds().unwrap() > 0);
}

#[tokio::test]
async fn the_database_file_holds_no_name_or_id_number_in_clear() {
    let backend = backend().await;
    let root = tempfile::tempdir().unwrap();
    let phone = Phone::new(root.path(), "p");
    let c = citizen(&backend, 15);
    {
        let wallet = phone.wallet(&backend);
        activate(&wallet, &backend, &c).await;
        wallet.account_info().await.unwrap();
        assert_eq!(wallet.profile().unwrap().id_number, c.id_number);
    }
    let mut needles = vec![
        c.full_name.as_bytes().to_vec(),
        c.id_number.as_bytes().to_vec(),
        c.phone.as_bytes().to_vec(),
    ];
    // The family name alone, too (UTF-8 with diacritics).
    needles.push(c.full_name.split(' ').next().unwrap().as_bytes().to_vec());
    for entry in std::fs::read_dir(&phone.data_dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        for needle in &needles {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_slice()),
                "personal data found in clear"
            );
        }
    }
}

#[tokio::test]
async fn the_wallet_unlocks_offline_when_the_backend_is_down() {
    let backend = backend().await;
    let root = tempfile::tempdir().unwrap();
    let phone = Phone::new(root.path(), "p");
    let c = citizen(&backend, 16);
    let wallet = phone.wallet(&backend);
    activate(&wallet, &backend, &c).await;
    wallet.lock().unwrap();
    backend.shutdown().await;
    let summary = wallet.unlock(Passcode::new(PASSCODE)).await.unwrap();
    assert!(!summary.online);
    assert_eq!(
        wallet.state().unwrap(),
        WalletState::Unlocked { online: false }
    );
    assert_eq!(wallet.profile().unwrap().id_number, c.id_number);
    let err = wallet.account_info().await.unwrap_err();
    assert!(matches!(
        err.code(),
        ErrorCode::NetworkUnavailable | ErrorCode::NetworkTimeout
    ));
}

#[tokio::test]
async fn a_store_whose_data_key_is_lost_starts_empty() {
    let backend = backend().await;
    let root = tempfile::tempdir().unwrap();
    let phone = Phone::new(root.path(), "p");
    let c = citizen(&backend, 17);
    activate(&phone.wallet(&backend), &backend, &c).await;
    // The same database opened with another secure area (restored onto another phone).
    let other = Phone::new(root.path(), "other");
    let config = wallet_config(&phone.data_dir, backend.base_url());
    let wallet = Wallet::open(config, other.secure_area.clone()).unwrap();
    assert_eq!(
        wallet.reset_reason(),
        Some(vneid_wallet::store::ResetReason::DataKeyUnusable)
    );
    assert_eq!(wallet.state().unwrap(), WalletState::NotActivated);
}

#[tokio::test]
async fn the_default_passcode_kdf_uses_at_least_600k_iterations() {
    let config = WalletConfig::new("/nonexistent", "http://127.0.0.1:1");
    assert!(config.kdf_iterations >= 600_000);
}

fn rusqlite_open(path: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).unwrap()
}

/// Copies every file and directory under `from` into `to` (which must not exist).
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Rounds of "4 wrong guesses, then restore every file of the data directory from a copy
/// taken before them": counts the wrong guesses the wallet answers before it blocks.
async fn wrong_guesses_with_restores(online: bool, citizen_index: usize) -> u32 {
    let backend = backend().await;
    let root = tempfile::tempdir().unwrap();
    let phone = Phone::new(root.path(), "p");
    let c = citizen(&backend, citizen_index);
    {
        let wallet = phone.wallet(&backend);
        activate(&wallet, &backend, &c).await;
        wallet.lock().unwrap();
    }
    let url = backend.base_url().to_string();
    let open = || {
        Wallet::open(
            wallet_config(&phone.data_dir, url.clone()),
            phone.secure_area.clone(),
        )
        .unwrap()
    };
    let copy = root.path().join("copy-of-wallet");
    copy_tree(&phone.data_dir, &copy);
    let running = if online {
        Some(backend)
    } else {
        backend.shutdown().await;
        None
    };
    let mut wrong = 0;
    for _round in 0..3 {
        {
            let wallet = open();
            for _ in 0..4 {
                match wallet.unlock(Passcode::new("111222")).await {
                    Err(e) if e.code() == ErrorCode::PasscodeWrong => wrong += 1,
                    Err(e) if e.code() == ErrorCode::WalletBlocked => {
                        // The check that exhausted the attempts was a guess too.
                        if wrong < 5 {
                            wrong += 1;
                        }
                        break;
                    }
                    other => panic!("unexpected unlock result {other:?}"),
                }
            }
        }
        std::fs::remove_dir_all(&phone.data_dir).unwrap();
        copy_tree(&copy, &phone.data_dir);
    }
    // After the last restore, the store says 5 attempts left; the secure area says otherwise,
    // and even the right passcode does not open the wallet.
    let wallet = open();
    assert_eq!(
        wallet.state().unwrap(),
        WalletState::Blocked {
            reason: BlockReason::TooManyAttempts
        }
    );
    let err = wallet.unlock(Passcode::new(PASSCODE)).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::WalletBlocked);
    assert!(matches!(
        err,
        WalletError::Blocked(BlockReason::TooManyAttempts)
    ));
    drop(running);
    wrong
}

#[tokio::test]
async fn restoring_the_data_directory_between_guesses_never_gives_more_than_five_offline() {
    assert_eq!(wrong_guesses_with_restores(false, 20).await, 5);
}

#[tokio::test]
async fn restoring_the_data_directory_between_guesses_never_gives_more_than_five_online() {
    assert_eq!(wrong_guesses_with_restores(true, 21).await, 5);
}

#[tokio::test]
async fn reactivation_clears_the_secure_area_attempt_count() {
    let backend = backend().await;
    let root = tempfile::tempdir().unwrap();
    let phone = Phone::new(root.path(), "p");
    let c = citizen(&backend, 22);
    let wallet = phone.wallet(&backend);
    activate(&wallet, &backend, &c).await;
    wallet.lock().unwrap();
    for _ in 0..5 {
        let _ = wallet.unlock(Passcode::new("111222")).await;
    }
    activate(&wallet, &backend, &c).await;
    wallet.lock().unwrap();
    assert_eq!(
        wallet.state().unwrap(),
        WalletState::Locked { attempts_left: 5 }
    );
    wallet.unlock(Passcode::new(PASSCODE)).await.unwrap();
}

#[tokio::test]
async fn a_kill_between_the_otp_and_the_device_binding_resumes_at_the_passcode_step() {
    let backend = backend().await;
    let root = tempfile::tempdir().unwrap();
    let phone = Phone::new(root.path(), "p");
    let c = citizen(&backend, 23);
    {
        let wallet = phone.wallet(&backend);
        wallet.start_activation(activation_input(&c)).await.unwrap();
        verify_latest_otp(&wallet, &backend, &c).await;
        // Killed here: the wallet (and its in-memory state) is gone.
    }
    let wallet = phone.wallet(&backend);
    assert_eq!(wallet.state().unwrap(), WalletState::AwaitingPasscode);
    let account = wallet.set_passcode(Passcode::new(PASSCODE)).await.unwrap();
    assert!(account.online);
    assert_eq!(
        wallet.account_info().await.unwrap().citizen.id_number,
        c.id_number
    );
    // Nothing of the activation is left behind once the device is bound.
    drop(wallet);
    let wallet = phone.wallet(&backend);
    assert_eq!(
        wallet.state().unwrap(),
        WalletState::Locked { attempts_left: 5 }
    );
}

#[tokio::test]
async fn the_stored_enrolment_holds_no_name_or_id_number_in_clear() {
    let backend = backend().await;
    let root = tempfile::tempdir().unwrap();
    let phone = Phone::new(root.path(), "p");
    let c = citizen(&backend, 24);
    let wallet = phone.wallet(&backend);
    wallet.start_activation(activation_input(&c)).await.unwrap();
    let otp = backend.latest_otp(&c.phone).unwrap();
    wallet
        .verify_otp(Zeroizing::new(otp.clone()))
        .await
        .unwrap();
    drop(wallet);
    for entry in std::fs::read_dir(&phone.data_dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(&c.full_name));
        assert!(!text.contains(&c.id_number));
        assert!(!text.contains("enrolment"));
    }
}
