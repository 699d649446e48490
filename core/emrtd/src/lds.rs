//! Logical Data Structure (Doc 9303 Part 10): file identifiers and the parsers for EF.COM,
//! DG1 and the Vietnamese DG13.
//!
//! Parsers keep the raw file bytes: passive authentication hashes exactly what the chip sent,
//! never a re-encoding.

use crate::mrz::{Mrz, MrzError, Td1Mrz};
use crate::tlv::{self, Node, Tlv, TlvError};
use std::collections::BTreeMap;

/// Elementary files of the eMRTD application (and EF.CardAccess in the master file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LdsFile {
    CardAccess,
    Com,
    Sod,
    /// Data group 1..=16.
    Dg(u8),
}

impl LdsFile {
    pub const DG1: LdsFile = LdsFile::Dg(1);
    pub const DG2: LdsFile = LdsFile::Dg(2);
    pub const DG13: LdsFile = LdsFile::Dg(13);
    pub const DG14: LdsFile = LdsFile::Dg(14);
    pub const DG15: LdsFile = LdsFile::Dg(15);

    /// The two-byte file identifier for SELECT.
    pub fn file_id(self) -> Option<u16> {
        match self {
            Self::CardAccess => Some(0x011C),
            Self::Com => Some(0x011E),
            Self::Sod => Some(0x011D),
            Self::Dg(n @ 1..=16) => Some(0x0100 | u16::from(n)),
            Self::Dg(_) => None,
        }
    }

    /// The short EF identifier, usable in READ BINARY P1 to read without a SELECT.
    pub fn short_id(self) -> Option<u8> {
        match self {
            Self::CardAccess => Some(0x1C),
            Self::Com => Some(0x1E),
            Self::Sod => Some(0x1D),
            Self::Dg(n @ 1..=16) => Some(n),
            Self::Dg(_) => None,
        }
    }

    /// The outer tag the file starts with (EF.CardAccess is a bare SET, tag 31).
    pub fn tag(self) -> Option<u32> {
        const DG_TAGS: [u32; 16] = [
            0x61, 0x75, 0x63, 0x76, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6A, 0x6B, 0x6C, 0x6D, 0x6E,
            0x6F, 0x70,
        ];
        match self {
            Self::CardAccess => Some(0x31),
            Self::Com => Some(0x60),
            Self::Sod => Some(0x77),
            Self::Dg(n) => DG_TAGS.get(usize::from(n).checked_sub(1)?).copied(),
        }
    }

    /// The file a tag listed in EF.COM stands for.
    pub fn from_tag(tag: u32) -> Option<Self> {
        (1..=16).map(Self::Dg).find(|f| f.tag() == Some(tag))
    }

    /// Whether the file lives in the master file rather than the eMRTD application.
    pub fn in_master_file(self) -> bool {
        self == Self::CardAccess
    }
}

/// The file's name as Doc 9303 writes it: `EF.COM`, `EF.SOD`, `EF.CardAccess`, `DG1`..`DG16`
/// (for progress and error messages a person reads).
impl std::fmt::Display for LdsFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::CardAccess => f.pad("EF.CardAccess"),
            Self::Com => f.pad("EF.COM"),
            Self::Sod => f.pad("EF.SOD"),
            Self::Dg(n) => f.pad(&format!("DG{n}")),
        }
    }
}

/// Why an LDS file could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LdsError {
    #[error("TLV structure: {0}")]
    Tlv(#[from] TlvError),
    #[error("required element {0:#X} is missing")]
    Missing(u32),
    #[error("text is not valid UTF-8")]
    NotUtf8,
    #[error("MRZ: {0}")]
    Mrz(#[from] MrzError),
}

/// EF.COM: LDS and Unicode versions and the list of data groups present.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EfCom {
    pub lds_version: String,
    pub unicode_version: String,
    pub data_groups: Vec<LdsFile>,
    /// Tags listed that no known data group has.
    pub unknown_tags: Vec<u8>,
}

impl EfCom {
    pub fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        let com = Tlv::parse_tagged(bytes, 0x60)?;
        let text = |tag| -> Result<String, LdsError> {
            let t = com.find(tag)?.ok_or(LdsError::Missing(tag))?;
            String::from_utf8(t.value.to_vec()).map_err(|_| LdsError::NotUtf8)
        };
        let list = com.find(0x5C)?.ok_or(LdsError::Missing(0x5C))?;
        let mut data_groups = Vec::new();
        let mut unknown_tags = Vec::new();
        for &t in list.value {
            match LdsFile::from_tag(u32::from(t)) {
                Some(f) => data_groups.push(f),
                None => unknown_tags.push(t),
            }
        }
        Ok(Self {
            lds_version: text(0x5F01)?,
            unicode_version: text(0x5F36)?,
            data_groups,
            unknown_tags,
        })
    }
}

/// DG1: the MRZ as stored on the chip (tag 5F1F inside 61).
#[derive(Clone, PartialEq, Eq)]
pub struct Dg1 {
    pub mrz: String,
    pub raw: Vec<u8>,
}

impl std::fmt::Debug for Dg1 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dg1")
            .field("mrz_len", &self.mrz.len())
            .finish_non_exhaustive()
    }
}

impl Dg1 {
    pub fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        let dg1 = Tlv::parse_tagged(bytes, 0x61)?;
        let mrz = dg1.find(0x5F1F)?.ok_or(LdsError::Missing(0x5F1F))?;
        let mrz = String::from_utf8(mrz.value.to_vec()).map_err(|_| LdsError::NotUtf8)?;
        Ok(Self {
            mrz,
            raw: dg1.raw.to_vec(),
        })
    }

    /// The MRZ parsed in whichever Doc 9303 format it has (TD1 cards such as the CCCD, TD2
    /// cards, TD3 passports, visas), with all check digits verified.
    pub fn parse_mrz(&self) -> Result<Mrz, LdsError> {
        Ok(Mrz::parse(&self.mrz)?)
    }

    /// The MRZ parsed (any format; the name is from when only TD1 was parsed).
    pub fn td1(&self) -> Result<Td1Mrz, LdsError> {
        self.parse_mrz()
    }
}

/// The date of expiry DG13 prints: a date, or "Không thời hạn" (no expiry, cards of citizens
/// over 60).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dg13Expiry {
    Date(String),
    NoExpiry(String),
}

/// The Vietnamese DG13. Fields are looked up by index; anything unknown is kept in `fields`
/// and a missing field is `None`, so an unfamiliar card generation never fails the read.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Dg13 {
    pub id_number: Option<String>,
    pub full_name: Option<String>,
    pub date_of_birth: Option<String>,
    pub sex: Option<String>,
    pub nationality: Option<String>,
    pub ethnicity: Option<String>,
    pub religion: Option<String>,
    pub place_of_origin: Option<String>,
    pub place_of_residence: Option<String>,
    pub identifying_features: Option<String>,
    pub date_of_issue: Option<String>,
    pub date_of_expiry: Option<Dg13Expiry>,
    pub father_name: Option<String>,
    pub mother_name: Option<String>,
    pub spouse_name: Option<String>,
    /// The old 9-digit (CMND) number; open readers disagree whether it sits at index 15 or 16.
    pub old_id_number: Option<String>,
    pub card_identifier: Option<String>,
    /// Every field by index, all strings in document order.
    pub fields: BTreeMap<u32, Vec<String>>,
    pub raw: Vec<u8>,
}

impl std::fmt::Debug for Dg13 {
    // Personal data: only the shape is printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dg13")
            .field("indices", &self.fields.keys().collect::<Vec<_>>())
            .field("raw_len", &self.raw.len())
            .finish_non_exhaustive()
    }
}

/// Nesting of DG13 is shallow (file / sequence / field / parents / name); leave headroom.
const DG13_MAX_DEPTH: usize = 12;
const STRING_TAGS: [u32; 5] = [0x0C, 0x13, 0x14, 0x16, 0x1E];

fn small_integer(tlv: &Tlv<'_>) -> Option<u32> {
    if tlv.tag != 0x02 || tlv.value.is_empty() || tlv.value.len() > 2 {
        return None;
    }
    Some(
        tlv.value
            .iter()
            .fold(0u32, |acc, &b| (acc << 8) | u32::from(b)),
    )
}

fn decode_string(tlv: &Tlv<'_>) -> Option<String> {
    match tlv.tag {
        // BMPString: UTF-16BE.
        0x1E => {
            let units: Vec<u16> = tlv
                .value
                .chunks_exact(2)
                .map(|c| {
                    u16::from_be_bytes([
                        c.first().copied().unwrap_or(0),
                        c.get(1).copied().unwrap_or(0),
                    ])
                })
                .collect();
            Some(String::from_utf16_lossy(&units))
        }
        _ => Some(String::from_utf8_lossy(tlv.value).into_owned()),
    }
}

fn collect_strings(nodes: &[Node<'_>], out: &mut Vec<String>) {
    for n in nodes {
        if STRING_TAGS.contains(&n.tlv.tag) {
            if let Some(s) = decode_string(&n.tlv) {
                out.push(s.trim().to_string());
            }
        } else {
            collect_strings(&n.children, out);
        }
    }
}

/// Index of a field SEQUENCE: `30 { 02 idx, ... }`, given whether each child contains a field.
/// A sequence holding fields itself (e.g. a wrapper starting with a version number) is not one.
fn field_index(node: &Node<'_>, child_contains: &[bool]) -> Option<u32> {
    if node.tlv.tag != 0x30 {
        return None;
    }
    let idx = small_integer(&node.children.first()?.tlv)?;
    let nested = child_contains.iter().skip(1).any(|&c| c);
    (!nested).then_some(idx)
}

/// Whether the subtree holds a field; linear in its size (each child is visited once).
fn contains_field(node: &Node<'_>) -> bool {
    let child_contains: Vec<bool> = node.children.iter().map(contains_field).collect();
    field_index(node, &child_contains).is_some() || child_contains.iter().any(|&c| c)
}

fn is_field(node: &Node<'_>) -> Option<u32> {
    let child_contains: Vec<bool> = node.children.iter().map(contains_field).collect();
    field_index(node, &child_contains)
}

fn collect_fields(nodes: &[Node<'_>], fields: &mut BTreeMap<u32, Vec<String>>) {
    for n in nodes {
        match is_field(n) {
            Some(idx) => {
                let mut strings = Vec::new();
                collect_strings(n.children.get(1..).unwrap_or(&[]), &mut strings);
                fields.entry(idx).or_default().extend(strings);
            }
            None => collect_fields(&n.children, fields),
        }
    }
}

fn is_old_id(s: &str) -> bool {
    matches!(s.len(), 9 | 12) && s.bytes().all(|b| b.is_ascii_digit())
}

impl Dg13 {
    /// Parses DG13 (tag 6D). Unknown indices, empty strings and missing fields are tolerated;
    /// only a broken TLV structure is an error.
    pub fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        let outer = Tlv::parse_tagged(bytes, 0x6D)?;
        let tree = tlv::parse_tree(outer.value, DG13_MAX_DEPTH)?;
        let mut fields = BTreeMap::new();
        collect_fields(&tree, &mut fields);
        let get = |i: u32, n: usize| -> Option<String> {
            fields
                .get(&i)
                .and_then(|v| v.get(n))
                .filter(|s| !s.is_empty())
                .cloned()
        };
        let date_of_expiry = get(12, 0).map(|s| {
            if s.bytes().any(|b| b.is_ascii_digit()) {
                Dg13Expiry::Date(s)
            } else {
                Dg13Expiry::NoExpiry(s)
            }
        });
        // Old ID at 15 or 16: take the first of them that looks like an ID number; the card
        // identifier is the first other non-empty value at 15..=17.
        let old_id_index = [15u32, 16]
            .into_iter()
            .find(|&i| get(i, 0).is_some_and(|s| is_old_id(&s)));
        let old_id_number = old_id_index.and_then(|i| get(i, 0));
        let card_identifier = [16u32, 17, 15]
            .into_iter()
            .filter(|&i| Some(i) != old_id_index)
            .find_map(|i| get(i, 0).filter(|s| !is_old_id(s)));
        Ok(Self {
            id_number: get(1, 0),
            full_name: get(2, 0),
            date_of_birth: get(3, 0),
            sex: get(4, 0),
            nationality: get(5, 0),
            ethnicity: get(6, 0),
            religion: get(7, 0),
            place_of_origin: get(8, 0),
            place_of_residence: get(9, 0),
            identifying_features: get(10, 0),
            date_of_issue: get(11, 0),
            date_of_expiry,
            father_name: get(13, 0),
            mother_name: get(13, 1),
            spouse_name: get(14, 0),
            old_id_number,
            card_identifier,
            raw: outer.raw.to_vec(),
            fields,
        })
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
mod tests {
    use super::*;
    use crate::tlv::encode;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    fn field(idx: u8, value: &str) -> Vec<u8> {
        let mut body = encode(0x02, &[idx]).unwrap();
        body.extend(encode(0x0C, value.as_bytes()).unwrap());
        encode(0x30, &body).unwrap()
    }

    fn parents(father: &str, mother: &str) -> Vec<u8> {
        let mut names = encode(0x0C, father.as_bytes()).unwrap();
        names.extend(encode(0x0C, mother.as_bytes()).unwrap());
        let mut body = encode(0x02, &[13]).unwrap();
        body.extend(encode(0x30, &names).unwrap());
        encode(0x30, &body).unwrap()
    }

    /// DG13 as the cards lay it out: 6D { 30 { 30 {02 01 NN, 0C ...} ... } }.
    fn dg13(fields: &[Vec<u8>]) -> Vec<u8> {
        encode(0x6D, &encode(0x30, &fields.concat()).unwrap()).unwrap()
    }

    fn full_card(old_id_at: u8) -> Vec<u8> {
        let mut f = vec![
            field(1, "079203012345"),
            field(2, "Nguyễn Văn An"),
            field(3, "15/01/2003"),
            field(4, "Nam"),
            field(5, "Việt Nam"),
            field(6, "Kinh"),
            field(7, "Không"),
            field(8, "Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh"),
            field(9, "12 Lê Lợi, Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh"),
            field(10, "Nốt ruồi C:2cm trên trước mép phải"),
            field(11, "20/04/2021"),
            field(12, "15/01/2028"),
            parents("Nguyễn Văn Bình", "Trần Thị Cúc"),
            field(14, ""),
        ];
        if old_id_at == 15 {
            f.push(field(15, "025123456"));
            f.push(field(16, "a1b2c3d4-0000-4000-8000-00000000abcd"));
        } else {
            f.push(field(15, ""));
            f.push(field(16, "025123456"));
            f.push(field(17, "a1b2c3d4-0000-4000-8000-00000000abcd"));
        }
        dg13(&f)
    }

    #[test]
    fn file_ids_short_ids_and_tags_follow_part_10() {
        assert_eq!(LdsFile::Com.file_id(), Some(0x011E));
        assert_eq!(LdsFile::Sod.short_id(), Some(0x1D));
        assert_eq!(LdsFile::DG1.file_id(), Some(0x0101));
        assert_eq!(LdsFile::DG13.short_id(), Some(0x0D));
        assert_eq!(LdsFile::DG14.tag(), Some(0x6E));
        assert_eq!(LdsFile::DG15.file_id(), Some(0x010F));
        assert_eq!(LdsFile::DG2.tag(), Some(0x75));
        assert_eq!(LdsFile::CardAccess.file_id(), Some(0x011C));
        assert_eq!(LdsFile::from_tag(0x6D), Some(LdsFile::DG13));
        assert_eq!(LdsFile::Dg(17).file_id(), None);
    }

    #[test]
    fn parses_ef_com_of_the_doc_9303_example() {
        let com = EfCom::parse(&h("60145F0104303130365F36063034303030305C026175")).unwrap();
        assert_eq!(
            (com.lds_version.as_str(), com.unicode_version.as_str()),
            ("0106", "040000")
        );
        assert_eq!(com.data_groups, vec![LdsFile::DG1, LdsFile::DG2]);
    }

    #[test]
    fn ef_com_keeps_unknown_tags_instead_of_failing() {
        let com = EfCom::parse(&h("60165F0104303130375F36063034303030305C04616D6E7F")).unwrap();
        assert_eq!(
            com.data_groups,
            vec![LdsFile::DG1, LdsFile::DG13, LdsFile::DG14]
        );
        assert_eq!(com.unknown_tags, vec![0x7F]);
    }

    #[test]
    fn parses_dg1_with_a_td1_mrz() {
        let mrz = "I<UTOD231458907<<<<<<<<<<<<<<<7408122F1204159UTO<<<<<<<<<<<6ERIKSSON<<ANNA<MARIA<<<<<<<<<<";
        let dg1 = encode(0x61, &encode(0x5F1F, mrz.as_bytes()).unwrap()).unwrap();
        let parsed = Dg1::parse(&dg1).unwrap();
        assert_eq!(parsed.raw, dg1);
        assert_eq!(parsed.td1().unwrap().document_number, "D23145890");
        assert_eq!(
            Dg1::parse(&encode(0x61, &[]).unwrap()).unwrap_err(),
            LdsError::Missing(0x5F1F)
        );
        assert!(matches!(
            Dg1::parse(&encode(0x75, &[]).unwrap()),
            Err(LdsError::Tlv(_))
        ));
    }

    #[test]
    fn parses_every_dg13_field_with_the_old_id_at_index_15() {
        let bytes = full_card(15);
        let d = Dg13::parse(&bytes).unwrap();
        assert_eq!(d.id_number.as_deref(), Some("079203012345"));
        assert_eq!(d.full_name.as_deref(), Some("Nguyễn Văn An"));
        assert_eq!(d.date_of_birth.as_deref(), Some("15/01/2003"));
        assert_eq!(d.sex.as_deref(), Some("Nam"));
        assert_eq!(d.nationality.as_deref(), Some("Việt Nam"));
        assert_eq!(d.ethnicity.as_deref(), Some("Kinh"));
        assert_eq!(d.religion.as_deref(), Some("Không"));
        assert!(d.place_of_origin.as_deref().unwrap().contains("Bến Nghé"));
        assert!(
            d.place_of_residence
                .as_deref()
                .unwrap()
                .starts_with("12 Lê Lợi")
        );
        assert!(d.identifying_features.is_some());
        assert_eq!(d.date_of_issue.as_deref(), Some("20/04/2021"));
        assert_eq!(
            d.date_of_expiry,
            Some(Dg13Expiry::Date("15/01/2028".into()))
        );
        assert_eq!(d.father_name.as_deref(), Some("Nguyễn Văn Bình"));
        assert_eq!(d.mother_name.as_deref(), Some("Trần Thị Cúc"));
        assert_eq!(d.spouse_name, None);
        assert_eq!(d.old_id_number.as_deref(), Some("025123456"));
        assert_eq!(
            d.card_identifier.as_deref(),
            Some("a1b2c3d4-0000-4000-8000-00000000abcd")
        );
        assert_eq!(d.raw, bytes);
    }

    #[test]
    fn finds_the_old_id_at_index_16_too() {
        let d = Dg13::parse(&full_card(16)).unwrap();
        assert_eq!(d.old_id_number.as_deref(), Some("025123456"));
        assert_eq!(
            d.card_identifier.as_deref(),
            Some("a1b2c3d4-0000-4000-8000-00000000abcd")
        );
    }

    #[test]
    fn no_expiry_text_is_recognised() {
        let d = Dg13::parse(&dg13(&[
            field(1, "001052000001"),
            field(12, "Không thời hạn"),
        ]))
        .unwrap();
        assert_eq!(
            d.date_of_expiry,
            Some(Dg13Expiry::NoExpiry("Không thời hạn".into()))
        );
        assert_eq!(d.full_name, None);
    }

    #[test]
    fn unknown_indices_and_a_version_wrapper_do_not_break_parsing() {
        // A leading version INTEGER and an OID before the field list, plus an unknown index 42.
        let mut inner = encode(0x02, &[1]).unwrap();
        inner.extend(encode(0x06, &h("2B0601")).unwrap());
        inner.extend(encode(0x30, &[field(2, "Lê Thị Hoa"), field(42, "mới")].concat()).unwrap());
        let d = Dg13::parse(&encode(0x6D, &encode(0x30, &inner).unwrap()).unwrap()).unwrap();
        assert_eq!(d.full_name.as_deref(), Some("Lê Thị Hoa"));
        assert_eq!(d.fields.get(&42), Some(&vec!["mới".to_string()]));
    }

    #[test]
    fn a_broken_tlv_is_an_error_but_an_empty_dg13_is_not() {
        assert!(Dg13::parse(&h("6D05300302")).is_err());
        let empty = Dg13::parse(&h("6D00")).unwrap();
        assert!(empty.fields.is_empty() && empty.id_number.is_none());
    }

    #[test]
    fn deeply_nested_dg13_is_rejected_quickly() {
        let mut v = field(1, "x");
        for _ in 0..11 {
            v = encode(0x30, &[encode(0x02, &[1]).unwrap(), v.clone(), v].concat()).unwrap();
        }
        let started = std::time::Instant::now();
        let _ = Dg13::parse(&encode(0x6D, &v).unwrap());
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }

    #[test]
    fn dg13_debug_hides_personal_data() {
        let d = Dg13::parse(&full_card(15)).unwrap();
        assert!(!format!("{d:?}").contains("Nguyễn"));
    }
}
