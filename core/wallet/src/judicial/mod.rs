//! Judicial-record certificate requests (Phiếu lý lịch tư pháp): the form prefilled from the
//! verified identity, validation naming each field, the fee from the published schedule,
//! drafts kept sealed in the store, an outbox that submits exactly once under an
//! idempotency key (also across crashes and lost answers), status tracking with a
//! notification hook, payment through a gateway trait, and the electronic certificate as a
//! credential the citizen can show as a QR.
//!
//! Outbox states (`judicial_requests.state`, one SQLite transaction per change):
//!
//! ```text
//! draft ──submit──▶ queued ──flush──▶ sending ──answer──▶ submitted
//!                     ▲                  │  └──refused──▶ failed
//!                     └──no answer───────┘
//! ```
//!
//! The idempotency key and the exact body bytes are written with the `queued` transition,
//! before anything is sent; a row found in `sending` after a restart is simply sent again,
//! and the backend answers with the request it already created.

mod client;
mod error;
mod form;
mod outbox;
mod payment;
mod store;
mod tracking;
mod validate;

pub use error::{FieldError, FieldErrorKind, JudicialError};
pub use form::{ChipDetails, FieldSource, JudicialForm, PersonalField, PersonalForm};
pub use outbox::{FlushReport, JudicialDraft, JudicialRequestInfo, SubmitFault};
pub use payment::{PaymentError, PaymentGateway, PaymentOrder, TestPaymentGateway};
pub use store::{HistoryEntry, HistoryKind, LocalState};
pub use tracking::{JudicialStatusListener, StatusChange};
pub use validate::{MAX_TEXT, month_turning_14, parse_month, validate};
pub use vneid_api::judicial::{
    AutomaticRule, CertificateType, Delivery, DevJudicialAction, DevJudicialAdvanceRequest,
    FeeCategory, FeeQuote, FeeSchedule, JudicialEvent, JudicialRequestView, JudicialStatus,
    PaymentReceipt, Relative, Requester, ResidencePeriod,
};

use std::sync::{Arc, Mutex};

/// Deletes every judicial request and its history, inside the caller's transaction: they
/// leave the phone with the citizen (sign-out, or another citizen activating it).
pub(crate) fn wipe(tx: &rusqlite::Transaction<'_>) -> Result<(), crate::store::StoreError> {
    store::wipe(tx)
}

/// Per-wallet judicial runtime state: the app's listener and a test hook.
#[derive(Default)]
pub(crate) struct Hooks {
    listener: Mutex<Option<Arc<dyn JudicialStatusListener>>>,
    fault: Mutex<Option<SubmitFault>>,
    /// One outbox flush at a time (a second waits, then finds nothing left to send).
    flush: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for Hooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("judicial::Hooks")
    }
}
