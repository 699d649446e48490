//! The MRZ character set and check digits (Doc 9303 Part 3 §4.9), and the validation of
//! characters and YYMMDD dates: the rules every MRZ field, parsed or typed in, must satisfy.

use super::{MrzError, MrzField};

fn char_value(c: u8) -> Option<u32> {
    match c {
        b'0'..=b'9' => Some(u32::from(c - b'0')),
        b'A'..=b'Z' => Some(u32::from(c - b'A') + 10),
        b'<' => Some(0),
        _ => None,
    }
}

/// Check digit of Doc 9303 Part 3 §4.9: weights 7, 3, 1 repeating, sum modulo 10.
pub fn check_digit(field: &str) -> Option<char> {
    let mut sum = 0u32;
    for (i, c) in field.bytes().enumerate() {
        let w = [7u32, 3, 1].get(i % 3).copied().unwrap_or(1);
        sum += char_value(c)? * w;
    }
    char::from_digit(sum % 10, 10)
}

pub(super) fn verify(field: &str, digit: char, which: MrzField) -> Result<(), MrzError> {
    match check_digit(field) {
        Some(d) if d == digit => Ok(()),
        Some(_) => Err(MrzError::CheckDigit(which)),
        None => Err(MrzError::InvalidCharacter(which)),
    }
}

pub(super) fn validate_chars(s: &str, field: MrzField) -> Result<(), MrzError> {
    if s.bytes().all(|c| char_value(c).is_some()) {
        Ok(())
    } else {
        Err(MrzError::InvalidCharacter(field))
    }
}

/// YYMMDD, where unknown parts may be filled with `<` as Part 3 allows (cards without expiry
/// may print fillers).
pub(super) fn validate_date(s: &str, field: MrzField) -> Result<(), MrzError> {
    if s.len() != 6 {
        return Err(MrzError::WrongLength {
            field,
            expected: 6,
            found: s.len(),
        });
    }
    if !s.bytes().all(|c| c.is_ascii_digit() || c == b'<') {
        return Err(MrzError::InvalidDate(field));
    }
    let part = |r: std::ops::Range<usize>| s.get(r).and_then(|p| p.parse::<u32>().ok());
    if let Some(m) = part(2..4)
        && !(1..=12).contains(&m)
    {
        return Err(MrzError::InvalidDate(field));
    }
    if let Some(d) = part(4..6)
        && !(1..=31).contains(&d)
    {
        return Err(MrzError::InvalidDate(field));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digits_match_the_doc_examples() {
        assert_eq!(check_digit("L898902C<"), Some('3'));
        assert_eq!(check_digit("690806"), Some('1'));
        assert_eq!(check_digit("940623"), Some('6'));
        assert_eq!(check_digit("520727"), Some('3'));
        assert_eq!(check_digit("abc"), None);
    }
}
