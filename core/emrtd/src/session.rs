//! A full chip read: SELECT the eMRTD application, BAC with an [`MrzKey`], read EF.COM, DG1,
//! DG2, DG13 (DG14 and DG15 when EF.COM lists them) and EF.SOD with the sans-IO
//! [`FileReader`], then passive authentication against a [`TrustStore`].
//!
//! [`ReadEngine`] is the whole read as a sans-IO state machine (commands out, responses in, no
//! I/O), so NFC, PC/SC, the virtual card and recorded transcripts share it; [`ChipSession`] is
//! the small loop that drives it over a [`Transport`]. Together they:
//! - use extended-length READ BINARY when the transport's maximum transceive length allows,
//!   otherwise the largest short block;
//! - resume after a lost tag by re-selecting the application, running BAC again and
//!   continuing at the last good offset (a bounded number of times);
//! - report progress after every READ BINARY and check a cancellation flag before every APDU;
//! - return a typed [`ChipIdentity`] whose chip and active authentication verdicts say
//!   [`Verdict::NotPerformed`] until those protocols exist — never a silent pass.

use crate::apdu::{ApduError, CommandApdu, ResponseApdu, StatusClass, StatusWord};
use crate::bac::{Bac, BacError};
use crate::dg2::{Dg2, Dg2Error, FaceImage};
use crate::lds::{Dg1, Dg13, EfCom, LdsError, LdsFile};
use crate::mrz::{MrzKey, Td1Mrz};
use crate::pa::{self, PassiveAuthReport, Sod, SodError, TrustStore};
use crate::reader::{BlockPolicy, FileReader, ReadOptions, ReaderError, SelectMode};
use crate::sm::{SecureMessaging, SmError};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use zeroize::Zeroizing;

/// Application identifier of the ICAO eMRTD application.
pub const EMRTD_AID: [u8; 7] = [0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01];

/// A transceive that can carry this many bytes (command or response, status word included)
/// supports short APDUs only; anything larger is taken to support extended length.
pub const SHORT_TRANSCEIVE_LEN: usize = 261;

/// Why a transceive failed. The card has dropped its session state after any of these.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// The card left the field (phones lose it when the hand moves).
    #[error("the card was lost")]
    TagLost,
    /// No answer in time (iOS sessions also end after a fixed time).
    #[error("the card did not answer in time")]
    Timeout,
    /// Anything else the platform reports; not retried.
    #[error("transport failure: {0}")]
    Other(String),
}

impl TransportError {
    /// Whether presenting the card again may help.
    pub fn is_recoverable(&self) -> bool {
        matches!(self, Self::TagLost | Self::Timeout)
    }
}

/// How APDUs reach the card: the phone's NFC stack, a PC/SC reader, the virtual card.
pub trait Transport {
    /// Sends one command APDU and returns the response APDU (data and status word).
    fn transceive(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError>;
    /// The largest command or response the link carries (e.g. IsoDep's maxTransceiveLength).
    fn max_transceive_len(&self) -> usize;
}

impl<T: Transport + ?Sized> Transport for &mut T {
    fn transceive(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        (**self).transceive(apdu)
    }
    fn max_transceive_len(&self) -> usize {
        (**self).max_transceive_len()
    }
}

/// READ BINARY block sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BlockChoice {
    /// Extended length when the transport allows, otherwise short.
    #[default]
    Auto,
    /// Short APDUs even if the transport could do more.
    Short,
    /// A fixed number of plain bytes per read (224 is common), for comparison.
    Fixed(usize),
}

/// Read settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionConfig {
    pub block: BlockChoice,
    /// How often the card may be lost and re-established before giving up.
    pub max_reconnects: u32,
    /// Files claiming more than this are refused.
    pub max_file_size: usize,
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            block: BlockChoice::Auto,
            max_reconnects: 5,
            max_file_size: crate::reader::MAX_OFFSET + 1,
        }
    }
}

/// Where a read stands, reported after every READ BINARY.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadProgress {
    /// The file being read.
    pub file: LdsFile,
    /// 0-based index of that file among `file_count`.
    pub file_index: usize,
    pub file_count: usize,
    /// Bytes read over all files so far (never decreases, survives reconnects).
    pub bytes_read: usize,
    /// Total bytes of the files whose length is known so far; grows as each file's header is
    /// read and equals `bytes_read` on the last event of a complete read.
    pub bytes_total: usize,
}

/// The outcome of a protocol the read did or did not run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Passed,
    Failed { reason: String },
    NotPerformed { reason: String },
}

impl Verdict {
    pub fn passed(&self) -> bool {
        matches!(self, Self::Passed)
    }
}

/// How many APDUs and bytes a read took.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReadStats {
    pub apdus: usize,
    pub bytes_sent: usize,
    pub bytes_received: usize,
    /// Times the session was re-established after the card was lost.
    pub reconnects: u32,
}

/// The bytes as read, for re-verification by the backend (level-2 upgrade).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct ChipEvidence {
    pub ef_com: Vec<u8>,
    pub sod: Vec<u8>,
    /// Data group number → file bytes exactly as read.
    pub data_groups: BTreeMap<u8, Vec<u8>>,
}

impl std::fmt::Debug for ChipEvidence {
    // Personal data: only sizes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sizes: BTreeMap<u8, usize> = self
            .data_groups
            .iter()
            .map(|(&n, b)| (n, b.len()))
            .collect();
        f.debug_struct("ChipEvidence")
            .field("ef_com_len", &self.ef_com.len())
            .field("sod_len", &self.sod.len())
            .field("data_group_lens", &sizes)
            .finish()
    }
}

/// What the chip says about its holder, with a verdict per check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChipIdentity {
    /// DG1, check digits verified.
    pub mrz: Td1Mrz,
    /// DG13 (Vietnam), when the card has it.
    pub dg13: Option<Dg13>,
    /// The first face of DG2 (image bytes and their format), when present.
    pub face: Option<FaceImage>,
    pub passive_authentication: PassiveAuthReport,
    /// Chip authentication with the DG14 key (clone detection).
    pub chip_authentication: Verdict,
    /// Active authentication with the DG15 key (clone detection).
    pub active_authentication: Verdict,
    pub evidence: ChipEvidence,
    pub stats: ReadStats,
}

/// Why a read failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    #[error("the read was cancelled")]
    Cancelled,
    #[error("the card rejected the access key (wrong document number or dates?)")]
    AccessDenied,
    #[error("the card has no eMRTD application (status {0})")]
    ApplicationNotFound(StatusWord),
    #[error("the card was lost {reconnects} times; last: {last}")]
    ConnectionLost {
        reconnects: u32,
        last: TransportError,
    },
    #[error("transport: {0}")]
    Transport(TransportError),
    #[error("BAC: {0}")]
    Bac(BacError),
    #[error("reading {file:?}: {error}")]
    Read { file: LdsFile, error: ReaderError },
    #[error("the mandatory file {0:?} is missing")]
    MissingFile(LdsFile),
    #[error("{file:?} is malformed: {error}")]
    Lds { file: LdsFile, error: LdsError },
    #[error("DG2 is malformed: {0}")]
    Dg2(Dg2Error),
    #[error("EF.SOD is malformed: {0}")]
    Sod(SodError),
    #[error("secure messaging: {0}")]
    Sm(SmError),
    #[error("APDU: {0}")]
    Apdu(ApduError),
    #[error("the random source returned nothing usable")]
    Random,
    #[error("read engine called out of order")]
    OutOfOrder,
}

/// Randomness for BAC's RND.IFD and K.IFD, from the platform CSPRNG.
pub type RandomSource<'a> = &'a mut dyn FnMut(&mut [u8]);

/// Files read after EF.COM, in order; DG1 and EF.SOD are mandatory.
const WANTED: [LdsFile; 5] = [
    LdsFile::DG1,
    LdsFile::DG2,
    LdsFile::DG13,
    LdsFile::DG14,
    LdsFile::DG15,
];

const NOT_IMPLEMENTED: &str = "not implemented yet";

/// Where the engine stands.
#[derive(Debug)]
enum Phase {
    /// SELECT the eMRTD application next.
    SelectApp,
    AwaitSelectApp,
    /// GET CHALLENGE next (BAC starts with fresh randomness).
    Challenge,
    AwaitChallenge(Bac),
    /// MUTUAL AUTHENTICATE prepared, to be sent.
    Authenticate(Bac, Vec<u8>),
    AwaitAuthenticate(Bac),
    /// Secure messaging is up: files are read.
    Files,
    AwaitFile,
    Done,
}

/// The whole read as a sans-IO engine: [`next_command`](Self::next_command) gives the bytes to
/// send, [`handle_response`](Self::handle_response) takes the card's answer, and
/// [`transport_lost`](Self::transport_lost) reports a lost card, until `next_command` returns
/// `None`; then [`finish`](Self::finish) runs passive authentication. No I/O, no clock: the
/// same engine serves NFC, PC/SC, the virtual card and recorded transcripts.
pub struct ReadEngine {
    key: MrzKey,
    config: SessionConfig,
    options: ReadOptions,
    phase: Phase,
    sm: Option<SecureMessaging>,
    queue: Vec<LdsFile>,
    index: usize,
    reader: Option<FileReader>,
    files: BTreeMap<LdsFile, Vec<u8>>,
    done_bytes: usize,
    stats: ReadStats,
}

impl std::fmt::Debug for ReadEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadEngine")
            .field("phase", &self.phase)
            .field("queue", &self.queue)
            .field("index", &self.index)
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

fn encode(cmd: &CommandApdu) -> Result<Vec<u8>, SessionError> {
    cmd.to_bytes().map_err(SessionError::Apdu)
}

fn parse_response(raw: &[u8]) -> Result<ResponseApdu, SessionError> {
    ResponseApdu::parse(raw).map_err(SessionError::Apdu)
}

fn bac_error(e: BacError) -> SessionError {
    match e {
        BacError::AccessDenied => SessionError::AccessDenied,
        other => SessionError::Bac(other),
    }
}

impl ReadEngine {
    /// An engine for a transport that carries at most `max_transceive_len` bytes.
    pub fn new(key: &MrzKey, config: SessionConfig, max_transceive_len: usize) -> Self {
        let block = match config.block {
            BlockChoice::Auto if max_transceive_len > SHORT_TRANSCEIVE_LEN => {
                BlockPolicy::Extended {
                    max_response: max_transceive_len.saturating_sub(2),
                }
            }
            BlockChoice::Auto | BlockChoice::Short => BlockPolicy::Short,
            BlockChoice::Fixed(n) => BlockPolicy::Fixed(n),
        };
        Self {
            key: key.clone(),
            config,
            options: ReadOptions {
                block,
                select: SelectMode::FileId,
                header_probe: 8,
                max_file_size: config.max_file_size,
            },
            phase: Phase::SelectApp,
            sm: None,
            queue: vec![LdsFile::Com],
            index: 0,
            reader: None,
            files: BTreeMap::new(),
            done_bytes: 0,
            stats: ReadStats::default(),
        }
    }

    pub fn stats(&self) -> ReadStats {
        self.stats
    }

    /// True once every file is read.
    pub fn is_done(&self) -> bool {
        matches!(self.phase, Phase::Done)
    }

    fn sent(&mut self, bytes: Vec<u8>) -> Option<Vec<u8>> {
        self.stats.apdus += 1;
        self.stats.bytes_sent += bytes.len();
        Some(bytes)
    }

    /// The next command APDU to send, or `None` when all files are read. `random` fills
    /// BAC's nonces from the platform CSPRNG when a (new) BAC run starts.
    pub fn next_command(
        &mut self,
        random: &mut dyn FnMut(&mut [u8]),
    ) -> Result<Option<Vec<u8>>, SessionError> {
        match std::mem::replace(&mut self.phase, Phase::Done) {
            Phase::SelectApp => {
                let select = CommandApdu::new(0x00, 0xA4, 0x04, 0x0C).with_data(EMRTD_AID.to_vec());
                self.phase = Phase::AwaitSelectApp;
                Ok(self.sent(encode(&select)?))
            }
            Phase::Challenge => {
                let mut rnd_ifd = Zeroizing::new([0u8; 8]);
                let mut k_ifd = Zeroizing::new([0u8; 16]);
                random(&mut *rnd_ifd);
                random(&mut *k_ifd);
                if rnd_ifd.iter().all(|&b| b == 0) || k_ifd.iter().all(|&b| b == 0) {
                    return Err(SessionError::Random);
                }
                let mut bac = Bac::new(&self.key, *rnd_ifd, *k_ifd).map_err(bac_error)?;
                let cmd = encode(&bac.get_challenge().map_err(bac_error)?)?;
                self.phase = Phase::AwaitChallenge(bac);
                Ok(self.sent(cmd))
            }
            Phase::Authenticate(bac, cmd) => {
                self.phase = Phase::AwaitAuthenticate(bac);
                Ok(self.sent(cmd))
            }
            Phase::Files => self.next_file_command(),
            Phase::Done => Ok(None),
            other @ (Phase::AwaitSelectApp
            | Phase::AwaitChallenge(_)
            | Phase::AwaitAuthenticate(_)
            | Phase::AwaitFile) => {
                self.phase = other;
                Err(SessionError::OutOfOrder)
            }
        }
    }

    fn next_file_command(&mut self) -> Result<Option<Vec<u8>>, SessionError> {
        loop {
            let Some(&file) = self.queue.get(self.index) else {
                self.phase = Phase::Done;
                return Ok(None);
            };
            let options = self.options;
            let reader = self
                .reader
                .get_or_insert_with(|| FileReader::new(file, options));
            let sm = self.sm.as_mut().ok_or(SessionError::OutOfOrder)?;
            match reader.next_command(Some(sm)) {
                Ok(Some(cmd)) => {
                    self.phase = Phase::AwaitFile;
                    return Ok(self.sent(cmd));
                }
                Ok(None) => self.file_done(file)?,
                Err(error) => return Err(self.file_error(file, error)),
            }
        }
    }

    /// The current file is complete: keep it and move on (EF.COM decides what follows).
    fn file_done(&mut self, file: LdsFile) -> Result<(), SessionError> {
        let bytes =
            self.reader
                .take()
                .and_then(FileReader::into_bytes)
                .ok_or(SessionError::Read {
                    file,
                    error: ReaderError::UnexpectedEnd,
                })?;
        self.done_bytes += bytes.len();
        if file == LdsFile::Com {
            let com = EfCom::parse(&bytes).map_err(|error| SessionError::Lds {
                file: LdsFile::Com,
                error,
            })?;
            self.queue.extend(
                WANTED
                    .iter()
                    .copied()
                    .filter(|f| *f == LdsFile::DG1 || com.data_groups.contains(f)),
            );
            self.queue.push(LdsFile::Sod);
        }
        self.files.insert(file, bytes);
        self.index += 1;
        Ok(())
    }

    fn file_error(&mut self, file: LdsFile, error: ReaderError) -> SessionError {
        self.phase = Phase::Done;
        match error {
            ReaderError::FileNotFound => SessionError::MissingFile(file),
            ReaderError::AccessDenied(_) => SessionError::AccessDenied,
            ReaderError::Sm(e) => SessionError::Sm(e),
            error => SessionError::Read { file, error },
        }
    }

    /// Consumes the card's answer to the last command; returns progress after a READ BINARY
    /// that delivered data.
    pub fn handle_response(&mut self, raw: &[u8]) -> Result<Option<ReadProgress>, SessionError> {
        self.stats.bytes_received += raw.len();
        match std::mem::replace(&mut self.phase, Phase::Done) {
            Phase::AwaitSelectApp => {
                let resp = parse_response(raw)?;
                if resp.sw.classify() != StatusClass::Success {
                    return Err(SessionError::ApplicationNotFound(resp.sw));
                }
                self.phase = Phase::Challenge;
                Ok(None)
            }
            Phase::AwaitChallenge(mut bac) => {
                let challenge = parse_response(raw)?;
                if challenge.sw.classify() == StatusClass::SecurityNotSatisfied {
                    return Err(SessionError::AccessDenied);
                }
                let cmd = encode(&bac.mutual_authenticate(&challenge).map_err(bac_error)?)?;
                self.phase = Phase::Authenticate(bac, cmd);
                Ok(None)
            }
            Phase::AwaitAuthenticate(mut bac) => {
                let resp = parse_response(raw)?;
                let session = bac.finish(&resp).map_err(bac_error)?;
                self.sm = Some(session.into_secure_messaging().map_err(SessionError::Sm)?);
                self.phase = Phase::Files;
                Ok(None)
            }
            Phase::AwaitFile => self.handle_file_response(raw),
            other => {
                self.phase = other;
                Err(SessionError::OutOfOrder)
            }
        }
    }

    fn handle_file_response(&mut self, raw: &[u8]) -> Result<Option<ReadProgress>, SessionError> {
        let file = *self.queue.get(self.index).ok_or(SessionError::OutOfOrder)?;
        let (Some(reader), Some(sm)) = (self.reader.as_mut(), self.sm.as_mut()) else {
            return Err(SessionError::OutOfOrder);
        };
        let was = reader.progress().read;
        match reader.handle_response(raw, Some(sm)) {
            Ok(()) => {}
            // Listed in EF.COM but absent: passive authentication reports it as not read.
            Err(ReaderError::FileNotFound) if !matches!(file, LdsFile::Sod | LdsFile::Dg(1)) => {
                self.reader = None;
                self.index += 1;
                self.phase = Phase::Files;
                return Ok(None);
            }
            Err(error) => return Err(self.file_error(file, error)),
        }
        let p = reader.progress();
        self.phase = Phase::Files;
        Ok((p.read != was).then(|| ReadProgress {
            file,
            file_index: self.index,
            file_count: self.queue.len(),
            bytes_read: self.done_bytes + p.read,
            bytes_total: self.done_bytes + p.total.unwrap_or(p.read),
        }))
    }

    /// The transport lost the card. Recoverable losses within the budget restart at SELECT
    /// and BAC, then continue the current file at its last good offset.
    pub fn transport_lost(&mut self, error: TransportError) -> Result<(), SessionError> {
        if !error.is_recoverable() {
            self.phase = Phase::Done;
            return Err(SessionError::Transport(error));
        }
        if self.stats.reconnects >= self.config.max_reconnects {
            self.phase = Phase::Done;
            return Err(SessionError::ConnectionLost {
                reconnects: self.stats.reconnects,
                last: error,
            });
        }
        self.stats.reconnects += 1;
        if let Some(reader) = self.reader.as_mut() {
            reader.transport_lost();
        }
        if let Some(sm) = self.sm.as_mut() {
            sm.close();
        }
        self.sm = None;
        self.phase = Phase::SelectApp;
        Ok(())
    }

    /// Parses what was read and runs passive authentication with `trust` at `at` (Unix
    /// seconds). Chip and active authentication are reported as not performed.
    pub fn finish(self, trust: &TrustStore, at: u64) -> Result<ChipIdentity, SessionError> {
        if !self.is_done() {
            return Err(SessionError::OutOfOrder);
        }
        let mut files = self.files;
        let ef_com = files.remove(&LdsFile::Com).unwrap_or_default();
        let sod_bytes = files
            .remove(&LdsFile::Sod)
            .ok_or(SessionError::MissingFile(LdsFile::Sod))?;
        let data_groups: BTreeMap<u8, Vec<u8>> = files
            .into_iter()
            .filter_map(|(f, b)| match f {
                LdsFile::Dg(n) => Some((n, b)),
                _ => None,
            })
            .collect();
        let dg1_bytes = data_groups
            .get(&1)
            .ok_or(SessionError::MissingFile(LdsFile::DG1))?;
        let lds_err = |file| move |error| SessionError::Lds { file, error };
        let mrz = Dg1::parse(dg1_bytes)
            .and_then(|d| d.td1())
            .map_err(lds_err(LdsFile::DG1))?;
        let dg13 = data_groups
            .get(&13)
            .map(|b| Dg13::parse(b))
            .transpose()
            .map_err(lds_err(LdsFile::DG13))?;
        let face = match data_groups.get(&2) {
            Some(b) => Dg2::parse(b)
                .map_err(SessionError::Dg2)?
                .faces
                .into_iter()
                .next(),
            None => None,
        };
        let sod = Sod::parse(&sod_bytes).map_err(SessionError::Sod)?;
        let passive_authentication = pa::verify(&sod, &data_groups, trust, at);
        let not_implemented = || Verdict::NotPerformed {
            reason: NOT_IMPLEMENTED.to_string(),
        };
        Ok(ChipIdentity {
            mrz,
            dg13,
            face,
            passive_authentication,
            chip_authentication: not_implemented(),
            active_authentication: not_implemented(),
            evidence: ChipEvidence {
                ef_com,
                sod: sod_bytes,
                data_groups,
            },
            stats: self.stats,
        })
    }
}

/// One chip read over a [`Transport`], driving a [`ReadEngine`]. Build with
/// [`ChipSession::new`], optionally add a progress callback and a cancellation flag, then
/// [`read`](Self::read).
pub struct ChipSession<'a> {
    key: &'a MrzKey,
    trust: &'a TrustStore,
    at: u64,
    config: SessionConfig,
    random: RandomSource<'a>,
    progress: Option<&'a mut dyn FnMut(&ReadProgress)>,
    cancel: Option<&'a AtomicBool>,
}

impl std::fmt::Debug for ChipSession<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChipSession")
            .field("at", &self.at)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl<'a> ChipSession<'a> {
    /// A read with the document's access key, the CSCAs to trust, the check time (Unix
    /// seconds) for passive authentication, and the platform's random source.
    pub fn new(key: &'a MrzKey, trust: &'a TrustStore, at: u64, random: RandomSource<'a>) -> Self {
        Self {
            key,
            trust,
            at,
            config: SessionConfig::default(),
            random,
            progress: None,
            cancel: None,
        }
    }

    pub fn with_config(mut self, config: SessionConfig) -> Self {
        self.config = config;
        self
    }

    /// Called after every READ BINARY that delivered data.
    pub fn with_progress(mut self, progress: &'a mut dyn FnMut(&ReadProgress)) -> Self {
        self.progress = Some(progress);
        self
    }

    /// Checked before every APDU; when set, the read stops with [`SessionError::Cancelled`].
    pub fn with_cancel(mut self, cancel: &'a AtomicBool) -> Self {
        self.cancel = Some(cancel);
        self
    }

    /// Runs the whole read over `transport`.
    pub fn read<T: Transport + ?Sized>(
        mut self,
        transport: &mut T,
    ) -> Result<ChipIdentity, SessionError> {
        let mut engine = ReadEngine::new(self.key, self.config, transport.max_transceive_len());
        loop {
            if self.cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
                return Err(SessionError::Cancelled);
            }
            let Some(cmd) = engine.next_command(&mut *self.random)? else {
                break;
            };
            match transport.transceive(&cmd) {
                Ok(resp) => {
                    if let Some(p) = engine.handle_response(&resp)?
                        && let Some(cb) = self.progress.as_mut()
                    {
                        cb(&p);
                    }
                }
                Err(e) => engine.transport_lost(e)?,
            }
        }
        engine.finish(self.trust, self.at)
    }
}
