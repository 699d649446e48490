//! Deterministic mutation testing of every parser: thousands of mutated inputs derived from
//! valid seeds, asserting only that nothing panics (bounds are checked by the parsers' own
//! unit tests). cargo-fuzz targets in `fuzz/` explore further where nightly is available.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeMap;
use vneid_emrtd::apdu::{CommandApdu, ResponseApdu};
use vneid_emrtd::dg2::{Dg2, encode_dg2};
use vneid_emrtd::kdf::SecretKey;
use vneid_emrtd::lds::{Dg1, Dg13, EfCom};
use vneid_emrtd::mrz::Td1Mrz;
use vneid_emrtd::pa::{self, Cert, Crl, Sod, TrustStore};
use vneid_emrtd::security_info::{Dg14, Dg15};
use vneid_emrtd::sm::{SecureMessaging, SmCipher};
use vneid_emrtd::tlv::{self, encode};

/// xorshift64*: small, deterministic, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut v = seed.to_vec();
    for _ in 0..=rng.below(4) {
        match rng.below(7) {
            0 if !v.is_empty() => {
                let i = rng.below(v.len());
                v[i] ^= 1 << rng.below(8);
            }
            1 if !v.is_empty() => {
                let i = rng.below(v.len());
                v[i] = rng.next() as u8;
            }
            2 => {
                let i = rng.below(v.len() + 1);
                v.insert(
                    i,
                    [0x00, 0x30, 0x80, 0x81, 0x82, 0x84, 0xFF, 0x1F][rng.below(8)],
                );
            }
            3 if !v.is_empty() => {
                let i = rng.below(v.len());
                v.remove(i);
            }
            4 => {
                let n = rng.below(v.len() + 1);
                v.truncate(n);
            }
            5 if !v.is_empty() => {
                let i = rng.below(v.len());
                let j = rng.below(v.len());
                let (a, b) = (i.min(j), i.max(j));
                let chunk = v[a..b].to_vec();
                let at = rng.below(v.len() + 1);
                v.splice(at..at, chunk);
            }
            _ => {
                let interesting = [0x00u8, 0x7F, 0x80, 0xFF];
                if !v.is_empty() {
                    let i = rng.below(v.len());
                    v[i] = interesting[rng.below(4)];
                }
            }
        }
    }
    v
}

const ROUNDS: usize = 50_000;

fn run(seeds: &[Vec<u8>], mut f: impl FnMut(&[u8])) {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for seed in seeds {
        f(seed);
    }
    for i in 0..ROUNDS {
        let seed = &seeds[i % seeds.len()];
        f(&mutate(&mut rng, seed));
    }
}

fn field(idx: u8, value: &str) -> Vec<u8> {
    let mut body = encode(0x02, &[idx]).unwrap();
    body.extend(encode(0x0C, value.as_bytes()).unwrap());
    encode(0x30, &body).unwrap()
}

fn dg13_seed() -> Vec<u8> {
    let mut parents = encode(0x02, &[13]).unwrap();
    parents.extend(
        encode(
            0x30,
            &[
                encode(0x0C, "Bố".as_bytes()).unwrap(),
                encode(0x0C, "Mẹ".as_bytes()).unwrap(),
            ]
            .concat(),
        )
        .unwrap(),
    );
    let fields = [
        field(1, "079203012345"),
        field(2, "Nguyễn Văn An"),
        encode(0x30, &parents).unwrap(),
        field(12, "Không thời hạn"),
        field(15, "025123456"),
    ]
    .concat();
    encode(0x6D, &encode(0x30, &fields).unwrap()).unwrap()
}

const TD1: &str =
    "I<UTOD231458907<<<<<<<<<<<<<<<7408122F1204159UTO<<<<<<<<<<<6ERIKSSON<<ANNA<MARIA<<<<<<<<<<";

#[test]
fn tlv_parsers_never_panic_on_mutated_input() {
    let seeds = vec![
        hex::decode("60145F0104303130365F36063034303030305C026175").unwrap(),
        dg13_seed(),
        hex::decode("7F618203E8").unwrap(),
    ];
    run(&seeds, |b| {
        let _ = tlv::parse_header(b);
        let _ = tlv::Tlv::parse(b);
        let _ = tlv::parse_tree(b, tlv::MAX_DEPTH);
        for t in tlv::TlvIter::new(b).take(1000).flatten() {
            let _ = t.find(0x5C);
        }
    });
}

#[test]
fn mrz_parser_never_panics_on_mutated_input() {
    run(&[TD1.as_bytes().to_vec()], |b| {
        let _ = Td1Mrz::parse(&String::from_utf8_lossy(b));
    });
}

#[test]
fn lds_parsers_never_panic_on_mutated_input() {
    let dg1 = encode(0x61, &encode(0x5F1F, TD1.as_bytes()).unwrap()).unwrap();
    let com = hex::decode("60145F0104303130365F36063034303030305C026175").unwrap();
    run(&[dg1, com, dg13_seed()], |b| {
        if let Ok(d) = Dg1::parse(b) {
            let _ = d.td1();
        }
        let _ = EfCom::parse(b);
        let _ = Dg13::parse(b);
    });
}

#[test]
fn apdu_parsers_never_panic_on_mutated_input() {
    let seeds = vec![
        hex::decode("0CB000040D9701128E082EA28A70F3C7B53500").unwrap(),
        hex::decode("00B00000000101").unwrap(),
    ];
    run(&seeds, |b| {
        if let Ok(c) = CommandApdu::parse(b) {
            let _ = c.to_bytes();
        }
        let _ = ResponseApdu::parse(b);
    });
}

#[test]
fn sm_unwrap_never_panics_on_mutated_responses() {
    let seeds = vec![
        hex::decode("871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08C8B2787EAEA07D749000").unwrap(),
        hex::decode("990290008E08FA855A5D4C50A8ED9000").unwrap(),
    ];
    for cipher in [SmCipher::Tdes, SmCipher::Aes] {
        run(&seeds, |b| {
            let mut sm = SecureMessaging::new(
                cipher,
                SecretKey::new(hex::decode("979EC13B1CBFE9DCD01AB0FED307EAE5").unwrap()),
                SecretKey::new(hex::decode("F1CB1F1FB5ADF208806B89DC579DC1F8").unwrap()),
                &vec![0u8; cipher.block_size()],
            )
            .unwrap();
            if let Ok(r) = ResponseApdu::parse(b) {
                let _ = sm.unwrap(&r);
            }
        });
    }
}

const JPEG: &[u8] = &[
    0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0xFF, 0xD9,
];

#[test]
fn dg2_parser_never_panics_on_mutated_input() {
    let iso39794 = encode(
        0x75,
        &encode(
            0x7F61,
            &encode(
                0x7F60,
                &encode(0x7F2E, &encode(0xA0, &encode(0x80, JPEG).unwrap()).unwrap()).unwrap(),
            )
            .unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    run(&[encode_dg2(JPEG, 480, 640).unwrap(), iso39794], |b| {
        if let Ok(dg2) = Dg2::parse(b) {
            let _ = dg2.face().map(|f| f.format.mime_type());
        }
    });
}

fn ec_spki() -> Vec<u8> {
    let pki = vneid_pki::Pki::get(vneid_pki::Algorithm::EcdsaP256);
    vneid_pki::spki_der(&pki.ds.key)
}

fn dg14_seed() -> Vec<u8> {
    let oid = |bytes: &[u8]| encode(0x06, bytes).unwrap();
    // id-CA-ECDH-AES-CBC-CMAC-128, version 1, key id 1; id-PK-ECDH with a P-256 key.
    let ca = [
        oid(&[0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x03, 0x02, 0x02]),
        encode(0x02, &[1]).unwrap(),
        encode(0x02, &[1]).unwrap(),
    ]
    .concat();
    let pk = [
        oid(&[0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x01, 0x02]),
        ec_spki(),
        encode(0x02, &[1]).unwrap(),
    ]
    .concat();
    let set = [encode(0x30, &ca).unwrap(), encode(0x30, &pk).unwrap()].concat();
    encode(0x6E, &encode(0x31, &set).unwrap()).unwrap()
}

#[test]
fn dg14_and_dg15_parsers_never_panic_on_mutated_input() {
    let rsa = vneid_pki::spki_der(
        &vneid_pki::Pki::get(vneid_pki::Algorithm::RsaPkcs1v15)
            .ds
            .key,
    );
    let seeds = vec![
        dg14_seed(),
        encode(0x6F, &ec_spki()).unwrap(),
        encode(0x6F, &rsa).unwrap(),
    ];
    run(&seeds, |b| {
        if let Ok(dg14) = Dg14::parse(b) {
            let _ = dg14.chip_authentication_keys().count();
        }
        let _ = Dg15::parse(b);
    });
}

#[test]
fn sod_parser_and_verifier_never_panic_on_mutated_input() {
    let pki = vneid_pki::Pki::get(vneid_pki::Algorithm::EcdsaP256);
    let dgs = BTreeMap::from([(1u8, vec![0x61, 0x00]), (2, vec![0x75, 0x00])]);
    let mut trust = TrustStore::new();
    trust.add_csca_der(&pki.csca_der()).unwrap();
    trust.add_crl_der(&pki.crl_der()).unwrap();
    let seeds = vec![pki.sod(&pki.ds, &dgs)];
    run(&seeds, |b| {
        if let Ok(sod) = Sod::parse(b) {
            let report = pa::verify(&sod, &dgs, &trust, vneid_pki::dates::CHECK_TIME);
            let _ = (report.is_valid(), report.failures());
        }
    });
}

#[test]
fn certificate_crl_and_master_list_parsers_never_panic_on_mutated_input() {
    let pki = vneid_pki::Pki::get(vneid_pki::Algorithm::EcdsaP256);
    let seeds = vec![pki.csca_der(), pki.crl_der(), pki.master_list()];
    let mut trust = TrustStore::new();
    trust.add_csca_der(&pki.csca_der()).unwrap();
    run(&seeds, |b| {
        if let Ok(c) = Cert::from_der(b) {
            let _ = c.verify_signed_by(&c);
        }
        let _ = Crl::from_der(b);
        let _ = trust
            .clone()
            .add_master_list(b, vneid_pki::dates::CHECK_TIME);
    });
}

/// EF.CardAccess of Doc 9303 Part 11 Appendix G.1 and one with P-256 and 3DES.
fn card_access_seeds() -> Vec<Vec<u8>> {
    vec![
        hex::decode("3114301206 0A04007F00070202040202 020102 02010D".replace(' ', "")).unwrap(),
        hex::decode("3114301206 0A04007F00070202040201 020102 02010C".replace(' ', "")).unwrap(),
    ]
}

#[test]
fn card_access_parser_never_panics_on_mutated_input() {
    use vneid_emrtd::pace::{PaceParams, parse_card_access};
    run(&card_access_seeds(), |data| {
        if let Ok(infos) = parse_card_access(data) {
            let _ = PaceParams::choose(&infos);
        }
    });
}

#[test]
fn pace_never_panics_on_mutated_general_authenticate_answers() {
    use vneid_emrtd::access::AccessKey;
    use vneid_emrtd::mrz::MrzKey;
    use vneid_emrtd::pace::{Pace, PaceParams, parse_card_access};
    // The Doc 9303 G.1 chip answers, each mutated in turn while the others stay valid.
    let answers: Vec<Vec<u8>> = [
        "9000",
        "7C12801095A3A016522EE98D01E76CB6B98B42C39000",
        "7C43824104824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F5730D8C879AAA9C9F73991E61B58F4D52EB87A0A0C709A49DC63719363CCD13C549000",
        "7C438441049E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F0949000",
        "7C0A86083ABB9674BCE93C089000",
    ]
    .iter()
    .map(|h| hex::decode(h).unwrap())
    .collect();
    let params = PaceParams::choose(&parse_card_access(&card_access_seeds()[0]).unwrap()).unwrap();
    let key = AccessKey::Mrz(MrzKey::new("T22000129", "640812", "101031").unwrap());
    // Each accepted answer costs curve operations: fewer rounds than the byte parsers get.
    let mut rng = Rng(0x005E_ED0F_FACE);
    for step in 0..answers.len() {
        let mutations: Vec<Vec<u8>> = (0..PACE_ROUNDS)
            .map(|_| mutate(&mut rng, &answers[step]))
            .collect();
        for mutated in &mutations {
            let mutated = mutated.as_slice();
            let mut pace = Pace::new(params.clone(), &key).unwrap();
            let mut n = 0u8;
            let mut random = |b: &mut [u8]| {
                n = n.wrapping_add(1);
                b.fill(n);
            };
            for (i, answer) in answers.iter().enumerate() {
                if pace.next_command(&mut random).is_err() {
                    break;
                }
                let raw = if i == step {
                    mutated
                } else {
                    answer.as_slice()
                };
                let Ok(resp) = ResponseApdu::parse(raw) else {
                    break;
                };
                if !matches!(pace.handle_response(&resp), Ok(None)) {
                    break;
                }
            }
        }
    }
}

const PACE_ROUNDS: usize = 200;

#[test]
fn active_authentication_verifier_never_panics_on_mutated_signatures() {
    use vneid_emrtd::aa;
    use vneid_pki::{Algorithm, PrivateKey};
    let rsa = Dg15::parse(
        &encode(
            0x6F,
            &vneid_pki::spki_der(&PrivateKey::derive(Algorithm::RsaPkcs1v15, "ds")),
        )
        .unwrap(),
    )
    .unwrap();
    let seeds = vec![vec![0x6A; 256], vec![0x01; 255], vec![0xFF; 256], vec![]];
    run(&seeds, |sig| {
        let _ = aa::verify(&rsa, None, b"challeng", sig);
    });
}
