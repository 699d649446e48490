//! The card side of secure messaging, for the virtual card and for tests that need a peer:
//! checking and decrypting protected commands and protecting responses.

use super::SmError;
use super::cipher::{Keys, SmCipher};
use super::data_objects::{decrypt_data_object, encrypted_data_object, ne_from_do97};
use crate::apdu::{CommandApdu, ResponseApdu};
use crate::crypto;
use crate::kdf::SecretKey;
use crate::tlv::{self, TlvIter};

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
    use crate::apdu::CommandApdu;
    use crate::sm::SmCipher;
    use crate::sm::SmError;
    use crate::sm::fixtures::pair;

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
}
