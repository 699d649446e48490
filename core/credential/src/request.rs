//! Two-way flow: the verifier's signed request QR, and the holder's check of it.
//!
//! The counter shows `VR1:` + Base45(COSE_Sign1) with payload
//!
//! ```text
//! { 1: nonce (bstr 16), 2: audience (verifier id, text), 3: credential type,
//!   4: [requested claim keys], 5: issued at, 6: expires at }
//! ```
//!
//! signed by a verifier key registered in the trust list with the
//! [`ROLE_VERIFIER`] type. The holder's wallet verifies it, shows the registered
//! verifier name (from the trust list, not from the QR) and the requested claims,
//! and after consent answers with a presentation bound to the nonce and the
//! audience (`PresentRequest { nonce, audience, .. }`). A verifier that is not
//! registered can still run the two-way flow unsigned-by-registry only if the
//! app chooses to show it as "unregistered"; this module reports that case as
//! [`RequestError::UnknownVerifier`].

use minicbor::{Decoder, Encoder};
use thiserror::Error;

use crate::base45;
use crate::claims::{ClaimKey, CredentialTypeId, Registry};
use crate::cose::{KeyError, SigningKey, decode_sign1};
use crate::trust::TrustList;

/// Trust-list "type" that authorises a key to sign verifier requests.
pub const ROLE_VERIFIER: CredentialTypeId = 0xFF00;
/// Text prefix of a request QR.
pub const REQUEST_PREFIX: &str = "VR1:";
/// Nonce length.
pub const NONCE_LEN: usize = 16;
const MAX_REQUEST_TEXT: usize = 1_000;

/// What a verifier asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Fresh random nonce.
    pub nonce: [u8; NONCE_LEN],
    /// The verifier's identity, signed into the holder's answer.
    pub audience: String,
    /// Credential type wanted.
    pub credential_type: CredentialTypeId,
    /// Claims wanted.
    pub claims: Vec<ClaimKey>,
    /// Issued at (verifier clock).
    pub issued_at: u64,
    /// Expires at.
    pub expires_at: u64,
}

/// A request whose signature and registration were checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedRequest {
    /// The request.
    pub request: Request,
    /// Registered name of the verifier (from the trust list).
    pub verifier_name: String,
}

/// Why a request QR was not accepted by the wallet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum RequestError {
    /// Not a `VR1:` QR, bad Base45 or CBOR.
    #[error("not a readable verifier request")]
    Malformed,
    /// No registered verifier key verifies it.
    #[error("verifier is not registered")]
    UnknownVerifier,
    /// Expired or issued in the future beyond the skew.
    #[error("request expired or not yet valid")]
    Expired,
    /// Asks for a type or claims the registry does not know.
    #[error("request asks for unknown claims")]
    UnknownClaims,
}

impl Request {
    fn payload(&self) -> Vec<u8> {
        let mut p = Vec::with_capacity(64 + self.audience.len());
        let mut e = Encoder::new(&mut p);
        let r = (|| {
            e.map(6)?
                .u8(1)?
                .bytes(&self.nonce)?
                .u8(2)?
                .str(&self.audience)?
                .u8(3)?
                .u16(self.credential_type)?;
            e.u8(4)?.array(self.claims.len() as u64)?;
            for k in &self.claims {
                e.u16(*k)?;
            }
            e.u8(5)?.u64(self.issued_at)?.u8(6)?.u64(self.expires_at)?;
            Ok::<_, minicbor::encode::Error<std::convert::Infallible>>(())
        })();
        // Writing into a Vec cannot fail.
        let _ = r;
        p
    }

    /// Signs the request and returns the QR text (verifier side).
    pub fn to_qr_text(&self, key: &SigningKey) -> Result<String, KeyError> {
        let cose = key.sign1(&self.payload())?;
        Ok(format!("{REQUEST_PREFIX}{}", base45::encode(&cose)))
    }

    fn decode(payload: &[u8]) -> Result<Request, RequestError> {
        let m = RequestError::Malformed;
        let e = |_| m;
        let mut d = Decoder::new(payload);
        let key = |d: &mut Decoder<'_>, k: u8| {
            if d.u8().map_err(e)? == k {
                Ok(())
            } else {
                Err(m)
            }
        };
        if d.map().map_err(e)? != Some(6) {
            return Err(m);
        }
        key(&mut d, 1)?;
        let nonce: [u8; NONCE_LEN] = d.bytes().map_err(e)?.try_into().map_err(|_| m)?;
        key(&mut d, 2)?;
        let audience = d.str().map_err(e)?;
        if audience.len() > crate::presentation::MAX_AUDIENCE {
            return Err(m);
        }
        key(&mut d, 3)?;
        let credential_type = d.u16().map_err(e)?;
        key(&mut d, 4)?;
        let n = d.array().map_err(e)?.ok_or(m)?;
        if n > crate::tree::MAX_LEAVES as u64 {
            return Err(m);
        }
        let claims = (0..n)
            .map(|_| d.u16().map_err(e))
            .collect::<Result<Vec<_>, _>>()?;
        key(&mut d, 5)?;
        let issued_at = d.u64().map_err(e)?;
        key(&mut d, 6)?;
        let expires_at = d.u64().map_err(e)?;
        if d.position() != payload.len() {
            return Err(m);
        }
        Ok(Request {
            nonce,
            audience: audience.to_owned(),
            credential_type,
            claims,
            issued_at,
            expires_at,
        })
    }
}

/// Holder side: checks a scanned request QR against the trust list at `now`,
/// allowing `skew` seconds of clock difference.
pub fn verify_request(
    text: &str,
    trust: &TrustList,
    registry: &Registry,
    now: u64,
    skew: u64,
) -> Result<VerifiedRequest, RequestError> {
    let m = RequestError::Malformed;
    if text.len() > MAX_REQUEST_TEXT {
        return Err(m);
    }
    let rest = text
        .trim_end_matches(['\r', '\n'])
        .strip_prefix(REQUEST_PREFIX)
        .ok_or(m)?;
    let bin = base45::decode(rest, MAX_REQUEST_TEXT).map_err(|_| m)?;
    let mut d = Decoder::new(&bin);
    let s = decode_sign1(&mut d).map_err(|_| m)?;
    if d.position() != bin.len() {
        return Err(m);
    }
    let entry = trust
        .candidates(&s.kid)
        .iter()
        .find(|t| t.types.contains(&ROLE_VERIFIER) && s.verify(&t.key))
        .ok_or(RequestError::UnknownVerifier)?;
    let request = Request::decode(s.payload)?;
    if request.issued_at > now.saturating_add(skew) || now > request.expires_at.saturating_add(skew)
    {
        return Err(RequestError::Expired);
    }
    if entry.not_before > request.issued_at || request.issued_at > entry.not_after {
        return Err(RequestError::UnknownVerifier);
    }
    let ty = registry
        .get(request.credential_type)
        .ok_or(RequestError::UnknownClaims)?;
    if request
        .claims
        .iter()
        .any(|k| !ty.shape.leaves().contains(k))
    {
        return Err(RequestError::UnknownClaims);
    }
    Ok(VerifiedRequest {
        request,
        verifier_name: entry.issuer_name.clone(),
    })
}
