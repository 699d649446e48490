//! Active authentication (Doc 9303 Part 11 §6.1): the chip signs an 8-byte challenge with the
//! DG15 private key through INTERNAL AUTHENTICATE.
//!
//! - RSA: ISO/IEC 9796-2 digital signature scheme 1 with partial message recovery. The chip
//!   signs `F = 6A || M1 || H(M1 || challenge) || trailer`; the verifier applies the public
//!   exponent with the `rsa` crate's raw operation, takes `n − J` when `J ≢ 12 (mod 16)`,
//!   recovers `M1` and checks the hash. Trailer `BC` means SHA-1, `xx CC` names the hash by its
//!   ISO/IEC 10118-3 identifier (34 SHA-256, 36 SHA-384, 35 SHA-512, 38 SHA-224, 33 SHA-1).
//! - ECDSA: the plain `r || s` format of BSI TR-03111 over the challenge, with the hash named
//!   by DG14's ActiveAuthenticationInfo.
//!
//! Unlike chip authentication the signature is transferable: a backend that chose the
//! challenge can re-verify it later with [`verify`] and the DG15 it hashes against EF.SOD.

use crate::apdu::CommandApdu;
use crate::crypto;
use crate::pa::sig::{Curve, HashAlgorithm, PublicKey};
use crate::security_info::{Dg14, Dg15, SecurityInfo};
use signature::hazmat::PrehashVerifier;

/// Length of the challenge (RND.IFD).
pub const CHALLENGE_LEN: usize = 8;

/// Why a signature was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AaError {
    #[error("unsupported active authentication: {0}")]
    Unsupported(String),
    #[error("malformed public key: {0}")]
    BadKey(&'static str),
    #[error("the signature does not verify")]
    Invalid,
}

/// `INTERNAL AUTHENTICATE` with the challenge (`00 88 00 00 08 …`, Le 256 so any key size fits).
pub fn internal_authenticate(challenge: &[u8; CHALLENGE_LEN]) -> CommandApdu {
    CommandApdu::new(0x00, 0x88, 0x00, 0x00)
        .with_data(challenge.to_vec())
        .with_ne(256)
}

const ECDSA_PLAIN_PREFIX: &str = "0.4.0.127.0.7.1.1.4.1.";

/// The hash an ECDSA active authentication uses, from DG14's ActiveAuthenticationInfo
/// (BSI ecdsa-plain-SHAx or X9.62 ecdsa-with-SHAx).
pub fn ecdsa_hash(dg14: Option<&Dg14>) -> Result<HashAlgorithm, AaError> {
    let oid = dg14
        .into_iter()
        .flat_map(|d| d.infos.iter())
        .find_map(|i| match i {
            SecurityInfo::ActiveAuthentication {
                signature_algorithm,
                ..
            } => signature_algorithm.clone(),
            _ => None,
        })
        .ok_or_else(|| {
            AaError::Unsupported("ECDSA key without an ActiveAuthenticationInfo in DG14".into())
        })?;
    let hash = match oid.strip_prefix(ECDSA_PLAIN_PREFIX) {
        Some("1") => HashAlgorithm::Sha1,
        Some("2") => HashAlgorithm::Sha224,
        Some("3") => HashAlgorithm::Sha256,
        Some("4") => HashAlgorithm::Sha384,
        Some("5") => HashAlgorithm::Sha512,
        _ => match oid.as_str() {
            "1.2.840.10045.4.1" => HashAlgorithm::Sha1,
            "1.2.840.10045.4.3.1" => HashAlgorithm::Sha224,
            "1.2.840.10045.4.3.2" => HashAlgorithm::Sha256,
            "1.2.840.10045.4.3.3" => HashAlgorithm::Sha384,
            "1.2.840.10045.4.3.4" => HashAlgorithm::Sha512,
            _ => return Err(AaError::Unsupported(format!("signature algorithm {oid}"))),
        },
    };
    Ok(hash)
}

/// Verifies the chip's answer to [`internal_authenticate`] with the DG15 key.
pub fn verify(
    dg15: &Dg15,
    dg14: Option<&Dg14>,
    challenge: &[u8],
    signature: &[u8],
) -> Result<(), AaError> {
    match &dg15.public_key {
        PublicKey::Rsa { pkcs1_der, .. } => verify_rsa_9796_2(pkcs1_der, challenge, signature),
        PublicKey::Ec { curve, point } => {
            let hash = ecdsa_hash(dg14)?;
            verify_ecdsa_plain(curve, point, hash, challenge, signature)
        }
    }
}

/// ISO/IEC 10118-3 hash identifier of a two-byte 9796-2 trailer.
fn trailer_hash(id: u8) -> Option<HashAlgorithm> {
    Some(match id {
        0x33 => HashAlgorithm::Sha1,
        0x34 => HashAlgorithm::Sha256,
        0x35 => HashAlgorithm::Sha512,
        0x36 => HashAlgorithm::Sha384,
        0x38 => HashAlgorithm::Sha224,
        _ => return None,
    })
}

/// The trailer this crate's signer side writes for `hash` (one byte `BC` for SHA-1).
pub fn trailer_for(hash: HashAlgorithm) -> Vec<u8> {
    match hash {
        HashAlgorithm::Sha1 => vec![0xBC],
        HashAlgorithm::Sha224 => vec![0x38, 0xCC],
        HashAlgorithm::Sha256 => vec![0x34, 0xCC],
        HashAlgorithm::Sha384 => vec![0x36, 0xCC],
        HashAlgorithm::Sha512 => vec![0x35, 0xCC],
    }
}

/// ISO/IEC 9796-2 scheme 1 verification with partial message recovery; `challenge` is the
/// non-recoverable part M2.
pub fn verify_rsa_9796_2(
    pkcs1_der: &[u8],
    challenge: &[u8],
    signature: &[u8],
) -> Result<(), AaError> {
    use rsa::pkcs1::DecodeRsaPublicKey;
    use rsa::traits::PublicKeyParts;
    let key = rsa::PublicKey::from_pkcs1_der(pkcs1_der).map_err(|_| AaError::BadKey("RSA key"))?;
    let k = key.size();
    let precision = key.n().as_ref().bits_precision();
    if signature.is_empty() || signature.len() > k {
        return Err(AaError::Invalid);
    }
    let s = rsa::BoxedUint::from_be_slice(signature, precision).map_err(|_| AaError::Invalid)?;
    if s >= *key.n().as_ref() {
        return Err(AaError::Invalid);
    }
    let j = rsa::hazmat::rsa_encrypt(&key, &s).map_err(|_| AaError::Invalid)?;
    let j = if j.to_be_bytes().last().is_some_and(|b| b & 0x0F == 0x0C) {
        j
    } else {
        key.n().as_ref().wrapping_sub(&j)
    };
    let full = j.to_be_bytes();
    let f = full
        .get(full.len().saturating_sub(k)..)
        .ok_or(AaError::Invalid)?;
    let (&header, rest) = f.split_first().ok_or(AaError::Invalid)?;
    // 01 (header) 1 (more data) 0 1 0 1 0 (padding) = 6A: partial recovery, no padding.
    if header != 0x6A {
        return Err(AaError::Invalid);
    }
    let (hash, t) = match rest {
        [.., 0xBC] => (HashAlgorithm::Sha1, 1),
        [.., id, 0xCC] => (
            trailer_hash(*id).ok_or_else(|| {
                AaError::Unsupported(format!("ISO/IEC 9796-2 hash identifier {id:#04X}"))
            })?,
            2,
        ),
        _ => return Err(AaError::Invalid),
    };
    let body = rest
        .get(..rest.len().saturating_sub(t))
        .ok_or(AaError::Invalid)?;
    let split = body
        .len()
        .checked_sub(hash.output_len())
        .ok_or(AaError::Invalid)?;
    let (m1, digest) = body.split_at(split);
    let mut m = Vec::with_capacity(m1.len() + challenge.len());
    m.extend_from_slice(m1);
    m.extend_from_slice(challenge);
    if crypto::ct_eq(&hash.digest(&m), digest) {
        Ok(())
    } else {
        Err(AaError::Invalid)
    }
}

/// ECDSA over `message` with a plain `r || s` signature (BSI TR-03111 §5.2.1).
pub fn verify_ecdsa_plain(
    curve: &Curve,
    point: &[u8],
    hash: HashAlgorithm,
    message: &[u8],
    signature: &[u8],
) -> Result<(), AaError> {
    let prehash = hash.digest(message);
    macro_rules! check {
        ($curve:ty) => {{
            let key = ecdsa::VerifyingKey::<$curve>::from_sec1_bytes(point)
                .map_err(|_| AaError::BadKey("EC point not on the curve"))?;
            let sig =
                ecdsa::Signature::<$curve>::from_slice(signature).map_err(|_| AaError::Invalid)?;
            key.verify_prehash(&prehash, &sig)
                .map_err(|_| AaError::Invalid)
        }};
    }
    match curve {
        Curve::P256 => check!(p256::NistP256),
        Curve::P384 => check!(p384::NistP384),
        Curve::BrainpoolP256r1 => check!(bp256::BrainpoolP256r1),
        other => Err(AaError::Unsupported(format!("ECDSA on {other:?}"))),
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
mod tests {
    use super::*;

    #[test]
    fn internal_authenticate_carries_the_challenge() {
        let cmd = internal_authenticate(&[1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(
            cmd.to_bytes().unwrap(),
            vec![0x00, 0x88, 0x00, 0x00, 0x08, 1, 2, 3, 4, 5, 6, 7, 8, 0x00]
        );
    }

    #[test]
    fn trailers_round_trip_to_their_hash() {
        for h in [
            HashAlgorithm::Sha224,
            HashAlgorithm::Sha256,
            HashAlgorithm::Sha384,
            HashAlgorithm::Sha512,
        ] {
            assert_eq!(trailer_hash(trailer_for(h)[0]), Some(h));
        }
        assert_eq!(trailer_for(HashAlgorithm::Sha1), vec![0xBC]);
    }

    #[test]
    fn ecdsa_needs_the_dg14_algorithm() {
        assert!(matches!(ecdsa_hash(None), Err(AaError::Unsupported(_))));
    }
}
