//! Claim keys, typed claim values and the credential-type registry.
//!
//! Why integers: every byte of the QR costs 1.5 Base45 characters, so claims are
//! named by small integers (one CBOR byte for keys below 24) and the meaning of a
//! key is the same in every credential type, so a verifier can label any claim.
//!
//! Why a registry *as data*: a credential type is a list of claim keys arranged
//! in a small binary tree (see [`crate::tree`]), written as a string such as
//! `"((((1 2)(3 4))5)((6 9)(7 8)))"`. Adding a type (a vaccination, a judicial
//! record certificate) is a new table row, not new code, as long as it reuses
//! the value kinds below. The tree shape is chosen so that the claims a preset
//! discloses together sit in one subtree: then the whole preset costs one
//! 16-byte seed and the hidden rest costs one 32-byte hash.

use std::collections::BTreeMap;

use minicbor::data::Type;
use minicbor::{Decoder, Encoder};
use thiserror::Error;

pub use crate::tree::ClaimKey;
use crate::tree::Shape;

/// A credential type identifier (carried in the issuer-signed payload).
pub type CredentialTypeId = u16;

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

/// How a claim's value is encoded (the CBOR form is the smallest that round-trips).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// UTF-8 text up to `max` bytes (CBOR text string).
    Text {
        /// Maximum length in bytes.
        max: usize,
    },
    /// A fixed-width decimal number with leading zeros (an ID number): a CBOR
    /// unsigned integer, re-padded to `len` digits on decoding. 12 digits cost 9
    /// bytes instead of 13 as text.
    Digits {
        /// Number of digits (at most 19).
        len: u8,
    },
    /// A date: days since 1970-01-01 as a CBOR integer (3 bytes for any birth date
    /// in the last 180 years), without RFC 8943's tag (the type says it is a date).
    Date,
    /// Two dates, the second optional: `[from, to / null]`.
    DateRange,
    /// ISO/IEC 5218: 0 not known, 1 male, 2 female, 9 not applicable.
    Sex,
    /// A boolean.
    Bool,
    /// A 32-byte SHA-256 digest (byte string). Kept full length: see DESIGN.md.
    Digest,
    /// ISO 3166-1 alpha-3 country code (three upper-case ASCII letters, text).
    Alpha3,
}

/// A calendar date as days since 1970-01-01 (negative before).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub i32);

impl Date {
    /// From a proleptic Gregorian year, month and day; `None` if not a valid date.
    pub fn from_ymd(y: i32, m: u32, d: u32) -> Option<Date> {
        if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
            return None;
        }
        // Howard Hinnant's days_from_civil.
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let mp = (m as i32 + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d as i32 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Some(Date(era * 146_097 + doe - 719_468))
    }

    /// Year, month, day.
    pub fn ymd(self) -> (i32, u32, u32) {
        let z = self.0 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let y = yoe + era * 400 + i32::from(m <= 2);
        (y, m, d)
    }

    /// The date containing a Unix time (UTC).
    pub fn from_unix(secs: u64) -> Date {
        Date(i32::try_from(secs / 86_400).unwrap_or(i32::MAX))
    }
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

impl std::fmt::Display for Date {
    /// Vietnamese order, as on the card: DD/MM/YYYY.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{d:02}/{m:02}/{y:04}")
    }
}

/// Sex per ISO/IEC 5218.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    /// 0
    NotKnown,
    /// 1 (Nam)
    Male,
    /// 2 (Nữ)
    Female,
    /// 9
    NotApplicable,
}

impl Sex {
    fn code(self) -> u8 {
        match self {
            Sex::NotKnown => 0,
            Sex::Male => 1,
            Sex::Female => 2,
            Sex::NotApplicable => 9,
        }
    }
    fn from_code(c: u8) -> Option<Sex> {
        match c {
            0 => Some(Sex::NotKnown),
            1 => Some(Sex::Male),
            2 => Some(Sex::Female),
            9 => Some(Sex::NotApplicable),
            _ => None,
        }
    }
}

/// A typed claim value.
#[derive(Clone, PartialEq, Eq)]
pub enum ClaimValue {
    /// Text (also alpha-3 codes).
    Text(String),
    /// Fixed-width digits, kept as the digit string.
    Digits(String),
    /// A date.
    Date(Date),
    /// From and optional to.
    DateRange(Date, Option<Date>),
    /// Sex.
    Sex(Sex),
    /// Boolean.
    Bool(bool),
    /// Digest.
    Digest([u8; 32]),
    /// The credential has this claim slot but no value (e.g. no place of origin
    /// recorded). Encoded as CBOR null so the tree shape stays fixed per type.
    Absent,
}

impl std::fmt::Debug for ClaimValue {
    /// Never prints personal data: logs must not carry disclosed values (DOMAIN.md).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self {
            ClaimValue::Text(_) => "Text",
            ClaimValue::Digits(_) => "Digits",
            ClaimValue::Date(_) => "Date",
            ClaimValue::DateRange(..) => "DateRange",
            ClaimValue::Sex(_) => "Sex",
            ClaimValue::Bool(_) => "Bool",
            ClaimValue::Digest(_) => "Digest",
            ClaimValue::Absent => "Absent",
        };
        write!(f, "ClaimValue::{kind}(…)")
    }
}

/// A claim value that does not fit its kind.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ClaimError {
    /// The key is not in the registry.
    #[error("unknown claim key {0}")]
    UnknownKey(ClaimKey),
    /// The value is of another kind than the key's.
    #[error("claim {0}: value of the wrong kind")]
    WrongKind(ClaimKey),
    /// Text too long, digits of the wrong width, bad code.
    #[error("claim {0}: value out of range")]
    OutOfRange(ClaimKey),
    /// The encoded value is malformed CBOR or not canonical.
    #[error("claim {0}: malformed encoding")]
    Malformed(ClaimKey),
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

/// Credential type identifiers. Part of the wire format.
pub mod types {
    use super::CredentialTypeId;
    /// Electronic ID card (core identity), after account level 2.
    pub const CORE_ID: CredentialTypeId = 1;
    /// Age over 18, nothing else.
    pub const AGE_OVER_18: CredentialTypeId = 2;
    /// BHYT health-insurance card.
    pub const BHYT: CredentialTypeId = 3;
    /// A generic certificate (judicial record, driver health certificate, ...).
    pub const CERTIFICATE: CredentialTypeId = 4;
    /// Electronic ID of a level-2 account (issue 3): the same claims as [`CORE_ID`], but
    /// issued only after the backend verified the citizen's chip ID card, with the chip's
    /// face as portrait digest and the card's validity. A verifier that needs "presented
    /// the ID card" (level 2) asks for this type; [`CORE_ID`] is the level-1 identity,
    /// checked against the population database only.
    pub const ELECTRONIC_ID: CredentialTypeId = 5;
    /// Judicial-record certificate (Phiếu lý lịch tư pháp, issue 6), issued electronically
    /// by the justice department: its own type so a wallet never confuses it with another
    /// certificate and a verifier can ask for exactly it.
    pub const JUDICIAL_RECORD: CredentialTypeId = 6;
}

/// The account level a credential type stands for (1: population database; 2: chip ID
/// card verified), for counter screens; `None` for types that are not an identity.
pub fn identity_level(ty: CredentialTypeId) -> Option<u8> {
    match ty {
        types::CORE_ID => Some(1),
        types::ELECTRONIC_ID => Some(2),
        _ => None,
    }
}

/// A credential type as data: id, name and the claim tree.
#[derive(Debug, Clone, Copy)]
pub struct TypeDef {
    /// Identifier in the signed payload.
    pub id: CredentialTypeId,
    /// English name.
    pub name: &'static str,
    /// The tree over claim keys, as a parenthesised string; see [`Shape::parse`].
    pub tree: &'static str,
}

/// The built-in types.
///
/// Core ID: the left subtree holds exactly the "identity check" preset (name, ID
/// number, birth date, sex, portrait digest), so that preset costs one seed and
/// one hash. The right subtree is balanced: a comb starting with nationality
/// would make "hotel check-in" one hash smaller but the worst 5-of-9 disclosure
/// (both addresses plus scattered identity claims) one hash larger, and that one
/// measured 972 characters, just over QR version 20-M (970). 9 claims: the 8
/// personal ones plus the card's issue/expiry dates.
pub const TYPES: &[TypeDef] = &[
    TypeDef {
        id: types::CORE_ID,
        name: "core_id",
        tree: "((((1 2)(3 4))5)((6 9)(7 8)))",
    },
    TypeDef {
        id: types::AGE_OVER_18,
        name: "age_over_18",
        tree: "10",
    },
    TypeDef {
        id: types::BHYT,
        name: "bhyt",
        tree: "((((11 1)(3 4))((2 13)12))8)",
    },
    TypeDef {
        id: types::CERTIFICATE,
        name: "certificate",
        tree: "(((14 15)(16 17))((1 2)18))",
    },
    // Level 2 (issue 3): the core ID's claims and tree, so its presets cost the same.
    TypeDef {
        id: types::ELECTRONIC_ID,
        name: "electronic_id",
        tree: "((((1 2)(3 4))5)((6 9)(7 8)))",
    },
    // Judicial record (issue 6): who (name, ID number, birth date) and the record text in
    // one subtree, the certificate's title, number, date and issuing office in the other.
    TypeDef {
        id: types::JUDICIAL_RECORD,
        name: "judicial_record",
        tree: "(((1 2)(3 18))((14 15)(16 17)))",
    },
];

/// A parsed credential type.
#[derive(Debug, Clone)]
pub struct CredentialType {
    /// The definition.
    pub def: TypeDef,
    /// The parsed tree.
    pub shape: Shape,
}

/// The set of credential types a party understands.
#[derive(Debug, Clone)]
pub struct Registry {
    types: BTreeMap<CredentialTypeId, CredentialType>,
}

/// A registry row that does not parse or refers to unknown claims.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("credential type {id}: {reason}")]
pub struct RegistryError {
    /// Which type.
    pub id: CredentialTypeId,
    /// What is wrong.
    pub reason: String,
}

impl Registry {
    /// The built-in types.
    pub fn builtin() -> Registry {
        // The built-in table is tested to parse; a failure would leave an empty registry.
        Registry::from_defs(TYPES).unwrap_or(Registry {
            types: BTreeMap::new(),
        })
    }

    /// Builds a registry from type rows (e.g. delivered with the trust list).
    pub fn from_defs(defs: &[TypeDef]) -> Result<Registry, RegistryError> {
        let mut types = BTreeMap::new();
        for def in defs {
            let shape =
                Shape::parse(def.tree).map_err(|reason| RegistryError { id: def.id, reason })?;
            for key in shape.leaves() {
                if claim_def(*key).is_none() {
                    return Err(RegistryError {
                        id: def.id,
                        reason: format!("unknown claim {key}"),
                    });
                }
            }
            types.insert(def.id, CredentialType { def: *def, shape });
        }
        Ok(Registry { types })
    }

    /// Looks a type up.
    pub fn get(&self, id: CredentialTypeId) -> Option<&CredentialType> {
        self.types.get(&id)
    }
}

/// A named selection of claims from one credential type.
#[derive(Debug, Clone, Copy)]
pub struct Preset {
    /// Short name.
    pub name: &'static str,
    /// Credential type it draws from.
    pub credential_type: CredentialTypeId,
    /// The claims it discloses.
    pub claims: &'static [ClaimKey],
}

/// "Identity check": name, ID number, birth date, sex, portrait digest.
pub const PRESET_IDENTITY_CHECK: Preset = Preset {
    name: "identity_check",
    credential_type: types::CORE_ID,
    claims: &[
        keys::FULL_NAME,
        keys::ID_NUMBER,
        keys::BIRTH_DATE,
        keys::SEX,
        keys::PORTRAIT_DIGEST,
    ],
};
/// "Age over 18" without the birth date.
pub const PRESET_AGE_OVER_18: Preset = Preset {
    name: "age_over_18",
    credential_type: types::AGE_OVER_18,
    claims: &[keys::AGE_OVER_18],
};
/// "Hotel check-in": name, ID number, birth date, sex, nationality.
pub const PRESET_HOTEL_CHECK_IN: Preset = Preset {
    name: "hotel_check_in",
    credential_type: types::CORE_ID,
    claims: &[
        keys::FULL_NAME,
        keys::ID_NUMBER,
        keys::BIRTH_DATE,
        keys::SEX,
        keys::NATIONALITY,
    ],
};
/// "Health insurance at reception": the BHYT card minus the address.
pub const PRESET_HEALTH_INSURANCE: Preset = Preset {
    name: "health_insurance_reception",
    credential_type: types::BHYT,
    claims: &[
        keys::BHYT_NUMBER,
        keys::FULL_NAME,
        keys::BIRTH_DATE,
        keys::SEX,
        keys::ID_NUMBER,
        keys::BHYT_VALIDITY,
        keys::BHYT_FACILITY,
    ],
};
/// "Identity check" from the level-2 electronic ID (chip card verified): name, ID number,
/// birth date, sex, portrait digest.
pub const PRESET_ELECTRONIC_ID_CHECK: Preset = Preset {
    name: "electronic_id_check",
    credential_type: types::ELECTRONIC_ID,
    claims: &[
        keys::FULL_NAME,
        keys::ID_NUMBER,
        keys::BIRTH_DATE,
        keys::SEX,
        keys::PORTRAIT_DIGEST,
    ],
};
/// The whole judicial-record certificate (issue 6): holder, record text, title, number,
/// date and issuing office. A certificate is shown whole, as the paper one is. Not in
/// [`PRESETS`] (the counter presets of the identity types); checked by its own test.
pub const PRESET_JUDICIAL_RECORD: Preset = Preset {
    name: "judicial_record",
    credential_type: types::JUDICIAL_RECORD,
    claims: &[
        keys::FULL_NAME,
        keys::ID_NUMBER,
        keys::BIRTH_DATE,
        keys::CERT_DETAILS,
        keys::CERT_TITLE,
        keys::CERT_NUMBER,
        keys::CERT_ISSUED,
        keys::CERT_ISSUER_NAME,
    ],
};
/// All presets.
pub const PRESETS: &[Preset] = &[
    PRESET_IDENTITY_CHECK,
    PRESET_AGE_OVER_18,
    PRESET_HOTEL_CHECK_IN,
    PRESET_HEALTH_INSURANCE,
    PRESET_ELECTRONIC_ID_CHECK,
];

/// Encodes a value after checking it against the key's kind.
pub fn encode_value(
    key: ClaimKey,
    value: &ClaimValue,
    out: &mut Vec<u8>,
) -> Result<(), ClaimError> {
    let def = claim_def(key).ok_or(ClaimError::UnknownKey(key))?;
    let mut e = Encoder::new(out);
    let wrong = ClaimError::WrongKind(key);
    let range = ClaimError::OutOfRange(key);
    let r = match (def.kind, value) {
        (_, ClaimValue::Absent) => e.null().map(|_| ()),
        (ValueKind::Text { max }, ClaimValue::Text(s)) => {
            if s.len() > max {
                return Err(range);
            }
            e.str(s).map(|_| ())
        }
        (ValueKind::Alpha3, ClaimValue::Text(s)) => {
            if s.len() != 3 || !s.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(range);
            }
            e.str(s).map(|_| ())
        }
        (ValueKind::Digits { len }, ClaimValue::Digits(s)) => {
            if s.len() != usize::from(len) || len > 19 || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(range);
            }
            let n: u64 = s.parse().map_err(|_| range.clone())?;
            e.u64(n).map(|_| ())
        }
        (ValueKind::Date, ClaimValue::Date(d)) => e.i32(d.0).map(|_| ()),
        (ValueKind::DateRange, ClaimValue::DateRange(a, b)) => (|| {
            e.array(2)?.i32(a.0)?;
            match b {
                Some(b) => e.i32(b.0)?,
                None => e.null()?,
            };
            Ok(())
        })(),
        (ValueKind::Sex, ClaimValue::Sex(s)) => e.u8(s.code()).map(|_| ()),
        (ValueKind::Bool, ClaimValue::Bool(b)) => e.bool(*b).map(|_| ()),
        (ValueKind::Digest, ClaimValue::Digest(d)) => e.bytes(d).map(|_| ()),
        _ => return Err(wrong),
    };
    // Writing into a Vec cannot fail.
    r.map_err(|_: minicbor::encode::Error<std::convert::Infallible>| ClaimError::Malformed(key))
}

/// Decodes one value of `key`'s kind from `d`, strictly: the bytes consumed must
/// be exactly what [`encode_value`] would write for the decoded value, so one
/// value has one encoding (and so one digest).
pub fn decode_value(key: ClaimKey, d: &mut Decoder<'_>) -> Result<ClaimValue, ClaimError> {
    let def = claim_def(key).ok_or(ClaimError::UnknownKey(key))?;
    let start = d.position();
    let bad = || ClaimError::Malformed(key);
    let v = if d.datatype().map_err(|_| bad())? == Type::Null {
        d.null().map_err(|_| bad())?;
        ClaimValue::Absent
    } else {
        match def.kind {
            ValueKind::Text { .. } | ValueKind::Alpha3 => {
                ClaimValue::Text(d.str().map_err(|_| bad())?.to_owned())
            }
            ValueKind::Digits { len } => {
                let n = d.u64().map_err(|_| bad())?;
                ClaimValue::Digits(format!("{n:0width$}", width = usize::from(len)))
            }
            ValueKind::Date => ClaimValue::Date(Date(d.i32().map_err(|_| bad())?)),
            ValueKind::DateRange => {
                if d.array().map_err(|_| bad())? != Some(2) {
                    return Err(bad());
                }
                let a = Date(d.i32().map_err(|_| bad())?);
                let b = if d.datatype().map_err(|_| bad())? == Type::Null {
                    d.null().map_err(|_| bad())?;
                    None
                } else {
                    Some(Date(d.i32().map_err(|_| bad())?))
                };
                ClaimValue::DateRange(a, b)
            }
            ValueKind::Sex => ClaimValue::Sex(
                Sex::from_code(d.u8().map_err(|_| bad())?).ok_or(ClaimError::OutOfRange(key))?,
            ),
            ValueKind::Bool => ClaimValue::Bool(d.bool().map_err(|_| bad())?),
            ValueKind::Digest => {
                let b = d.bytes().map_err(|_| bad())?;
                ClaimValue::Digest(b.try_into().map_err(|_| ClaimError::OutOfRange(key))?)
            }
        }
    };
    let consumed = d.input().get(start..d.position()).ok_or_else(bad)?;
    let mut canonical = Vec::with_capacity(consumed.len());
    encode_value(key, &v, &mut canonical)?;
    if canonical != consumed {
        return Err(bad());
    }
    Ok(v)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn builtin_registry_parses_every_type_and_uses_each_claim_once() {
        let r = Registry::builtin();
        for t in TYPES {
            let ct = r.get(t.id).unwrap();
            let mut leaves = ct.shape.leaves().to_vec();
            let n = leaves.len();
            leaves.sort_unstable();
            leaves.dedup();
            assert_eq!(leaves.len(), n, "type {} repeats a claim", t.name);
        }
        assert_eq!(r.get(types::CORE_ID).unwrap().shape.leaves().len(), 9);
    }

    #[test]
    fn presets_only_name_claims_of_their_type() {
        let r = Registry::builtin();
        for p in PRESETS {
            let t = r.get(p.credential_type).unwrap();
            for k in p.claims {
                assert!(t.shape.leaves().contains(k), "{} claim {k}", p.name);
            }
        }
    }

    #[test]
    fn the_judicial_record_preset_discloses_every_claim_of_its_type() {
        let t = Registry::builtin()
            .get(types::JUDICIAL_RECORD)
            .unwrap()
            .clone();
        let mut leaves = t.shape.leaves().to_vec();
        let mut claims = PRESET_JUDICIAL_RECORD.claims.to_vec();
        leaves.sort_unstable();
        claims.sort_unstable();
        assert_eq!(leaves, claims);
    }

    #[test]
    fn dates_convert_both_ways() {
        assert_eq!(Date::from_ymd(1970, 1, 1), Some(Date(0)));
        assert_eq!(Date::from_ymd(2000, 3, 1).unwrap().ymd(), (2000, 3, 1));
        assert_eq!(Date::from_ymd(1900, 2, 29), None);
        assert_eq!(
            Date::from_ymd(2024, 2, 29).unwrap().to_string(),
            "29/02/2024"
        );
        for n in -80_000..80_000 {
            let (y, m, d) = Date(n).ymd();
            assert_eq!(Date::from_ymd(y, m, d), Some(Date(n)));
        }
    }

    #[test]
    fn values_round_trip_and_non_canonical_encodings_are_refused() {
        let cases = [
            (
                keys::FULL_NAME,
                ClaimValue::Text("NGUYỄN THỊ MINH KHAI".into()),
            ),
            (keys::ID_NUMBER, ClaimValue::Digits("001190012345".into())),
            (
                keys::BIRTH_DATE,
                ClaimValue::Date(Date::from_ymd(1990, 5, 17).unwrap()),
            ),
            (
                keys::CARD_VALIDITY,
                ClaimValue::DateRange(Date(19000), None),
            ),
            (keys::SEX, ClaimValue::Sex(Sex::Female)),
            (keys::AGE_OVER_18, ClaimValue::Bool(true)),
            (keys::PORTRAIT_DIGEST, ClaimValue::Digest([7; 32])),
            (keys::NATIONALITY, ClaimValue::Text("VNM".into())),
            (keys::PLACE_OF_ORIGIN, ClaimValue::Absent),
        ];
        for (k, v) in cases {
            let mut b = Vec::new();
            encode_value(k, &v, &mut b).unwrap();
            let got = decode_value(k, &mut Decoder::new(&b)).unwrap();
            assert_eq!(got, v);
        }
        // Sex 1 written as a two-byte integer: same value, other bytes: refused.
        assert_eq!(
            decode_value(keys::SEX, &mut Decoder::new(&[0x18, 0x01])),
            Err(ClaimError::Malformed(keys::SEX))
        );
        assert!(
            encode_value(
                keys::ID_NUMBER,
                &ClaimValue::Digits("12".into()),
                &mut Vec::new()
            )
            .is_err()
        );
        assert!(
            encode_value(
                keys::NATIONALITY,
                &ClaimValue::Text("vn".into()),
                &mut Vec::new()
            )
            .is_err()
        );
        assert!(encode_value(keys::SEX, &ClaimValue::Bool(true), &mut Vec::new()).is_err());
    }
}
