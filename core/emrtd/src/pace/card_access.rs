//! EF.CardAccess, read in the clear before PACE: its PACEInfos, and the choice of the first
//! variant this reader runs (ECDH generic mapping on a standard curve, or integrated mapping
//! with AES-128).

use super::params::{Mapping, PaceParams};
use crate::ec::EcDomain;
use crate::pa::asn1::{next, oid_of, small_uint};
use crate::security_info::{CaCipher, SecurityInfo, SecurityInfoError, parse_security_infos};
use crate::tlv::Tlv;

/// EF.CardAccess larger than this is refused (real ones are a few hundred bytes).
pub const MAX_CARD_ACCESS_LEN: usize = 4096;

/// id-PACE-ECDH-GM (0.4.0.127.0.7.2.2.4.2) as a dotted prefix.
const ID_PACE_ECDH_GM: &str = "0.4.0.127.0.7.2.2.4.2.";
/// id-PACE-ECDH-IM (0.4.0.127.0.7.2.2.4.4) as a dotted prefix.
const ID_PACE_ECDH_IM: &str = "0.4.0.127.0.7.2.2.4.4.";

/// One PACEInfo of EF.CardAccess.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaceInfo {
    pub protocol: String,
    pub version: u64,
    pub parameter_id: Option<u64>,
}

impl PaceInfo {
    /// Parses the SecurityInfo SEQUENCE { protocol, version, parameterId OPTIONAL }.
    pub fn parse(raw: &[u8]) -> Result<Self, SecurityInfoError> {
        let seq = Tlv::parse_exact(raw)?;
        let mut it = seq.children();
        let protocol = oid_of(&next(&mut it, "protocol")?)?.to_string();
        let version = small_uint(&next(&mut it, "version")?)?;
        let parameter_id = match it.next() {
            Some(t) => Some(small_uint(&t?)?),
            None => None,
        };
        Ok(Self {
            protocol,
            version,
            parameter_id,
        })
    }
}

/// Parses EF.CardAccess: a bare SET OF SecurityInfo.
pub fn parse_card_access(bytes: &[u8]) -> Result<Vec<SecurityInfo>, SecurityInfoError> {
    if bytes.len() > MAX_CARD_ACCESS_LEN {
        return Err(SecurityInfoError::TooLarge);
    }
    parse_security_infos(&Tlv::parse_tagged(bytes, 0x31)?)
}

impl PaceParams {
    /// The first PACEInfo (version 2, ECDH generic mapping, a supported curve and cipher) of
    /// EF.CardAccess, or `None` when the card offers nothing this reader runs (then BAC).
    pub fn choose(infos: &[SecurityInfo]) -> Option<Self> {
        infos.iter().find_map(|i| {
            let SecurityInfo::Pace { raw, .. } = i else {
                return None;
            };
            let info = PaceInfo::parse(raw).ok()?;
            let (mapping, cipher) = match info.protocol.strip_prefix(ID_PACE_ECDH_GM) {
                Some("1") => (Mapping::Generic, CaCipher::Tdes),
                Some("2") => (Mapping::Generic, CaCipher::Aes128),
                Some("3") => (Mapping::Generic, CaCipher::Aes192),
                Some("4") => (Mapping::Generic, CaCipher::Aes256),
                // The pseudo-random function is implemented for 128-bit blocks and keys.
                _ if info.protocol.strip_prefix(ID_PACE_ECDH_IM) == Some("2") => {
                    (Mapping::Integrated, CaCipher::Aes128)
                }
                _ => return None,
            };
            let domain = EcDomain::from_standard_id(info.parameter_id?)?;
            if info.version != 2 {
                return None;
            }
            let protocol = der::asn1::ObjectIdentifier::new(&info.protocol)
                .ok()?
                .as_bytes()
                .to_vec();
            Some(Self {
                domain,
                cipher,
                mapping,
                protocol,
                parameter_id: info.parameter_id,
            })
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

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s.replace(' ', "")).unwrap()
    }

    /// EF.CardAccess of Doc 9303 Part 11 Appendix G.1.
    const CARD_ACCESS: &str = "3114 3012 060A 04007F00070202040202 020102 02010D";

    #[test]
    fn doc_9303_appendix_g1_card_access_selects_ecdh_gm_aes128_on_brainpool_p256r1() {
        let infos = parse_card_access(&h(CARD_ACCESS)).unwrap();
        let params = PaceParams::choose(&infos).unwrap();
        assert_eq!(params.domain, EcDomain::BrainpoolP256r1);
        assert_eq!(params.cipher, CaCipher::Aes128);
        assert_eq!(params.parameter_id, Some(13));
        assert_eq!(params.protocol, h("04007F00070202040202"));
    }

    #[test]
    fn card_access_without_a_supported_pace_info_falls_back() {
        // id-PACE-DH-GM-AES-128 with parameter 0: not run by this reader.
        let dh = h("3112 3010 060A 04007F00070202040102 020102 020100");
        assert_eq!(PaceParams::choose(&parse_card_access(&dh).unwrap()), None);
        assert!(parse_card_access(&h("3003020101")).is_err());
    }
}
