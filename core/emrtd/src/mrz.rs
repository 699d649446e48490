//! Machine readable zone: check digits, TD1 parsing (the CCCD is a TD1 card) and the BAC
//! access key (`MrzKey`), built either from a full MRZ or from what the CCCD apps collect:
//! the 12-digit ID number and the two dates.

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
    #[error("not a TD1 identity card MRZ (3 lines of 30 characters)")]
    NotTd1,
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
    s.get(r).ok_or(MrzError::NotTd1)
}

fn char_at(s: &str, i: usize) -> Result<char, MrzError> {
    s.as_bytes()
        .get(i)
        .map(|&b| char::from(b))
        .ok_or(MrzError::NotTd1)
}

/// A parsed and check-digit-verified TD1 MRZ (3 lines of 30 characters).
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct Td1Mrz {
    pub document_code: String,
    pub issuing_state: String,
    /// Full document number without fillers (long numbers spill into optional data 1).
    pub document_number: String,
    pub optional_data_1: String,
    pub date_of_birth: String,
    pub sex: char,
    pub date_of_expiry: String,
    pub nationality: String,
    pub optional_data_2: String,
    /// Primary identifier (surname), `<` turned into spaces.
    pub primary_identifier: String,
    /// Secondary identifier (given names), `<` turned into spaces.
    pub secondary_identifier: String,
}

impl std::fmt::Debug for Td1Mrz {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Td1Mrz")
            .field("document_code", &self.document_code)
            .field("issuing_state", &self.issuing_state)
            .finish_non_exhaustive()
    }
}

impl Td1Mrz {
    /// Parses 90 MRZ characters, as three lines separated by line breaks or concatenated.
    /// All check digits, including the composite one, must match.
    pub fn parse(text: &str) -> Result<Self, MrzError> {
        let flat: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        if flat.len() != 90 || !flat.is_ascii() {
            return Err(MrzError::NotTd1);
        }
        validate_chars(&flat, MrzField::Line)?;
        let (l1, l2, l3) = (sub(&flat, 0..30)?, sub(&flat, 30..60)?, sub(&flat, 60..90)?);
        let document_code = sub(l1, 0..2)?;
        if !document_code.starts_with(['I', 'A', 'C']) {
            return Err(MrzError::NotTd1);
        }
        let doc_field = sub(l1, 5..14)?;
        let doc_cd = char_at(l1, 14)?;
        let optional_data_1 = sub(l1, 15..30)?;
        let document_number = if doc_cd == '<' {
            // Part 5 §4.2.4: a number longer than 9 characters continues in optional data 1,
            // followed by its check digit and a filler.
            let spill: &str = optional_data_1.split('<').next().unwrap_or("");
            let (rest, cd) = spill.split_at(spill.len().saturating_sub(1));
            let full = format!("{doc_field}{rest}");
            verify(
                &full,
                cd.chars().next().unwrap_or('<'),
                MrzField::DocumentNumber,
            )?;
            full
        } else {
            verify(doc_field, doc_cd, MrzField::DocumentNumber)?;
            doc_field.trim_end_matches('<').to_string()
        };
        let dob = sub(l2, 0..6)?;
        validate_date(dob, MrzField::DateOfBirth)?;
        verify(dob, char_at(l2, 6)?, MrzField::DateOfBirth)?;
        let doe = sub(l2, 8..14)?;
        validate_date(doe, MrzField::DateOfExpiry)?;
        verify(doe, char_at(l2, 14)?, MrzField::DateOfExpiry)?;
        let composite = format!(
            "{}{}{}{}",
            sub(l1, 5..30)?,
            sub(l2, 0..7)?,
            sub(l2, 8..15)?,
            sub(l2, 18..29)?
        );
        verify(&composite, char_at(l2, 29)?, MrzField::Composite)?;
        let mut names = l3.trim_end_matches('<').splitn(2, "<<");
        let clean = |s: &str| s.replace('<', " ").trim().to_string();
        let primary_identifier = clean(names.next().unwrap_or(""));
        let secondary_identifier = clean(names.next().unwrap_or(""));
        Ok(Self {
            document_code: document_code.trim_end_matches('<').to_string(),
            issuing_state: sub(l1, 2..5)?.to_string(),
            document_number,
            optional_data_1: optional_data_1.to_string(),
            date_of_birth: dob.to_string(),
            sex: char_at(l2, 7)?,
            date_of_expiry: doe.to_string(),
            nationality: sub(l2, 15..18)?.to_string(),
            optional_data_2: sub(l2, 18..29)?.to_string(),
            primary_identifier,
            secondary_identifier,
        })
    }

    /// The 12-digit personal ID number a Vietnamese CCCD carries at the start of optional
    /// data 1, if this MRZ has one.
    pub fn cccd_id_number(&self) -> Option<&str> {
        if self.issuing_state != "VNM" {
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

    /// The key of a parsed MRZ.
    pub fn from_td1(mrz: &Td1Mrz) -> Self {
        Self {
            document_number: mrz.document_number.clone(),
            date_of_birth: mrz.date_of_birth.clone(),
            date_of_expiry: mrz.date_of_expiry.clone(),
        }
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
            DocumentNumberRule::Explicit(d) => d.as_str(),
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
        assert_eq!(Td1Mrz::parse("I<UTO"), Err(MrzError::NotTd1));
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

    #[test]
    fn debug_output_hides_personal_data() {
        let key = MrzKey::new("L898902C", "690806", "940623").unwrap();
        assert!(!format!("{key:?}").contains("L898"));
        let mrz = Td1Mrz::parse(SPECIMEN_TD1).unwrap();
        assert!(!format!("{mrz:?}").contains("ERIKSSON"));
    }
}
