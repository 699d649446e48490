//! The trust a verifier places in issuers: the signed trust list (which keys may issue
//! which credential types) and signed status lists (IETF Token Status List style
//! revocation bits).
//!
//! * `list`: the trust list, its age, and the rule that finds the trusted issuer of a
//!   signed credential;
//! * `status`: status lists, one signed list and the verifier's cache of them;
//! * `bitstring`: the issuer's compression of a status bitstring.
//!
//! Both kinds of list are COSE_Sign1 documents refused with the one [`ListError`]
//! defined here. Everything is re-exported here: callers name `trust::X`, never a child
//! module.

use thiserror::Error;

mod bitstring;
mod list;
mod status;
#[cfg(test)]
mod tests;

pub use bitstring::compress_bitstring;
pub use list::{
    Freshness, FreshnessPolicy, IssuerError, MAX_ENTRIES, MAX_TRUST_LIST, TrustEntry, TrustList,
};
pub use status::{
    MAX_STATUS_BITS_BYTES, MAX_STATUS_LIST, Status, StatusList, StatusLists, StatusSource,
};

/// Why a signed list was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum ListError {
    /// Too big, or inflates beyond the bound.
    #[error("list too large")]
    TooLarge,
    /// Malformed CBOR or COSE.
    #[error("malformed list")]
    Malformed,
    /// No anchor key (trust list) or trusted issuer key (status list) verifies it.
    #[error("list signature not valid")]
    BadSignature,
}
