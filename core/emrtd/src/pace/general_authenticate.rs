//! General Authenticate, the command PACE runs its steps in: chained (CLA 10) until the
//! last, with dynamic authentication data `7C { tag value }` both ways. Used by the terminal
//! side here and by the card side of the virtual card.

use super::PaceError;
use crate::apdu::CommandApdu;
use crate::tlv::{self, Tlv, TlvError};

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
