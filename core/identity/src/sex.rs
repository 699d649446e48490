//! Sex as recorded on the ID card and encoded in the ID number.

/// The two values the card and the ID number scheme record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    /// The label printed on the card and stored in the chip (`Nam` / `Nữ`).
    pub fn vietnamese_label(self) -> &'static str {
        match self {
            Sex::Male => "Nam",
            Sex::Female => "Nữ",
        }
    }

    /// Reads the card label (`Nam` / `Nữ`, any case, surrounding ASCII whitespace ignored).
    /// Accepts the decomposed spelling of `Nữ` too, since QR text is not always NFC.
    pub fn from_vietnamese_label(s: &str) -> Option<Self> {
        let s = crate::digits::trim_ascii_ws(s).to_lowercase();
        match s.as_str() {
            "nam" => Some(Sex::Male),
            "nữ" | "nu\u{31b}\u{303}" => Some(Sex::Female),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_card_labels_in_either_unicode_form() {
        assert_eq!(Sex::from_vietnamese_label("Nam"), Some(Sex::Male));
        assert_eq!(Sex::from_vietnamese_label(" NAM "), Some(Sex::Male));
        assert_eq!(Sex::from_vietnamese_label("Nữ"), Some(Sex::Female));
        assert_eq!(Sex::from_vietnamese_label("NỮ"), Some(Sex::Female));
        assert_eq!(
            Sex::from_vietnamese_label("Nu\u{31b}\u{303}"),
            Some(Sex::Female)
        );
        assert_eq!(Sex::from_vietnamese_label("Nu"), None);
        assert_eq!(Sex::from_vietnamese_label(""), None);
    }

    #[test]
    fn labels_round_trip() {
        for sex in [Sex::Male, Sex::Female] {
            assert_eq!(
                Sex::from_vietnamese_label(sex.vietnamese_label()),
                Some(sex)
            );
        }
    }
}
