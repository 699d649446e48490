//! PACE (Doc 9303 Part 11 §4.4) with the ECDH generic mapping, as a sans-IO state machine.
//!
//! 1. MSE:Set AT names the protocol, the password (MRZ or CAN) and the domain parameters.
//! 2. General Authenticate (chained, CLA 10) returns the nonce encrypted under
//!    `K_π = KDF(π, 3)`; the terminal decrypts it to `s`.
//! 3. Mapping: an ECDH exchange on the standard generator gives `H`; `G~ = s·G + H`.
//! 4. Key agreement on `G~` gives `K`; session keys `KDF(K, 1)`, `KDF(K, 2)`.
//! 5. Tokens: each side MACs the other's ephemeral public key; the chip's token proves it knew
//!    the password and the keys. A wrong password shows up as the chip refusing the terminal's
//!    token (status 63xx), which is reported as access denied.
//!
//! Secure messaging then starts with a zero send sequence counter. EF.CardAccess, read in the
//! clear before PACE, lists the PACEInfos; [`PaceParams::choose`] picks one this reader runs.

use crate::access::AccessKey;
use crate::apdu::{CommandApdu, ResponseApdu, StatusClass, StatusWord};
use crate::ca::session_from_secret;
use crate::crypto::{self, CryptoError};
use crate::ec::{EcDomain, EcError, EcKeyPair};
use crate::kdf::{self, KeyAlgorithm, SecretKey};
use crate::mrz::MrzError;
use crate::pa::asn1::{next, oid_of, small_uint};
use crate::security_info::{CaCipher, SecurityInfo, SecurityInfoError, parse_security_infos};
use crate::sm::{SecureMessaging, SmCipher, SmError};
use crate::tlv::{self, Tlv, TlvError};
use zeroize::Zeroizing;

/// EF.CardAccess larger than this is refused (real ones are a few hundred bytes).
pub const MAX_CARD_ACCESS_LEN: usize = 4096;

/// id-PACE-ECDH-GM (0.4.0.127.0.7.2.2.4.2) as a dotted prefix.
const ID_PACE_ECDH_GM: &str = "0.4.0.127.0.7.2.2.4.2.";
/// id-PACE-ECDH-IM (0.4.0.127.0.7.2.2.4.4) as a dotted prefix.
const ID_PACE_ECDH_IM: &str = "0.4.0.127.0.7.2.2.4.4.";

/// How the nonce is mapped to the generator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mapping {
    /// `G~ = s·G + H` with an ECDH exchange (`81`/`82` carry public keys).
    Generic,
    /// `G~ = f_G(R_p(s, t))` with the terminal's nonce `t` in `81` (AES-128 only).
    Integrated,
}

/// Why PACE failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaceError {
    /// Any refusal of the mutual authentication step (6300, 63Cx, 6982, 6988, ...).
    #[error("the chip rejected the password (wrong MRZ data or CAN?)")]
    AccessDenied { attempts_left: Option<u8> },
    #[error("the chip refused PACE with status {0}")]
    Refused(StatusWord),
    #[error("malformed General Authenticate response: {0}")]
    Malformed(#[from] TlvError),
    #[error("General Authenticate response lacks data object {0:#X}")]
    MissingObject(u32),
    #[error("the chip echoed the terminal's public key")]
    EchoedKey,
    #[error("the chip's authentication token does not verify")]
    TokenMismatch,
    #[error("key agreement: {0}")]
    Ec(#[from] EcError),
    #[error("cryptographic failure: {0}")]
    Crypto(#[from] CryptoError),
    #[error("password: {0}")]
    Password(#[from] MrzError),
    #[error("secure messaging: {0}")]
    Sm(#[from] SmError),
    #[error("PACE step called out of order")]
    OutOfOrder,
    #[error("integrated mapping: {0}")]
    Im(#[from] crate::im::ImError),
}

/// The PACE variant to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaceParams {
    pub domain: EcDomain,
    pub cipher: CaCipher,
    pub mapping: Mapping,
    /// DER content of the protocol OID.
    pub protocol: Vec<u8>,
    /// The standardized domain parameter id as EF.CardAccess gave it.
    pub parameter_id: Option<u64>,
}

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

    pub fn key_algorithm(&self) -> (SmCipher, KeyAlgorithm) {
        match self.cipher {
            CaCipher::Tdes => (SmCipher::Tdes, KeyAlgorithm::Tdes),
            CaCipher::Aes128 => (SmCipher::Aes, KeyAlgorithm::Aes128),
            CaCipher::Aes192 => (SmCipher::Aes, KeyAlgorithm::Aes192),
            CaCipher::Aes256 => (SmCipher::Aes, KeyAlgorithm::Aes256),
        }
    }

    /// The public key data object `7F49 { 06 OID, 86 point }` the tokens are computed over.
    pub fn public_key_object(&self, point: &[u8]) -> Result<Vec<u8>, TlvError> {
        let mut body = tlv::encode(0x06, &self.protocol)?;
        body.extend(tlv::encode(0x86, point)?);
        tlv::encode(0x7F49, &body)
    }

    /// The authentication token over the peer's ephemeral key: CMAC-8 (AES) or retail MAC.
    pub fn token(&self, ks_mac: &SecretKey, peer_point: &[u8]) -> Result<[u8; 8], PaceError> {
        let data = self.public_key_object(peer_point)?;
        Ok(match self.cipher {
            CaCipher::Tdes => crypto::retail_mac(ks_mac.as_bytes(), &crypto::pad(&data, 8))?,
            _ => crypto::aes_cmac8(ks_mac.as_bytes(), &data)?,
        })
    }

    /// `K_π = KDF(π, 3)`.
    pub fn password_key(&self, pi: &[u8]) -> SecretKey {
        kdf::derive(pi, kdf::COUNTER_PACE, self.key_algorithm().1)
    }

    /// Encrypts (card side) or decrypts (terminal side) the nonce with `K_π`, CBC, zero IV.
    pub fn nonce_cipher(
        &self,
        k_pi: &SecretKey,
        data: &[u8],
        encrypt: bool,
    ) -> Result<Zeroizing<Vec<u8>>, PaceError> {
        Ok(match (self.cipher, encrypt) {
            (CaCipher::Tdes, true) => {
                Zeroizing::new(crypto::tdes_cbc_encrypt(k_pi.as_bytes(), data)?)
            }
            (CaCipher::Tdes, false) => crypto::tdes_cbc_decrypt(k_pi.as_bytes(), data)?,
            (_, true) => Zeroizing::new(crypto::aes_cbc_encrypt(k_pi.as_bytes(), &[0; 16], data)?),
            (_, false) => crypto::aes_cbc_decrypt(k_pi.as_bytes(), &[0; 16], data)?,
        })
    }

    /// MSE:Set AT for PACE with the password reference (1 MRZ, 2 CAN).
    pub fn set_at(&self, password_reference: u8) -> Result<CommandApdu, TlvError> {
        let mut data = tlv::encode(0x80, &self.protocol)?;
        data.extend(tlv::encode(0x83, &[password_reference])?);
        if let Some(id) = self.parameter_id.and_then(|i| u8::try_from(i).ok()) {
            data.extend(tlv::encode(0x84, &[id])?);
        }
        Ok(CommandApdu::new(0x00, 0x22, 0xC1, 0xA4).with_data(data))
    }
}

/// Dynamic authentication data `7C { tag value }` of one General Authenticate.
pub fn general_authenticate(last: bool, tag: u32, value: &[u8]) -> Result<CommandApdu, TlvError> {
    let inner = if value.is_empty() && tag == 0 {
        Vec::new()
    } else {
        tlv::encode(tag, value)?
    };
    Ok(
        CommandApdu::new(if last { 0x00 } else { 0x10 }, 0x86, 0x00, 0x00)
            .with_data(tlv::encode(0x7C, &inner)?)
            .with_ne(256),
    )
}

/// The value of data object `tag` inside a `7C` dynamic authentication data response.
pub fn ga_object(data: &[u8], tag: u32) -> Result<Vec<u8>, PaceError> {
    let outer = Tlv::parse_tagged(data, 0x7C)?;
    let found = outer.find(tag)?.ok_or(PaceError::MissingObject(tag))?;
    Ok(found.value.to_vec())
}

#[derive(Debug)]
enum Step {
    SetAt,
    AwaitSetAt,
    Nonce,
    AwaitNonce,
    Map(Zeroizing<Vec<u8>>),
    AwaitMap(Zeroizing<Vec<u8>>, EcKeyPair),
    AwaitMapIntegrated(Zeroizing<Vec<u8>>, Vec<u8>),
    Agree(Vec<u8>),
    AwaitAgree(EcKeyPair),
    Token(Keys),
    AwaitToken(Keys),
    Done,
}

/// Session secrets kept between the key agreement and the tokens, with both ephemeral
/// public keys as they crossed the link (each token covers the other side's).
struct Keys {
    k: Zeroizing<Vec<u8>>,
    ks_mac: SecretKey,
    chip: Vec<u8>,
    own: Vec<u8>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(<redacted>)")
    }
}

/// The terminal side of one PACE run.
#[derive(Debug)]
pub struct Pace {
    params: PaceParams,
    k_pi: SecretKey,
    password_reference: u8,
    step: Step,
}

fn ok_or_refused(resp: &ResponseApdu, last: bool) -> Result<(), PaceError> {
    match resp.sw.classify() {
        StatusClass::Success => Ok(()),
        // The tokens prove the password: refusing them means it is wrong, whatever the status.
        _ if last => Err(PaceError::AccessDenied {
            attempts_left: resp.sw.attempts_left(),
        }),
        _ => Err(PaceError::Refused(resp.sw)),
    }
}

impl Pace {
    pub fn new(params: PaceParams, key: &AccessKey) -> Result<Self, PaceError> {
        let pi = key.pace_password()?;
        Ok(Self {
            k_pi: params.password_key(&pi),
            params,
            password_reference: key.password_reference(),
            step: Step::SetAt,
        })
    }

    pub fn params(&self) -> &PaceParams {
        &self.params
    }

    /// The next plain command; `random` supplies the mapping and ephemeral private keys.
    pub fn next_command(
        &mut self,
        random: &mut dyn FnMut(&mut [u8]),
    ) -> Result<CommandApdu, PaceError> {
        let domain = self.params.domain;
        let (cmd, next) = match std::mem::replace(&mut self.step, Step::Done) {
            Step::SetAt => (
                self.params.set_at(self.password_reference)?,
                Step::AwaitSetAt,
            ),
            Step::Nonce => (general_authenticate(false, 0, &[])?, Step::AwaitNonce),
            Step::Map(s) if self.params.mapping == Mapping::Integrated => {
                let mut t = vec![0u8; 16];
                random(&mut t);
                (
                    general_authenticate(false, 0x81, &t)?,
                    Step::AwaitMapIntegrated(s, t),
                )
            }
            Step::Map(s) => {
                let map = domain.key_pair(None, random)?;
                (
                    general_authenticate(false, 0x81, &map.public)?,
                    Step::AwaitMap(s, map),
                )
            }
            Step::Agree(g) => {
                let eph = domain.key_pair(Some(&g), random)?;
                (
                    general_authenticate(false, 0x83, &eph.public)?,
                    Step::AwaitAgree(eph),
                )
            }
            Step::Token(keys) => (
                general_authenticate(true, 0x85, &keys_token(&self.params, &keys)?)?,
                Step::AwaitToken(keys),
            ),
            other => {
                self.step = other;
                return Err(PaceError::OutOfOrder);
            }
        };
        self.step = next;
        Ok(cmd)
    }

    /// Takes the chip's answer; returns the new secure messaging session after the last step.
    pub fn handle_response(
        &mut self,
        resp: &ResponseApdu,
    ) -> Result<Option<SecureMessaging>, PaceError> {
        let domain = self.params.domain;
        let step = std::mem::replace(&mut self.step, Step::Done);
        let last = matches!(step, Step::AwaitToken(_));
        ok_or_refused(resp, last)?;
        self.step = match step {
            Step::AwaitSetAt => Step::Nonce,
            Step::AwaitNonce => {
                let z = ga_object(&resp.data, 0x80)?;
                Step::Map(self.params.nonce_cipher(&self.k_pi, &z, false)?)
            }
            Step::AwaitMap(s, map) => {
                let chip = ga_object(&resp.data, 0x82)?;
                if crypto::ct_eq(&chip, &map.public) {
                    return Err(PaceError::EchoedKey);
                }
                let h = crate::ec::shared_point(domain, &map.secret, &chip)?;
                Step::Agree(domain.map_generic(&s, &h)?)
            }
            Step::AwaitMapIntegrated(s, t) => {
                // The chip answers with empty mapping data; only the template is checked.
                Tlv::parse_tagged(&resp.data, 0x7C)?;
                Step::Agree(crate::im::map(domain, &s, &t)?)
            }
            Step::AwaitAgree(eph) => {
                let chip = ga_object(&resp.data, 0x84)?;
                if crypto::ct_eq(&chip, &eph.public) {
                    return Err(PaceError::EchoedKey);
                }
                let k = domain.shared_x(&eph.secret, &chip)?;
                let (_, alg) = self.params.key_algorithm();
                Step::Token(Keys {
                    ks_mac: kdf::derive(&k, kdf::COUNTER_MAC, alg),
                    k,
                    chip,
                    own: eph.public,
                })
            }
            Step::AwaitToken(keys) => {
                let token = ga_object(&resp.data, 0x86)?;
                let expected = self.params.token(&keys.ks_mac, &keys.own)?;
                if !crypto::ct_eq(&expected, &token) {
                    return Err(PaceError::TokenMismatch);
                }
                let (cipher, alg) = self.params.key_algorithm();
                return Ok(Some(session_from_secret(&keys.k, cipher, alg)?));
            }
            other => {
                self.step = other;
                return Err(PaceError::OutOfOrder);
            }
        };
        Ok(None)
    }
}

fn keys_token(params: &PaceParams, keys: &Keys) -> Result<[u8; 8], PaceError> {
    params.token(&keys.ks_mac, &keys.chip)
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
    use crate::mrz::MrzKey;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s.replace(' ', "")).unwrap()
    }

    fn ok(data: &str) -> ResponseApdu {
        ResponseApdu::new(h(data), StatusWord::SUCCESS)
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
    fn doc_9303_appendix_g1_pace_ecdh_generic_mapping_worked_example() {
        let params = PaceParams::choose(&parse_card_access(&h(CARD_ACCESS)).unwrap()).unwrap();
        let key = AccessKey::Mrz(MrzKey::new("T22000129", "640812", "101031").unwrap());
        let mut pace = Pace::new(params.clone(), &key).unwrap();
        assert_eq!(
            pace.k_pi.as_bytes(),
            h("89DED1B2 6624EC1E 634C1989 302849DD")
        );

        // The terminal's private keys of the example, handed out by the "random source".
        let mut keys = vec![
            h("A73FB703 AC1436A1 8E0CFA5A BB3F7BEC 7A070E7A 6788486B EE230C4A 22762595"),
            h("7F4EF07B 9EA82FD7 8AD689B3 8D0BC78C F21F249D 953BC46F 4C6E1925 9C010F99"),
        ];
        let mut random = |b: &mut [u8]| b.copy_from_slice(&keys.pop().unwrap());

        let set_at = pace.next_command(&mut random).unwrap();
        assert_eq!(
            set_at.to_bytes().unwrap(),
            h("0022C1A4 12 800A04007F00070202040202 830101 84010D")
        );
        assert!(pace.handle_response(&ok("")).unwrap().is_none());

        let nonce = pace.next_command(&mut random).unwrap();
        assert_eq!(nonce.to_bytes().unwrap(), h("10860000 02 7C00 00"));
        pace.handle_response(&ok("7C12 8010 95A3A016522EE98D01E76CB6B98B42C3"))
            .unwrap();
        let Step::Map(s) = &pace.step else { panic!() };
        assert_eq!(s.as_slice(), h("3F00C4D3 9D153F2B 2A214A07 8D899B22"));

        let map = pace.next_command(&mut random).unwrap();
        assert_eq!(
            map.data,
            h(
                "7c43 8141 04 7ACF3EFC982EC45565A4B155129EFBC74650DCBFA6362D896FC70262E0C2CC5E544552DCB6725218799115B55C9BAA6D9F6BC3A9618E70C25AF71777A9C4922D"
            )
        );
        pace.handle_response(&ok("7C43 8241 04 824FBA91 C9CBE26B EF53A0EB E7342A3B F178CEA9 F45DE0B7 0AA60165 1FBA3F57 30D8C879 AAA9C9F7 3991E61B 58F4D52E B87A0A0C 709A49DC 63719363 CCD13C54"))
            .unwrap();
        let Step::Agree(g) = &pace.step else { panic!() };
        assert_eq!(
            *g,
            h(
                "04 8CED63C9 1426D4F0 EB1435E7 CB1D74A4 6723A0AF 21C89634 F65A9AE8 7A9265E2 8C879506 743F8611 AC33645C 5B985C80 B5F09A0B 83407C1B 6A4D857A E76FE522"
            )
        );

        let agree = pace.next_command(&mut random).unwrap();
        assert_eq!(
            agree.data,
            h(
                "7C43 8341 04 2DB7A64C0355044EC9DF190514C625CBA2CEA487548871 22F3A5EF0D5EDD301C3556F3B3B186DF10B857B58F6A7EB80F20BA5DC7BE1D43D9BF850149FBB36462"
            )
        );
        pace.handle_response(&ok("7C43 8441 04 9E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F094"))
            .unwrap();
        let Step::Token(k) = &pace.step else { panic!() };
        assert_eq!(
            k.k.as_slice(),
            h("28768D20 701247DA E81804C9 E780EDE5 82A9996D B4A31502 0B273319 7DB84925")
        );
        assert_eq!(
            k.ks_mac.as_bytes(),
            h("FE251C78 58B356B2 4514B3BD 5F4297D1")
        );
        assert_eq!(
            kdf::derive(&k.k, 1, KeyAlgorithm::Aes128).as_bytes(),
            h("F5F0E35C 0D7161EE 6724EE51 3A0D9A7F")
        );

        let token = pace.next_command(&mut random).unwrap();
        assert_eq!(token.cla, 0x00);
        assert_eq!(token.data, h("7C0A 8508 C2B0BD78D94BA866"));
        let sm = pace
            .handle_response(&ok("7C0A86083ABB9674BCE93C08"))
            .unwrap()
            .unwrap();
        assert_eq!((sm.cipher(), sm.ssc()), (SmCipher::Aes, &[0u8; 16][..]));
    }

    #[test]
    fn doc_9303_appendix_h1_pace_ecdh_integrated_mapping_worked_example() {
        // id-PACE-ECDH-IM-AES-CBC-CMAC-128 on brainpoolP256r1.
        let card_access = h("3114 3012 060A 04007F00070202040402 020102 02010D");
        let params = PaceParams::choose(&parse_card_access(&card_access).unwrap()).unwrap();
        assert_eq!(params.mapping, Mapping::Integrated);
        // The example gives K_π directly.
        let mut pace = Pace {
            params: params.clone(),
            k_pi: SecretKey::new(h("591468CD A83D6521 9CCCB856 0233600F")),
            password_reference: 2,
            step: Step::SetAt,
        };
        let mut keys = vec![
            h("A73FB703 AC1436A1 8E0CFA5A BB3F7BEC 7A070E7A 6788486B EE230C4A 22762595"),
            h("5DD4CBFC 96F5453B 130D890A 1CDBAE32"),
        ];
        let mut random = |b: &mut [u8]| b.copy_from_slice(&keys.pop().unwrap());
        pace.next_command(&mut random).unwrap();
        pace.handle_response(&ok("")).unwrap();
        pace.next_command(&mut random).unwrap();
        pace.handle_response(&ok("7C12 8010 143DC40C08C8E891FBED7DEDB92B64AD"))
            .unwrap();
        let Step::Map(s) = &pace.step else { panic!() };
        assert_eq!(s.as_slice(), h("2923BE84 E16CD6AE 529049F1 F1BBE9EB"));
        let map = pace.next_command(&mut random).unwrap();
        assert_eq!(map.data, h("7C12 8110 5DD4CBFC96F5453B130D890A1CDBAE32"));
        pace.handle_response(&ok("7C00")).unwrap();
        let agree = pace.next_command(&mut random).unwrap();
        assert_eq!(
            agree.data,
            h(
                "7C43 8341 04 89CBA23F FE96AA18 D824627C 3E934E54 A9FD0B87 A95D1471 DC1C0ABF DCD640D4 6755DE9B 7B778280 B6BEBD57 439ADFEB 0E21FD4E D6DF4257 8C13418A 59B34C37"
            )
        );
        pace.handle_response(&ok("7C43 8441 04 67F78E5F 7F768608 2B293E8D 087E0569 16D0F74B C01A5F89 57D0DE45 691E51E8 932B69A9 62B52A09 85AD2C0A 271EE6A1 3A8ADDDC D1A3A994 B9DED257 F4D22753"))
            .unwrap();
        let Step::Token(k) = &pace.step else { panic!() };
        assert_eq!(
            k.k.as_slice(),
            h("4F150FDE 1D4F0E38 E95017B8 91BAE171 33A0DF45 B0D3E18B 60BA7BEA FDC2C713")
        );
        assert_eq!(
            k.ks_mac.as_bytes(),
            h("B01E89E3 D9E8719E 586B50B4 A7506E0B")
        );
        assert_eq!(
            kdf::derive(&k.k, 1, KeyAlgorithm::Aes128).as_bytes(),
            h("0D3FEB33 251A6370 893D62AE 8DAAF51B")
        );
        let token = pace.next_command(&mut random).unwrap();
        assert_eq!(token.data, h("7C0A 8508 450F02B86F6A0909"));
        assert!(
            pace.handle_response(&ok("7C0A 8608 75D4D96E8D5B0308"))
                .unwrap()
                .is_some()
        );
    }

    #[test]
    fn a_forged_chip_token_and_a_refused_terminal_token_are_told_apart() {
        let params = PaceParams::choose(&parse_card_access(&h(CARD_ACCESS)).unwrap()).unwrap();
        let keys = Keys {
            k: Zeroizing::new(vec![1; 32]),
            ks_mac: SecretKey::new(vec![2; 16]),
            chip: vec![4; 65],
            own: vec![5; 65],
        };
        let key = AccessKey::Mrz(MrzKey::new("T22000129", "640812", "101031").unwrap());
        let mut pace = Pace::new(params.clone(), &key).unwrap();
        pace.step = Step::AwaitToken(keys);
        assert_eq!(
            pace.handle_response(&ok("7C0A86080000000000000000")).err(),
            Some(PaceError::TokenMismatch)
        );
        let mut pace = Pace::new(params, &key).unwrap();
        pace.step = Step::AwaitToken(Keys {
            k: Zeroizing::new(vec![1; 32]),
            ks_mac: SecretKey::new(vec![2; 16]),
            chip: vec![4; 65],
            own: vec![5; 65],
        });
        assert_eq!(
            pace.handle_response(&ResponseApdu::new(Vec::new(), StatusWord(0x6300)))
                .err(),
            Some(PaceError::AccessDenied {
                attempts_left: None
            })
        );
    }

    #[test]
    fn card_access_without_a_supported_pace_info_falls_back() {
        // id-PACE-DH-GM-AES-128 with parameter 0: not run by this reader.
        let dh = h("3112 3010 060A 04007F00070202040102 020102 020100");
        assert_eq!(PaceParams::choose(&parse_card_access(&dh).unwrap()), None);
        assert!(parse_card_access(&h("3003020101")).is_err());
    }
}
