//! Rules for choosing the 6-digit account passcode.
//!
//! A 6-digit passcode has only a million values, and people concentrate on a few hundred of
//! them: repeated digits, runs, simple patterns and their own date of birth. Refusing those
//! at choice time costs a tiny fraction of the space and removes the guesses an attacker with
//! a stolen phone would try first. Attempt limits are enforced elsewhere (the wallet).
//!
//! Checks run in this order and the first failure is returned, so the same passcode always
//! gets the same error whatever the date of birth, except for the birth-date rule itself:
//! 1. [`NotSixDigits`](PasscodeRuleError::NotSixDigits): exactly six ASCII digits, no trimming
//!    (a passcode is entered on a keypad; whitespace would be a bug, not input).
//! 2. [`AllSameDigit`](PasscodeRuleError::AllSameDigit): `000000` … `999999`.
//! 3. [`Sequential`](PasscodeRuleError::Sequential): each digit one more (or one less) than the
//!    previous, wrapping from 9 to 0: `123456`, `012345`, `654321`, and also `890123` and
//!    `109876`, since the keypad row `…7 8 9 0` reads as a run too.
//! 4. [`RepeatedPattern`](PasscodeRuleError::RepeatedPattern): a repeated pair (`121212`), a
//!    repeated triple (`123123`), three doubled digits (`112233`, `998877`, `227744`) or two
//!    tripled digits (`111222`).
//! 5. [`BirthDate`](PasscodeRuleError::BirthDate): the date of birth as `ddmmyy`, `mmddyy`,
//!    `yymmdd`, `mmyyyy` or `yyyymm`.

use crate::CalendarDate;
use crate::digits::digit;

/// Why a chosen passcode was refused. Messages never repeat the passcode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasscodeRuleError {
    #[error("the passcode must be exactly 6 digits")]
    NotSixDigits,
    #[error("the passcode must not be one digit repeated")]
    AllSameDigit,
    #[error("the passcode must not be a run of consecutive digits")]
    Sequential,
    #[error("the passcode must not be a repeated pattern")]
    RepeatedPattern,
    #[error("the passcode must not be the date of birth")]
    BirthDate,
}

/// Checks a newly chosen passcode; `birth_date` enables the date-of-birth rule.
pub fn check_passcode_rules(
    passcode: &str,
    birth_date: Option<CalendarDate>,
) -> Result<(), PasscodeRuleError> {
    let d = six_digits(passcode).ok_or(PasscodeRuleError::NotSixDigits)?;
    if all_same(&d) {
        return Err(PasscodeRuleError::AllSameDigit);
    }
    if is_sequential(&d) {
        return Err(PasscodeRuleError::Sequential);
    }
    if is_repeated_pattern(&d) {
        return Err(PasscodeRuleError::RepeatedPattern);
    }
    if birth_date.is_some_and(|dob| birth_date_forms(dob).iter().any(|f| f == passcode)) {
        return Err(PasscodeRuleError::BirthDate);
    }
    Ok(())
}

fn six_digits(passcode: &str) -> Option<[u8; 6]> {
    let &[a, b, c, d, e, f] = passcode.as_bytes() else {
        return None;
    };
    Some([
        digit(a)?,
        digit(b)?,
        digit(c)?,
        digit(d)?,
        digit(e)?,
        digit(f)?,
    ])
}

/// True if every digit equals the one `period` places before it.
fn has_period(d: &[u8; 6], period: usize) -> bool {
    d.iter().zip(d.iter().skip(period)).all(|(a, b)| a == b)
}

fn all_same(d: &[u8; 6]) -> bool {
    has_period(d, 1)
}

fn is_sequential(d: &[u8; 6]) -> bool {
    let steps = || {
        d.iter()
            .zip(d.iter().skip(1))
            .map(|(a, b)| (b + 10 - a) % 10)
    };
    steps().all(|s| s == 1) || steps().all(|s| s == 9)
}

fn is_repeated_pattern(d: &[u8; 6]) -> bool {
    let [a, b, c, e, f, g] = *d;
    has_period(d, 2)
        || has_period(d, 3)
        || (a == b && c == e && f == g)
        || (a == b && b == c && e == f && f == g)
}

/// The 6-digit spellings of a date of birth people pick as a passcode.
fn birth_date_forms(dob: CalendarDate) -> [String; 5] {
    let dd = format!("{:02}", dob.day());
    let mm = format!("{:02}", dob.month());
    let yyyy = format!("{:04}", dob.year());
    let yy = format!("{:02}", dob.year() % 100);
    [
        format!("{dd}{mm}{yy}"),
        format!("{mm}{dd}{yy}"),
        format!("{yy}{mm}{dd}"),
        format!("{mm}{yyyy}"),
        format!("{yyyy}{mm}"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error;

    fn check(p: &str) -> Result<(), PasscodeRuleError> {
        check_passcode_rules(p, None)
    }

    #[test]
    fn accepts_ordinary_passcodes() {
        for p in ["274913", "508163", "041937", "135792", "902468"] {
            assert_eq!(check(p), Ok(()), "{p}");
        }
    }

    #[test]
    fn requires_exactly_six_ascii_digits() {
        for p in [
            "",
            "12345",
            "1234567",
            "12a456",
            " 27491",
            "274913 ",
            "２７４９１３",
            "-27491",
        ] {
            assert_eq!(check(p), Err(PasscodeRuleError::NotSixDigits), "{p:?}");
        }
    }

    #[test]
    fn rejects_one_digit_repeated() {
        for d in 0..=9 {
            let p = d.to_string().repeat(6);
            assert_eq!(check(&p), Err(PasscodeRuleError::AllSameDigit), "{p}");
        }
    }

    #[test]
    fn rejects_ascending_descending_and_wrapping_runs() {
        for p in [
            "123456", "345678", "012345", "456789", "654321", "987654", "543210", "890123",
            "901234", "789012", "109876", "210987",
        ] {
            assert_eq!(check(p), Err(PasscodeRuleError::Sequential), "{p}");
        }
        assert_eq!(check("123457"), Ok(()));
    }

    #[test]
    fn exactly_twenty_passcodes_are_sequential() {
        let count = (0..1_000_000)
            .map(|n| format!("{n:06}"))
            .filter(|p| check(p) == Err(PasscodeRuleError::Sequential))
            .count();
        assert_eq!(count, 20);
    }

    #[test]
    fn rejects_repeated_pairs_triples_and_doubled_digits() {
        for p in [
            "121212", "909090", "123123", "520520", "112233", "998877", "227744", "111222",
            "000999",
        ] {
            assert_eq!(check(p), Err(PasscodeRuleError::RepeatedPattern), "{p}");
        }
        for p in ["112234", "121213", "123124", "111223"] {
            assert_eq!(check(p), Ok(()), "{p}");
        }
    }

    #[test]
    fn passcode_equal_to_birth_date_is_rejected() -> Result<(), Box<dyn Error>> {
        let dob = CalendarDate::new(1987, 4, 23)?;
        for p in ["230487", "042387", "870423", "041987", "198704"] {
            assert_eq!(
                check_passcode_rules(p, Some(dob)),
                Err(PasscodeRuleError::BirthDate),
                "{p}"
            );
            assert_eq!(check(p), Ok(()), "{p} without a date of birth");
        }
        assert_eq!(check_passcode_rules("230488", Some(dob)), Ok(()));
        Ok(())
    }

    #[test]
    fn simple_pattern_wins_over_birth_date() -> Result<(), Box<dyn Error>> {
        let dob = CalendarDate::new(2012, 12, 12)?;
        assert_eq!(
            check_passcode_rules("121212", Some(dob)),
            Err(PasscodeRuleError::RepeatedPattern)
        );
        Ok(())
    }

    #[test]
    fn rejects_only_a_small_share_of_all_passcodes() -> Result<(), Box<dyn Error>> {
        let dob = CalendarDate::new(1990, 1, 15)?;
        let rejected = (0..1_000_000)
            .map(|n| format!("{n:06}"))
            .filter(|p| check_passcode_rules(p, Some(dob)).is_err())
            .count();
        // About 0.2 %: the doubled-digit and repeated-triple rules account for most of it.
        assert!(rejected < 2_500, "{rejected}");
        Ok(())
    }
}
