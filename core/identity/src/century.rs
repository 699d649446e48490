//! The fourth digit of the ID number: century of birth and sex in one digit.
//!
//! Even digits are male, odd female; each pair steps one century: 0/1 for 1900–1999, 2/3 for
//! 2000–2099, up to 8/9 for 2300–2399 (Circular 07/2016/TT-BCA, carried into Circular 59/2021/TT-BCA). "Century"
//! here means the years sharing the first two digits, not the strict 1901–2000 reckoning.

use crate::sex::Sex;

/// First birth year the scheme can encode.
pub(crate) const FIRST_YEAR: u16 = 1900;
/// Last birth year the scheme can encode.
pub(crate) const LAST_YEAR: u16 = 2399;

/// Sex and the first year of the century (1900, 2000, …) encoded by `digit` (0–9).
pub(crate) fn decode(digit: u8) -> Option<(Sex, u16)> {
    if digit > 9 {
        return None;
    }
    let sex = match digit % 2 {
        0 => Sex::Male,
        _ => Sex::Female,
    };
    Some((sex, FIRST_YEAR + 100 * u16::from(digit / 2)))
}

/// The digit for `sex` born in `year`; `None` outside 1900–2399.
pub(crate) fn encode(sex: Sex, year: u16) -> Option<u8> {
    if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
        return None;
    }
    let centuries = u8::try_from((year - FIRST_YEAR) / 100).ok()?;
    Some(centuries * 2 + u8::from(sex == Sex::Female))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_map_to_century_and_sex() {
        assert_eq!(decode(0), Some((Sex::Male, 1900)));
        assert_eq!(decode(1), Some((Sex::Female, 1900)));
        assert_eq!(decode(2), Some((Sex::Male, 2000)));
        assert_eq!(decode(3), Some((Sex::Female, 2000)));
        assert_eq!(decode(9), Some((Sex::Female, 2300)));
        assert_eq!(decode(10), None);
    }

    #[test]
    fn encode_inverts_decode_for_every_year() {
        for year in FIRST_YEAR..=LAST_YEAR {
            for sex in [Sex::Male, Sex::Female] {
                let digit = encode(sex, year);
                let base = digit.and_then(decode);
                assert_eq!(base.map(|(s, _)| s), Some(sex));
                assert_eq!(base.map(|(_, b)| year - b < 100), Some(true));
            }
        }
        assert_eq!(encode(Sex::Male, 1899), None);
        assert_eq!(encode(Sex::Female, 2400), None);
    }
}
