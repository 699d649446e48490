//! Holder side: build the QR payload from a stored credential; and the wire
//! format shared with the verifier.
//!
//! Binary layout (a CBOR array, positional: every field is required, so map keys
//! would only add bytes; the `VN1:` prefix versions the layout):
//!
//! ```text
//! [ issuer_signed,   ; the credential's COSE_Sign1, embedded as is
//!   disclosed,       ; uint bitmap over the type's leaves
//!   seeds,           ; bstr, 16 × k: seeds of fully disclosed subtrees
//!   hashes,          ; bstr, 32 × m: hashes of fully hidden subtrees
//!   [values...],     ; disclosed claim values in leaf order
//!   ts,              ; uint, Unix seconds, holder clock
//!   nonce / null,    ; bstr from the verifier's request (two-way flow)
//!   device_sig ]     ; bstr 64, ES256 r ‖ s by the holder key
//! ```
//!
//! The device signature covers `"VN1KB\0" ‖ SHA-256(issuer_signed) ‖ len ‖
//! bytes of fields 1..=6 as sent ‖ audience`, so it binds the disclosure, the
//! time, the nonce and (two-way) the verifier's identity, and the verifier checks
//! it over the received bytes without re-encoding anything.
//!
//! Text form: `VN1:` + Base45(binary), or `VN1Z:` + Base45(zlib(binary)) when
//! that is strictly shorter (it almost never is: the payload is mostly salts,
//! hashes and signatures).

use std::io::{Read, Write};

use flate2::Compression;
use flate2::read::ZlibDecoder;
use flate2::write::ZlibEncoder;
use minicbor::data::Type;
use minicbor::{Decoder, Encoder};
use ring::digest::{SHA256, digest};
use thiserror::Error;

use crate::base45;
use crate::claims::{ClaimKey, Registry};
use crate::cose::{KeyError, PlatformSignature, RawSignature, SigningKey};
use crate::issuer::{IssuedCredential, leaf_values};
pub use crate::photo::MAX_PHOTO;
use crate::tree::{Hash, Proof, Seed};

/// Prefix of an uncompressed presentation.
pub const PREFIX: &str = "VN1:";
/// Prefix of a zlib-compressed presentation.
pub const PREFIX_Z: &str = "VN1Z:";
/// Largest text accepted (QR version 40 holds 4,296 alphanumeric characters).
pub const MAX_TEXT: usize = 4_296;
/// Largest binary payload accepted (also the inflate bound).
pub const MAX_BINARY: usize = 2_953;
/// Largest nonce accepted.
pub const MAX_NONCE: usize = 32;
/// Largest audience string signed over.
pub const MAX_AUDIENCE: usize = 255;
const KB_DOMAIN: &[u8] = b"VN1KB\0";

/// The wallet's secure area: signs with the device key bound into credentials.
pub trait DeviceSigner {
    /// ES256 over `message` (the signer hashes), DER or raw.
    fn sign(&self, message: &[u8]) -> Result<PlatformSignature, KeyError>;
}

impl DeviceSigner for SigningKey {
    /// Returns DER, as platform key stores do, so the conversion path is exercised.
    fn sign(&self, message: &[u8]) -> Result<PlatformSignature, KeyError> {
        self.sign_der(message).map(PlatformSignature::Der)
    }
}

/// What the holder chose to show.
#[derive(Debug, Clone, Copy)]
pub struct PresentRequest<'a> {
    /// Claim keys to disclose (any order).
    pub disclose: &'a [ClaimKey],
    /// Now, by the holder's clock.
    pub timestamp: u64,
    /// The verifier's nonce (two-way flow).
    pub nonce: Option<&'a [u8]>,
    /// The verifier's identity from its request (two-way flow); signed, not sent.
    pub audience: Option<&'a str>,
}

/// Why a presentation could not be built.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PresentError {
    /// The stored credential's type is not known.
    #[error("unknown credential type")]
    UnknownType,
    /// A requested claim is not in the credential.
    #[error("claim {0} is not in this credential")]
    NotInCredential(ClaimKey),
    /// Nonce or audience too long.
    #[error("nonce or audience too long")]
    TooLong,
    /// Stored claims do not encode.
    #[error("stored credential is inconsistent")]
    Inconsistent,
    /// The secure area failed or returned an unreadable signature.
    #[error("device signature: {0}")]
    Signer(KeyError),
}

/// The message the device key signs (public for benchmarks and other verifiers).
pub fn device_message(issuer_signed: &[u8], body: &[u8], audience: Option<&str>) -> Vec<u8> {
    let aud = audience.unwrap_or("").as_bytes();
    let mut m = Vec::with_capacity(KB_DOMAIN.len() + 32 + 2 + body.len() + aud.len());
    m.extend_from_slice(KB_DOMAIN);
    m.extend_from_slice(digest(&SHA256, issuer_signed).as_ref());
    m.extend_from_slice(&(body.len() as u16).to_be_bytes());
    m.extend_from_slice(body);
    m.extend_from_slice(aud);
    m
}

/// Builds the binary presentation.
pub fn present(
    registry: &Registry,
    credential: &IssuedCredential,
    req: &PresentRequest<'_>,
    signer: &dyn DeviceSigner,
) -> Result<Vec<u8>, PresentError> {
    let ty = registry
        .get(credential.payload.credential_type)
        .ok_or(PresentError::UnknownType)?;
    let mut disclose = req.disclose.to_vec();
    disclose.sort_unstable();
    disclose.dedup();
    let mask = ty.shape.mask_of(&disclose).ok_or_else(|| {
        PresentError::NotInCredential(
            disclose
                .iter()
                .copied()
                .find(|k| !ty.shape.leaves().contains(k))
                .unwrap_or_default(),
        )
    })?;
    if req.nonce.is_some_and(|n| n.len() > MAX_NONCE)
        || req.audience.is_some_and(|a| a.len() > MAX_AUDIENCE)
    {
        return Err(PresentError::TooLong);
    }
    let values = leaf_values(ty.shape.leaves(), &credential.claims)
        .map_err(|_| PresentError::Inconsistent)?;
    let proof = ty
        .shape
        .prove(&credential.root_seed, &values, mask)
        .ok_or(PresentError::Inconsistent)?;

    let mut out = Vec::with_capacity(credential.cose.len() + 300);
    out.push(0x88); // array(8)
    out.extend_from_slice(&credential.cose);
    let body_start = out.len();
    {
        let mut e = Encoder::new(&mut out);
        let seeds: Vec<u8> = proof.seeds.iter().flatten().copied().collect();
        let hashes: Vec<u8> = proof.hashes.iter().flatten().copied().collect();
        let r = e
            .u32(mask)
            .and_then(|e| e.bytes(&seeds))
            .and_then(|e| e.bytes(&hashes))
            .and_then(|e| e.array(u64::from(mask.count_ones())));
        r.map_err(|_| PresentError::Inconsistent)?;
    }
    for (i, v) in values.iter().enumerate() {
        if mask & (1u32 << i) != 0 {
            out.extend_from_slice(v);
        }
    }
    {
        let mut e = Encoder::new(&mut out);
        let r = e.u64(req.timestamp).and_then(|e| match req.nonce {
            Some(n) => e.bytes(n),
            None => e.null(),
        });
        r.map_err(|_| PresentError::Inconsistent)?;
    }
    let body = out.get(body_start..).ok_or(PresentError::Inconsistent)?;
    let msg = device_message(&credential.cose, body, req.audience);
    let sig = signer
        .sign(&msg)
        .map_err(PresentError::Signer)?
        .to_raw()
        .map_err(PresentError::Signer)?;
    let mut e = Encoder::new(&mut out);
    e.bytes(&sig).map_err(|_| PresentError::Inconsistent)?;
    Ok(out)
}

/// Photo profile: appends the face image to a presentation from [`present`] (the outer
/// array grows from 8 to 9 elements). The image is bound by the issuer, not by the device
/// signature: the credential's portrait digest claim must be SHA-256 of exactly these bytes
/// and must be disclosed, or the verifier rejects the presentation as altered.
pub fn attach_photo(binary: &[u8], photo: &[u8]) -> Result<Vec<u8>, PresentError> {
    if photo.is_empty() || photo.len() > MAX_PHOTO {
        return Err(PresentError::TooLong);
    }
    let rest = match binary.split_first() {
        Some((0x88, rest)) => rest,
        _ => return Err(PresentError::Inconsistent),
    };
    let mut out = Vec::with_capacity(binary.len() + photo.len() + 3);
    out.push(0x89); // array(9)
    out.extend_from_slice(rest);
    Encoder::new(&mut out)
        .bytes(photo)
        .map_err(|_| PresentError::Inconsistent)?;
    Ok(out)
}

pub fn to_qr_text(binary: &[u8]) -> String {
    let plain = format!("{PREFIX}{}", base45::encode(binary));
    match zlib(binary) {
        Some(z) if base45::encoded_len(z.len()) + PREFIX_Z.len() < plain.len() => {
            format!("{PREFIX_Z}{}", base45::encode(&z))
        }
        _ => plain,
    }
}

/// zlib at the best level (None if the encoder fails).
pub fn zlib(data: &[u8]) -> Option<Vec<u8>> {
    let mut enc = ZlibEncoder::new(Vec::new(), Compression::best());
    enc.write_all(data).ok()?;
    enc.finish().ok()
}

/// Why QR text did not yield a binary payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum TextError {
    /// Neither `VN1:` nor `VN1Z:` (maybe another QR, or a newer format).
    #[error("not a VN1 presentation")]
    UnknownPrefix,
    /// Bad Base45.
    #[error("bad Base45: {0}")]
    Base45(base45::Base45Error),
    /// zlib stream broken.
    #[error("bad compressed data")]
    Inflate,
    /// Over the size bounds.
    #[error("presentation too large")]
    TooLarge,
}

/// Undoes [`to_qr_text`], with every size bounded before allocation.
pub fn from_qr_text(text: &str) -> Result<Vec<u8>, TextError> {
    if text.len() > MAX_TEXT {
        return Err(TextError::TooLarge);
    }
    // Scanners sometimes append a newline.
    let text = text.trim_end_matches(['\r', '\n']);
    if let Some(rest) = text.strip_prefix(PREFIX) {
        let bin = base45::decode(rest, MAX_TEXT).map_err(TextError::Base45)?;
        if bin.len() > MAX_BINARY {
            return Err(TextError::TooLarge);
        }
        Ok(bin)
    } else if let Some(rest) = text.strip_prefix(PREFIX_Z) {
        let z = base45::decode(rest, MAX_TEXT).map_err(TextError::Base45)?;
        let mut out = Vec::new();
        let mut dec = ZlibDecoder::new(z.as_slice()).take(MAX_BINARY as u64 + 1);
        dec.read_to_end(&mut out).map_err(|_| TextError::Inflate)?;
        if out.len() > MAX_BINARY {
            return Err(TextError::TooLarge);
        }
        Ok(out)
    } else {
        Err(TextError::UnknownPrefix)
    }
}

/// A binary presentation split into its parts, borrowing from the input.
#[derive(Debug, Clone)]
pub struct Parsed<'a> {
    /// The issuer's COSE_Sign1 bytes.
    pub issuer_signed: &'a [u8],
    /// Disclosure bitmap.
    pub mask: u32,
    /// Tree proof.
    pub proof: Proof,
    /// Disclosed values' CBOR, in leaf order.
    pub values: Vec<&'a [u8]>,
    /// Holder timestamp.
    pub timestamp: u64,
    /// Nonce, if any.
    pub nonce: Option<&'a [u8]>,
    /// Bytes of fields 1..=6, as signed.
    pub body: &'a [u8],
    /// r ‖ s.
    pub device_sig: RawSignature,
    /// Photo profile: the face image whose SHA-256 is the disclosed portrait digest.
    pub photo: Option<&'a [u8]>,
}

/// Why a binary presentation did not parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum ParseError {
    /// Structure or CBOR error; the text says which field.
    #[error("malformed presentation: {0}")]
    Malformed(&'static str),
    /// A field over its bound.
    #[error("field too large: {0}")]
    Oversized(&'static str),
}

/// Splits a binary presentation. Values are located but not interpreted here
/// (the verifier decodes them against the credential type once the issuer
/// signature is known good).
pub fn parse(bin: &[u8]) -> Result<Parsed<'_>, ParseError> {
    use ParseError::{Malformed, Oversized};
    let mut d = Decoder::new(bin);
    let with_photo = match d.array().map_err(|_| Malformed("outer array"))? {
        Some(8) => false,
        Some(9) => true,
        _ => return Err(Malformed("outer array")),
    };
    let start = d.position();
    crate::cose::decode_sign1(&mut d).map_err(|_| Malformed("issuer signed object"))?;
    let issuer_signed = bin
        .get(start..d.position())
        .ok_or(Malformed("issuer signed object"))?;
    let body_start = d.position();
    let mask = d.u32().map_err(|_| Malformed("disclosure set"))?;
    let seeds = d.bytes().map_err(|_| Malformed("seeds"))?;
    let hashes = d.bytes().map_err(|_| Malformed("hashes"))?;
    if seeds.len() % 16 != 0 || hashes.len() % 32 != 0 {
        return Err(Malformed("proof length"));
    }
    if seeds.len() > 16 * crate::tree::MAX_LEAVES || hashes.len() > 32 * crate::tree::MAX_LEAVES {
        return Err(Oversized("proof"));
    }
    let proof = Proof {
        seeds: seeds
            .chunks_exact(16)
            .filter_map(|c| Seed::try_from(c).ok())
            .collect(),
        hashes: hashes
            .chunks_exact(32)
            .filter_map(|c| Hash::try_from(c).ok())
            .collect(),
    };
    let n = d
        .array()
        .map_err(|_| Malformed("values"))?
        .ok_or(Malformed("values"))?;
    if n != u64::from(mask.count_ones()) {
        return Err(Malformed("value count"));
    }
    let mut values = Vec::with_capacity(n as usize);
    for _ in 0..n {
        let s = d.position();
        skip_value(&mut d)?;
        values.push(bin.get(s..d.position()).ok_or(Malformed("value"))?);
    }
    let timestamp = d.u64().map_err(|_| Malformed("timestamp"))?;
    let nonce = match d.datatype().map_err(|_| Malformed("nonce"))? {
        Type::Null => {
            d.null().map_err(|_| Malformed("nonce"))?;
            None
        }
        _ => {
            let n = d.bytes().map_err(|_| Malformed("nonce"))?;
            if n.len() > MAX_NONCE {
                return Err(Oversized("nonce"));
            }
            Some(n)
        }
    };
    let body = bin.get(body_start..d.position()).ok_or(Malformed("body"))?;
    let device_sig: RawSignature = d
        .bytes()
        .map_err(|_| Malformed("device signature"))?
        .try_into()
        .map_err(|_| Malformed("device signature"))?;
    let photo = if with_photo {
        let p = d.bytes().map_err(|_| Malformed("photo"))?;
        if p.len() > MAX_PHOTO {
            return Err(Oversized("photo"));
        }
        if p.is_empty() {
            return Err(Malformed("photo"));
        }
        Some(p)
    } else {
        None
    };
    if d.position() != bin.len() {
        return Err(Malformed("trailing bytes"));
    }
    Ok(Parsed {
        photo,
        issuer_signed,
        mask,
        proof,
        values,
        timestamp,
        nonce,
        body,
        device_sig,
    })
}

/// Skips one claim value: scalars, strings, or an array of up to two scalars
/// (the date range). No recursion, so no depth to exhaust.
fn skip_value(d: &mut Decoder<'_>) -> Result<(), ParseError> {
    let m = ParseError::Malformed("value");
    let scalar = |d: &mut Decoder<'_>| -> Result<(), ParseError> {
        match d.datatype().map_err(|_| m)? {
            Type::Bool
            | Type::Null
            | Type::U8
            | Type::U16
            | Type::U32
            | Type::U64
            | Type::I8
            | Type::I16
            | Type::I32
            | Type::I64
            | Type::Int => d.skip().map_err(|_| m),
            Type::Bytes => d.bytes().map(|_| ()).map_err(|_| m),
            Type::String => d.str().map(|_| ()).map_err(|_| m),
            _ => Err(m),
        }
    };
    if d.datatype().map_err(|_| m)? == Type::Array {
        let n = d.array().map_err(|_| m)?.ok_or(m)?;
        if n > 2 {
            return Err(m);
        }
        for _ in 0..n {
            scalar(d)?;
        }
        Ok(())
    } else {
        scalar(d)
    }
}

/// The status entry named by a presentation's credential, read **without verifying
/// anything**: a counter uses it to fetch the right status list before it verifies (which
/// checks everything again). `None` for text that does not parse.
pub fn unverified_status_ref(text: &str) -> Option<crate::issuer::StatusRef> {
    let bin = from_qr_text(text).ok()?;
    let parsed = parse(&bin).ok()?;
    let sign1 = crate::cose::decode_sign1(&mut Decoder::new(parsed.issuer_signed)).ok()?;
    Some(
        crate::issuer::CredentialPayload::decode(sign1.payload)
            .ok()?
            .status,
    )
}
