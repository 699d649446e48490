//! DG14 (SecurityInfos for chip authentication and others) and DG15 (the active
//! authentication public key), parsed into typed keys for `ca` (chip authentication) and `aa`
//! (active authentication).

use crate::pa::asn1::{AlgId, Asn1Error, next, oid_of, oids, small_uint};
use crate::pa::sig::{Curve, PublicKey, SigError};
use crate::tlv::{Tlv, TlvError};

/// SecurityInfos accepted in one file.
pub const MAX_SECURITY_INFOS: usize = 64;
/// DG14/DG15 larger than this are rejected (real ones are well under 4 KB).
pub const MAX_LEN: usize = 64 * 1024;

/// Why DG14 or DG15 could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecurityInfoError {
    #[error("file larger than {MAX_LEN} bytes")]
    TooLarge,
    #[error("TLV structure: {0}")]
    Tlv(#[from] TlvError),
    #[error("ASN.1: {0}")]
    Asn1(#[from] Asn1Error),
    #[error("more than {MAX_SECURITY_INFOS} security infos")]
    TooMany,
    #[error("public key: {0}")]
    Key(#[from] SigError),
}

/// The key agreement of chip authentication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAgreement {
    Dh,
    Ecdh,
}

/// The secure-messaging cipher chip authentication switches to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaCipher {
    /// 3DES-CBC with retail MAC.
    Tdes,
    Aes128,
    Aes192,
    Aes256,
}

/// A chip authentication public key (DG14).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChipPublicKey {
    /// ECDH: the curve (named, or explicit parameters kept raw) and the SEC1 point.
    Ec { curve: Curve, point: Vec<u8> },
    /// DH: the raw domain parameters TLV and the public value (big-endian).
    Dh { params: Vec<u8>, public: Vec<u8> },
}

/// One SecurityInfo of DG14 (or EF.CardAccess).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecurityInfo {
    /// ChipAuthenticationInfo: protocol, version, key id.
    ChipAuthentication {
        key_agreement: KeyAgreement,
        cipher: CaCipher,
        version: u64,
        key_id: Option<u64>,
    },
    /// ChipAuthenticationPublicKeyInfo.
    ChipAuthenticationPublicKey {
        key_agreement: KeyAgreement,
        public_key: ChipPublicKey,
        key_id: Option<u64>,
    },
    /// ActiveAuthenticationInfo: the signature algorithm for ECDSA active authentication.
    ActiveAuthentication {
        version: u64,
        signature_algorithm: Option<String>,
    },
    /// PACEInfo / PACEDomainParameterInfo (parsed by PACE later).
    Pace { protocol: String, raw: Vec<u8> },
    /// TerminalAuthenticationInfo.
    TerminalAuthentication { version: u64 },
    /// Anything else, kept raw.
    Other { protocol: String, raw: Vec<u8> },
}

const ID_PK: &str = "0.4.0.127.0.7.2.2.1.";
const ID_TA: &str = "0.4.0.127.0.7.2.2.2";
const ID_CA: &str = "0.4.0.127.0.7.2.2.3.";
const ID_PACE: &str = "0.4.0.127.0.7.2.2.4.";
const ID_AA: &str = "2.23.136.1.1.5";

/// DG14 parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dg14 {
    pub infos: Vec<SecurityInfo>,
    pub raw: Vec<u8>,
}

impl Dg14 {
    /// Parses DG14 (tag 6E around a SET OF SecurityInfo).
    pub fn parse(bytes: &[u8]) -> Result<Self, SecurityInfoError> {
        if bytes.len() > MAX_LEN {
            return Err(SecurityInfoError::TooLarge);
        }
        let dg = Tlv::parse_tagged(bytes, 0x6E)?;
        let set = Tlv::parse_tagged(dg.value, 0x31)?;
        Ok(Self {
            infos: parse_security_infos(&set)?,
            raw: dg.raw.to_vec(),
        })
    }

    /// The chip authentication public keys with their key ids.
    pub fn chip_authentication_keys(&self) -> impl Iterator<Item = (&ChipPublicKey, Option<u64>)> {
        self.infos.iter().filter_map(|i| match i {
            SecurityInfo::ChipAuthenticationPublicKey {
                public_key, key_id, ..
            } => Some((public_key, *key_id)),
            _ => None,
        })
    }
}

/// Parses the SecurityInfos of a SET (DG14 or EF.CardAccess).
pub fn parse_security_infos(set: &Tlv<'_>) -> Result<Vec<SecurityInfo>, SecurityInfoError> {
    let mut infos = Vec::new();
    for info in set.children() {
        let info = info?;
        if infos.len() >= MAX_SECURITY_INFOS {
            return Err(SecurityInfoError::TooMany);
        }
        infos.push(parse_security_info(&info)?);
    }
    Ok(infos)
}

fn parse_security_info(info: &Tlv<'_>) -> Result<SecurityInfo, SecurityInfoError> {
    if info.tag != 0x30 {
        return Err(Asn1Error::Expected("SecurityInfo SEQUENCE").into());
    }
    let mut it = info.children();
    let oid = oid_of(&next(&mut it, "protocol")?)?;
    let protocol = oid.to_string();
    let optional_uint =
        |t: Option<Result<Tlv<'_>, TlvError>>| -> Result<Option<u64>, SecurityInfoError> {
            match t {
                None => Ok(None),
                Some(t) => Ok(Some(small_uint(&t?)?)),
            }
        };
    if let Some(suffix) = protocol.strip_prefix(ID_CA) {
        let (key_agreement, cipher) = match suffix {
            "1.1" => (KeyAgreement::Dh, CaCipher::Tdes),
            "1.2" => (KeyAgreement::Dh, CaCipher::Aes128),
            "1.3" => (KeyAgreement::Dh, CaCipher::Aes192),
            "1.4" => (KeyAgreement::Dh, CaCipher::Aes256),
            "2.1" => (KeyAgreement::Ecdh, CaCipher::Tdes),
            "2.2" => (KeyAgreement::Ecdh, CaCipher::Aes128),
            "2.3" => (KeyAgreement::Ecdh, CaCipher::Aes192),
            "2.4" => (KeyAgreement::Ecdh, CaCipher::Aes256),
            _ => {
                return Ok(SecurityInfo::Other {
                    protocol,
                    raw: info.raw.to_vec(),
                });
            }
        };
        let version = small_uint(&next(&mut it, "version")?)?;
        let key_id = optional_uint(it.next())?;
        return Ok(SecurityInfo::ChipAuthentication {
            key_agreement,
            cipher,
            version,
            key_id,
        });
    }
    if let Some(suffix) = protocol.strip_prefix(ID_PK) {
        let key_agreement = match suffix {
            "1" => KeyAgreement::Dh,
            "2" => KeyAgreement::Ecdh,
            _ => {
                return Ok(SecurityInfo::Other {
                    protocol,
                    raw: info.raw.to_vec(),
                });
            }
        };
        let spki = next(&mut it, "chipAuthenticationPublicKey")?;
        let public_key = chip_public_key(spki.raw)?;
        let key_id = optional_uint(it.next())?;
        return Ok(SecurityInfo::ChipAuthenticationPublicKey {
            key_agreement,
            public_key,
            key_id,
        });
    }
    if protocol == ID_AA {
        let version = small_uint(&next(&mut it, "version")?)?;
        let signature_algorithm = match it.next() {
            Some(t) => Some(oid_of(&t?)?.to_string()),
            None => None,
        };
        return Ok(SecurityInfo::ActiveAuthentication {
            version,
            signature_algorithm,
        });
    }
    if protocol == ID_TA {
        let version = small_uint(&next(&mut it, "version")?)?;
        return Ok(SecurityInfo::TerminalAuthentication { version });
    }
    if protocol.starts_with(ID_PACE) {
        return Ok(SecurityInfo::Pace {
            protocol,
            raw: info.raw.to_vec(),
        });
    }
    Ok(SecurityInfo::Other {
        protocol,
        raw: info.raw.to_vec(),
    })
}

/// A chip authentication key from its SubjectPublicKeyInfo.
pub fn chip_public_key(spki: &[u8]) -> Result<ChipPublicKey, SecurityInfoError> {
    let seq = Tlv::parse_exact(spki)?;
    let mut it = seq.children();
    let alg = AlgId::parse(next(&mut it, "algorithm")?.raw)?;
    if alg.oid == oids::DH_PUBLIC_NUMBER {
        let bits = next(&mut it, "subjectPublicKey")?;
        let key = match bits.value.split_first() {
            Some((0, key)) if bits.tag == 0x03 => key,
            _ => return Err(Asn1Error::Expected("subjectPublicKey BIT STRING").into()),
        };
        let int = Tlv::parse_exact(key)?;
        if int.tag != 0x02 {
            return Err(Asn1Error::Expected("DH public value INTEGER").into());
        }
        return Ok(ChipPublicKey::Dh {
            params: alg.params.unwrap_or_default(),
            public: int.value.iter().copied().skip_while(|&b| b == 0).collect(),
        });
    }
    match PublicKey::from_spki_der(spki)? {
        PublicKey::Ec { curve, point } => Ok(ChipPublicKey::Ec { curve, point }),
        PublicKey::Rsa { .. } => {
            Err(SigError::Unsupported("RSA chip authentication key".into()).into())
        }
    }
}

/// DG15: the active authentication public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dg15 {
    /// RSA (ISO 9796-2 AA) or EC (ECDSA AA, algorithm in DG14).
    pub public_key: PublicKey,
    /// The SubjectPublicKeyInfo DER.
    pub spki: Vec<u8>,
    pub raw: Vec<u8>,
}

impl Dg15 {
    /// Parses DG15 (tag 6F around a SubjectPublicKeyInfo).
    pub fn parse(bytes: &[u8]) -> Result<Self, SecurityInfoError> {
        if bytes.len() > MAX_LEN {
            return Err(SecurityInfoError::TooLarge);
        }
        let dg = Tlv::parse_tagged(bytes, 0x6F)?;
        let (spki, _) = Tlv::parse(dg.value)?;
        Ok(Self {
            public_key: PublicKey::from_spki_der(spki.raw)?,
            spki: spki.raw.to_vec(),
            raw: dg.raw.to_vec(),
        })
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
    use crate::tlv::encode;

    fn oid(dotted: &str) -> Vec<u8> {
        let o = der::asn1::ObjectIdentifier::new(dotted).unwrap();
        encode(0x06, o.as_bytes()).unwrap()
    }

    fn int(v: u8) -> Vec<u8> {
        encode(0x02, &[v]).unwrap()
    }

    fn ec_spki(point: &[u8]) -> Vec<u8> {
        let alg = encode(
            0x30,
            &[oid("1.2.840.10045.2.1"), oid("1.2.840.10045.3.1.7")].concat(),
        )
        .unwrap();
        let mut bits = vec![0];
        bits.extend_from_slice(point);
        encode(0x30, &[alg, encode(0x03, &bits).unwrap()].concat()).unwrap()
    }

    pub(crate) fn dg14_sample() -> Vec<u8> {
        let mut point = vec![0x04];
        point.extend([0x11; 64]);
        let ca_info = encode(
            0x30,
            &[oid("0.4.0.127.0.7.2.2.3.2.2"), int(1), int(7)].concat(),
        )
        .unwrap();
        let pk_info = encode(
            0x30,
            &[oid("0.4.0.127.0.7.2.2.1.2"), ec_spki(&point), int(7)].concat(),
        )
        .unwrap();
        let aa_info = encode(
            0x30,
            &[
                oid("2.23.136.1.1.5"),
                int(1),
                oid("0.4.0.127.0.7.1.1.4.1.3"),
            ]
            .concat(),
        )
        .unwrap();
        let ta_info = encode(0x30, &[oid("0.4.0.127.0.7.2.2.2"), int(1)].concat()).unwrap();
        let set = encode(0x31, &[ca_info, pk_info, aa_info, ta_info].concat()).unwrap();
        encode(0x6E, &set).unwrap()
    }

    #[test]
    fn parses_dg14_chip_authentication_and_other_infos() {
        let dg14 = Dg14::parse(&dg14_sample()).unwrap();
        assert_eq!(
            dg14.infos[0],
            SecurityInfo::ChipAuthentication {
                key_agreement: KeyAgreement::Ecdh,
                cipher: CaCipher::Aes128,
                version: 1,
                key_id: Some(7)
            }
        );
        let keys: Vec<_> = dg14.chip_authentication_keys().collect();
        assert_eq!(keys.len(), 1);
        let (ChipPublicKey::Ec { curve, point }, Some(7)) = keys[0] else {
            panic!("{keys:?}")
        };
        assert_eq!(*curve, Curve::P256);
        assert_eq!(point.len(), 65);
        assert!(matches!(
            dg14.infos[2],
            SecurityInfo::ActiveAuthentication { version: 1, .. }
        ));
        assert_eq!(
            dg14.infos[3],
            SecurityInfo::TerminalAuthentication { version: 1 }
        );
    }

    #[test]
    fn parses_dh_chip_authentication_keys() {
        let params = encode(0x30, &[int(23), int(5)].concat()).unwrap();
        let alg = encode(0x30, &[oid("1.2.840.10046.2.1"), params.clone()].concat()).unwrap();
        let mut bits = vec![0];
        bits.extend(encode(0x02, &[0x00, 0x9A, 0xBC]).unwrap());
        let spki = encode(0x30, &[alg, encode(0x03, &bits).unwrap()].concat()).unwrap();
        assert_eq!(
            chip_public_key(&spki).unwrap(),
            ChipPublicKey::Dh {
                params,
                public: vec![0x9A, 0xBC]
            }
        );
    }

    #[test]
    fn parses_dg15_ec_key() {
        let mut point = vec![0x04];
        point.extend([0x22; 64]);
        let dg15 = encode(0x6F, &ec_spki(&point)).unwrap();
        let parsed = Dg15::parse(&dg15).unwrap();
        assert_eq!(
            parsed.public_key,
            PublicKey::Ec {
                curve: Curve::P256,
                point
            }
        );
    }

    #[test]
    fn truncated_dg14_and_dg15_give_typed_errors() {
        let dg14 = dg14_sample();
        for len in 0..dg14.len() {
            assert!(Dg14::parse(&dg14[..len]).is_err());
        }
        assert!(matches!(
            Dg15::parse(&[0x6F, 0x00]),
            Err(SecurityInfoError::Tlv(_))
        ));
    }
}
