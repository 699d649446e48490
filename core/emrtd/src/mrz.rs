//! Machine readable zone: check digits, parsing of the three Doc 9303 formats (TD1 cards such
//! as the CCCD, TD2 cards and visas, TD3 passports and visas) and the BAC access key
//! (`MrzKey`), built from a full MRZ, from any document number and the two dates, or from
//! what the CCCD apps collect: the 12-digit ID number and the two dates.

use crate::kdf::{KeyAlgorithm, KeyPair, SecretKey};
use sha1::{Digest, Sha1};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// The MRZ field an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MrzField {
    DocumentCode,
    DocumentNumber,
    DateOfBirth,
    DateOfExpiry,
    Composite,
    IdNumber,
    PersonalNumber,
    Line,
}

/// Why MRZ text or key input is not acceptable. Never contains the personal data itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MrzError {
    #[error("character outside A-Z, 0-9 and '<' in {0:?}")]
    InvalidCharacter(MrzField),
    #[error("{field:?} has {found} characters, expected {expected}")]
    WrongLength {
        field: MrzField,
        expected: usize,
        found: usize,
    },
    #[error("check digit of {0:?} does not match")]
    CheckDigit(MrzField),
    #[error("{0:?} is not a YYMMDD date")]
    InvalidDate(MrzField),
    #[error("not a TD1, TD2 or TD3 MRZ (3 lines of 30, 2 of 36 or 2 of 44 characters)")]
    UnknownFormat,
    #[error("the document code does not fit the MRZ format")]
    DocumentCode,
    #[error("the ID number must be 12 digits")]
    InvalidIdNumber,
}

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

fn verify(field: &str, digit: char, which: MrzField) -> Result<(), MrzError> {
    match check_digit(field) {
        Some(d) if d == digit => Ok(()),
        Some(_) => Err(MrzError::CheckDigit(which)),
        None => Err(MrzError::InvalidCharacter(which)),
    }
}

fn validate_chars(s: &str, field: MrzField) -> Result<(), MrzError> {
    if s.bytes().all(|c| char_value(c).is_some()) {
        Ok(())
    } else {
        Err(MrzError::InvalidCharacter(field))
    }
}

/// YYMMDD, where unknown parts may be filled with `<` as Part 3 allows (cards without expiry
/// may print fillers).
fn validate_date(s: &str, field: MrzField) -> Result<(), MrzError> {
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

fn sub(s: &str, r: std::ops::Range<usize>) -> Result<&str, MrzError> {
    s.get(r).ok_or(MrzError::UnknownFormat)
}

fn char_at(s: &str, i: usize) -> Result<char, MrzError> {
    s.as_bytes()
        .get(i)
        .map(|&b| char::from(b))
        .ok_or(MrzError::UnknownFormat)
}

/// The three MRZ sizes of Doc 9303: TD1 cards (3 × 30, Part 5), TD2 cards and MRV-B visas
/// (2 × 36, Parts 6 and 7), TD3 passports and MRV-A visas (2 × 44, Parts 4 and 7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Zeroize)]
pub enum MrzFormat {
    Td1,
    Td2,
    Td3,
}

impl MrzFormat {
    fn line_len(self) -> usize {
        match self {
            Self::Td1 => 30,
            Self::Td2 => 36,
            Self::Td3 => 44,
        }
    }

    fn lines(self) -> usize {
        match self {
            Self::Td1 => 3,
            Self::Td2 | Self::Td3 => 2,
        }
    }
}

/// What kind of document an MRZ belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentType {
    /// The Vietnamese citizen identity card (CCCD): a TD1 card of VNM with the 12-digit ID
    /// number at the start of optional data 1.
    Cccd,
    /// Any other identity or travel card (document code I, A or C), TD1 or TD2.
    IdCard,
    /// A passport (document code P), TD3.
    Passport,
    /// A machine readable visa (document code V), MRV-A (TD3 size) or MRV-B (TD2 size).
    Visa,
    /// A document code Doc 9303 does not define.
    Other,
}

/// A parsed and check-digit-verified MRZ of any Doc 9303 format.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct Mrz {
    pub format: MrzFormat,
    pub document_code: String,
    pub issuing_state: String,
    /// Full document number without fillers (long numbers of TD1 and TD2 spill into the
    /// optional data).
    pub document_number: String,
    /// TD1: optional data of line 1; TD2: optional data of line 2; TD3: the personal number
    /// field; MRV: the optional data of line 2.
    pub optional_data_1: String,
    pub date_of_birth: String,
    pub sex: char,
    pub date_of_expiry: String,
    pub nationality: String,
    /// TD1: optional data of line 2; empty for the other formats.
    pub optional_data_2: String,
    /// Primary identifier (surname), `<` turned into spaces.
    pub primary_identifier: String,
    /// Secondary identifier (given names), `<` turned into spaces.
    pub secondary_identifier: String,
}

/// The former name of [`Mrz`], from when only TD1 was parsed.
pub type Td1Mrz = Mrz;

impl std::fmt::Debug for Mrz {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mrz")
            .field("format", &self.format)
            .field("document_code", &self.document_code)
            .field("issuing_state", &self.issuing_state)
            .finish_non_exhaustive()
    }
}

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

/// A document number field with its check digit, including the long-number rule of Part 5
/// §4.2.4 and Part 6 §4.2.4: a `<` in place of the check digit says the number goes on in
/// the optional data, where its last characters are followed by the check digit (computed
/// over the whole number) and a filler.
fn document_number(field: &str, cd: char, optional: &str) -> Result<String, MrzError> {
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

fn dated(line: &str, at: usize, field: MrzField) -> Result<String, MrzError> {
    let date = sub(line, at..at + 6)?;
    validate_date(date, field)?;
    verify(date, char_at(line, at + 6)?, field)?;
    Ok(date.to_string())
}

fn names(field: &str) -> (String, String) {
    let mut parts = field.trim_end_matches('<').splitn(2, "<<");
    let clean = |s: &str| s.replace('<', " ").trim().to_string();
    let primary = clean(parts.next().unwrap_or(""));
    let secondary = clean(parts.next().unwrap_or(""));
    (primary, secondary)
}

impl Mrz {
    /// Parses a TD1 (3 × 30), TD2 (2 × 36) or TD3 (2 × 44) MRZ, as lines separated by line
    /// breaks (surrounding whitespace ignored) or concatenated. Every check digit the format
    /// has, including the composite one, must match (visas have no composite check digit).
    pub fn parse(text: &str) -> Result<Self, MrzError> {
        let (format, flat) = normalise(text)?;
        validate_chars(&flat, MrzField::Line)?;
        match format {
            MrzFormat::Td1 => Self::parse_td1(&flat),
            MrzFormat::Td2 | MrzFormat::Td3 => Self::parse_two_line(format, &flat),
        }
    }

    fn parse_td1(flat: &str) -> Result<Self, MrzError> {
        let (l1, l2, l3) = (sub(flat, 0..30)?, sub(flat, 30..60)?, sub(flat, 60..90)?);
        let document_code = sub(l1, 0..2)?;
        if !document_code.starts_with(['I', 'A', 'C']) {
            return Err(MrzError::DocumentCode);
        }
        let optional_data_1 = sub(l1, 15..30)?;
        let document_number = document_number(sub(l1, 5..14)?, char_at(l1, 14)?, optional_data_1)?;
        let date_of_birth = dated(l2, 0, MrzField::DateOfBirth)?;
        let date_of_expiry = dated(l2, 8, MrzField::DateOfExpiry)?;
        let composite = format!(
            "{}{}{}{}",
            sub(l1, 5..30)?,
            sub(l2, 0..7)?,
            sub(l2, 8..15)?,
            sub(l2, 18..29)?
        );
        verify(&composite, char_at(l2, 29)?, MrzField::Composite)?;
        let (primary_identifier, secondary_identifier) = names(l3);
        Ok(Self {
            format: MrzFormat::Td1,
            document_code: document_code.trim_end_matches('<').to_string(),
            issuing_state: sub(l1, 2..5)?.to_string(),
            document_number,
            optional_data_1: optional_data_1.to_string(),
            date_of_birth,
            sex: char_at(l2, 7)?,
            date_of_expiry,
            nationality: sub(l2, 15..18)?.to_string(),
            optional_data_2: sub(l2, 18..29)?.to_string(),
            primary_identifier,
            secondary_identifier,
        })
    }

    /// TD2 (Part 6), TD3 (Part 4) and the visas MRV-B and MRV-A (Part 7) share the layout of
    /// line 2 up to the date of expiry's check digit.
    fn parse_two_line(format: MrzFormat, flat: &str) -> Result<Self, MrzError> {
        let len = format.line_len();
        let (l1, l2) = (sub(flat, 0..len)?, sub(flat, len..2 * len)?);
        let document_code = sub(l1, 0..2)?;
        let visa = document_code.starts_with('V');
        let allowed = match format {
            MrzFormat::Td3 => ['P', 'V'].as_slice(),
            _ => ['I', 'A', 'C', 'V'].as_slice(),
        };
        if !document_code.starts_with(allowed) {
            return Err(MrzError::DocumentCode);
        }
        let date_of_birth = dated(l2, 13, MrzField::DateOfBirth)?;
        let date_of_expiry = dated(l2, 21, MrzField::DateOfExpiry)?;
        // Optional data (TD2, visas) or the personal number (TD3) up to the check digits.
        let optional_end = match (format, visa) {
            (_, true) => len,
            (MrzFormat::Td3, false) => 42,
            _ => len - 1,
        };
        let optional = sub(l2, 28..optional_end)?;
        let document_number = if visa || format == MrzFormat::Td3 {
            verify(sub(l2, 0..9)?, char_at(l2, 9)?, MrzField::DocumentNumber)?;
            sub(l2, 0..9)?.trim_end_matches('<').to_string()
        } else {
            document_number(sub(l2, 0..9)?, char_at(l2, 9)?, optional)?
        };
        if !visa {
            if format == MrzFormat::Td3 {
                // Part 4 §4.2.2: an unused personal number may carry '<' as its check digit.
                let cd = char_at(l2, 42)?;
                if !(cd == '<' && optional.bytes().all(|b| b == b'<')) {
                    verify(optional, cd, MrzField::PersonalNumber)?;
                }
            }
            let composite = format!(
                "{}{}{}",
                sub(l2, 0..10)?,
                sub(l2, 13..20)?,
                sub(l2, 21..len - 1)?
            );
            verify(&composite, char_at(l2, len - 1)?, MrzField::Composite)?;
        }
        let (primary_identifier, secondary_identifier) = names(sub(l1, 5..len)?);
        Ok(Self {
            format,
            document_code: document_code.trim_end_matches('<').to_string(),
            issuing_state: sub(l1, 2..5)?.to_string(),
            document_number,
            optional_data_1: optional.to_string(),
            date_of_birth,
            sex: char_at(l2, 20)?,
            date_of_expiry,
            nationality: sub(l2, 10..13)?.to_string(),
            optional_data_2: String::new(),
            primary_identifier,
            secondary_identifier,
        })
    }

    /// The kind of document this MRZ belongs to.
    pub fn document_type(&self) -> DocumentType {
        if self.cccd_id_number().is_some() {
            return DocumentType::Cccd;
        }
        match self.document_code.chars().next() {
            Some('P') => DocumentType::Passport,
            Some('V') => DocumentType::Visa,
            Some('I' | 'A' | 'C') => DocumentType::IdCard,
            _ => DocumentType::Other,
        }
    }

    /// The 12-digit personal ID number a Vietnamese CCCD carries at the start of optional
    /// data 1, if this MRZ has one.
    pub fn cccd_id_number(&self) -> Option<&str> {
        if self.format != MrzFormat::Td1 || self.issuing_state != "VNM" {
            return None;
        }
        let candidate = self.optional_data_1.get(..12)?;
        candidate
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then_some(candidate)
    }
}

/// How the CCCD document number is obtained from the 12-digit ID number.
///
/// Public sources say the document number in the MRZ is the last 9 digits of the ID number,
/// but this is not confirmed for every card generation, so the rule is a value the caller can
/// replace rather than an assumption buried in the key derivation.
#[derive(Clone, PartialEq, Eq, Default, Zeroize, ZeroizeOnDrop)]
pub enum DocumentNumberRule {
    /// Document number = last 9 digits of the ID number (the assumption of open readers).
    #[default]
    LastNineDigitsOfIdNumber,
    /// The document number as printed on the card, when it is known (e.g. from OCR).
    Explicit(String),
}

impl std::fmt::Debug for DocumentNumberRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::LastNineDigitsOfIdNumber => f.write_str("LastNineDigitsOfIdNumber"),
            Self::Explicit(_) => f.write_str("Explicit(<redacted>)"),
        }
    }
}

/// The MRZ-derived access key of BAC (and of PACE with an MRZ password): document number,
/// date of birth and date of expiry. Check digits are always computed here, never taken from
/// the caller.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct MrzKey {
    document_number: String,
    date_of_birth: String,
    date_of_expiry: String,
}

impl std::fmt::Debug for MrzKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MrzKey(<redacted>)")
    }
}

impl MrzKey {
    /// Builds a key from the three values as printed (the document number without its check
    /// digit; dates as YYMMDD). Lower-case letters are accepted and upper-cased.
    pub fn new(
        document_number: &str,
        date_of_birth: &str,
        date_of_expiry: &str,
    ) -> Result<Self, MrzError> {
        let document_number = document_number.trim().to_ascii_uppercase();
        if document_number.is_empty() {
            return Err(MrzError::WrongLength {
                field: MrzField::DocumentNumber,
                expected: 9,
                found: 0,
            });
        }
        validate_chars(&document_number, MrzField::DocumentNumber)?;
        validate_date(date_of_birth, MrzField::DateOfBirth)?;
        validate_date(date_of_expiry, MrzField::DateOfExpiry)?;
        Ok(Self {
            document_number,
            date_of_birth: date_of_birth.to_string(),
            date_of_expiry: date_of_expiry.to_string(),
        })
    }

    /// The key of a parsed MRZ of any format.
    pub fn from_mrz(mrz: &Mrz) -> Self {
        Self {
            document_number: mrz.document_number.clone(),
            date_of_birth: mrz.date_of_birth.clone(),
            date_of_expiry: mrz.date_of_expiry.clone(),
        }
    }

    /// The key of a parsed MRZ (any format; the name is from when only TD1 was parsed).
    pub fn from_td1(mrz: &Mrz) -> Self {
        Self::from_mrz(mrz)
    }

    /// The key from the full MRZ text (two or three lines, as a camera MRZ scanner hands it
    /// over): every check digit is verified before the key is built.
    pub fn from_mrz_text(text: &str) -> Result<Self, MrzError> {
        Ok(Self::from_mrz(&Mrz::parse(text)?))
    }

    /// The key from any document number as printed (letters, digits, `<` fillers, longer than
    /// 9 characters when the document has such a number) and the YYMMDD dates. Trailing `<`
    /// fillers are not part of the number.
    pub fn from_document_number(
        document_number: &str,
        date_of_birth: &str,
        date_of_expiry: &str,
    ) -> Result<Self, MrzError> {
        let number = document_number.trim().trim_end_matches('<');
        Self::new(number, date_of_birth.trim(), date_of_expiry.trim())
    }

    /// The key of a CCCD from the 12-digit ID number and the YYMMDD dates, which is what the
    /// CCCD apps ask the citizen for. `rule` says how the document number follows from the ID
    /// number; use [`DocumentNumberRule::default`] unless the card says otherwise.
    pub fn from_cccd(
        id_number: &str,
        date_of_birth: &str,
        date_of_expiry: &str,
        rule: &DocumentNumberRule,
    ) -> Result<Self, MrzError> {
        let id = id_number.trim();
        if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(MrzError::InvalidIdNumber);
        }
        let doc = match rule {
            DocumentNumberRule::LastNineDigitsOfIdNumber => {
                id.get(3..).ok_or(MrzError::InvalidIdNumber)?
            }
            DocumentNumberRule::Explicit(d) => {
                return Self::from_document_number(d, date_of_birth, date_of_expiry);
            }
        };
        Self::new(doc, date_of_birth, date_of_expiry)
    }

    /// The document number used in the key (without check digit or fillers).
    pub fn document_number(&self) -> &str {
        &self.document_number
    }

    /// `MRZ_information` of Part 11 §9.7.2: document number padded to 9 with `<` and each of the
    /// three fields followed by its check digit.
    pub fn mrz_information(&self) -> Result<Zeroizing<String>, MrzError> {
        let mut doc = self.document_number.clone();
        while doc.len() < 9 {
            doc.push('<');
        }
        let cd = |s: &str, f| check_digit(s).ok_or(MrzError::InvalidCharacter(f));
        let mut out = Zeroizing::new(String::with_capacity(doc.len() + 15));
        out.push_str(&doc);
        out.push(cd(&doc, MrzField::DocumentNumber)?);
        out.push_str(&self.date_of_birth);
        out.push(cd(&self.date_of_birth, MrzField::DateOfBirth)?);
        out.push_str(&self.date_of_expiry);
        out.push(cd(&self.date_of_expiry, MrzField::DateOfExpiry)?);
        doc.zeroize();
        Ok(out)
    }

    /// `K_seed`: the first 16 bytes of SHA-1(MRZ_information).
    pub fn key_seed(&self) -> Result<SecretKey, MrzError> {
        let info = self.mrz_information()?;
        let digest = Sha1::digest(info.as_bytes());
        Ok(SecretKey::new(digest.iter().take(16).copied().collect()))
    }

    /// The BAC keys `K_enc` and `K_mac` derived from `K_seed`.
    pub fn bac_keys(&self) -> Result<KeyPair, MrzError> {
        Ok(KeyPair::derive(
            self.key_seed()?.as_bytes(),
            KeyAlgorithm::Tdes,
        ))
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
    use super::*;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    /// Doc 9303 Part 5 specimen TD1 (Utopia, Eriksson Anna Maria).
    const SPECIMEN_TD1: &str = "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<";

    #[test]
    fn check_digits_match_the_doc_examples() {
        assert_eq!(check_digit("L898902C<"), Some('3'));
        assert_eq!(check_digit("690806"), Some('1'));
        assert_eq!(check_digit("940623"), Some('6'));
        assert_eq!(check_digit("520727"), Some('3'));
        assert_eq!(check_digit("abc"), None);
    }

    #[test]
    fn doc_9303_appendix_d2_key_seed_and_bac_keys() {
        let key = MrzKey::new("L898902C", "690806", "940623").unwrap();
        assert_eq!(
            key.mrz_information().unwrap().as_str(),
            "L898902C<369080619406236"
        );
        assert_eq!(
            key.key_seed().unwrap().as_bytes(),
            h("239AB9CB282DAF66231DC5A4DF6BFBAE")
        );
        let keys = key.bac_keys().unwrap();
        assert_eq!(keys.enc.as_bytes(), h("AB94FDECF2674FDFB9B391F85D7F76F2"));
        assert_eq!(keys.mac.as_bytes(), h("7962D9ECE03D1ACD4C76089DCE131543"));
    }

    #[test]
    fn parses_the_part_5_td1_specimen() {
        let mrz = Td1Mrz::parse(SPECIMEN_TD1).unwrap();
        assert_eq!(mrz.document_number, "D23145890");
        assert_eq!(
            (mrz.date_of_birth.as_str(), mrz.date_of_expiry.as_str()),
            ("740812", "120415")
        );
        assert_eq!(mrz.sex, 'F');
        assert_eq!(mrz.primary_identifier, "ERIKSSON");
        assert_eq!(mrz.secondary_identifier, "ANNA MARIA");
        assert_eq!(mrz.cccd_id_number(), None);
    }

    #[test]
    fn a_wrong_check_digit_names_the_field() {
        let bad = SPECIMEN_TD1.replacen("D231458907", "D231458908", 1);
        assert_eq!(
            Td1Mrz::parse(&bad),
            Err(MrzError::CheckDigit(MrzField::DocumentNumber))
        );
        let bad = SPECIMEN_TD1.replacen("7408122", "7408123", 1);
        assert_eq!(
            Td1Mrz::parse(&bad),
            Err(MrzError::CheckDigit(MrzField::DateOfBirth))
        );
        assert_eq!(Td1Mrz::parse("I<UTO"), Err(MrzError::UnknownFormat));
    }

    /// A synthetic CCCD MRZ laid out as the cards print it.
    fn cccd_mrz(id: &str, dob: &str, doe: &str) -> String {
        let doc = &id[3..];
        let l1 = format!("IDVNM{doc}{}{id}<<<", check_digit(doc).unwrap());
        let l2_head = format!(
            "{dob}{}M{doe}{}VNM",
            check_digit(dob).unwrap(),
            check_digit(doe).unwrap()
        );
        let l2_body = format!("{l2_head}<<<<<<<<<<<");
        let composite = format!(
            "{}{}{}{}",
            &l1[5..30],
            &l2_body[0..7],
            &l2_body[8..15],
            &l2_body[18..29]
        );
        let l2 = format!("{l2_body}{}", check_digit(&composite).unwrap());
        format!("{l1}\n{l2}\nNGUYEN<<VAN<AN<<<<<<<<<<<<<<<<")
    }

    #[test]
    fn parses_a_cccd_mrz_and_finds_the_12_digit_id_number() {
        let text = cccd_mrz("079203012345", "030115", "280115");
        let mrz = Td1Mrz::parse(&text).unwrap();
        assert_eq!(mrz.document_code, "ID");
        assert_eq!(mrz.document_number, "203012345");
        assert_eq!(mrz.cccd_id_number(), Some("079203012345"));
        assert_eq!(mrz.secondary_identifier, "VAN AN");
    }

    #[test]
    fn cccd_key_from_id_number_equals_key_from_the_printed_mrz() {
        let text = cccd_mrz("079203012345", "030115", "280115");
        let from_mrz = MrzKey::from_td1(&Td1Mrz::parse(&text).unwrap());
        let from_id = MrzKey::from_cccd(
            "079203012345",
            "030115",
            "280115",
            &DocumentNumberRule::default(),
        )
        .unwrap();
        assert_eq!(from_mrz, from_id);
        assert_eq!(from_id.document_number(), "203012345");
    }

    #[test]
    fn cccd_document_number_rule_can_be_overridden() {
        let rule = DocumentNumberRule::Explicit("C01234567".into());
        let key = MrzKey::from_cccd("079203012345", "030115", "280115", &rule).unwrap();
        assert_eq!(key.document_number(), "C01234567");
        assert_eq!(
            MrzKey::from_cccd("07920301234", "030115", "280115", &rule),
            Err(MrzError::InvalidIdNumber)
        );
    }

    #[test]
    fn key_inputs_are_validated() {
        assert_eq!(
            MrzKey::new("L898902C", "691306", "940623"),
            Err(MrzError::InvalidDate(MrzField::DateOfBirth))
        );
        assert_eq!(
            MrzKey::new("L89-8902C", "690806", "940623"),
            Err(MrzError::InvalidCharacter(MrzField::DocumentNumber))
        );
        assert!(MrzKey::new("l898902c", "690806", "<<<<<<").is_ok());
    }

    #[test]
    fn long_document_numbers_spill_into_optional_data() {
        // Part 5 example of a 12-character number: D23145890734, check digit 9.
        let l1 = "I<UTOD23145890<7349<<<<<<<<<<<";
        let l2_body = "7408122F1204159UTO<<<<<<<<<<<";
        let composite = format!(
            "{}{}{}{}",
            &l1[5..30],
            &l2_body[0..7],
            &l2_body[8..15],
            &l2_body[18..29]
        );
        let text = format!(
            "{l1}{l2_body}{}ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
            check_digit(&composite).unwrap()
        );
        let mrz = Td1Mrz::parse(&text).unwrap();
        assert_eq!(mrz.document_number, "D23145890734");
    }

    /// Doc 9303 Part 4 §4.2 specimen TD3 passport (Utopia, Eriksson Anna Maria).
    const SPECIMEN_TD3: &str = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10";
    /// Doc 9303 Part 6 §4.2 specimen TD2 card.
    const SPECIMEN_TD2: &str =
        "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6";
    /// Doc 9303 Part 7 specimen MRV-A and MRV-B visas.
    const SPECIMEN_MRV_A: &str = "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL8988901C4XXX4009078F96121096ZE184226B<<<<<<";
    const SPECIMEN_MRV_B: &str =
        "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nL8988901C4XXX4009078F9612109<<<<<<<<";

    #[test]
    fn parses_the_part_4_td3_passport_specimen() {
        let mrz = Mrz::parse(SPECIMEN_TD3).unwrap();
        assert_eq!(mrz.format, MrzFormat::Td3);
        assert_eq!(mrz.document_type(), DocumentType::Passport);
        assert_eq!(mrz.document_number, "L898902C3");
        assert_eq!(mrz.issuing_state, "UTO");
        assert_eq!(mrz.nationality, "UTO");
        assert_eq!(
            (mrz.date_of_birth.as_str(), mrz.date_of_expiry.as_str()),
            ("740812", "120415")
        );
        assert_eq!(mrz.sex, 'F');
        assert_eq!(mrz.optional_data_1, "ZE184226B<<<<<");
        assert_eq!(mrz.primary_identifier, "ERIKSSON");
        assert_eq!(mrz.secondary_identifier, "ANNA MARIA");
    }

    #[test]
    fn parses_the_part_6_td2_card_specimen() {
        let mrz = Mrz::parse(SPECIMEN_TD2).unwrap();
        assert_eq!(mrz.format, MrzFormat::Td2);
        assert_eq!(mrz.document_type(), DocumentType::IdCard);
        assert_eq!(mrz.document_number, "D23145890");
        assert_eq!(mrz.sex, 'F');
        assert_eq!(mrz.date_of_expiry, "120415");
        assert_eq!(mrz.secondary_identifier, "ANNA MARIA");
        let td1 = Mrz::parse(SPECIMEN_TD1).unwrap();
        assert_eq!(td1.format, MrzFormat::Td1);
        assert_eq!(td1.document_type(), DocumentType::IdCard);
    }

    #[test]
    fn parses_the_part_7_visa_specimens() {
        for (text, format) in [
            (SPECIMEN_MRV_A, MrzFormat::Td3),
            (SPECIMEN_MRV_B, MrzFormat::Td2),
        ] {
            let mrz = Mrz::parse(text).unwrap();
            assert_eq!(mrz.format, format);
            assert_eq!(mrz.document_type(), DocumentType::Visa);
            assert_eq!(mrz.document_number, "L8988901C");
            assert_eq!(mrz.nationality, "XXX");
            assert_eq!(mrz.date_of_birth, "400907");
        }
    }

    #[test]
    fn a_cccd_mrz_names_its_document_type() {
        let text = cccd_mrz("079203012345", "030115", "280115");
        assert_eq!(
            Mrz::parse(&text).unwrap().document_type(),
            DocumentType::Cccd
        );
    }

    #[test]
    fn wrong_check_digits_of_td2_and_td3_name_the_field() {
        let cases = [
            (
                SPECIMEN_TD3.replacen("L898902C36", "L898902C37", 1),
                MrzField::DocumentNumber,
            ),
            (
                SPECIMEN_TD3.replacen("7408122", "7408123", 1),
                MrzField::DateOfBirth,
            ),
            (
                SPECIMEN_TD3.replacen("1204159", "1204158", 1),
                MrzField::DateOfExpiry,
            ),
            (
                SPECIMEN_TD3.replacen("<<<<<10", "<<<<<20", 1),
                MrzField::PersonalNumber,
            ),
            (
                SPECIMEN_TD3.replacen("<<<<<10", "<<<<<11", 1),
                MrzField::Composite,
            ),
            (
                SPECIMEN_TD2.replacen("<<<<<<<6", "<<<<<<<5", 1),
                MrzField::Composite,
            ),
            (
                SPECIMEN_TD2.replacen("D231458907", "D231458906", 1),
                MrzField::DocumentNumber,
            ),
        ];
        for (text, field) in cases {
            assert_eq!(
                Mrz::parse(&text),
                Err(MrzError::CheckDigit(field)),
                "{field:?}"
            );
        }
        // A passport code on a card-sized MRZ, and a card code on a passport-sized one.
        assert_eq!(
            Mrz::parse(&SPECIMEN_TD2.replacen("I<UTO", "P<UTO", 1)),
            Err(MrzError::DocumentCode)
        );
        assert_eq!(
            Mrz::parse(&SPECIMEN_TD3.replacen("P<UTO", "I<UTO", 1)),
            Err(MrzError::DocumentCode)
        );
    }

    #[test]
    fn td2_long_document_numbers_spill_into_optional_data() {
        // Part 6 §4.2.4 rule: check digit '<', the rest of the number and its check digit in
        // the optional data. Number D23145890734 (check digit 9, as in Part 5's example).
        let body = "D23145890<UTO7408122F1204159";
        let head = format!("{body}7349<<<");
        let composite = format!("{}{}{}", &head[0..10], &head[13..20], &head[21..35]);
        let text = format!(
            "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\n{head}{}",
            check_digit(&composite).unwrap()
        );
        let mrz = Mrz::parse(&text).unwrap();
        assert_eq!(mrz.document_number, "D23145890734");
        let key = MrzKey::from_mrz(&mrz);
        assert_eq!(
            key.mrz_information().unwrap().as_str(),
            "D23145890734974081221204159"
        );
    }

    #[test]
    fn mrz_text_from_a_camera_scanner_is_accepted_with_surrounding_whitespace() {
        let scanned = format!("\r\n  {}  \r\n", SPECIMEN_TD3.replace('\n', "\r\n"));
        let key = MrzKey::from_mrz_text(&scanned).unwrap();
        assert_eq!(
            key,
            MrzKey::from_document_number("L898902C3", "740812", "120415").unwrap()
        );
        let td1 = MrzKey::from_mrz_text(&format!(" {SPECIMEN_TD1}\n")).unwrap();
        assert_eq!(td1.document_number(), "D23145890");
        let td2 = MrzKey::from_mrz_text(&SPECIMEN_TD2.to_ascii_lowercase()).unwrap();
        assert_eq!(td2.document_number(), "D23145890");
        // Lines split at the wrong place are refused, not guessed at.
        let (a, b) = SPECIMEN_TD3.split_at(40);
        assert_eq!(
            MrzKey::from_mrz_text(&format!("{a}\n{}", b.trim())),
            Err(MrzError::UnknownFormat)
        );
        // A mistyped MRZ is refused by its check digits.
        assert_eq!(
            MrzKey::from_mrz_text(&SPECIMEN_TD3.replacen("L898902C3", "L898902C4", 1)),
            Err(MrzError::CheckDigit(MrzField::DocumentNumber))
        );
    }

    #[test]
    fn any_document_number_makes_a_key() {
        // Alphanumeric with fillers: the Part 11 Appendix D.2 key.
        let key = MrzKey::from_document_number("L898902C<", "690806", "940623").unwrap();
        assert_eq!(
            key.mrz_information().unwrap().as_str(),
            "L898902C<369080619406236"
        );
        // Longer than 9 characters: the whole number and its check digit.
        let long = MrzKey::from_document_number("D23145890734", "740812", "120415").unwrap();
        assert_eq!(
            long.mrz_information().unwrap().as_str(),
            "D23145890734974081221204159"
        );
        assert!(MrzKey::from_document_number("<<<", "690806", "940623").is_err());
        // The CCCD path with an explicit document number uses the same rules.
        let rule = DocumentNumberRule::Explicit("L898902C<".into());
        assert_eq!(
            MrzKey::from_cccd("079203012345", "690806", "940623", &rule).unwrap(),
            key
        );
    }

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

    #[test]
    fn debug_output_hides_personal_data() {
        let key = MrzKey::new("L898902C", "690806", "940623").unwrap();
        assert!(!format!("{key:?}").contains("L898"));
        let mrz = Td1Mrz::parse(SPECIMEN_TD1).unwrap();
        assert!(!format!("{mrz:?}").contains("ERIKSSON"));
    }
}
