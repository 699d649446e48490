//! The [`Verifier`] object a counter holds: its tolerances ([`VerifierConfig`]), the pinned
//! anchor, and the mutable state (trust list, status lists, replay cache) behind one mutex.
//! Installs newer signed lists (from bytes or from the backend) and verifies scans of both
//! flows, turning the core's verdict into a [`VerificationResult`].

use super::lists::{StatusListInfo, TrustListInfo, VerifierLists, trust_info};
use super::request::CounterRequest;
use super::verdict::{VerificationResult, result_of};
use crate::error::VneidError;
use crate::now_or;
use crate::trust::data_invalid;
use std::sync::{Arc, Mutex, PoisonError};
use vneid_wallet::WalletError;
use vneid_wallet::api_client::ApiClient;
use vneid_wallet::credential::claims::Registry;
use vneid_wallet::credential::cose::PublicKey;
use vneid_wallet::credential::trust::{FreshnessPolicy, StatusList, StatusLists, TrustList};
use vneid_wallet::credential::verify::{self as core, ReplayCache, VerifyPolicy};

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

struct CounterState {
    trust: TrustList,
    status: StatusLists,
    replay: ReplayCache,
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
