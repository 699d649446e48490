//! Basic Access Control (Doc 9303 Part 11 §4.3) as a sans-IO state machine.
//!
//! The caller sends the commands this produces and feeds back the responses; the nonces
//! RND.IFD and K.IFD come from the caller's CSPRNG so the engine stays deterministic and
//! testable against the Doc's worked example.

use crate::apdu::{CommandApdu, ResponseApdu, StatusClass, StatusWord};
use crate::crypto::{self, CryptoError};
use crate::kdf::{KeyAlgorithm, KeyPair, SecretKey};
use crate::mrz::{MrzError, MrzKey};
use crate::sm::{SecureMessaging, SmCipher, SmError};
use zeroize::Zeroizing;

/// Why BAC failed. The session cannot be continued after any of these.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BacError {
    #[error("BAC step called out of order")]
    WrongState,
    #[error("MRZ key input is invalid: {0}")]
    Mrz(#[from] MrzError),
    #[error("the card refused with status {0}")]
    Card(StatusWord),
    /// Any refusal of MUTUAL AUTHENTICATE (6300, 63Cx, 6982, 6988, ...): a well-formed
    /// cryptogram is only refused for a wrong key.
    #[error("the card rejected the access key (wrong document number or dates?)")]
    AccessDenied { attempts_left: Option<u8> },
    #[error("GET CHALLENGE did not return 8 bytes")]
    BadChallenge,
    #[error("MUTUAL AUTHENTICATE response has the wrong length")]
    BadResponseLength,
    #[error("the card's authentication cryptogram MAC does not verify")]
    MacMismatch,
    #[error("the card's cryptogram does not echo our nonces")]
    NonceMismatch,
    #[error("cryptographic failure: {0}")]
    Crypto(#[from] CryptoError),
    #[error("secure messaging setup failed: {0}")]
    Sm(#[from] SmError),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Start,
    AwaitChallenge,
    AwaitAuthentication,
    Done,
    Failed,
}

/// Session keys and initial send sequence counter established by BAC.
#[derive(Debug)]
pub struct BacSession {
    pub keys: KeyPair,
    pub ssc: [u8; 8],
}

impl BacSession {
    /// The 3DES secure messaging session these keys start.
    pub fn into_secure_messaging(self) -> Result<SecureMessaging, SmError> {
        let BacSession { keys, ssc } = self;
        let KeyPair { enc, mac } = keys;
        SecureMessaging::new(SmCipher::Tdes, enc, mac, &ssc)
    }
}

/// The terminal side of BAC: GET CHALLENGE, then MUTUAL AUTHENTICATE.
#[derive(Debug)]
pub struct Bac {
    state: State,
    keys: KeyPair,
    rnd_ifd: [u8; 8],
    k_ifd: SecretKey,
    rnd_ic: [u8; 8],
}

impl Bac {
    /// Prepares BAC with the document's MRZ key and fresh random RND.IFD (8 bytes) and K.IFD
    /// (16 bytes) from the platform CSPRNG.
    pub fn new(key: &MrzKey, rnd_ifd: [u8; 8], k_ifd: [u8; 16]) -> Result<Self, BacError> {
        let k_ifd = Zeroizing::new(k_ifd);
        Ok(Self {
            state: State::Start,
            keys: key.bac_keys()?,
            rnd_ifd,
            k_ifd: SecretKey::from_slice(&*k_ifd),
            rnd_ic: [0; 8],
        })
    }

    /// Step 1: GET CHALLENGE (`00 84 00 00 08`).
    pub fn get_challenge(&mut self) -> Result<CommandApdu, BacError> {
        if self.state != State::Start {
            return Err(BacError::WrongState);
        }
        self.state = State::AwaitChallenge;
        Ok(CommandApdu::new(0x00, 0x84, 0x00, 0x00).with_ne(8))
    }

    /// Step 2: takes the challenge and returns MUTUAL AUTHENTICATE with E.IFD || M.IFD.
    pub fn mutual_authenticate(
        &mut self,
        challenge: &ResponseApdu,
    ) -> Result<CommandApdu, BacError> {
        if self.state != State::AwaitChallenge {
            return Err(BacError::WrongState);
        }
        let r = self.mutual_authenticate_inner(challenge);
        self.state = if r.is_ok() {
            State::AwaitAuthentication
        } else {
            State::Failed
        };
        r
    }

    fn mutual_authenticate_inner(
        &mut self,
        challenge: &ResponseApdu,
    ) -> Result<CommandApdu, BacError> {
        if challenge.sw.classify() != StatusClass::Success {
            return Err(BacError::Card(challenge.sw));
        }
        self.rnd_ic = challenge
            .data
            .as_slice()
            .try_into()
            .map_err(|_| BacError::BadChallenge)?;
        let mut s = Zeroizing::new(Vec::with_capacity(32));
        s.extend_from_slice(&self.rnd_ifd);
        s.extend_from_slice(&self.rnd_ic);
        s.extend_from_slice(self.k_ifd.as_bytes());
        let e_ifd = crypto::tdes_cbc_encrypt(self.keys.enc.as_bytes(), &s)?;
        let m_ifd = crypto::retail_mac(self.keys.mac.as_bytes(), &crypto::pad(&e_ifd, 8))?;
        let mut data = e_ifd;
        data.extend_from_slice(&m_ifd);
        Ok(CommandApdu::new(0x00, 0x82, 0x00, 0x00)
            .with_data(data)
            .with_ne(40))
    }

    /// Step 3: verifies the card's cryptogram and derives the session keys and SSC.
    pub fn finish(&mut self, response: &ResponseApdu) -> Result<BacSession, BacError> {
        if self.state != State::AwaitAuthentication {
            return Err(BacError::WrongState);
        }
        let r = self.finish_inner(response);
        self.state = if r.is_ok() {
            State::Done
        } else {
            State::Failed
        };
        r
    }

    fn finish_inner(&self, response: &ResponseApdu) -> Result<BacSession, BacError> {
        match response.sw.classify() {
            StatusClass::Success => {}
            // 6300, 63Cx, 6982, 6988 or another error: the MRZ key is wrong.
            _ => {
                return Err(BacError::AccessDenied {
                    attempts_left: response.sw.attempts_left(),
                });
            }
        }
        let (e_ic, m_ic) = match response.data.len() {
            40 => response.data.split_at(32),
            _ => return Err(BacError::BadResponseLength),
        };
        let mac_ok =
            crypto::retail_mac_verify(self.keys.mac.as_bytes(), &crypto::pad(e_ic, 8), m_ic)?;
        if !mac_ok {
            return Err(BacError::MacMismatch);
        }
        let r = crypto::tdes_cbc_decrypt(self.keys.enc.as_bytes(), e_ic)?;
        let (rnd_ic, rest) = r.split_at_checked(8).ok_or(BacError::BadResponseLength)?;
        let (rnd_ifd, k_ic) = rest
            .split_at_checked(8)
            .ok_or(BacError::BadResponseLength)?;
        if !crypto::ct_eq(rnd_ic, &self.rnd_ic) || !crypto::ct_eq(rnd_ifd, &self.rnd_ifd) {
            return Err(BacError::NonceMismatch);
        }
        let seed: Zeroizing<Vec<u8>> = Zeroizing::new(
            self.k_ifd
                .as_bytes()
                .iter()
                .zip(k_ic)
                .map(|(a, b)| a ^ b)
                .collect(),
        );
        let keys = KeyPair::derive(&seed, KeyAlgorithm::Tdes);
        let mut ssc = [0u8; 8];
        for (dst, src) in ssc.iter_mut().zip(
            self.rnd_ic
                .iter()
                .skip(4)
                .chain(self.rnd_ifd.iter().skip(4)),
        ) {
            *dst = *src;
        }
        Ok(BacSession { keys, ssc })
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
        hex::decode(s).unwrap()
    }

    fn doc_bac() -> Bac {
        let key = MrzKey::new("L898902C", "690806", "940623").unwrap();
        Bac::new(
            &key,
            h("781723860C06C226").try_into().unwrap(),
            h("0B795240CB7049B01C19B33E32804F0B").try_into().unwrap(),
        )
        .unwrap()
    }

    fn challenge() -> ResponseApdu {
        ResponseApdu::parse(&h("4608F919887022129000")).unwrap()
    }

    const DOC_RESP: &str =
        "46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F2F2D235D074D7449";

    #[test]
    fn doc_9303_appendix_d3_mutual_authentication() {
        let mut bac = doc_bac();
        assert_eq!(
            bac.get_challenge().unwrap().to_bytes().unwrap(),
            h("0084000008")
        );
        let cmd = bac.mutual_authenticate(&challenge()).unwrap();
        assert_eq!(
            cmd.data,
            h("72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F25F1448EEA8AD90A7")
        );
        assert_eq!(
            cmd.to_bytes().unwrap(),
            h(
                "008200002872C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F25F1448EEA8AD90A728"
            )
        );
        let session = bac
            .finish(&ResponseApdu::parse(&h(&format!("{DOC_RESP}9000"))).unwrap())
            .unwrap();
        assert_eq!(
            session.keys.enc.as_bytes(),
            h("979EC13B1CBFE9DCD01AB0FED307EAE5")
        );
        assert_eq!(
            session.keys.mac.as_bytes(),
            h("F1CB1F1FB5ADF208806B89DC579DC1F8")
        );
        assert_eq!(session.ssc.to_vec(), h("887022120C06C226"));
        let sm = session.into_secure_messaging().unwrap();
        assert_eq!(sm.ssc(), h("887022120C06C226"));
    }

    #[test]
    fn a_forged_card_cryptogram_is_rejected() {
        let mut bac = doc_bac();
        bac.get_challenge().unwrap();
        bac.mutual_authenticate(&challenge()).unwrap();
        let mut forged = h(DOC_RESP);
        forged[0] ^= 1;
        forged.extend_from_slice(&[0x90, 0x00]);
        assert_eq!(
            bac.finish(&ResponseApdu::parse(&forged).unwrap())
                .unwrap_err(),
            BacError::MacMismatch
        );
        assert_eq!(bac.finish(&challenge()).unwrap_err(), BacError::WrongState);
    }

    #[test]
    fn a_wrong_mrz_key_surfaces_as_access_denied() {
        let mut bac = doc_bac();
        bac.get_challenge().unwrap();
        bac.mutual_authenticate(&challenge()).unwrap();
        let refused = ResponseApdu::new(Vec::new(), StatusWord(0x6300));
        assert_eq!(
            bac.finish(&refused).unwrap_err(),
            BacError::AccessDenied {
                attempts_left: None
            }
        );
    }

    #[test]
    fn steps_out_of_order_and_bad_challenges_are_errors() {
        let mut bac = doc_bac();
        assert_eq!(
            bac.mutual_authenticate(&challenge()).unwrap_err(),
            BacError::WrongState
        );
        bac.get_challenge().unwrap();
        assert_eq!(bac.get_challenge().unwrap_err(), BacError::WrongState);
        let short = ResponseApdu::parse(&h("4608F9199000")).unwrap();
        assert_eq!(
            bac.mutual_authenticate(&short).unwrap_err(),
            BacError::BadChallenge
        );
    }

    #[test]
    fn a_replayed_cryptogram_for_other_nonces_fails() {
        let key = MrzKey::new("L898902C", "690806", "940623").unwrap();
        let mut bac = Bac::new(
            &key,
            [1; 8],
            h("0B795240CB7049B01C19B33E32804F0B").try_into().unwrap(),
        )
        .unwrap();
        bac.get_challenge().unwrap();
        bac.mutual_authenticate(&challenge()).unwrap();
        let resp = ResponseApdu::parse(&h(&format!("{DOC_RESP}9000"))).unwrap();
        assert_eq!(bac.finish(&resp).unwrap_err(), BacError::NonceMismatch);
    }
}
