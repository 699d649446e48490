//! The terminal (reader) side of secure messaging: protecting commands, checking and
//! decrypting responses, and closing the session on the first failure. Which bare status
//! words a card may answer without protection is decided here too.

use super::SmError;
use super::cipher::{Keys, SmCipher};
use super::data_objects::{decrypt_data_object, encrypted_data_object, le_bytes};
use crate::apdu::{CommandApdu, ResponseApdu, StatusWord};
use crate::crypto;
use crate::kdf::SecretKey;
use crate::tlv::{self, TlvError, TlvIter};

/// The terminal (reader) side of a secure messaging session.
#[derive(Debug)]
pub struct SecureMessaging {
    keys: Keys,
    closed: bool,
    last_bare: bool,
}

/// Whether a status word may come back bare (no DO'99', no DO'8E') under secure messaging:
/// errors and warnings that carry no data, as cards answer a missing file (6A82), a read at
/// the end (6282, 6B00) or a wrong length (6700, 6Cxx) without protecting the answer. Success
/// and "more data" never qualify (they would let an attacker vouch for data), nor the card's
/// own secure messaging errors (6987, 6988: the card has ended the session).
pub fn bare_status_acceptable(sw: StatusWord) -> bool {
    matches!(sw.sw1(), 0x62..=0x6F) && !matches!(sw.0, 0x6987 | 0x6988)
}

impl SecureMessaging {
    /// A session with the given session keys and initial SSC (from BAC, PACE or CA).
    pub fn new(
        cipher: SmCipher,
        ks_enc: SecretKey,
        ks_mac: SecretKey,
        ssc: &[u8],
    ) -> Result<Self, SmError> {
        Ok(Self {
            keys: Keys::new(cipher, ks_enc, ks_mac, ssc)?,
            closed: false,
            last_bare: false,
        })
    }

    pub fn cipher(&self) -> SmCipher {
        self.keys.cipher
    }

    /// The current send sequence counter.
    pub fn ssc(&self) -> &[u8] {
        &self.keys.ssc
    }

    /// True when the last answer was a bare status word (no MAC): it proves nothing about the
    /// session keys.
    pub fn last_answer_bare(&self) -> bool {
        self.last_bare
    }

    /// True after a failure ended the session.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Ends the session (e.g. when the transport lost the card: the card has dropped it too).
    pub fn close(&mut self) {
        self.closed = true;
    }

    fn guard<T>(&mut self, r: Result<T, SmError>) -> Result<T, SmError> {
        if r.is_err() {
            self.closed = true;
        }
        r
    }

    /// Protects a plain command. The result always carries an Le (`00` or `0000`), as the
    /// response will at least hold DO'99 and DO'8E.
    pub fn wrap(&mut self, cmd: &CommandApdu) -> Result<CommandApdu, SmError> {
        if self.closed {
            return Err(SmError::Closed);
        }
        self.keys.increment();
        let r = self.wrap_inner(cmd);
        self.guard(r)
    }

    fn wrap_inner(&self, cmd: &CommandApdu) -> Result<CommandApdu, SmError> {
        let keys = &self.keys;
        let mut body = Vec::new();
        if !cmd.data.is_empty() {
            body.extend(encrypted_data_object(keys, cmd.ins, &cmd.data)?);
        }
        if let Some(ne) = cmd.ne {
            body.extend(tlv::encode(0x97, &le_bytes(ne))?);
        }
        let mut m = keys.padded_header(cmd.cla, cmd.ins, cmd.p1, cmd.p2);
        m.extend_from_slice(&body);
        let mac = keys.mac(&m)?;
        body.extend(tlv::encode(0x8E, &mac)?);
        let extended = cmd.needs_extended() || body.len() > crate::apdu::SHORT_MAX_NC;
        Ok(CommandApdu {
            cla: cmd.cla | 0x0C,
            ins: cmd.ins,
            p1: cmd.p1,
            p2: cmd.p2,
            data: body,
            ne: Some(if extended {
                crate::apdu::EXTENDED_MAX_NE
            } else {
                crate::apdu::SHORT_MAX_NE
            }),
        })
    }

    /// Checks the MAC of a protected response and returns the plain response (decrypted data
    /// and the status word of DO'99, or of the response itself when DO'99 is absent).
    ///
    /// A bare error or warning status word with no data ([`bare_status_acceptable`]) is
    /// returned as that status and the session stays open. The card did not protect that
    /// answer, so it did not use a counter value for it: the send sequence counter stays where
    /// the command left it (as cards that answer bare do; a card that advanced anyway refuses
    /// the next command with 6987/6988, and the read engine then re-runs access control).
    pub fn unwrap(&mut self, resp: &ResponseApdu) -> Result<ResponseApdu, SmError> {
        if self.closed {
            return Err(SmError::Closed);
        }
        if resp.data.is_empty() && bare_status_acceptable(resp.sw) {
            self.last_bare = true;
            return Ok(ResponseApdu {
                data: Vec::new(),
                sw: resp.sw,
            });
        }
        self.last_bare = false;
        self.keys.increment();
        let r = self.unwrap_inner(resp);
        self.guard(r)
    }

    fn unwrap_inner(&self, resp: &ResponseApdu) -> Result<ResponseApdu, SmError> {
        if resp.data.is_empty() {
            return Err(SmError::Unprotected(resp.sw));
        }
        let mut data_object = None;
        let mut status = None;
        let mut mac_at = None;
        let mut consumed = 0usize;
        for object in TlvIter::new(&resp.data) {
            let object = object?;
            match object.tag {
                0x85 | 0x87 if data_object.is_none() && mac_at.is_none() => {
                    data_object = Some(object)
                }
                0x99 if status.is_none() && mac_at.is_none() => status = Some(object),
                0x8E if mac_at.is_none() => mac_at = Some((consumed, object)),
                other => return Err(SmError::UnexpectedObject(other)),
            }
            consumed += object.raw.len();
        }
        let (mac_offset, mac_object) = mac_at.ok_or(SmError::MissingMac)?;
        let mac_input = resp.data.get(..mac_offset).ok_or(SmError::MissingMac)?;
        let expected = self.keys.mac(mac_input)?;
        if !crypto::ct_eq(&expected, mac_object.value) {
            return Err(SmError::MacMismatch);
        }
        let sw = match status {
            Some(s) => match s.value {
                [a, b] => StatusWord(u16::from_be_bytes([*a, *b])),
                _ => return Err(SmError::Malformed(TlvError::Truncated)),
            },
            None => resp.sw,
        };
        let data = match data_object {
            Some(o) => decrypt_data_object(&self.keys, &o)?,
            None => Vec::new(),
        };
        Ok(ResponseApdu { data, sw })
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
    use crate::apdu::{CommandApdu, ResponseApdu, StatusWord};
    use crate::sm::fixtures::{doc_session, h, pair, resp};
    use crate::sm::{SmCipher, SmError};

    #[test]
    fn doc_9303_appendix_d4_select_read_read_transcript() {
        let mut sm = doc_session();

        // SELECT EF.COM.
        let select = CommandApdu::new(0x00, 0xA4, 0x02, 0x0C).with_data(h("011E"));
        let p = sm.wrap(&select).unwrap();
        assert_eq!(
            p.to_bytes().unwrap(),
            h("0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800")
        );
        assert_eq!(sm.ssc(), h("887022120C06C227"));
        let r = sm
            .unwrap(&resp("990290008E08FA855A5D4C50A8ED9000"))
            .unwrap();
        assert_eq!((r.data.len(), r.sw), (0, StatusWord::SUCCESS));
        assert_eq!(sm.ssc(), h("887022120C06C228"));

        // READ BINARY of the first four bytes.
        let p = sm
            .wrap(&CommandApdu::new(0x00, 0xB0, 0x00, 0x00).with_ne(4))
            .unwrap();
        assert_eq!(
            p.to_bytes().unwrap(),
            h("0CB000000D9701048E08ED6705417E96BA5500")
        );
        let r = sm
            .unwrap(&resp(
                "8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000",
            ))
            .unwrap();
        assert_eq!(r.data, h("60145F01"));
        assert_eq!(sm.ssc(), h("887022120C06C22A"));

        // READ BINARY of the remaining 18 bytes from offset 4.
        let p = sm
            .wrap(&CommandApdu::new(0x00, 0xB0, 0x00, 0x04).with_ne(0x12))
            .unwrap();
        assert_eq!(
            p.to_bytes().unwrap(),
            h("0CB000040D9701128E082EA28A70F3C7B53500")
        );
        let r = sm
            .unwrap(&resp("871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08C8B2787EAEA07D749000"))
            .unwrap();
        assert_eq!(r.data, h("04303130365F36063034303030305C026175"));
        assert_eq!(
            (r.sw, sm.ssc()),
            (StatusWord::SUCCESS, &h("887022120C06C22C")[..])
        );
    }

    #[test]
    fn a_wrong_response_mac_is_an_error_that_closes_the_session() {
        let mut sm = doc_session();
        sm.wrap(&CommandApdu::new(0x00, 0xA4, 0x02, 0x0C).with_data(h("011E")))
            .unwrap();
        let tampered = resp("990290008E08FA855A5D4C50A8EE9000");
        assert_eq!(sm.unwrap(&tampered), Err(SmError::MacMismatch));
        assert!(sm.is_closed());
        assert_eq!(
            sm.wrap(&CommandApdu::new(0, 0xB0, 0, 0).with_ne(4)),
            Err(SmError::Closed)
        );
        assert_eq!(sm.unwrap(&resp("9000")), Err(SmError::Closed));
    }

    #[test]
    fn a_tampered_status_word_inside_do99_fails_the_mac() {
        let mut sm = doc_session();
        sm.wrap(&CommandApdu::new(0x00, 0xA4, 0x02, 0x0C).with_data(h("011E")))
            .unwrap();
        assert_eq!(
            sm.unwrap(&resp("990262828E08FA855A5D4C50A8ED9000")),
            Err(SmError::MacMismatch)
        );
    }

    #[test]
    fn plain_status_or_missing_mac_ends_the_session() {
        let mut sm = doc_session();
        sm.wrap(&CommandApdu::new(0x00, 0xB0, 0, 0).with_ne(4))
            .unwrap();
        assert_eq!(
            sm.unwrap(&resp("6988")),
            Err(SmError::Unprotected(StatusWord(0x6988)))
        );
        let mut sm = doc_session();
        sm.wrap(&CommandApdu::new(0x00, 0xB0, 0, 0).with_ne(4))
            .unwrap();
        assert_eq!(sm.unwrap(&resp("990290009000")), Err(SmError::MissingMac));
        assert!(sm.is_closed());
    }

    #[test]
    fn a_bare_error_or_warning_is_that_status_and_the_session_goes_on() {
        for cipher in [SmCipher::Tdes, SmCipher::Aes] {
            let (mut sm, mut card) = pair(cipher, 16);
            for sw in ["6A82", "6282", "6B00", "6700", "6C10", "6300"] {
                let cmd = sm
                    .wrap(&CommandApdu::new(0x00, 0xB0, 0, 0).with_ne(4))
                    .unwrap();
                card.unwrap_command(&cmd).unwrap();
                let r = sm.unwrap(&resp(sw)).unwrap();
                assert_eq!(r.sw, StatusWord(u16::from_str_radix(sw, 16).unwrap()));
                assert!(r.data.is_empty() && sm.last_answer_bare() && !sm.is_closed());
                // The next exchange, protected, verifies under the counter the card kept.
                let cmd = sm
                    .wrap(&CommandApdu::new(0x00, 0xB0, 0, 0).with_ne(2))
                    .unwrap();
                card.unwrap_command(&cmd).unwrap();
                let out = card
                    .wrap_response(&ResponseApdu {
                        data: vec![1, 2],
                        sw: StatusWord::SUCCESS,
                    })
                    .unwrap();
                assert_eq!(sm.unwrap(&out).unwrap().data, vec![1, 2]);
                assert!(!sm.last_answer_bare());
            }
        }
    }

    #[test]
    fn a_bare_success_more_data_or_sm_error_ends_the_session() {
        for sw in ["9000", "6110", "6987", "6988"] {
            let (mut sm, _) = pair(SmCipher::Aes, 16);
            sm.wrap(&CommandApdu::new(0x00, 0xB0, 0, 0).with_ne(4))
                .unwrap();
            assert!(matches!(sm.unwrap(&resp(sw)), Err(SmError::Unprotected(_))));
            assert!(sm.is_closed());
        }
        // Data with an error status but no MAC is never accepted.
        let (mut sm, _) = pair(SmCipher::Aes, 16);
        sm.wrap(&CommandApdu::new(0x00, 0xB0, 0, 0).with_ne(4))
            .unwrap();
        assert!(sm.unwrap(&resp("01026A82")).is_err());
        assert!(sm.is_closed());
    }

    #[test]
    fn a_protected_answer_without_do99_takes_the_outer_status() {
        let (mut sm, mut card) = pair(SmCipher::Tdes, 16);
        let cmd = sm
            .wrap(&CommandApdu::new(0x00, 0xB0, 0, 0).with_ne(3))
            .unwrap();
        card.unwrap_command(&cmd).unwrap();
        let out = card
            .wrap_response_without_status(&ResponseApdu {
                data: vec![7, 8, 9],
                sw: StatusWord::SUCCESS,
            })
            .unwrap();
        let r = sm.unwrap(&out).unwrap();
        assert_eq!((r.data, r.sw), (vec![7, 8, 9], StatusWord::SUCCESS));
    }

    #[test]
    fn large_commands_switch_the_protected_apdu_to_extended_length() {
        let (mut host, mut card) = pair(SmCipher::Tdes, 16);
        let cmd = CommandApdu::new(0, 0xB0, 0, 0).with_ne(4096);
        let wrapped = host.wrap(&cmd).unwrap();
        assert_eq!(wrapped.ne, Some(65_536));
        assert_eq!(&wrapped.data[..4], &[0x97, 0x02, 0x10, 0x00]);
        assert_eq!(card.unwrap_command(&wrapped).unwrap(), cmd);
        let odd = CommandApdu::new(0, 0xB1, 0, 0)
            .with_data(h("54020100"))
            .with_ne(256);
        let wrapped = host.wrap(&odd).unwrap();
        assert_eq!(wrapped.data[0], 0x85);
        assert_eq!(card.unwrap_command(&wrapped).unwrap(), odd);
    }
}
