//! PACE, chip authentication and active authentication against the `vneid-chip` virtual card:
//! every curve, cipher and signature variant of the card, the CAN as access key, wrong
//! passwords, a caller-supplied challenge re-verified from the evidence, and a forged MAC.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use vneid_chip::{ActiveAuth, CardConfig, Citizen, DetRng, Mapping, Suite, VirtualCard};
use vneid_emrtd::aa;
use vneid_emrtd::access::{AccessKey, Can};
use vneid_emrtd::mrz::MrzKey;
use vneid_emrtd::pa::TrustStore;
use vneid_emrtd::pa::sig::{Curve, HashAlgorithm};
use vneid_emrtd::security_info::{CaCipher, Dg14, Dg15};
use vneid_emrtd::session::{
    AccessProtocol, ChipIdentity, ChipSession, SessionConfig, SessionError, Transport,
    TransportError, Verdict,
};
use vneid_emrtd::sm::SmError;
use vneid_pki::{Algorithm, Pki, dates};

const AT: u64 = dates::CHECK_TIME;

fn trust() -> TrustStore {
    let mut t = TrustStore::new();
    t.add_csca_der(&Pki::get(Algorithm::EcdsaP256).csca_der())
        .unwrap();
    t
}

fn mrz(c: &Citizen) -> AccessKey {
    AccessKey::Mrz(
        MrzKey::from_cccd(
            c.id_number,
            c.date_of_birth,
            c.date_of_expiry,
            &Default::default(),
        )
        .unwrap(),
    )
}

fn read_with<T: Transport>(
    card: &mut T,
    key: AccessKey,
    config: SessionConfig,
) -> Result<ChipIdentity, SessionError> {
    let trust = trust();
    let mut rng = DetRng::new(b"terminal");
    let mut random = |b: &mut [u8]| rng.fill(b);
    ChipSession::with_access_key(key, &trust, AT, &mut random)
        .with_config(config)
        .read(card)
}

fn card(config: CardConfig) -> VirtualCard {
    VirtualCard::new(Citizen::an(), config).unwrap()
}

fn assert_all_passed(id: &ChipIdentity, what: &str) {
    assert!(id.passive_authentication.is_valid(), "{what}");
    assert_eq!(id.chip_authentication, Verdict::Passed, "{what}");
    assert_eq!(id.active_authentication, Verdict::Passed, "{what}");
}

#[test]
fn pace_ca_and_aa_pass_for_every_curve_cipher_and_signature_variant() {
    let variants = [
        (
            Some(Suite::P256_AES128),
            Suite::P256_AES128,
            ActiveAuth::EcdsaP256,
        ),
        (
            Some(Suite::BP256_AES128),
            Suite::BP256_TDES,
            ActiveAuth::EcdsaP256,
        ),
        (
            Some(Suite::BP256_TDES),
            Suite::P256_AES256,
            ActiveAuth::Rsa(HashAlgorithm::Sha256),
        ),
        (
            Some(Suite::P256_AES256),
            Suite::BP256_AES128,
            ActiveAuth::Rsa(HashAlgorithm::Sha1),
        ),
        (
            None,
            Suite::P256_AES128,
            ActiveAuth::Rsa(HashAlgorithm::Sha256),
        ),
        (
            Some(Suite::P384_AES192),
            Suite::P384_AES192,
            ActiveAuth::EcdsaP256,
        ),
        (
            Some(Suite::BP384_AES256),
            Suite::BP384_AES256,
            ActiveAuth::Rsa(HashAlgorithm::Sha256),
        ),
    ];
    for (pace, chip_auth, active_auth) in variants {
        let what = format!("{pace:?} {chip_auth:?} {active_auth:?}");
        let mut c = card(CardConfig {
            pace,
            chip_auth,
            active_auth,
            ..CardConfig::default()
        });
        let id = read_with(&mut c, mrz(Citizen::an()), SessionConfig::default()).unwrap();
        assert_all_passed(&id, &what);
        match pace {
            Some(s) => assert_eq!(
                id.access,
                AccessProtocol::Pace {
                    curve: s.domain.curve(),
                    cipher: s.cipher
                },
                "{what}"
            ),
            None => assert_eq!(id.access, AccessProtocol::Bac, "{what}"),
        }
    }
}

#[test]
fn pace_with_the_integrated_mapping_reads_on_every_curve_and_refuses_a_wrong_can() {
    for suite in [
        Suite::P256_AES128,
        Suite::BP256_AES128,
        Suite {
            domain: vneid_emrtd::ec::EcDomain::P384,
            cipher: CaCipher::Aes128,
        },
    ] {
        let config = CardConfig {
            pace: Some(suite),
            pace_mapping: Mapping::Integrated,
            ..CardConfig::default()
        };
        let id = read_with(
            &mut card(config),
            mrz(Citizen::an()),
            SessionConfig::default(),
        )
        .unwrap();
        assert_all_passed(&id, &format!("{suite:?}"));
        assert_eq!(id.pace_downgrade, None);
        let c = Citizen::an();
        let can = AccessKey::Can(Can::new(&c.can()).unwrap());
        assert!(read_with(&mut card(config), can, SessionConfig::default()).is_ok());
        let other = format!("{:06}", (c.can().parse::<u32>().unwrap() + 7) % 1_000_000);
        let wrong = AccessKey::Can(Can::new(&other).unwrap());
        assert_eq!(
            read_with(&mut card(config), wrong, SessionConfig::default()).unwrap_err(),
            SessionError::AccessDenied {
                attempts_left: None
            }
        );
    }
}

#[test]
fn the_can_opens_a_pace_card_and_a_wrong_can_is_access_denied() {
    let c = Citizen::an();
    let can = AccessKey::Can(Can::new(&c.can()).unwrap());
    let id = read_with(
        &mut card(CardConfig::default()),
        can,
        SessionConfig::default(),
    )
    .unwrap();
    assert_all_passed(&id, "CAN");
    assert_eq!(id.dg13.unwrap().full_name.as_deref(), Some(c.full_name));
    assert_eq!(
        id.access,
        AccessProtocol::Pace {
            curve: Curve::P256,
            cipher: CaCipher::Aes128
        }
    );

    let other = format!("{:06}", (c.can().parse::<u32>().unwrap() + 1) % 1_000_000);
    let wrong = AccessKey::Can(Can::new(&other).unwrap());
    let mut denied = card(CardConfig::default());
    assert_eq!(
        read_with(&mut denied, wrong, SessionConfig::default()).unwrap_err(),
        SessionError::AccessDenied {
            attempts_left: None
        }
    );
    // A BAC-only card cannot be opened with a CAN: a typed error, not a guess.
    let mut bac_only = card(CardConfig {
        pace: None,
        ..CardConfig::default()
    });
    let can = AccessKey::Can(Can::new(&c.can()).unwrap());
    assert_eq!(
        read_with(&mut bac_only, can, SessionConfig::default()).unwrap_err(),
        SessionError::PaceNotOffered
    );
}

#[test]
fn a_wrong_mrz_is_refused_by_pace_for_every_suite() {
    let wrong = AccessKey::Mrz(
        MrzKey::from_cccd("001090123456", "900316", "300315", &Default::default()).unwrap(),
    );
    for suite in [Suite::P256_AES128, Suite::BP256_TDES, Suite::P256_AES256] {
        let mut c = card(CardConfig {
            pace: Some(suite),
            ..CardConfig::default()
        });
        assert_eq!(
            read_with(&mut c, wrong.clone(), SessionConfig::default()).unwrap_err(),
            SessionError::AccessDenied {
                attempts_left: None
            },
            "{suite:?}"
        );
    }
}

#[test]
fn a_supplied_challenge_is_signed_and_re_verifies_from_the_evidence() {
    for active_auth in [
        ActiveAuth::EcdsaP256,
        ActiveAuth::Rsa(HashAlgorithm::Sha256),
    ] {
        let challenge = *b"backend!";
        let config = SessionConfig {
            active_auth_challenge: Some(challenge),
            ..SessionConfig::default()
        };
        let mut c = card(CardConfig {
            active_auth,
            ..CardConfig::default()
        });
        let id = read_with(&mut c, mrz(Citizen::an()), config).unwrap();
        assert_all_passed(&id, "challenge");
        let proof = id.active_authentication_proof.unwrap();
        assert_eq!(proof.challenge, challenge);
        // What a backend does with the evidence: DG15 (and DG14 for ECDSA) plus the proof.
        let dg15 = Dg15::parse(&id.evidence.data_groups[&15]).unwrap();
        let dg14 = Dg14::parse(&id.evidence.data_groups[&14]).unwrap();
        aa::verify(&dg15, Some(&dg14), &challenge, &proof.signature).unwrap();
        // The signature does not transfer to another challenge.
        assert_eq!(
            aa::verify(&dg15, Some(&dg14), b"another!", &proof.signature),
            Err(aa::AaError::Invalid)
        );
    }
}

#[test]
fn switching_the_clone_checks_off_reports_not_performed_never_passed() {
    let mut c = card(CardConfig {
        cloned: true,
        ..CardConfig::default()
    });
    let config = SessionConfig {
        chip_authentication: false,
        pace: false,
        ..SessionConfig::default()
    };
    let id = read_with(&mut c, mrz(Citizen::an()), config).unwrap();
    assert!(matches!(
        id.chip_authentication,
        Verdict::NotPerformed { .. }
    ));
    assert_eq!(id.access, AccessProtocol::Bac);
    assert!(id.active_authentication.failed());
    // A card without DG14/DG15 does not support them.
    let mut plain = card(CardConfig {
        with_dg14_dg15: false,
        ..CardConfig::default()
    });
    let id = read_with(&mut plain, mrz(Citizen::an()), SessionConfig::default()).unwrap();
    assert!(matches!(
        id.chip_authentication,
        Verdict::NotSupported { .. }
    ));
    assert!(matches!(
        id.active_authentication,
        Verdict::NotSupported { .. }
    ));
}

/// Flips a bit in the MAC of every response from the `at`-th on.
struct ForgedMac {
    card: VirtualCard,
    at: usize,
    sent: usize,
}

impl Transport for ForgedMac {
    fn transceive(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        let i = self.sent;
        self.sent += 1;
        let mut r = self.card.transceive(apdu)?;
        let n = r.len();
        if i == self.at && n > 2 {
            r[n - 3] ^= 0x01;
        }
        Ok(r)
    }
    fn max_transceive_len(&self) -> usize {
        self.card.max_transceive_len()
    }
}

#[test]
fn a_wrong_response_mac_after_chip_authentication_aborts_the_read() {
    let select_path = SessionConfig {
        short_ids: false,
        ..SessionConfig::default()
    };
    let baseline = read_with(
        &mut card(CardConfig::default()),
        mrz(Citizen::an()),
        select_path,
    )
    .unwrap();
    // On the SELECT path: EF.CardAccess (0-2), PACE (3-7), SELECT (8), EF.COM (9-11) and
    // DG14 (12-14) under the PACE keys, chip authentication (15-16), then the first response
    // under the new keys (17) confirms it. A forged MAC anywhere else aborts the read.
    let total = baseline.stats.apdus;
    for at in [10, 13, 16, 20, total - 2] {
        let mut t = ForgedMac {
            card: card(CardConfig::default()),
            at,
            sent: 0,
        };
        assert_eq!(
            read_with(&mut t, mrz(Citizen::an()), select_path).unwrap_err(),
            SessionError::Sm(SmError::MacMismatch),
            "forged at {at}"
        );
    }
    // Forging the response that confirms chip authentication is reported as a failed check.
    let mut t = ForgedMac {
        card: card(CardConfig::default()),
        at: 17,
        sent: 0,
    };
    let id = read_with(&mut t, mrz(Citizen::an()), select_path).unwrap();
    assert!(
        id.chip_authentication.failed(),
        "{:?}",
        id.chip_authentication
    );
    assert_eq!(id.evidence, baseline.evidence);
}

/// An attacker in the field who hides EF.CardAccess to force BAC.
struct StripCardAccess {
    card: VirtualCard,
}

impl Transport for StripCardAccess {
    fn transceive(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        // Its SELECT, and its READ BINARY by short id (P1 = 80 | 1C).
        if apdu.starts_with(&[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x01, 0x1C])
            || apdu.starts_with(&[0x00, 0xB0, 0x9C])
        {
            return Ok(vec![0x6A, 0x82]);
        }
        self.card.transceive(apdu)
    }
    fn max_transceive_len(&self) -> usize {
        self.card.max_transceive_len()
    }
}

#[test]
fn a_hidden_ef_card_access_is_reported_as_a_pace_downgrade() {
    let id = read_with(
        &mut card(CardConfig::default()),
        mrz(Citizen::an()),
        SessionConfig::default(),
    )
    .unwrap();
    assert_eq!(id.pace_downgrade, None);
    let mut t = StripCardAccess {
        card: card(CardConfig::default()),
    };
    let id = read_with(&mut t, mrz(Citizen::an()), SessionConfig::default()).unwrap();
    assert_eq!(id.access, AccessProtocol::Bac);
    assert!(id.passive_authentication.is_valid());
    let warning = id.pace_downgrade.unwrap();
    assert!(warning.contains("DG14 lists PACE"), "{warning}");
    // A card that never offered PACE is no downgrade.
    let mut bac_only = card(CardConfig {
        pace: None,
        ..CardConfig::default()
    });
    let id = read_with(&mut bac_only, mrz(Citizen::an()), SessionConfig::default()).unwrap();
    assert_eq!(id.pace_downgrade, None);
}
