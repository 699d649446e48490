//! Judicial-record certificate requests over FFI: the form and its parts as
//! records (the core's own types, declared remote so nothing is converted by hand), the
//! outbox, tracking, payment through a foreign gateway, the status listener as a foreign
//! trait, and the certificate as a QR.

use crate::error::VneidError;
use crate::presentation::{CredentialSummary, PresentationQr};
use crate::wallet::WalletCore;
use std::sync::Arc;
use vneid_wallet::WalletError;
use vneid_wallet::judicial::{
    self as core, AutomaticRule, CertificateType, ChipDetails, Delivery, FeeCategory, FeeQuote,
    FeeSchedule, FieldError, FieldErrorKind, FieldSource, FlushReport, JudicialDraft,
    JudicialEvent, JudicialForm, JudicialRequestInfo, JudicialRequestView, JudicialStatus,
    LocalState, PaymentOrder, PaymentReceipt, PersonalField, PersonalForm, Relative, Requester,
    ResidencePeriod, StatusChange,
};

#[uniffi::remote(Enum)]
pub enum CertificateType {
    No1,
    No2,
}

#[uniffi::remote(Enum)]
pub enum Requester {
    Myself,
    Representative {
        full_name: String,
        id_number: String,
        authorisation: String,
    },
}

#[uniffi::remote(Enum)]
pub enum Delivery {
    Office,
    Post { address: String, phone: String },
    Electronic,
}

#[uniffi::remote(Record)]
pub struct ResidencePeriod {
    pub from: String,
    pub to: Option<String>,
    pub address: String,
    pub occupation: String,
}

#[uniffi::remote(Record)]
pub struct Relative {
    pub full_name: String,
    pub birth_year: Option<u16>,
}

#[uniffi::remote(Enum)]
pub enum FieldSource {
    PopulationDb,
    Chip,
    Citizen,
}

#[uniffi::remote(Record)]
pub struct PersonalField {
    pub value: String,
    pub source: FieldSource,
}

#[uniffi::remote(Record)]
pub struct PersonalForm {
    pub full_name: PersonalField,
    pub other_names: PersonalField,
    pub date_of_birth: PersonalField,
    pub sex: PersonalField,
    pub birthplace: PersonalField,
    pub nationality: PersonalField,
    pub ethnicity: PersonalField,
    pub id_number: PersonalField,
    pub id_issue_date: PersonalField,
    pub permanent_residence: PersonalField,
    pub current_residence: PersonalField,
    pub phone: PersonalField,
    pub email: PersonalField,
}

#[uniffi::remote(Record)]
pub struct JudicialForm {
    pub certificate_type: CertificateType,
    pub requester: Requester,
    pub purpose: String,
    pub copies: u8,
    pub certify_position_ban: bool,
    pub delivery: Delivery,
    pub personal: PersonalForm,
    pub residence_history: Vec<ResidencePeriod>,
    pub father: Option<Relative>,
    pub mother: Option<Relative>,
    pub married: bool,
    pub spouse: Option<Relative>,
    pub fee_category: String,
}

#[uniffi::remote(Record)]
pub struct ChipDetails {
    pub ethnicity: Option<String>,
    pub id_issue_date: Option<String>,
    pub current_residence: Option<String>,
    pub father_name: Option<String>,
    pub mother_name: Option<String>,
    pub spouse_name: Option<String>,
}

#[uniffi::remote(Record)]
pub struct JudicialDraft {
    pub local_id: i64,
    pub form: JudicialForm,
}

#[uniffi::remote(Enum)]
pub enum FieldErrorKind {
    Required,
    Invalid,
    Locked,
    ResidenceGap,
    ResidenceOverlap,
    ResidenceStart,
    Type2NotAllowed,
}

#[uniffi::remote(Record)]
pub struct FieldError {
    pub path: String,
    pub kind: FieldErrorKind,
}

#[uniffi::remote(Record)]
pub struct FeeQuote {
    pub category: String,
    pub base_fee: u64,
    pub extra_copies: u8,
    pub extra_copies_fee: u64,
    pub total: u64,
    pub uncertain: bool,
}

#[uniffi::remote(Record)]
pub struct AutomaticRule {
    pub age_below: Option<u32>,
    pub age_at_least: Option<u32>,
}

#[uniffi::remote(Record)]
pub struct FeeCategory {
    pub id: String,
    pub label_vi: String,
    pub label_en: String,
    pub fee: u64,
    pub uncertain: bool,
    pub automatic: Option<AutomaticRule>,
    pub evidence: Option<String>,
    pub note: Option<String>,
}

#[uniffi::remote(Record)]
pub struct FeeSchedule {
    pub schema: u32,
    pub source: String,
    pub currency: String,
    pub included_copies: u8,
    pub extra_copy_fee: u64,
    pub extra_copies_charged_when_exempt: bool,
    pub max_copies: u8,
    pub categories: Vec<FeeCategory>,
}

#[uniffi::remote(Enum)]
pub enum JudicialStatus {
    Received,
    Accepted,
    Processing,
    AdditionalInfoNeeded,
    Ready,
    Delivered,
    Rejected,
}

#[uniffi::remote(Record)]
pub struct JudicialEvent {
    pub status: JudicialStatus,
    pub at: u64,
    pub note: Option<String>,
}

#[uniffi::remote(Record)]
pub struct JudicialRequestView {
    pub request_id: String,
    pub reference: String,
    pub status: JudicialStatus,
    pub certificate_type: CertificateType,
    pub electronic: bool,
    pub fee_vnd: u64,
    pub paid: bool,
    pub question: Option<String>,
    pub rejection_reason: Option<String>,
    pub certificate_number: Option<String>,
    pub history: Vec<JudicialEvent>,
}

#[uniffi::remote(Enum)]
pub enum LocalState {
    Draft,
    Queued,
    Sending,
    Submitted,
    Failed,
}

#[uniffi::remote(Record)]
pub struct JudicialRequestInfo {
    pub local_id: i64,
    pub state: LocalState,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub fee_vnd: Option<u64>,
    pub office: Option<JudicialRequestView>,
    pub created_at: u64,
    pub updated_at: u64,
}

#[uniffi::remote(Record)]
pub struct FlushReport {
    pub submitted: Vec<i64>,
    pub queued: Vec<i64>,
    pub failed: Vec<i64>,
}

#[uniffi::remote(Record)]
pub struct StatusChange {
    pub local_id: i64,
    pub status: JudicialStatus,
    pub at: u64,
    pub note: Option<String>,
}

#[uniffi::remote(Record)]
pub struct PaymentOrder {
    pub order_ref: String,
    pub amount_vnd: u64,
    pub description: String,
}

#[uniffi::remote(Record)]
pub struct PaymentReceipt {
    pub transaction_id: String,
    pub order_ref: String,
    pub amount_vnd: u64,
    pub signature: String,
}

/// What happened to a request, as its history lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum JudicialHistoryKind {
    Drafted,
    Queued,
    SendAttempt,
    Submitted,
    Failed,
    /// The office moved the request; `office_status` says where.
    Office,
    Answered,
    Paid,
    CertificateStored,
}

/// One history entry (local steps and office steps).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct JudicialHistoryEntry {
    pub at: u64,
    pub kind: JudicialHistoryKind,
    pub office_status: Option<JudicialStatus>,
    pub note: Option<String>,
}

impl From<core::HistoryEntry> for JudicialHistoryEntry {
    fn from(e: core::HistoryEntry) -> Self {
        use core::HistoryKind as H;
        let (kind, office_status) = match e.kind {
            H::Drafted => (JudicialHistoryKind::Drafted, None),
            H::Queued => (JudicialHistoryKind::Queued, None),
            H::SendAttempt => (JudicialHistoryKind::SendAttempt, None),
            H::Submitted => (JudicialHistoryKind::Submitted, None),
            H::Failed => (JudicialHistoryKind::Failed, None),
            H::Office(s) => (JudicialHistoryKind::Office, Some(s)),
            H::Answered => (JudicialHistoryKind::Answered, None),
            H::Paid => (JudicialHistoryKind::Paid, None),
            H::CertificateStored => (JudicialHistoryKind::CertificateStored, None),
        };
        Self {
            at: e.at,
            kind,
            office_status,
            note: e.note,
        }
    }
}

/// The app's notification hook: told about every new office step once it is stored.
/// Called on a core thread with no lock held; hand the work to the UI thread and return.
#[uniffi::export(with_foreign)]
pub trait JudicialStatusListener: Send + Sync {
    fn on_status_changed(&self, change: StatusChange);
}

struct ListenerAdapter(Arc<dyn JudicialStatusListener>);

impl core::JudicialStatusListener for ListenerAdapter {
    fn on_status_changed(&self, change: StatusChange) {
        self.0.on_status_changed(change);
    }
}

/// Why a payment did not go through (from the app's gateway).
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum PaymentGatewayError {
    #[error("cancelled by the citizen")]
    Cancelled,
    #[error("declined")]
    Declined,
    /// Field named `reason`, not `message`: Kotlin exceptions already have a `message`.
    #[error("gateway failure: {reason}")]
    Failed { reason: String },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for PaymentGatewayError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        Self::Failed { reason: e.reason }
    }
}

/// A payment gateway the app implements (a bank or e-wallet SDK). `pay` may block while the
/// citizen confirms; the core calls it off its async threads.
#[uniffi::export(with_foreign)]
pub trait JudicialPaymentGateway: Send + Sync {
    fn pay(&self, order: PaymentOrder) -> Result<PaymentReceipt, PaymentGatewayError>;
}

struct GatewayAdapter(Arc<dyn JudicialPaymentGateway>);

impl core::PaymentGateway for GatewayAdapter {
    fn pay(&self, order: &PaymentOrder) -> Result<PaymentReceipt, core::PaymentError> {
        self.0.pay(order.clone()).map_err(|e| match e {
            PaymentGatewayError::Cancelled => core::PaymentError::Cancelled,
            PaymentGatewayError::Declined => core::PaymentError::Declined,
            PaymentGatewayError::Failed { reason } => core::PaymentError::Failed(reason),
        })
    }
}

/// The chip details a judicial form may take (and lock) from a chip read: `None` unless
/// passive authentication passed, so an unverified chip never locks a field.
#[uniffi::export]
pub fn judicial_chip_details(identity: crate::chip::ChipIdentity) -> Option<ChipDetails> {
    if !matches!(
        identity.passive_authentication,
        crate::chip::CheckVerdict::Passed
    ) {
        return None;
    }
    Some(ChipDetails::from_dg13(
        identity.ethnicity,
        identity.date_of_issue,
        identity.place_of_residence,
        identity.father_name,
        identity.mother_name,
        identity.spouse_name,
    ))
}

fn join_error(e: tokio::task::JoinError) -> WalletError {
    WalletError::Internal(e.to_string())
}

#[uniffi::export(async_runtime = "tokio")]
impl WalletCore {
    /// The fee table (categories with labels, extra-copy fee, copy limit).
    pub fn judicial_fee_schedule(&self) -> Result<FeeSchedule, VneidError> {
        Ok(self.wallet.judicial_fee_schedule()?)
    }

    /// Starts a draft prefilled from the verified identity (and the chip's details when the
    /// app just read it); those values are locked.
    pub fn new_judicial_draft(
        &self,
        chip: Option<ChipDetails>,
    ) -> Result<JudicialDraft, VneidError> {
        Ok(self.wallet.new_judicial_draft(chip.as_ref())?)
    }

    /// The stored form of a request.
    pub fn judicial_form(&self, local_id: i64) -> Result<JudicialForm, VneidError> {
        Ok(self.wallet.judicial_form(local_id)?)
    }

    /// Saves an edited draft; a changed locked detail is a `JUDICIAL_FIELD_LOCKED` error
    /// whose `field` names it.
    pub fn save_judicial_draft(
        &self,
        local_id: i64,
        form: JudicialForm,
    ) -> Result<JudicialForm, VneidError> {
        Ok(self.wallet.save_judicial_draft(local_id, &form)?)
    }

    pub fn delete_judicial_draft(&self, local_id: i64) -> Result<(), VneidError> {
        Ok(self.wallet.delete_judicial_draft(local_id)?)
    }

    /// Every error of the form, each naming its field (empty: ready to submit).
    pub fn validate_judicial(&self, form: JudicialForm) -> Result<Vec<FieldError>, VneidError> {
        Ok(self.wallet.validate_judicial(&form)?)
    }

    /// The fee to show before submission.
    pub fn judicial_fee(&self, form: JudicialForm) -> Result<FeeQuote, VneidError> {
        Ok(self.wallet.judicial_fee(&form)?)
    }

    /// Validates, freezes with an idempotency key, and sends; offline it stays queued.
    pub async fn submit_judicial(&self, local_id: i64) -> Result<JudicialRequestInfo, VneidError> {
        self.run(move |w| async move { w.submit_judicial(local_id).await })
            .await
    }

    /// Sends whatever is queued (call when the network returns).
    pub async fn flush_judicial_outbox(&self) -> Result<FlushReport, VneidError> {
        self.run(|w| async move { w.flush_judicial_outbox().await })
            .await
    }

    /// Polls the office for every open request; the listener hears of each new step.
    pub async fn refresh_judicial(&self) -> Result<Vec<JudicialRequestInfo>, VneidError> {
        self.run(|w| async move { w.refresh_judicial().await })
            .await
    }

    pub fn judicial_requests(&self) -> Result<Vec<JudicialRequestInfo>, VneidError> {
        Ok(self.wallet.judicial_requests()?)
    }

    pub fn judicial_request(&self, local_id: i64) -> Result<JudicialRequestInfo, VneidError> {
        Ok(self.wallet.judicial_request(local_id)?)
    }

    /// Local and office steps of one request, oldest first.
    pub fn judicial_history(&self, local_id: i64) -> Result<Vec<JudicialHistoryEntry>, VneidError> {
        Ok(self
            .wallet
            .judicial_history(local_id)?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Sets (or clears, with `None`) the status listener.
    pub fn set_judicial_listener(&self, listener: Option<Arc<dyn JudicialStatusListener>>) {
        self.wallet.set_judicial_listener(
            listener.map(|l| Arc::new(ListenerAdapter(l)) as Arc<dyn core::JudicialStatusListener>),
        );
    }

    /// Answers the office's additional-information request.
    pub async fn answer_judicial(
        &self,
        local_id: i64,
        answer: String,
    ) -> Result<JudicialRequestInfo, VneidError> {
        self.run(move |w| async move { w.answer_judicial(local_id, &answer).await })
            .await
    }

    /// Pays the fee through the app's gateway, then settles it with the backend.
    pub async fn pay_judicial(
        &self,
        local_id: i64,
        gateway: Arc<dyn JudicialPaymentGateway>,
    ) -> Result<JudicialRequestInfo, VneidError> {
        let gateway: Arc<dyn core::PaymentGateway> = Arc::new(GatewayAdapter(gateway));
        self.run(move |w| async move { w.pay_judicial(local_id, gateway).await })
            .await
    }

    /// Fetches the electronic certificate of a ready request into the wallet.
    pub async fn fetch_judicial_certificate(
        &self,
        local_id: i64,
    ) -> Result<CredentialSummary, VneidError> {
        self.run(move |w| async move { w.fetch_judicial_certificate(local_id).await })
            .await
            .map(Into::into)
    }

    /// The certificate as a QR (recorded in the disclosure history).
    pub async fn present_judicial_certificate(&self) -> Result<PresentationQr, VneidError> {
        self.run(move |w| async move {
            tokio::task::spawn_blocking(move || w.present_judicial_certificate(None))
                .await
                .map_err(join_error)?
        })
        .await
        .map(Into::into)
    }
}
