//! ASCII digit helpers shared by the fixed-width parsers.
//!
//! Only ASCII `0`–`9` count: `char::is_numeric` would also accept full-width and other scripts'
//! digits, which no Vietnamese document format uses.

/// Value of one ASCII digit.
pub(crate) fn digit(b: u8) -> Option<u8> {
    b.is_ascii_digit().then(|| b - b'0')
}

/// Decimal value of a short run of ASCII digits; `None` if empty, not all digits, or too long.
pub(crate) fn number(bytes: &[u8]) -> Option<u32> {
    if bytes.is_empty() {
        return None;
    }
    bytes.iter().try_fold(0u32, |acc, &b| {
        acc.checked_mul(10)?.checked_add(u32::from(digit(b)?))
    })
}

/// True when `s` is non-empty and made of ASCII digits only.
pub(crate) fn all_ascii_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// `s` without leading and trailing ASCII whitespace (what a form field or a QR field may carry).
pub(crate) fn trim_ascii_ws(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_ascii_whitespace())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_reads_ascii_digits_only() {
        assert_eq!(number(b"0042"), Some(42));
        assert_eq!(number(b""), None);
        assert_eq!(number(b"4a"), None);
        assert_eq!(number("４".as_bytes()), None);
        assert_eq!(number(b"99999999999"), None);
    }

    #[test]
    fn all_ascii_digits_rejects_empty_and_non_digits() {
        assert!(all_ascii_digits("0123"));
        assert!(!all_ascii_digits(""));
        assert!(!all_ascii_digits("12 3"));
    }
}
