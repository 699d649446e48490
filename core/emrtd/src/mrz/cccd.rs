//! The CCCD's access key from what the CCCD apps collect: the 12-digit ID number and the two
//! dates, with the rule that gives the document number from the ID number.

use super::MrzError;
use super::key::MrzKey;
use zeroize::{Zeroize, ZeroizeOnDrop};

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

impl MrzKey {
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
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
mod tests {
    use crate::mrz::specimens::cccd_mrz;
    use crate::mrz::{DocumentNumberRule, MrzError, MrzKey, Td1Mrz};

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
}
