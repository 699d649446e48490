//! A sans-IO reader for one elementary file: SELECT (or a short-EF-id READ BINARY), a first
//! small read to learn the total length from the TLV header, then READ BINARY in the largest
//! blocks the transport and the secure messaging overhead allow.
//!
//! Phones lose the card when the hand moves and iOS sessions time out, so the reader keeps
//! every byte it has and, after [`FileReader::transport_lost`], resumes at the last good offset
//! (re-selecting the file, under the new secure messaging session the caller establishes).

use crate::apdu::{ApduError, CommandApdu, ResponseApdu, SHORT_MAX_NE, StatusClass, StatusWord};
use crate::lds::LdsFile;
use crate::sm::{SecureMessaging, SmError};
use crate::tlv::{self, TlvError};

/// READ BINARY with P1-P2 offsets reaches 32767; beyond that needs the odd INS form.
pub const MAX_OFFSET: usize = 0x7FFF;
/// Response data a short APDU can carry.
const SHORT_RESPONSE: usize = 256;

/// How large each READ BINARY may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockPolicy {
    /// Extended-length APDUs; `max_response` is the response data the transport can take
    /// (its maximum transceive length minus the status word).
    Extended { max_response: usize },
    /// Short APDUs only: the largest block whose protected response still fits in 256 bytes.
    Short,
    /// A fixed number of plain bytes per read, as many readers use (224), for comparison.
    Fixed(usize),
}

/// How the file is made current.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelectMode {
    /// SELECT by file identifier, then READ BINARY.
    FileId,
    /// READ BINARY with the short EF identifier in P1 (saves one round trip); falls back to a
    /// SELECT when resuming beyond offset 255, which short-id reads cannot address.
    ShortId,
}

/// Reader settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadOptions {
    pub block: BlockPolicy,
    pub select: SelectMode,
    /// Bytes asked for first, to learn the length (a 1-byte tag and 4-byte length fit in 8).
    pub header_probe: usize,
    /// Files claiming more than this are refused instead of being read.
    pub max_file_size: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        Self {
            block: BlockPolicy::Short,
            select: SelectMode::FileId,
            header_probe: 8,
            max_file_size: MAX_OFFSET + 1,
        }
    }
}

/// Why reading stopped. Secure messaging failures also close the session.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReaderError {
    #[error("file not found on the card")]
    FileNotFound,
    #[error("access to the file was denied (status {0})")]
    AccessDenied(StatusWord),
    #[error("card returned status {0}")]
    Card(StatusWord),
    #[error("file header is malformed: {0}")]
    Header(TlvError),
    #[error("file claims {0} bytes, more than allowed")]
    FileTooLarge(usize),
    #[error("file ended before its announced length")]
    UnexpectedEnd,
    #[error("card returned more bytes than asked for")]
    TooMuchData,
    #[error("a response is still expected for the last command")]
    ResponsePending,
    #[error("no command is outstanding")]
    NoCommandPending,
    #[error("the file has no identifier that can be selected")]
    NoFileId,
    #[error("secure messaging: {0}")]
    Sm(#[from] SmError),
    #[error("APDU: {0}")]
    Apdu(#[from] ApduError),
}

/// Bytes read so far and the total, once known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub read: usize,
    pub total: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pending {
    Select,
    Read { len: usize },
}

/// Reads one file. Call [`next_command`](Self::next_command), send the bytes, feed the answer
/// to [`handle_response`](Self::handle_response), until `next_command` returns `None`.
#[derive(Debug)]
pub struct FileReader {
    file: LdsFile,
    options: ReadOptions,
    selected: bool,
    data: Vec<u8>,
    total: Option<usize>,
    pending: Option<Pending>,
    exact_len: Option<usize>,
}

/// Size of a protected response carrying `n` plain bytes: DO'87 + DO'99 + DO'8E.
fn protected_response_len(n: usize, block: usize) -> usize {
    let do87 = if n == 0 {
        0
    } else {
        let l = (n / block + 1) * block + 1;
        let len_len = if l < 0x80 {
            1
        } else if l <= 0xFF {
            2
        } else {
            3
        };
        1 + len_len + l
    };
    do87 + 4 + 10
}

/// The largest plain block whose (protected) response fits in `limit` bytes.
fn largest_block(limit: usize, sm_block: Option<usize>) -> usize {
    match sm_block {
        None => limit,
        Some(b) => {
            let mut n = limit;
            while n > 1 && protected_response_len(n, b) > limit {
                n -= 1;
            }
            n
        }
    }
}

impl FileReader {
    pub fn new(file: LdsFile, options: ReadOptions) -> Self {
        Self {
            file,
            options,
            selected: false,
            data: Vec::new(),
            total: None,
            pending: None,
            exact_len: None,
        }
    }

    pub fn file(&self) -> LdsFile {
        self.file
    }

    pub fn progress(&self) -> Progress {
        Progress {
            read: self.data.len(),
            total: self.total,
        }
    }

    pub fn is_finished(&self) -> bool {
        self.total.is_some_and(|t| self.data.len() >= t)
    }

    /// The file's bytes, once finished.
    pub fn into_bytes(self) -> Option<Vec<u8>> {
        if self.is_finished() {
            Some(self.data)
        } else {
            None
        }
    }

    /// The transport failed (tag lost, timeout). Bytes already read are kept; the next command
    /// re-selects the file and continues from the last good offset. The caller must set up a
    /// new secure messaging session first, since the card has dropped the old one.
    pub fn transport_lost(&mut self) {
        self.pending = None;
        self.selected = false;
        self.exact_len = None;
    }

    /// Plain bytes per READ BINARY under the current policy and session.
    pub fn block_size(&self, sm: Option<&SecureMessaging>) -> usize {
        let sm_block = sm.map(|s| s.cipher().block_size());
        match self.options.block {
            BlockPolicy::Short => largest_block(SHORT_RESPONSE, sm_block).min(SHORT_MAX_NE),
            BlockPolicy::Extended { max_response } => {
                largest_block(max_response.clamp(SHORT_RESPONSE, 65_536), sm_block)
            }
            BlockPolicy::Fixed(n) => n.clamp(1, 65_536),
        }
    }

    /// The next command to send (protected when `sm` is given), or `None` when done.
    pub fn next_command(
        &mut self,
        sm: Option<&mut SecureMessaging>,
    ) -> Result<Option<Vec<u8>>, ReaderError> {
        if self.is_finished() {
            return Ok(None);
        }
        if self.pending.is_some() {
            return Err(ReaderError::ResponsePending);
        }
        let offset = self.data.len();
        let use_short_id =
            self.options.select == SelectMode::ShortId && !self.selected && offset <= 0xFF;
        let (cmd, pending) = if !self.selected && !use_short_id {
            let fid = self.file.file_id().ok_or(ReaderError::NoFileId)?;
            (
                CommandApdu::new(0x00, 0xA4, 0x02, 0x0C).with_data(fid.to_be_bytes().to_vec()),
                Pending::Select,
            )
        } else {
            let block = self.block_size(sm.as_deref());
            let want = match (self.exact_len, self.total) {
                (Some(n), _) => n,
                (None, None) => self.options.header_probe.clamp(1, block),
                (None, Some(t)) => t.saturating_sub(offset).min(block),
            };
            if offset > MAX_OFFSET {
                return Err(ReaderError::FileTooLarge(self.total.unwrap_or(offset)));
            }
            let [hi, lo] = (offset as u16).to_be_bytes();
            let (p1, p2) = if use_short_id {
                (
                    0x80 | self.file.short_id().ok_or(ReaderError::NoFileId)?,
                    lo,
                )
            } else {
                (hi, lo)
            };
            (
                CommandApdu::new(0x00, 0xB0, p1, p2).with_ne(want),
                Pending::Read { len: want },
            )
        };
        let cmd = match sm {
            Some(sm) => sm.wrap(&cmd)?,
            None => cmd,
        };
        let bytes = cmd.to_bytes()?;
        self.pending = Some(pending);
        Ok(Some(bytes))
    }

    /// Consumes the card's answer to the last command.
    pub fn handle_response(
        &mut self,
        raw: &[u8],
        sm: Option<&mut SecureMessaging>,
    ) -> Result<(), ReaderError> {
        let pending = self.pending.take().ok_or(ReaderError::NoCommandPending)?;
        let resp = ResponseApdu::parse(raw)?;
        let resp = match sm {
            Some(sm) => sm.unwrap(&resp)?,
            None => resp,
        };
        let class = resp.sw.classify();
        match class {
            StatusClass::FileNotFound => return Err(ReaderError::FileNotFound),
            StatusClass::SecurityNotSatisfied | StatusClass::ConditionsNotSatisfied => {
                return Err(ReaderError::AccessDenied(resp.sw));
            }
            _ => {}
        }
        match pending {
            Pending::Select if class == StatusClass::Success => {
                self.selected = true;
                Ok(())
            }
            Pending::Select => Err(ReaderError::Card(resp.sw)),
            Pending::Read { .. } if matches!(class, StatusClass::WrongLe(_)) => {
                if let StatusClass::WrongLe(n) = class {
                    self.exact_len = Some(if n == 0 { 256 } else { usize::from(n) });
                }
                Ok(())
            }
            Pending::Read { len }
                if matches!(class, StatusClass::Success | StatusClass::EndOfFile) =>
            {
                self.selected = true;
                self.exact_len = None;
                if resp.data.len() > len {
                    return Err(ReaderError::TooMuchData);
                }
                if resp.data.is_empty() {
                    return Err(ReaderError::UnexpectedEnd);
                }
                self.data.extend_from_slice(&resp.data);
                if self.total.is_none() {
                    let header = tlv::parse_header(&self.data).map_err(ReaderError::Header)?;
                    let total = header.total_len();
                    if total > self.options.max_file_size {
                        return Err(ReaderError::FileTooLarge(total));
                    }
                    self.total = Some(total);
                }
                if let Some(total) = self.total {
                    if self.data.len() > total {
                        self.data.truncate(total);
                    } else if self.data.len() < total && class == StatusClass::EndOfFile {
                        return Err(ReaderError::UnexpectedEnd);
                    }
                }
                Ok(())
            }
            Pending::Read { .. } => Err(ReaderError::Card(resp.sw)),
        }
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
}
