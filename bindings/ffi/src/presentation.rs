//! Holder side of presentations: credentials in the wallet, QR presentations of a preset or
//! for a verifier's request, the disclosure history. Conversions only; the logic is in
//! `vneid_wallet` and `vneid_credential`.

use crate::claims::{ClaimInfo, PresentationPreset, claim_info};
use crate::error::ErrorCode;
use crate::error::VneidError;
use crate::now_or;
use crate::trust::trust_list_from;
use crate::wallet::WalletCore;
use std::sync::Arc;
use vneid_wallet::WalletError;
use vneid_wallet::credential::claims::Registry;
use vneid_wallet::credential::request::{RequestError, VerifiedRequest, verify_request};

/// Clock difference tolerated between the counter that signed a request and this phone.
const REQUEST_CLOCK_SKEW: u64 = 300;

/// A QR ready to show. `payload` carries disclosed personal data: never log it.
#[derive(Clone, uniffi::Record)]
pub struct PresentationQr {
    /// `VN1:` + Base45: what the QR encodes.
    pub payload: String,
    /// QR version (1–40), error correction level M.
    pub qr_version: u8,
    /// Modules per side.
    pub qr_width: u32,
    /// Row-major modules, `qr_width * qr_width` of them, true = dark.
    pub modules: Vec<bool>,
    /// Unix seconds after which verifiers refuse it: show a fresh one before then.
    pub expires_at: u64,
    pub credential_type: u16,
    pub disclosed_claims: Vec<ClaimInfo>,
}

impl std::fmt::Debug for PresentationQr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PresentationQr")
            .field("qr_version", &self.qr_version)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl From<vneid_wallet::Presentation> for PresentationQr {
    fn from(p: vneid_wallet::Presentation) -> Self {
        Self {
            qr_version: u8::try_from(p.qr.version).unwrap_or(0),
            qr_width: u32::try_from(p.qr.width).unwrap_or(0),
            modules: p.qr.modules,
            payload: p.text,
            expires_at: p.valid_until,
            credential_type: p.credential_type,
            disclosed_claims: p.disclosed.iter().map(|k| claim_info(*k)).collect(),
        }
    }
}

/// What the wallet holds of one credential type.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CredentialSummary {
    pub credential_type: u16,
    pub copies: u32,
    /// Copies never presented.
    pub unused: u32,
    /// Latest expiry among the copies (Unix seconds).
    pub expires_at: u64,
}

impl From<vneid_wallet::CredentialSummary> for CredentialSummary {
    fn from(s: vneid_wallet::CredentialSummary) -> Self {
        Self {
            credential_type: s.credential_type,
            copies: u32::try_from(s.copies).unwrap_or(u32::MAX),
            unused: u32::try_from(s.unused).unwrap_or(u32::MAX),
            expires_at: s.expires_at,
        }
    }
}

/// One entry of the citizen's disclosure history.
#[derive(Clone, uniffi::Record)]
pub struct DisclosureRecord {
    /// Unix seconds, by the phone's clock.
    pub at: u64,
    /// Preset name, e.g. `identity_check`, or `verifier_request` for the two-way flow.
    pub preset: String,
    pub credential_type: u16,
    pub claims: Vec<ClaimInfo>,
    /// The registered verifier's name (two-way flow); null when the QR was shown without a
    /// request (anyone who scanned it may have read it).
    pub verifier: Option<String>,
    /// True when the presentation was bound to a verifier's nonce.
    pub nonce_bound: bool,
}

impl std::fmt::Debug for DisclosureRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DisclosureRecord")
            .field("at", &self.at)
            .field("preset", &self.preset)
            .finish_non_exhaustive()
    }
}

impl From<vneid_wallet::DisclosureRecord> for DisclosureRecord {
    fn from(r: vneid_wallet::DisclosureRecord) -> Self {
        Self {
            at: r.at,
            preset: r.preset,
            credential_type: r.credential_type,
            claims: r.claims.iter().map(|k| claim_info(*k)).collect(),
            verifier: r.verifier,
            nonce_bound: r.nonce_bound,
        }
    }
}

/// A verifier's request QR (two-way flow), checked against the trust list: show the citizen
/// who asks (`verifier_name`, from the trust list, not from the QR) and for what, then answer
/// with [`WalletCore::present_for_request`].
#[derive(uniffi::Object)]
pub struct VerifierRequest {
    verified: VerifiedRequest,
}

impl std::fmt::Debug for VerifierRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifierRequest").finish_non_exhaustive()
    }
}

fn request_error(_: RequestError) -> VneidError {
    VneidError::from_code(ErrorCode::RequestInvalid, None, None)
}

#[uniffi::export]
impl VerifierRequest {
    /// Checks a scanned `VR1:` request: signed by a verifier key registered in the trust list
    /// (`trust_list`: the signed list from `GET /v1/trust-list`, verified against the pinned
    /// `anchor_public_key`, SEC1), not expired, asking for claims that exist. `now_unix`:
    /// null for the phone's clock. A bad trust list or anchor is `VERIFIER_DATA_INVALID`,
    /// a bad request `REQUEST_INVALID`.
    #[uniffi::constructor]
    pub fn new(
        request_text: String,
        trust_list: Vec<u8>,
        anchor_public_key: Vec<u8>,
        now_unix: Option<u64>,
    ) -> Result<Arc<Self>, VneidError> {
        let trust = trust_list_from(&trust_list, &anchor_public_key)?;
        let verified = verify_request(
            &request_text,
            &trust,
            &Registry::builtin(),
            now_or(now_unix),
            REQUEST_CLOCK_SKEW,
        )
        .map_err(request_error)?;
        Ok(Arc::new(Self { verified }))
    }

    /// The verifier's registered name (from the trust list).
    pub fn verifier_name(&self) -> String {
        self.verified.verifier_name.clone()
    }

    /// The verifier identity the answer is signed for.
    pub fn audience(&self) -> String {
        self.verified.request.audience.clone()
    }

    pub fn credential_type(&self) -> u16 {
        self.verified.request.credential_type
    }

    /// What the verifier asks for.
    pub fn requested_claims(&self) -> Vec<ClaimInfo> {
        self.verified
            .request
            .claims
            .iter()
            .map(|k| claim_info(*k))
            .collect()
    }

    /// Unix seconds after which the request is no longer answered.
    pub fn expires_at(&self) -> u64 {
        self.verified.request.expires_at
    }
}

/// A blocking task that panicked or was aborted.
fn join_error(e: tokio::task::JoinError) -> WalletError {
    WalletError::Internal(e.to_string())
}

#[uniffi::export(async_runtime = "tokio")]
impl WalletCore {
    /// Fetches a new batch of every credential type the wallet keeps (each copy bound to a
    /// new secure-area key). Returns what the wallet now holds.
    pub async fn fetch_credentials(&self) -> Result<Vec<CredentialSummary>, VneidError> {
        self.run(|w| async move { w.fetch_credentials().await })
            .await
            .map(|v| v.into_iter().map(Into::into).collect())
    }

    /// What the wallet holds, per credential type.
    pub fn credentials(&self) -> Result<Vec<CredentialSummary>, VneidError> {
        Ok(self
            .wallet
            .credentials()?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// True when copies are running out or expire within a week: call
    /// `refresh_credentials` when online.
    pub fn credentials_need_refresh(&self) -> Result<bool, VneidError> {
        Ok(!self.wallet.needs_refresh()?.is_empty())
    }

    /// Fetches new copies for the types that need them and deletes the stale ones. Returns
    /// what the wallet now holds.
    pub async fn refresh_credentials(&self) -> Result<Vec<CredentialSummary>, VneidError> {
        self.run(|w| async move {
            w.refresh_credentials().await?;
            w.credentials()
        })
        .await
        .map(|v| v.into_iter().map(Into::into).collect())
    }

    /// Builds the QR for `preset` (one-way flow) and records the disclosure. Calling it is
    /// the citizen's consent. Signs with the secure area (off the async threads).
    pub async fn present(&self, preset: PresentationPreset) -> Result<PresentationQr, VneidError> {
        let preset = preset.core();
        self.run(move |w| async move {
            tokio::task::spawn_blocking(move || w.present(preset, None))
                .await
                .map_err(join_error)?
        })
        .await
        .map(Into::into)
    }

    /// Photo profile: as `present`, with the copy's face thumbnail (about 1 KB, bound to the
    /// signed portrait digest) in the QR: about 1,900 characters, QR version ≈ 30 instead of
    /// 15. Only presets that disclose the portrait digest (identity check); otherwise, or for
    /// a copy without a thumbnail, `PRESENTATION_FAILED`.
    pub async fn present_with_photo(
        &self,
        preset: PresentationPreset,
    ) -> Result<PresentationQr, VneidError> {
        let preset = preset.core();
        self.run(move |w| async move {
            tokio::task::spawn_blocking(move || w.present_with_photo(preset, None))
                .await
                .map_err(join_error)?
        })
        .await
        .map(Into::into)
    }

    /// Two-way flow: answers a checked request with exactly the requested claims, bound to
    /// its nonce and audience; the history records the verifier's registered name.
    pub async fn present_for_request(
        &self,
        request: Arc<VerifierRequest>,
    ) -> Result<PresentationQr, VneidError> {
        self.run(move |w| async move {
            tokio::task::spawn_blocking(move || w.present_for_request(&request.verified))
                .await
                .map_err(join_error)?
        })
        .await
        .map(Into::into)
    }

    /// What the citizen disclosed, oldest first.
    pub fn disclosure_history(&self) -> Result<Vec<DisclosureRecord>, VneidError> {
        Ok(self
            .wallet
            .disclosure_history()?
            .into_iter()
            .map(Into::into)
            .collect())
    }
}
