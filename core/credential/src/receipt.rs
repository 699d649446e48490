//! Holder side, on receipt: is a copy the backend sent really from a trusted issuer?
//!
//! [`IssuedCredential::from_envelope`](crate::issuer::IssuedCredential::from_envelope)
//! already checks that the copy's claims and root seed recompute its signed root and that it
//! is bound to the device key it was requested for. This adds what only the trust list can
//! tell: that a trusted issuer key signed it, for this credential type, and that it is valid
//! now. Without it a compromised or impersonated backend could fill the wallet with copies
//! every counter rejects, and the citizen would find out at the counter.

use minicbor::Decoder;
use thiserror::Error;

use crate::claims::CredentialTypeId;
use crate::cose::decode_sign1;
use crate::issuer::IssuedCredential;
use crate::trust::{Freshness, IssuerError, TrustList};

/// Why a received copy is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum ReceiptError {
    /// The trust list itself is too old to judge by.
    #[error("trust list is {days} days old")]
    TrustListStale {
        /// Days since it was signed.
        days: u64,
    },
    /// No trusted issuer stands behind the signature.
    #[error("issuer: {0}")]
    Issuer(IssuerError),
    /// The signed object does not parse.
    #[error("malformed signed object")]
    Malformed,
    /// Not the type that was requested.
    #[error("credential type {got}, requested {want}")]
    WrongType {
        /// Type in the signed payload.
        got: CredentialTypeId,
        /// Type requested.
        want: CredentialTypeId,
    },
    /// Its validity starts later than `now` plus the tolerated skew.
    #[error("not yet valid")]
    NotYetValid,
    /// Already expired.
    #[error("expired")]
    Expired,
}

/// Checks a received copy against a verified trust list at `now` (Unix seconds), tolerating
/// `skew` seconds of clock difference. Returns the issuer's name from the trust list.
pub fn check_receipt<'t>(
    trust: &'t TrustList,
    cred: &IssuedCredential,
    want: CredentialTypeId,
    now: u64,
    skew: u64,
) -> Result<&'t str, ReceiptError> {
    if let Freshness::Stale { days } = trust.freshness(now) {
        return Err(ReceiptError::TrustListStale { days });
    }
    let sign1 = decode_sign1(&mut Decoder::new(&cred.cose)).map_err(|_| ReceiptError::Malformed)?;
    let (entry, payload) = trust.issuer_for(&sign1).map_err(ReceiptError::Issuer)?;
    // The decoded payload came from the same bytes; compare anyway so a caller that built
    // `cred` by hand cannot pair one signed object with another payload.
    if payload != cred.payload {
        return Err(ReceiptError::Malformed);
    }
    if payload.credential_type != want {
        return Err(ReceiptError::WrongType {
            got: payload.credential_type,
            want,
        });
    }
    if payload.nbf > now.saturating_add(skew) {
        return Err(ReceiptError::NotYetValid);
    }
    if payload.exp <= now.saturating_sub(skew) {
        return Err(ReceiptError::Expired);
    }
    Ok(&entry.issuer_name)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::claims::{ClaimValue, Registry, keys, types};
    use crate::cose::SigningKey;
    use crate::issuer::{IssueRequest, StatusRef, SystemSalts, issue};
    use crate::trust::{FreshnessPolicy, TrustEntry};
    use std::collections::BTreeMap;

    const NOW: u64 = 1_790_000_000;

    struct Fixture {
        anchor: SigningKey,
        issuer: SigningKey,
        device: SigningKey,
        registry: Registry,
    }

    fn fixture() -> Fixture {
        Fixture {
            anchor: SigningKey::generate().unwrap(),
            issuer: SigningKey::generate().unwrap(),
            device: SigningKey::generate().unwrap(),
            registry: Registry::builtin(),
        }
    }

    fn trust(f: &Fixture, types: Vec<u16>, signed_at: u64) -> TrustList {
        let entry = TrustEntry {
            kid: f.issuer.kid(),
            key: f.issuer.public_key().clone(),
            issuer_name: "Bộ Công an".into(),
            types,
            not_before: 0,
            not_after: u64::MAX,
        };
        TrustList::verify(
            &TrustList::sign(&[entry], 1, signed_at, &f.anchor).unwrap(),
            &[f.anchor.public_key().clone()],
            FreshnessPolicy::default(),
        )
        .unwrap()
    }

    fn age_credential(f: &Fixture, signer: &SigningKey, nbf: u64, exp: u64) -> IssuedCredential {
        let claims = BTreeMap::from([(keys::AGE_OVER_18, ClaimValue::Bool(true))]);
        let req = IssueRequest {
            credential_type: types::AGE_OVER_18,
            claims: &claims,
            holder_key: f.device.public_key().compressed(),
            nbf,
            exp,
        };
        issue(
            &f.registry,
            signer,
            &req,
            StatusRef { list: 1, index: 3 },
            &mut SystemSalts::new(),
        )
        .unwrap()
    }

    #[test]
    fn copy_from_the_trusted_issuer_is_accepted_with_its_name() {
        let f = fixture();
        let cred = age_credential(&f, &f.issuer, NOW - 60, NOW + 86_400);
        let tl = trust(&f, vec![types::AGE_OVER_18], NOW);
        assert_eq!(
            check_receipt(&tl, &cred, types::AGE_OVER_18, NOW, 300),
            Ok("Bộ Công an")
        );
    }

    #[test]
    fn copy_signed_by_a_key_outside_the_trust_list_is_unknown_issuer() {
        let f = fixture();
        let forger = SigningKey::generate().unwrap();
        let cred = age_credential(&f, &forger, NOW - 60, NOW + 86_400);
        let tl = trust(&f, vec![types::AGE_OVER_18], NOW);
        assert_eq!(
            check_receipt(&tl, &cred, types::AGE_OVER_18, NOW, 300),
            Err(ReceiptError::Issuer(IssuerError::Unknown))
        );
    }

    #[test]
    fn copy_signed_by_another_key_under_a_trusted_kid_is_a_bad_signature() {
        let f = fixture();
        let forger = SigningKey::generate().unwrap().with_kid(f.issuer.kid());
        let cred = age_credential(&f, &forger, NOW - 60, NOW + 86_400);
        let tl = trust(&f, vec![types::AGE_OVER_18], NOW);
        assert_eq!(
            check_receipt(&tl, &cred, types::AGE_OVER_18, NOW, 300),
            Err(ReceiptError::Issuer(IssuerError::BadSignature))
        );
    }

    #[test]
    fn type_the_key_may_not_issue_or_was_not_requested_is_refused() {
        let f = fixture();
        let cred = age_credential(&f, &f.issuer, NOW - 60, NOW + 86_400);
        let core_only = trust(&f, vec![types::CORE_ID], NOW);
        assert_eq!(
            check_receipt(&core_only, &cred, types::AGE_OVER_18, NOW, 300),
            Err(ReceiptError::Issuer(IssuerError::NotAuthorized))
        );
        let tl = trust(&f, vec![types::AGE_OVER_18], NOW);
        assert_eq!(
            check_receipt(&tl, &cred, types::CORE_ID, NOW, 300),
            Err(ReceiptError::WrongType {
                got: types::AGE_OVER_18,
                want: types::CORE_ID
            })
        );
    }

    #[test]
    fn expired_not_yet_valid_and_stale_trust_list_are_refused() {
        let f = fixture();
        let tl = trust(&f, vec![types::AGE_OVER_18], NOW);
        let expired = age_credential(&f, &f.issuer, NOW - 10 * 86_400, NOW - 3_600);
        assert_eq!(
            check_receipt(&tl, &expired, types::AGE_OVER_18, NOW, 300),
            Err(ReceiptError::Expired)
        );
        let future = age_credential(&f, &f.issuer, NOW + 3_600, NOW + 86_400);
        assert_eq!(
            check_receipt(&tl, &future, types::AGE_OVER_18, NOW, 300),
            Err(ReceiptError::NotYetValid)
        );
        let ok = age_credential(&f, &f.issuer, NOW - 60, NOW + 86_400);
        let old = trust(&f, vec![types::AGE_OVER_18], NOW - 31 * 86_400);
        assert_eq!(
            check_receipt(&old, &ok, types::AGE_OVER_18, NOW, 300),
            Err(ReceiptError::TrustListStale { days: 31 })
        );
    }

    #[test]
    fn signed_object_swapped_under_a_payload_is_malformed() {
        let f = fixture();
        let tl = trust(&f, vec![types::AGE_OVER_18], NOW);
        let a = age_credential(&f, &f.issuer, NOW - 60, NOW + 86_400);
        let mut b = age_credential(&f, &f.issuer, NOW - 60, NOW + 86_400);
        b.cose = a.cose.clone();
        assert_eq!(
            check_receipt(&tl, &b, types::AGE_OVER_18, NOW, 300),
            Err(ReceiptError::Malformed)
        );
    }
}
