//! Chips of every Doc 9303 document read end to end through `session::ChipSession`: the
//! virtual card presents the same citizen as the CCCD (TD1), as a passport (TD3) with an
//! alphanumeric document number, and as a TD2 card whose non-numeric number is longer than 9
//! characters; each opens with every key form that fits (MRZ key by PACE and by BAC, the MRZ
//! text a scanner hands over, the CAN). The MRZ parser itself is checked against the ICAO
//! specimens of Doc 9303 Parts 4 to 7 in `mrz.rs`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use vneid_chip::{CardConfig, Citizen, DetRng, Document, VirtualCard};
use vneid_emrtd::access::{AccessKey, Can};
use vneid_emrtd::mrz::{DocumentNumberRule, DocumentType, MrzFormat, MrzKey};
use vneid_emrtd::pa::TrustStore;
use vneid_emrtd::session::{AccessProtocol, ChipIdentity, ChipSession, SessionError, Verdict};
use vneid_pki::{Algorithm, Pki, dates};

const PASSPORT: Document = Document::Passport {
    number: "C3005988A",
};
const TD2_CARD: Document = Document::Td2Card {
    number: "VR2024AB1234",
};

fn card(document: Document, pace: bool) -> VirtualCard {
    let config = CardConfig {
        document,
        pace: if pace {
            CardConfig::default().pace
        } else {
            None
        },
        ..CardConfig::default()
    };
    VirtualCard::new(Citizen::an(), config).unwrap()
}

fn read(card: &mut VirtualCard, key: AccessKey) -> Result<ChipIdentity, SessionError> {
    let mut trust = TrustStore::new();
    trust
        .add_csca_der(&Pki::get(Algorithm::EcdsaP256).csca_der())
        .unwrap();
    let mut rng = DetRng::new(b"terminal");
    let mut random = |b: &mut [u8]| rng.fill(b);
    ChipSession::with_access_key(key, &trust, dates::CHECK_TIME, &mut random).read(card)
}

/// The MRZ as a camera scanner hands it over: lines of the format's length, CR/LF, spaces.
fn scanned(document: Document, line_len: usize) -> String {
    let flat = document.mrz(Citizen::an()).unwrap();
    let lines: Vec<&str> = (0..flat.len() / line_len)
        .map(|i| &flat[i * line_len..(i + 1) * line_len])
        .collect();
    format!("  {}\r\n", lines.join("\r\n"))
}

fn typed_key(number: &str) -> AccessKey {
    let an = Citizen::an();
    MrzKey::from_document_number(number, an.date_of_birth, an.date_of_expiry)
        .unwrap()
        .into()
}

fn assert_genuine(id: &ChipIdentity) {
    assert!(id.passive_authentication.is_valid());
    assert_eq!(id.chip_authentication, Verdict::Passed);
    assert_eq!(id.active_authentication, Verdict::Passed);
}

#[test]
fn a_passport_with_an_alphanumeric_number_reads_with_every_key_form() {
    let an = Citizen::an();
    for (key, pace) in [
        (typed_key("C3005988A"), true),
        (typed_key("C3005988A"), false),
        (typed_key("c3005988a<"), true),
        (
            MrzKey::from_mrz_text(&scanned(PASSPORT, 44))
                .unwrap()
                .into(),
            true,
        ),
        (Can::new(&an.can()).unwrap().into(), true),
    ] {
        let mut card = card(PASSPORT, pace);
        let id = read(&mut card, key).unwrap();
        assert_eq!(id.mrz.format, MrzFormat::Td3);
        assert_eq!(id.mrz.document_type(), DocumentType::Passport);
        assert_eq!(id.mrz.document_number, "C3005988A");
        assert_eq!(id.mrz.primary_identifier, an.mrz_surname);
        // The personal number of a Vietnamese passport is the ID number.
        assert_eq!(id.mrz.optional_data_1.trim_end_matches('<'), an.id_number);
        assert_eq!(
            matches!(id.access, AccessProtocol::Pace { .. }),
            pace,
            "{:?}",
            id.access
        );
        assert_genuine(&id);
    }
}

#[test]
fn a_td2_card_with_a_long_non_numeric_number_reads_with_every_key_form() {
    for (key, pace) in [
        (typed_key("VR2024AB1234"), true),
        (typed_key("VR2024AB1234"), false),
        (
            MrzKey::from_mrz_text(&scanned(TD2_CARD, 36))
                .unwrap()
                .into(),
            false,
        ),
    ] {
        let mut card = card(TD2_CARD, pace);
        let id = read(&mut card, key).unwrap();
        assert_eq!(id.mrz.format, MrzFormat::Td2);
        assert_eq!(id.mrz.document_type(), DocumentType::IdCard);
        assert_eq!(id.mrz.document_number, "VR2024AB1234");
        assert_genuine(&id);
    }
}

#[test]
fn the_cccd_names_its_document_type_and_takes_the_explicit_document_number() {
    let an = Citizen::an();
    let rule = DocumentNumberRule::Explicit(an.document_number().into());
    let key = MrzKey::from_cccd(an.id_number, an.date_of_birth, an.date_of_expiry, &rule).unwrap();
    let id = read(&mut card(Document::Cccd, true), key.into()).unwrap();
    assert_eq!(id.mrz.format, MrzFormat::Td1);
    assert_eq!(id.mrz.document_type(), DocumentType::Cccd);
    assert_genuine(&id);
}

#[test]
fn the_cccd_key_or_a_truncated_number_does_not_open_a_passport() {
    let an = Citizen::an();
    let cccd = MrzKey::from_cccd(
        an.id_number,
        an.date_of_birth,
        an.date_of_expiry,
        &DocumentNumberRule::LastNineDigitsOfIdNumber,
    )
    .unwrap();
    for pace in [true, false] {
        assert_eq!(
            read(&mut card(PASSPORT, pace), cccd.clone().into()).unwrap_err(),
            SessionError::AccessDenied {
                attempts_left: None
            }
        );
    }
    // The first 9 characters of a long TD2 number are not its document number.
    assert_eq!(
        read(&mut card(TD2_CARD, false), typed_key("VR2024AB1")).unwrap_err(),
        SessionError::AccessDenied {
            attempts_left: None
        }
    );
}

#[test]
fn passports_and_td2_cards_take_as_many_round_trips_as_the_cccd() {
    let an = Citizen::an();
    let mut cccd = card(Document::Cccd, true);
    let cccd_key =
        MrzKey::from_document_number(an.document_number(), an.date_of_birth, an.date_of_expiry)
            .unwrap();
    read(&mut cccd, cccd_key.into()).unwrap();
    let mut passport = card(PASSPORT, true);
    read(&mut passport, typed_key("C3005988A")).unwrap();
    let mut td2 = card(TD2_CARD, true);
    read(&mut td2, typed_key("VR2024AB1234")).unwrap();
    let (c, p, t) = (
        cccd.stats().apdus,
        passport.stats().apdus,
        td2.stats().apdus,
    );
    println!("APDUs of a full read: CCCD {c}, passport {p}, TD2 card {t}");
    assert_eq!(c, p);
    assert_eq!(c, t);
}
