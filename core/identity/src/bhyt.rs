//! Health-insurance (BHYT) card numbers.
//!
//! The card number in use since 2015 has 15 characters: a 2-letter beneficiary group code
//! (who pays and why: `DN` employees of enterprises, `HT` pensioners, `TE` children under six,
//! …), one benefit-level digit 1–5 (the share of costs the fund covers), the 2-digit code of
//! the province that issued the card (the last two digits of the 3-digit province codes of
//! identity numbers), and the holder's 10-digit social-insurance number. Since 2021 cards
//! printed for VNeID show only the 10-digit number, but facilities still read the full form,
//! which is what the wallet keeps and presents.

use crate::province::{Province, province_by_code};

/// Beneficiary group codes with their Vietnamese description (Decision 1351/QĐ-BHXH, as
/// commonly printed; a real registry would load this table from BHXH, not from code).
pub const BHYT_GROUPS: &[(&str, &str)] = &[
    ("DN", "Người lao động trong doanh nghiệp"),
    ("HX", "Người lao động trong hợp tác xã"),
    ("CH", "Cán bộ, công chức, viên chức"),
    ("NN", "Người lao động cơ quan nước ngoài, tổ chức quốc tế"),
    ("TK", "Người lao động khác"),
    ("HC", "Cán bộ, công chức (hành chính)"),
    ("XK", "Cán bộ xã, phường, thị trấn"),
    ("HT", "Người hưởng lương hưu"),
    ("TB", "Người hưởng trợ cấp bảo hiểm xã hội"),
    ("MS", "Người mất sức lao động"),
    ("CC", "Người có công với cách mạng"),
    ("CK", "Người có công với cách mạng (khác)"),
    ("CB", "Cựu chiến binh"),
    ("KC", "Người tham gia kháng chiến"),
    ("HD", "Đại biểu Quốc hội, HĐND"),
    ("BT", "Người hưởng trợ cấp bảo trợ xã hội"),
    ("HN", "Người thuộc hộ gia đình nghèo"),
    ("DT", "Người dân tộc thiểu số vùng khó khăn"),
    (
        "DK",
        "Người sinh sống vùng kinh tế - xã hội đặc biệt khó khăn",
    ),
    ("TE", "Trẻ em dưới 6 tuổi"),
    ("CN", "Người thuộc hộ gia đình cận nghèo"),
    ("HS", "Học sinh"),
    ("SV", "Sinh viên"),
    ("GD", "Người tham gia theo hộ gia đình"),
    ("NO", "Người lao động nghỉ việc hưởng chế độ ốm đau"),
];

/// A checked 15-character BHYT card number.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct BhytNumber(String);

/// Why a string is not a BHYT card number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BhytError {
    #[error("a BHYT card number has 15 characters")]
    Length,
    #[error("unknown beneficiary group code")]
    Group,
    #[error("the benefit level is a digit from 1 to 5")]
    BenefitLevel,
    #[error("unknown province code")]
    Province,
    #[error("the social-insurance number has 10 digits")]
    SocialInsuranceNumber,
}

impl BhytNumber {
    /// Parses `s` (surrounding spaces ignored, letters upper-cased).
    pub fn parse(s: &str) -> Result<Self, BhytError> {
        let s = s.trim().to_ascii_uppercase();
        if s.len() != 15 || !s.is_ascii() {
            return Err(BhytError::Length);
        }
        let (group, rest) = s.split_at(2);
        if !BHYT_GROUPS.iter().any(|(g, _)| *g == group) {
            return Err(BhytError::Group);
        }
        let (level, rest) = rest.split_at(1);
        if !matches!(level, "1" | "2" | "3" | "4" | "5") {
            return Err(BhytError::BenefitLevel);
        }
        let (province, ssn) = rest.split_at(2);
        if !province.bytes().all(|b| b.is_ascii_digit())
            || province_by_code(&format!("0{province}")).is_none()
        {
            return Err(BhytError::Province);
        }
        if !ssn.bytes().all(|b| b.is_ascii_digit()) {
            return Err(BhytError::SocialInsuranceNumber);
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 2-letter beneficiary group code.
    pub fn group(&self) -> &str {
        self.0.get(0..2).unwrap_or("")
    }

    /// Vietnamese description of the group.
    pub fn group_label(&self) -> &'static str {
        let g = self.group();
        BHYT_GROUPS
            .iter()
            .find(|(c, _)| *c == g)
            .map(|(_, l)| *l)
            .unwrap_or("")
    }

    /// Benefit level 1–5.
    pub fn benefit_level(&self) -> u8 {
        self.0
            .as_bytes()
            .get(2)
            .map(|b| b.saturating_sub(b'0'))
            .unwrap_or(0)
    }

    /// The issuing province.
    pub fn province(&self) -> Option<&'static Province> {
        province_by_code(&format!("0{}", self.0.get(3..5)?))
    }

    /// The 10-digit social-insurance number (mã số BHXH).
    pub fn social_insurance_number(&self) -> &str {
        self.0.get(5..).unwrap_or("")
    }
}

impl std::fmt::Debug for BhytNumber {
    /// Shows only the group and province: the rest identifies the person.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BhytNumber({}…)", self.0.get(0..5).unwrap_or("?"))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_well_formed_card_number_parses_into_its_parts() {
        let n = BhytNumber::parse(" dn4010123456789 ").unwrap();
        assert_eq!(n.as_str(), "DN4010123456789");
        assert_eq!(n.group(), "DN");
        assert_eq!(n.benefit_level(), 4);
        assert_eq!(n.province().unwrap().name, "Hà Nội");
        assert_eq!(n.social_insurance_number(), "0123456789");
        assert!(!format!("{n:?}").contains("0123456789"));
    }

    #[test]
    fn each_part_is_checked() {
        assert_eq!(BhytNumber::parse("DN401012345678"), Err(BhytError::Length));
        assert_eq!(BhytNumber::parse("ZZ4010123456789"), Err(BhytError::Group));
        assert_eq!(
            BhytNumber::parse("DN6010123456789"),
            Err(BhytError::BenefitLevel)
        );
        assert_eq!(
            BhytNumber::parse("DN4030123456789"),
            Err(BhytError::Province)
        );
        assert_eq!(
            BhytNumber::parse("DN40101234567X9"),
            Err(BhytError::SocialInsuranceNumber)
        );
        assert_eq!(BhytNumber::parse("DN40101234567ễ"), Err(BhytError::Length));
    }
}
