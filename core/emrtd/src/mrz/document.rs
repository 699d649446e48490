//! The parsed MRZ: its format (TD1, TD2, TD3), the fields every format shares, and the kind
//! of document it belongs to, including the recognition of a Vietnamese CCCD. Holds data
//! only; reading it from text is the job of the layouts and the parser.

use zeroize::{Zeroize, ZeroizeOnDrop};

/// The three MRZ sizes of Doc 9303: TD1 cards (3 × 30, Part 5), TD2 cards and MRV-B visas
/// (2 × 36, Parts 6 and 7), TD3 passports and MRV-A visas (2 × 44, Parts 4 and 7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Zeroize)]
pub enum MrzFormat {
    Td1,
    Td2,
    Td3,
}

impl MrzFormat {
    pub(super) fn line_len(self) -> usize {
        match self {
            Self::Td1 => 30,
            Self::Td2 => 36,
            Self::Td3 => 44,
        }
    }

    pub(super) fn lines(self) -> usize {
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

impl Mrz {
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

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
mod tests {
    use super::*;
    use crate::mrz::specimens::cccd_mrz;

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
    fn a_cccd_mrz_names_its_document_type() {
        let text = cccd_mrz("079203012345", "030115", "280115");
        assert_eq!(
            Mrz::parse(&text).unwrap().document_type(),
            DocumentType::Cccd
        );
    }
}
