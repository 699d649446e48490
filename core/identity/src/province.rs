//! Province and city codes of the personal ID number.
//!
//! The first three digits of a số định danh cá nhân name the province or centrally-run city
//! where the birth was registered (Appendix I of Circular 07/2016/TT-BCA, kept by Circular
//! 59/2021/TT-BCA). They are the administrative-unit codes of the 63 provinces that existed when
//! the scheme started, with gaps where earlier provinces were merged. Numbers already issued
//! never change, so these 63 codes stay valid even after later administrative mergers.

/// One province or centrally-run city of the ID number scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Province {
    /// Three ASCII digits, e.g. `"001"`.
    pub code: &'static str,
    /// Short Vietnamese name with diacritics, e.g. `"Hà Nội"`.
    pub name: &'static str,
}

const fn p(code: &'static str, name: &'static str) -> Province {
    Province { code, name }
}

/// The 63 codes, sorted by code.
pub const PROVINCES: [Province; 63] = [
    p("001", "Hà Nội"),
    p("002", "Hà Giang"),
    p("004", "Cao Bằng"),
    p("006", "Bắc Kạn"),
    p("008", "Tuyên Quang"),
    p("010", "Lào Cai"),
    p("011", "Điện Biên"),
    p("012", "Lai Châu"),
    p("014", "Sơn La"),
    p("015", "Yên Bái"),
    p("017", "Hòa Bình"),
    p("019", "Thái Nguyên"),
    p("020", "Lạng Sơn"),
    p("022", "Quảng Ninh"),
    p("024", "Bắc Giang"),
    p("025", "Phú Thọ"),
    p("026", "Vĩnh Phúc"),
    p("027", "Bắc Ninh"),
    p("030", "Hải Dương"),
    p("031", "Hải Phòng"),
    p("033", "Hưng Yên"),
    p("034", "Thái Bình"),
    p("035", "Hà Nam"),
    p("036", "Nam Định"),
    p("037", "Ninh Bình"),
    p("038", "Thanh Hóa"),
    p("040", "Nghệ An"),
    p("042", "Hà Tĩnh"),
    p("044", "Quảng Bình"),
    p("045", "Quảng Trị"),
    p("046", "Thừa Thiên Huế"),
    p("048", "Đà Nẵng"),
    p("049", "Quảng Nam"),
    p("051", "Quảng Ngãi"),
    p("052", "Bình Định"),
    p("054", "Phú Yên"),
    p("056", "Khánh Hòa"),
    p("058", "Ninh Thuận"),
    p("060", "Bình Thuận"),
    p("062", "Kon Tum"),
    p("064", "Gia Lai"),
    p("066", "Đắk Lắk"),
    p("067", "Đắk Nông"),
    p("068", "Lâm Đồng"),
    p("070", "Bình Phước"),
    p("072", "Tây Ninh"),
    p("074", "Bình Dương"),
    p("075", "Đồng Nai"),
    p("077", "Bà Rịa - Vũng Tàu"),
    p("079", "Hồ Chí Minh"),
    p("080", "Long An"),
    p("082", "Tiền Giang"),
    p("083", "Bến Tre"),
    p("084", "Trà Vinh"),
    p("086", "Vĩnh Long"),
    p("087", "Đồng Tháp"),
    p("089", "An Giang"),
    p("091", "Kiên Giang"),
    p("092", "Cần Thơ"),
    p("093", "Hậu Giang"),
    p("094", "Sóc Trăng"),
    p("095", "Bạc Liêu"),
    p("096", "Cà Mau"),
];

/// The province with this exact three-digit code.
pub fn province_by_code(code: &str) -> Option<&'static Province> {
    PROVINCES
        .binary_search_by(|p| p.code.cmp(code))
        .ok()
        .and_then(|i| PROVINCES.get(i))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn has_63_unique_sorted_three_digit_codes() {
        assert_eq!(PROVINCES.len(), 63);
        let codes: HashSet<_> = PROVINCES.iter().map(|p| p.code).collect();
        assert_eq!(codes.len(), 63);
        let names: HashSet<_> = PROVINCES.iter().map(|p| p.name).collect();
        assert_eq!(names.len(), 63);
        for p in &PROVINCES {
            assert_eq!(p.code.len(), 3);
            assert!(p.code.bytes().all(|b| b.is_ascii_digit()), "{}", p.code);
            assert!(!p.name.is_empty());
        }
        assert!(
            PROVINCES
                .iter()
                .zip(PROVINCES.iter().skip(1))
                .all(|(a, b)| a.code < b.code)
        );
    }

    #[test]
    fn finds_every_listed_province_by_code() {
        for p in &PROVINCES {
            assert_eq!(province_by_code(p.code), Some(p));
        }
    }

    #[test]
    fn known_codes_map_to_expected_names() {
        assert_eq!(province_by_code("001").map(|p| p.name), Some("Hà Nội"));
        assert_eq!(province_by_code("048").map(|p| p.name), Some("Đà Nẵng"));
        assert_eq!(province_by_code("079").map(|p| p.name), Some("Hồ Chí Minh"));
        assert_eq!(province_by_code("096").map(|p| p.name), Some("Cà Mau"));
    }

    #[test]
    fn rejects_unknown_province_code() {
        for code in [
            "000", "003", "005", "078", "097", "999", "01", "0001", "", " 001", "abc",
        ] {
            assert_eq!(province_by_code(code), None, "{code:?}");
        }
    }
}
