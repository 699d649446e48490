//! Secure messaging of Doc 9303 Part 11 §9.8: protecting command APDUs (DO'85/'87, DO'97,
//! DO'8E) and checking and decrypting response APDUs (DO'87, DO'99, DO'8E).
//!
//! Two cipher suites: 3DES-CBC with a zero IV and the ISO/IEC 9797-1 algorithm 3 retail MAC
//! (BAC, 8-byte SSC), and AES-CBC with IV = E(KS_enc, SSC) and AES-CMAC truncated to 8 bytes
//! (PACE and chip authentication, 16-byte SSC). The send sequence counter is incremented
//! before every command and every response. Any failure — above all a wrong response MAC —
//! closes the session: every later call fails with [`SmError::Closed`], because the card side
//! has lost sync and continuing would only feed an attacker more oracles.

use crate::apdu::{ApduError, CommandApdu, ResponseApdu, StatusWord};
use crate::crypto::{self, CryptoError};
use crate::kdf::SecretKey;
use crate::tlv::{self, Tlv, TlvError, TlvIter};

/// Why protecting or unprotecting failed. Every variant ends the session.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmError {
    #[error("secure messaging session is closed after an earlier failure")]
    Closed,
    #[error("response MAC does not verify")]
    MacMismatch,
    #[error("response carries no MAC (DO'8E)")]
    MissingMac,
    #[error("card answered without secure messaging, status {0}")]
    Unprotected(StatusWord),
    #[error("unexpected secure messaging data object {0:#X}")]
    UnexpectedObject(u32),
    #[error("malformed secure messaging data objects: {0}")]
    Malformed(#[from] TlvError),
    #[error("cryptographic failure: {0}")]
    Crypto(#[from] CryptoError),
    #[error("APDU encoding failed: {0}")]
    Apdu(#[from] ApduError),
    #[error("key length does not fit the cipher suite")]
    KeyLength,
}

/// The cipher suite of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmCipher {
    /// 3DES-CBC and retail MAC (BAC, or PACE/CA negotiated with 3DES).
    Tdes,
    /// AES-CBC and CMAC-8 with a 16, 24 or 32 byte key.
    Aes,
}

impl SmCipher {
    /// Cipher block size; also the length of the SSC and of the padding unit.
    pub fn block_size(self) -> usize {
        match self {
            Self::Tdes => 8,
            Self::Aes => 16,
        }
    }
}

/// Shared key material and counter handling of both sides.
#[derive(Debug)]
struct Keys {
    cipher: SmCipher,
    ks_enc: SecretKey,
    ks_mac: SecretKey,
    ssc: Vec<u8>,
}

impl Keys {
    fn new(
        cipher: SmCipher,
        ks_enc: SecretKey,
        ks_mac: SecretKey,
        ssc: &[u8],
    ) -> Result<Self, SmError> {
        let ok = match cipher {
            SmCipher::Tdes => ks_enc.len() == 16 && ks_mac.len() == 16 && ssc.len() == 8,
            SmCipher::Aes => {
                matches!(ks_enc.len(), 16 | 24 | 32)
                    && ks_mac.len() == ks_enc.len()
                    && ssc.len() == 16
            }
        };
        if !ok {
            return Err(SmError::KeyLength);
        }
        Ok(Self {
            cipher,
            ks_enc,
            ks_mac,
            ssc: ssc.to_vec(),
        })
    }

    fn increment(&mut self) {
        for b in self.ssc.iter_mut().rev() {
            let (v, carry) = b.overflowing_add(1);
            *b = v;
            if !carry {
                break;
            }
        }
    }

    fn iv(&self) -> Result<[u8; 16], SmError> {
        let mut block = [0u8; 16];
        block.copy_from_slice(self.ssc.get(..16).ok_or(SmError::KeyLength)?);
        Ok(crypto::aes_encrypt_block(self.ks_enc.as_bytes(), &block)?)
    }

    fn encrypt(&self, plain: &[u8]) -> Result<Vec<u8>, SmError> {
        let padded = crypto::pad(plain, self.cipher.block_size());
        Ok(match self.cipher {
            SmCipher::Tdes => crypto::tdes_cbc_encrypt(self.ks_enc.as_bytes(), &padded)?,
            SmCipher::Aes => crypto::aes_cbc_encrypt(self.ks_enc.as_bytes(), &self.iv()?, &padded)?,
        })
    }

    fn decrypt(&self, cipher_text: &[u8]) -> Result<Vec<u8>, SmError> {
        let plain = match self.cipher {
            SmCipher::Tdes => crypto::tdes_cbc_decrypt(self.ks_enc.as_bytes(), cipher_text)?,
            SmCipher::Aes => {
                crypto::aes_cbc_decrypt(self.ks_enc.as_bytes(), &self.iv()?, cipher_text)?
            }
        };
        Ok(crypto::unpad(&plain)?.to_vec())
    }

    /// MAC over pad(SSC || input), where `input` is already built from padded parts.
    fn mac(&self, input: &[u8]) -> Result<[u8; 8], SmError> {
        let mut n = Vec::with_capacity(self.ssc.len() + input.len() + 16);
        n.extend_from_slice(&self.ssc);
        n.extend_from_slice(input);
        let n = crypto::pad(&n, self.cipher.block_size());
        Ok(match self.cipher {
            SmCipher::Tdes => crypto::retail_mac(self.ks_mac.as_bytes(), &n)?,
            SmCipher::Aes => crypto::aes_cmac8(self.ks_mac.as_bytes(), &n)?,
        })
    }

    fn padded_header(&self, cla: u8, ins: u8, p1: u8, p2: u8) -> Vec<u8> {
        crypto::pad(&[cla | 0x0C, ins, p1, p2], self.cipher.block_size())
    }
}

/// Encodes `Ne` as DO'97 content: one byte when a short Le can express it, two otherwise.
fn le_bytes(ne: usize) -> Vec<u8> {
    if ne <= 256 {
        vec![(ne % 256) as u8]
    } else {
        ((ne % 65_536) as u16).to_be_bytes().to_vec()
    }
}

fn ne_from_do97(value: &[u8]) -> Result<usize, SmError> {
    match value {
        [0] => Ok(256),
        [n] => Ok(usize::from(*n)),
        [0, 0] => Ok(65_536),
        [a, b] => Ok(usize::from(u16::from_be_bytes([*a, *b]))),
        _ => Err(SmError::Malformed(TlvError::Truncated)),
    }
}

fn encrypted_data_object(keys: &Keys, ins: u8, plain: &[u8]) -> Result<Vec<u8>, SmError> {
    let enc = keys.encrypt(plain)?;
    // Odd INS (e.g. READ BINARY B1) carries BER-TLV data: DO'85 without a padding indicator.
    if ins & 1 == 1 {
        Ok(tlv::encode(0x85, &enc)?)
    } else {
        let mut v = Vec::with_capacity(enc.len() + 1);
        v.push(0x01);
        v.extend_from_slice(&enc);
        Ok(tlv::encode(0x87, &v)?)
    }
}

/// Decrypts DO'87 (with its 01 padding-content indicator) or DO'85.
fn decrypt_data_object(keys: &Keys, object: &Tlv<'_>) -> Result<Vec<u8>, SmError> {
    let cipher_text = match object.tag {
        0x87 => match object.value.split_first() {
            Some((0x01, rest)) => rest,
            _ => return Err(SmError::Malformed(TlvError::Truncated)),
        },
        _ => object.value,
    };
    keys.decrypt(cipher_text)
}

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

/// The card side of a session: for the virtual card and for tests that need a peer.
#[derive(Debug)]
pub struct CardSecureMessaging {
    keys: Keys,
}

impl CardSecureMessaging {
    pub fn new(
        cipher: SmCipher,
        ks_enc: SecretKey,
        ks_mac: SecretKey,
        ssc: &[u8],
    ) -> Result<Self, SmError> {
        Ok(Self {
            keys: Keys::new(cipher, ks_enc, ks_mac, ssc)?,
        })
    }

    /// Verifies and decrypts a protected command (ISO 7816-4 §10.2 as profiled by 9303).
    pub fn unwrap_command(&mut self, cmd: &CommandApdu) -> Result<CommandApdu, SmError> {
        self.keys.increment();
        if cmd.cla & 0x0C != 0x0C {
            return Err(SmError::MissingMac);
        }
        let mut data_object = None;
        let mut ne = None;
        let mut mac_at = None;
        let mut consumed = 0usize;
        for object in TlvIter::new(&cmd.data) {
            let object = object?;
            match object.tag {
                0x85 | 0x87 if data_object.is_none() && mac_at.is_none() => {
                    data_object = Some(object)
                }
                0x97 if ne.is_none() && mac_at.is_none() => ne = Some(ne_from_do97(object.value)?),
                0x8E if mac_at.is_none() => mac_at = Some((consumed, object)),
                other => return Err(SmError::UnexpectedObject(other)),
            }
            consumed += object.raw.len();
        }
        let (mac_offset, mac_object) = mac_at.ok_or(SmError::MissingMac)?;
        let mut m = self.keys.padded_header(cmd.cla, cmd.ins, cmd.p1, cmd.p2);
        m.extend_from_slice(cmd.data.get(..mac_offset).ok_or(SmError::MissingMac)?);
        if !crypto::ct_eq(&self.keys.mac(&m)?, mac_object.value) {
            return Err(SmError::MacMismatch);
        }
        let data = match data_object {
            Some(o) => decrypt_data_object(&self.keys, &o)?,
            None => Vec::new(),
        };
        Ok(CommandApdu {
            cla: cmd.cla & !0x0C,
            ins: cmd.ins,
            p1: cmd.p1,
            p2: cmd.p2,
            data,
            ne,
        })
    }

    /// Counts a response the card sends bare (some cards advance their counter for it).
    pub fn skip_response(&mut self) {
        self.keys.increment();
    }

    /// Protects a plain response without DO'99' (the status word travels only outside).
    pub fn wrap_response_without_status(
        &mut self,
        resp: &ResponseApdu,
    ) -> Result<ResponseApdu, SmError> {
        self.keys.increment();
        let mut body = Vec::new();
        if !resp.data.is_empty() {
            body.extend(encrypted_data_object(&self.keys, 0, &resp.data)?);
        }
        let mac = self.keys.mac(&body)?;
        body.extend(tlv::encode(0x8E, &mac)?);
        Ok(ResponseApdu {
            data: body,
            sw: resp.sw,
        })
    }

    /// Protects a plain response: DO'87 (when there is data), DO'99 and DO'8E.
    pub fn wrap_response(&mut self, resp: &ResponseApdu) -> Result<ResponseApdu, SmError> {
        self.keys.increment();
        let mut body = Vec::new();
        if !resp.data.is_empty() {
            body.extend(encrypted_data_object(&self.keys, 0, &resp.data)?);
        }
        body.extend(tlv::encode(0x99, &resp.sw.0.to_be_bytes())?);
        let mac = self.keys.mac(&body)?;
        body.extend(tlv::encode(0x8E, &mac)?);
        Ok(ResponseApdu {
            data: body,
            sw: resp.sw,
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
        hex::decode(s).unwrap()
    }

    /// Session of Doc 9303 Part 11 Appendix D.3/D.4.
    fn doc_session() -> SecureMessaging {
        SecureMessaging::new(
            SmCipher::Tdes,
            SecretKey::new(h("979EC13B1CBFE9DCD01AB0FED307EAE5")),
            SecretKey::new(h("F1CB1F1FB5ADF208806B89DC579DC1F8")),
            &h("887022120C06C226"),
        )
        .unwrap()
    }

    fn resp(s: &str) -> ResponseApdu {
        ResponseApdu::parse(&h(s)).unwrap()
    }

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

    fn pair(cipher: SmCipher, key_len: usize) -> (SecureMessaging, CardSecureMessaging) {
        let enc: Vec<u8> = (0..key_len as u8).collect();
        let mac: Vec<u8> = (0..key_len as u8).map(|b| b ^ 0x5A).collect();
        let ssc = vec![0u8; cipher.block_size()];
        (
            SecureMessaging::new(
                cipher,
                SecretKey::new(enc.clone()),
                SecretKey::new(mac.clone()),
                &ssc,
            )
            .unwrap(),
            CardSecureMessaging::new(cipher, SecretKey::new(enc), SecretKey::new(mac), &ssc)
                .unwrap(),
        )
    }

    #[test]
    fn aes_sessions_round_trip_commands_and_responses_for_all_key_sizes() {
        for key_len in [16, 24, 32] {
            let (mut host, mut card) = pair(SmCipher::Aes, key_len);
            for (i, len) in [0usize, 1, 15, 16, 17, 223, 1000].into_iter().enumerate() {
                let cmd = CommandApdu::new(0, 0xB0, 0, i as u8).with_ne(len.max(1));
                let wrapped = host.wrap(&cmd).unwrap();
                let wire = CommandApdu::parse(&wrapped.to_bytes().unwrap()).unwrap();
                assert_eq!(card.unwrap_command(&wire).unwrap(), cmd);
                let plain = ResponseApdu::new(vec![i as u8; len], StatusWord::SUCCESS);
                let protected = card.wrap_response(&plain).unwrap();
                assert_eq!(host.unwrap(&protected).unwrap(), plain);
            }
            assert_eq!(host.ssc().len(), 16);
            assert_eq!(host.ssc()[15], 14);
        }
    }

    #[test]
    fn aes_uses_an_ssc_derived_iv_so_equal_plaintexts_encrypt_differently() {
        let (mut host, _) = pair(SmCipher::Aes, 16);
        let cmd = CommandApdu::new(0, 0xA4, 2, 0x0C).with_data(h("011E"));
        let a = host.wrap(&cmd).unwrap();
        let b = host.wrap(&cmd).unwrap();
        assert_ne!(a.data[..19], b.data[..19]);
        // DO'87 = 87 11 01 || 16-byte block.
        assert_eq!(&a.data[..3], &[0x87, 0x11, 0x01]);
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

    #[test]
    fn card_side_rejects_a_forged_command_mac() {
        let (mut host, mut card) = pair(SmCipher::Tdes, 16);
        let mut wrapped = host
            .wrap(&CommandApdu::new(0, 0xB0, 0, 0).with_ne(8))
            .unwrap();
        let last = wrapped.data.len() - 1;
        wrapped.data[last] ^= 1;
        assert_eq!(card.unwrap_command(&wrapped), Err(SmError::MacMismatch));
    }

    #[test]
    fn wrong_key_sizes_are_rejected() {
        let k = || SecretKey::new(vec![0; 16]);
        assert!(SecureMessaging::new(SmCipher::Tdes, k(), k(), &[0; 16]).is_err());
        assert!(SecureMessaging::new(SmCipher::Aes, k(), k(), &[0; 8]).is_err());
        assert!(
            SecureMessaging::new(SmCipher::Aes, SecretKey::new(vec![0; 20]), k(), &[0; 16])
                .is_err()
        );
    }
}
