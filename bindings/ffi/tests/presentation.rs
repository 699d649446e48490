//! Presentation and counter verification through the FFI facade, as a Kotlin or Swift app
//! would call them: fetch credentials, present a preset, verify with a `Verifier` built from
//! the backend's trust list and status list, replay, tampering, the two-way flow and the
//! disclosure history.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::time::Duration;
use vneid_ffi::*;
use vneid_wallet::api_client::ApiClient;

/// The reference backend's trust-list anchor (SEC1 compressed), pinned as a counter app would.
const ANCHOR_HEX: &str = "03889d55e3ab10002b71ce2c4b5e20c2387d329d405dc0d33952ca6e676eb52b2d";
/// SHA-256("vneid-backend/test-verifier/v1"): the registered test verifier's scalar.
const TEST_VERIFIER_SCALAR_HEX: &str =
    "d1eedbe5ab4c67d3cc9f242ab4e8e7d849bdb8e2a95d5061d928d1a9a2bfc19c";
const BASE45: &str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// One character of a Base45 triple's low digit lowered by one: a valid payload with one
/// byte changed.
fn tamper(payload: &str) -> String {
    let mut chars: Vec<char> = payload.chars().collect();
    let i = 4 + 3 * ((chars.len() - 4) / 6);
    let pos = BASE45.find(chars[i]).unwrap();
    chars[i] = BASE45.as_bytes()[if pos == 0 { 1 } else { pos - 1 }] as char;
    chars.into_iter().collect()
}

fn code_of(e: &VneidError) -> ErrorCode {
    match e {
        VneidError::Credential { code, .. } => *code,
        other => panic!("not a Credential error: {other:?}"),
    }
}

#[test]
fn present_verify_replay_tamper_two_way_and_history_through_the_facade() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let backend = rt
        .block_on(vneid_backend::spawn(vneid_backend::BackendConfig {
            seed_citizens: 5,
            ..Default::default()
        }))
        .unwrap();
    assert_eq!(
        vneid_backend::issuer::trust_anchor_public_key().unwrap(),
        hex(ANCHOR_HEX),
        "pinned anchor"
    );
    let citizen = backend.sample_citizens(1).pop().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let core = WalletCore::new(
        WalletConfig {
            data_dir: dir.path().to_string_lossy().into_owned(),
            backend_url: backend.base_url(),
            device_name: "test".into(),
            platform: Platform::Desktop,
            kdf_iterations: Some(1_000),
            http_timeout_seconds: Some(30),
            // Pinned explicitly, as an app does (the same key as the default).
            trust_anchor: vneid_backend::issuer::trust_anchor_public_key(),
        },
        new_software_secure_area(None).unwrap(),
    )
    .unwrap();
    rt.block_on(core.start_activation(ActivationInput {
        id_number: citizen.id_number.clone(),
        phone: citizen.phone.clone(),
        date_of_birth: citizen.date_of_birth.clone(),
        email: None,
    }))
    .unwrap();
    rt.block_on(core.verify_otp(backend.latest_otp(&citizen.phone).unwrap()))
        .unwrap();
    rt.block_on(core.set_passcode("860247".into())).unwrap();

    // Nothing to show before the first fetch.
    let err = rt
        .block_on(core.present(PresentationPreset::IdentityCheck))
        .unwrap_err();
    assert_eq!(code_of(&err), ErrorCode::NoCredential);

    let held = rt.block_on(core.fetch_credentials()).unwrap();
    assert_eq!(held.len(), 2);
    assert!(held.iter().all(|s| s.copies == 4 && s.unused == 4));
    assert!(!core.credentials_need_refresh().unwrap());

    let qr = rt
        .block_on(core.present(PresentationPreset::IdentityCheck))
        .unwrap();
    assert!(qr.payload.starts_with("VN1:"));
    assert!(qr.qr_version <= 15, "version {}", qr.qr_version);
    assert_eq!(qr.modules.len(), (qr.qr_width * qr.qr_width) as usize);
    assert_eq!(qr.disclosed_claims.len(), 5);
    assert!(!format!("{qr:?}").contains(&qr.payload[4..20]));

    // The counter: trust list pinned to the anchor, the status list the QR names.
    let api = ApiClient::new(&backend.base_url(), Duration::from_secs(10)).unwrap();
    let trust = rt.block_on(api.trust_list()).unwrap();
    let err = Verifier::new(
        trust.clone(),
        vec![2; 33],
        VerifierConfig::default_for_tests(),
    )
    .unwrap_err();
    assert_eq!(code_of(&err), ErrorCode::VerifierDataInvalid);
    let err = Verifier::new(
        b"not a list".to_vec(),
        hex(ANCHOR_HEX),
        VerifierConfig::default_for_tests(),
    )
    .unwrap_err();
    assert_eq!(code_of(&err), ErrorCode::VerifierDataInvalid);
    let verifier = Verifier::new(
        trust.clone(),
        hex(ANCHOR_HEX),
        VerifierConfig::default_for_tests(),
    )
    .unwrap();

    // Without a status list the result is amber, and nothing is recorded as seen.
    let r = verifier.verify(qr.payload.clone(), None);
    assert_eq!(
        (r.verdict, r.reason),
        (VerdictClass::Fixable, VerificationReason::StatusUnknown)
    );
    let list_id = presentation_status_list_id(qr.payload.clone()).unwrap();
    let err = verifier.update_status_list(vec![0xA0]).unwrap_err();
    assert_eq!(code_of(&err), ErrorCode::VerifierDataInvalid);
    assert_eq!(
        verifier
            .update_status_list(rt.block_on(api.status_list(list_id)).unwrap())
            .unwrap(),
        list_id
    );

    let r = verifier.verify(qr.payload.clone(), None);
    assert_eq!(
        (r.verdict, r.reason),
        (VerdictClass::Accept, VerificationReason::Verified)
    );
    assert_eq!(r.claims.len(), 5);
    let id = r
        .claims
        .iter()
        .find(|c| c.claim.name == "id_number")
        .unwrap();
    assert_eq!(id.value.as_deref(), Some(citizen.id_number.as_str()));
    let dob = r
        .claims
        .iter()
        .find(|c| c.claim.name == "birth_date")
        .unwrap();
    assert_eq!(dob.value.as_deref(), Some(citizen.date_of_birth.as_str()));
    assert!(r.warnings.contains(&VerificationWarning::ComparePortrait));
    assert!(r.issuer_name.is_some());
    let debug = format!("{r:?}");
    assert!(!debug.contains(&citizen.id_number), "{debug}");
    assert!(!debug.contains(&citizen.full_name), "{debug}");

    let r = verifier.verify(qr.payload.clone(), None);
    assert_eq!(
        (r.verdict, r.reason),
        (VerdictClass::Reject, VerificationReason::Replayed)
    );
    let r = verifier.verify(tamper(&qr.payload), None);
    assert_eq!(r.verdict, VerdictClass::Reject, "{r:?}");
    assert!(r.claims.is_empty());

    // Two-way flow: the counter signs a request, the phone checks it and answers.
    let signer = RequestSigner::new(hex(TEST_VERIFIER_SCALAR_HEX)).unwrap();
    let request = signer
        .create_request(
            "sen-vang-counter-1".into(),
            PresentationPreset::HotelCheckIn,
            120,
            None,
        )
        .unwrap();
    assert!(request.payload.starts_with("VR1:"));
    let err = VerifierRequest::new(request.payload.clone(), trust.clone(), vec![2; 33], None)
        .unwrap_err();
    assert_eq!(code_of(&err), ErrorCode::VerifierDataInvalid);
    let err =
        VerifierRequest::new("VR1:XYZ".into(), trust.clone(), hex(ANCHOR_HEX), None).unwrap_err();
    assert_eq!(code_of(&err), ErrorCode::RequestInvalid);
    let stranger = RequestSigner::new(vec![7; 32])
        .unwrap()
        .create_request("x".into(), PresentationPreset::HotelCheckIn, 120, None)
        .unwrap();
    let err =
        VerifierRequest::new(stranger.payload, trust.clone(), hex(ANCHOR_HEX), None).unwrap_err();
    assert_eq!(code_of(&err), ErrorCode::RequestInvalid);

    let asked = VerifierRequest::new(
        request.payload.clone(),
        trust.clone(),
        hex(ANCHOR_HEX),
        None,
    )
    .unwrap();
    assert_eq!(
        asked.verifier_name(),
        vneid_backend::issuer::TEST_VERIFIER_NAME
    );
    assert_eq!(asked.audience(), "sen-vang-counter-1");
    assert_eq!(
        asked.requested_claims(),
        preset_claims(PresentationPreset::HotelCheckIn)
    );
    let answer = rt.block_on(core.present_for_request(asked)).unwrap();
    let list_id = presentation_status_list_id(answer.payload.clone()).unwrap();
    verifier
        .update_status_list(rt.block_on(api.status_list(list_id)).unwrap())
        .unwrap();
    let mut other = request.clone();
    other.nonce = vec![0; 16];
    let r = verifier.verify_answer(answer.payload.clone(), other, None);
    assert_eq!(r.reason, VerificationReason::WrongNonce);
    // Checked as a one-way QR, the audience it was signed for is missing.
    let r = verifier.verify(answer.payload.clone(), None);
    assert_eq!(r.verdict, VerdictClass::Reject, "{r:?}");
    let r = verifier.verify_answer(answer.payload.clone(), request, None);
    assert_eq!(
        (r.verdict, r.reason),
        (VerdictClass::Accept, VerificationReason::Verified),
        "{r:?}"
    );
    assert_eq!(r.claims.len(), 5);

    let history = core.disclosure_history().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].preset, "identity_check");
    assert_eq!(history[0].verifier, None);
    assert!(!history[0].nonce_bound);
    assert_eq!(
        history[1].verifier.as_deref(),
        Some(vneid_backend::issuer::TEST_VERIFIER_NAME)
    );
    assert!(history[1].nonce_bound);
    assert_eq!(history[1].claims.len(), 5);

    let refreshed = rt.block_on(core.refresh_credentials()).unwrap();
    assert_eq!(refreshed.len(), 2);
}

trait TestConfig {
    fn default_for_tests() -> Self;
}

impl TestConfig for VerifierConfig {
    fn default_for_tests() -> Self {
        VerifierConfig {
            clock_skew_seconds: 300,
            validity_window_seconds: 60,
            status_list_max_age_seconds: 600,
            replay_cache_capacity: 100,
            trust_list_warn_after_seconds: 7 * 86_400,
            trust_list_refuse_after_seconds: 30 * 86_400,
        }
    }
}
