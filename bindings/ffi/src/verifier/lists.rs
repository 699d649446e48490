//! The lists a counter relies on, as the app sees them: which status list a scanned QR names
//! (read before verification, to know what to fetch), and the age and coverage of the trust
//! and status lists the [`super::Verifier`] holds.

use vneid_wallet::credential::presentation::unverified_status_ref;
use vneid_wallet::credential::trust::{Freshness, TrustList};

/// The status list a presentation names (unverified: only to know which list to fetch).
#[uniffi::export]
pub fn presentation_status_list_id(payload_text: String) -> Option<u32> {
    unverified_status_ref(&payload_text).map(|s| s.list)
}

/// Where a credential's revocation bit lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct StatusEntry {
    pub list_id: u32,
    pub index: u32,
}

/// The status entry a presentation names (unverified: for fetching the list, and for the
/// holder's own records).
#[uniffi::export]
pub fn presentation_status_entry(payload_text: String) -> Option<StatusEntry> {
    unverified_status_ref(&payload_text).map(|s| StatusEntry {
        list_id: s.list,
        index: s.index,
    })
}

/// How old the counter's trust list is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ListAge {
    /// Within the warning age.
    Fresh,
    /// Usable; results carry a warning until it is refreshed.
    Aging,
    /// Too old: every scan is amber `TRUST_LIST_STALE` until it is refreshed.
    Stale,
}

/// The trust list the counter holds.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TrustListInfo {
    /// Monotonic: an older list never replaces a newer one.
    pub sequence: u64,
    /// When the backend signed it (Unix seconds).
    pub issued_at: u64,
    /// Whole days since then, at the time asked.
    pub age_days: u64,
    pub age: ListAge,
}

/// One status list the counter holds.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct StatusListInfo {
    pub list_id: u32,
    /// When the issuer signed it (Unix seconds).
    pub issued_at: u64,
    /// After this (the list's time to live capped by the counter's own maximum age) scans of
    /// credentials in it are amber `STATUS_UNKNOWN` until it is refreshed.
    pub usable_until: u64,
}

/// What the counter holds after an update.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct VerifierLists {
    pub trust_list: TrustListInfo,
    pub status_lists: Vec<StatusListInfo>,
}

pub(super) fn trust_info(t: &TrustList, now: u64) -> TrustListInfo {
    let (age, age_days) = match t.freshness(now) {
        Freshness::Fresh => (ListAge::Fresh, now.saturating_sub(t.issued_at) / 86_400),
        Freshness::Aging { days } => (ListAge::Aging, days),
        Freshness::Stale { days } => (ListAge::Stale, days),
    };
    TrustListInfo {
        sequence: t.sequence,
        issued_at: t.issued_at,
        age_days,
        age,
    }
}
