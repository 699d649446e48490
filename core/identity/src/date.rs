//! Calendar dates as they appear on Vietnamese documents.
//!
//! Dates of birth, issue and expiry are plain civil dates with no time zone, so they are kept
//! as year/month/day rather than timestamps. The year range 1900–2299 covers every living
//! citizen and every card expiry, and keeps day-count arithmetic trivially overflow-free.

use std::fmt;
use std::str::FromStr;

use crate::civil::{civil_from_days, days_from_civil, days_in_month};
use crate::digits::{number, trim_ascii_ws};

/// Why a date was refused. Messages never contain the date itself (it may be a date of birth).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("the date is not in the expected format")]
    BadFormat,
    #[error("the year is outside 1900–2299")]
    YearOutOfRange,
    #[error("the month must be between 1 and 12")]
    InvalidMonth,
    #[error("the day does not exist in that month")]
    InvalidDay,
}

/// A valid Gregorian date between 1900-01-01 and 2299-12-31.
///
/// Orders chronologically (field order year, month, day).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CalendarDate {
    year: u16,
    month: u8,
    day: u8,
}

impl CalendarDate {
    /// First year accepted.
    pub const MIN_YEAR: u16 = 1900;
    /// Last year accepted.
    pub const MAX_YEAR: u16 = 2299;

    const MIN_DAYS: i64 = days_from_civil(Self::MIN_YEAR as i64, 1, 1);
    const MAX_DAYS: i64 = days_from_civil(Self::MAX_YEAR as i64, 12, 31);

    /// Validates month lengths and leap years (29 February only in leap years).
    pub fn new(year: u16, month: u8, day: u8) -> Result<Self, DateError> {
        if !(Self::MIN_YEAR..=Self::MAX_YEAR).contains(&year) {
            return Err(DateError::YearOutOfRange);
        }
        if !(1..=12).contains(&month) {
            return Err(DateError::InvalidMonth);
        }
        if day == 0 || day > days_in_month(i64::from(year), month) {
            return Err(DateError::InvalidDay);
        }
        Ok(Self { year, month, day })
    }

    /// Parses `YYYY-MM-DD` (surrounding ASCII whitespace ignored).
    pub fn parse_iso(s: &str) -> Result<Self, DateError> {
        let &[y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = trim_ascii_ws(s).as_bytes() else {
            return Err(DateError::BadFormat);
        };
        Self::from_fields(&[y0, y1, y2, y3], &[m0, m1], &[d0, d1])
    }

    /// Parses `DDMMYYYY` (the printed card's QR code) or `dd/mm/yyyy` (chip DG13), surrounding
    /// ASCII whitespace ignored. Both come from the card, so both are accepted in one place.
    pub fn parse_ddmmyyyy(s: &str) -> Result<Self, DateError> {
        match *trim_ascii_ws(s).as_bytes() {
            [d0, d1, m0, m1, y0, y1, y2, y3] | [d0, d1, b'/', m0, m1, b'/', y0, y1, y2, y3] => {
                Self::from_fields(&[y0, y1, y2, y3], &[m0, m1], &[d0, d1])
            }
            _ => Err(DateError::BadFormat),
        }
    }

    fn from_fields(year: &[u8], month: &[u8], day: &[u8]) -> Result<Self, DateError> {
        let (Some(year), Some(month), Some(day)) = (number(year), number(month), number(day))
        else {
            return Err(DateError::BadFormat);
        };
        // Four digits fit u16 and two fit u8; a failed conversion would still be a format error.
        let year = u16::try_from(year).map_err(|_| DateError::BadFormat)?;
        let month = u8::try_from(month).map_err(|_| DateError::BadFormat)?;
        let day = u8::try_from(day).map_err(|_| DateError::BadFormat)?;
        Self::new(year, month, day)
    }

    pub fn year(&self) -> u16 {
        self.year
    }

    pub fn month(&self) -> u8 {
        self.month
    }

    pub fn day(&self) -> u8 {
        self.day
    }

    /// `YYYY-MM-DD`, the form used on the wire and in storage.
    pub fn to_iso(&self) -> String {
        self.to_string()
    }

    /// The date `days` after 1970-01-01 (negative for earlier); `None` outside 1900–2299.
    pub fn from_unix_days(days: i64) -> Option<Self> {
        if !(Self::MIN_DAYS..=Self::MAX_DAYS).contains(&days) {
            return None;
        }
        let (year, month, day) = civil_from_days(days)?;
        Self::new(
            u16::try_from(year).ok()?,
            u8::try_from(month).ok()?,
            u8::try_from(day).ok()?,
        )
        .ok()
    }

    /// Days since 1970-01-01 (negative for earlier dates).
    pub fn to_unix_days(&self) -> i64 {
        days_from_civil(
            i64::from(self.year),
            i64::from(self.month),
            i64::from(self.day),
        )
    }

    /// Age in completed years on the date `on`; 0 if `on` is before this date.
    ///
    /// Someone born on 29 February turns a year older on 1 March in common years, the usual
    /// reading of "full years" when the anniversary does not exist.
    pub fn age_on(&self, on: CalendarDate) -> u16 {
        if on < *self {
            return 0;
        }
        let years = on.year - self.year;
        if (on.month, on.day) < (self.month, self.day) {
            years.saturating_sub(1)
        } else {
            years
        }
    }
}

impl fmt::Display for CalendarDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl FromStr for CalendarDate {
    type Err = DateError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse_iso(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error;

    fn date(y: u16, m: u8, d: u8) -> Result<CalendarDate, DateError> {
        CalendarDate::new(y, m, d)
    }

    #[test]
    fn leap_day_only_in_leap_years() {
        assert!(date(2024, 2, 29).is_ok());
        assert!(date(2000, 2, 29).is_ok());
        assert_eq!(date(2023, 2, 29), Err(DateError::InvalidDay));
        assert_eq!(date(1900, 2, 29), Err(DateError::InvalidDay));
        assert_eq!(date(2100, 2, 29), Err(DateError::InvalidDay));
    }

    #[test]
    fn rejects_impossible_months_and_days() {
        assert_eq!(date(2024, 0, 1), Err(DateError::InvalidMonth));
        assert_eq!(date(2024, 13, 1), Err(DateError::InvalidMonth));
        assert_eq!(date(2024, 4, 31), Err(DateError::InvalidDay));
        assert_eq!(date(2024, 1, 0), Err(DateError::InvalidDay));
        assert!(date(2024, 12, 31).is_ok());
    }

    #[test]
    fn rejects_years_outside_supported_range() {
        assert_eq!(date(1899, 12, 31), Err(DateError::YearOutOfRange));
        assert_eq!(date(2300, 1, 1), Err(DateError::YearOutOfRange));
        assert!(date(1900, 1, 1).is_ok());
        assert!(date(2299, 12, 31).is_ok());
    }

    #[test]
    fn parses_iso_and_round_trips_display() -> Result<(), Box<dyn Error>> {
        let d = CalendarDate::parse_iso("1995-07-02")?;
        assert_eq!((d.year(), d.month(), d.day()), (1995, 7, 2));
        assert_eq!(d.to_iso(), "1995-07-02");
        assert_eq!(d.to_string(), "1995-07-02");
        assert_eq!("1995-07-02".parse::<CalendarDate>()?, d);
        assert_eq!(CalendarDate::parse_iso(" 1995-07-02\n")?, d);
        Ok(())
    }

    #[test]
    fn rejects_malformed_iso() {
        for bad in [
            "",
            "1995-7-2",
            "1995/07/02",
            "02-07-1995",
            "1995-07-02T00",
            "199a-07-02",
            "1995-07-0２",
            "+995-07-02",
        ] {
            assert_eq!(
                CalendarDate::parse_iso(bad),
                Err(DateError::BadFormat),
                "{bad:?}"
            );
        }
        assert_eq!(
            CalendarDate::parse_iso("1995-02-30"),
            Err(DateError::InvalidDay)
        );
    }

    #[test]
    fn parses_card_qr_and_dg13_date_forms() -> Result<(), Box<dyn Error>> {
        let expected = date(1995, 7, 2)?;
        assert_eq!(CalendarDate::parse_ddmmyyyy("02071995")?, expected);
        assert_eq!(CalendarDate::parse_ddmmyyyy("02/07/1995")?, expected);
        assert_eq!(
            CalendarDate::parse_ddmmyyyy("2/7/1995"),
            Err(DateError::BadFormat)
        );
        assert_eq!(
            CalendarDate::parse_ddmmyyyy("02-07-1995"),
            Err(DateError::BadFormat)
        );
        assert_eq!(
            CalendarDate::parse_ddmmyyyy("Không thời hạn"),
            Err(DateError::BadFormat)
        );
        assert_eq!(
            CalendarDate::parse_ddmmyyyy("31022000"),
            Err(DateError::InvalidDay)
        );
        Ok(())
    }

    #[test]
    fn unix_days_round_trip_over_whole_range() -> Result<(), Box<dyn Error>> {
        let first = CalendarDate::MIN_DAYS;
        let last = CalendarDate::MAX_DAYS;
        let mut previous: Option<CalendarDate> = None;
        for days in first..=last {
            let d = CalendarDate::from_unix_days(days).ok_or("day count in range has no date")?;
            assert_eq!(d.to_unix_days(), days);
            if let Some(p) = previous {
                assert!(p < d);
            }
            previous = Some(d);
        }
        assert_eq!(CalendarDate::from_unix_days(first - 1), None);
        assert_eq!(CalendarDate::from_unix_days(last + 1), None);
        assert_eq!(CalendarDate::from_unix_days(i64::MAX), None);
        assert_eq!(CalendarDate::from_unix_days(i64::MIN), None);
        Ok(())
    }

    #[test]
    fn unix_epoch_and_known_dates() -> Result<(), Box<dyn Error>> {
        assert_eq!(date(1970, 1, 1)?.to_unix_days(), 0);
        assert_eq!(
            CalendarDate::from_unix_days(19_905),
            Some(date(2024, 7, 1)?)
        );
        Ok(())
    }

    #[test]
    fn age_counts_full_years_only() -> Result<(), Box<dyn Error>> {
        let dob = date(2006, 7, 2)?;
        assert_eq!(dob.age_on(date(2024, 7, 1)?), 17);
        assert_eq!(dob.age_on(date(2024, 7, 2)?), 18);
        assert_eq!(dob.age_on(date(2006, 7, 2)?), 0);
        assert_eq!(dob.age_on(date(2000, 1, 1)?), 0);
        Ok(())
    }

    #[test]
    fn leap_day_birthday_ages_on_first_of_march_in_common_years() -> Result<(), Box<dyn Error>> {
        let dob = date(2004, 2, 29)?;
        assert_eq!(dob.age_on(date(2022, 2, 28)?), 17);
        assert_eq!(dob.age_on(date(2022, 3, 1)?), 18);
        assert_eq!(dob.age_on(date(2024, 2, 29)?), 20);
        Ok(())
    }

    #[test]
    fn orders_chronologically() -> Result<(), Box<dyn Error>> {
        assert!(date(1999, 12, 31)? < date(2000, 1, 1)?);
        assert!(date(2000, 1, 31)? < date(2000, 2, 1)?);
        Ok(())
    }
}
