//! Typed claim values: the value kinds a claim can have, the calendar [`Date`], the
//! ISO/IEC 5218 [`Sex`] code, the [`ClaimValue`] itself and [`ClaimError`].
//!
//! Kept apart from the claim table and the CBOR codec so the vocabulary of values can be
//! read on its own: every other part of the claims module speaks in these types.

use thiserror::Error;

use crate::tree::ClaimKey;

/// How a claim's value is encoded (the CBOR form is the smallest that round-trips).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// UTF-8 text up to `max` bytes (CBOR text string).
    Text {
        /// Maximum length in bytes.
        max: usize,
    },
    /// A fixed-width decimal number with leading zeros (an ID number): a CBOR
    /// unsigned integer, re-padded to `len` digits on decoding. 12 digits cost 9
    /// bytes instead of 13 as text.
    Digits {
        /// Number of digits (at most 19).
        len: u8,
    },
    /// A date: days since 1970-01-01 as a CBOR integer (3 bytes for any birth date
    /// in the last 180 years), without RFC 8943's tag (the type says it is a date).
    Date,
    /// Two dates, the second optional: `[from, to / null]`.
    DateRange,
    /// ISO/IEC 5218: 0 not known, 1 male, 2 female, 9 not applicable.
    Sex,
    /// A boolean.
    Bool,
    /// A 32-byte SHA-256 digest (byte string). Kept full length: see DESIGN.md.
    Digest,
    /// ISO 3166-1 alpha-3 country code (three upper-case ASCII letters, text).
    Alpha3,
}

/// A calendar date as days since 1970-01-01 (negative before).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub i32);

impl Date {
    /// From a proleptic Gregorian year, month and day; `None` if not a valid date.
    pub fn from_ymd(y: i32, m: u32, d: u32) -> Option<Date> {
        if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
            return None;
        }
        // Howard Hinnant's days_from_civil.
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let mp = (m as i32 + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d as i32 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Some(Date(era * 146_097 + doe - 719_468))
    }

    /// Year, month, day.
    pub fn ymd(self) -> (i32, u32, u32) {
        let z = self.0 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let y = yoe + era * 400 + i32::from(m <= 2);
        (y, m, d)
    }

    /// The date containing a Unix time (UTC).
    pub fn from_unix(secs: u64) -> Date {
        Date(i32::try_from(secs / 86_400).unwrap_or(i32::MAX))
    }
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

impl std::fmt::Display for Date {
    /// Vietnamese order, as on the card: DD/MM/YYYY.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{d:02}/{m:02}/{y:04}")
    }
}

/// Sex per ISO/IEC 5218.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    /// 0
    NotKnown,
    /// 1 (Nam)
    Male,
    /// 2 (Nữ)
    Female,
    /// 9
    NotApplicable,
}

impl Sex {
    pub(super) fn code(self) -> u8 {
        match self {
            Sex::NotKnown => 0,
            Sex::Male => 1,
            Sex::Female => 2,
            Sex::NotApplicable => 9,
        }
    }
    pub(super) fn from_code(c: u8) -> Option<Sex> {
        match c {
            0 => Some(Sex::NotKnown),
            1 => Some(Sex::Male),
            2 => Some(Sex::Female),
            9 => Some(Sex::NotApplicable),
            _ => None,
        }
    }
}

/// A typed claim value.
#[derive(Clone, PartialEq, Eq)]
pub enum ClaimValue {
    /// Text (also alpha-3 codes).
    Text(String),
    /// Fixed-width digits, kept as the digit string.
    Digits(String),
    /// A date.
    Date(Date),
    /// From and optional to.
    DateRange(Date, Option<Date>),
    /// Sex.
    Sex(Sex),
    /// Boolean.
    Bool(bool),
    /// Digest.
    Digest([u8; 32]),
    /// The credential has this claim slot but no value (e.g. no place of origin
    /// recorded). Encoded as CBOR null so the tree shape stays fixed per type.
    Absent,
}

impl std::fmt::Debug for ClaimValue {
    /// Never prints personal data: logs must not carry disclosed values (DOMAIN.md).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self {
            ClaimValue::Text(_) => "Text",
            ClaimValue::Digits(_) => "Digits",
            ClaimValue::Date(_) => "Date",
            ClaimValue::DateRange(..) => "DateRange",
            ClaimValue::Sex(_) => "Sex",
            ClaimValue::Bool(_) => "Bool",
            ClaimValue::Digest(_) => "Digest",
            ClaimValue::Absent => "Absent",
        };
        write!(f, "ClaimValue::{kind}(…)")
    }
}

/// A claim value that does not fit its kind.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ClaimError {
    /// The key is not in the registry.
    #[error("unknown claim key {0}")]
    UnknownKey(ClaimKey),
    /// The value is of another kind than the key's.
    #[error("claim {0}: value of the wrong kind")]
    WrongKind(ClaimKey),
    /// Text too long, digits of the wrong width, bad code.
    #[error("claim {0}: value out of range")]
    OutOfRange(ClaimKey),
    /// The encoded value is malformed CBOR or not canonical.
    #[error("claim {0}: malformed encoding")]
    Malformed(ClaimKey),
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn dates_convert_both_ways() {
        assert_eq!(Date::from_ymd(1970, 1, 1), Some(Date(0)));
        assert_eq!(Date::from_ymd(2000, 3, 1).unwrap().ymd(), (2000, 3, 1));
        assert_eq!(Date::from_ymd(1900, 2, 29), None);
        assert_eq!(
            Date::from_ymd(2024, 2, 29).unwrap().to_string(),
            "29/02/2024"
        );
        for n in -80_000..80_000 {
            let (y, m, d) = Date(n).ymd();
            assert_eq!(Date::from_ymd(y, m, d), Some(Date(n)));
        }
    }
}
