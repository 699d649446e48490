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
mod months;
mod outbox;
mod payment;
mod store;
mod tracking;
mod validate;

pub use error::{FieldError, FieldErrorKind, JUDICIAL_CODES, JudicialError};
pub use form::{ChipDetails, FieldSource, JudicialForm, PersonalField, PersonalForm};
pub use months::{month_turning_14, parse_month};
pub use outbox::{FlushReport, JudicialDraft, JudicialRequestInfo, SubmitFault};
pub use payment::{PaymentError, PaymentGateway, PaymentOrder, TestPaymentGateway};
pub use store::{HistoryEntry, HistoryKind, LocalState};
pub use tracking::{JudicialStatusListener, StatusChange};
pub use validate::{MAX_TEXT, validate};
pub use vneid_api::judicial::{
    AutomaticRule, CertificateType, Delivery, DevJudicialAction, DevJudicialAdvanceRequest,
    FeeCategory, FeeQuote, FeeSchedule, JudicialEvent, JudicialRequestView, JudicialStatus,
    PaymentReceipt, Relative, Requester, ResidencePeriod,
};

use crate::error::ErrorCode;
use crate::error::WalletError;
use crate::store::Schema;
use crate::wallet::{Capability, Wallet};
use std::sync::{Arc, Mutex};

/// Judicial-record requests as a wallet capability: its outbox tables, its codes, and its
/// runtime state (the app's status listener, a test hook, the one-flush-at-a-time lock).
#[derive(Debug, Default)]
pub struct JudicialRequests {
    hooks: Hooks,
}

impl Capability for JudicialRequests {
    fn name(&self) -> &'static str {
        "judicial"
    }

    fn schema(&self) -> Option<Schema> {
        Some(Schema {
            name: "judicial",
            migrations: &[store::MIGRATION],
            tables: store::TABLES,
            // Created by core schema version 3 before capabilities were versioned apart.
            legacy_versions: &[3],
        })
    }

    fn error_codes(&self) -> &'static [ErrorCode] {
        JUDICIAL_CODES
    }
}

impl Wallet {
    /// This wallet's judicial runtime state.
    fn judicial_hooks(&self) -> Result<&Hooks, WalletError> {
        Ok(&self.capability::<JudicialRequests>()?.hooks)
    }
}

/// Per-wallet judicial runtime state: the app's listener and a test hook.
#[derive(Default)]
struct Hooks {
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
