//! Small DER helpers over the bounded TLV parser, and the object identifiers PA needs.
//!
//! CMS structures are walked with [`crate::tlv`] so that the exact bytes the signer signed
//! (the eContent, the signed attributes, each certificate's TBS part) are kept as they came,
//! never re-encoded; typed decoding of certificates and CRLs is left to `x509-cert`.

use crate::tlv::{Tlv, TlvError};
use der::asn1::ObjectIdentifier;

/// An AlgorithmIdentifier: the OID and the raw parameters TLV, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlgId {
    pub oid: ObjectIdentifier,
    pub params: Option<Vec<u8>>,
}

/// Why a DER element is not what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Asn1Error {
    #[error("TLV: {0}")]
    Tlv(#[from] TlvError),
    #[error("expected {0}")]
    Expected(&'static str),
    #[error("malformed object identifier")]
    Oid,
    #[error("integer out of range")]
    IntegerRange,
}

impl AlgId {
    pub fn parse(raw: &[u8]) -> Result<Self, Asn1Error> {
        let seq = expect(raw, 0x30, "AlgorithmIdentifier SEQUENCE")?;
        let mut it = seq.children();
        let oid = next(&mut it, "algorithm OID")?;
        let oid = oid_of(&oid)?;
        let params = match it.next() {
            None => None,
            Some(t) => {
                let t = t?;
                // An explicit NULL is the same as absent parameters.
                (t.tag != 0x05).then(|| t.raw.to_vec())
            }
        };
        if it.next().is_some() {
            return Err(Asn1Error::Expected("end of AlgorithmIdentifier"));
        }
        Ok(Self { oid, params })
    }
}

/// One TLV with `tag` filling the whole input.
pub fn expect<'a>(raw: &'a [u8], tag: u32, what: &'static str) -> Result<Tlv<'a>, Asn1Error> {
    let t = Tlv::parse_exact(raw)?;
    if t.tag == tag {
        Ok(t)
    } else {
        Err(Asn1Error::Expected(what))
    }
}

/// The next child of a constructed TLV, which must exist.
pub fn next<'a>(
    it: &mut crate::tlv::TlvIter<'a>,
    what: &'static str,
) -> Result<Tlv<'a>, Asn1Error> {
    Ok(it.next().ok_or(Asn1Error::Expected(what))??)
}

/// The OID an OBJECT IDENTIFIER TLV holds.
pub fn oid_of(t: &Tlv<'_>) -> Result<ObjectIdentifier, Asn1Error> {
    if t.tag != 0x06 {
        return Err(Asn1Error::Expected("OBJECT IDENTIFIER"));
    }
    ObjectIdentifier::from_bytes(t.value).map_err(|_| Asn1Error::Oid)
}

/// A small non-negative INTEGER (versions, DG numbers, key ids).
pub fn small_uint(t: &Tlv<'_>) -> Result<u64, Asn1Error> {
    if t.tag != 0x02 || t.value.is_empty() {
        return Err(Asn1Error::Expected("INTEGER"));
    }
    if t.value.first().is_some_and(|&b| b & 0x80 != 0) {
        return Err(Asn1Error::IntegerRange);
    }
    let v: Vec<u8> = t.value.iter().copied().skip_while(|&b| b == 0).collect();
    if v.len() > 8 {
        return Err(Asn1Error::IntegerRange);
    }
    Ok(v.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
}

/// Object identifiers used by passive authentication and the security infos.
pub mod oids {
    use der::asn1::ObjectIdentifier as Oid;

    pub const SIGNED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.2");
    pub const CONTENT_TYPE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.3");
    pub const MESSAGE_DIGEST: Oid = Oid::new_unwrap("1.2.840.113549.1.9.4");
    /// id-icao-mrtd-security-ldsSecurityObject
    pub const LDS_SECURITY_OBJECT: Oid = Oid::new_unwrap("2.23.136.1.1.1");
    /// id-icao-cscaMasterList
    pub const CSCA_MASTER_LIST: Oid = Oid::new_unwrap("2.23.136.1.1.2");

    pub const SHA1: Oid = Oid::new_unwrap("1.3.14.3.2.26");
    pub const SHA224: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.4");
    pub const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
    pub const SHA384: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.2");
    pub const SHA512: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.3");

    pub const RSA_ENCRYPTION: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
    pub const SHA1_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.5");
    pub const SHA256_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");
    pub const SHA384_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.12");
    pub const SHA512_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.13");
    pub const SHA224_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.14");
    pub const RSASSA_PSS: Oid = Oid::new_unwrap("1.2.840.113549.1.1.10");
    pub const MGF1: Oid = Oid::new_unwrap("1.2.840.113549.1.1.8");

    pub const EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
    pub const ECDSA_WITH_SHA1: Oid = Oid::new_unwrap("1.2.840.10045.4.1");
    pub const ECDSA_WITH_SHA224: Oid = Oid::new_unwrap("1.2.840.10045.4.3.1");
    pub const ECDSA_WITH_SHA256: Oid = Oid::new_unwrap("1.2.840.10045.4.3.2");
    pub const ECDSA_WITH_SHA384: Oid = Oid::new_unwrap("1.2.840.10045.4.3.3");
    pub const ECDSA_WITH_SHA512: Oid = Oid::new_unwrap("1.2.840.10045.4.3.4");

    pub use crate::curve::oids::{
        BRAINPOOL_P256R1, BRAINPOOL_P384R1, BRAINPOOL_P512R1, P256, P384, P521,
    };

    /// dhpublicnumber (X9.42), used by DH chip authentication keys.
    pub const DH_PUBLIC_NUMBER: Oid = Oid::new_unwrap("1.2.840.10046.2.1");
}
