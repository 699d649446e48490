//! Vietnamese mobile number prefixes.
//!
//! Since the 2018 renumbering every mobile number is 10 digits nationally: `0` + a 2-digit
//! network prefix + 7 digits. Kept as data so a newly allocated prefix is a one-line change.
//! The operator named beside each prefix is the original allocation only: with mobile number
//! portability (since 2018) a prefix no longer tells the current operator, so it is not exposed.

/// Mobile prefixes in national form (with the trunk `0`), sorted.
pub const MOBILE_PREFIXES: [&str; 36] = [
    "032", "033", "034", "035", "036", "037", "038", "039", // Viettel
    "052", // Vietnamobile
    "055", // Reddi
    "056", "058", // Vietnamobile
    "059", // Gmobile
    "070", "076", "077", "078", "079", // MobiFone
    "081", "082", "083", "084", "085", // Vinaphone
    "086", // Viettel
    "087", // Itelecom
    "088", // Vinaphone
    "089", "090", // MobiFone
    "091", // Vinaphone
    "092", // Vietnamobile
    "093", // MobiFone
    "094", // Vinaphone
    "096", "097", "098", // Viettel
    "099", // Gmobile
];

/// True if `national` (a national number starting with `0`) begins with a mobile prefix.
pub(crate) fn has_mobile_prefix(national: &str) -> bool {
    MOBILE_PREFIXES.iter().any(|p| national.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_sorted_unique_and_well_formed() {
        assert!(
            MOBILE_PREFIXES
                .iter()
                .zip(MOBILE_PREFIXES.iter().skip(1))
                .all(|(a, b)| a < b)
        );
        for p in MOBILE_PREFIXES {
            assert_eq!(p.len(), 3);
            assert!(p.starts_with('0'));
            assert!(p.bytes().all(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn landline_and_unallocated_prefixes_are_not_mobile() {
        for national in [
            "0243825123",
            "0283822123",
            "0951234567",
            "0121234567",
            "0801234567",
        ] {
            assert!(!has_mobile_prefix(national), "{national}");
        }
        assert!(has_mobile_prefix("0912345678"));
    }
}
