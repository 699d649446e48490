//! The canonical CBOR encoding of claim values.
//!
//! A value is checked against its key's kind on encoding, and decoding is strict: the
//! bytes read must be exactly what [`encode_value`] writes for the decoded value. One
//! value has one encoding, so one digest in the claim tree.

use minicbor::data::Type;
use minicbor::{Decoder, Encoder};

use super::catalog::claim_def;
use super::value::{ClaimError, ClaimValue, Date, Sex, ValueKind};
use crate::tree::ClaimKey;

/// Encodes a value after checking it against the key's kind.
pub fn encode_value(
    key: ClaimKey,
    value: &ClaimValue,
    out: &mut Vec<u8>,
) -> Result<(), ClaimError> {
    let def = claim_def(key).ok_or(ClaimError::UnknownKey(key))?;
    let mut e = Encoder::new(out);
    let wrong = ClaimError::WrongKind(key);
    let range = ClaimError::OutOfRange(key);
    let r = match (def.kind, value) {
        (_, ClaimValue::Absent) => e.null().map(|_| ()),
        (ValueKind::Text { max }, ClaimValue::Text(s)) => {
            if s.len() > max {
                return Err(range);
            }
            e.str(s).map(|_| ())
        }
        (ValueKind::Alpha3, ClaimValue::Text(s)) => {
            if s.len() != 3 || !s.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(range);
            }
            e.str(s).map(|_| ())
        }
        (ValueKind::Digits { len }, ClaimValue::Digits(s)) => {
            if s.len() != usize::from(len) || len > 19 || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(range);
            }
            let n: u64 = s.parse().map_err(|_| range.clone())?;
            e.u64(n).map(|_| ())
        }
        (ValueKind::Date, ClaimValue::Date(d)) => e.i32(d.0).map(|_| ()),
        (ValueKind::DateRange, ClaimValue::DateRange(a, b)) => (|| {
            e.array(2)?.i32(a.0)?;
            match b {
                Some(b) => e.i32(b.0)?,
                None => e.null()?,
            };
            Ok(())
        })(),
        (ValueKind::Sex, ClaimValue::Sex(s)) => e.u8(s.code()).map(|_| ()),
        (ValueKind::Bool, ClaimValue::Bool(b)) => e.bool(*b).map(|_| ()),
        (ValueKind::Digest, ClaimValue::Digest(d)) => e.bytes(d).map(|_| ()),
        _ => return Err(wrong),
    };
    // Writing into a Vec cannot fail.
    r.map_err(|_: minicbor::encode::Error<std::convert::Infallible>| ClaimError::Malformed(key))
}

/// Decodes one value of `key`'s kind from `d`, strictly: the bytes consumed must
/// be exactly what [`encode_value`] would write for the decoded value, so one
/// value has one encoding (and so one digest).
pub fn decode_value(key: ClaimKey, d: &mut Decoder<'_>) -> Result<ClaimValue, ClaimError> {
    let def = claim_def(key).ok_or(ClaimError::UnknownKey(key))?;
    let start = d.position();
    let bad = || ClaimError::Malformed(key);
    let v = if d.datatype().map_err(|_| bad())? == Type::Null {
        d.null().map_err(|_| bad())?;
        ClaimValue::Absent
    } else {
        match def.kind {
            ValueKind::Text { .. } | ValueKind::Alpha3 => {
                ClaimValue::Text(d.str().map_err(|_| bad())?.to_owned())
            }
            ValueKind::Digits { len } => {
                let n = d.u64().map_err(|_| bad())?;
                ClaimValue::Digits(format!("{n:0width$}", width = usize::from(len)))
            }
            ValueKind::Date => ClaimValue::Date(Date(d.i32().map_err(|_| bad())?)),
            ValueKind::DateRange => {
                if d.array().map_err(|_| bad())? != Some(2) {
                    return Err(bad());
                }
                let a = Date(d.i32().map_err(|_| bad())?);
                let b = if d.datatype().map_err(|_| bad())? == Type::Null {
                    d.null().map_err(|_| bad())?;
                    None
                } else {
                    Some(Date(d.i32().map_err(|_| bad())?))
                };
                ClaimValue::DateRange(a, b)
            }
            ValueKind::Sex => ClaimValue::Sex(
                Sex::from_code(d.u8().map_err(|_| bad())?).ok_or(ClaimError::OutOfRange(key))?,
            ),
            ValueKind::Bool => ClaimValue::Bool(d.bool().map_err(|_| bad())?),
            ValueKind::Digest => {
                let b = d.bytes().map_err(|_| bad())?;
                ClaimValue::Digest(b.try_into().map_err(|_| ClaimError::OutOfRange(key))?)
            }
        }
    };
    let consumed = d.input().get(start..d.position()).ok_or_else(bad)?;
    let mut canonical = Vec::with_capacity(consumed.len());
    encode_value(key, &v, &mut canonical)?;
    if canonical != consumed {
        return Err(bad());
    }
    Ok(v)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::claims::keys;

    #[test]
    fn values_round_trip_and_non_canonical_encodings_are_refused() {
        let cases = [
            (
                keys::FULL_NAME,
                ClaimValue::Text("NGUYỄN THỊ MINH KHAI".into()),
            ),
            (keys::ID_NUMBER, ClaimValue::Digits("001190012345".into())),
            (
                keys::BIRTH_DATE,
                ClaimValue::Date(Date::from_ymd(1990, 5, 17).unwrap()),
            ),
            (
                keys::CARD_VALIDITY,
                ClaimValue::DateRange(Date(19000), None),
            ),
            (keys::SEX, ClaimValue::Sex(Sex::Female)),
            (keys::AGE_OVER_18, ClaimValue::Bool(true)),
            (keys::PORTRAIT_DIGEST, ClaimValue::Digest([7; 32])),
            (keys::NATIONALITY, ClaimValue::Text("VNM".into())),
            (keys::PLACE_OF_ORIGIN, ClaimValue::Absent),
        ];
        for (k, v) in cases {
            let mut b = Vec::new();
            encode_value(k, &v, &mut b).unwrap();
            let got = decode_value(k, &mut Decoder::new(&b)).unwrap();
            assert_eq!(got, v);
        }
        // Sex 1 written as a two-byte integer: same value, other bytes: refused.
        assert_eq!(
            decode_value(keys::SEX, &mut Decoder::new(&[0x18, 0x01])),
            Err(ClaimError::Malformed(keys::SEX))
        );
        assert!(
            encode_value(
                keys::ID_NUMBER,
                &ClaimValue::Digits("12".into()),
                &mut Vec::new()
            )
            .is_err()
        );
        assert!(
            encode_value(
                keys::NATIONALITY,
                &ClaimValue::Text("vn".into()),
                &mut Vec::new()
            )
            .is_err()
        );
        assert!(encode_value(keys::SEX, &ClaimValue::Bool(true), &mut Vec::new()).is_err());
    }
}
