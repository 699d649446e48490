//! The terminal side of one PACE run as a sans-IO state machine: each step yields the next
//! command and consumes the chip's answer, from MSE:Set AT to the tokens, and the run ends in
//! a secure messaging session.

use super::PaceError;
use super::general_authenticate::{ga_object, general_authenticate};
use super::params::{Mapping, PaceParams};
use crate::access::AccessKey;
use crate::apdu::{CommandApdu, ResponseApdu, StatusClass};
use crate::ca::session_from_secret;
use crate::crypto;
use crate::ec::EcKeyPair;
use crate::kdf::{self, SecretKey};
use crate::sm::SecureMessaging;
use crate::tlv::Tlv;
use zeroize::Zeroizing;

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
    use crate::apdu::StatusWord;
    use crate::kdf::KeyAlgorithm;
    use crate::mrz::MrzKey;
    use crate::pace::parse_card_access;
    use crate::sm::SmCipher;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s.replace(' ', "")).unwrap()
    }

    fn ok(data: &str) -> ResponseApdu {
        ResponseApdu::new(h(data), StatusWord::SUCCESS)
    }

    /// EF.CardAccess of Doc 9303 Part 11 Appendix G.1.
    const CARD_ACCESS: &str = "3114 3012 060A 04007F00070202040202 020102 02010D";

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
}
