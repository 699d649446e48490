//! Wire types of judicial-record certificate requests (Phiếu lý lịch tư pháp), and the fee
//! schedule both ends compute with.
//!
//! The fee schedule is data ([`FEE_SCHEDULE_JSON`], compiled in from
//! `core/api/data/judicial_fees.json`): the wallet shows the fee before submission and the
//! backend charges the same amount, so the table lives in the crate both depend on.

use serde::{Deserialize, Serialize};

/// Paths of the judicial endpoints.
pub mod paths {
    /// `POST`: submit a request (header [`super::IDEMPOTENCY_KEY_HEADER`]); `GET`: the
    /// account's requests.
    pub const REQUESTS: &str = "/v1/judicial/requests";
    /// `GET`: one request with its history.
    pub const REQUEST: &str = "/v1/judicial/requests/{id}";
    /// `POST`: the citizen's answer to an additional-information request.
    pub const ANSWER: &str = "/v1/judicial/requests/{id}/answer";
    /// `POST`: a payment receipt from the gateway.
    pub const PAYMENT: &str = "/v1/judicial/requests/{id}/payment";
    /// `POST`: issue the electronic certificate (a credential batch bound to device keys).
    pub const CERTIFICATE: &str = "/v1/judicial/requests/{id}/certificate";
    /// Dev-only: the test payment gateway (charges nothing, signs a receipt).
    pub const DEV_PAYMENT_GATEWAY: &str = "/v1/dev/payment-gateway/charge";
    /// Dev-only: the office's next workflow step for a request.
    pub const DEV_ADVANCE: &str = "/v1/dev/judicial/advance";

    pub fn request(id: &str) -> String {
        format!("/v1/judicial/requests/{id}")
    }
    pub fn answer(id: &str) -> String {
        format!("/v1/judicial/requests/{id}/answer")
    }
    pub fn payment(id: &str) -> String {
        format!("/v1/judicial/requests/{id}/payment")
    }
    pub fn certificate(id: &str) -> String {
        format!("/v1/judicial/requests/{id}/certificate")
    }
}

/// Header carrying the client's idempotency key on submission. The same key with the same
/// body returns the request already created; with another body it is `conflict` (409).
pub const IDEMPOTENCY_KEY_HEADER: &str = "idempotency-key";

/// Longest accepted idempotency key.
pub const MAX_IDEMPOTENCY_KEY: usize = 64;

/// Certificate type: No. 1 (for the citizen, employers, agencies: current convictions only)
/// or No. 2 (the full record; only for the person themselves or procedural authorities).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CertificateType {
    No1,
    No2,
}

/// Who files the request. A representative may request No. 1 only; procedural authorities
/// request No. 2 through the inter-agency channel, not the citizen app.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Requester {
    Myself,
    Representative {
        full_name: String,
        id_number: String,
        /// Written authorisation reference (giấy ủy quyền) or relation for close relatives.
        authorisation: String,
    },
}

impl std::fmt::Debug for Requester {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Requester::Myself => f.write_str("Myself"),
            Requester::Representative { .. } => f.write_str("Representative(<redacted>)"),
        }
    }
}

/// How the certificate reaches the citizen.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Delivery {
    /// Collected at the justice department (Sở Tư pháp).
    Office,
    /// Posted to an address.
    Post { address: String, phone: String },
    /// An electronic certificate issued into the wallet.
    Electronic,
}

impl std::fmt::Debug for Delivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Delivery::Office => "Office",
            Delivery::Post { .. } => "Post(<redacted>)",
            Delivery::Electronic => "Electronic",
        })
    }
}

/// One place of residence since age 14, by month (`YYYY-MM`); `to: None` is "until now".
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResidencePeriod {
    pub from: String,
    pub to: Option<String>,
    pub address: String,
    pub occupation: String,
}

/// A parent or spouse as the form names them.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Relative {
    pub full_name: String,
    pub birth_year: Option<u16>,
}

/// The personal details block of the form (values only; the wallet keeps their sources).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonalDetails {
    pub full_name: String,
    pub other_names: String,
    pub date_of_birth: String,
    /// `male` / `female`.
    pub sex: String,
    pub birthplace: String,
    pub nationality: String,
    pub ethnicity: String,
    pub id_number: String,
    pub id_issue_date: String,
    pub permanent_residence: String,
    pub current_residence: String,
    pub phone: String,
    pub email: String,
}

/// A submitted request body. Serialised once when the request is queued and sent byte for
/// byte on every retry, so the backend sees the same body under the same idempotency key.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JudicialRequestBody {
    pub certificate_type: CertificateType,
    pub requester: Requester,
    pub purpose: String,
    pub copies: u8,
    pub certify_position_ban: bool,
    pub delivery: Delivery,
    pub personal: PersonalDetails,
    pub residence_history: Vec<ResidencePeriod>,
    pub father: Option<Relative>,
    pub mother: Option<Relative>,
    pub spouse: Option<Relative>,
    /// Fee category the citizen declares (`standard`, `student`, …); see [`FeeSchedule`].
    pub fee_category: String,
    /// The fee the wallet showed; the backend refuses the request if its own differs.
    pub fee_vnd: u64,
}

impl std::fmt::Debug for JudicialRequestBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JudicialRequestBody")
            .field("certificate_type", &self.certificate_type)
            .field("copies", &self.copies)
            .field("delivery", &self.delivery)
            .finish_non_exhaustive()
    }
}

/// Where a request stands at the justice department.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JudicialStatus {
    Received,
    Accepted,
    Processing,
    AdditionalInfoNeeded,
    Ready,
    Delivered,
    Rejected,
}

impl JudicialStatus {
    /// No further step follows.
    pub fn is_final(self) -> bool {
        matches!(self, JudicialStatus::Delivered | JudicialStatus::Rejected)
    }
}

/// One step of a request's history.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JudicialEvent {
    pub status: JudicialStatus,
    /// Unix seconds.
    pub at: u64,
    /// The office's question, the citizen's answer, or the rejection reason.
    pub note: Option<String>,
}

impl std::fmt::Debug for JudicialEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JudicialEvent")
            .field("status", &self.status)
            .field("at", &self.at)
            .finish_non_exhaustive()
    }
}

/// A request as the backend reports it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JudicialRequestView {
    pub request_id: String,
    /// Human reference for the office ("LLTP-…").
    pub reference: String,
    pub status: JudicialStatus,
    pub certificate_type: CertificateType,
    pub electronic: bool,
    pub fee_vnd: u64,
    pub paid: bool,
    /// Set while `status` is `additional_info_needed`.
    pub question: Option<String>,
    pub rejection_reason: Option<String>,
    /// Set from `ready` on.
    pub certificate_number: Option<String>,
    pub history: Vec<JudicialEvent>,
}

impl std::fmt::Debug for JudicialRequestView {
    /// The office's question and reason can be personal: not in logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JudicialRequestView")
            .field("request_id", &self.request_id)
            .field("reference", &self.reference)
            .field("status", &self.status)
            .field("paid", &self.paid)
            .field("steps", &self.history.len())
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JudicialRequestList {
    pub requests: Vec<JudicialRequestView>,
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JudicialAnswerRequest {
    pub answer: String,
}

impl std::fmt::Debug for JudicialAnswerRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JudicialAnswerRequest(<redacted>)")
    }
}

/// A receipt of the payment gateway, sent to the backend to settle a request's fee.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentReceipt {
    pub transaction_id: String,
    /// What the order said: the request id.
    pub order_ref: String,
    pub amount_vnd: u64,
    /// The gateway's signature over the other fields (base64url).
    pub signature: String,
}

/// Dev-only: the test payment gateway charges an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevChargeRequest {
    pub order_ref: String,
    pub amount_vnd: u64,
}

/// `POST …/certificate`: device keys for the copies of the electronic certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JudicialCertificateRequest {
    /// SEC1 P-256 public keys, base64url; 1 to [`crate::MAX_BATCH`].
    pub device_public_keys: Vec<String>,
}

/// The issued copies of the electronic certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JudicialCertificateResponse {
    pub copies: Vec<JudicialCertificateCopy>,
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JudicialCertificateCopy {
    pub device_public_key: String,
    /// base64url holder envelope (secret to the holder).
    pub credential: String,
    pub status_list_id: u32,
    pub status_index: u32,
    pub expires_at: u64,
}

impl std::fmt::Debug for JudicialCertificateCopy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JudicialCertificateCopy")
            .field("credential", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// The office's workflow steps the dev endpoint can drive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum DevJudicialAction {
    Accept,
    Process,
    RequestInfo { question: String },
    Ready,
    Deliver,
    Reject { reason: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevJudicialAdvanceRequest {
    pub request_id: String,
    #[serde(flatten)]
    pub action: DevJudicialAction,
}

// ---- Fee schedule ----------------------------------------------------------------------

/// The compiled-in fee table.
pub const FEE_SCHEDULE_JSON: &str = include_str!("../data/judicial_fees.json");

/// An automatic category: applies by age on the day of submission, no evidence needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutomaticRule {
    #[serde(default)]
    pub age_below: Option<u32>,
    #[serde(default)]
    pub age_at_least: Option<u32>,
}

/// One row of the fee table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeCategory {
    pub id: String,
    pub label_vi: String,
    pub label_en: String,
    pub fee: u64,
    /// True when the value could not be confirmed from the circular.
    pub uncertain: bool,
    #[serde(default)]
    pub automatic: Option<AutomaticRule>,
    #[serde(default)]
    pub evidence: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// The fee table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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

/// What a request costs, as shown before submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeQuote {
    /// The category applied (the cheapest of the declared and automatic ones).
    pub category: String,
    pub base_fee: u64,
    pub extra_copies: u8,
    pub extra_copies_fee: u64,
    pub total: u64,
    /// True when any value used is marked uncertain in the table.
    pub uncertain: bool,
}

/// Why a fee could not be computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeeError {
    UnknownCategory,
    /// Zero copies or more than the table allows.
    Copies,
    /// The date of birth or submission date is not `YYYY-MM-DD`.
    Date,
}

fn ymd(iso: &str) -> Option<(i32, u32, u32)> {
    let mut it = iso.splitn(3, '-');
    let y = it.next()?.parse().ok()?;
    let m = it.next()?.parse().ok()?;
    let d = it.next()?.parse().ok()?;
    Some((y, m, d))
}

/// Full years between two ISO dates (`None` if either is malformed).
pub fn age_on(birth: &str, on: &str) -> Option<u32> {
    let (by, bm, bd) = ymd(birth)?;
    let (y, m, d) = ymd(on)?;
    let age = y - by - i32::from((m, d) < (bm, bd));
    u32::try_from(age).ok()
}

impl FeeSchedule {
    /// The built-in table. It is tested to parse; a corrupt build fails that test.
    pub fn builtin() -> Result<FeeSchedule, String> {
        serde_json::from_str(FEE_SCHEDULE_JSON).map_err(|e| e.to_string())
    }

    pub fn category(&self, id: &str) -> Option<&FeeCategory> {
        self.categories.iter().find(|c| c.id == id)
    }

    /// The fee for `copies` copies, a declared category, and the citizen's age on `today`.
    pub fn quote(
        &self,
        declared: &str,
        copies: u8,
        date_of_birth: &str,
        today: &str,
    ) -> Result<FeeQuote, FeeError> {
        if copies == 0 || copies > self.max_copies {
            return Err(FeeError::Copies);
        }
        let declared = self.category(declared).ok_or(FeeError::UnknownCategory)?;
        // An automatic row cannot be declared: it follows from the date of birth.
        if declared.automatic.is_some() {
            return Err(FeeError::UnknownCategory);
        }
        let age = age_on(date_of_birth, today).ok_or(FeeError::Date)?;
        let mut best = declared;
        for c in &self.categories {
            let Some(rule) = c.automatic else { continue };
            let applies = rule.age_below.is_none_or(|a| age < a)
                && rule.age_at_least.is_none_or(|a| age >= a);
            if applies && c.fee < best.fee {
                best = c;
            }
        }
        let extra = copies.saturating_sub(self.included_copies);
        let extra_fee = if best.fee == 0 && !self.extra_copies_charged_when_exempt {
            0
        } else {
            u64::from(extra) * self.extra_copy_fee
        };
        Ok(FeeQuote {
            category: best.id.clone(),
            base_fee: best.fee,
            extra_copies: extra,
            extra_copies_fee: extra_fee,
            total: best.fee + extra_fee,
            uncertain: best.uncertain,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn table() -> FeeSchedule {
        FeeSchedule::builtin().unwrap()
    }

    #[test]
    fn the_compiled_in_fee_table_parses_and_names_unique_categories() {
        let t = table();
        let mut ids: Vec<_> = t.categories.iter().map(|c| c.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), t.categories.len());
        assert_eq!(t.category("standard").unwrap().fee, 200_000);
    }

    #[test]
    fn an_adult_pays_the_standard_fee_for_up_to_two_copies() {
        let q = table()
            .quote("standard", 2, "1990-05-17", "2026-11-23")
            .unwrap();
        assert_eq!(
            (q.category.as_str(), q.total, q.extra_copies),
            ("standard", 200_000, 0)
        );
    }

    #[test]
    fn copies_beyond_two_cost_five_thousand_each() {
        let q = table()
            .quote("standard", 5, "1990-05-17", "2026-11-23")
            .unwrap();
        assert_eq!(
            (q.extra_copies, q.extra_copies_fee, q.total),
            (3, 15_000, 215_000)
        );
    }

    #[test]
    fn students_and_people_with_merit_pay_half() {
        for cat in ["student", "meritorious", "martyr_relative"] {
            let q = table().quote(cat, 1, "2004-01-01", "2026-11-23").unwrap();
            assert_eq!(q.total, 100_000, "{cat}");
        }
    }

    #[test]
    fn exempt_groups_pay_nothing_but_extra_copies() {
        let q = table()
            .quote("poor_household", 3, "1980-01-01", "2026-11-23")
            .unwrap();
        assert_eq!((q.base_fee, q.total), (0, 5_000));
        assert!(q.uncertain, "the poor-household row is marked uncertain");
        let q = table()
            .quote("disabled", 1, "1980-01-01", "2026-11-23")
            .unwrap();
        assert_eq!(q.total, 0);
    }

    #[test]
    fn children_under_sixteen_and_the_elderly_are_exempt_automatically() {
        let t = table();
        let child = t.quote("standard", 1, "2011-11-24", "2026-11-23").unwrap();
        assert_eq!((child.category.as_str(), child.total), ("child", 0));
        // Sixteenth birthday today: no longer a child.
        let sixteen = t.quote("standard", 1, "2010-11-23", "2026-11-23").unwrap();
        assert_eq!(sixteen.total, 200_000);
        let old = t.quote("student", 1, "1966-11-23", "2026-11-23").unwrap();
        assert_eq!((old.category.as_str(), old.total), ("elderly", 0));
    }

    #[test]
    fn unknown_or_automatic_categories_and_bad_copy_counts_are_refused() {
        let t = table();
        assert_eq!(
            t.quote("vip", 1, "1990-01-01", "2026-01-01"),
            Err(FeeError::UnknownCategory)
        );
        assert_eq!(
            t.quote("child", 1, "1990-01-01", "2026-01-01"),
            Err(FeeError::UnknownCategory)
        );
        assert_eq!(
            t.quote("standard", 0, "1990-01-01", "2026-01-01"),
            Err(FeeError::Copies)
        );
        assert_eq!(
            t.quote("standard", t.max_copies + 1, "1990-01-01", "2026-01-01"),
            Err(FeeError::Copies)
        );
        assert_eq!(
            t.quote("standard", 1, "1990-13", "2026-01-01"),
            Err(FeeError::Date)
        );
    }
}

macro_rules! redacted_debug {
    ($($t:ty),*) => {$(
        impl std::fmt::Debug for $t {
            /// Personal data: never in logs.
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($t), "(<redacted>)"))
            }
        }
    )*};
}
redacted_debug!(ResidencePeriod, Relative, PersonalDetails);
