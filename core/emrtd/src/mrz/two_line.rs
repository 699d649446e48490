//! The two-line layouts: TD2 cards (2 × 36), TD3 passports (2 × 44) and the visas of both
//! sizes. One reader for all of them, as they differ only in the optional data, the personal
//! number and whether there is a composite check digit.

use super::check::verify;
use super::document::{Mrz, MrzFormat};
use super::fields::{char_at, dated, document_number, names, sub};
use super::{MrzError, MrzField};

/// TD2 (Part 6), TD3 (Part 4) and the visas MRV-B and MRV-A (Part 7) share the layout of
/// line 2 up to the date of expiry's check digit.
pub(super) fn parse(format: MrzFormat, flat: &str) -> Result<Mrz, MrzError> {
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
    Ok(Mrz {
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
    use crate::mrz::{DocumentType, Mrz, MrzError, MrzField, MrzFormat, MrzKey, check_digit};

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
}
