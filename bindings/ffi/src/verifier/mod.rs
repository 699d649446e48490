//! Counter side: the [`Verifier`] object (trust list, status lists, replay cache) turning
//! scanned QR text into a typed verdict, and [`RequestSigner`] for the two-way flow's request
//! QR. Conversions only; the checks are in `vneid_credential::verify`.
//!
//! Everything here is synchronous: a verification is pure CPU (about 0.1 ms). The replay
//! cache and status lists sit behind one mutex that is never held while calling foreign code.
//!
//! - `verdict`: the typed outcome of one scan and its conversion from the core's verdict;
//! - `lists`: the trust and status lists the counter holds, and which list a QR names;
//! - `request`: [`RequestSigner`] and the [`CounterRequest`] it produces (two-way flow);
//! - `counter`: the [`Verifier`] object and its configuration, tying the others together.

mod counter;
mod lists;
mod request;
mod verdict;

pub use counter::{Verifier, VerifierConfig};
pub use lists::{
    ListAge, StatusEntry, StatusListInfo, TrustListInfo, VerifierLists, presentation_status_entry,
    presentation_status_list_id,
};
pub use request::{CounterRequest, RequestSigner};
pub use verdict::{
    VerdictClass, VerificationReason, VerificationResult, VerificationWarning, VerifiedClaim,
};
