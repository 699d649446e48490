//! EF.SOD: tag 0x77 around a CMS ContentInfo holding SignedData over the LDS security object
//! (Doc 9303 Part 10 §4.6.2), and the same SignedData walk for CSCA master lists.

use super::asn1::{AlgId, Asn1Error, expect, next, oid_of, oids, small_uint};
use super::sig::HashAlgorithm;
use crate::tlv::{Tlv, TlvError};
use der::asn1::ObjectIdentifier;
use std::collections::BTreeMap;

/// EF.SOD larger than this is rejected before parsing (real ones are 2–10 KB).
pub const MAX_SOD_LEN: usize = 64 * 1024;
/// Certificates carried in one SignedData (an SOD has one; master lists carry one or two).
pub const MAX_EMBEDDED_CERTIFICATES: usize = 16;
/// Signed attributes in one SignerInfo.
const MAX_SIGNED_ATTRIBUTES: usize = 32;

/// Why EF.SOD (or a master list) could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SodError {
    #[error("file larger than {max} bytes")]
    TooLarge { max: usize },
    #[error("TLV: {0}")]
    Tlv(#[from] TlvError),
    #[error("ASN.1: {0}")]
    Asn1(#[from] Asn1Error),
    #[error("content type {0} is not signedData")]
    NotSignedData(String),
    #[error("encapsulated content type {found} where {expected} was expected")]
    WrongContentType { expected: String, found: String },
    #[error("SignedData has no encapsulated content")]
    NoContent,
    #[error("SignedData has no SignerInfo")]
    NoSigner,
    #[error("more than {0} embedded certificates")]
    TooManyCertificates(usize),
    #[error("unsupported digest algorithm {0}")]
    UnsupportedDigest(String),
    #[error("signed attribute {0} appears more than once or has several values")]
    DuplicateAttribute(String),
    #[error("LDS security object lists data group {0} twice")]
    DuplicateDataGroup(u8),
    #[error("LDS security object lists data group number {0}, outside 1..=16")]
    BadDataGroupNumber(u64),
    #[error("LDS security object version {0} is not 0 or 1")]
    BadVersion(u64),
}

/// Who signed: the issuer name (DER) and serial number of the signer's certificate, or its
/// subject key identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignerId {
    IssuerSerial { issuer: Vec<u8>, serial: Vec<u8> },
    SubjectKeyId(Vec<u8>),
}

/// One CMS SignerInfo, with the raw bytes its signature covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignerInfo {
    pub sid: SignerId,
    pub digest_algorithm: HashAlgorithm,
    /// The signed attributes DER-encoded as a SET (tag 0x31), as the signature covers them.
    pub signed_attrs: Option<Vec<u8>>,
    /// The content-type attribute.
    pub content_type: Option<ObjectIdentifier>,
    /// The message-digest attribute.
    pub message_digest: Option<Vec<u8>>,
    pub signature_algorithm: AlgId,
    pub signature: Vec<u8>,
}

/// The parts of a CMS SignedData passive authentication needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedData {
    pub econtent_type: ObjectIdentifier,
    /// The eContent OCTET STRING's value, as signed.
    pub econtent: Vec<u8>,
    /// Embedded certificates, raw DER.
    pub certificates: Vec<Vec<u8>>,
    /// The first SignerInfo (an SOD has exactly one).
    pub signer: SignerInfo,
}

impl SignedData {
    /// Parses a DER ContentInfo with SignedData whose eContentType must be `expected`.
    pub fn parse_content_info(raw: &[u8], expected: ObjectIdentifier) -> Result<Self, SodError> {
        let ci = Tlv::parse(raw)?.0;
        if ci.tag != 0x30 {
            return Err(Asn1Error::Expected("ContentInfo SEQUENCE").into());
        }
        let mut it = ci.children();
        let ct = oid_of(&next(&mut it, "contentType")?)?;
        if ct != oids::SIGNED_DATA {
            return Err(SodError::NotSignedData(ct.to_string()));
        }
        let content = next(&mut it, "content [0]")?;
        if content.tag != 0xA0 {
            return Err(Asn1Error::Expected("content [0]").into());
        }
        Self::parse_signed_data(content.value, expected)
    }

    fn parse_signed_data(raw: &[u8], expected: ObjectIdentifier) -> Result<Self, SodError> {
        let sd = expect(raw, 0x30, "SignedData SEQUENCE")?;
        let mut it = sd.children();
        small_uint(&next(&mut it, "SignedData version")?)?;
        let digests = next(&mut it, "digestAlgorithms")?;
        if digests.tag != 0x31 {
            return Err(Asn1Error::Expected("digestAlgorithms SET").into());
        }
        let encap = next(&mut it, "encapContentInfo")?;
        let (econtent_type, econtent) = parse_encap(&encap)?;
        if econtent_type != expected {
            return Err(SodError::WrongContentType {
                expected: expected.to_string(),
                found: econtent_type.to_string(),
            });
        }
        let mut certificates = Vec::new();
        let mut signer_infos = None;
        for field in it {
            let field = field?;
            match field.tag {
                // certificates [0] IMPLICIT CertificateSet
                0xA0 => {
                    for cert in field.children() {
                        let cert = cert?;
                        if cert.tag != 0x30 {
                            continue; // other certificate formats are not used in ICAO data
                        }
                        if certificates.len() >= MAX_EMBEDDED_CERTIFICATES {
                            return Err(SodError::TooManyCertificates(MAX_EMBEDDED_CERTIFICATES));
                        }
                        certificates.push(cert.raw.to_vec());
                    }
                }
                // crls [1]: not used by ICAO; CRLs come through the trust store.
                0xA1 => {}
                0x31 => signer_infos = Some(field),
                _ => return Err(Asn1Error::Expected("certificates, crls or signerInfos").into()),
            }
        }
        let signer_infos = signer_infos.ok_or(SodError::NoSigner)?;
        let first = signer_infos.children().next().ok_or(SodError::NoSigner)??;
        Ok(Self {
            econtent_type,
            econtent: econtent.to_vec(),
            certificates,
            signer: parse_signer_info(&first)?,
        })
    }
}

fn parse_encap<'a>(encap: &Tlv<'a>) -> Result<(ObjectIdentifier, &'a [u8]), SodError> {
    if encap.tag != 0x30 {
        return Err(Asn1Error::Expected("EncapsulatedContentInfo SEQUENCE").into());
    }
    let mut it = encap.children();
    let ty = oid_of(&next(&mut it, "eContentType")?)?;
    let explicit = it.next().ok_or(SodError::NoContent)??;
    if explicit.tag != 0xA0 {
        return Err(Asn1Error::Expected("eContent [0]").into());
    }
    let octets = expect(explicit.value, 0x04, "eContent OCTET STRING")?;
    Ok((ty, octets.value))
}

fn parse_signer_info(si: &Tlv<'_>) -> Result<SignerInfo, SodError> {
    if si.tag != 0x30 {
        return Err(Asn1Error::Expected("SignerInfo SEQUENCE").into());
    }
    let mut it = si.children();
    small_uint(&next(&mut it, "SignerInfo version")?)?;
    let sid = next(&mut it, "sid")?;
    let sid = match sid.tag {
        0x30 => {
            let mut parts = sid.children();
            let issuer = next(&mut parts, "issuer")?;
            let serial = next(&mut parts, "serialNumber")?;
            if issuer.tag != 0x30 || serial.tag != 0x02 {
                return Err(Asn1Error::Expected("IssuerAndSerialNumber").into());
            }
            SignerId::IssuerSerial {
                issuer: issuer.raw.to_vec(),
                serial: serial.value.to_vec(),
            }
        }
        0x80 => SignerId::SubjectKeyId(sid.value.to_vec()),
        _ => return Err(Asn1Error::Expected("SignerIdentifier").into()),
    };
    let digest = AlgId::parse(next(&mut it, "digestAlgorithm")?.raw)?;
    let digest_algorithm = HashAlgorithm::from_oid(&digest.oid)
        .ok_or_else(|| SodError::UnsupportedDigest(digest.oid.to_string()))?;
    let mut field = next(&mut it, "signatureAlgorithm")?;
    let mut signed_attrs = None;
    let mut content_type = None;
    let mut message_digest = None;
    if field.tag == 0xA0 {
        let mut set = field.raw.to_vec();
        if let Some(first) = set.first_mut() {
            *first = 0x31; // [0] IMPLICIT SET OF → the SET OF the signature covers
        }
        signed_attrs = Some(set);
        let mut seen = std::collections::BTreeSet::new();
        for (i, attr) in field.children().enumerate() {
            if i >= MAX_SIGNED_ATTRIBUTES {
                return Err(Asn1Error::Expected("fewer signed attributes").into());
            }
            let attr = attr?;
            if attr.tag != 0x30 {
                return Err(Asn1Error::Expected("Attribute SEQUENCE").into());
            }
            let mut parts = attr.children();
            let ty = oid_of(&next(&mut parts, "attribute type")?)?;
            let values = next(&mut parts, "attribute values")?;
            if values.tag != 0x31 {
                return Err(Asn1Error::Expected("attribute values SET").into());
            }
            if !seen.insert(ty) {
                return Err(SodError::DuplicateAttribute(ty.to_string()));
            }
            let mut vals = values.children();
            let Some(value) = vals.next() else { continue };
            let value = value?;
            let several = vals.next().is_some();
            if ty == oids::CONTENT_TYPE {
                if several {
                    return Err(SodError::DuplicateAttribute(ty.to_string()));
                }
                content_type = Some(oid_of(&value)?);
            } else if ty == oids::MESSAGE_DIGEST {
                if several || value.tag != 0x04 {
                    return Err(SodError::DuplicateAttribute(ty.to_string()));
                }
                message_digest = Some(value.value.to_vec());
            }
        }
        field = next(&mut it, "signatureAlgorithm")?;
    }
    let signature_algorithm = AlgId::parse(field.raw)?;
    let signature = next(&mut it, "signature")?;
    if signature.tag != 0x04 {
        return Err(Asn1Error::Expected("signature OCTET STRING").into());
    }
    Ok(SignerInfo {
        sid,
        digest_algorithm,
        signed_attrs,
        content_type,
        message_digest,
        signature_algorithm,
        signature: signature.value.to_vec(),
    })
}

/// LDSSecurityObject: the hash algorithm and one hash per data group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LdsSecurityObject {
    /// 0 (V0) or 1 (V1, with LDS version info).
    pub version: u8,
    pub hash_algorithm: HashAlgorithm,
    pub data_group_hashes: BTreeMap<u8, Vec<u8>>,
    /// LDS and Unicode versions (V1 only).
    pub lds_version: Option<(String, String)>,
}

impl LdsSecurityObject {
    pub fn parse(raw: &[u8]) -> Result<Self, SodError> {
        let seq = expect(raw, 0x30, "LDSSecurityObject SEQUENCE")?;
        let mut it = seq.children();
        let version = small_uint(&next(&mut it, "version")?)?;
        let version = match version {
            0 | 1 => version as u8,
            v => return Err(SodError::BadVersion(v)),
        };
        let alg = AlgId::parse(next(&mut it, "hashAlgorithm")?.raw)?;
        let hash_algorithm = HashAlgorithm::from_oid(&alg.oid)
            .ok_or_else(|| SodError::UnsupportedDigest(alg.oid.to_string()))?;
        let hashes = next(&mut it, "dataGroupHashValues")?;
        if hashes.tag != 0x30 {
            return Err(Asn1Error::Expected("dataGroupHashValues SEQUENCE").into());
        }
        let mut data_group_hashes = BTreeMap::new();
        for entry in hashes.children() {
            let entry = entry?;
            if entry.tag != 0x30 {
                return Err(Asn1Error::Expected("DataGroupHash SEQUENCE").into());
            }
            let mut parts = entry.children();
            let n = small_uint(&next(&mut parts, "dataGroupNumber")?)?;
            let hash = next(&mut parts, "dataGroupHashValue")?;
            if hash.tag != 0x04 {
                return Err(Asn1Error::Expected("dataGroupHashValue OCTET STRING").into());
            }
            let dg = match u8::try_from(n) {
                Ok(dg @ 1..=16) => dg,
                _ => return Err(SodError::BadDataGroupNumber(n)),
            };
            if data_group_hashes.insert(dg, hash.value.to_vec()).is_some() {
                return Err(SodError::DuplicateDataGroup(dg));
            }
        }
        let lds_version = match it.next() {
            Some(info) => {
                let info = info?;
                let mut parts = info.children();
                let text = |t: Tlv<'_>| String::from_utf8_lossy(t.value).into_owned();
                let lds = text(next(&mut parts, "ldsVersion")?);
                let unicode = text(next(&mut parts, "unicodeVersion")?);
                Some((lds, unicode))
            }
            None => None,
        };
        Ok(Self {
            version,
            hash_algorithm,
            data_group_hashes,
            lds_version,
        })
    }
}

/// A parsed EF.SOD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sod {
    pub signed_data: SignedData,
    pub lds: LdsSecurityObject,
}

impl Sod {
    /// Parses EF.SOD as read from the chip (tag 0x77, trailing padding allowed).
    pub fn parse(bytes: &[u8]) -> Result<Self, SodError> {
        if bytes.len() > MAX_SOD_LEN {
            return Err(SodError::TooLarge { max: MAX_SOD_LEN });
        }
        let outer = Tlv::parse_tagged(bytes, 0x77)?;
        let signed_data = SignedData::parse_content_info(outer.value, oids::LDS_SECURITY_OBJECT)?;
        let lds = LdsSecurityObject::parse(&signed_data.econtent)?;
        Ok(Self { signed_data, lds })
    }
}
