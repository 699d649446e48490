//! Counter side: the [`Verifier`] object (trust list, status lists, replay cache) turning
//! scanned QR text into a typed verdict, and [`RequestSigner`] for the two-way flow's request
//! QR. Conversions only; the checks are in `vneid_credential::verify`.
//!
//! Everything here is synchronous: a verification is pure CPU (about 0.1 ms). The replay
//! cache and status lists sit behind one mutex that is never held while calling foreign code.

use crate::claims::{ClaimInfo, PresentationPreset, claim_info};
use crate::error::ErrorCode;
use crate::error::VneidError;
use crate::now_or;
use crate::trust::data_invalid;
use std::sync::{Arc, Mutex, PoisonError};
use vneid_wallet::WalletError;
use vneid_wallet::api_client::ApiClient;
use vneid_wallet::credential::claims::{ClaimValue, Registry, Sex};
use vneid_wallet::credential::cose::{PublicKey, SigningKey};
use vneid_wallet::credential::presentation::unverified_status_ref;
use vneid_wallet::credential::qr::render_matrix;
use vneid_wallet::credential::request::{NONCE_LEN, Request};
use vneid_wallet::credential::trust::{
    Freshness, FreshnessPolicy, StatusList, StatusLists, TrustList,
};
use vneid_wallet::credential::verify::{
    self as core, Fixable, Reject, ReplayCache, Verdict, VerifyPolicy, Warning,
};

/// The status list a presentation names (unverified: only to know which list to fetch).
#[uniffi::export]
pub fn presentation_status_list_id(payload_text: String) -> Option<u32> {
    unverified_status_ref(&payload_text).map(|s| s.list)
}

/// Where a credential's revocation bit lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct StatusEntry {
    pub list_id: u32,
    pub index: u32,
}

/// The status entry a presentation names (unverified: for fetching the list, and for the
/// holder's own records).
#[uniffi::export]
pub fn presentation_status_entry(payload_text: String) -> Option<StatusEntry> {
    unverified_status_ref(&payload_text).map(|s| StatusEntry {
        list_id: s.list,
        index: s.index,
    })
}

/// The counter's tolerances.
#[derive(Debug, Clone, uniffi::Record)]
pub struct VerifierConfig {
    /// Allowed clock difference between phone and counter, both ways.
    #[uniffi(default = 300)]
    pub clock_skew_seconds: u64,
    /// How long after its timestamp a presentation is accepted.
    #[uniffi(default = 60)]
    pub validity_window_seconds: u64,
    /// The counter's cap on a status list's age (the list's own time to live applies too).
    #[uniffi(default = 86400)]
    pub status_list_max_age_seconds: u64,
    /// Most presentations remembered for replay detection.
    #[uniffi(default = 10000)]
    pub replay_cache_capacity: u32,
    /// Trust-list age after which accepted results carry a "refresh the trust list" warning
    /// (default 7 days).
    #[uniffi(default = 604800)]
    pub trust_list_warn_after_seconds: u64,
    /// Trust-list age after which every scan is amber `TRUST_LIST_STALE` until the list is
    /// refreshed (default 30 days).
    #[uniffi(default = 2592000)]
    pub trust_list_refuse_after_seconds: u64,
}

impl VerifierConfig {
    fn freshness(&self) -> FreshnessPolicy {
        FreshnessPolicy {
            warn_after: self.trust_list_warn_after_seconds,
            refuse_after: self
                .trust_list_refuse_after_seconds
                .max(self.trust_list_warn_after_seconds),
        }
    }
}

/// Green, amber or red.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum VerdictClass {
    /// Genuine, current, the holder's: accept.
    Accept,
    /// Retry after doing something (fresh QR, refresh lists, fix a clock, rescan).
    Fixable,
    /// Do not accept.
    Reject,
}

/// The precise reason, for counter staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum VerificationReason {
    /// Accepted.
    Verified,
    /// Not a readable VN1 payload: rescan.
    Unreadable,
    /// Older than the validity window: ask for a fresh QR.
    PresentationExpired,
    /// Timestamp in the future beyond tolerance: a clock is wrong.
    ClockSkew,
    /// The counter's trust list is too old: refresh it.
    TrustListStale,
    /// No fresh status list covers the credential: refresh status lists.
    StatusUnknown,
    /// A claim the counter needs was not disclosed: ask for another preset.
    RequiredClaimMissing,
    Malformed,
    Oversized,
    UnknownIssuer,
    BadIssuerSignature,
    IssuerNotAuthorized,
    /// Disclosed data do not match the signed credential: tampered.
    AlteredData,
    /// The device signature does not verify (another phone, or altered).
    BadHolderSignature,
    WrongNonce,
    /// The same presentation was already accepted inside its window.
    Replayed,
    CredentialExpired,
    CredentialNotYetValid,
    Revoked,
}

/// Something staff should know on a green result.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum VerificationWarning {
    /// The trust list is older than a week: refresh it.
    TrustListAging { days: u64 },
    /// A portrait digest was disclosed: compare it with a photo from the chip or a lookup.
    ComparePortrait,
}

/// A verified claim. `value` is personal data: `Debug` does not print it.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct VerifiedClaim {
    pub claim: ClaimInfo,
    /// Text form: dates `YYYY-MM-DD`, date ranges `FROM/TO` (`FROM/..` without end), sex
    /// `male`/`female`/`not_known`/`not_applicable`, booleans `true`/`false`, digests
    /// lowercase hex; null when the credential records no value.
    pub value: Option<String>,
}

impl std::fmt::Debug for VerifiedClaim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifiedClaim")
            .field("claim", &self.claim.name)
            .finish_non_exhaustive()
    }
}

fn iso(d: vneid_wallet::credential::claims::Date) -> String {
    let (y, m, day) = d.ymd();
    format!("{y:04}-{m:02}-{day:02}")
}

fn value_text(v: &ClaimValue) -> Option<String> {
    Some(match v {
        ClaimValue::Text(s) | ClaimValue::Digits(s) => s.clone(),
        ClaimValue::Date(d) => iso(*d),
        ClaimValue::DateRange(a, b) => {
            format!("{}/{}", iso(*a), b.map_or_else(|| "..".to_owned(), iso))
        }
        ClaimValue::Sex(s) => match s {
            Sex::NotKnown => "not_known",
            Sex::Male => "male",
            Sex::Female => "female",
            Sex::NotApplicable => "not_applicable",
        }
        .to_owned(),
        ClaimValue::Bool(b) => b.to_string(),
        ClaimValue::Digest(d) => d.iter().map(|b| format!("{b:02x}")).collect(),
        ClaimValue::Absent => return None,
    })
}

/// The outcome of one scan. Claims are present only when `verdict` is `Accept`.
#[derive(Clone, uniffi::Record)]
pub struct VerificationResult {
    pub verdict: VerdictClass,
    pub reason: VerificationReason,
    /// More about the reason (which field is malformed, which claim is missing, how many
    /// days old the trust list is); never personal data.
    pub detail: Option<String>,
    /// Issuing authority from the trust list.
    pub issuer_name: Option<String>,
    pub credential_type: Option<u16>,
    /// Level-2 upgrade (issue 3): for an identity, the account level behind it — 2 for the
    /// electronic ID (chip ID card verified), 1 for the core ID (population database only).
    pub identity_level: Option<u8>,
    /// The phone's timestamp.
    pub presented_at: Option<u64>,
    /// The counter's time of the check (Unix seconds).
    pub checked_at: u64,
    pub credential_expires_at: Option<u64>,
    pub claims: Vec<VerifiedClaim>,
    pub warnings: Vec<VerificationWarning>,
    /// Photo profile: the face image (grayscale JPEG, about 1 KB) the QR carried, already
    /// checked against the issuer-signed portrait digest. Show it to compare with the person.
    pub photo: Option<Vec<u8>>,
}

impl std::fmt::Debug for VerificationResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerificationResult")
            .field("verdict", &self.verdict)
            .field("reason", &self.reason)
            .field("detail", &self.detail)
            .field("checked_at", &self.checked_at)
            .finish_non_exhaustive()
    }
}

fn not_accepted(
    verdict: VerdictClass,
    reason: VerificationReason,
    detail: Option<String>,
    checked_at: u64,
) -> VerificationResult {
    VerificationResult {
        verdict,
        reason,
        detail,
        issuer_name: None,
        credential_type: None,
        identity_level: None,
        presented_at: None,
        checked_at,
        credential_expires_at: None,
        claims: Vec::new(),
        warnings: Vec::new(),
        photo: None,
    }
}

fn result_of(verdict: Verdict, checked_at: u64) -> VerificationResult {
    use VerificationReason as R;
    match verdict {
        Verdict::Accept(v) => VerificationResult {
            verdict: VerdictClass::Accept,
            reason: R::Verified,
            detail: None,
            issuer_name: Some(v.issuer_name),
            credential_type: Some(v.credential_type),
            identity_level: vneid_wallet::credential::claims::identity_level(v.credential_type),
            presented_at: Some(v.presented_at),
            checked_at: v.checked_at,
            credential_expires_at: Some(v.credential_expires),
            claims: v
                .claims
                .iter()
                .map(|(k, val)| VerifiedClaim {
                    claim: claim_info(*k),
                    value: value_text(val),
                })
                .collect(),
            warnings: v
                .warnings
                .into_iter()
                .map(|w| match w {
                    Warning::TrustListAging { days } => {
                        VerificationWarning::TrustListAging { days }
                    }
                    Warning::ComparePortrait => VerificationWarning::ComparePortrait,
                })
                .collect(),
            photo: v.photo,
        },
        Verdict::Fixable(f) => {
            let (reason, detail) = match f {
                Fixable::Unreadable => (R::Unreadable, None),
                Fixable::PresentationExpired => (R::PresentationExpired, None),
                Fixable::ClockSkew => (R::ClockSkew, None),
                Fixable::TrustListStale { days } => {
                    (R::TrustListStale, Some(format!("{days} days old")))
                }
                Fixable::StatusUnknown => (R::StatusUnknown, None),
                Fixable::RequiredClaimMissing(k) => {
                    (R::RequiredClaimMissing, Some(claim_info(k).name))
                }
            };
            not_accepted(VerdictClass::Fixable, reason, detail, checked_at)
        }
        Verdict::Reject(r) => {
            let (reason, detail) = match r {
                Reject::Malformed(w) => (R::Malformed, Some(w.to_owned())),
                Reject::Oversized(w) => (R::Oversized, Some(w.to_owned())),
                Reject::UnknownIssuer => (R::UnknownIssuer, None),
                Reject::BadIssuerSignature => (R::BadIssuerSignature, None),
                Reject::IssuerNotAuthorized => (R::IssuerNotAuthorized, None),
                Reject::AlteredData => (R::AlteredData, None),
                Reject::BadHolderSignature => (R::BadHolderSignature, None),
                Reject::WrongNonce => (R::WrongNonce, None),
                Reject::Replayed => (R::Replayed, None),
                Reject::CredentialExpired => (R::CredentialExpired, None),
                Reject::CredentialNotYetValid => (R::CredentialNotYetValid, None),
                Reject::Revoked => (R::Revoked, None),
            };
            not_accepted(VerdictClass::Reject, reason, detail, checked_at)
        }
    }
}

struct CounterState {
    trust: TrustList,
    status: StatusLists,
    replay: ReplayCache,
}

/// How old the counter's trust list is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ListAge {
    /// Within the warning age.
    Fresh,
    /// Usable; results carry a warning until it is refreshed.
    Aging,
    /// Too old: every scan is amber `TRUST_LIST_STALE` until it is refreshed.
    Stale,
}

/// The trust list the counter holds.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TrustListInfo {
    /// Monotonic: an older list never replaces a newer one.
    pub sequence: u64,
    /// When the backend signed it (Unix seconds).
    pub issued_at: u64,
    /// Whole days since then, at the time asked.
    pub age_days: u64,
    pub age: ListAge,
}

/// One status list the counter holds.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct StatusListInfo {
    pub list_id: u32,
    /// When the issuer signed it (Unix seconds).
    pub issued_at: u64,
    /// After this (the list's time to live capped by the counter's own maximum age) scans of
    /// credentials in it are amber `STATUS_UNKNOWN` until it is refreshed.
    pub usable_until: u64,
}

/// What the counter holds after an update.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct VerifierLists {
    pub trust_list: TrustListInfo,
    pub status_lists: Vec<StatusListInfo>,
}

/// A counter's verifier: the trust list verified against the pinned anchor, the status lists
/// (both replaceable by newer signed ones, from bytes or from the backend), and the replay
/// cache.
#[derive(uniffi::Object)]
pub struct Verifier {
    registry: Registry,
    anchor: PublicKey,
    freshness: FreshnessPolicy,
    policy: VerifyPolicy,
    state: Mutex<CounterState>,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

fn trust_info(t: &TrustList, now: u64) -> TrustListInfo {
    let (age, age_days) = match t.freshness(now) {
        Freshness::Fresh => (ListAge::Fresh, now.saturating_sub(t.issued_at) / 86_400),
        Freshness::Aging { days } => (ListAge::Aging, days),
        Freshness::Stale { days } => (ListAge::Stale, days),
    };
    TrustListInfo {
        sequence: t.sequence,
        issued_at: t.issued_at,
        age_days,
        age,
    }
}

impl Verifier {
    fn lock(&self) -> std::sync::MutexGuard<'_, CounterState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn check(
        &self,
        text: &str,
        policy: &VerifyPolicy,
        now_unix: Option<u64>,
    ) -> VerificationResult {
        let now = now_or(now_unix);
        let mut state = self.lock();
        let state = &mut *state;
        let verifier = core::Verifier {
            registry: &self.registry,
            trust: &state.trust,
            status: &state.status,
            policy,
        };
        result_of(verifier.verify_text(text, now, &mut state.replay), now)
    }

    fn verified_trust_list(&self, bytes: &[u8]) -> Result<TrustList, VneidError> {
        TrustList::verify(bytes, std::slice::from_ref(&self.anchor), self.freshness)
            .map_err(|_| data_invalid())
    }

    /// Replaces the trust list unless the new one is older (a replayed old list could
    /// re-admit a withdrawn issuer key).
    fn install_trust_list(state: &mut CounterState, list: TrustList) -> Result<(), VneidError> {
        if list.sequence < state.trust.sequence {
            return Err(data_invalid());
        }
        state.trust = list;
        Ok(())
    }

    fn lists_info(&self, now: u64) -> VerifierLists {
        let state = self.lock();
        let mut status_lists: Vec<StatusListInfo> = state
            .status
            .lists()
            .map(|l| StatusListInfo {
                list_id: l.list_id,
                issued_at: l.issued_at,
                usable_until: state.status.usable_until(l),
            })
            .collect();
        status_lists.sort_by_key(|l| l.list_id);
        VerifierLists {
            trust_list: trust_info(&state.trust, now),
            status_lists,
        }
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl Verifier {
    /// `trust_list`: the signed trust list (`GET /v1/trust-list`, the `signed` field decoded
    /// from base64url); `anchor_public_key`: the pinned trust-list anchor (SEC1). A list or
    /// key that does not verify is `VERIFIER_DATA_INVALID`.
    #[uniffi::constructor]
    pub fn new(
        trust_list: Vec<u8>,
        anchor_public_key: Vec<u8>,
        config: VerifierConfig,
    ) -> Result<Arc<Self>, VneidError> {
        let anchor = PublicKey::from_sec1(&anchor_public_key).map_err(|_| data_invalid())?;
        let freshness = config.freshness();
        let trust = TrustList::verify(&trust_list, std::slice::from_ref(&anchor), freshness)
            .map_err(|_| data_invalid())?;
        let policy = VerifyPolicy {
            clock_skew: config.clock_skew_seconds,
            validity_window: config.validity_window_seconds,
            ..VerifyPolicy::default()
        };
        Ok(Arc::new(Self {
            registry: Registry::builtin(),
            anchor,
            freshness,
            policy,
            state: Mutex::new(CounterState {
                trust,
                status: StatusLists::new(config.status_list_max_age_seconds),
                replay: ReplayCache::new(config.replay_cache_capacity as usize),
            }),
        }))
    }

    /// Replaces the trust list with a newer signed one (same source and format as for the
    /// constructor). One that does not verify against the pinned anchor, or is older than the
    /// list held, is `VERIFIER_DATA_INVALID` and changes nothing.
    pub fn update_trust_list(&self, trust_list: Vec<u8>) -> Result<TrustListInfo, VneidError> {
        let list = self.verified_trust_list(&trust_list)?;
        let mut state = self.lock();
        Self::install_trust_list(&mut state, list)?;
        Ok(trust_info(&state.trust, now_or(None)))
    }

    /// Adds or replaces a signed status list (`GET /v1/status-lists/{id}`, decoded), verified
    /// against the trust list. Returns its id. A list that does not verify is
    /// `VERIFIER_DATA_INVALID`.
    pub fn update_status_list(&self, status_list: Vec<u8>) -> Result<u32, VneidError> {
        let mut state = self.lock();
        let list = StatusList::verify(&status_list, &state.trust).map_err(|_| data_invalid())?;
        let id = list.list_id;
        state.status.insert(list);
        Ok(id)
    }

    /// Fetches the trust list and status lists from the backend and installs them: the
    /// status lists already held plus `status_list_ids` (e.g. the list a scanned QR names,
    /// `presentation_status_list_id`). Everything is verified before anything is replaced;
    /// a network failure leaves the lists held as they were.
    pub async fn refresh_from_backend(
        &self,
        backend_url: String,
        status_list_ids: Vec<u32>,
    ) -> Result<VerifierLists, VneidError> {
        let api = ApiClient::new(&backend_url, std::time::Duration::from_secs(20))
            .map_err(|e| VneidError::from(WalletError::Api(e)))?;
        let api_err = |e| VneidError::from(WalletError::Api(e));
        let trust = self.verified_trust_list(&api.trust_list().await.map_err(api_err)?)?;
        let mut ids: Vec<u32> = self.lock().status.lists().map(|l| l.list_id).collect();
        ids.extend(status_list_ids);
        ids.sort_unstable();
        ids.dedup();
        let mut lists = Vec::with_capacity(ids.len());
        for id in ids {
            let bytes = api.status_list(id).await.map_err(api_err)?;
            lists.push(StatusList::verify(&bytes, &trust).map_err(|_| data_invalid())?);
        }
        {
            let mut state = self.lock();
            Self::install_trust_list(&mut state, trust)?;
            for l in lists {
                state.status.insert(l);
            }
        }
        Ok(self.lists_info(now_or(None)))
    }

    /// The lists held and their age at `now_unix` (null for the system clock).
    pub fn lists(&self, now_unix: Option<u64>) -> VerifierLists {
        self.lists_info(now_or(now_unix))
    }

    /// Verifies scanned QR text (one-way flow). `now_unix`: null for the system clock.
    pub fn verify(&self, payload_text: String, now_unix: Option<u64>) -> VerificationResult {
        self.check(&payload_text, &self.policy, now_unix)
    }

    /// Verifies the answer to this counter's request (two-way flow): it must be bound to the
    /// request's `nonce` and `audience`.
    pub fn verify_answer(
        &self,
        payload_text: String,
        request: CounterRequest,
        now_unix: Option<u64>,
    ) -> VerificationResult {
        let policy = VerifyPolicy {
            expected_nonce: Some(request.nonce),
            audience: Some(request.audience),
            ..self.policy.clone()
        };
        self.check(&payload_text, &policy, now_unix)
    }
}

/// A request QR this counter shows (two-way flow); keep it to check the answer.
#[derive(Debug, Clone, uniffi::Record)]
pub struct CounterRequest {
    /// `VR1:` + Base45: what the QR encodes.
    pub payload: String,
    pub qr_version: u8,
    pub qr_width: u32,
    /// Row-major modules, `qr_width * qr_width`, true = dark.
    pub modules: Vec<bool>,
    /// The request's fresh nonce (16 bytes).
    pub nonce: Vec<u8>,
    /// The verifier identity the holder signs for.
    pub audience: String,
    pub expires_at: u64,
}

/// A registered verifier's signing key, signing request QRs (two-way flow).
#[derive(uniffi::Object)]
pub struct RequestSigner {
    key: SigningKey,
}

impl std::fmt::Debug for RequestSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestSigner").finish_non_exhaustive()
    }
}

#[uniffi::export]
impl RequestSigner {
    /// `private_key`: a PKCS#8 P-256 key, or a raw 32-byte scalar (test keys). The public key
    /// must be registered in the trust list as a verifier. A bad key is
    /// `VERIFIER_DATA_INVALID`.
    #[uniffi::constructor]
    pub fn new(private_key: Vec<u8>) -> Result<Arc<Self>, VneidError> {
        let key = match <&[u8; 32]>::try_from(private_key.as_slice()) {
            Ok(scalar) => SigningKey::from_secret_scalar(scalar),
            Err(_) => SigningKey::from_pkcs8(&private_key),
        }
        .map_err(|_| data_invalid())?;
        Ok(Arc::new(Self { key }))
    }

    /// A signed request for the claims of `preset`, valid `validity_seconds` from `now_unix`
    /// (null for the system clock), under a fresh random nonce.
    pub fn create_request(
        &self,
        audience: String,
        preset: PresentationPreset,
        validity_seconds: u64,
        now_unix: Option<u64>,
    ) -> Result<CounterRequest, VneidError> {
        let internal = |_| VneidError::from_code(ErrorCode::Internal, None, None);
        let now = now_or(now_unix);
        let nonce: [u8; NONCE_LEN] = vneid_wallet::crypto::random_bytes().map_err(internal)?;
        let p = preset.core();
        let request = Request {
            nonce,
            audience,
            credential_type: p.credential_type,
            claims: p.claims.to_vec(),
            issued_at: now,
            expires_at: now.saturating_add(validity_seconds),
        };
        let payload = request
            .to_qr_text(&self.key)
            .map_err(|_| VneidError::from_code(ErrorCode::Internal, None, None))?;
        let qr = render_matrix(&payload)
            .map_err(|_| VneidError::from_code(ErrorCode::RequestInvalid, None, None))?;
        Ok(CounterRequest {
            payload,
            qr_version: u8::try_from(qr.version).unwrap_or(0),
            qr_width: u32::try_from(qr.width).unwrap_or(0),
            modules: qr.modules,
            nonce: request.nonce.to_vec(),
            audience: request.audience,
            expires_at: request.expires_at,
        })
    }
}
