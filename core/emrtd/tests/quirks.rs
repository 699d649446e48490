//! Full reads of virtual cards that behave like real cards seen in the field (each a
//! `vneid_chip::Quirks` profile): bare error status words under secure messaging, with and
//! without the card advancing its counter (as a passport answering a naked 6700 did, gmrtd
//! issue 457), protected answers without DO'99', files the card does not hold, and cards that
//! read files only after a SELECT.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeSet;
use vneid_chip::{BareErrors, CardConfig, Citizen, DetRng, Quirks, Suite, VirtualCard};
use vneid_emrtd::apdu::StatusWord;
use vneid_emrtd::lds::LdsFile;
use vneid_emrtd::mrz::MrzKey;
use vneid_emrtd::pa::{DgHash, NotPossible, TrustStore};
use vneid_emrtd::session::{
    AccessProtocol, ChipIdentity, ChipSession, SessionConfig, SessionError, Verdict,
};
use vneid_pki::{Algorithm, Pki, dates};

fn read(card: &mut VirtualCard) -> Result<ChipIdentity, SessionError> {
    let mut trust = TrustStore::new();
    trust
        .add_csca_der(&Pki::get(Algorithm::EcdsaP256).csca_der())
        .unwrap();
    let c = Citizen::an();
    let key = MrzKey::from_cccd(
        c.id_number,
        c.date_of_birth,
        c.date_of_expiry,
        &Default::default(),
    )
    .unwrap();
    let mut rng = DetRng::new(b"terminal");
    let mut random = |b: &mut [u8]| rng.fill(b);
    ChipSession::new(&key, &trust, dates::CHECK_TIME, &mut random).read(card)
}

fn card(config: CardConfig, quirks: Quirks) -> VirtualCard {
    VirtualCard::new(Citizen::an(), config)
        .unwrap()
        .with_quirks(quirks)
}

fn absent(files: &[LdsFile]) -> BTreeSet<LdsFile> {
    files.iter().copied().collect()
}

const BOTH: [BareErrors; 2] = [BareErrors::KeepCounter, BareErrors::AdvanceCounter];

#[test]
fn bare_file_not_found_under_secure_messaging_skips_the_file_and_the_read_goes_on() {
    for how in BOTH {
        for pace in [Some(Suite::P256_AES128), None] {
            let mut c = card(
                CardConfig {
                    pace,
                    ..CardConfig::default()
                },
                Quirks {
                    bare_errors: Some(how),
                    absent: absent(&[LdsFile::DG2, LdsFile::DG15]),
                    ..Quirks::default()
                },
            );
            let id = read(&mut c).unwrap_or_else(|e| panic!("{how:?} {pace:?}: {e}"));
            assert_eq!(id.mrz.document_number, "090123456");
            assert!(id.face.is_none());
            assert!(id.dg13.is_some());
            assert_eq!(
                id.evidence.data_groups.keys().copied().collect::<Vec<_>>(),
                vec![1, 13, 14]
            );
            // Listed in EF.SOD but not read: reported as such, the rest still verifies.
            assert_eq!(
                id.passive_authentication.data_groups.get(&2),
                Some(&DgHash::NotRead)
            );
            assert!(id.passive_authentication.is_valid());
            assert_eq!(id.chip_authentication, Verdict::Passed);
            assert!(!id.active_authentication.passed());
            assert_eq!(id.stats.apdus, c.stats().apdus);
            match how {
                // The counter stays where the command left it: no resynchronisation needed.
                BareErrors::KeepCounter => assert_eq!(id.stats.sm_resyncs, 0),
                // The card moved on: it refuses the next command, access control runs again.
                BareErrors::AdvanceCounter => assert!(id.stats.sm_resyncs >= 1),
            }
        }
    }
}

#[test]
fn a_card_answering_bare_errors_but_holding_every_file_reads_as_the_default_card() {
    for how in BOTH {
        let mut c = card(
            CardConfig::default(),
            Quirks {
                bare_errors: Some(how),
                ..Quirks::default()
            },
        );
        let id = read(&mut c).unwrap();
        assert!(id.passive_authentication.is_valid());
        assert!(id.chip_authentication.passed() && id.active_authentication.passed());
        assert!(id.face.is_some());
    }
}

#[test]
fn protected_answers_without_do99_verify_by_their_mac() {
    for pace in [Some(Suite::P256_AES128), None] {
        let mut c = card(
            CardConfig {
                pace,
                ..CardConfig::default()
            },
            Quirks {
                no_do99: true,
                ..Quirks::default()
            },
        );
        let id = read(&mut c).unwrap();
        assert!(id.passive_authentication.is_valid());
        assert!(id.chip_authentication.passed() && id.active_authentication.passed());
    }
}

#[test]
fn no_card_access_means_bac_and_the_read_goes_on() {
    let mut c = card(
        CardConfig::default(),
        Quirks {
            bare_errors: Some(BareErrors::KeepCounter),
            absent: absent(&[LdsFile::CardAccess]),
            ..Quirks::default()
        },
    );
    let id = read(&mut c).unwrap();
    assert_eq!(id.access, AccessProtocol::Bac);
    assert!(id.passive_authentication.is_valid());
}

#[test]
fn a_cloned_chip_answering_bare_errors_still_fails_chip_authentication() {
    let mut c = card(
        CardConfig {
            cloned: true,
            ..CardConfig::default()
        },
        Quirks {
            bare_errors: Some(BareErrors::KeepCounter),
            absent: absent(&[LdsFile::DG2]),
            ..Quirks::default()
        },
    );
    let id = read(&mut c).unwrap();
    assert!(matches!(id.chip_authentication, Verdict::Failed { .. }));
}

#[test]
fn a_card_without_ef_sod_gives_its_data_with_passive_authentication_not_possible() {
    for how in BOTH {
        let mut c = card(
            CardConfig::default(),
            Quirks {
                bare_errors: Some(how),
                absent: absent(&[LdsFile::Sod]),
                ..Quirks::default()
            },
        );
        let id = read(&mut c).unwrap_or_else(|e| panic!("{how:?}: {e}"));
        assert_eq!(id.mrz.document_number, "090123456");
        assert!(id.dg13.is_some() && id.face.is_some());
        let pa = &id.passive_authentication;
        assert_eq!(pa.not_possible, Some(NotPossible::NoSod));
        assert!(!pa.is_valid());
        assert!(id.evidence.sod.is_empty());
        // Every data group read is plainly marked not proven.
        assert_eq!(
            pa.data_groups.keys().copied().collect::<Vec<_>>(),
            vec![1, 2, 13, 14, 15]
        );
        assert!(pa.data_groups.values().all(|d| *d == DgHash::NotProven));
        assert!(matches!(
            Verdict::from_passive(pa),
            Verdict::NotPossible { .. }
        ));
        assert!(!Verdict::from_passive(pa).passed());
    }
}

#[test]
fn a_wrong_key_refused_with_any_status_is_one_typed_error_with_the_tries_left() {
    let c = Citizen::an();
    let wrong = MrzKey::from_cccd(
        "001090123457",
        c.date_of_birth,
        c.date_of_expiry,
        &Default::default(),
    )
    .unwrap();
    let mut trust = TrustStore::new();
    trust
        .add_csca_der(&Pki::get(Algorithm::EcdsaP256).csca_der())
        .unwrap();
    for (status, attempts_left) in [
        (0x6300, None),
        (0x63C2, Some(2)),
        (0x63C0, Some(0)),
        (0x6982, None),
        (0x6988, None),
        (0x6A80, None),
    ] {
        for pace in [Some(Suite::P256_AES128), None] {
            let mut card = card(
                CardConfig {
                    pace,
                    ..CardConfig::default()
                },
                Quirks {
                    wrong_key_status: Some(vneid_emrtd::apdu::StatusWord(status)),
                    ..Quirks::default()
                },
            );
            let mut rng = DetRng::new(b"terminal");
            let mut random = |b: &mut [u8]| rng.fill(b);
            let err = ChipSession::new(&wrong, &trust, dates::CHECK_TIME, &mut random)
                .read(&mut card)
                .unwrap_err();
            assert_eq!(
                err,
                SessionError::AccessDenied { attempts_left },
                "{status:04X} {pace:?}"
            );
        }
    }
}

fn read_with(card: &mut VirtualCard, short_ids: bool) -> Result<ChipIdentity, SessionError> {
    let mut trust = TrustStore::new();
    trust
        .add_csca_der(&Pki::get(Algorithm::EcdsaP256).csca_der())
        .unwrap();
    let c = Citizen::an();
    let key = MrzKey::from_cccd(
        c.id_number,
        c.date_of_birth,
        c.date_of_expiry,
        &Default::default(),
    )
    .unwrap();
    let mut rng = DetRng::new(b"terminal");
    let mut random = |b: &mut [u8]| rng.fill(b);
    ChipSession::new(&key, &trust, dates::CHECK_TIME, &mut random)
        .with_config(SessionConfig {
            short_ids,
            ..SessionConfig::default()
        })
        .read(card)
}

/// Cards that read files only after a SELECT answer a short-id READ BINARY with 6A86
/// (incorrect P1-P2), 6B00, 6700 or 6D00 (JMRTD and other readers make short ids optional
/// for this reason). The reader falls back to SELECT for that file and every later one.
#[test]
fn a_card_refusing_short_ef_ids_is_read_by_select_at_two_round_trips_more() {
    for refusal in [0x6A86, 0x6B00, 0x6700, 0x6D00, 0x6986] {
        for pace in [Some(Suite::P256_AES128), None] {
            let config = CardConfig {
                pace,
                ..CardConfig::default()
            };
            let quirks = Quirks {
                short_id_refusal: Some(StatusWord(refusal)),
                ..Quirks::default()
            };
            let mut by_select = card(config, Quirks::default());
            let baseline = read_with(&mut by_select, false).unwrap();
            let mut c = card(config, quirks);
            let id = read_with(&mut c, true).unwrap_or_else(|e| panic!("{refusal:04X}: {e}"));
            assert_eq!(id.evidence, baseline.evidence, "{refusal:04X}");
            assert!(id.passive_authentication.is_valid());
            assert_eq!(id.chip_authentication, Verdict::Passed);
            assert_eq!(id.active_authentication, Verdict::Passed);
            // One refused short-id read for EF.CardAccess, one for EF.COM; then SELECT only.
            assert_eq!(
                c.stats().apdus,
                by_select.stats().apdus + 2,
                "{refusal:04X} {pace:?}"
            );
        }
    }
}

/// Once the card has read a file by short id, a 6A82 to a short-id read is an absent file:
/// no SELECT to confirm it. Each file present saves its SELECT.
#[test]
fn short_ef_ids_save_a_select_per_file_and_absent_files_cost_one_answer() {
    let quirks = Quirks {
        absent: absent(&[LdsFile::DG2, LdsFile::DG15]),
        ..Quirks::default()
    };
    let mut by_select = card(CardConfig::default(), quirks.clone());
    let baseline = read_with(&mut by_select, false).unwrap();
    let mut c = card(CardConfig::default(), quirks);
    let id = read_with(&mut c, true).unwrap();
    assert_eq!(id.evidence, baseline.evidence);
    assert!(id.passive_authentication.is_valid());
    // EF.CardAccess, EF.COM, DG1, DG13, DG14, EF.SOD: one SELECT each.
    assert_eq!(c.stats().apdus + 6, by_select.stats().apdus);
}
