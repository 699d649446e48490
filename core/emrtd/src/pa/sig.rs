//! Hashes, public keys and signature verification for passive authentication.
//!
//! `ring` verifies what it supports (ECDSA on P-256/P-384 with SHA-256/384; RSA ≥ 2048 bits
//! with PKCS#1 v1.5 SHA-256/384/512 and PSS with MGF1 of the same hash and a salt as long as
//! the hash); RustCrypto verifies the rest (brainpool curves, SHA-1/224/512 with ECDSA, short
//! RSA keys, other PSS salt lengths). No primitive is implemented here.

use super::asn1::{AlgId, oids};
pub use crate::curve::Curve;
use crate::tlv::Tlv;
use der::asn1::ObjectIdentifier;
use sha2::Digest;
use signature::hazmat::PrehashVerifier;

/// A digest algorithm of the LDS security object or a signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HashAlgorithm {
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}

impl HashAlgorithm {
    pub fn from_oid(oid: &ObjectIdentifier) -> Option<Self> {
        Some(match *oid {
            oids::SHA1 => Self::Sha1,
            oids::SHA224 => Self::Sha224,
            oids::SHA256 => Self::Sha256,
            oids::SHA384 => Self::Sha384,
            oids::SHA512 => Self::Sha512,
            _ => return None,
        })
    }

    pub fn output_len(self) -> usize {
        match self {
            Self::Sha1 => 20,
            Self::Sha224 => 28,
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }

    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha1 => sha1::Sha1::digest(data).to_vec(),
            Self::Sha224 => sha2::Sha224::digest(data).to_vec(),
            Self::Sha256 => sha2::Sha256::digest(data).to_vec(),
            Self::Sha384 => sha2::Sha384::digest(data).to_vec(),
            Self::Sha512 => sha2::Sha512::digest(data).to_vec(),
        }
    }
}

/// A public key from a SubjectPublicKeyInfo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicKey {
    /// RSA: the PKCS#1 RSAPublicKey DER, the modulus size, and the modulus and exponent
    /// (big-endian, without leading zeros).
    Rsa {
        pkcs1_der: Vec<u8>,
        bits: usize,
        modulus: Vec<u8>,
        exponent: Vec<u8>,
    },
    /// EC: the curve and the SEC1 point.
    Ec { curve: Curve, point: Vec<u8> },
}

/// Why a key or a signature could not be verified.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SigError {
    #[error("unsupported algorithm: {0}")]
    Unsupported(String),
    #[error("malformed public key: {0}")]
    BadKey(&'static str),
    #[error("signature does not verify")]
    Invalid,
}

impl PublicKey {
    /// Parses a DER SubjectPublicKeyInfo.
    pub fn from_spki_der(spki: &[u8]) -> Result<Self, SigError> {
        let bad = |_| SigError::BadKey("SubjectPublicKeyInfo structure");
        let seq = Tlv::parse_tagged(spki, 0x30).map_err(bad)?;
        let mut it = seq.children();
        let alg = it
            .next()
            .ok_or(SigError::BadKey("missing algorithm"))?
            .map_err(bad)?;
        let alg = AlgId::parse(alg.raw).map_err(|_| SigError::BadKey("algorithm identifier"))?;
        let bits = it
            .next()
            .ok_or(SigError::BadKey("missing key bits"))?
            .map_err(bad)?;
        if bits.tag != 0x03 {
            return Err(SigError::BadKey("key is not a BIT STRING"));
        }
        let key = match bits.value.split_first() {
            Some((0, key)) => key,
            _ => return Err(SigError::BadKey("BIT STRING with unused bits")),
        };
        match alg.oid {
            oids::RSA_ENCRYPTION | oids::RSASSA_PSS => Self::rsa_from_pkcs1(key),
            oids::EC_PUBLIC_KEY => {
                let params = alg
                    .params
                    .as_deref()
                    .ok_or(SigError::BadKey("EC key without curve"))?;
                let curve = match Tlv::parse_exact(params) {
                    Ok(t) if t.tag == 0x06 => {
                        let oid = ObjectIdentifier::from_bytes(t.value)
                            .map_err(|_| SigError::BadKey("curve OID"))?;
                        Curve::from_oid(&oid)
                    }
                    // Explicit parameters of a supported curve are that curve; others stay
                    // raw and unsupported.
                    Ok(t) if t.tag == 0x30 => crate::curve_params::named_curve(params)
                        .map(|d| d.curve())
                        .unwrap_or_else(|| Curve::Explicit(params.to_vec())),
                    _ => return Err(SigError::BadKey("EC parameters")),
                };
                if key.is_empty() {
                    return Err(SigError::BadKey("empty EC point"));
                }
                Ok(Self::Ec {
                    curve,
                    point: key.to_vec(),
                })
            }
            other => Err(SigError::Unsupported(format!(
                "public key algorithm {other}"
            ))),
        }
    }

    /// Parses a PKCS#1 RSAPublicKey.
    pub fn rsa_from_pkcs1(der: &[u8]) -> Result<Self, SigError> {
        let bad = |_| SigError::BadKey("RSAPublicKey structure");
        let seq = Tlv::parse_exact(der).map_err(bad)?;
        let mut it = seq.children();
        let mut int = || -> Result<Vec<u8>, SigError> {
            let t = it
                .next()
                .ok_or(SigError::BadKey("RSAPublicKey field missing"))?
                .map_err(bad)?;
            if t.tag != 0x02 {
                return Err(SigError::BadKey("RSAPublicKey field not an INTEGER"));
            }
            let v: Vec<u8> = t.value.iter().copied().skip_while(|&b| b == 0).collect();
            if v.is_empty() {
                return Err(SigError::BadKey("zero RSA integer"));
            }
            Ok(v)
        };
        let modulus = int()?;
        let exponent = int()?;
        let lead = modulus.first().map_or(0, |b| b.leading_zeros() as usize);
        let bits = modulus.len() * 8 - lead;
        Ok(Self::Rsa {
            pkcs1_der: der.to_vec(),
            bits,
            modulus,
            exponent,
        })
    }

    /// A short description for reports, e.g. "RSA-2048" or "ECDSA P256".
    pub fn describe(&self) -> String {
        match self {
            Self::Rsa { bits, .. } => format!("RSA-{bits}"),
            Self::Ec { curve, .. } => format!("EC {curve:?}"),
        }
    }
}

/// A signature scheme with its parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureScheme {
    RsaPkcs1v15(HashAlgorithm),
    RsaPss {
        hash: HashAlgorithm,
        mgf1_hash: HashAlgorithm,
        salt_len: usize,
    },
    Ecdsa(HashAlgorithm),
}

impl SignatureScheme {
    /// The scheme of a signature algorithm identifier. `digest` is the SignerInfo's digest
    /// algorithm, used when the signature algorithm names only the key type (rsaEncryption or
    /// id-ecPublicKey, as some SODs have it).
    pub fn from_alg(alg: &AlgId, digest: Option<HashAlgorithm>) -> Result<Self, SigError> {
        use HashAlgorithm::*;
        let need_digest =
            || digest.ok_or_else(|| SigError::Unsupported(format!("{} without a digest", alg.oid)));
        Ok(match alg.oid {
            oids::SHA1_WITH_RSA => Self::RsaPkcs1v15(Sha1),
            oids::SHA224_WITH_RSA => Self::RsaPkcs1v15(Sha224),
            oids::SHA256_WITH_RSA => Self::RsaPkcs1v15(Sha256),
            oids::SHA384_WITH_RSA => Self::RsaPkcs1v15(Sha384),
            oids::SHA512_WITH_RSA => Self::RsaPkcs1v15(Sha512),
            oids::RSA_ENCRYPTION => Self::RsaPkcs1v15(need_digest()?),
            oids::ECDSA_WITH_SHA1 => Self::Ecdsa(Sha1),
            oids::ECDSA_WITH_SHA224 => Self::Ecdsa(Sha224),
            oids::ECDSA_WITH_SHA256 => Self::Ecdsa(Sha256),
            oids::ECDSA_WITH_SHA384 => Self::Ecdsa(Sha384),
            oids::ECDSA_WITH_SHA512 => Self::Ecdsa(Sha512),
            oids::EC_PUBLIC_KEY => Self::Ecdsa(need_digest()?),
            oids::RSASSA_PSS => Self::pss_params(alg.params.as_deref())?,
            other => {
                return Err(SigError::Unsupported(format!(
                    "signature algorithm {other}"
                )));
            }
        })
    }

    /// RSASSA-PSS-params ::= SEQUENCE { hashAlgorithm [0] DEFAULT sha1, maskGenAlgorithm [1]
    /// DEFAULT mgf1SHA1, saltLength [2] INTEGER DEFAULT 20, trailerField [3] DEFAULT 1 }
    fn pss_params(params: Option<&[u8]>) -> Result<Self, SigError> {
        let bad = || SigError::Unsupported("malformed RSASSA-PSS parameters".into());
        let mut hash = HashAlgorithm::Sha1;
        let mut mgf1_hash = HashAlgorithm::Sha1;
        let mut salt_len = 20usize;
        let hash_of = |raw: &[u8]| -> Result<HashAlgorithm, SigError> {
            let alg = AlgId::parse(raw).map_err(|_| bad())?;
            HashAlgorithm::from_oid(&alg.oid)
                .ok_or_else(|| SigError::Unsupported(format!("PSS hash {}", alg.oid)))
        };
        if let Some(params) = params {
            let seq = Tlv::parse_exact(params).map_err(|_| bad())?;
            if seq.tag != 0x30 {
                return Err(bad());
            }
            for field in seq.children() {
                let field = field.map_err(|_| bad())?;
                match field.tag {
                    0xA0 => hash = hash_of(field.value)?,
                    0xA1 => {
                        let mgf = AlgId::parse(field.value).map_err(|_| bad())?;
                        if mgf.oid != oids::MGF1 {
                            return Err(SigError::Unsupported(format!("PSS mask {}", mgf.oid)));
                        }
                        mgf1_hash = hash_of(mgf.params.as_deref().ok_or_else(bad)?)?;
                    }
                    0xA2 => {
                        let int = Tlv::parse_exact(field.value).map_err(|_| bad())?;
                        if int.tag != 0x02 || int.value.len() > 4 {
                            return Err(bad());
                        }
                        salt_len = int
                            .value
                            .iter()
                            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
                    }
                    0xA3 => {
                        let int = Tlv::parse_exact(field.value).map_err(|_| bad())?;
                        if int.value != [1] {
                            return Err(SigError::Unsupported("PSS trailer field".into()));
                        }
                    }
                    _ => return Err(bad()),
                }
            }
        }
        Ok(Self::RsaPss {
            hash,
            mgf1_hash,
            salt_len,
        })
    }

    pub fn hash(self) -> HashAlgorithm {
        match self {
            Self::RsaPkcs1v15(h) | Self::Ecdsa(h) | Self::RsaPss { hash: h, .. } => h,
        }
    }
}

/// Verifies `signature` over `message` with `key` under `scheme`.
pub fn verify(
    key: &PublicKey,
    scheme: SignatureScheme,
    message: &[u8],
    signature: &[u8],
) -> Result<(), SigError> {
    use HashAlgorithm::*;
    use ring::signature as rs;
    let ring_alg: Option<&'static dyn rs::VerificationAlgorithm> = match (key, scheme) {
        (PublicKey::Ec { curve, .. }, SignatureScheme::Ecdsa(h)) => match (curve, h) {
            (Curve::P256, Sha256) => Some(&rs::ECDSA_P256_SHA256_ASN1),
            (Curve::P256, Sha384) => Some(&rs::ECDSA_P256_SHA384_ASN1),
            (Curve::P384, Sha256) => Some(&rs::ECDSA_P384_SHA256_ASN1),
            (Curve::P384, Sha384) => Some(&rs::ECDSA_P384_SHA384_ASN1),
            _ => None,
        },
        (PublicKey::Rsa { bits, .. }, _) if (2048..=8192).contains(bits) => match scheme {
            SignatureScheme::RsaPkcs1v15(Sha256) => Some(&rs::RSA_PKCS1_2048_8192_SHA256),
            SignatureScheme::RsaPkcs1v15(Sha384) => Some(&rs::RSA_PKCS1_2048_8192_SHA384),
            SignatureScheme::RsaPkcs1v15(Sha512) => Some(&rs::RSA_PKCS1_2048_8192_SHA512),
            SignatureScheme::RsaPss {
                hash,
                mgf1_hash,
                salt_len,
            } if hash == mgf1_hash && salt_len == hash.output_len() => match hash {
                Sha256 => Some(&rs::RSA_PSS_2048_8192_SHA256),
                Sha384 => Some(&rs::RSA_PSS_2048_8192_SHA384),
                Sha512 => Some(&rs::RSA_PSS_2048_8192_SHA512),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    };
    let key_bytes = match key {
        PublicKey::Rsa { pkcs1_der, .. } => pkcs1_der.as_slice(),
        PublicKey::Ec { point, .. } => point.as_slice(),
    };
    if let Some(alg) = ring_alg {
        return rs::UnparsedPublicKey::new(alg, key_bytes)
            .verify(message, signature)
            .map_err(|_| SigError::Invalid);
    }
    let hashed = scheme.hash().digest(message);
    match (key, scheme) {
        (PublicKey::Ec { curve, point }, SignatureScheme::Ecdsa(_)) => {
            verify_ecdsa_prehash(curve, point, &hashed, signature)
        }
        (PublicKey::Rsa { pkcs1_der, .. }, SignatureScheme::RsaPkcs1v15(h)) => {
            let key = rsa_key(pkcs1_der)?;
            let padding = match h {
                Sha1 => rsa::Pkcs1v15Sign::new::<sha1::Sha1>(),
                Sha224 => rsa::Pkcs1v15Sign::new::<sha2::Sha224>(),
                Sha256 => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
                Sha384 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
                Sha512 => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
            };
            key.verify(padding, &hashed, signature)
                .map_err(|_| SigError::Invalid)
        }
        (
            PublicKey::Rsa { pkcs1_der, .. },
            SignatureScheme::RsaPss {
                hash,
                mgf1_hash,
                salt_len,
            },
        ) => {
            if hash != mgf1_hash {
                return Err(SigError::Unsupported(
                    "PSS with an MGF1 hash other than the message hash".into(),
                ));
            }
            let key = rsa_key(pkcs1_der)?;
            let result = match hash {
                Sha1 => key.verify(
                    rsa::Pss::<sha1::Sha1>::new_with_salt(salt_len),
                    &hashed,
                    signature,
                ),
                Sha224 => key.verify(
                    rsa::Pss::<sha2::Sha224>::new_with_salt(salt_len),
                    &hashed,
                    signature,
                ),
                Sha256 => key.verify(
                    rsa::Pss::<sha2::Sha256>::new_with_salt(salt_len),
                    &hashed,
                    signature,
                ),
                Sha384 => key.verify(
                    rsa::Pss::<sha2::Sha384>::new_with_salt(salt_len),
                    &hashed,
                    signature,
                ),
                Sha512 => key.verify(
                    rsa::Pss::<sha2::Sha512>::new_with_salt(salt_len),
                    &hashed,
                    signature,
                ),
            };
            result.map_err(|_| SigError::Invalid)
        }
        (PublicKey::Rsa { .. }, SignatureScheme::Ecdsa(_)) => Err(SigError::Unsupported(
            "ECDSA signature with an RSA key".into(),
        )),
        (PublicKey::Ec { .. }, _) => {
            Err(SigError::Unsupported("RSA signature with an EC key".into()))
        }
    }
}

fn rsa_key(pkcs1_der: &[u8]) -> Result<rsa::PublicKey, SigError> {
    use rsa::pkcs1::DecodeRsaPublicKey;
    rsa::PublicKey::from_pkcs1_der(pkcs1_der).map_err(|_| SigError::BadKey("RSA public key"))
}

fn verify_ecdsa_prehash(
    curve: &Curve,
    point: &[u8],
    prehash: &[u8],
    signature: &[u8],
) -> Result<(), SigError> {
    macro_rules! check {
        ($curve:ty) => {{
            let key = ecdsa::VerifyingKey::<$curve>::from_sec1_bytes(point)
                .map_err(|_| SigError::BadKey("EC point not on the curve"))?;
            let sig =
                ecdsa::Signature::<$curve>::from_der(signature).map_err(|_| SigError::Invalid)?;
            key.verify_prehash(prehash, &sig)
                .map_err(|_| SigError::Invalid)
        }};
    }
    match curve {
        Curve::P256 => check!(p256::NistP256),
        Curve::P384 => check!(p384::NistP384),
        Curve::BrainpoolP256r1 => check!(bp256::BrainpoolP256r1),
        Curve::BrainpoolP384r1 => check!(bp384::BrainpoolP384r1),
        other => Err(SigError::Unsupported(format!("ECDSA on {other:?}"))),
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
    use vneid_pki::{Algorithm, Pki};

    fn key_and_sig(alg: Algorithm, msg: &[u8]) -> (PublicKey, SignatureScheme, Vec<u8>) {
        let pki = Pki::get(alg);
        let key = PublicKey::from_spki_der(&vneid_pki::spki_der(&pki.ds.key)).unwrap();
        let (alg_id, sig) = pki.ds.key.sign(alg, msg);
        let alg_id = AlgId {
            oid: alg_id.oid,
            params: alg_id
                .parameters
                .map(|p| der::Encode::to_der(&p).unwrap())
                .filter(|p| p != &[0x05, 0x00]),
        };
        (key, SignatureScheme::from_alg(&alg_id, None).unwrap(), sig)
    }

    #[test]
    fn rustcrypto_fallback_agrees_with_ring() {
        let msg = b"signed attributes";
        for alg in [Algorithm::RsaPkcs1v15, Algorithm::RsaPss] {
            let (key, scheme, sig) = key_and_sig(alg, msg);
            assert_eq!(verify(&key, scheme, msg, &sig), Ok(()), "ring {alg:?}");
            // Claiming a short modulus routes the same key to RustCrypto.
            let PublicKey::Rsa {
                pkcs1_der,
                modulus,
                exponent,
                ..
            } = key
            else {
                panic!()
            };
            let short = PublicKey::Rsa {
                pkcs1_der,
                bits: 1024,
                modulus,
                exponent,
            };
            assert_eq!(
                verify(&short, scheme, msg, &sig),
                Ok(()),
                "RustCrypto {alg:?}"
            );
            assert_eq!(
                verify(&short, scheme, b"other", &sig),
                Err(SigError::Invalid)
            );
        }
        let (key, scheme, sig) = key_and_sig(Algorithm::EcdsaP256, msg);
        assert_eq!(scheme, SignatureScheme::Ecdsa(HashAlgorithm::Sha256));
        let PublicKey::Ec { curve, point } = &key else {
            panic!()
        };
        let prehash = HashAlgorithm::Sha256.digest(msg);
        assert_eq!(verify_ecdsa_prehash(curve, point, &prehash, &sig), Ok(()));
        assert_eq!(verify(&key, scheme, msg, &sig), Ok(()));
        assert_eq!(verify(&key, scheme, b"other", &sig), Err(SigError::Invalid));
    }

    #[test]
    fn pss_parameters_are_read_with_their_defaults() {
        let (_, scheme, _) = key_and_sig(Algorithm::RsaPss, b"x");
        assert_eq!(
            scheme,
            SignatureScheme::RsaPss {
                hash: HashAlgorithm::Sha256,
                mgf1_hash: HashAlgorithm::Sha256,
                salt_len: 32
            }
        );
        let defaults = AlgId {
            oid: oids::RSASSA_PSS,
            params: Some(vec![0x30, 0x00]),
        };
        assert_eq!(
            SignatureScheme::from_alg(&defaults, None).unwrap(),
            SignatureScheme::RsaPss {
                hash: HashAlgorithm::Sha1,
                mgf1_hash: HashAlgorithm::Sha1,
                salt_len: 20
            }
        );
    }

    #[test]
    fn key_type_only_algorithms_take_the_signer_info_digest() {
        let alg = AlgId {
            oid: oids::RSA_ENCRYPTION,
            params: None,
        };
        assert_eq!(
            SignatureScheme::from_alg(&alg, Some(HashAlgorithm::Sha384)).unwrap(),
            SignatureScheme::RsaPkcs1v15(HashAlgorithm::Sha384)
        );
        assert!(matches!(
            SignatureScheme::from_alg(&alg, None),
            Err(SigError::Unsupported(_))
        ));
    }
}
