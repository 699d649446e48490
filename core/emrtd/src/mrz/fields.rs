//! Reading fields out of MRZ lines: positional slices, dates with their check digits, the
//! name field, and the document number with the long-number rule of TD1 and TD2. Shared by
//! the line layouts of every format.

use super::check::{validate_date, verify};
use super::{MrzError, MrzField};

pub(super) fn sub(s: &str, r: std::ops::Range<usize>) -> Result<&str, MrzError> {
    s.get(r).ok_or(MrzError::UnknownFormat)
}

pub(super) fn char_at(s: &str, i: usize) -> Result<char, MrzError> {
    s.as_bytes()
        .get(i)
        .map(|&b| char::from(b))
        .ok_or(MrzError::UnknownFormat)
}

/// A document number field with its check digit, including the long-number rule of Part 5
/// §4.2.4 and Part 6 §4.2.4: a `<` in place of the check digit says the number goes on in
/// the optional data, where its last characters are followed by the check digit (computed
/// over the whole number) and a filler.
pub(super) fn document_number(field: &str, cd: char, optional: &str) -> Result<String, MrzError> {
    if cd == '<' {
        let spill: &str = optional.split('<').next().unwrap_or("");
        if spill.is_empty() {
            return Err(MrzError::CheckDigit(MrzField::DocumentNumber));
        }
        let (rest, cd) = spill.split_at(spill.len().saturating_sub(1));
        let full = format!("{field}{rest}");
        verify(
            &full,
            cd.chars().next().unwrap_or('<'),
            MrzField::DocumentNumber,
        )?;
        Ok(full)
    } else {
        verify(field, cd, MrzField::DocumentNumber)?;
        Ok(field.trim_end_matches('<').to_string())
    }
}

pub(super) fn dated(line: &str, at: usize, field: MrzField) -> Result<String, MrzError> {
    let date = sub(line, at..at + 6)?;
    validate_date(date, field)?;
    verify(date, char_at(line, at + 6)?, field)?;
    Ok(date.to_string())
}

pub(super) fn names(field: &str) -> (String, String) {
    let mut parts = field.trim_end_matches('<').splitn(2, "<<");
    let clean = |s: &str| s.replace('<', " ").trim().to_string();
    let primary = clean(parts.next().unwrap_or(""));
    let secondary = clean(parts.next().unwrap_or(""));
    (primary, secondary)
}
