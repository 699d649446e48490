//! Test sessions shared by the secure messaging tests: the Doc 9303 Part 11 Appendix D
//! session, and a terminal and card pair on the same keys for either cipher suite.

#![allow(clippy::unwrap_used)]

use super::{CardSecureMessaging, SecureMessaging, SmCipher};
use crate::apdu::ResponseApdu;
use crate::kdf::SecretKey;

pub(super) fn h(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

/// Session of Doc 9303 Part 11 Appendix D.3/D.4.
pub(super) fn doc_session() -> SecureMessaging {
    SecureMessaging::new(
        SmCipher::Tdes,
        SecretKey::new(h("979EC13B1CBFE9DCD01AB0FED307EAE5")),
        SecretKey::new(h("F1CB1F1FB5ADF208806B89DC579DC1F8")),
        &h("887022120C06C226"),
    )
    .unwrap()
}

pub(super) fn resp(s: &str) -> ResponseApdu {
    ResponseApdu::parse(&h(s)).unwrap()
}

pub(super) fn pair(cipher: SmCipher, key_len: usize) -> (SecureMessaging, CardSecureMessaging) {
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
        CardSecureMessaging::new(cipher, SecretKey::new(enc), SecretKey::new(mac), &ssc).unwrap(),
    )
}
