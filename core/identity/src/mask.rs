//! Masking for `Debug` output of personal values.
//!
//! Debug output ends up in logs and crash reports; the last few characters are enough to tell
//! two values apart while debugging, and not enough to identify anyone.

/// The last `keep` characters of `s` (all of `s` if it is shorter).
pub(crate) fn tail(s: &str, keep: usize) -> &str {
    let skip = s.chars().count().saturating_sub(keep);
    match s.char_indices().nth(skip) {
        Some((at, _)) => s.get(at..).unwrap_or(""),
        None => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_keeps_only_the_last_characters() {
        assert_eq!(tail("001099012345", 3), "345");
        assert_eq!(tail("ab", 3), "ab");
        assert_eq!(tail("", 3), "");
        assert_eq!(tail("Nguyễn", 2), "ễn");
    }
}
