//! The claim catalogue: the [`keys`] (small integers, part of the wire format) and the
//! table [`CLAIMS`] giving each key its name, Vietnamese label and value kind.
//!
//! A key means the same in every credential type, so this one table is how any verifier
//! labels and checks any claim. Data, not code: a new claim is a new row.

use super::value::ValueKind;
use crate::tree::ClaimKey;

/// The claim keys. The numbering is part of the wire format: never reuse a number.
pub mod keys {
    use super::ClaimKey;
    /// Full name, as printed on the card (UTF-8, Vietnamese diacritics kept).
    pub const FULL_NAME: ClaimKey = 1;
    /// Personal identification number (12 digits).
    pub const ID_NUMBER: ClaimKey = 2;
    /// Date of birth.
    pub const BIRTH_DATE: ClaimKey = 3;
    /// Sex (ISO/IEC 5218).
    pub const SEX: ClaimKey = 4;
    /// SHA-256 of the enrolment portrait (JPEG bytes), to compare a photo from the chip or an online lookup.
    pub const PORTRAIT_DIGEST: ClaimKey = 5;
    /// Nationality, ISO 3166-1 alpha-3 (`VNM`).
    pub const NATIONALITY: ClaimKey = 6;
    /// Place of origin (quê quán).
    pub const PLACE_OF_ORIGIN: ClaimKey = 7;
    /// Place of residence (nơi thường trú).
    pub const PLACE_OF_RESIDENCE: ClaimKey = 8;
    /// Card issue date and expiry date (expiry absent for cards without expiry).
    pub const CARD_VALIDITY: ClaimKey = 9;
    /// The holder is 18 or older on the credential's validity dates.
    pub const AGE_OVER_18: ClaimKey = 10;
    /// BHYT health-insurance card number (15 characters).
    pub const BHYT_NUMBER: ClaimKey = 11;
    /// Registered primary-care facility.
    pub const BHYT_FACILITY: ClaimKey = 12;
    /// BHYT validity (from, to).
    pub const BHYT_VALIDITY: ClaimKey = 13;
    /// Title of a generic certificate.
    pub const CERT_TITLE: ClaimKey = 14;
    /// Certificate number.
    pub const CERT_NUMBER: ClaimKey = 15;
    /// Certificate issue date.
    pub const CERT_ISSUED: ClaimKey = 16;
    /// Name of the issuing body of a certificate.
    pub const CERT_ISSUER_NAME: ClaimKey = 17;
    /// Free text body of a certificate (short).
    pub const CERT_DETAILS: ClaimKey = 18;
}

/// One claim definition.
#[derive(Debug, Clone, Copy)]
pub struct ClaimDef {
    /// Its key.
    pub key: ClaimKey,
    /// Short English name (for logs and the CLI).
    pub name: &'static str,
    /// Vietnamese label for counter screens.
    pub label_vi: &'static str,
    /// Value kind.
    pub kind: ValueKind,
}

/// The claim table. Data, not code: a new claim is a new row.
pub const CLAIMS: &[ClaimDef] = &[
    ClaimDef {
        key: keys::FULL_NAME,
        name: "full_name",
        label_vi: "Họ và tên",
        kind: ValueKind::Text { max: 100 },
    },
    ClaimDef {
        key: keys::ID_NUMBER,
        name: "id_number",
        label_vi: "Số định danh cá nhân",
        kind: ValueKind::Digits { len: 12 },
    },
    ClaimDef {
        key: keys::BIRTH_DATE,
        name: "birth_date",
        label_vi: "Ngày sinh",
        kind: ValueKind::Date,
    },
    ClaimDef {
        key: keys::SEX,
        name: "sex",
        label_vi: "Giới tính",
        kind: ValueKind::Sex,
    },
    ClaimDef {
        key: keys::PORTRAIT_DIGEST,
        name: "portrait_digest",
        label_vi: "Mã băm ảnh chân dung",
        kind: ValueKind::Digest,
    },
    ClaimDef {
        key: keys::NATIONALITY,
        name: "nationality",
        label_vi: "Quốc tịch",
        kind: ValueKind::Alpha3,
    },
    ClaimDef {
        key: keys::PLACE_OF_ORIGIN,
        name: "place_of_origin",
        label_vi: "Quê quán",
        kind: ValueKind::Text { max: 200 },
    },
    ClaimDef {
        key: keys::PLACE_OF_RESIDENCE,
        name: "place_of_residence",
        label_vi: "Nơi thường trú",
        kind: ValueKind::Text { max: 200 },
    },
    ClaimDef {
        key: keys::CARD_VALIDITY,
        name: "card_validity",
        label_vi: "Ngày cấp / có giá trị đến",
        kind: ValueKind::DateRange,
    },
    ClaimDef {
        key: keys::AGE_OVER_18,
        name: "age_over_18",
        label_vi: "Đủ 18 tuổi",
        kind: ValueKind::Bool,
    },
    ClaimDef {
        key: keys::BHYT_NUMBER,
        name: "bhyt_number",
        label_vi: "Mã số BHYT",
        kind: ValueKind::Text { max: 15 },
    },
    ClaimDef {
        key: keys::BHYT_FACILITY,
        name: "bhyt_facility",
        label_vi: "Nơi đăng ký KCB ban đầu",
        kind: ValueKind::Text { max: 200 },
    },
    ClaimDef {
        key: keys::BHYT_VALIDITY,
        name: "bhyt_validity",
        label_vi: "Giá trị sử dụng",
        kind: ValueKind::DateRange,
    },
    ClaimDef {
        key: keys::CERT_TITLE,
        name: "cert_title",
        label_vi: "Tên giấy tờ",
        kind: ValueKind::Text { max: 200 },
    },
    ClaimDef {
        key: keys::CERT_NUMBER,
        name: "cert_number",
        label_vi: "Số",
        kind: ValueKind::Text { max: 50 },
    },
    ClaimDef {
        key: keys::CERT_ISSUED,
        name: "cert_issued",
        label_vi: "Ngày cấp",
        kind: ValueKind::Date,
    },
    ClaimDef {
        key: keys::CERT_ISSUER_NAME,
        name: "cert_issuer_name",
        label_vi: "Cơ quan cấp",
        kind: ValueKind::Text { max: 200 },
    },
    ClaimDef {
        key: keys::CERT_DETAILS,
        name: "cert_details",
        label_vi: "Nội dung",
        kind: ValueKind::Text { max: 500 },
    },
];

/// Looks a claim up by key.
pub fn claim_def(key: ClaimKey) -> Option<&'static ClaimDef> {
    CLAIMS.iter().find(|c| c.key == key)
}
