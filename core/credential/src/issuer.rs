//! Issuing: salts, the claim-tree root, holder binding, validity, status index,
//! one COSE_Sign1 per credential; and batches of unlinkable copies.
//!
//! The signed payload is a CWT-like claims map with integer keys (RFC 8392
//! numbers where they exist, small negative private keys for the rest so each
//! key is one byte), in RFC 8949 deterministic order:
//!
//! ```text
//! { 4: exp, 5: nbf, 8: holder key (SEC1 compressed, 33 B),
//!  -1: credential type, -2: [status list id, status index], -3: claim-tree root (32 B) }
//! ```

use std::collections::BTreeMap;

use minicbor::{Decoder, Encoder};
use ring::rand::{SecureRandom, SystemRandom};
use thiserror::Error;
use zeroize::Zeroizing;

use crate::claims::{ClaimError, ClaimKey, ClaimValue, CredentialTypeId, Registry, encode_value};
use crate::cose::{KeyError, PublicKey, SigningKey, decode_sign1};
use crate::tree::{Hash, RootSeed, Seed};

/// Where the credential's revocation bit lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StatusRef {
    /// Status list identifier (partitioned by type and issuance period).
    pub list: u32,
    /// Bit index in that list.
    pub index: u32,
}

/// The issuer-signed payload, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialPayload {
    /// Credential type.
    pub credential_type: CredentialTypeId,
    /// Valid from (Unix seconds).
    pub nbf: u64,
    /// Valid until (Unix seconds).
    pub exp: u64,
    /// The holder's device key.
    pub holder_key: PublicKey,
    /// Revocation pointer.
    pub status: StatusRef,
    /// Root of the claim tree.
    pub root: Hash,
}

/// The payload bytes are not exactly what [`CredentialPayload::encode`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum PayloadError {
    /// Malformed or non-canonical CBOR, or unexpected keys.
    #[error("malformed credential payload")]
    Malformed,
    /// The holder key is not a P-256 point.
    #[error("holder key is not a P-256 point")]
    HolderKey,
}

impl CredentialPayload {
    /// Deterministic encoding.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(100);
        let mut e = Encoder::new(&mut out);
        // Writing to a Vec cannot fail.
        let _ = e
            .map(6)
            .and_then(|e| e.u8(4)?.u64(self.exp))
            .and_then(|e| e.u8(5)?.u64(self.nbf))
            .and_then(|e| e.u8(8)?.bytes(self.holder_key.compressed()))
            .and_then(|e| e.i8(-1)?.u16(self.credential_type))
            .and_then(|e| {
                e.i8(-2)?
                    .array(2)?
                    .u32(self.status.list)?
                    .u32(self.status.index)
            })
            .and_then(|e| e.i8(-3)?.bytes(&self.root));
        out
    }

    /// Strict decoding: the input must re-encode to itself.
    pub fn decode(bytes: &[u8]) -> Result<CredentialPayload, PayloadError> {
        let m = PayloadError::Malformed;
        let mut d = Decoder::new(bytes);
        let key = |d: &mut Decoder<'_>, want: i8| -> Result<(), PayloadError> {
            if d.i8().map_err(|_| m)? == want {
                Ok(())
            } else {
                Err(m)
            }
        };
        if d.map().map_err(|_| m)? != Some(6) {
            return Err(m);
        }
        key(&mut d, 4)?;
        let exp = d.u64().map_err(|_| m)?;
        key(&mut d, 5)?;
        let nbf = d.u64().map_err(|_| m)?;
        key(&mut d, 8)?;
        let hk = d.bytes().map_err(|_| m)?;
        if hk.len() != 33 {
            return Err(m);
        }
        key(&mut d, -1)?;
        let credential_type = d.u16().map_err(|_| m)?;
        key(&mut d, -2)?;
        if d.array().map_err(|_| m)? != Some(2) {
            return Err(m);
        }
        let status = StatusRef {
            list: d.u32().map_err(|_| m)?,
            index: d.u32().map_err(|_| m)?,
        };
        key(&mut d, -3)?;
        let root: Hash = d.bytes().map_err(|_| m)?.try_into().map_err(|_| m)?;
        if d.position() != bytes.len() {
            return Err(m);
        }
        let holder_key = PublicKey::from_sec1(hk).map_err(|_| PayloadError::HolderKey)?;
        let p = CredentialPayload {
            credential_type,
            nbf,
            exp,
            holder_key,
            status,
            root,
        };
        if p.encode() != bytes {
            return Err(m);
        }
        Ok(p)
    }
}

/// Source of salts: the issuer's RNG (tests plug a deterministic one).
pub trait SaltSource {
    /// Fills `out` with fresh random bytes.
    fn fill(&mut self, out: &mut [u8]) -> Result<(), IssueError>;
}

/// The operating system's RNG through ring.
#[derive(Debug)]
pub struct SystemSalts(SystemRandom);

impl SystemSalts {
    /// New.
    pub fn new() -> SystemSalts {
        SystemSalts(SystemRandom::new())
    }
}

impl Default for SystemSalts {
    fn default() -> Self {
        SystemSalts::new()
    }
}

impl SaltSource for SystemSalts {
    fn fill(&mut self, out: &mut [u8]) -> Result<(), IssueError> {
        self.0.fill(out).map_err(|_| IssueError::Rng)
    }
}

/// Why issuing failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IssueError {
    /// Credential type not in the registry.
    #[error("unknown credential type {0}")]
    UnknownType(CredentialTypeId),
    /// A claim that the type does not have.
    #[error("claim {0} is not part of this credential type")]
    ClaimNotInType(ClaimKey),
    /// A claim value that does not fit.
    #[error(transparent)]
    Claim(#[from] ClaimError),
    /// The holder key is not a P-256 point.
    #[error("holder key: {0}")]
    HolderKey(KeyError),
    /// nbf after exp.
    #[error("validity window is empty")]
    Validity,
    /// Signing failed.
    #[error("signing: {0}")]
    Signing(KeyError),
    /// The RNG failed.
    #[error("random number generator failed")]
    Rng,
    /// The credential received does not match its claims (holder-side check).
    #[error("credential does not match its claims")]
    Mismatch,
}

/// What to issue.
#[derive(Debug, Clone)]
pub struct IssueRequest<'a> {
    /// Credential type.
    pub credential_type: CredentialTypeId,
    /// Claim values; claims of the type that are missing are issued as absent.
    pub claims: &'a BTreeMap<ClaimKey, ClaimValue>,
    /// The holder's device key, SEC1 (33 or 65 bytes, as the secure area gives it).
    pub holder_key: &'a [u8],
    /// Valid from.
    pub nbf: u64,
    /// Valid until.
    pub exp: u64,
}

/// A credential as the holder stores it: the signed object, the root seed (secret:
/// it unlocks every salt) and the claim values.
#[derive(Clone)]
pub struct IssuedCredential {
    /// The COSE_Sign1 bytes.
    pub cose: Vec<u8>,
    /// Root of the salt tree.
    pub root_seed: RootSeed,
    /// Values by claim key (absent claims omitted).
    pub claims: BTreeMap<ClaimKey, ClaimValue>,
    /// The decoded signed payload.
    pub payload: CredentialPayload,
    /// Photo profile: the face thumbnail whose SHA-256 is the portrait digest claim.
    pub photo: Option<Vec<u8>>,
}

/// CBOR of each leaf's value in the type's leaf order.
pub(crate) fn leaf_values(
    leaves: &[ClaimKey],
    claims: &BTreeMap<ClaimKey, ClaimValue>,
) -> Result<Vec<Vec<u8>>, ClaimError> {
    leaves
        .iter()
        .map(|k| {
            let mut b = Vec::new();
            encode_value(*k, claims.get(k).unwrap_or(&ClaimValue::Absent), &mut b)?;
            Ok(b)
        })
        .collect()
}

/// Issues one credential.
pub fn issue(
    registry: &Registry,
    key: &SigningKey,
    req: &IssueRequest<'_>,
    status: StatusRef,
    rng: &mut dyn SaltSource,
) -> Result<IssuedCredential, IssueError> {
    let ty = registry
        .get(req.credential_type)
        .ok_or(IssueError::UnknownType(req.credential_type))?;
    if let Some(k) = req.claims.keys().find(|k| !ty.shape.leaves().contains(k)) {
        return Err(IssueError::ClaimNotInType(*k));
    }
    if req.nbf >= req.exp {
        return Err(IssueError::Validity);
    }
    let holder_key = PublicKey::from_sec1(req.holder_key).map_err(IssueError::HolderKey)?;
    let values = leaf_values(ty.shape.leaves(), req.claims)?;
    let mut seed: RootSeed = Zeroizing::new([0u8; 16]);
    rng.fill(&mut seed[..])?;
    let root = ty.shape.root(&seed, &values).ok_or(IssueError::Mismatch)?;
    let payload = CredentialPayload {
        credential_type: req.credential_type,
        nbf: req.nbf,
        exp: req.exp,
        holder_key,
        status,
        root,
    };
    let cose = key.sign1(&payload.encode()).map_err(IssueError::Signing)?;
    let claims = req
        .claims
        .iter()
        .filter(|(_, v)| **v != ClaimValue::Absent)
        .map(|(k, v)| (*k, v.clone()))
        .collect();
    Ok(IssuedCredential {
        cose,
        root_seed: seed,
        claims,
        payload,
        photo: None,
    })
}

/// One copy of a batch: its own device key and its own status index.
#[derive(Debug, Clone, Copy)]
pub struct BatchCopy<'a> {
    /// A device key used for this copy only (SEC1). The secure area makes one per copy.
    pub holder_key: &'a [u8],
    /// A status index used for this copy only.
    pub status: StatusRef,
}

/// Issues one copy per entry of `copies`, each with a fresh root seed, its own
/// device key and its own status index, so that two presentations from the batch
/// share no signature, root, hash, holder key or status index. (The holder key
/// of `req` is ignored.) The issuer revokes all indices of a batch together.
/// Only nbf/exp and the issuer kid repeat: issuers should round them (e.g. to
/// the day) so that many citizens share them.
pub fn issue_batch(
    registry: &Registry,
    key: &SigningKey,
    req: &IssueRequest<'_>,
    copies: &[BatchCopy<'_>],
    rng: &mut dyn SaltSource,
) -> Result<Vec<IssuedCredential>, IssueError> {
    copies
        .iter()
        .map(|c| {
            issue(
                registry,
                key,
                &IssueRequest {
                    holder_key: c.holder_key,
                    ..req.clone()
                },
                c.status,
                rng,
            )
        })
        .collect()
}

impl std::fmt::Debug for IssuedCredential {
    /// Neither the root seed nor claim values: debug output ends up in logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedCredential")
            .field("credential_type", &self.payload.credential_type)
            .field("nbf", &self.payload.nbf)
            .field("exp", &self.payload.exp)
            .field("status", &self.payload.status)
            .field("claims", &self.claims.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl IssuedCredential {
    /// Holder side, on receipt: parses the signed object and checks that the root
    /// seed and claims recompute its root and that it is bound to `holder_key`.
    pub fn receive(
        registry: &Registry,
        cose: Vec<u8>,
        root_seed: Seed,
        claims: BTreeMap<ClaimKey, ClaimValue>,
        holder_key: &PublicKey,
    ) -> Result<IssuedCredential, IssueError> {
        let s = decode_sign1(&mut Decoder::new(&cose)).map_err(|_| IssueError::Mismatch)?;
        let payload = CredentialPayload::decode(s.payload).map_err(|_| IssueError::Mismatch)?;
        let ty = registry
            .get(payload.credential_type)
            .ok_or(IssueError::UnknownType(payload.credential_type))?;
        let values = leaf_values(ty.shape.leaves(), &claims)?;
        if ty.shape.root(&root_seed, &values) != Some(payload.root)
            || &payload.holder_key != holder_key
        {
            return Err(IssueError::Mismatch);
        }
        Ok(IssuedCredential {
            cose,
            root_seed: Zeroizing::new(root_seed),
            claims,
            payload,
            photo: None,
        })
    }

    /// Photo profile: keeps `photo` with the credential, if it is exactly the image the
    /// signed portrait digest names (`photo::photo_digest`); otherwise `Mismatch`.
    pub fn with_photo(mut self, photo: Vec<u8>) -> Result<IssuedCredential, IssueError> {
        let named = match self.claims.get(&crate::claims::keys::PORTRAIT_DIGEST) {
            Some(ClaimValue::Digest(d)) => *d,
            _ => return Err(IssueError::Mismatch),
        };
        if photo.is_empty()
            || photo.len() > crate::photo::MAX_PHOTO
            || crate::photo::photo_digest(&photo) != named
        {
            return Err(IssueError::Mismatch);
        }
        self.photo = Some(photo);
        Ok(self)
    }
}

/// Largest envelope accepted by [`IssuedCredential::from_envelope`]: the signed
/// object (≈ 180 B), a seed and at most a few hundred bytes of claim values.
pub const MAX_ENVELOPE: usize = 8 * 1024;

impl IssuedCredential {
    /// The holder's copy as one byte string, for the issuer's response and the
    /// wallet's sealed store: `[cose (bstr), root seed (bstr 16), {key: value}, ? photo]`
    /// with values in their canonical claim encoding. Zeroizing, since it carries
    /// the root seed (which unlocks every salt).
    pub fn to_envelope(&self) -> Result<Zeroizing<Vec<u8>>, IssueError> {
        let mut out = Zeroizing::new(Vec::with_capacity(
            self.cose.len() + 64 + 32 * self.claims.len(),
        ));
        {
            let mut e = Encoder::new(&mut *out);
            let header = e
                .array(if self.photo.is_some() { 4 } else { 3 })
                .and_then(|e| e.bytes(&self.cose))
                .and_then(|e| e.bytes(&self.root_seed[..]))
                .and_then(|e| e.map(self.claims.len() as u64));
            // Writing into a Vec cannot fail.
            if header.is_err() {
                return Err(IssueError::Mismatch);
            }
        }
        for (k, v) in &self.claims {
            let _ = Encoder::new(&mut *out).u16(*k);
            encode_value(*k, v, &mut out)?;
        }
        if let Some(photo) = &self.photo {
            let _ = Encoder::new(&mut *out).bytes(photo);
        }
        Ok(out)
    }

    /// Parses what [`IssuedCredential::to_envelope`] wrote and checks it with
    /// [`IssuedCredential::receive`] (root recomputes, bound to `holder_key`).
    /// Untrusted input on the wallet side (it comes from the network): bounded,
    /// strict, never panics.
    pub fn from_envelope(
        registry: &Registry,
        bytes: &[u8],
        holder_key: &PublicKey,
    ) -> Result<IssuedCredential, IssueError> {
        let m = IssueError::Mismatch;
        if bytes.len() > MAX_ENVELOPE {
            return Err(m);
        }
        let mut d = Decoder::new(bytes);
        let with_photo = match d.array().map_err(|_| m.clone())? {
            Some(3) => false,
            Some(4) => true,
            _ => return Err(m),
        };
        let cose = d.bytes().map_err(|_| m.clone())?.to_vec();
        let seed: Seed = d
            .bytes()
            .map_err(|_| m.clone())?
            .try_into()
            .map_err(|_| m.clone())?;
        let n = d.map().map_err(|_| m.clone())?.ok_or(m.clone())?;
        if n > 64 {
            return Err(m);
        }
        let mut claims = BTreeMap::new();
        for _ in 0..n {
            let k = d.u16().map_err(|_| m.clone())?;
            let v = crate::claims::decode_value(k, &mut d)?;
            if v == ClaimValue::Absent || claims.insert(k, v).is_some() {
                return Err(m);
            }
        }
        let photo = if with_photo {
            Some(d.bytes().map_err(|_| m.clone())?.to_vec())
        } else {
            None
        };
        if d.position() != bytes.len() {
            return Err(m);
        }
        let cred = IssuedCredential::receive(registry, cose, seed, claims, holder_key)?;
        match photo {
            Some(p) => cred.with_photo(p),
            None => Ok(cred),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod envelope_tests {
    use super::*;
    use crate::claims::{Date, Sex, keys, types};

    fn sample(device: &SigningKey) -> IssuedCredential {
        let claims = BTreeMap::from([
            (keys::FULL_NAME, ClaimValue::Text("NGUYỄN VĂN AN".into())),
            (keys::ID_NUMBER, ClaimValue::Digits("001090123456".into())),
            (
                keys::BIRTH_DATE,
                ClaimValue::Date(Date::from_ymd(1990, 3, 15).unwrap()),
            ),
            (keys::SEX, ClaimValue::Sex(Sex::Male)),
        ]);
        let req = IssueRequest {
            credential_type: types::CORE_ID,
            claims: &claims,
            holder_key: device.public_key().compressed(),
            nbf: 1_000,
            exp: 2_000,
        };
        let issuer = SigningKey::generate().unwrap();
        issue(
            &Registry::builtin(),
            &issuer,
            &req,
            StatusRef { list: 1, index: 2 },
            &mut SystemSalts::new(),
        )
        .unwrap()
    }

    #[test]
    fn envelope_round_trips_and_is_bound_to_the_holder_key() {
        let device = SigningKey::generate().unwrap();
        let cred = sample(&device);
        let env = cred.to_envelope().unwrap();
        let back = IssuedCredential::from_envelope(&Registry::builtin(), &env, device.public_key())
            .unwrap();
        assert_eq!(back.cose, cred.cose);
        assert_eq!(back.claims, cred.claims);
        let other = SigningKey::generate().unwrap();
        assert!(
            IssuedCredential::from_envelope(&Registry::builtin(), &env, other.public_key())
                .is_err()
        );
    }

    #[test]
    fn truncated_or_altered_envelopes_are_refused_without_panic() {
        let device = SigningKey::generate().unwrap();
        let env = sample(&device).to_envelope().unwrap();
        let reg = Registry::builtin();
        for len in 0..env.len() {
            assert!(
                IssuedCredential::from_envelope(&reg, env.get(..len).unwrap(), device.public_key())
                    .is_err()
            );
        }
        // The issuer's signed object is checked by the issuer signature, which
        // needs the trust list (the verifier's job): here only "no panic" for its
        // bytes (except the holder key and root, which `receive` checks). The seed
        // and the claims after it must be refused.
        let cose_end = 3 + sample(&device).cose.len();
        for i in 0..env.len() {
            let unchecked = i < cose_end;
            let mut bad = env.to_vec();
            if let Some(b) = bad.get_mut(i) {
                *b ^= 0x01;
            }
            let out = IssuedCredential::from_envelope(&reg, &bad, device.public_key());
            assert!(unchecked || out.is_err(), "flip at {i}");
        }
    }
}
