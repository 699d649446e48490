//! The outcome of one scan as the counter app shows it: green/amber/red class, the precise
//! reason, warnings and the verified claims in text form, converted from the core's
//! [`Verdict`]. Pure conversion, shared by both flows of the [`super::Verifier`].

use crate::claims::{ClaimInfo, claim_info};
use vneid_wallet::credential::claims::{ClaimValue, Sex};
use vneid_wallet::credential::verify::{Fixable, Reject, Verdict, Warning};

/// Green, amber or red.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum VerdictClass {
    /// Genuine, current, the holder's: accept.
    Accept,
    /// Retry after doing something (fresh QR, refresh lists, fix a clock, rescan).
    Fixable,
    /// Do not accept.
    Reject,
}

/// The precise reason, for counter staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum VerificationReason {
    /// Accepted.
    Verified,
    /// Not a readable VN1 payload: rescan.
    Unreadable,
    /// Older than the validity window: ask for a fresh QR.
    PresentationExpired,
    /// Timestamp in the future beyond tolerance: a clock is wrong.
    ClockSkew,
    /// The counter's trust list is too old: refresh it.
    TrustListStale,
    /// No fresh status list covers the credential: refresh status lists.
    StatusUnknown,
    /// A claim the counter needs was not disclosed: ask for another preset.
    RequiredClaimMissing,
    Malformed,
    Oversized,
    UnknownIssuer,
    BadIssuerSignature,
    IssuerNotAuthorized,
    /// Disclosed data do not match the signed credential: tampered.
    AlteredData,
    /// The device signature does not verify (another phone, or altered).
    BadHolderSignature,
    WrongNonce,
    /// The same presentation was already accepted inside its window.
    Replayed,
    CredentialExpired,
    CredentialNotYetValid,
    Revoked,
}

/// Something staff should know on a green result.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum VerificationWarning {
    /// The trust list is older than a week: refresh it.
    TrustListAging { days: u64 },
    /// A portrait digest was disclosed: compare it with a photo from the chip or a lookup.
    ComparePortrait,
}

/// A verified claim. `value` is personal data: `Debug` does not print it.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct VerifiedClaim {
    pub claim: ClaimInfo,
    /// Text form: dates `YYYY-MM-DD`, date ranges `FROM/TO` (`FROM/..` without end), sex
    /// `male`/`female`/`not_known`/`not_applicable`, booleans `true`/`false`, digests
    /// lowercase hex; null when the credential records no value.
    pub value: Option<String>,
}

impl std::fmt::Debug for VerifiedClaim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifiedClaim")
            .field("claim", &self.claim.name)
            .finish_non_exhaustive()
    }
}

fn iso(d: vneid_wallet::credential::claims::Date) -> String {
    let (y, m, day) = d.ymd();
    format!("{y:04}-{m:02}-{day:02}")
}

fn value_text(v: &ClaimValue) -> Option<String> {
    Some(match v {
        ClaimValue::Text(s) | ClaimValue::Digits(s) => s.clone(),
        ClaimValue::Date(d) => iso(*d),
        ClaimValue::DateRange(a, b) => {
            format!("{}/{}", iso(*a), b.map_or_else(|| "..".to_owned(), iso))
        }
        ClaimValue::Sex(s) => match s {
            Sex::NotKnown => "not_known",
            Sex::Male => "male",
            Sex::Female => "female",
            Sex::NotApplicable => "not_applicable",
        }
        .to_owned(),
        ClaimValue::Bool(b) => b.to_string(),
        ClaimValue::Digest(d) => d.iter().map(|b| format!("{b:02x}")).collect(),
        ClaimValue::Absent => return None,
    })
}

/// The outcome of one scan. Claims are present only when `verdict` is `Accept`.
#[derive(Clone, uniffi::Record)]
pub struct VerificationResult {
    pub verdict: VerdictClass,
    pub reason: VerificationReason,
    /// More about the reason (which field is malformed, which claim is missing, how many
    /// days old the trust list is); never personal data.
    pub detail: Option<String>,
    /// Issuing authority from the trust list.
    pub issuer_name: Option<String>,
    pub credential_type: Option<u16>,
    /// Level-2 upgrade: for an identity, the account level behind it — 2 for the
    /// electronic ID (chip ID card verified), 1 for the core ID (population database only).
    pub identity_level: Option<u8>,
    /// The phone's timestamp.
    pub presented_at: Option<u64>,
    /// The counter's time of the check (Unix seconds).
    pub checked_at: u64,
    pub credential_expires_at: Option<u64>,
    pub claims: Vec<VerifiedClaim>,
    pub warnings: Vec<VerificationWarning>,
    /// Photo profile: the face image (grayscale JPEG, about 1 KB) the QR carried, already
    /// checked against the issuer-signed portrait digest. Show it to compare with the person.
    pub photo: Option<Vec<u8>>,
}

impl std::fmt::Debug for VerificationResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerificationResult")
            .field("verdict", &self.verdict)
            .field("reason", &self.reason)
            .field("detail", &self.detail)
            .field("checked_at", &self.checked_at)
            .finish_non_exhaustive()
    }
}

fn not_accepted(
    verdict: VerdictClass,
    reason: VerificationReason,
    detail: Option<String>,
    checked_at: u64,
) -> VerificationResult {
    VerificationResult {
        verdict,
        reason,
        detail,
        issuer_name: None,
        credential_type: None,
        identity_level: None,
        presented_at: None,
        checked_at,
        credential_expires_at: None,
        claims: Vec::new(),
        warnings: Vec::new(),
        photo: None,
    }
}

pub(super) fn result_of(verdict: Verdict, checked_at: u64) -> VerificationResult {
    use VerificationReason as R;
    match verdict {
        Verdict::Accept(v) => VerificationResult {
            verdict: VerdictClass::Accept,
            reason: R::Verified,
            detail: None,
            issuer_name: Some(v.issuer_name),
            credential_type: Some(v.credential_type),
            identity_level: vneid_wallet::credential::claims::identity_level(v.credential_type),
            presented_at: Some(v.presented_at),
            checked_at: v.checked_at,
            credential_expires_at: Some(v.credential_expires),
            claims: v
                .claims
                .iter()
                .map(|(k, val)| VerifiedClaim {
                    claim: claim_info(*k),
                    value: value_text(val),
                })
                .collect(),
            warnings: v
                .warnings
                .into_iter()
                .map(|w| match w {
                    Warning::TrustListAging { days } => {
                        VerificationWarning::TrustListAging { days }
                    }
                    Warning::ComparePortrait => VerificationWarning::ComparePortrait,
                })
                .collect(),
            photo: v.photo,
        },
        Verdict::Fixable(f) => {
            let (reason, detail) = match f {
                Fixable::Unreadable => (R::Unreadable, None),
                Fixable::PresentationExpired => (R::PresentationExpired, None),
                Fixable::ClockSkew => (R::ClockSkew, None),
                Fixable::TrustListStale { days } => {
                    (R::TrustListStale, Some(format!("{days} days old")))
                }
                Fixable::StatusUnknown => (R::StatusUnknown, None),
                Fixable::RequiredClaimMissing(k) => {
                    (R::RequiredClaimMissing, Some(claim_info(k).name))
                }
            };
            not_accepted(VerdictClass::Fixable, reason, detail, checked_at)
        }
        Verdict::Reject(r) => {
            let (reason, detail) = match r {
                Reject::Malformed(w) => (R::Malformed, Some(w.to_owned())),
                Reject::Oversized(w) => (R::Oversized, Some(w.to_owned())),
                Reject::UnknownIssuer => (R::UnknownIssuer, None),
                Reject::BadIssuerSignature => (R::BadIssuerSignature, None),
                Reject::IssuerNotAuthorized => (R::IssuerNotAuthorized, None),
                Reject::AlteredData => (R::AlteredData, None),
                Reject::BadHolderSignature => (R::BadHolderSignature, None),
                Reject::WrongNonce => (R::WrongNonce, None),
                Reject::Replayed => (R::Replayed, None),
                Reject::CredentialExpired => (R::CredentialExpired, None),
                Reject::CredentialNotYetValid => (R::CredentialNotYetValid, None),
                Reject::Revoked => (R::Revoked, None),
            };
            not_accepted(VerdictClass::Reject, reason, detail, checked_at)
        }
    }
}
