//! The Doc 9303 specimen MRZs (Parts 4 to 7) and a synthetic CCCD MRZ, shared by the tests of
//! the layouts, the parser and the access keys.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use super::check_digit;

/// Doc 9303 Part 5 specimen TD1 (Utopia, Eriksson Anna Maria).
pub(super) const SPECIMEN_TD1: &str = "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<";

/// A synthetic CCCD MRZ laid out as the cards print it.
pub(super) fn cccd_mrz(id: &str, dob: &str, doe: &str) -> String {
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

/// Doc 9303 Part 4 §4.2 specimen TD3 passport (Utopia, Eriksson Anna Maria).
pub(super) const SPECIMEN_TD3: &str =
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10";

/// Doc 9303 Part 6 §4.2 specimen TD2 card.
pub(super) const SPECIMEN_TD2: &str =
    "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6";

/// Doc 9303 Part 7 specimen MRV-A and MRV-B visas.
pub(super) const SPECIMEN_MRV_A: &str =
    "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL8988901C4XXX4009078F96121096ZE184226B<<<<<<";

pub(super) const SPECIMEN_MRV_B: &str =
    "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nL8988901C4XXX4009078F9612109<<<<<<<<";
