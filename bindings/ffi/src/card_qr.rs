//! The QR printed on the chip ID card, for counter apps: parsed into fields and **never
//! verified**. Anyone can print such a QR; it carries no signature. Apps show it as
//! "unverified" and never green. Conversions only; the parser is `vneid_credential::card_qr`.

use vneid_wallet::credential::card_qr::{UnverifiedCardQr, parse_card_qr as parse};
use vneid_wallet::credential::claims::{Date, Sex};

/// What counter apps show next to these fields.
pub const CARD_QR_NOTICE_EN: &str = "Printed card QR: not cryptographically verified. Anyone can print one; compare with the card and the chip.";
/// The same, in Vietnamese.
pub const CARD_QR_NOTICE_VI: &str = "Mã QR in trên thẻ: không được xác thực bằng chữ ký số. Ai cũng có thể in mã này; hãy đối chiếu với thẻ và chip.";

/// Fields of the printed chip-card QR. `verified` is always false: nothing here is signed.
/// Personal data: `Debug` prints none of it.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct CardQrData {
    /// Always false; present so no app can mistake this for a verified result.
    pub verified: bool,
    /// Why it is not verified, for the screen (English).
    pub notice_en: String,
    /// Why it is not verified, for the screen (Vietnamese).
    pub notice_vi: String,
    /// 12-digit personal identification number as printed.
    pub id_number: String,
    /// Old 9-digit ID (CMND), if printed.
    pub old_id_number: Option<String>,
    pub full_name: String,
    /// `YYYY-MM-DD`, null if the printed date did not parse.
    pub birth_date: Option<String>,
    /// `male` / `female`, null if not `Nam` / `Nữ`.
    pub sex: Option<String>,
    pub address: String,
    /// Card issue date `YYYY-MM-DD`, if present and parsed.
    pub issue_date: Option<String>,
    /// Every `|`-separated field as printed, in order.
    pub raw_fields: Vec<String>,
}

impl std::fmt::Debug for CardQrData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CardQrData")
            .field("verified", &self.verified)
            .field("fields", &self.raw_fields.len())
            .finish_non_exhaustive()
    }
}

fn iso(d: Date) -> String {
    let (y, m, day) = d.ymd();
    format!("{y:04}-{m:02}-{day:02}")
}

impl From<UnverifiedCardQr> for CardQrData {
    fn from(q: UnverifiedCardQr) -> Self {
        Self {
            verified: false,
            notice_en: CARD_QR_NOTICE_EN.to_owned(),
            notice_vi: CARD_QR_NOTICE_VI.to_owned(),
            id_number: q.id_number,
            old_id_number: q.old_id_number,
            full_name: q.full_name,
            birth_date: q.birth_date.map(iso),
            sex: q.sex.map(|s| {
                match s {
                    Sex::Male => "male",
                    Sex::Female => "female",
                    Sex::NotKnown => "not_known",
                    Sex::NotApplicable => "not_applicable",
                }
                .to_owned()
            }),
            address: q.address,
            issue_date: q.issue_date.map(iso),
            raw_fields: q.raw_fields,
        }
    }
}

/// Parses scanned text as the printed chip-card QR; null when it is not one (a `VN1:`
/// presentation, another QR, more than 1,000 bytes, not 6–8 fields, no 12-digit ID first).
#[uniffi::export]
pub fn parse_card_qr(text: String) -> Option<CardQrData> {
    if text.starts_with("VN1") {
        return None;
    }
    parse(&text).ok().map(CardQrData::from)
}
