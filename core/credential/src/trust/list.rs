//! The signed trust list: which keys may issue which credential types, how old the
//! list may get, and which trusted entry stands behind a signed credential.
//!
//! Trust list payload (COSE_Sign1 by a trust-list signing key the verifier app
//! pins):
//!
//! ```text
//! { 1: sequence number, 2: issued at,
//!   3: [ [kid (8 B), key (SEC1 33 B), issuer name, [types], not before, not after], ... ] }
//! ```
//!
//! Several entries may share a kid (8 bytes of a hash collide by accident or on
//! purpose, cf. the EU DCC): the verifier tries each candidate's key, so a
//! colliding entry cannot block or impersonate another issuer.

use std::collections::HashMap;

use minicbor::{Decoder, Encoder};
use thiserror::Error;

use super::ListError;
use crate::claims::CredentialTypeId;
use crate::cose::{Kid, PublicKey, Sign1, SigningKey, decode_sign1};
use crate::issuer::CredentialPayload;

/// One trusted issuer key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustEntry {
    /// Key id.
    pub kid: Kid,
    /// Public key.
    pub key: PublicKey,
    /// Issuing authority, shown to counter staff.
    pub issuer_name: String,
    /// Credential types this key may sign.
    pub types: Vec<CredentialTypeId>,
    /// Key valid from (Unix seconds): a credential's nbf must fall in the key's window.
    pub not_before: u64,
    /// Key valid until.
    pub not_after: u64,
}

/// How old a trust list may get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FreshnessPolicy {
    /// Warn after (seconds since issue). Default 7 days.
    pub warn_after: u64,
    /// Refuse after. Default 30 days.
    pub refuse_after: u64,
}

impl Default for FreshnessPolicy {
    fn default() -> Self {
        FreshnessPolicy {
            warn_after: 7 * 86_400,
            refuse_after: 30 * 86_400,
        }
    }
}

/// Age class of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// Within the warning age.
    Fresh,
    /// Usable, but the counter should refresh it.
    Aging {
        /// Whole days since issue.
        days: u64,
    },
    /// Too old to rely on.
    Stale {
        /// Whole days since issue.
        days: u64,
    },
}

/// Why no trusted issuer stands behind a signed credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum IssuerError {
    /// No trust-list entry under the credential's kid.
    #[error("unknown issuer")]
    Unknown,
    /// No key under the kid verifies the signature: forged or altered.
    #[error("issuer signature not valid")]
    BadSignature,
    /// Signed by a trusted key, but the payload does not parse.
    #[error("malformed issuer payload")]
    MalformedPayload,
    /// A trusted key signed a type, or at a time, it is not authorised for.
    #[error("issuer not authorised for this credential")]
    NotAuthorized,
}

/// Largest signed trust list accepted (bytes).
pub const MAX_TRUST_LIST: usize = 1 << 20;
/// Most entries in a trust list.
pub const MAX_ENTRIES: usize = 10_000;

/// A verified trust list.
#[derive(Debug, Clone)]
pub struct TrustList {
    /// Sequence number (monotonic; the app refuses to go backwards).
    pub sequence: u64,
    /// Issue time.
    pub issued_at: u64,
    /// Age policy.
    pub policy: FreshnessPolicy,
    by_kid: HashMap<Kid, Vec<TrustEntry>>,
}

impl TrustList {
    /// Signs a trust list (backend / fixtures side).
    pub fn sign(
        entries: &[TrustEntry],
        sequence: u64,
        issued_at: u64,
        signer: &SigningKey,
    ) -> Result<Vec<u8>, crate::cose::KeyError> {
        let mut p = Vec::new();
        let mut e = Encoder::new(&mut p);
        let r = (|| {
            e.map(3)?
                .u8(1)?
                .u64(sequence)?
                .u8(2)?
                .u64(issued_at)?
                .u8(3)?
                .array(entries.len() as u64)?;
            for t in entries {
                e.array(6)?
                    .bytes(&t.kid)?
                    .bytes(t.key.compressed())?
                    .str(&t.issuer_name)?;
                e.array(t.types.len() as u64)?;
                for ty in &t.types {
                    e.u16(*ty)?;
                }
                e.u64(t.not_before)?.u64(t.not_after)?;
            }
            Ok::<_, minicbor::encode::Error<std::convert::Infallible>>(())
        })();
        r.map_err(|_| crate::cose::KeyError::SigningFailed)?;
        signer.sign1(&p)
    }

    /// Verifies against the pinned anchor keys and parses.
    pub fn verify(
        bytes: &[u8],
        anchors: &[PublicKey],
        policy: FreshnessPolicy,
    ) -> Result<TrustList, ListError> {
        let m = ListError::Malformed;
        if bytes.len() > MAX_TRUST_LIST {
            return Err(ListError::TooLarge);
        }
        let mut d = Decoder::new(bytes);
        let s = decode_sign1(&mut d).map_err(|_| m)?;
        if d.position() != bytes.len() {
            return Err(m);
        }
        if !anchors.iter().any(|a| s.verify(a)) {
            return Err(ListError::BadSignature);
        }
        let mut d = Decoder::new(s.payload);
        let e = |_| m;
        if d.map().map_err(e)? != Some(3) || d.u8().map_err(e)? != 1 {
            return Err(m);
        }
        let sequence = d.u64().map_err(e)?;
        if d.u8().map_err(e)? != 2 {
            return Err(m);
        }
        let issued_at = d.u64().map_err(e)?;
        if d.u8().map_err(e)? != 3 {
            return Err(m);
        }
        let n = d.array().map_err(e)?.ok_or(m)?;
        if n > MAX_ENTRIES as u64 {
            return Err(ListError::TooLarge);
        }
        let mut by_kid: HashMap<Kid, Vec<TrustEntry>> = HashMap::new();
        for _ in 0..n {
            if d.array().map_err(e)? != Some(6) {
                return Err(m);
            }
            let kid: Kid = d.bytes().map_err(e)?.try_into().map_err(|_| m)?;
            let key = PublicKey::from_sec1(d.bytes().map_err(e)?).map_err(|_| m)?;
            let issuer_name = d.str().map_err(e)?.to_owned();
            let nt = d.array().map_err(e)?.ok_or(m)?;
            if nt > 1000 {
                return Err(ListError::TooLarge);
            }
            let types = (0..nt)
                .map(|_| d.u16().map_err(e))
                .collect::<Result<Vec<_>, _>>()?;
            let not_before = d.u64().map_err(e)?;
            let not_after = d.u64().map_err(e)?;
            by_kid.entry(kid).or_default().push(TrustEntry {
                kid,
                key,
                issuer_name,
                types,
                not_before,
                not_after,
            });
        }
        if d.position() != s.payload.len() {
            return Err(m);
        }
        Ok(TrustList {
            sequence,
            issued_at,
            policy,
            by_kid,
        })
    }

    /// Entries under a kid (possibly several).
    pub fn candidates(&self, kid: &Kid) -> &[TrustEntry] {
        self.by_kid.get(kid).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The trusted entry that signed `sign1` and may issue its credential: some entry under
    /// the kid whose key verifies the signature, listing the payload's type, with the
    /// payload's `nbf` inside its window. The verifier at the counter and the wallet on
    /// receipt use this same rule.
    pub fn issuer_for(
        &self,
        sign1: &Sign1<'_>,
    ) -> Result<(&TrustEntry, CredentialPayload), IssuerError> {
        let candidates = self.candidates(&sign1.kid);
        if candidates.is_empty() {
            return Err(IssuerError::Unknown);
        }
        let mut verifying = candidates
            .iter()
            .filter(|t| sign1.verify(&t.key))
            .peekable();
        if verifying.peek().is_none() {
            return Err(IssuerError::BadSignature);
        }
        let payload =
            CredentialPayload::decode(sign1.payload).map_err(|_| IssuerError::MalformedPayload)?;
        let entry = verifying
            .find(|t| {
                t.types.contains(&payload.credential_type)
                    && t.not_before <= payload.nbf
                    && payload.nbf <= t.not_after
            })
            .ok_or(IssuerError::NotAuthorized)?;
        Ok((entry, payload))
    }

    /// Age class at `now`.
    pub fn freshness(&self, now: u64) -> Freshness {
        let age = now.saturating_sub(self.issued_at);
        let days = age / 86_400;
        if age > self.policy.refuse_after {
            Freshness::Stale { days }
        } else if age > self.policy.warn_after {
            Freshness::Aging { days }
        } else {
            Freshness::Fresh
        }
    }
}
