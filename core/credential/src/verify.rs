//! Verifier side: from scanned text to a verdict counter staff can act on.
//!
//! Order (cheap and structural first, then signatures, then policy, and the
//! replay cache last so only presentations that would be accepted are recorded):
//! trust-list age → Base45/zlib → structure → kid lookup → issuer signature →
//! issuer payload and authorisation → claim tree root → device signature →
//! nonce → freshness → credential validity → status → required claims → replay.
//!
//! Every failure maps to one of three classes (DOMAIN.md, "QR at the counter"):
//! accept (green), fixable (amber: the holder or the counter can retry after
//! doing something), reject (red).

use std::collections::HashMap;

use minicbor::Decoder;
use ring::digest::{SHA256, digest};

use crate::claims::{ClaimKey, ClaimValue, CredentialTypeId, Registry, decode_value, keys};
use crate::cose::{Kid, decode_sign1};
use crate::presentation::{TextError, device_message, from_qr_text, parse};
use crate::trust::{Freshness, IssuerError, Status, StatusSource, TrustList};

/// The verifier's tolerances.
#[derive(Debug, Clone)]
pub struct VerifyPolicy {
    /// Allowed clock difference between holder and verifier, both ways (default 300 s).
    pub clock_skew: u64,
    /// How long after its timestamp a presentation is valid (default 60 s).
    pub validity_window: u64,
    /// Claims the counter needs (a missing one is fixable: ask for another preset).
    pub required_claims: Vec<ClaimKey>,
    /// Two-way flow: the nonce this verifier put in its request.
    pub expected_nonce: Option<Vec<u8>>,
    /// Two-way flow: the verifier identity the holder signed for.
    pub audience: Option<String>,
}

impl Default for VerifyPolicy {
    fn default() -> Self {
        VerifyPolicy {
            clock_skew: 300,
            validity_window: 60,
            required_claims: Vec::new(),
            expected_nonce: None,
            audience: None,
        }
    }
}

/// Remembers presentations seen inside their validity window.
pub trait ReplayGuard {
    /// Records `id` until `expires_at`; returns true if it was already recorded.
    fn check_and_record(&mut self, id: [u8; 32], expires_at: u64, now: u64) -> bool;
}

/// A bounded in-memory replay cache.
#[derive(Debug, Clone)]
pub struct ReplayCache {
    seen: HashMap<[u8; 32], u64>,
    capacity: usize,
}

impl ReplayCache {
    /// At most `capacity` live entries (a counter scans a few per minute).
    pub fn new(capacity: usize) -> ReplayCache {
        ReplayCache {
            seen: HashMap::new(),
            capacity: capacity.max(1),
        }
    }
}

impl Default for ReplayCache {
    fn default() -> Self {
        ReplayCache::new(10_000)
    }
}

impl ReplayGuard for ReplayCache {
    fn check_and_record(&mut self, id: [u8; 32], expires_at: u64, now: u64) -> bool {
        if self.seen.get(&id).is_some_and(|&e| e >= now) {
            return true;
        }
        if self.seen.len() >= self.capacity {
            self.seen.retain(|_, e| *e >= now);
        }
        if self.seen.len() >= self.capacity {
            // Still full of live entries: drop the one expiring soonest.
            if let Some(k) = self.seen.iter().min_by_key(|(_, e)| **e).map(|(k, _)| *k) {
                self.seen.remove(&k);
            }
        }
        self.seen.insert(id, expires_at);
        false
    }
}

/// Something staff should know on a green result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warning {
    /// The trust list is older than the warning age.
    TrustListAging {
        /// Days since issue.
        days: u64,
    },
    /// A portrait digest was disclosed: compare it with a photo from the chip or a lookup.
    ComparePortrait,
}

/// A green result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// Credential type.
    pub credential_type: CredentialTypeId,
    /// Issuing authority from the trust list.
    pub issuer_name: String,
    /// Issuer key id.
    pub kid: Kid,
    /// Disclosed claims in the type's leaf order.
    pub claims: Vec<(ClaimKey, ClaimValue)>,
    /// Holder's timestamp.
    pub presented_at: u64,
    /// Verifier's time of the check.
    pub checked_at: u64,
    /// Credential validity end.
    pub credential_expires: u64,
    /// Notes for staff.
    pub warnings: Vec<Warning>,
    /// Photo profile: the face image, checked against the disclosed portrait digest. Show it
    /// to staff to compare with the person at the counter.
    pub photo: Option<Vec<u8>>,
}

/// Amber: retry after doing something.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fixable {
    /// The text is not a readable VN1 payload (rescan).
    Unreadable,
    /// Older than the validity window: ask for a fresh QR.
    PresentationExpired,
    /// Timestamp in the future beyond tolerance: the phone's (or counter's) clock is wrong.
    ClockSkew,
    /// The counter's trust list is too old: refresh it.
    TrustListStale {
        /// Days since issue.
        days: u64,
    },
    /// No fresh status list covers this credential: refresh status lists or check online.
    StatusUnknown,
    /// A claim the counter needs was not disclosed: ask for another preset.
    RequiredClaimMissing(ClaimKey),
}

/// Red: do not accept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reject {
    /// Structurally invalid; the text says where.
    Malformed(&'static str),
    /// A field or the whole input over its bound.
    Oversized(&'static str),
    /// No trusted key under this kid.
    UnknownIssuer,
    /// The signature does not verify under any key for the kid: forged or altered.
    BadIssuerSignature,
    /// A trusted key signed a type, or at a time, it is not authorised for.
    IssuerNotAuthorized,
    /// The disclosed claims do not match the signed root: altered data.
    AlteredData,
    /// The device signature does not verify with the bound key (other device, or altered).
    BadHolderSignature,
    /// Nonce missing, unexpected, or not this verifier's.
    WrongNonce,
    /// Same presentation already accepted inside its window.
    Replayed,
    /// Credential past its exp.
    CredentialExpired,
    /// Credential before its nbf.
    CredentialNotYetValid,
    /// Revoked in the status list.
    Revoked,
}

/// The verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Green.
    Accept(Verified),
    /// Amber.
    Fixable(Fixable),
    /// Red.
    Reject(Reject),
}

impl Verdict {
    /// True only for [`Verdict::Accept`].
    pub fn is_accept(&self) -> bool {
        matches!(self, Verdict::Accept(_))
    }
}

/// Everything a verification needs besides the input, the clock and the replay guard.
#[derive(Clone, Copy)]
pub struct Verifier<'a> {
    /// Credential types understood.
    pub registry: &'a Registry,
    /// Trusted issuers.
    pub trust: &'a TrustList,
    /// Revocation source.
    pub status: &'a dyn StatusSource,
    /// Tolerances and two-way expectations.
    pub policy: &'a VerifyPolicy,
}

impl std::fmt::Debug for Verifier<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("policy", self.policy)
            .finish_non_exhaustive()
    }
}

/// What a scanned QR turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scan {
    /// A VN1 presentation and its verdict.
    Presentation(Verdict),
    /// The printed QR of a chip ID card: parsed, **not cryptographically verified**.
    UnverifiedCard(crate::card_qr::UnverifiedCardQr),
}

impl Verifier<'_> {
    /// Classifies scanned text: a VN1 presentation is verified; the printed card
    /// QR is parsed and marked unverified; anything else is `Unreadable`.
    pub fn scan(&self, text: &str, now: u64, replay: &mut dyn ReplayGuard) -> Scan {
        let card = if text.starts_with("VN1") {
            None
        } else {
            crate::card_qr::parse_card_qr(text).ok()
        };
        match card {
            Some(card) => Scan::UnverifiedCard(card),
            None => Scan::Presentation(self.verify_text(text, now, replay)),
        }
    }

    /// Verifies QR text at time `now` (Unix seconds, verifier clock).
    pub fn verify_text(&self, text: &str, now: u64, replay: &mut dyn ReplayGuard) -> Verdict {
        match from_qr_text(text) {
            Ok(bin) => self.verify_binary(&bin, now, replay),
            Err(TextError::TooLarge) => Verdict::Reject(Reject::Oversized("input")),
            Err(TextError::Inflate) => Verdict::Reject(Reject::Malformed("compressed data")),
            Err(_) => Verdict::Fixable(Fixable::Unreadable),
        }
    }

    /// Verifies a binary presentation.
    pub fn verify_binary(&self, bin: &[u8], now: u64, replay: &mut dyn ReplayGuard) -> Verdict {
        match self.check(bin, now, replay) {
            Ok(v) => Verdict::Accept(v),
            Err(v) => v,
        }
    }

    // The error is the verdict itself, returned by value either way; boxing it would only
    // add an allocation on the reject path.
    #[allow(clippy::result_large_err)]
    fn check(
        &self,
        bin: &[u8],
        now: u64,
        replay: &mut dyn ReplayGuard,
    ) -> Result<Verified, Verdict> {
        let reject = |r| Verdict::Reject(r);
        let fixable = |f| Verdict::Fixable(f);
        let p = self.policy;

        let mut warnings = Vec::new();
        match self.trust.freshness(now) {
            Freshness::Fresh => {}
            Freshness::Aging { days } => warnings.push(Warning::TrustListAging { days }),
            Freshness::Stale { days } => return Err(fixable(Fixable::TrustListStale { days })),
        }

        if bin.len() > crate::presentation::MAX_BINARY {
            return Err(reject(Reject::Oversized("input")));
        }
        let parsed = parse(bin).map_err(|e| match e {
            crate::presentation::ParseError::Malformed(w) => reject(Reject::Malformed(w)),
            crate::presentation::ParseError::Oversized(w) => reject(Reject::Oversized(w)),
        })?;
        let sign1 = decode_sign1(&mut Decoder::new(parsed.issuer_signed))
            .map_err(|_| reject(Reject::Malformed("issuer signed object")))?;

        // Issuer: any candidate under the kid whose key verifies and is authorised.
        let (entry, payload) = self.trust.issuer_for(&sign1).map_err(|e| {
            reject(match e {
                IssuerError::Unknown => Reject::UnknownIssuer,
                IssuerError::BadSignature => Reject::BadIssuerSignature,
                IssuerError::MalformedPayload => Reject::Malformed("issuer payload"),
                IssuerError::NotAuthorized => Reject::IssuerNotAuthorized,
            })
        })?;
        let ty = self
            .registry
            .get(payload.credential_type)
            .ok_or(reject(Reject::Malformed("credential type")))?;

        // Claims: recompute the root from the disclosed values and the proof.
        let root = ty
            .shape
            .recompute_root(parsed.mask, &parsed.proof, &parsed.values)
            .map_err(|_| reject(Reject::AlteredData))?;
        if root != payload.root {
            return Err(reject(Reject::AlteredData));
        }

        // Holder binding.
        let msg = device_message(parsed.issuer_signed, parsed.body, p.audience.as_deref());
        if !payload.holder_key.verify(&msg, &parsed.device_sig) {
            return Err(reject(Reject::BadHolderSignature));
        }
        if parsed.nonce != p.expected_nonce.as_deref() {
            return Err(reject(Reject::WrongNonce));
        }

        // Time.
        if parsed.timestamp > now.saturating_add(p.clock_skew) {
            return Err(fixable(Fixable::ClockSkew));
        }
        let expires = parsed
            .timestamp
            .saturating_add(p.validity_window)
            .saturating_add(p.clock_skew);
        if now > expires {
            return Err(fixable(Fixable::PresentationExpired));
        }
        if now.saturating_add(p.clock_skew) < payload.nbf {
            return Err(reject(Reject::CredentialNotYetValid));
        }
        if now > payload.exp.saturating_add(p.clock_skew) {
            return Err(reject(Reject::CredentialExpired));
        }

        match self
            .status
            .status(payload.status.list, payload.status.index, now)
        {
            Status::Valid => {}
            Status::Revoked => return Err(reject(Reject::Revoked)),
            Status::UnknownOrStale => return Err(fixable(Fixable::StatusUnknown)),
        }

        // Values: only now, with the data authenticated, interpret them.
        let mut claims = Vec::with_capacity(parsed.values.len());
        let disclosed_keys = ty
            .shape
            .leaves()
            .iter()
            .enumerate()
            .filter(|(i, _)| parsed.mask & (1u32 << i) != 0)
            .map(|(_, k)| *k);
        for (key, raw) in disclosed_keys.zip(parsed.values.iter()) {
            let mut d = Decoder::new(raw);
            let v =
                decode_value(key, &mut d).map_err(|_| reject(Reject::Malformed("claim value")))?;
            if d.position() != raw.len() {
                return Err(reject(Reject::Malformed("claim value")));
            }
            claims.push((key, v));
        }
        if let Some(k) = p
            .required_claims
            .iter()
            .find(|k| !claims.iter().any(|(c, _)| c == *k))
        {
            return Err(fixable(Fixable::RequiredClaimMissing(*k)));
        }
        let portrait = claims.iter().find_map(|(k, v)| match v {
            ClaimValue::Digest(d) if *k == keys::PORTRAIT_DIGEST => Some(*d),
            _ => None,
        });
        // Photo profile: the image must be the one the issuer's portrait digest names.
        if let Some(photo) = parsed.photo {
            let Some(want) = portrait else {
                return Err(reject(Reject::Malformed("photo without portrait digest")));
            };
            if digest(&SHA256, photo).as_ref() != want.as_slice() {
                return Err(reject(Reject::AlteredData));
            }
        }
        if portrait.is_some() {
            warnings.push(Warning::ComparePortrait);
        }

        let replay_id: [u8; 32] = digest(&SHA256, &msg).as_ref().try_into().unwrap_or([0; 32]);
        if replay.check_and_record(replay_id, expires, now) {
            return Err(reject(Reject::Replayed));
        }

        Ok(Verified {
            credential_type: payload.credential_type,
            issuer_name: entry.issuer_name.clone(),
            kid: sign1.kid,
            claims,
            presented_at: parsed.timestamp,
            checked_at: now,
            credential_expires: payload.exp,
            warnings,
            photo: parsed.photo.map(<[u8]>::to_vec),
        })
    }
}
