//! The MRZ-derived access key of BAC and of PACE with an MRZ password: document number,
//! date of birth and date of expiry, from a parsed MRZ, from MRZ text or typed in, and what
//! Doc 9303 Part 11 derives from it (`MRZ_information`, `K_seed`, the BAC keys).

use super::check::{check_digit, validate_chars, validate_date};
use super::document::Mrz;
use super::{MrzError, MrzField};
use crate::kdf::{KeyAlgorithm, KeyPair, SecretKey};
use sha1::{Digest, Sha1};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

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
    use crate::mrz::specimens::{SPECIMEN_TD1, SPECIMEN_TD2, SPECIMEN_TD3};
    use crate::mrz::{DocumentNumberRule, MrzError, MrzField, MrzKey, Td1Mrz};

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
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
    fn debug_output_hides_personal_data() {
        let key = MrzKey::new("L898902C", "690806", "940623").unwrap();
        assert!(!format!("{key:?}").contains("L898"));
        let mrz = Td1Mrz::parse(SPECIMEN_TD1).unwrap();
        assert!(!format!("{mrz:?}").contains("ERIKSSON"));
    }
}
