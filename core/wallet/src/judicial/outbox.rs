//! Drafts and the submission outbox.
//!
//! Exactly-once: the idempotency key and the exact body bytes are stored with the
//! `draft → queued` transaction, before any byte leaves the phone. Every send reuses both, so
//! however often a send is repeated — after a timeout, a crash between any two steps, an
//! answer lost after the backend committed — the backend holds one request, and the row
//! ends `submitted` (the backend had it or has it now), `queued` (no answer yet: sent again
//! by the next flush) or `failed` (refused for good, with the error code).

use super::error::{FieldError, FieldErrorKind, JudicialError, api_error};
use super::form::{ChipDetails, JudicialForm};
use super::store::{self as js, HistoryEntry, HistoryKind, LocalState, RequestRow};
use super::validate::validate;
use crate::Wallet;
use crate::api_client::ApiError;
use crate::clock::now_unix;
use crate::error::WalletError;
use vneid_api::judicial::{
    FeeError, FeeQuote, FeeSchedule, JudicialRequestBody, JudicialRequestView,
};
use vneid_identity::CalendarDate;

/// A new draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JudicialDraft {
    pub local_id: i64,
    pub form: JudicialForm,
}

/// A request as the app lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JudicialRequestInfo {
    pub local_id: i64,
    pub state: LocalState,
    /// Sends tried so far.
    pub attempts: u32,
    /// Stable error code of the last failed send (`NETWORK_UNAVAILABLE`, `JUDICIAL_CONFLICT`…).
    pub last_error: Option<String>,
    /// The fee: the backend's once submitted, the frozen body's while queued.
    pub fee_vnd: Option<u64>,
    /// The backend's last answer (status, history, question, certificate number).
    pub office: Option<JudicialRequestView>,
    pub created_at: u64,
    pub updated_at: u64,
}

/// Where a test makes the submission "crash" (the call returns an internal error having
/// done exactly what a killed app would have done up to that point). One-shot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubmitFault {
    /// After the `queued` transaction, before any send.
    AfterQueued,
    /// After the `sending` transaction, before the HTTP request.
    AfterMarkedSending,
    /// After the backend answered (it has committed), before the wallet recorded it.
    AfterBackendCommitted,
}

/// What a flush of the outbox did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlushReport {
    pub submitted: Vec<i64>,
    /// Still waiting (offline, or the backend did not answer).
    pub queued: Vec<i64>,
    pub failed: Vec<i64>,
}

pub(crate) fn today() -> Result<CalendarDate, WalletError> {
    let days = i64::try_from(now_unix() / 86_400).unwrap_or(0);
    CalendarDate::from_unix_days(days)
        .ok_or_else(|| WalletError::Internal("phone clock out of range".into()))
}

fn fee_table() -> Result<FeeSchedule, WalletError> {
    FeeSchedule::builtin().map_err(|e| JudicialError::FeeTable(e).into())
}

fn field(path: &str, kind: FieldErrorKind) -> WalletError {
    JudicialError::Field(FieldError::new(path, kind)).into()
}

fn event(kind: HistoryKind, note: Option<String>) -> HistoryEntry {
    HistoryEntry {
        at: now_unix(),
        kind,
        note,
    }
}

fn random_key() -> Result<String, WalletError> {
    let bytes: [u8; 16] =
        crate::crypto::random_bytes().map_err(|e| WalletError::Internal(format!("rng: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn injected() -> WalletError {
    WalletError::Internal("injected crash (test fault)".into())
}

impl Wallet {
    pub(crate) fn require_session(&self) -> Result<(), WalletError> {
        if self.session()?.is_none() {
            return Err(WalletError::NotUnlocked);
        }
        Ok(())
    }

    /// Test hook: makes the next submission step named by `fault` fail as a crash would.
    #[doc(hidden)]
    pub fn inject_judicial_fault(&self, fault: Option<SubmitFault>) {
        if let Ok(hooks) = self.judicial_hooks()
            && let Ok(mut f) = hooks.fault.lock()
        {
            *f = fault;
        }
    }

    fn fault_hit(&self, at: SubmitFault) -> bool {
        let Ok(hooks) = self.judicial_hooks() else {
            return false;
        };
        match hooks.fault.lock() {
            Ok(mut f) if *f == Some(at) => {
                *f = None;
                true
            }
            _ => false,
        }
    }

    /// The compiled-in fee table (for the app's fee screen).
    pub fn judicial_fee_schedule(&self) -> Result<FeeSchedule, WalletError> {
        fee_table()
    }

    /// Starts a draft prefilled from the account's population record and, if the app just
    /// read the chip, its details (`chip`). Needs an unlocked wallet.
    pub fn new_judicial_draft(
        &self,
        chip: Option<&ChipDetails>,
    ) -> Result<JudicialDraft, WalletError> {
        let profile = self.profile()?;
        let form = JudicialForm::prefilled(&profile, chip);
        let now = now_unix();
        let local_id = self.store()?.transaction(|tx, sealer| {
            let id = js::insert_draft(tx, sealer, &form, now)?;
            js::add_event(tx, sealer, id, &event(HistoryKind::Drafted, None))?;
            Ok(id)
        })?;
        Ok(JudicialDraft { local_id, form })
    }

    fn row(&self, id: i64) -> Result<RequestRow, WalletError> {
        self.store()?
            .read(|c, _| js::load_row(c, id))?
            .ok_or_else(|| JudicialError::NotFound.into())
    }

    fn wrong_state(row: &RequestRow) -> WalletError {
        JudicialError::WrongState {
            state: row.state.as_str().to_owned(),
        }
        .into()
    }

    /// The stored form of a request (a draft's current edit, or what was submitted).
    pub fn judicial_form(&self, id: i64) -> Result<JudicialForm, WalletError> {
        self.require_session()?;
        self.store()?
            .read(|c, s| js::open_json(c, s, id, "form"))?
            .ok_or_else(|| JudicialError::NotFound.into())
    }

    /// Saves an edit of a draft. Locked personal details (from the chip or the population
    /// database) must be unchanged: changing one is a `Locked` error naming it, and nothing
    /// is saved. Validity is not required to save (drafts are work in progress).
    pub fn save_judicial_draft(
        &self,
        id: i64,
        edited: &JudicialForm,
    ) -> Result<JudicialForm, WalletError> {
        let stored = self.judicial_form(id)?;
        let row = self.row(id)?;
        if row.state != LocalState::Draft {
            return Err(Self::wrong_state(&row));
        }
        let personal = stored
            .personal
            .apply_edit(&edited.personal)
            .map_err(|path| field(&path, FieldErrorKind::Locked))?;
        let mut form = edited.clone();
        form.personal = personal;
        let now = now_unix();
        self.store()?
            .transaction(|tx, sealer| js::update_form(tx, sealer, id, &form, now))?;
        Ok(form)
    }

    /// Deletes a draft (a queued or submitted request stays: it may exist at the backend).
    pub fn delete_judicial_draft(&self, id: i64) -> Result<(), WalletError> {
        self.require_session()?;
        let row = self.row(id)?;
        if row.state != LocalState::Draft {
            return Err(Self::wrong_state(&row));
        }
        self.store()?
            .transaction(|tx, _| js::delete_request(tx, id))?;
        Ok(())
    }

    /// Every error of `form` today (empty: it can be submitted).
    pub fn validate_judicial(&self, form: &JudicialForm) -> Result<Vec<FieldError>, WalletError> {
        Ok(validate(form, &fee_table()?, today()?))
    }

    /// The fee of `form`, to show before submission.
    pub fn judicial_fee(&self, form: &JudicialForm) -> Result<FeeQuote, WalletError> {
        let today = today()?.to_iso();
        fee_table()?
            .quote(
                &form.fee_category,
                form.copies,
                &form.personal.date_of_birth.value,
                &today,
            )
            .map_err(|e| match e {
                FeeError::Copies => field("copies", FieldErrorKind::Invalid),
                FeeError::UnknownCategory => field("fee_category", FieldErrorKind::Invalid),
                FeeError::Date => field("personal.date_of_birth", FieldErrorKind::Invalid),
            })
    }

    /// Submits a draft: validates it (the first error is returned, naming its field),
    /// freezes body, fee and idempotency key in one transaction (`queued`), then tries to
    /// send it. Offline it stays queued and [`Wallet::flush_judicial_outbox`] sends it later;
    /// the returned info says which happened.
    pub async fn submit_judicial(&self, id: i64) -> Result<JudicialRequestInfo, WalletError> {
        let form = self.judicial_form(id)?;
        let row = self.row(id)?;
        if row.state != LocalState::Draft {
            return Err(Self::wrong_state(&row));
        }
        if let Some(first) = self.validate_judicial(&form)?.into_iter().next() {
            return Err(JudicialError::Field(first).into());
        }
        let quote = self.judicial_fee(&form)?;
        let body: JudicialRequestBody = form.to_body(quote.total);
        let bytes = zeroize::Zeroizing::new(
            serde_json::to_vec(&body).map_err(|e| WalletError::Internal(e.to_string()))?,
        );
        let key = random_key()?;
        let now = now_unix();
        let queued = self.store()?.transaction(|tx, sealer| {
            let ok = js::queue(tx, sealer, id, &key, &bytes, now)?;
            if ok {
                js::add_event(tx, sealer, id, &event(HistoryKind::Queued, None))?;
            }
            Ok(ok)
        })?;
        if !queued {
            return Err(Self::wrong_state(&self.row(id)?));
        }
        if self.fault_hit(SubmitFault::AfterQueued) {
            return Err(injected());
        }
        self.flush_judicial_outbox().await?;
        self.judicial_request(id)
    }

    /// Sends every queued request (and any left `sending` by a crash), oldest first, each
    /// under its stored key and body. Stops at the first network failure: the rest stay
    /// queued for the next flush (call it when the network returns). Not an error when
    /// offline: the report says what is still queued.
    pub async fn flush_judicial_outbox(&self) -> Result<FlushReport, WalletError> {
        self.require_session()?;
        let _one_flush = self.judicial_hooks()?.flush.lock().await;
        let mut report = FlushReport::default();
        let pending: Vec<RequestRow> = self
            .store()?
            .read(|c, _| js::list_rows(c))?
            .into_iter()
            .filter(|r| matches!(r.state, LocalState::Queued | LocalState::Sending))
            .collect();
        if pending.is_empty() {
            return Ok(report);
        }
        let token = match self.access_token().await {
            Ok(t) => t,
            Err(WalletError::Api(e)) if e.is_network() => {
                report.queued = pending.iter().map(|r| r.id).collect();
                return Ok(report);
            }
            Err(e) => return Err(e),
        };
        let mut offline = false;
        for row in pending {
            if offline {
                report.queued.push(row.id);
                continue;
            }
            match self.send_one(&token, &row).await? {
                LocalState::Submitted => report.submitted.push(row.id),
                LocalState::Failed => report.failed.push(row.id),
                _ => {
                    report.queued.push(row.id);
                    offline = true;
                }
            }
        }
        Ok(report)
    }

    /// One attempt for one row; returns the row's new state.
    async fn send_one(&self, token: &str, row: &RequestRow) -> Result<LocalState, WalletError> {
        let key = row
            .idempotency_key
            .clone()
            .ok_or(WalletError::Store(crate::store::StoreError::Integrity))?;
        let now = now_unix();
        let body = self.store()?.transaction(|tx, sealer| {
            js::set_state(tx, row.id, LocalState::Sending, None, now)?;
            js::add_event(tx, sealer, row.id, &event(HistoryKind::SendAttempt, None))?;
            js::body_bytes(tx, sealer, row.id)
        })?;
        if self.fault_hit(SubmitFault::AfterMarkedSending) {
            return Err(injected());
        }
        let answer = self.api.judicial_submit(token, &key, &body).await;
        if self.fault_hit(SubmitFault::AfterBackendCommitted) {
            return Err(injected());
        }
        let now = now_unix();
        match answer {
            Ok(view) => {
                self.record_and_notify(row.id, &view, Some(HistoryKind::Submitted))?;
                Ok(LocalState::Submitted)
            }
            Err(e) if is_final_refusal(&e) => {
                let code = api_error(e).code().as_str();
                self.store()?.transaction(|tx, sealer| {
                    js::set_state(tx, row.id, LocalState::Failed, Some(code), now)?;
                    js::add_event(
                        tx,
                        sealer,
                        row.id,
                        &event(HistoryKind::Failed, Some(code.to_owned())),
                    )
                })?;
                Ok(LocalState::Failed)
            }
            Err(e) => {
                // No answer, a server fault or an expired session: the backend may or may
                // not have it; the next flush asks again under the same key.
                let code = api_error(e).code().as_str();
                self.store()?.transaction(|tx, _| {
                    js::set_state(tx, row.id, LocalState::Queued, Some(code), now)
                })?;
                Ok(LocalState::Queued)
            }
        }
    }

    /// Stores the backend's view of a request and adds the office steps not yet in the
    /// local history; returns the office steps that were new.
    pub(crate) fn record_view(
        &self,
        id: i64,
        view: &JudicialRequestView,
        local: Option<HistoryKind>,
    ) -> Result<Vec<vneid_api::judicial::JudicialEvent>, WalletError> {
        let now = now_unix();
        let old: Option<JudicialRequestView> =
            self.store()?.read(|c, s| js::open_json(c, s, id, "view"))?;
        let known = old.map(|v| v.history.len()).unwrap_or(0);
        let new: Vec<_> = view.history.iter().skip(known).cloned().collect();
        self.store()?.transaction(|tx, sealer| {
            js::store_view(tx, sealer, id, &view.request_id, view.status, view, now)?;
            if let Some(kind) = local {
                js::add_event(tx, sealer, id, &event(kind, None))?;
            }
            for e in &new {
                js::add_event(
                    tx,
                    sealer,
                    id,
                    &HistoryEntry {
                        at: e.at,
                        kind: HistoryKind::Office(e.status),
                        note: e.note.clone(),
                    },
                )?;
            }
            Ok(())
        })?;
        Ok(new)
    }

    fn info(&self, row: RequestRow) -> Result<JudicialRequestInfo, WalletError> {
        let (office, body): (Option<JudicialRequestView>, Option<JudicialRequestBody>) =
            self.store()?.read(|c, s| {
                Ok((
                    js::open_json(c, s, row.id, "view")?,
                    js::open_json(c, s, row.id, "body")?,
                ))
            })?;
        Ok(JudicialRequestInfo {
            local_id: row.id,
            state: row.state,
            attempts: row.attempts,
            last_error: row.last_error,
            fee_vnd: office
                .as_ref()
                .map(|v| v.fee_vnd)
                .or(body.map(|b| b.fee_vnd)),
            office,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }

    /// One request.
    pub fn judicial_request(&self, id: i64) -> Result<JudicialRequestInfo, WalletError> {
        self.require_session()?;
        let row = self.row(id)?;
        self.info(row)
    }

    /// Every request, oldest first.
    pub fn judicial_requests(&self) -> Result<Vec<JudicialRequestInfo>, WalletError> {
        self.require_session()?;
        let rows = self.store()?.read(|c, _| js::list_rows(c))?;
        rows.into_iter().map(|r| self.info(r)).collect()
    }

    /// The history of one request, oldest first: local steps and office steps.
    pub fn judicial_history(&self, id: i64) -> Result<Vec<HistoryEntry>, WalletError> {
        self.require_session()?;
        self.row(id)?;
        Ok(self.store()?.read(|c, s| js::history(c, s, id))?)
    }
}

/// The backend looked at the request and will never take this body: another body under the
/// same key (409) or a body it does not accept (400, 422).
fn is_final_refusal(e: &ApiError) -> bool {
    use vneid_api::ApiErrorCode as A;
    matches!(
        e,
        ApiError::Rejected { body, .. } if matches!(body.code, A::Conflict | A::BadRequest)
    )
}
