//! The old 9-digit identity card number (chứng minh nhân dân, CMND).
//!
//! It carries no structure the core can check, but it still appears on the printed QR code and
//! in DG13, and people quote it when their records predate the 12-digit number.

/// True for exactly nine ASCII digits. No trimming: callers pass a field already split out.
pub fn is_valid_old_id_number(s: &str) -> bool {
    s.len() == 9 && crate::digits::all_ascii_digits(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_only_nine_ascii_digits() {
        assert!(is_valid_old_id_number("012345678"));
        assert!(!is_valid_old_id_number(""));
        assert!(!is_valid_old_id_number("01234567"));
        assert!(!is_valid_old_id_number("0123456789"));
        assert!(!is_valid_old_id_number("01234567a"));
        assert!(!is_valid_old_id_number(" 12345678"));
        assert!(!is_valid_old_id_number("01234567８"));
    }
}
