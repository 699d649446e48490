//! Recognising MRZ text as a camera scanner or a chip hands it over: finding its format from
//! the line lengths, normalising it, and handing it to the layout of that format. The entry
//! point [`Mrz::parse`].

use super::check::validate_chars;
use super::document::{Mrz, MrzFormat};
use super::{MrzError, MrzField, td1, two_line};

/// Splits MRZ text as a camera scanner or a chip hands it over (lines separated by CR/LF,
/// surrounding whitespace, or concatenated) into its format and the concatenated characters.
fn normalise(text: &str) -> Result<(MrzFormat, String), MrzError> {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let flat: String = lines
        .iter()
        .flat_map(|l| l.chars())
        .filter(|c| !c.is_whitespace())
        .collect();
    if !flat.is_ascii() {
        return Err(MrzError::UnknownFormat);
    }
    let by_total = [MrzFormat::Td1, MrzFormat::Td2, MrzFormat::Td3]
        .into_iter()
        .find(|f| f.line_len() * f.lines() == flat.len())
        .ok_or(MrzError::UnknownFormat)?;
    // Line by line, every line must have the format's length (a scanner that split the
    // text differently is not guessed at).
    if lines.len() > 1
        && (lines.len() != by_total.lines()
            || lines
                .iter()
                .any(|l| l.chars().filter(|c| !c.is_whitespace()).count() != by_total.line_len()))
    {
        return Err(MrzError::UnknownFormat);
    }
    Ok((by_total, flat.to_ascii_uppercase()))
}

impl Mrz {
    /// Parses a TD1 (3 × 30), TD2 (2 × 36) or TD3 (2 × 44) MRZ, as lines separated by line
    /// breaks (surrounding whitespace ignored) or concatenated. Every check digit the format
    /// has, including the composite one, must match (visas have no composite check digit).
    pub fn parse(text: &str) -> Result<Self, MrzError> {
        let (format, flat) = normalise(text)?;
        validate_chars(&flat, MrzField::Line)?;
        match format {
            MrzFormat::Td1 => td1::parse(&flat),
            MrzFormat::Td2 | MrzFormat::Td3 => two_line::parse(format, &flat),
        }
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
    use crate::mrz::specimens::{
        SPECIMEN_MRV_A, SPECIMEN_MRV_B, SPECIMEN_TD1, SPECIMEN_TD2, SPECIMEN_TD3,
    };
    use crate::mrz::{Mrz, MrzKey};

    #[test]
    fn parsing_never_panics_on_any_truncation_or_byte_change() {
        for specimen in [
            SPECIMEN_TD1,
            SPECIMEN_TD2,
            SPECIMEN_TD3,
            SPECIMEN_MRV_A,
            SPECIMEN_MRV_B,
        ] {
            for end in 0..=specimen.len() {
                let _ = Mrz::parse(&specimen[..end]);
            }
            let bytes = specimen.as_bytes();
            for i in 0..bytes.len() {
                for b in [b'<', b'0', b'A', b'\n', b' ', 0xC3, 0x00] {
                    let mut v = bytes.to_vec();
                    v[i] = b;
                    let text = String::from_utf8_lossy(&v);
                    if let Ok(m) = Mrz::parse(&text) {
                        let _ = MrzKey::from_mrz(&m).mrz_information();
                        let _ = m.document_type();
                    }
                }
            }
        }
    }
}
