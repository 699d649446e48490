//! The QR printed on the front of the chip ID card (CCCD / thẻ căn cước).
//!
//! It is unsigned UTF-8 text, fields separated by `|`, commonly 7 fields:
//! `ID number | old 9-digit ID (may be empty) | full name | birth date DDMMYYYY |
//! sex (Nam/Nữ) | permanent address | issue date DDMMYYYY`. Variants with 6 fields
//! (no old-ID field) and 8 fields (something appended) exist. Anyone can print
//! such a QR, so the result is typed [`UnverifiedCardQr`]: for filling forms,
//! never for a green verdict. Parsing is by content, not only by position, and
//! every raw field is kept.

use thiserror::Error;

use crate::claims::{Date, Sex};

/// Largest card QR text accepted.
pub const MAX_CARD_QR: usize = 1_000;

/// Fields read from the printed card QR. **Not cryptographically verified.**
#[derive(Clone, PartialEq, Eq)]
pub struct UnverifiedCardQr {
    /// 12-digit personal identification number.
    pub id_number: String,
    /// Old 9-digit ID (CMND), if printed.
    pub old_id_number: Option<String>,
    /// Full name.
    pub full_name: String,
    /// Birth date, if it parsed.
    pub birth_date: Option<Date>,
    /// Sex, if it was `Nam` or `Nữ`.
    pub sex: Option<Sex>,
    /// Permanent address.
    pub address: String,
    /// Card issue date, if present and parsed.
    pub issue_date: Option<Date>,
    /// All fields as printed, in order.
    pub raw_fields: Vec<String>,
}

impl std::fmt::Debug for UnverifiedCardQr {
    /// Personal data stays out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "UnverifiedCardQr({} fields)", self.raw_fields.len())
    }
}

/// Why text is not a card QR.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum CardQrError {
    /// Not 6 to 8 `|`-separated fields, or too long.
    #[error("not a chip-card QR")]
    NotCardQr,
    /// The first field is not a 12-digit ID number.
    #[error("first field is not a 12-digit ID number")]
    BadIdNumber,
}

fn digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

/// `DDMMYYYY`.
pub fn parse_ddmmyyyy(s: &str) -> Option<Date> {
    if !digits(s, 8) {
        return None;
    }
    let d: u32 = s.get(0..2)?.parse().ok()?;
    let m: u32 = s.get(2..4)?.parse().ok()?;
    let y: i32 = s.get(4..8)?.parse().ok()?;
    Date::from_ymd(y, m, d)
}

fn sex(s: &str) -> Option<Sex> {
    match s.trim() {
        "Nam" | "nam" | "NAM" => Some(Sex::Male),
        "Nữ" | "nữ" | "NỮ" => Some(Sex::Female),
        _ => None,
    }
}

/// Parses the printed card QR.
pub fn parse_card_qr(text: &str) -> Result<UnverifiedCardQr, CardQrError> {
    if text.len() > MAX_CARD_QR {
        return Err(CardQrError::NotCardQr);
    }
    let fields: Vec<&str> = text.trim_end_matches(['\r', '\n']).split('|').collect();
    if !(6..=8).contains(&fields.len()) {
        return Err(CardQrError::NotCardQr);
    }
    let get = |i: usize| fields.get(i).copied().unwrap_or("").trim();
    if !digits(get(0), 12) {
        return Err(CardQrError::BadIdNumber);
    }
    // With an old-ID field, field 1 is empty or 9 (sometimes 12) digits and the name follows.
    let second = get(1);
    let has_old = fields.len() >= 7 || second.is_empty() || digits(second, 9) || digits(second, 12);
    let o = usize::from(has_old);
    Ok(UnverifiedCardQr {
        id_number: get(0).to_owned(),
        old_id_number: if has_old && !second.is_empty() {
            Some(second.to_owned())
        } else {
            None
        },
        full_name: get(1 + o).to_owned(),
        birth_date: parse_ddmmyyyy(get(2 + o)),
        sex: sex(get(3 + o)),
        address: get(4 + o).to_owned(),
        issue_date: parse_ddmmyyyy(get(5 + o)),
        raw_fields: fields.iter().map(|s| (*s).to_owned()).collect(),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn seven_field_card_qr_parses() {
        let q = parse_card_qr("001190012345|012345678|Nguyễn Thị Minh Khai|17051990|Nữ|Số 12 Hàng Bạc, Hà Nội|10042021")
            .unwrap();
        assert_eq!(q.id_number, "001190012345");
        assert_eq!(q.old_id_number.as_deref(), Some("012345678"));
        assert_eq!(q.full_name, "Nguyễn Thị Minh Khai");
        assert_eq!(q.birth_date, Date::from_ymd(1990, 5, 17));
        assert_eq!(q.sex, Some(Sex::Female));
        assert_eq!(q.issue_date, Date::from_ymd(2021, 4, 10));
        assert!(!format!("{q:?}").contains("Khai"));
    }

    #[test]
    fn empty_old_id_six_and_eight_field_variants_parse() {
        let q = parse_card_qr("079200012345||Trần Văn B|01012000|Nam|TP. Hồ Chí Minh|01072024")
            .unwrap();
        assert_eq!(q.old_id_number, None);
        assert_eq!(q.full_name, "Trần Văn B");
        let q =
            parse_card_qr("079200012345|Trần Văn B|01012000|Nam|TP. Hồ Chí Minh|01072024").unwrap();
        assert_eq!(q.full_name, "Trần Văn B");
        assert_eq!(q.sex, Some(Sex::Male));
        assert_eq!(q.issue_date, Date::from_ymd(2024, 7, 1));
        let q =
            parse_card_qr("079200012345||Trần Văn B|01012000|Nam|TP. Hồ Chí Minh|01072024|extra")
                .unwrap();
        assert_eq!(q.raw_fields.len(), 8);
        assert_eq!(q.issue_date, Date::from_ymd(2024, 7, 1));
    }

    #[test]
    fn other_text_is_refused() {
        assert_eq!(parse_card_qr("VN1:ABC"), Err(CardQrError::NotCardQr));
        assert_eq!(
            parse_card_qr("12345|a|b|c|d|e|f"),
            Err(CardQrError::BadIdNumber)
        );
        assert_eq!(
            parse_card_qr(&"|".repeat(2000)),
            Err(CardQrError::NotCardQr)
        );
        let q = parse_card_qr("001190012345||X|99999999|?|Y|").unwrap();
        assert_eq!((q.birth_date, q.sex, q.issue_date), (None, None, None));
    }
}
