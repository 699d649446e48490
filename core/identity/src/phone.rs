//! Mobile phone numbers, normalised to E.164.
//!
//! The account's phone number receives the activation OTP, so only Vietnamese mobile numbers
//! are accepted. Citizens type them in many shapes (`0912…`, `+84 912…`, `0912.345.678`); all
//! normalise to one E.164 string so equal numbers compare equal.

use std::fmt;

use crate::digits::trim_ascii_ws;
use crate::mask;
use crate::mobile_prefix::has_mobile_prefix;

/// Why a phone number was refused. Messages never repeat the number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("the phone number is empty")]
    Empty,
    #[error(
        "the phone number contains characters other than digits, spaces, '.', '-', '(', ')' and a leading '+'"
    )]
    InvalidCharacters,
    #[error("the phone number has the wrong number of digits")]
    WrongLength,
    #[error("not a Vietnamese mobile number")]
    NotMobile,
}

/// A Vietnamese mobile number as `+84` followed by 9 digits.
///
/// `Debug` masks all but the last three digits and there is no `Display`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Accepts the national form (`0912345678`), the international forms (`+84912345678`,
    /// `84912345678`, `0084912345678`, `+84 (0) 912…`), with spaces, dots, dashes or
    /// parentheses between digits. Landlines (national numbers starting `02`), foreign numbers
    /// and unallocated prefixes are [`PhoneError::NotMobile`].
    pub fn parse(s: &str) -> Result<Self, PhoneError> {
        let s = trim_ascii_ws(s);
        if s.is_empty() {
            return Err(PhoneError::Empty);
        }
        let mut digits = String::with_capacity(s.len());
        let mut plus = false;
        for c in s.chars() {
            match c {
                '0'..='9' => digits.push(c),
                '+' if !plus && digits.is_empty() => plus = true,
                '.' | '-' | '(' | ')' => {}
                c if c.is_ascii_whitespace() => {}
                _ => return Err(PhoneError::InvalidCharacters),
            }
        }
        let subscriber = subscriber_digits(&digits, plus)?;
        let national = format!("0{subscriber}");
        if subscriber.starts_with('2') {
            return Err(PhoneError::NotMobile); // fixed-line area codes are 02x
        }
        if subscriber.len() != 9 {
            return Err(PhoneError::WrongLength);
        }
        if !has_mobile_prefix(&national) {
            return Err(PhoneError::NotMobile);
        }
        Ok(Self(format!("+84{subscriber}")))
    }

    /// `+84912345678`: the form stored and sent to the backend.
    pub fn as_e164(&self) -> &str {
        &self.0
    }

    /// `0912345678`: the form Vietnamese users recognise.
    pub fn national(&self) -> String {
        format!("0{}", self.0.get(3..).unwrap_or_default())
    }

    /// `*******678`: for "we sent a code to …" screens.
    pub fn masked(&self) -> String {
        format!("*******{}", mask::tail(&self.0, 3))
    }
}

/// The national significant number (without country code or trunk `0`).
fn subscriber_digits(digits: &str, plus: bool) -> Result<&str, PhoneError> {
    if digits.is_empty() {
        return Err(PhoneError::WrongLength);
    }
    let international = if plus {
        Some(digits.strip_prefix("84").ok_or(PhoneError::NotMobile)?)
    } else if let Some(rest) = digits.strip_prefix("0084") {
        Some(rest)
    } else if digits.len() == 11 {
        // 11 digits can only be 84 + 9 digits: a national mobile number has 10.
        digits.strip_prefix("84")
    } else {
        None
    };
    match international {
        // "+84 (0) 912…": people often keep the trunk 0 after the country code.
        Some(rest) => Ok(rest.strip_prefix('0').unwrap_or(rest)),
        None => digits.strip_prefix('0').ok_or(PhoneError::WrongLength),
    }
}

impl fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PhoneNumber({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error;

    #[test]
    fn normalises_plus84_and_zero_forms_to_e164() -> Result<(), Box<dyn Error>> {
        for input in [
            "0912345678",
            "+84912345678",
            "84912345678",
            "0084912345678",
            "+84 912 345 678",
            "0912.345.678",
            "0912-345-678",
            "+84 (0) 912 345 678",
            "(+84) 912345678",
            " 0912 345 678\n",
        ] {
            let phone = PhoneNumber::parse(input);
            assert_eq!(
                phone.as_ref().map(PhoneNumber::as_e164),
                Ok("+84912345678"),
                "{input:?}"
            );
        }
        let phone = PhoneNumber::parse("0912345678")?;
        assert_eq!(phone.national(), "0912345678");
        assert_eq!(phone.masked(), "*******678");
        Ok(())
    }

    #[test]
    fn accepts_every_listed_mobile_prefix() -> Result<(), Box<dyn Error>> {
        for prefix in crate::MOBILE_PREFIXES {
            let national = format!("{prefix}1234567");
            assert_eq!(PhoneNumber::parse(&national)?.national(), national);
        }
        Ok(())
    }

    #[test]
    fn rejects_landlines_and_unknown_prefixes() {
        for input in [
            "02438251234",      // Hà Nội landline
            "+84 28 3822 1234", // TP. Hồ Chí Minh landline
            "0951234567",       // 095: unallocated
            "0801234567",
            "0111234567",
            "+1 650 253 0000", // not Vietnamese
            "+8512345678",
        ] {
            assert_eq!(
                PhoneNumber::parse(input),
                Err(PhoneError::NotMobile),
                "{input:?}"
            );
        }
    }

    #[test]
    fn rejects_wrong_digit_counts() {
        for input in [
            "091234567",
            "09123456789",
            "912345678",
            "+84",
            "+8491234567",
            "840912345678",
            "-",
        ] {
            assert_eq!(
                PhoneNumber::parse(input),
                Err(PhoneError::WrongLength),
                "{input:?}"
            );
        }
    }

    #[test]
    fn rejects_empty_and_foreign_characters() {
        assert_eq!(PhoneNumber::parse(""), Err(PhoneError::Empty));
        assert_eq!(PhoneNumber::parse("  "), Err(PhoneError::Empty));
        for input in [
            "0912a45678",
            "0912/345/678",
            "09+12345678",
            "++84912345678",
            "０912345678",
        ] {
            assert_eq!(
                PhoneNumber::parse(input),
                Err(PhoneError::InvalidCharacters),
                "{input:?}"
            );
        }
    }

    #[test]
    fn equal_numbers_compare_equal_whatever_the_input_form() -> Result<(), Box<dyn Error>> {
        assert_eq!(
            PhoneNumber::parse("0987 654 321")?,
            PhoneNumber::parse("+84987654321")?
        );
        Ok(())
    }

    #[test]
    fn debug_masks_all_but_last_three_digits() -> Result<(), Box<dyn Error>> {
        let shown = format!("{:?}", PhoneNumber::parse("0912345678")?);
        assert_eq!(shown, "PhoneNumber(*******678)");
        Ok(())
    }
}
