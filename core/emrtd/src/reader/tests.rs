//! The file reader against a scripted card: the Doc 9303 Appendix D transcript, block sizes
//! with secure messaging overhead, short-EF-id reads, resuming after a lost tag, limits.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use super::*;
use crate::kdf::SecretKey;
use crate::sm::{CardSecureMessaging, SmCipher};
use std::collections::HashMap;

fn h(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

#[test]
fn reads_ef_com_exactly_as_the_doc_9303_appendix_d4_transcript() {
    let mut sm = SecureMessaging::new(
        SmCipher::Tdes,
        SecretKey::new(h("979EC13B1CBFE9DCD01AB0FED307EAE5")),
        SecretKey::new(h("F1CB1F1FB5ADF208806B89DC579DC1F8")),
        &h("887022120C06C226"),
    )
    .unwrap();
    let opts = ReadOptions {
        header_probe: 4,
        ..ReadOptions::default()
    };
    let mut reader = FileReader::new(LdsFile::Com, opts);
    let transcript = [
        (
            "0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800",
            "990290008E08FA855A5D4C50A8ED9000",
        ),
        (
            "0CB000000D9701048E08ED6705417E96BA5500",
            "8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000",
        ),
        (
            "0CB000040D9701128E082EA28A70F3C7B53500",
            "871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08C8B2787EAEA07D749000",
        ),
    ];
    for (cmd, resp) in transcript {
        assert_eq!(reader.next_command(Some(&mut sm)).unwrap().unwrap(), h(cmd));
        reader.handle_response(&h(resp), Some(&mut sm)).unwrap();
    }
    assert_eq!(
        reader.progress(),
        Progress {
            read: 22,
            total: Some(22)
        }
    );
    assert_eq!(reader.next_command(Some(&mut sm)).unwrap(), None);
    assert_eq!(
        reader.into_bytes().unwrap(),
        h("60145F0104303130365F36063034303030305C026175")
    );
}

/// A minimal card: one file system, optional SM, counts APDUs and can fail on one.
struct MockCard {
    files: HashMap<u16, Vec<u8>>,
    sfi: HashMap<u8, u16>,
    current: Option<u16>,
    sm: Option<CardSecureMessaging>,
    extended: bool,
    apdus: usize,
    response_bytes: usize,
    fail_at: Option<usize>,
}

impl MockCard {
    fn new(files: &[(LdsFile, Vec<u8>)]) -> Self {
        Self {
            files: files
                .iter()
                .map(|(f, b)| (f.file_id().unwrap(), b.clone()))
                .collect(),
            sfi: files
                .iter()
                .map(|(f, _)| (f.short_id().unwrap(), f.file_id().unwrap()))
                .collect(),
            current: None,
            sm: None,
            extended: true,
            apdus: 0,
            response_bytes: 0,
            fail_at: None,
        }
    }

    fn transceive(&mut self, raw: &[u8]) -> Option<Vec<u8>> {
        self.apdus += 1;
        if self.fail_at == Some(self.apdus) {
            self.current = None;
            self.sm = None;
            return None;
        }
        let mut cmd = CommandApdu::parse(raw).unwrap();
        if !self.extended && raw.len() > 5 + 255 + 1 {
            return Some(h("6700"));
        }
        if let Some(sm) = self.sm.as_mut() {
            cmd = sm.unwrap_command(&cmd).unwrap();
        }
        let resp = self.process(&cmd);
        let resp = match self.sm.as_mut() {
            Some(sm) => sm.wrap_response(&resp).unwrap(),
            None => resp,
        };
        let out = resp.to_bytes();
        self.response_bytes += out.len();
        Some(out)
    }

    fn process(&mut self, cmd: &CommandApdu) -> ResponseApdu {
        let sw = |s| ResponseApdu::new(Vec::new(), StatusWord(s));
        match cmd.ins {
            0xA4 => {
                let fid = u16::from_be_bytes([cmd.data[0], cmd.data[1]]);
                if self.files.contains_key(&fid) {
                    self.current = Some(fid);
                    sw(0x9000)
                } else {
                    sw(0x6A82)
                }
            }
            0xB0 => {
                let offset = if cmd.p1 & 0x80 != 0 {
                    let Some(&fid) = self.sfi.get(&(cmd.p1 & 0x1F)) else {
                        return sw(0x6A82);
                    };
                    self.current = Some(fid);
                    usize::from(cmd.p2)
                } else {
                    usize::from(u16::from_be_bytes([cmd.p1, cmd.p2]))
                };
                let Some(file) = self.current.and_then(|f| self.files.get(&f)) else {
                    return sw(0x6986);
                };
                if offset >= file.len() {
                    return sw(0x6B00);
                }
                let ne = cmd.ne.unwrap_or(256);
                let end = (offset + ne).min(file.len());
                let status = if end - offset < ne { 0x6282 } else { 0x9000 };
                ResponseApdu::new(file[offset..end].to_vec(), StatusWord(status))
            }
            _ => sw(0x6D00),
        }
    }
}

fn dg2(len: usize) -> Vec<u8> {
    let body: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
    tlv::encode(0x75, &body).unwrap()
}

fn keys() -> (SecretKey, SecretKey) {
    (
        SecretKey::new(vec![0x11; 16]),
        SecretKey::new(vec![0x22; 16]),
    )
}

fn session(card: &mut MockCard, cipher: SmCipher) -> SecureMessaging {
    let ssc = vec![0u8; cipher.block_size()];
    let (e, m) = keys();
    card.sm = Some(CardSecureMessaging::new(cipher, e.clone(), m.clone(), &ssc).unwrap());
    SecureMessaging::new(cipher, e, m, &ssc).unwrap()
}

fn read_all(
    card: &mut MockCard,
    reader: &mut FileReader,
    mut sm: Option<SecureMessaging>,
) -> Vec<u8> {
    while let Some(cmd) = reader.next_command(sm.as_mut()).unwrap() {
        let resp = card.transceive(&cmd).unwrap();
        reader.handle_response(&resp, sm.as_mut()).unwrap();
    }
    std::mem::replace(
        reader,
        FileReader::new(LdsFile::Com, ReadOptions::default()),
    )
    .into_bytes()
    .unwrap()
}

#[test]
fn block_sizes_account_for_secure_messaging_overhead() {
    let r = FileReader::new(LdsFile::DG2, ReadOptions::default());
    assert_eq!(r.block_size(None), 256);
    let (e, m) = keys();
    let tdes = SecureMessaging::new(SmCipher::Tdes, e.clone(), m.clone(), &[0; 8]).unwrap();
    let aes = SecureMessaging::new(SmCipher::Aes, e, m, &[0; 16]).unwrap();
    assert_eq!(r.block_size(Some(&tdes)), 231);
    assert_eq!(r.block_size(Some(&aes)), 223);
    assert!(protected_response_len(231, 8) <= 256 && protected_response_len(232, 8) > 256);
    assert!(protected_response_len(223, 16) <= 256 && protected_response_len(224, 16) > 256);
}

#[test]
fn extended_short_and_fixed_blocks_read_the_same_bytes_with_different_round_trips() {
    let file = dg2(20_000);
    let mut trips = Vec::new();
    for (policy, cipher) in [
        (
            BlockPolicy::Extended {
                max_response: 65_536,
            },
            SmCipher::Aes,
        ),
        (BlockPolicy::Short, SmCipher::Aes),
        (BlockPolicy::Fixed(224), SmCipher::Tdes),
        (BlockPolicy::Short, SmCipher::Tdes),
    ] {
        let mut card = MockCard::new(&[(LdsFile::DG2, file.clone())]);
        let sm = session(&mut card, cipher);
        let mut reader = FileReader::new(
            LdsFile::DG2,
            ReadOptions {
                block: policy,
                ..ReadOptions::default()
            },
        );
        assert_eq!(read_all(&mut card, &mut reader, Some(sm)), file);
        trips.push(card.apdus);
    }
    // SELECT + probe + data reads.
    assert_eq!(trips[0], 3);
    assert_eq!(trips[1], 2 + 20_004usize.div_ceil(223));
    assert_eq!(trips[2], 2 + 20_004usize.div_ceil(224));
    assert!(trips[3] < trips[2]);
}

#[test]
fn short_ef_id_read_skips_the_select() {
    let file = dg2(100);
    let mut card = MockCard::new(&[(LdsFile::DG13, file.clone())]);
    let opts = ReadOptions {
        select: SelectMode::ShortId,
        ..ReadOptions::default()
    };
    let mut reader = FileReader::new(LdsFile::DG13, opts);
    let first = reader.next_command(None).unwrap().unwrap();
    assert_eq!(first, h("00B08D0008"));
    reader
        .handle_response(&card.transceive(&first).unwrap(), None)
        .unwrap();
    assert_eq!(read_all(&mut card, &mut reader, None), file);
    assert_eq!(card.apdus, 2);
}

#[test]
fn resumes_at_the_last_good_offset_after_the_tag_is_lost() {
    let file = dg2(5_000);
    let mut card = MockCard::new(&[(LdsFile::DG2, file.clone())]);
    card.fail_at = Some(6);
    let mut sm = session(&mut card, SmCipher::Tdes);
    let mut reader = FileReader::new(LdsFile::DG2, ReadOptions::default());
    let mut lost = 0;
    while let Some(cmd) = reader.next_command(Some(&mut sm)).unwrap() {
        match card.transceive(&cmd) {
            Some(resp) => reader.handle_response(&resp, Some(&mut sm)).unwrap(),
            None => {
                lost += 1;
                let before = reader.progress().read;
                reader.transport_lost();
                assert_eq!(reader.progress().read, before);
                // A new session (BAC/PACE again) after reconnecting.
                sm = session(&mut card, SmCipher::Tdes);
            }
        }
    }
    assert_eq!(lost, 1);
    assert_eq!(
        reader.progress(),
        Progress {
            read: 5_004,
            total: Some(5_004)
        }
    );
    assert_eq!(reader.into_bytes().unwrap(), file);
    // 1 select + 1 probe + 22 blocks of 231, plus the lost APDU and one re-select.
    assert_eq!(
        card.apdus,
        2 + 5_004usize.saturating_sub(8).div_ceil(231) + 2
    );
}

#[test]
fn small_files_finish_on_the_probe_and_missing_files_are_reported() {
    let mut card = MockCard::new(&[(LdsFile::Com, h("60035C0161"))]);
    let mut reader = FileReader::new(LdsFile::Com, ReadOptions::default());
    assert_eq!(read_all(&mut card, &mut reader, None), h("60035C0161"));
    let mut reader = FileReader::new(LdsFile::DG15, ReadOptions::default());
    let cmd = reader.next_command(None).unwrap().unwrap();
    assert_eq!(
        reader.handle_response(&card.transceive(&cmd).unwrap(), None),
        Err(ReaderError::FileNotFound)
    );
}

#[test]
fn a_file_claiming_too_many_bytes_is_refused_before_reading() {
    let mut card = MockCard::new(&[(LdsFile::DG2, h("7584FFFFFFFF00000000"))]);
    let mut reader = FileReader::new(LdsFile::DG2, ReadOptions::default());
    let mut result = Ok(());
    while result.is_ok() {
        let Some(cmd) = reader.next_command(None).unwrap() else {
            break;
        };
        result = reader.handle_response(&card.transceive(&cmd).unwrap(), None);
    }
    assert_eq!(result, Err(ReaderError::FileTooLarge(0xFFFF_FFFF + 6)));
}

#[test]
fn a_wrong_response_mac_stops_the_read() {
    let mut card = MockCard::new(&[(LdsFile::DG2, dg2(600))]);
    let mut sm = session(&mut card, SmCipher::Tdes);
    let mut reader = FileReader::new(LdsFile::DG2, ReadOptions::default());
    let cmd = reader.next_command(Some(&mut sm)).unwrap().unwrap();
    let mut resp = card.transceive(&cmd).unwrap();
    let n = resp.len();
    resp[n - 3] ^= 0xFF;
    assert_eq!(
        reader.handle_response(&resp, Some(&mut sm)),
        Err(ReaderError::Sm(SmError::MacMismatch))
    );
    assert!(sm.is_closed());
}

#[test]
fn protocol_misuse_is_a_typed_error() {
    let mut reader = FileReader::new(LdsFile::DG1, ReadOptions::default());
    assert_eq!(
        reader.handle_response(&h("9000"), None),
        Err(ReaderError::NoCommandPending)
    );
    reader.next_command(None).unwrap();
    assert_eq!(reader.next_command(None), Err(ReaderError::ResponsePending));
}
