//! COSE_Sign1 (RFC 9052) with ES256, kept to what this format needs, plus the
//! P-256 key plumbing (kid, point compression, DER to raw signatures).
//!
//! Why not `coset`: the bytes on the wire are fixed by RFC 9052 either way, so a
//! library cannot make them smaller; what `coset` adds is a general header model
//! (and `ciborium` underneath) that we would then have to police for untrusted
//! input. Decoding here accepts exactly one shape — untagged
//! `[bstr {1: -7, 4: kid8}, {}, bstr payload, bstr sig64]` — and refuses the rest,
//! which is the bounded, typed decoding the verifier needs.
//!
//! Why ring for verification: it is several times faster than the pure-Rust
//! `p256` verifier and verification is the counter's hot path. `p256` is used only
//! where ring has no API: decompressing the holder's 33-byte SEC1 key and parsing
//! DER signatures from platform key stores.

use minicbor::{Decoder, Encoder};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use ring::digest::{SHA256, digest};
use ring::rand::SystemRandom;
use ring::signature::{
    ECDSA_P256_SHA256_ASN1_SIGNING, ECDSA_P256_SHA256_FIXED, ECDSA_P256_SHA256_FIXED_SIGNING,
    EcdsaKeyPair, KeyPair, UnparsedPublicKey,
};
use thiserror::Error;
use zeroize::Zeroizing;

/// COSE algorithm ES256.
pub const ALG_ES256: i64 = -7;
/// A key id: the first 8 bytes of SHA-256 of the issuer certificate (or key), as in the EU DCC.
pub type Kid = [u8; 8];
/// A raw ECDSA P-256 signature, r ‖ s.
pub type RawSignature = [u8; 64];

/// Key and signing failures (issuer and holder side; never on the verify path).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum KeyError {
    /// PKCS#8 that ring does not accept as a P-256 key.
    #[error("private key rejected")]
    BadPrivateKey,
    /// Not a point on P-256 (SEC1 33 or 65 bytes).
    #[error("public key is not a P-256 point")]
    BadPublicKey,
    /// Signature from the platform is neither 64 raw bytes nor valid DER.
    #[error("signature encoding not understood")]
    BadSignature,
    /// The RNG or the signer failed.
    #[error("signing failed")]
    SigningFailed,
}

/// The key id of a certificate or public key: SHA-256, first 8 bytes.
pub fn kid_of(bytes: &[u8]) -> Kid {
    let d = digest(&SHA256, bytes);
    let mut kid = [0u8; 8];
    if let Some(src) = d.as_ref().get(..8) {
        kid.copy_from_slice(src);
    }
    kid
}

/// A P-256 public key held as both encodings: 33-byte compressed for the wire,
/// 65-byte uncompressed for ring.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    compressed: [u8; 33],
    uncompressed: [u8; 65],
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "PublicKey({:02x?}…)",
            self.compressed.get(..5).unwrap_or_default()
        )
    }
}

impl PublicKey {
    /// From SEC1 bytes, compressed (33) or uncompressed (65); checks the point is on the curve.
    pub fn from_sec1(bytes: &[u8]) -> Result<PublicKey, KeyError> {
        // Only the standard SEC1 tags: `sec1` also accepts 0x05 ("compact", x only),
        // which would give one key two encodings.
        match (bytes.len(), bytes.first()) {
            (33, Some(0x02 | 0x03)) | (65, Some(0x04)) => {}
            _ => return Err(KeyError::BadPublicKey),
        }
        let pk = p256::PublicKey::from_sec1_bytes(bytes).map_err(|_| KeyError::BadPublicKey)?;
        let c = pk.to_encoded_point(true);
        let u = pk.to_encoded_point(false);
        Ok(PublicKey {
            compressed: c
                .as_bytes()
                .try_into()
                .map_err(|_| KeyError::BadPublicKey)?,
            uncompressed: u
                .as_bytes()
                .try_into()
                .map_err(|_| KeyError::BadPublicKey)?,
        })
    }

    /// SEC1 compressed.
    pub fn compressed(&self) -> &[u8; 33] {
        &self.compressed
    }

    /// SEC1 uncompressed.
    pub fn uncompressed(&self) -> &[u8; 65] {
        &self.uncompressed
    }

    /// ES256 verification of a raw r ‖ s signature with ring.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &self.uncompressed[..])
            .verify(message, signature)
            .is_ok()
    }
}

/// A platform signature in either encoding: Android Keystore and the Secure
/// Enclave return DER; the QR carries raw r ‖ s (64 bytes, against up to 72).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlatformSignature {
    /// ASN.1 DER `SEQUENCE { r INTEGER, s INTEGER }`.
    Der(Vec<u8>),
    /// r ‖ s, 32 bytes each.
    Raw(RawSignature),
}

impl PlatformSignature {
    /// The raw form.
    pub fn to_raw(&self) -> Result<RawSignature, KeyError> {
        match self {
            PlatformSignature::Raw(r) => Ok(*r),
            PlatformSignature::Der(der) => {
                let sig =
                    p256::ecdsa::Signature::from_der(der).map_err(|_| KeyError::BadSignature)?;
                let bytes = sig.to_bytes();
                let slice: &[u8] = bytes.as_ref();
                slice.try_into().map_err(|_| KeyError::BadSignature)
            }
        }
    }
}

/// An ES256 signing key in software (issuer, trust-list signer, tests, desktop
/// wallet). The PKCS#8 document is kept in a zeroizing buffer.
pub struct SigningKey {
    pair: EcdsaKeyPair,
    der_pair: EcdsaKeyPair,
    public: PublicKey,
    kid: Kid,
    rng: SystemRandom,
    /// PKCS#8 document or raw scalar, wiped on drop (ring keeps its own copy).
    _pkcs8: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey(kid={:02x?})", self.kid)
    }
}

impl SigningKey {
    /// A fresh key from the system RNG.
    pub fn generate() -> Result<SigningKey, KeyError> {
        let rng = SystemRandom::new();
        let doc = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .map_err(|_| KeyError::SigningFailed)?;
        SigningKey::from_pkcs8(doc.as_ref())
    }

    /// From a PKCS#8 v1/v2 document (as ring writes). The kid defaults to the hash
    /// of the uncompressed public key; use [`SigningKey::with_kid`] for a certificate's.
    pub fn from_pkcs8(pkcs8: &[u8]) -> Result<SigningKey, KeyError> {
        let rng = SystemRandom::new();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8, &rng)
            .map_err(|_| KeyError::BadPrivateKey)?;
        let der_pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8, &rng)
            .map_err(|_| KeyError::BadPrivateKey)?;
        let public = PublicKey::from_sec1(pair.public_key().as_ref())?;
        let kid = kid_of(public.uncompressed());
        Ok(SigningKey {
            pair,
            der_pair,
            public,
            kid,
            rng,
            _pkcs8: Zeroizing::new(pkcs8.to_vec()),
        })
    }

    /// From a raw 32-byte private scalar: deterministic keys for fixtures, fuzzing
    /// and test vectors (production keys come from [`SigningKey::generate`] or an HSM).
    pub fn from_secret_scalar(scalar: &[u8; 32]) -> Result<SigningKey, KeyError> {
        let secret = p256::SecretKey::from_slice(scalar).map_err(|_| KeyError::BadPrivateKey)?;
        let public = secret.public_key().to_encoded_point(false);
        let rng = SystemRandom::new();
        let pair = EcdsaKeyPair::from_private_key_and_public_key(
            &ECDSA_P256_SHA256_FIXED_SIGNING,
            scalar,
            public.as_bytes(),
            &rng,
        )
        .map_err(|_| KeyError::BadPrivateKey)?;
        let der_pair = EcdsaKeyPair::from_private_key_and_public_key(
            &ECDSA_P256_SHA256_ASN1_SIGNING,
            scalar,
            public.as_bytes(),
            &rng,
        )
        .map_err(|_| KeyError::BadPrivateKey)?;
        let public = PublicKey::from_sec1(public.as_bytes())?;
        let kid = kid_of(public.uncompressed());
        Ok(SigningKey {
            pair,
            der_pair,
            public,
            kid,
            rng,
            _pkcs8: Zeroizing::new(scalar.to_vec()),
        })
    }

    /// Replaces the key id (e.g. with the kid of the issuer's certificate).
    pub fn with_kid(mut self, kid: Kid) -> SigningKey {
        self.kid = kid;
        self
    }

    /// The public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// The key id.
    pub fn kid(&self) -> Kid {
        self.kid
    }

    /// ES256 over `message`, raw r ‖ s.
    pub fn sign_raw(&self, message: &[u8]) -> Result<RawSignature, KeyError> {
        let sig = self
            .pair
            .sign(&self.rng, message)
            .map_err(|_| KeyError::SigningFailed)?;
        sig.as_ref().try_into().map_err(|_| KeyError::SigningFailed)
    }

    /// ES256 over `message`, DER (what platform key stores return).
    pub fn sign_der(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        Ok(self
            .der_pair
            .sign(&self.rng, message)
            .map_err(|_| KeyError::SigningFailed)?
            .as_ref()
            .to_vec())
    }

    /// A COSE_Sign1 over `payload` with this key's kid in the protected header.
    pub fn sign1(&self, payload: &[u8]) -> Result<Vec<u8>, KeyError> {
        let protected = protected_header(&self.kid);
        let sig = self.sign_raw(&sig_structure(&protected, payload))?;
        let mut out = Vec::with_capacity(payload.len() + 90);
        let mut e = Encoder::new(&mut out);
        e.array(4)
            .and_then(|e| e.bytes(&protected))
            .and_then(|e| e.map(0))
            .and_then(|e| e.bytes(payload))
            .and_then(|e| e.bytes(&sig))
            .map_err(|_| KeyError::SigningFailed)?;
        Ok(out)
    }
}

/// `{1: -7, 4: kid}` encoded: 13 bytes.
fn protected_header(kid: &Kid) -> Vec<u8> {
    let mut out = Vec::with_capacity(13);
    let mut e = Encoder::new(&mut out);
    // Writing to a Vec cannot fail.
    let _ = e
        .map(2)
        .and_then(|e| e.u8(1))
        .and_then(|e| e.i64(ALG_ES256))
        .and_then(|e| e.u8(4))
        .and_then(|e| e.bytes(kid));
    out
}

/// `Sig_structure = ["Signature1", protected, h'', payload]` (RFC 9052 section 4.4).
pub fn sig_structure(protected: &[u8], payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(protected.len() + payload.len() + 20);
    let mut e = Encoder::new(&mut out);
    let _ = e
        .array(4)
        .and_then(|e| e.str("Signature1"))
        .and_then(|e| e.bytes(protected))
        .and_then(|e| e.bytes(&[]))
        .and_then(|e| e.bytes(payload));
    out
}

/// Why a COSE_Sign1 did not parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum CoseError {
    /// Not the one accepted shape.
    #[error("malformed COSE_Sign1")]
    Malformed,
    /// An algorithm other than ES256.
    #[error("unsupported algorithm")]
    Algorithm,
}

/// A parsed COSE_Sign1, borrowing from the input.
#[derive(Debug, Clone, Copy)]
pub struct Sign1<'a> {
    /// Encoded protected header (signed).
    pub protected: &'a [u8],
    /// Key id from the protected header.
    pub kid: Kid,
    /// Payload bytes (signed).
    pub payload: &'a [u8],
    /// r ‖ s.
    pub signature: &'a [u8],
}

impl Sign1<'_> {
    /// Verifies the signature with `key`.
    pub fn verify(&self, key: &PublicKey) -> bool {
        key.verify(&sig_structure(self.protected, self.payload), self.signature)
    }
}

/// Reads one COSE_Sign1 at the decoder's position.
pub fn decode_sign1<'a>(d: &mut Decoder<'a>) -> Result<Sign1<'a>, CoseError> {
    let m = CoseError::Malformed;
    if d.array().map_err(|_| m)? != Some(4) {
        return Err(m);
    }
    let protected = d.bytes().map_err(|_| m)?;
    if d.map().map_err(|_| m)? != Some(0) {
        return Err(m);
    }
    let payload = d.bytes().map_err(|_| m)?;
    let signature = d.bytes().map_err(|_| m)?;
    if signature.len() != 64 {
        return Err(m);
    }
    let mut p = Decoder::new(protected);
    if p.map().map_err(|_| m)? != Some(2) || p.u8().map_err(|_| m)? != 1 {
        return Err(m);
    }
    if p.i64().map_err(|_| m)? != ALG_ES256 {
        return Err(CoseError::Algorithm);
    }
    if p.u8().map_err(|_| m)? != 4 {
        return Err(m);
    }
    let kid: Kid = p.bytes().map_err(|_| m)?.try_into().map_err(|_| m)?;
    // Only the canonical header is accepted, so a kid has one encoding.
    if p.position() != protected.len() || protected != protected_header(&kid).as_slice() {
        return Err(m);
    }
    Ok(Sign1 {
        protected,
        kid,
        payload,
        signature,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn sign1_round_trips_and_detects_changes() {
        let k = SigningKey::generate().unwrap();
        let cose = k.sign1(b"hello").unwrap();
        assert_eq!(cose.len(), 1 + 14 + 1 + 6 + 66);
        let s = decode_sign1(&mut Decoder::new(&cose)).unwrap();
        assert_eq!(s.kid, k.kid());
        assert!(s.verify(k.public_key()));
        let other = SigningKey::generate().unwrap();
        assert!(!s.verify(other.public_key()));
        let mut bad = cose.clone();
        let n = bad.len();
        bad[n - 1] ^= 1;
        assert!(
            !decode_sign1(&mut Decoder::new(&bad))
                .unwrap()
                .verify(k.public_key())
        );
    }

    #[test]
    fn der_signatures_convert_to_raw_and_verify() {
        let k = SigningKey::generate().unwrap();
        let der = k.sign_der(b"m").unwrap();
        let raw = PlatformSignature::Der(der).to_raw().unwrap();
        assert!(k.public_key().verify(b"m", &raw));
        assert_eq!(
            PlatformSignature::Der(vec![0x30, 0x00]).to_raw(),
            Err(KeyError::BadSignature)
        );
    }

    #[test]
    fn keys_from_a_scalar_are_deterministic_and_sign() {
        let a = SigningKey::from_secret_scalar(&[7; 32]).unwrap();
        let b = SigningKey::from_secret_scalar(&[7; 32]).unwrap();
        assert_eq!(a.public_key(), b.public_key());
        assert_eq!(a.kid(), b.kid());
        assert!(b.public_key().verify(b"x", &a.sign_raw(b"x").unwrap()));
        assert!(SigningKey::from_secret_scalar(&[0; 32]).is_err());
        assert!(SigningKey::from_secret_scalar(&[0xFF; 32]).is_err());
    }

    #[test]
    fn compressed_keys_decompress_to_the_same_point() {
        let k = SigningKey::generate().unwrap();
        let p = PublicKey::from_sec1(k.public_key().compressed()).unwrap();
        assert_eq!(&p, k.public_key());
        let mut bad = *k.public_key().compressed();
        bad[0] = 0x05;
        assert_eq!(PublicKey::from_sec1(&bad), Err(KeyError::BadPublicKey));
    }
}
