//! After submission: status polling with a notification hook, the citizen's answer to the
//! office's questions, payment, and the electronic certificate as a credential.

use super::error::{FieldError, FieldErrorKind, JudicialError, api_error};
use super::outbox::JudicialRequestInfo;
use super::payment::{PaymentGateway, PaymentOrder};
use super::store::{self as js, HistoryEntry, HistoryKind, LocalState, RequestRow};
use crate::Wallet;
use crate::clock::now_unix;
use crate::error::{CredentialRejection, WalletError};
use crate::store as ws;
use crate::wallet::{BATCH_SIZE, CredentialSummary, Presentation, open_received_copy};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use std::sync::Arc;
use vneid_api::judicial::{
    JudicialCertificateRequest, JudicialEvent, JudicialRequestView, JudicialStatus,
};
use vneid_credential::claims::{PRESET_JUDICIAL_RECORD, Registry, types};
use vneid_credential::trust::TrustList;

/// One office step the wallet learnt about.
#[derive(Clone, PartialEq, Eq)]
pub struct StatusChange {
    pub local_id: i64,
    pub status: JudicialStatus,
    /// Unix seconds (office clock).
    pub at: u64,
    /// The office's question or rejection reason.
    pub note: Option<String>,
}

impl std::fmt::Debug for StatusChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StatusChange")
            .field("local_id", &self.local_id)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

/// The app's notification hook (show a notification, refresh a screen). Called after the
/// change is stored, with no wallet lock held; it must return quickly.
pub trait JudicialStatusListener: Send + Sync {
    fn on_status_changed(&self, change: StatusChange);
}

/// A secure-area alias for one certificate copy (the credential rows' `cred-` scheme).
fn certificate_alias() -> Result<String, WalletError> {
    let bytes: [u8; 12] =
        crate::crypto::random_bytes().map_err(|e| WalletError::Internal(format!("rng: {e}")))?;
    Ok(format!(
        "cred-{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    ))
}

/// Longest answer to an office question (bytes).
pub const MAX_ANSWER: usize = 2000;

impl Wallet {
    /// Sets (or clears) the listener told about every new office step.
    pub fn set_judicial_listener(&self, listener: Option<Arc<dyn JudicialStatusListener>>) {
        if let Ok(hooks) = self.judicial_hooks()
            && let Ok(mut l) = hooks.listener.lock()
        {
            *l = listener;
        }
    }

    fn notify(&self, id: i64, events: &[JudicialEvent]) {
        let listener = self
            .judicial_hooks()
            .ok()
            .and_then(|h| h.listener.lock().ok().and_then(|l| l.clone()));
        if let Some(listener) = listener {
            for e in events {
                listener.on_status_changed(StatusChange {
                    local_id: id,
                    status: e.status,
                    at: e.at,
                    note: e.note.clone(),
                });
            }
        }
    }

    pub(super) fn record_and_notify(
        &self,
        id: i64,
        view: &JudicialRequestView,
        local: Option<HistoryKind>,
    ) -> Result<(), WalletError> {
        let new = self.record_view(id, view, local)?;
        self.notify(id, &new);
        Ok(())
    }

    /// The submitted row and its backend id, or `WrongState`.
    fn submitted(&self, id: i64) -> Result<(RequestRow, String, JudicialRequestView), WalletError> {
        self.require_session()?;
        let row = self
            .store()?
            .read(|c, _| js::load_row(c, id))?
            .ok_or(JudicialError::NotFound)?;
        let view: Option<JudicialRequestView> =
            self.store()?.read(|c, s| js::open_json(c, s, id, "view"))?;
        match (row.state, row.backend_id.clone(), view) {
            (LocalState::Submitted, Some(b), Some(v)) => Ok((row, b, v)),
            _ => Err(JudicialError::WrongState {
                state: row.state.as_str().to_owned(),
            }
            .into()),
        }
    }

    /// Polls: flushes the outbox, then asks the backend for every submitted request not yet
    /// delivered or rejected, stores what changed and tells the listener. Offline it returns
    /// what the wallet knows.
    pub async fn refresh_judicial(&self) -> Result<Vec<JudicialRequestInfo>, WalletError> {
        self.flush_judicial_outbox().await?;
        let rows = self.store()?.read(|c, _| js::list_rows(c))?;
        let open: Vec<(i64, String)> = rows
            .into_iter()
            .filter(|r| r.state == LocalState::Submitted)
            .filter(|r| !r.office_status.is_some_and(JudicialStatus::is_final))
            .filter_map(|r| r.backend_id.map(|b| (r.id, b)))
            .collect();
        if !open.is_empty() {
            let token = match self.access_token().await {
                Ok(t) => Some(t),
                Err(WalletError::Api(e)) if e.is_network() => None,
                Err(e) => return Err(e),
            };
            if let Some(token) = token {
                for (id, backend_id) in open {
                    match self.api.judicial_get(&token, &backend_id).await {
                        Ok(view) => self.record_and_notify(id, &view, None)?,
                        Err(e) if e.is_network() => break,
                        Err(e) => return Err(api_error(e)),
                    }
                }
            }
        }
        self.judicial_requests()
    }

    /// Answers the office's additional-information request.
    pub async fn answer_judicial(
        &self,
        id: i64,
        answer: &str,
    ) -> Result<JudicialRequestInfo, WalletError> {
        let answer = answer.trim();
        if answer.is_empty() {
            return Err(
                JudicialError::Field(FieldError::new("answer", FieldErrorKind::Required)).into(),
            );
        }
        if answer.len() > MAX_ANSWER || answer.chars().any(|c| c.is_control() && c != '\n') {
            return Err(
                JudicialError::Field(FieldError::new("answer", FieldErrorKind::Invalid)).into(),
            );
        }
        let (row, backend_id, view) = self.submitted(id)?;
        if view.status != JudicialStatus::AdditionalInfoNeeded {
            return Err(JudicialError::WrongState {
                state: format!("{:?}", view.status),
            }
            .into());
        }
        let token = self.access_token().await?;
        let view = self
            .api
            .judicial_answer(&token, &backend_id, answer)
            .await
            .map_err(api_error)?;
        self.record_and_notify(row.id, &view, Some(HistoryKind::Answered))?;
        self.judicial_request(id)
    }

    /// Pays the fee of a submitted request through `gateway` (called off the async threads:
    /// it may block while the citizen confirms), then hands the receipt to the backend.
    pub async fn pay_judicial(
        &self,
        id: i64,
        gateway: Arc<dyn PaymentGateway>,
    ) -> Result<JudicialRequestInfo, WalletError> {
        let (row, backend_id, view) = self.submitted(id)?;
        if view.paid || view.fee_vnd == 0 || view.status.is_final() {
            return Err(JudicialError::WrongState {
                state: if view.paid {
                    "paid".into()
                } else {
                    format!("{:?}", view.status)
                },
            }
            .into());
        }
        let order = PaymentOrder {
            order_ref: backend_id.clone(),
            amount_vnd: view.fee_vnd,
            description: format!("Phí cấp Phiếu lý lịch tư pháp {}", view.reference),
        };
        let o = order.clone();
        let receipt = tokio::task::spawn_blocking(move || gateway.pay(&o))
            .await
            .map_err(|e| WalletError::Internal(e.to_string()))?
            .map_err(|e| JudicialError::Payment(e.to_string()))?;
        if receipt.order_ref != order.order_ref || receipt.amount_vnd != order.amount_vnd {
            return Err(JudicialError::Payment("receipt for another order".into()).into());
        }
        let token = self.access_token().await?;
        let view = self
            .api
            .judicial_pay(&token, &backend_id, &receipt)
            .await
            .map_err(api_error)?;
        self.record_and_notify(row.id, &view, Some(HistoryKind::Paid))?;
        self.judicial_request(id)
    }

    /// Fetches the electronic certificate of a ready request: [`BATCH_SIZE`] copies, each
    /// bound to a new secure-area key and checked against it, stored like every credential
    /// (so [`Wallet::present_judicial_certificate`] can show it). The backend marks the
    /// request delivered.
    pub async fn fetch_judicial_certificate(
        &self,
        id: i64,
    ) -> Result<CredentialSummary, WalletError> {
        let (row, backend_id, view) = self.submitted(id)?;
        if !view.electronic
            || !matches!(
                view.status,
                JudicialStatus::Ready | JudicialStatus::Delivered
            )
        {
            return Err(JudicialError::WrongState {
                state: format!("{:?}", view.status),
            }
            .into());
        }
        let token = self.access_token().await?;
        let trust = self.fetch_trust_list().await?;
        let mut created: Vec<(String, Vec<u8>)> = Vec::new();
        let result = async {
            for _ in 0..BATCH_SIZE {
                let alias = certificate_alias()?;
                let a = alias.clone();
                let public = self.with_secure_area(move |sa| sa.create_key(&a)).await?;
                created.push((alias, public));
            }
            let req = JudicialCertificateRequest {
                device_public_keys: created.iter().map(|(_, p)| B64.encode(p)).collect(),
            };
            let resp = self
                .api
                .judicial_certificate(&token, &backend_id, &req)
                .await
                .map_err(api_error)?;
            self.store_certificate(row.id, &created, resp, &trust)
        }
        .await;
        if result.is_err() {
            for (alias, _) in created {
                let _ = self.with_secure_area(move |sa| sa.delete_key(&alias)).await;
            }
        }
        let summary = result?;
        let view = self.api.judicial_get(&token, &backend_id).await;
        if let Ok(view) = view {
            self.record_and_notify(row.id, &view, None)?;
        }
        Ok(summary)
    }

    /// Checks every copy like any received credential — bound to the key it was requested
    /// for, claims matching the signed root, signed by an issuer the trust list allows for
    /// judicial records, valid now — and stores them; one bad copy refuses the batch.
    fn store_certificate(
        &self,
        id: i64,
        created: &[(String, Vec<u8>)],
        resp: vneid_api::judicial::JudicialCertificateResponse,
        trust: &TrustList,
    ) -> Result<CredentialSummary, WalletError> {
        let registry = Registry::builtin();
        let rejected = WalletError::CredentialRejected;
        if resp.copies.len() != created.len() {
            return Err(rejected(CredentialRejection::CopyCount));
        }
        let now = now_unix();
        let mut checked = Vec::with_capacity(created.len());
        for copy in &resp.copies {
            let (alias, public) = created
                .iter()
                .find(|(_, p)| B64.encode(p) == copy.device_public_key)
                .ok_or(rejected(CredentialRejection::UnrequestedKey))?;
            let (cred, envelope) = open_received_copy(
                &registry,
                trust,
                public,
                &copy.credential,
                types::JUDICIAL_RECORD,
                now,
            )?;
            checked.push((alias.clone(), cred.payload.exp, envelope));
        }
        let now = now_unix();
        self.store()?.transaction(|tx, sealer| {
            for (alias, exp, envelope) in &checked {
                ws::insert_credential(
                    tx,
                    sealer,
                    types::JUDICIAL_RECORD,
                    alias,
                    *exp,
                    now,
                    envelope,
                )?;
            }
            js::add_event(
                tx,
                sealer,
                id,
                &HistoryEntry {
                    at: now,
                    kind: HistoryKind::CertificateStored,
                    note: None,
                },
            )
        })?;
        Ok(CredentialSummary {
            credential_type: types::JUDICIAL_RECORD,
            copies: checked.len(),
            unused: checked.len(),
            expires_at: checked.iter().map(|(_, e, _)| *e).max().unwrap_or(0),
        })
    }

    /// The judicial-record certificate as a QR (the whole certificate, as the paper one is
    /// shown whole), recorded in the disclosure history.
    pub fn present_judicial_certificate(
        &self,
        verifier_nonce: Option<&[u8]>,
    ) -> Result<Presentation, WalletError> {
        self.present(&PRESET_JUDICIAL_RECORD, verifier_nonce)
    }
}
