//! The FFI facade as a foreign caller sees it: records in, records and typed errors out,
//! cancellation through `cancel_all`. Runs the calls from a plain thread pool (not tokio),
//! as Kotlin and Swift executors would.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::sync::Arc;
use std::time::{Duration, Instant};
use vneid_ffi::*;

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    // A minimal executor with no tokio context, like a foreign caller.
    futures_lite_block_on(f)
}

fn futures_lite_block_on<F: std::future::Future>(f: F) -> F::Output {
    use std::task::{Context, Poll, Wake, Waker};
    struct ThreadWaker(std::thread::Thread);
    impl Wake for ThreadWaker {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(ThreadWaker(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut f = std::pin::pin!(f);
    loop {
        match f.as_mut().poll(&mut cx) {
            Poll::Ready(v) => return v,
            Poll::Pending => std::thread::park(),
        }
    }
}

fn config(dir: &std::path::Path, url: String) -> WalletConfig {
    WalletConfig {
        data_dir: dir.to_string_lossy().into_owned(),
        backend_url: url,
        device_name: "test".into(),
        platform: Platform::Desktop,
        kdf_iterations: Some(1_000),
        http_timeout_seconds: Some(30),
        trust_anchor: None,
    }
}

#[test]
fn activation_through_the_facade_maps_errors_to_categories_and_codes() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let backend = rt
        .block_on(vneid_backend::spawn(vneid_backend::BackendConfig {
            seed_citizens: 5,
            ..Default::default()
        }))
        .unwrap();
    let citizen = backend.sample_citizens(1).pop().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let core = WalletCore::new(
        config(dir.path(), backend.base_url()),
        new_software_secure_area(None).unwrap(),
    )
    .unwrap();
    assert_eq!(core.state().unwrap(), WalletState::NotActivated);

    let err = block_on(core.start_activation(ActivationInput {
        id_number: "12345".into(),
        phone: citizen.phone.clone(),
        date_of_birth: citizen.date_of_birth.clone(),
        email: None,
    }))
    .unwrap_err();
    match err {
        VneidError::Input {
            code,
            message_vi,
            message_en,
        } => {
            assert_eq!(code, ErrorCode::IdNumberInvalid);
            assert_eq!(error_code_id(code), "ID_NUMBER_INVALID");
            assert!(message_vi.contains("định danh"));
            assert!(message_en.contains("ID number"));
        }
        other => panic!("unexpected {other:?}"),
    }

    let sent = block_on(core.start_activation(ActivationInput {
        id_number: citizen.id_number.clone(),
        phone: citizen.phone.clone(),
        date_of_birth: citizen.date_of_birth.clone(),
        email: None,
    }))
    .unwrap();
    let real = backend.latest_otp(&citizen.phone).unwrap();
    let wrong = if real == "000001" { "000002" } else { "000001" };
    match block_on(core.verify_otp(wrong.into())).unwrap_err() {
        VneidError::Otp {
            code,
            attempts_left,
            ..
        } => {
            assert_eq!(code, ErrorCode::OtpWrong);
            assert_eq!(attempts_left, Some(sent.max_attempts - 1));
        }
        other => panic!("unexpected {other:?}"),
    }
    block_on(core.verify_otp(real)).unwrap();
    let summary = block_on(core.set_passcode("860247".into())).unwrap();
    assert_eq!(summary.level, 1);
    assert_eq!(core.profile().unwrap().id_number, citizen.id_number);
    core.lock().unwrap();
    match block_on(core.unlock("111222".into())).unwrap_err() {
        VneidError::Passcode {
            code,
            attempts_left,
            ..
        } => {
            assert_eq!(code, ErrorCode::PasscodeWrong);
            assert_eq!(attempts_left, Some(4));
        }
        other => panic!("unexpected {other:?}"),
    }
    let info = block_on(core.account_info());
    assert!(matches!(
        info,
        Err(VneidError::Account {
            code: ErrorCode::NotUnlocked,
            ..
        })
    ));
}

#[test]
fn cancel_all_ends_a_hanging_call_with_the_cancelled_error() {
    // A "backend" that accepts connections and never answers.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let _hold = std::thread::spawn(move || {
        let mut conns = Vec::new();
        for c in listener.incoming().take(4) {
            conns.push(c);
        }
        std::thread::sleep(Duration::from_secs(60));
    });
    let dir = tempfile::tempdir().unwrap();
    let core = WalletCore::new(
        config(dir.path(), url),
        new_software_secure_area(None).unwrap(),
    )
    .unwrap();
    let canceller = Arc::clone(&core);
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        canceller.cancel_all();
    });
    let started = Instant::now();
    let err = block_on(core.start_activation(ActivationInput {
        id_number: "001090123456".into(),
        phone: "0912345678".into(),
        date_of_birth: "1990-03-15".into(),
        email: None,
    }))
    .unwrap_err();
    assert!(
        matches!(
            err,
            VneidError::Cancelled {
                code: ErrorCode::Cancelled,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn a_foreign_secure_area_failure_surfaces_as_a_device_error() {
    #[derive(Debug)]
    struct Broken;
    impl SecureArea for Broken {
        fn create_key(&self, _: String) -> Result<Vec<u8>, SecureAreaError> {
            Err(SecureAreaError::Platform {
                reason: "keystore unavailable".into(),
            })
        }
        fn public_key(&self, _: String) -> Result<Vec<u8>, SecureAreaError> {
            Err(SecureAreaError::KeyNotFound)
        }
        fn sign(&self, _: String, _: Vec<u8>) -> Result<Vec<u8>, SecureAreaError> {
            Err(SecureAreaError::KeyNotFound)
        }
        fn delete_key(&self, _: String) -> Result<(), SecureAreaError> {
            Ok(())
        }
        fn seal(&self, _: Vec<u8>) -> Result<Vec<u8>, SecureAreaError> {
            Err(SecureAreaError::Platform {
                reason: "keystore unavailable".into(),
            })
        }
        fn unseal(&self, _: Vec<u8>) -> Result<Vec<u8>, SecureAreaError> {
            Err(SecureAreaError::SealBroken)
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let err = WalletCore::new(
        config(dir.path(), "http://127.0.0.1:1".into()),
        Arc::new(Broken),
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            VneidError::Device {
                code: ErrorCode::SecureAreaFailure,
                ..
            }
        ),
        "{err:?}"
    );
}
