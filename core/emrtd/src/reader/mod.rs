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
    /// READ BINARY with the short EF identifier in P1 (saves the SELECT's round trip). A
    /// card that refuses it (any error to the short-id read) gets a SELECT and the read goes
    /// on by file identifier; so does a resume beyond offset 255, which short-id reads
    /// cannot address.
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
    Read { len: usize, short_id: bool },
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
    /// The card refused the short-id read: this file is read after a SELECT.
    short_id_refused: bool,
    /// The card has answered a short-id read before: a 6A82 to one means the file is absent,
    /// not that short ids are unsupported.
    short_id_proven: bool,
    /// A short-id read delivered data.
    read_by_short_id: bool,
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
            short_id_refused: false,
            short_id_proven: false,
            read_by_short_id: false,
        }
    }

    /// Tells the reader the card has answered short-id reads before (see
    /// [`SelectMode::ShortId`]): a 6A82 to one is then an absent file, without a SELECT to
    /// confirm it.
    pub fn with_short_id_proven(mut self) -> Self {
        self.short_id_proven = true;
        self
    }

    /// The card refused reading this file by short EF identifier.
    pub fn short_id_refused(&self) -> bool {
        self.short_id_refused
    }

    /// A read by short EF identifier delivered data.
    pub fn read_by_short_id(&self) -> bool {
        self.read_by_short_id
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
        let use_short_id = self.options.select == SelectMode::ShortId
            && !self.selected
            && !self.short_id_refused
            && offset <= 0xFF;
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
                Pending::Read {
                    len: want,
                    short_id: use_short_id,
                },
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
        if let Pending::Read { short_id: true, .. } = pending
            && self.refuses_short_id(class)
        {
            // Read it again after a SELECT, which also tells an absent file apart.
            self.short_id_refused = true;
            self.exact_len = None;
            return Ok(());
        }
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
            Pending::Read { len, short_id }
                if matches!(class, StatusClass::Success | StatusClass::EndOfFile) =>
            {
                self.selected = true;
                self.read_by_short_id |= short_id;
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

    /// Whether an answer to a short-id read says the card does not read this way (6700,
    /// 6A86, 6B00, 6985, 6986, 6D00, ...), as opposed to answering the read itself. A 6A82 is
    /// a refusal until the card has proven it reads by short id.
    fn refuses_short_id(&self, class: StatusClass) -> bool {
        match class {
            StatusClass::FileNotFound => !self.short_id_proven,
            StatusClass::WrongLength
            | StatusClass::WrongParameters
            | StatusClass::ConditionsNotSatisfied
            | StatusClass::InsNotSupported
            | StatusClass::Other => true,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests;
