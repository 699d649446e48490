//! Months of a residence history: `YYYY-MM` as one number, so spans compare and add.

use vneid_identity::CalendarDate;

/// A month as `year * 12 + (month - 1)`, parsed from `YYYY-MM`.
pub fn parse_month(s: &str) -> Option<i32> {
    let (y, m) = s.split_once('-')?;
    if y.len() != 4 || m.len() != 2 {
        return None;
    }
    let y: i32 = y.parse().ok()?;
    let m: i32 = m.parse().ok()?;
    ((1..=12).contains(&m) && (1900..=9999).contains(&y)).then_some(y * 12 + m - 1)
}

pub(super) fn month_of(d: CalendarDate) -> i32 {
    i32::from(d.year()) * 12 + i32::from(d.month()) - 1
}

fn format_month(m: i32) -> String {
    format!("{:04}-{:02}", m.div_euclid(12), m.rem_euclid(12) + 1)
}

/// `YYYY-MM` of the month the citizen turns 14 (from an ISO date of birth).
pub fn month_turning_14(date_of_birth: &str) -> Option<String> {
    let dob = CalendarDate::parse_iso(date_of_birth).ok()?;
    Some(format_month(month_of(dob) + 14 * 12))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_parse_strictly() {
        assert_eq!(parse_month("2015-08"), Some(2015 * 12 + 7));
        for bad in [
            "2015-8", "15-08", "2015-00", "2015-13", "2015/08", "", "abcd-ef",
        ] {
            assert_eq!(parse_month(bad), None, "{bad}");
        }
        assert_eq!(month_turning_14("2010-01-31").as_deref(), Some("2024-01"));
    }
}
