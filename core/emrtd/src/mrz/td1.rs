//! The TD1 layout (Doc 9303 Part 5): three lines of 30 characters, as on identity cards such
//! as the CCCD, with the document number on line 1 and a composite check digit over lines 1
//! and 2.

use super::check::verify;
use super::document::{Mrz, MrzFormat};
use super::fields::{char_at, dated, document_number, names, sub};
use super::{MrzError, MrzField};

/// Reads the 90 normalised characters of a TD1 MRZ.
pub(super) fn parse(flat: &str) -> Result<Mrz, MrzError> {
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
    Ok(Mrz {
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

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
mod tests {
    use crate::mrz::specimens::SPECIMEN_TD1;
    use crate::mrz::{MrzError, MrzField, Td1Mrz, check_digit};

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
}
