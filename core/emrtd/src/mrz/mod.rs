//! Machine readable zone: check digits, parsing of the three Doc 9303 formats (TD1 cards such
//! as the CCCD, TD2 cards and visas, TD3 passports and visas) and the BAC access key
//! (`MrzKey`), built from a full MRZ, from any document number and the two dates, or from
//! what the CCCD apps collect: the 12-digit ID number and the two dates.
//!
//! Layout, each file depending only on the ones listed before it:
//! - `check`: the character set, check digits and YYMMDD dates;
//! - `fields`: reading fields out of MRZ lines, including the long document number rule;
//! - `document`: the parsed [`Mrz`], its format and document type;
//! - `td1` and `two_line`: the line layouts of TD1 and of TD2, TD3 and the visas;
//! - `parse`: recognising the format of scanned text and [`Mrz::parse`];
//! - `key`: the access key [`MrzKey`] and `MRZ_information`;
//! - `cccd`: the CCCD key from the 12-digit ID number ([`DocumentNumberRule`]).
//!
//! The error types below are shared by all of them.

mod cccd;
mod check;
mod document;
mod fields;
mod key;
mod parse;
mod td1;
mod two_line;

#[cfg(test)]
mod specimens;

pub use cccd::DocumentNumberRule;
pub use check::check_digit;
pub use document::{DocumentType, Mrz, MrzFormat, Td1Mrz};
pub use key::MrzKey;

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
