//! The 12-digit personal identification number (số định danh cá nhân).
//!
//! Layout: 3-digit birth-registration province code, 1 century/sex digit, the last 2 digits of
//! the birth year, then 6 random digits. There is no check digit, so validation is structural:
//! a typo in the random part cannot be caught here, only by the population database.

use std::fmt;

use crate::CalendarDate;
use crate::century;
use crate::digits::{all_ascii_digits, digit, number, trim_ascii_ws};
use crate::mask;
use crate::province::{Province, province_by_code};
use crate::sex::Sex;

/// Why an ID number was refused. Messages never repeat the number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdNumberError {
    #[error("the ID number is empty")]
    Empty,
    #[error("the ID number must have 12 digits, got {len} characters")]
    WrongLength { len: usize },
    #[error("the ID number must contain digits only")]
    NotDigits,
    /// `code` holds at most the first three characters given, never the whole input.
    #[error("unknown province code {code}")]
    UnknownProvince { code: String },
    /// The years stay out of the message: a birth year is personal data.
    #[error("the ID number does not match the year of birth")]
    BirthYearMismatch { expected: u16, found: u16 },
    #[error("the serial part must be below 1000000")]
    SerialOutOfRange,
    #[error("the birth year must be between 1900 and 2399")]
    BirthYearOutOfRange,
}

/// A structurally valid personal ID number.
///
/// `Debug` shows only the last three digits and there is no `Display`: the full number is
/// available through [`PersonalIdNumber::as_str`] where it is really needed.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PersonalIdNumber {
    number: String,
    // Decoded once at parse time so the accessors need no fallible re-parsing.
    province: &'static Province,
    sex: Sex,
    birth_year: u16,
}

impl PersonalIdNumber {
    /// Parses a typed or scanned number: surrounding ASCII whitespace is ignored, everything
    /// else must be exactly 12 ASCII digits with a known province code.
    pub fn parse(s: &str) -> Result<Self, IdNumberError> {
        let s = trim_ascii_ws(s);
        if s.is_empty() {
            return Err(IdNumberError::Empty);
        }
        let len = s.chars().count();
        if len != 12 {
            return Err(IdNumberError::WrongLength { len });
        }
        if !all_ascii_digits(s) {
            return Err(IdNumberError::NotDigits);
        }
        let &[_, _, _, century_digit, y0, y1, ..] = s.as_bytes() else {
            return Err(IdNumberError::WrongLength { len });
        };
        let code = s.get(..3).unwrap_or_default();
        let province = province_by_code(code).ok_or_else(|| IdNumberError::UnknownProvince {
            code: code.to_owned(),
        })?;
        let (sex, century_start) = digit(century_digit)
            .and_then(century::decode)
            .ok_or(IdNumberError::NotDigits)?;
        let yy = number(&[y0, y1]).ok_or(IdNumberError::NotDigits)?;
        let birth_year = century_start + u16::try_from(yy).map_err(|_| IdNumberError::NotDigits)?;
        Ok(Self {
            number: s.to_owned(),
            province,
            sex,
            birth_year,
        })
    }

    /// Parses and also checks that the encoded birth year is the year of `dob`, which catches
    /// most mistyped numbers at enrolment.
    pub fn parse_for_birth_date(s: &str, dob: CalendarDate) -> Result<Self, IdNumberError> {
        let id = Self::parse(s)?;
        if id.birth_year != dob.year() {
            return Err(IdNumberError::BirthYearMismatch {
                expected: dob.year(),
                found: id.birth_year,
            });
        }
        Ok(id)
    }

    /// Builds a number from its parts, for synthetic test data. `serial` is the random part
    /// (below 1 000 000); `birth_year` must be in 1900–2399, the range the scheme can encode.
    pub fn compose(
        province_code: &str,
        sex: Sex,
        birth_year: u16,
        serial: u32,
    ) -> Result<Self, IdNumberError> {
        let province =
            province_by_code(province_code).ok_or_else(|| IdNumberError::UnknownProvince {
                code: province_code.chars().take(3).collect(),
            })?;
        let century_digit =
            century::encode(sex, birth_year).ok_or(IdNumberError::BirthYearOutOfRange)?;
        if serial >= 1_000_000 {
            return Err(IdNumberError::SerialOutOfRange);
        }
        let yy = birth_year % 100;
        Self::parse(&format!(
            "{}{century_digit}{yy:02}{serial:06}",
            province.code
        ))
    }

    /// All 12 digits.
    pub fn as_str(&self) -> &str {
        &self.number
    }

    /// Province or city where the birth was registered.
    pub fn province(&self) -> &'static Province {
        self.province
    }

    pub fn sex(&self) -> Sex {
        self.sex
    }

    /// Full birth year, from the century digit and the two year digits.
    pub fn birth_year(&self) -> u16 {
        self.birth_year
    }

    /// The last 9 digits: the document number in the chip card's MRZ (ICAO 9303 TD1 allows
    /// 9 characters there; the full number goes to the optional data field).
    pub fn document_number(&self) -> &str {
        self.number.get(3..).unwrap_or_default()
    }
}

impl fmt::Debug for PersonalIdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PersonalIdNumber(***…{})", mask::tail(&self.number, 3))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::province::PROVINCES;
    use std::error::Error;

    #[test]
    fn parses_and_decodes_fields() -> Result<(), Box<dyn Error>> {
        let id = PersonalIdNumber::parse("079303012345")?;
        assert_eq!(id.as_str(), "079303012345");
        assert_eq!(id.province().name, "Hồ Chí Minh");
        assert_eq!(id.sex(), Sex::Female);
        assert_eq!(id.birth_year(), 2003);
        assert_eq!(id.document_number(), "303012345");

        let id = PersonalIdNumber::parse("001085000001")?;
        assert_eq!(id.province().code, "001");
        assert_eq!(id.sex(), Sex::Male);
        assert_eq!(id.birth_year(), 1985);
        Ok(())
    }

    #[test]
    fn every_century_digit_decodes() -> Result<(), Box<dyn Error>> {
        let expected = [
            (Sex::Male, 1999),
            (Sex::Female, 1999),
            (Sex::Male, 2099),
            (Sex::Female, 2099),
            (Sex::Male, 2199),
            (Sex::Female, 2199),
            (Sex::Male, 2299),
            (Sex::Female, 2299),
            (Sex::Male, 2399),
            (Sex::Female, 2399),
        ];
        for (digit, (sex, year)) in expected.into_iter().enumerate() {
            let id = PersonalIdNumber::parse(&format!("001{digit}99123456"))?;
            assert_eq!((id.sex(), id.birth_year()), (sex, year));
        }
        Ok(())
    }

    #[test]
    fn trims_surrounding_ascii_whitespace_only() -> Result<(), Box<dyn Error>> {
        assert_eq!(
            PersonalIdNumber::parse(" 001085000001\t\n")?.as_str(),
            "001085000001"
        );
        assert_eq!(
            PersonalIdNumber::parse("001 085 000 001"),
            Err(IdNumberError::WrongLength { len: 15 })
        );
        assert_eq!(
            PersonalIdNumber::parse("\u{a0}001085000001"),
            Err(IdNumberError::WrongLength { len: 13 })
        );
        Ok(())
    }

    #[test]
    fn rejects_empty_wrong_length_and_non_digits() {
        assert_eq!(PersonalIdNumber::parse(""), Err(IdNumberError::Empty));
        assert_eq!(PersonalIdNumber::parse("   "), Err(IdNumberError::Empty));
        assert_eq!(
            PersonalIdNumber::parse("00108500000"),
            Err(IdNumberError::WrongLength { len: 11 })
        );
        assert_eq!(
            PersonalIdNumber::parse("0010850000012"),
            Err(IdNumberError::WrongLength { len: 13 })
        );
        assert_eq!(
            PersonalIdNumber::parse("00108500000a"),
            Err(IdNumberError::NotDigits)
        );
        assert_eq!(
            PersonalIdNumber::parse("00108500000１"),
            Err(IdNumberError::NotDigits)
        );
        assert_eq!(
            PersonalIdNumber::parse("-01085000001"),
            Err(IdNumberError::NotDigits)
        );
    }

    #[test]
    fn rejects_unknown_province_code() {
        for code in ["000", "003", "078", "097", "999"] {
            assert_eq!(
                PersonalIdNumber::parse(&format!("{code}085000001")),
                Err(IdNumberError::UnknownProvince {
                    code: code.to_owned()
                })
            );
        }
    }

    #[test]
    fn birth_year_must_match_date_of_birth() -> Result<(), Box<dyn Error>> {
        let dob = CalendarDate::new(2003, 5, 17)?;
        assert!(PersonalIdNumber::parse_for_birth_date("079203012345", dob).is_ok());
        // Same two year digits, wrong century.
        assert_eq!(
            PersonalIdNumber::parse_for_birth_date("079103012345", dob),
            Err(IdNumberError::BirthYearMismatch {
                expected: 2003,
                found: 1903
            })
        );
        assert_eq!(
            PersonalIdNumber::parse_for_birth_date("079204012345", dob),
            Err(IdNumberError::BirthYearMismatch {
                expected: 2003,
                found: 2004
            })
        );
        // Structural errors win over the year check.
        assert_eq!(
            PersonalIdNumber::parse_for_birth_date("003203012345", dob),
            Err(IdNumberError::UnknownProvince {
                code: "003".to_owned()
            })
        );
        Ok(())
    }

    #[test]
    fn compose_validates_its_parts() {
        assert_eq!(
            PersonalIdNumber::compose("003", Sex::Male, 1990, 1),
            Err(IdNumberError::UnknownProvince {
                code: "003".to_owned()
            })
        );
        assert_eq!(
            PersonalIdNumber::compose("079203012345", Sex::Male, 1990, 1),
            Err(IdNumberError::UnknownProvince {
                code: "079".to_owned()
            })
        );
        assert_eq!(
            PersonalIdNumber::compose("001", Sex::Male, 1899, 1),
            Err(IdNumberError::BirthYearOutOfRange)
        );
        assert_eq!(
            PersonalIdNumber::compose("001", Sex::Female, 2400, 1),
            Err(IdNumberError::BirthYearOutOfRange)
        );
        assert_eq!(
            PersonalIdNumber::compose("001", Sex::Male, 1990, 1_000_000),
            Err(IdNumberError::SerialOutOfRange)
        );
        assert!(PersonalIdNumber::compose("001", Sex::Male, 1990, 999_999).is_ok());
    }

    #[test]
    fn compose_then_parse_round_trips_for_all_provinces_sexes_and_years()
    -> Result<(), Box<dyn Error>> {
        let years = [
            1900, 1901, 1959, 1999, 2000, 2024, 2099, 2100, 2250, 2299, 2300, 2399,
        ];
        let mut serial: u32 = 12_345;
        for province in &PROVINCES {
            for sex in [Sex::Male, Sex::Female] {
                for year in years {
                    serial = serial.wrapping_mul(7_919).wrapping_add(13) % 1_000_000;
                    let id = PersonalIdNumber::compose(province.code, sex, year, serial)?;
                    let back = PersonalIdNumber::parse(id.as_str())?;
                    assert_eq!(back, id);
                    assert_eq!(back.province(), province);
                    assert_eq!(back.sex(), sex);
                    assert_eq!(back.birth_year(), year);
                    assert_eq!(back.as_str().len(), 12);
                    assert!(back.as_str().starts_with(province.code));
                    assert!(back.as_str().ends_with(&format!("{serial:06}")));
                    assert_eq!(back.document_number().len(), 9);
                    if let Ok(dob) = CalendarDate::new(year, 1, 1) {
                        assert!(PersonalIdNumber::parse_for_birth_date(id.as_str(), dob).is_ok());
                    }
                }
            }
        }
        Ok(())
    }

    #[test]
    fn debug_masks_all_but_last_three_digits() -> Result<(), Box<dyn Error>> {
        let id = PersonalIdNumber::parse("079203012345")?;
        let shown = format!("{id:?}");
        assert_eq!(shown, "PersonalIdNumber(***…345)");
        assert!(!shown.contains("079203"));
        Ok(())
    }

    #[test]
    fn error_messages_never_contain_the_number() {
        let inputs = [
            "079203012345",
            "003203012345",
            "07920301234",
            "0792030123x5",
        ];
        for input in inputs {
            let dob = CalendarDate::new(1950, 1, 1).ok();
            let errors = [
                PersonalIdNumber::parse(input).err(),
                dob.and_then(|d| PersonalIdNumber::parse_for_birth_date(input, d).err()),
            ];
            for e in errors.into_iter().flatten() {
                let msg = e.to_string();
                assert!(!msg.contains(input), "{msg}");
                assert!(!msg.contains("203012"), "{msg}");
            }
        }
    }
}
