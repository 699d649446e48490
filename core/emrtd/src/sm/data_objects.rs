//! The secure messaging data objects that carry a command's or response's content: DO'87
//! (encrypted, with padding indicator) or DO'85 (odd INS, BER-TLV content), and DO'97 (`Ne`).
//! Shared by the terminal and the card side.

use super::SmError;
use super::cipher::Keys;
use crate::tlv::{self, Tlv, TlvError};

/// Encodes `Ne` as DO'97 content: one byte when a short Le can express it, two otherwise.
pub(super) fn le_bytes(ne: usize) -> Vec<u8> {
    if ne <= 256 {
        vec![(ne % 256) as u8]
    } else {
        ((ne % 65_536) as u16).to_be_bytes().to_vec()
    }
}

pub(super) fn ne_from_do97(value: &[u8]) -> Result<usize, SmError> {
    match value {
        [0] => Ok(256),
        [n] => Ok(usize::from(*n)),
        [0, 0] => Ok(65_536),
        [a, b] => Ok(usize::from(u16::from_be_bytes([*a, *b]))),
        _ => Err(SmError::Malformed(TlvError::Truncated)),
    }
}

pub(super) fn encrypted_data_object(
    keys: &Keys,
    ins: u8,
    plain: &[u8],
) -> Result<Vec<u8>, SmError> {
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
pub(super) fn decrypt_data_object(keys: &Keys, object: &Tlv<'_>) -> Result<Vec<u8>, SmError> {
    let cipher_text = match object.tag {
        0x87 => match object.value.split_first() {
            Some((0x01, rest)) => rest,
            _ => return Err(SmError::Malformed(TlvError::Truncated)),
        },
        _ => object.value,
    };
    keys.decrypt(cipher_text)
}
