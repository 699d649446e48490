//! Judicial-record certificate requests end to end: draft, validation, fee, submission with
//! exactly-once across crashes, lost answers and offline periods, the office workflow, the
//! payment, the electronic certificate presented as a QR and checked by a counter.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::Path;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use vneid_api::judicial::{DevJudicialAction, DevJudicialAdvanceRequest};
use vneid_backend::{RunningBackend, SeededCitizen};
use vneid_tests::{DEV_TOKEN, PASSCODE, activate, spawn_backend};
use vneid_wallet::api_client::ApiClient;
use vneid_wallet::credential::claims::{ClaimValue, Registry, keys, types};
use vneid_wallet::credential::verify::{ReplayCache, Verdict, Verifier, VerifyPolicy};
use vneid_wallet::judicial::{
    FieldErrorKind, HistoryKind, JudicialForm, JudicialStatus, JudicialStatusListener, LocalState,
    StatusChange, SubmitFault, TestPaymentGateway, month_turning_14,
};
use vneid_wallet::{ErrorCode, Passcode, Wallet};

struct Env {
    backend: RunningBackend,
    db: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

async fn env() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("backend.sqlite3");
    let backend = spawn_backend(|c| {
        c.seed_citizens = 40;
        c.db_path = Some(db.clone());
    })
    .await;
    Env {
        backend,
        db,
        _dir: dir,
    }
}

impl Env {
    /// Requests the backend holds for a citizen, counted in its database.
    fn requests_of(&self, id_number: &str) -> i64 {
        let c = rusqlite::Connection::open(&self.db).unwrap();
        c.query_row(
            "SELECT count(*) FROM judicial_requests r
             JOIN accounts a ON a.id = r.account_id
             JOIN citizens c ON c.id = a.citizen_id
             WHERE c.id_number = ?1",
            [id_number],
            |r| r.get(0),
        )
        .unwrap()
    }

    /// Adults between 18 and 59: they pay the standard fee.
    fn adults(&self) -> Vec<SeededCitizen> {
        self.backend
            .sample_citizens(40)
            .into_iter()
            .filter(|c| {
                let y: i32 = c.date_of_birth[..4].parse().unwrap();
                (1968..=2006).contains(&y)
            })
            .collect()
    }
}

fn open_wallet(root: &Path, url: &str) -> Wallet {
    open_wallet_with_timeout(root, url, Duration::from_secs(5))
}

fn open_wallet_with_timeout(root: &Path, url: &str, timeout: Duration) -> Wallet {
    vneid_tests::open_wallet(root, url, |config| config.http_timeout = timeout)
}

/// The prefilled draft completed the way a citizen would.
fn complete(mut form: JudicialForm) -> JudicialForm {
    form.purpose = "Bổ sung hồ sơ xin việc".into();
    form.personal.ethnicity.value = "Kinh".into();
    form.personal.id_issue_date.value = "2021-06-01".into();
    form.residence_history[0].from = month_turning_14(&form.personal.date_of_birth.value).unwrap();
    form.residence_history[0].occupation = "Nhân viên văn phòng".into();
    form
}

async fn advance(api: &ApiClient, id: &str, action: DevJudicialAction) -> JudicialStatus {
    api.dev_judicial_advance(
        DEV_TOKEN,
        &DevJudicialAdvanceRequest {
            request_id: id.to_owned(),
            action,
        },
    )
    .await
    .unwrap()
    .status
}

#[derive(Default)]
struct Recorder(Mutex<Vec<StatusChange>>);

impl JudicialStatusListener for Recorder {
    fn on_status_changed(&self, change: StatusChange) {
        self.0.lock().unwrap().push(change);
    }
}

#[tokio::test]
async fn a_request_goes_from_draft_through_the_office_workflow_to_a_verified_certificate() {
    let env = env().await;
    let citizen = env.adults().remove(0);
    let root = tempfile::tempdir().unwrap();
    let wallet = open_wallet(root.path(), &env.backend.base_url());
    activate(&wallet, &env.backend, &citizen).await;

    let draft = wallet.new_judicial_draft(None).unwrap();
    // Prefilled from the population record and locked.
    assert_eq!(draft.form.personal.id_number.value, citizen.id_number);
    assert!(draft.form.personal.full_name.locked());
    let errors = wallet.validate_judicial(&draft.form).unwrap();
    let paths: Vec<_> = errors.iter().map(|e| e.path.as_str()).collect();
    assert!(paths.contains(&"purpose"), "{paths:?}");
    assert!(paths.contains(&"personal.ethnicity"), "{paths:?}");
    // Submitting an invalid draft names the first field.
    let e = wallet.submit_judicial(draft.local_id).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::JudicialFieldRequired);
    assert!(e.field_path().is_some());

    let mut form = complete(draft.form.clone());
    form.copies = 3;
    let form = wallet.save_judicial_draft(draft.local_id, &form).unwrap();
    assert!(wallet.validate_judicial(&form).unwrap().is_empty());
    let fee = wallet.judicial_fee(&form).unwrap();
    assert_eq!((fee.total, fee.extra_copies), (205_000, 1));

    let listener = Arc::new(Recorder::default());
    wallet.set_judicial_listener(Some(listener.clone()));
    let info = wallet.submit_judicial(draft.local_id).await.unwrap();
    assert_eq!(info.state, LocalState::Submitted);
    let office = info.office.clone().unwrap();
    assert_eq!(office.status, JudicialStatus::Received);
    assert_eq!(office.fee_vnd, 205_000);
    let id = office.request_id.clone();

    // Not accepted before the fee is paid.
    let api = ApiClient::new(&env.backend.base_url(), Duration::from_secs(10)).unwrap();
    let refused = api
        .dev_judicial_advance(
            DEV_TOKEN,
            &DevJudicialAdvanceRequest {
                request_id: id.clone(),
                action: DevJudicialAction::Accept,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some(vneid_api::ApiErrorCode::Conflict));
    let gateway = Arc::new(TestPaymentGateway::new(&env.backend.base_url(), DEV_TOKEN).unwrap());
    let paid = wallet
        .pay_judicial(draft.local_id, gateway.clone())
        .await
        .unwrap();
    assert!(paid.office.unwrap().paid);
    let again = wallet
        .pay_judicial(draft.local_id, gateway)
        .await
        .unwrap_err();
    assert_eq!(again.code(), ErrorCode::JudicialWrongState);

    advance(&api, &id, DevJudicialAction::Accept).await;
    advance(&api, &id, DevJudicialAction::Process).await;
    advance(
        &api,
        &id,
        DevJudicialAction::RequestInfo {
            question: "Bổ sung nơi cư trú năm 2015".into(),
        },
    )
    .await;
    let infos = wallet.refresh_judicial().await.unwrap();
    let office = infos[0].office.clone().unwrap();
    assert_eq!(office.status, JudicialStatus::AdditionalInfoNeeded);
    assert_eq!(
        office.question.as_deref(),
        Some("Bổ sung nơi cư trú năm 2015")
    );
    {
        let seen: Vec<_> = listener
            .0
            .lock()
            .unwrap()
            .iter()
            .map(|c| c.status)
            .collect();
        assert_eq!(
            seen,
            [
                JudicialStatus::Received,
                JudicialStatus::Accepted,
                JudicialStatus::Processing,
                JudicialStatus::AdditionalInfoNeeded
            ]
        );
    }
    // Fetching a certificate that is not ready is refused locally.
    let early = wallet
        .fetch_judicial_certificate(draft.local_id)
        .await
        .unwrap_err();
    assert_eq!(early.code(), ErrorCode::JudicialWrongState);

    let answered = wallet
        .answer_judicial(draft.local_id, "Năm 2015 tôi ở Hà Nội")
        .await
        .unwrap();
    assert_eq!(answered.office.unwrap().status, JudicialStatus::Processing);
    assert_eq!(
        advance(&api, &id, DevJudicialAction::Ready).await,
        JudicialStatus::Ready
    );
    wallet.refresh_judicial().await.unwrap();

    let held = wallet
        .fetch_judicial_certificate(draft.local_id)
        .await
        .unwrap();
    assert_eq!(held.credential_type, types::JUDICIAL_RECORD);
    let info = wallet.judicial_request(draft.local_id).unwrap();
    let office = info.office.unwrap();
    assert_eq!(office.status, JudicialStatus::Delivered);
    assert!(office.certificate_number.is_some());

    // The citizen shows it; a counter checks it against the trust and status lists.
    let p = wallet.present_judicial_certificate(None).unwrap();
    let (trust, status) = vneid_tests::counter_lists(&api, p.status.list).await;
    let registry = Registry::builtin();
    let policy = VerifyPolicy::default();
    let verifier = Verifier {
        registry: &registry,
        trust: &trust,
        status: &status,
        policy: &policy,
    };
    let now = vneid_tests::now_unix();
    let Verdict::Accept(v) = verifier.verify_text(&p.text, now, &mut ReplayCache::default()) else {
        panic!("certificate not accepted");
    };
    assert_eq!(v.credential_type, types::JUDICIAL_RECORD);
    let claim = |k| {
        v.claims
            .iter()
            .find(|(key, _)| *key == k)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(
        claim(keys::ID_NUMBER),
        Some(ClaimValue::Digits(citizen.id_number.clone()))
    );
    assert_eq!(
        claim(keys::CERT_NUMBER),
        Some(ClaimValue::Text(office.certificate_number.clone().unwrap()))
    );
    assert_eq!(
        claim(keys::CERT_TITLE),
        Some(ClaimValue::Text("Phiếu lý lịch tư pháp số 1".into()))
    );

    // The local history tells the whole story, in order.
    let kinds: Vec<_> = wallet
        .judicial_history(draft.local_id)
        .unwrap()
        .into_iter()
        .map(|h| h.kind)
        .collect();
    for k in [
        HistoryKind::Drafted,
        HistoryKind::Queued,
        HistoryKind::SendAttempt,
        HistoryKind::Submitted,
        HistoryKind::Paid,
        HistoryKind::Office(JudicialStatus::AdditionalInfoNeeded),
        HistoryKind::Answered,
        HistoryKind::Office(JudicialStatus::Ready),
        HistoryKind::CertificateStored,
        HistoryKind::Office(JudicialStatus::Delivered),
    ] {
        assert!(kinds.contains(&k), "{k:?} missing from {kinds:?}");
    }
    assert_eq!(env.requests_of(&citizen.id_number), 1);
}

#[tokio::test]
async fn a_draft_survives_a_restart_and_locked_details_cannot_be_edited() {
    let env = env().await;
    let citizen = env.adults().remove(1);
    let root = tempfile::tempdir().unwrap();
    let wallet = open_wallet(root.path(), &env.backend.base_url());
    activate(&wallet, &env.backend, &citizen).await;
    let draft = wallet.new_judicial_draft(None).unwrap();
    let form = complete(draft.form.clone());
    wallet.save_judicial_draft(draft.local_id, &form).unwrap();

    let mut tampered = form.clone();
    tampered.personal.full_name.value = "Người Khác".into();
    let e = wallet
        .save_judicial_draft(draft.local_id, &tampered)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::JudicialFieldLocked);
    assert_eq!(e.field_path(), Some("personal.full_name"));
    // Claiming a locked field is the citizen's own does not unlock it either.
    let mut relabelled = form.clone();
    relabelled.personal.full_name.source = vneid_wallet::judicial::FieldSource::Citizen;
    relabelled.personal.full_name.value = "Người Khác".into();
    assert_eq!(
        wallet
            .save_judicial_draft(draft.local_id, &relabelled)
            .unwrap_err()
            .code(),
        ErrorCode::JudicialFieldLocked
    );

    drop(wallet);
    let wallet = open_wallet(root.path(), &env.backend.base_url());
    wallet.unlock(Passcode::new(PASSCODE)).await.unwrap();
    assert_eq!(wallet.judicial_form(draft.local_id).unwrap(), form);
    let listed = wallet.judicial_requests().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].state, LocalState::Draft);
    wallet.delete_judicial_draft(draft.local_id).unwrap();
    assert!(wallet.judicial_requests().unwrap().is_empty());
}

#[tokio::test]
async fn a_crash_at_every_step_of_submission_leaves_exactly_one_request_at_the_backend() {
    let env = env().await;
    let adults = env.adults();
    for (i, fault) in [
        SubmitFault::AfterQueued,
        SubmitFault::AfterMarkedSending,
        SubmitFault::AfterBackendCommitted,
    ]
    .into_iter()
    .enumerate()
    {
        let citizen = &adults[2 + i];
        let root = tempfile::tempdir().unwrap();
        let wallet = open_wallet(root.path(), &env.backend.base_url());
        activate(&wallet, &env.backend, citizen).await;
        let draft = wallet.new_judicial_draft(None).unwrap();
        wallet
            .save_judicial_draft(draft.local_id, &complete(draft.form.clone()))
            .unwrap();
        wallet.inject_judicial_fault(Some(fault));
        let crashed = wallet.submit_judicial(draft.local_id).await.unwrap_err();
        assert_eq!(crashed.code(), ErrorCode::Internal, "{fault:?}");
        let expected_at_backend = i64::from(fault == SubmitFault::AfterBackendCommitted);
        assert_eq!(
            env.requests_of(&citizen.id_number),
            expected_at_backend,
            "{fault:?}"
        );

        // The app is killed and started again.
        drop(wallet);
        let wallet = open_wallet(root.path(), &env.backend.base_url());
        wallet.unlock(Passcode::new(PASSCODE)).await.unwrap();
        let before = wallet.judicial_request(draft.local_id).unwrap();
        assert!(
            matches!(before.state, LocalState::Queued | LocalState::Sending),
            "{fault:?}: {:?}",
            before.state
        );
        let report = wallet.flush_judicial_outbox().await.unwrap();
        assert_eq!(report.submitted, vec![draft.local_id], "{fault:?}");
        // A second flush, and a retry of the whole submission, change nothing.
        assert_eq!(
            wallet.flush_judicial_outbox().await.unwrap(),
            Default::default()
        );
        let e = wallet.submit_judicial(draft.local_id).await.unwrap_err();
        assert_eq!(e.code(), ErrorCode::JudicialWrongState);
        assert_eq!(env.requests_of(&citizen.id_number), 1, "{fault:?}");
        let info = wallet.judicial_request(draft.local_id).unwrap();
        assert_eq!(info.state, LocalState::Submitted);
        assert_eq!(info.office.unwrap().history.len(), 1, "one 'received' step");
    }
}

// ---- A TCP proxy between wallet and backend, to lose answers and go offline. ----

const FORWARD: u8 = 0;
/// Refuse every connection and cut every open one (no network).
const OFFLINE: u8 = 1;
/// Forward the next request, then cut the connection before any answer reaches the
/// client (the backend has committed; the phone never hears). Back to FORWARD after.
const LOSE_ANSWER: u8 = 2;
/// Forward the request, then hold the answer back without closing (the phone times out).
/// Back to FORWARD after.
const STALL: u8 = 3;

struct Proxy {
    url: String,
    mode: Arc<AtomicU8>,
}

async fn proxy(backend: std::net::SocketAddr) -> Proxy {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let mode = Arc::new(AtomicU8::new(FORWARD));
    let m = mode.clone();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            if m.load(Ordering::SeqCst) == OFFLINE {
                drop(client);
                continue;
            }
            let Ok(server) = TcpStream::connect(backend).await else {
                continue;
            };
            tokio::spawn(pipe(client, server, m.clone()));
        }
    });
    Proxy { url, mode }
}

async fn pipe(client: TcpStream, server: TcpStream, mode: Arc<AtomicU8>) {
    let (mut cr, mut cw) = client.into_split();
    let (mut sr, mut sw) = server.into_split();
    let m = mode.clone();
    let up = tokio::spawn(async move {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let n = match cr.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            if m.load(Ordering::SeqCst) == OFFLINE || sw.write_all(&buf[..n]).await.is_err() {
                return;
            }
        }
    });
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match sr.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        match mode.load(Ordering::SeqCst) {
            OFFLINE => break,
            LOSE_ANSWER => {
                mode.store(FORWARD, Ordering::SeqCst);
                break;
            }
            STALL => {
                mode.store(FORWARD, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_secs(30)).await;
                break;
            }
            _ => {
                if cw.write_all(&buf[..n]).await.is_err() {
                    break;
                }
            }
        }
    }
    up.abort();
}

#[tokio::test]
async fn an_answer_lost_after_the_backend_committed_is_resolved_by_the_next_flush() {
    let env = env().await;
    let citizen = env.adults().remove(5);
    let proxy = proxy(env.backend.addr()).await;
    let root = tempfile::tempdir().unwrap();
    let wallet = open_wallet(root.path(), &proxy.url);
    activate(&wallet, &env.backend, &citizen).await;
    let draft = wallet.new_judicial_draft(None).unwrap();
    wallet
        .save_judicial_draft(draft.local_id, &complete(draft.form.clone()))
        .unwrap();

    proxy.mode.store(LOSE_ANSWER, Ordering::SeqCst);
    let info = wallet.submit_judicial(draft.local_id).await.unwrap();
    assert_eq!(info.state, LocalState::Queued, "no answer: still queued");
    assert!(info.last_error.is_some());
    assert_eq!(env.requests_of(&citizen.id_number), 1, "the backend has it");

    let report = wallet.flush_judicial_outbox().await.unwrap();
    assert_eq!(report.submitted, vec![draft.local_id]);
    assert_eq!(env.requests_of(&citizen.id_number), 1);
    let info = wallet.judicial_request(draft.local_id).unwrap();
    assert_eq!(info.state, LocalState::Submitted);
    assert_eq!(info.attempts, 2);
}

#[tokio::test]
async fn offline_submissions_queue_and_go_out_once_when_the_network_returns() {
    let env = env().await;
    let citizen = env.adults().remove(6);
    let proxy = proxy(env.backend.addr()).await;
    let root = tempfile::tempdir().unwrap();
    let wallet = open_wallet(root.path(), &proxy.url);
    activate(&wallet, &env.backend, &citizen).await;
    let first = wallet.new_judicial_draft(None).unwrap();
    wallet
        .save_judicial_draft(first.local_id, &complete(first.form.clone()))
        .unwrap();
    let second = wallet.new_judicial_draft(None).unwrap();
    let mut form = complete(second.form.clone());
    form.delivery = vneid_wallet::judicial::Delivery::Office;
    wallet.save_judicial_draft(second.local_id, &form).unwrap();

    proxy.mode.store(OFFLINE, Ordering::SeqCst);
    for id in [first.local_id, second.local_id] {
        let info = wallet.submit_judicial(id).await.unwrap();
        assert_eq!(info.state, LocalState::Queued);
    }
    let report = wallet.flush_judicial_outbox().await.unwrap();
    assert_eq!(report.queued, vec![first.local_id, second.local_id]);
    assert_eq!(env.requests_of(&citizen.id_number), 0);

    // Still offline across a restart: the queue is in the store.
    drop(wallet);
    let wallet = open_wallet(root.path(), &proxy.url);
    let e = wallet.unlock(Passcode::new(PASSCODE)).await;
    assert!(e.is_ok(), "offline unlock works: {e:?}");
    proxy.mode.store(FORWARD, Ordering::SeqCst);
    let infos = wallet.refresh_judicial().await.unwrap();
    assert!(
        infos.iter().all(|i| i.state == LocalState::Submitted),
        "{infos:?}"
    );
    assert_eq!(env.requests_of(&citizen.id_number), 2);
    assert_eq!(
        wallet.flush_judicial_outbox().await.unwrap(),
        Default::default()
    );
    assert_eq!(env.requests_of(&citizen.id_number), 2);
}

#[tokio::test]
async fn validation_errors_of_the_residence_history_and_no2_reach_the_app_with_their_field() {
    let env = env().await;
    let citizen = env.adults().remove(7);
    let root = tempfile::tempdir().unwrap();
    let wallet = open_wallet(root.path(), &env.backend.base_url());
    activate(&wallet, &env.backend, &citizen).await;
    let draft = wallet.new_judicial_draft(None).unwrap();
    let mut form = complete(draft.form.clone());
    form.certificate_type = vneid_wallet::judicial::CertificateType::No2;
    let errors = wallet.validate_judicial(&form).unwrap();
    let got: Vec<_> = errors.iter().map(|e| (e.path.as_str(), e.kind)).collect();
    assert_eq!(
        got,
        [
            ("father", FieldErrorKind::Required),
            ("mother", FieldErrorKind::Required)
        ]
    );
    wallet.save_judicial_draft(draft.local_id, &form).unwrap();
    let e = wallet.submit_judicial(draft.local_id).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::JudicialFieldRequired);
    assert_eq!(e.field_path(), Some("father"));
    assert_eq!(env.requests_of(&citizen.id_number), 0);
}

/// Rows of the wallet's judicial tables (sealed; only counted).
fn local_rows(root: &Path) -> i64 {
    let c = rusqlite::Connection::open(root.join("wallet").join(vneid_wallet::STORE_FILE)).unwrap();
    c.query_row(
        "SELECT (SELECT count(*) FROM judicial_requests) + (SELECT count(*) FROM judicial_events)",
        [],
        |r| r.get(0),
    )
    .unwrap()
}

#[tokio::test]
async fn requests_leave_the_phone_with_the_citizen_on_sign_out_and_on_another_activation() {
    let env = env().await;
    let adults = env.adults();
    let root = tempfile::tempdir().unwrap();
    let wallet = open_wallet(root.path(), &env.backend.base_url());
    activate(&wallet, &env.backend, &adults[8]).await;
    wallet.new_judicial_draft(None).unwrap();
    assert!(local_rows(root.path()) > 0);
    // Another citizen activates this phone: the first one's requests go.
    activate(&wallet, &env.backend, &adults[9]).await;
    assert_eq!(local_rows(root.path()), 0);
    assert!(wallet.judicial_requests().unwrap().is_empty());
    wallet.new_judicial_draft(None).unwrap();
    wallet.sign_out().unwrap();
    assert_eq!(local_rows(root.path()), 0);
}

#[tokio::test]
async fn a_submission_that_times_out_after_the_backend_committed_is_sent_again_under_its_key() {
    let env = env().await;
    let citizen = env.adults().remove(10);
    let proxy = proxy(env.backend.addr()).await;
    let root = tempfile::tempdir().unwrap();
    let wallet = open_wallet_with_timeout(root.path(), &proxy.url, Duration::from_secs(2));
    activate(&wallet, &env.backend, &citizen).await;
    let draft = wallet.new_judicial_draft(None).unwrap();
    wallet
        .save_judicial_draft(draft.local_id, &complete(draft.form.clone()))
        .unwrap();

    proxy.mode.store(STALL, Ordering::SeqCst);
    let info = wallet.submit_judicial(draft.local_id).await.unwrap();
    assert_eq!(info.state, LocalState::Queued);
    assert_eq!(info.last_error.as_deref(), Some("NETWORK_TIMEOUT"));
    assert_eq!(env.requests_of(&citizen.id_number), 1);

    let report = wallet.flush_judicial_outbox().await.unwrap();
    assert_eq!(report.submitted, vec![draft.local_id]);
    assert_eq!(env.requests_of(&citizen.id_number), 1);
}

#[tokio::test]
async fn a_rejection_reaches_the_listener_with_its_reason_and_closes_the_request() {
    let env = env().await;
    let citizen = env.adults().remove(11);
    let root = tempfile::tempdir().unwrap();
    let wallet = open_wallet(root.path(), &env.backend.base_url());
    activate(&wallet, &env.backend, &citizen).await;
    let draft = wallet.new_judicial_draft(None).unwrap();
    wallet
        .save_judicial_draft(draft.local_id, &complete(draft.form.clone()))
        .unwrap();
    let info = wallet.submit_judicial(draft.local_id).await.unwrap();
    let id = info.office.unwrap().request_id;
    let listener = Arc::new(Recorder::default());
    wallet.set_judicial_listener(Some(listener.clone()));

    let api = ApiClient::new(&env.backend.base_url(), Duration::from_secs(10)).unwrap();
    advance(
        &api,
        &id,
        DevJudicialAction::Reject {
            reason: "Phí chưa được nộp".into(),
        },
    )
    .await;
    let infos = wallet.refresh_judicial().await.unwrap();
    let office = infos[0].office.clone().unwrap();
    assert_eq!(office.status, JudicialStatus::Rejected);
    assert_eq!(
        office.rejection_reason.as_deref(),
        Some("Phí chưa được nộp")
    );
    {
        let seen = listener.0.lock().unwrap();
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].status, JudicialStatus::Rejected);
        assert_eq!(seen[0].note.as_deref(), Some("Phí chưa được nộp"));
    }
    // Closed: nothing more to pay, answer or fetch; polling again tells nothing new.
    let gateway = Arc::new(TestPaymentGateway::new(&env.backend.base_url(), DEV_TOKEN).unwrap());
    for e in [
        wallet
            .pay_judicial(draft.local_id, gateway)
            .await
            .unwrap_err(),
        wallet
            .answer_judicial(draft.local_id, "x")
            .await
            .unwrap_err(),
        wallet
            .fetch_judicial_certificate(draft.local_id)
            .await
            .unwrap_err(),
    ] {
        assert_eq!(e.code(), ErrorCode::JudicialWrongState);
    }
    wallet.refresh_judicial().await.unwrap();
    assert_eq!(listener.0.lock().unwrap().len(), 1);
}
