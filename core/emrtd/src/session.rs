//! A full chip read: EF.CardAccess, PACE or BAC with an [`AccessKey`], EF.COM, DG14 and chip
//! authentication, DG1, DG2, DG13, DG15 and EF.SOD with the sans-IO [`FileReader`], active
//! authentication, then passive authentication against a [`TrustStore`].
//!
//! [`ReadEngine`] is the whole read as a sans-IO state machine (commands out, responses in, no
//! I/O), so NFC, PC/SC, the virtual card and recorded transcripts share it; [`ChipSession`] is
//! the small loop that drives it over a [`Transport`]. Together they:
//! - use extended-length READ BINARY when the transport's maximum transceive length allows,
//!   otherwise the largest short block;
//! - resume after a lost tag by re-selecting the application, running BAC again and
//!   continuing at the last good offset (a bounded number of times);
//! - open the chip with PACE when EF.CardAccess offers it (MRZ or CAN), else BAC;
//! - run chip authentication with the DG14 key and active authentication with the DG15 key;
//! - report progress after every READ BINARY and check a cancellation flag before every APDU;
//! - return a typed [`ChipIdentity`] with a [`Verdict`] per check (passive, chip and active
//!   authentication): a failed check is reported, never dropped.

use crate::aa::{self, CHALLENGE_LEN};
use crate::access::AccessKey;
use crate::apdu::{ApduError, CommandApdu, ResponseApdu, StatusClass, StatusWord};
use crate::bac::{Bac, BacError};
use crate::ca::{CaError, CaParams, ChipAuthentication};
use crate::dg2::{Dg2, Dg2Error, FaceImage};
use crate::lds::{Dg1, Dg13, EfCom, LdsError, LdsFile};
use crate::mrz::{MrzKey, Td1Mrz};
use crate::pa::{self, PassiveAuthReport, Sod, SodError, TrustStore};
use crate::pace::{Pace, PaceError, PaceParams, parse_card_access};
use crate::reader::{BlockPolicy, FileReader, ReadOptions, ReaderError, SelectMode};
use crate::security_info::Dg14;
use crate::sm::{SecureMessaging, SmError};
pub use crate::verdict::{AaProof, AccessProtocol, Verdict};
use crate::verdict::{active_verdict, ca_verdict, pace_downgrade};
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
    /// Read EF.CardAccess and run PACE when the card offers it (otherwise BAC straight away).
    pub pace: bool,
    /// Run chip authentication when DG14 holds a key.
    pub chip_authentication: bool,
    /// The challenge for active authentication. `None`: 8 bytes from the random source.
    /// A backend that wants proof the chip was present supplies its own (single-use)
    /// challenge here and re-verifies [`ChipIdentity::active_authentication_proof`] with
    /// [`crate::aa::verify`] against the DG15 it checks by passive authentication.
    pub active_auth_challenge: Option<[u8; CHALLENGE_LEN]>,
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            block: BlockChoice::Auto,
            max_reconnects: 5,
            max_file_size: crate::reader::MAX_OFFSET + 1,
            pace: true,
            chip_authentication: true,
            active_auth_challenge: None,
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

/// How many APDUs and bytes a read took.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReadStats {
    pub apdus: usize,
    pub bytes_sent: usize,
    pub bytes_received: usize,
    /// Times the session was re-established after the card was lost.
    pub reconnects: u32,
    /// Times access control ran again because the card ended secure messaging mid-read.
    pub sm_resyncs: u32,
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
    /// Chip authentication with the DG14 key (clone detection). Meaningful together with
    /// passive authentication, which vouches for DG14.
    pub chip_authentication: Verdict,
    /// Active authentication with the DG15 key (clone detection).
    pub active_authentication: Verdict,
    /// The signature active authentication checked, when the chip gave one.
    pub active_authentication_proof: Option<AaProof>,
    /// PACE or BAC.
    pub access: AccessProtocol,
    /// Set when the chip was opened with BAC although DG14 (vouched for by passive
    /// authentication) says it offers PACE this reader runs: EF.CardAccess was missing or
    /// altered on the way, e.g. by an attacker forcing the weaker protocol.
    pub pace_downgrade: Option<String>,
    pub evidence: ChipEvidence,
    pub stats: ReadStats,
}

/// Why a read failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    #[error("the read was cancelled")]
    Cancelled,
    /// The card refused the access key (BAC or PACE, whatever the status word), with the
    /// tries left when the card says (63Cx); also a file the session may not read (6982).
    #[error("the card rejected the access key (wrong document number or dates?)")]
    AccessDenied { attempts_left: Option<u8> },
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
    #[error("PACE: {0}")]
    Pace(PaceError),
    #[error("the card does not offer PACE, so it cannot be opened with the CAN")]
    PaceNotOffered,
    #[error("chip authentication: {0}")]
    Ca(CaError),
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

/// Randomness for BAC's RND.IFD and K.IFD, the PACE and chip authentication key pairs and the
/// active authentication challenge, from the platform CSPRNG.
pub type RandomSource<'a> = &'a mut dyn FnMut(&mut [u8]);

/// Files read after EF.COM, in order; DG1 and EF.SOD are mandatory. DG14 comes first so chip
/// authentication upgrades the channel before any personal data crosses it.
const WANTED: [LdsFile; 5] = [
    LdsFile::DG14,
    LdsFile::DG1,
    LdsFile::DG2,
    LdsFile::DG13,
    LdsFile::DG15,
];

/// What EF.CardAccess said.
#[derive(Debug, Clone)]
enum CardAccess {
    /// Not read yet (first connection).
    Unknown,
    /// PACE with these parameters.
    Pace(PaceParams),
    /// No EF.CardAccess, or no PACEInfo this reader runs: BAC.
    Bac,
}

/// Where chip authentication stands.
#[derive(Debug, Clone)]
enum CaState {
    /// DG14 not read yet.
    Waiting,
    /// To run after the next access (first time, or again after a reconnect).
    Ready(CaParams),
    /// New keys in use; the next response proves (or disproves) the chip holds the key.
    Confirming(CaParams),
    Passed(CaParams),
    /// Final: the verdict to report.
    Settled(Verdict),
}

/// Where the engine stands.
#[derive(Debug)]
enum Phase {
    /// Read EF.CardAccess (plain) to learn whether the card offers PACE.
    CardAccess(FileReader),
    AwaitCardAccess(FileReader),
    /// PACE in progress.
    Pace(Box<Pace>),
    AwaitPace(Box<Pace>),
    /// A plain SELECT that makes the card drop a session it may still hold.
    Resync,
    AwaitResync,
    /// SELECT the eMRTD application next (plain before BAC, protected after PACE).
    SelectApp,
    AwaitSelectApp,
    /// GET CHALLENGE next (BAC starts with fresh randomness).
    Challenge,
    AwaitChallenge(Bac),
    /// MUTUAL AUTHENTICATE prepared, to be sent.
    Authenticate(Bac, Vec<u8>),
    AwaitAuthenticate(Bac),
    /// The next chip authentication command.
    Ca(Box<ChipAuthentication>),
    AwaitCa(Box<ChipAuthentication>),
    /// Secure messaging is up: files are read.
    Files,
    AwaitFile,
    /// INTERNAL AUTHENTICATE with this challenge sent.
    AwaitAa([u8; CHALLENGE_LEN]),
    Done,
}

/// The whole read as a sans-IO engine: [`next_command`](Self::next_command) gives the bytes to
/// send, [`handle_response`](Self::handle_response) takes the card's answer, and
/// [`transport_lost`](Self::transport_lost) reports a lost card, until `next_command` returns
/// `None`; then [`finish`](Self::finish) runs passive authentication and checks the active
/// authentication signature. No I/O, no clock: the same engine serves NFC, PC/SC, the virtual
/// card and recorded transcripts.
///
/// Order: EF.CardAccess (plain) → PACE when offered, else SELECT + BAC → EF.COM, DG14 → chip
/// authentication (secure messaging restarts with the new keys) → DG1, DG2, DG13, DG15,
/// EF.SOD → active authentication. A chip that fails chip authentication (a clone) ends that
/// secure messaging session; the engine opens a new one with the access key, reads the rest
/// and reports the failure in [`ChipIdentity::chip_authentication`].
pub struct ReadEngine {
    key: AccessKey,
    config: SessionConfig,
    options: ReadOptions,
    phase: Phase,
    card_access: CardAccess,
    access: Option<AccessProtocol>,
    sm: Option<SecureMessaging>,
    ca: CaState,
    aa: Option<Result<AaProof, StatusWord>>,
    queue: Vec<LdsFile>,
    index: usize,
    reader: Option<FileReader>,
    files: BTreeMap<LdsFile, Vec<u8>>,
    done_bytes: usize,
    stats: ReadStats,
    /// The last file answer was a bare status word (no MAC).
    after_bare: bool,
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
        BacError::AccessDenied { attempts_left } => SessionError::AccessDenied { attempts_left },
        other => SessionError::Bac(other),
    }
}

fn pace_error(e: PaceError) -> SessionError {
    match e {
        PaceError::AccessDenied { attempts_left } => SessionError::AccessDenied { attempts_left },
        other => SessionError::Pace(other),
    }
}

impl ReadEngine {
    /// An engine opening the chip with the MRZ key (PACE when offered, else BAC) for a
    /// transport that carries at most `max_transceive_len` bytes.
    pub fn new(key: &MrzKey, config: SessionConfig, max_transceive_len: usize) -> Self {
        Self::with_access_key(AccessKey::Mrz(key.clone()), config, max_transceive_len)
    }

    /// An engine opening the chip with any [`AccessKey`]; a CAN needs a card that offers PACE.
    pub fn with_access_key(
        key: AccessKey,
        config: SessionConfig,
        max_transceive_len: usize,
    ) -> Self {
        let block = match config.block {
            BlockChoice::Auto if max_transceive_len > SHORT_TRANSCEIVE_LEN => {
                BlockPolicy::Extended {
                    max_response: max_transceive_len.saturating_sub(2),
                }
            }
            BlockChoice::Auto | BlockChoice::Short => BlockPolicy::Short,
            BlockChoice::Fixed(n) => BlockPolicy::Fixed(n),
        };
        let options = ReadOptions {
            block,
            select: SelectMode::FileId,
            header_probe: 8,
            max_file_size: config.max_file_size,
        };
        let (phase, card_access) = if config.pace {
            (
                Phase::CardAccess(FileReader::new(LdsFile::CardAccess, options)),
                CardAccess::Unknown,
            )
        } else {
            (Phase::SelectApp, CardAccess::Bac)
        };
        Self {
            key,
            config,
            options,
            phase,
            card_access,
            access: None,
            sm: None,
            ca: CaState::Waiting,
            aa: None,
            queue: vec![LdsFile::Com],
            index: 0,
            reader: None,
            files: BTreeMap::new(),
            done_bytes: 0,
            stats: ReadStats::default(),
            after_bare: false,
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

    /// The phase that opens a (new) session: PACE when the card offers it, else BAC.
    fn access_phase(&mut self) -> Result<Phase, SessionError> {
        match &self.card_access {
            CardAccess::Unknown => Ok(Phase::CardAccess(FileReader::new(
                LdsFile::CardAccess,
                self.options,
            ))),
            CardAccess::Pace(params) => Ok(Phase::Pace(Box::new(
                Pace::new(params.clone(), &self.key).map_err(pace_error)?,
            ))),
            CardAccess::Bac => {
                if self.key.mrz().is_none() {
                    return Err(SessionError::PaceNotOffered);
                }
                Ok(Phase::SelectApp)
            }
        }
    }

    /// The next command APDU to send, or `None` when all is done. `random` supplies nonces,
    /// ephemeral keys and the active authentication challenge from the platform CSPRNG.
    pub fn next_command(
        &mut self,
        random: &mut dyn FnMut(&mut [u8]),
    ) -> Result<Option<Vec<u8>>, SessionError> {
        match std::mem::replace(&mut self.phase, Phase::Done) {
            Phase::CardAccess(mut reader) => match reader.next_command(None) {
                Ok(Some(cmd)) => {
                    self.phase = Phase::AwaitCardAccess(reader);
                    Ok(self.sent(cmd))
                }
                Ok(None) => {
                    self.card_access_read(reader.into_bytes().as_deref());
                    self.phase = self.access_phase()?;
                    self.next_command(random)
                }
                Err(_) => {
                    self.card_access_read(None);
                    self.phase = self.access_phase()?;
                    self.next_command(random)
                }
            },
            Phase::Pace(mut pace) => {
                let cmd = pace.next_command(random).map_err(pace_error)?;
                self.phase = Phase::AwaitPace(pace);
                let bytes = encode(&cmd)?;
                Ok(self.sent(bytes))
            }
            Phase::Resync => {
                let select = CommandApdu::new(0x00, 0xA4, 0x04, 0x0C).with_data(EMRTD_AID.to_vec());
                self.phase = Phase::AwaitResync;
                let bytes = encode(&select)?;
                Ok(self.sent(bytes))
            }
            Phase::SelectApp => {
                let select = CommandApdu::new(0x00, 0xA4, 0x04, 0x0C).with_data(EMRTD_AID.to_vec());
                let select = match self.sm.as_mut() {
                    Some(sm) => sm.wrap(&select).map_err(SessionError::Sm)?,
                    None => select,
                };
                self.phase = Phase::AwaitSelectApp;
                let bytes = encode(&select)?;
                Ok(self.sent(bytes))
            }
            Phase::Challenge => {
                let mrz = self.key.mrz().ok_or(SessionError::PaceNotOffered)?;
                let mut rnd_ifd = Zeroizing::new([0u8; 8]);
                let mut k_ifd = Zeroizing::new([0u8; 16]);
                random(&mut *rnd_ifd);
                random(&mut *k_ifd);
                if rnd_ifd.iter().all(|&b| b == 0) || k_ifd.iter().all(|&b| b == 0) {
                    return Err(SessionError::Random);
                }
                let mut bac = Bac::new(mrz, *rnd_ifd, *k_ifd).map_err(bac_error)?;
                let cmd = encode(&bac.get_challenge().map_err(bac_error)?)?;
                self.phase = Phase::AwaitChallenge(bac);
                Ok(self.sent(cmd))
            }
            Phase::Authenticate(bac, cmd) => {
                self.phase = Phase::AwaitAuthenticate(bac);
                Ok(self.sent(cmd))
            }
            Phase::Ca(ca) => {
                let step = ca.step();
                let cmd = ca
                    .commands()
                    .map_err(SessionError::Ca)?
                    .into_iter()
                    .nth(step)
                    .ok_or(SessionError::OutOfOrder)?;
                let sm = self.sm.as_mut().ok_or(SessionError::OutOfOrder)?;
                let wrapped = sm.wrap(&cmd).map_err(SessionError::Sm)?;
                self.phase = Phase::AwaitCa(ca);
                let bytes = encode(&wrapped)?;
                Ok(self.sent(bytes))
            }
            Phase::Files => self.next_file_command(random),
            Phase::Done => Ok(None),
            other @ (Phase::AwaitCardAccess(_)
            | Phase::AwaitResync
            | Phase::AwaitPace(_)
            | Phase::AwaitSelectApp
            | Phase::AwaitChallenge(_)
            | Phase::AwaitAuthenticate(_)
            | Phase::AwaitCa(_)
            | Phase::AwaitFile
            | Phase::AwaitAa(_)) => {
                self.phase = other;
                Err(SessionError::OutOfOrder)
            }
        }
    }

    /// Records what EF.CardAccess offers (`None`: absent or unreadable → BAC).
    fn card_access_read(&mut self, bytes: Option<&[u8]>) {
        self.card_access = bytes
            .and_then(|b| parse_card_access(b).ok())
            .and_then(|infos| PaceParams::choose(&infos))
            .map_or(CardAccess::Bac, CardAccess::Pace);
    }

    /// Secure messaging is up: run chip authentication if due, else read files.
    /// After a reconnect a chip authentication that passed (or was cut short) runs again, so
    /// the rest of the read stays on keys only the genuine chip shares; the ephemeral keys are
    /// drawn when its first command is built.
    fn session_established(&mut self) -> Result<(), SessionError> {
        if let CaState::Passed(p) | CaState::Confirming(p) = &self.ca {
            self.ca = CaState::Ready(p.clone());
        }
        self.phase = Phase::Files;
        Ok(())
    }

    fn next_file_command(
        &mut self,
        random: &mut dyn FnMut(&mut [u8]),
    ) -> Result<Option<Vec<u8>>, SessionError> {
        if let CaState::Ready(params) = &self.ca {
            match ChipAuthentication::new(params.clone(), random) {
                Ok(ca) => {
                    self.phase = Phase::Ca(Box::new(ca));
                    return self.next_command(random);
                }
                Err(e) => self.ca = CaState::Settled(ca_verdict(&e)),
            }
        }
        loop {
            let Some(&file) = self.queue.get(self.index) else {
                return self.aa_command(random);
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
                Ok(None) => {
                    self.file_done(file)?;
                    if matches!(self.ca, CaState::Ready(_)) {
                        return self.next_file_command(random);
                    }
                }
                Err(error) => return Err(self.file_error(file, error)),
            }
        }
    }

    /// INTERNAL AUTHENTICATE once every file is read, when DG15 was; otherwise done.
    fn aa_command(
        &mut self,
        random: &mut dyn FnMut(&mut [u8]),
    ) -> Result<Option<Vec<u8>>, SessionError> {
        if self.aa.is_some() || !self.files.contains_key(&LdsFile::DG15) {
            self.phase = Phase::Done;
            return Ok(None);
        }
        let challenge = match self.config.active_auth_challenge {
            Some(c) => c,
            None => {
                let mut c = [0u8; CHALLENGE_LEN];
                random(&mut c);
                c
            }
        };
        let sm = self.sm.as_mut().ok_or(SessionError::OutOfOrder)?;
        let cmd = sm
            .wrap(&aa::internal_authenticate(&challenge))
            .map_err(SessionError::Sm)?;
        self.phase = Phase::AwaitAa(challenge);
        let bytes = encode(&cmd)?;
        Ok(self.sent(bytes))
    }

    /// The current file is complete: keep it and move on (EF.COM decides what follows; DG14
    /// arms chip authentication).
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
        if file == LdsFile::DG14 {
            self.ca = match Dg14::parse(&bytes) {
                Err(e) => CaState::Settled(Verdict::Failed {
                    reason: format!("DG14 is malformed: {e}"),
                }),
                Ok(dg14) => match CaParams::from_dg14(&dg14) {
                    Ok(params) if self.config.chip_authentication => CaState::Ready(params),
                    Ok(_) => CaState::Settled(Verdict::NotPerformed {
                        reason: "chip authentication was switched off".into(),
                    }),
                    Err(e) => CaState::Settled(ca_verdict(&e)),
                },
            };
        }
        self.files.insert(file, bytes);
        self.index += 1;
        Ok(())
    }

    fn file_error(&mut self, file: LdsFile, error: ReaderError) -> SessionError {
        self.phase = Phase::Done;
        match error {
            ReaderError::FileNotFound => SessionError::MissingFile(file),
            ReaderError::AccessDenied(_) => SessionError::AccessDenied {
                attempts_left: None,
            },
            ReaderError::Sm(e) => SessionError::Sm(e),
            error => SessionError::Read { file, error },
        }
    }

    /// Consumes the card's answer to the last command; returns progress after a READ BINARY
    /// that delivered data.
    pub fn handle_response(&mut self, raw: &[u8]) -> Result<Option<ReadProgress>, SessionError> {
        self.stats.bytes_received += raw.len();
        match std::mem::replace(&mut self.phase, Phase::Done) {
            Phase::AwaitCardAccess(mut reader) => {
                match reader.handle_response(raw, None) {
                    Ok(()) => self.phase = Phase::CardAccess(reader),
                    // No EF.CardAccess (or unreadable): the card does not offer PACE.
                    Err(_) => {
                        self.card_access_read(None);
                        self.phase = self.access_phase()?;
                    }
                }
                Ok(None)
            }
            Phase::AwaitResync => {
                // Any answer will do: the card has dropped its session either way.
                parse_response(raw)?;
                self.phase = self.access_phase()?;
                Ok(None)
            }
            Phase::AwaitPace(mut pace) => {
                let resp = parse_response(raw)?;
                match pace.handle_response(&resp).map_err(pace_error)? {
                    Some(sm) => {
                        self.sm = Some(sm);
                        self.access = Some(AccessProtocol::Pace {
                            curve: pace.params().domain.curve(),
                            cipher: pace.params().cipher,
                        });
                        self.phase = Phase::SelectApp;
                    }
                    None => self.phase = Phase::Pace(pace),
                }
                Ok(None)
            }
            Phase::AwaitSelectApp => {
                let resp = parse_response(raw)?;
                let resp = match self.sm.as_mut() {
                    Some(sm) => sm.unwrap(&resp).map_err(SessionError::Sm)?,
                    None => resp,
                };
                if resp.sw.classify() != StatusClass::Success {
                    return Err(SessionError::ApplicationNotFound(resp.sw));
                }
                if self.sm.is_some() {
                    self.session_established()?;
                } else {
                    self.phase = Phase::Challenge;
                }
                Ok(None)
            }
            Phase::AwaitChallenge(mut bac) => {
                let challenge = parse_response(raw)?;
                if challenge.sw.classify() == StatusClass::SecurityNotSatisfied {
                    return Err(SessionError::AccessDenied {
                        attempts_left: None,
                    });
                }
                let cmd = encode(&bac.mutual_authenticate(&challenge).map_err(bac_error)?)?;
                self.phase = Phase::Authenticate(bac, cmd);
                Ok(None)
            }
            Phase::AwaitAuthenticate(mut bac) => {
                let resp = parse_response(raw)?;
                let session = bac.finish(&resp).map_err(bac_error)?;
                self.sm = Some(session.into_secure_messaging().map_err(SessionError::Sm)?);
                self.access = Some(AccessProtocol::Bac);
                self.session_established()?;
                Ok(None)
            }
            Phase::AwaitCa(ca) => {
                self.handle_ca_response(raw, ca)?;
                Ok(None)
            }
            Phase::AwaitFile => self.handle_file_response(raw),
            Phase::AwaitAa(challenge) => {
                let resp = parse_response(raw)?;
                let sm = self.sm.as_mut().ok_or(SessionError::OutOfOrder)?;
                let resp = match sm.unwrap(&resp) {
                    Ok(resp) => resp,
                    Err(e) => {
                        if self.resync_after_bare(&e)? {
                            return Ok(None);
                        }
                        return Err(SessionError::Sm(e));
                    }
                };
                self.after_bare = false;
                self.aa = Some(if resp.sw.classify() == StatusClass::Success {
                    Ok(AaProof {
                        challenge,
                        signature: resp.data,
                    })
                } else {
                    Err(resp.sw)
                });
                self.phase = Phase::Done;
                Ok(None)
            }
            other => {
                self.phase = other;
                Err(SessionError::OutOfOrder)
            }
        }
    }

    fn handle_ca_response(
        &mut self,
        raw: &[u8],
        mut ca: Box<ChipAuthentication>,
    ) -> Result<(), SessionError> {
        let resp = parse_response(raw)?;
        let sm = self.sm.as_mut().ok_or(SessionError::OutOfOrder)?;
        // Still the old session, which a clone shares: a wrong MAC here aborts like anywhere.
        let resp = sm.unwrap(&resp).map_err(SessionError::Sm)?;
        match ca.handle_response(&resp) {
            Ok(false) => self.phase = Phase::Ca(ca),
            Ok(true) => {
                let new_sm = ca.secure_messaging().map_err(SessionError::Ca)?;
                self.sm = Some(new_sm);
                self.ca = CaState::Confirming(ca.params().clone());
                self.phase = Phase::Files;
            }
            Err(e) => {
                self.ca = CaState::Settled(Verdict::Failed {
                    reason: format!("the chip refused chip authentication: {e}"),
                });
                self.phase = Phase::Files;
            }
        }
        Ok(())
    }

    /// Opens a new session with the access key and continues the current file at its last
    /// good offset. After a failed chip authentication (not counted as a reconnect) the card
    /// may still hold its session, so a plain SELECT first makes it drop it (`resync`).
    fn reopen(&mut self, resync: bool) -> Result<(), SessionError> {
        if let Some(reader) = self.reader.as_mut() {
            reader.transport_lost();
        }
        if let Some(sm) = self.sm.as_mut() {
            sm.close();
        }
        self.sm = None;
        self.phase = if resync {
            Phase::Resync
        } else {
            self.access_phase()?
        };
        Ok(())
    }

    /// The card ended secure messaging (6987/6988) right after a bare answer: its counter
    /// moved while ours did not (cards differ). Access control runs again (chip
    /// authentication too) and the read goes on where it was, within the reconnect budget.
    /// Returns whether it did.
    fn resync_after_bare(&mut self, error: &SmError) -> Result<bool, SessionError> {
        let card_ended_sm =
            matches!(error, SmError::Unprotected(sw) if matches!(sw.0, 0x6987 | 0x6988));
        if !(card_ended_sm && self.after_bare && self.stats.sm_resyncs < self.config.max_reconnects)
        {
            return Ok(false);
        }
        self.stats.sm_resyncs += 1;
        if let CaState::Confirming(p) = &self.ca {
            self.ca = CaState::Ready(p.clone());
        }
        self.after_bare = false;
        self.reopen(false)?;
        Ok(true)
    }

    fn handle_file_response(&mut self, raw: &[u8]) -> Result<Option<ReadProgress>, SessionError> {
        let file = *self.queue.get(self.index).ok_or(SessionError::OutOfOrder)?;
        let (Some(reader), Some(sm)) = (self.reader.as_mut(), self.sm.as_mut()) else {
            return Err(SessionError::OutOfOrder);
        };
        let was = reader.progress().read;
        let result = reader.handle_response(raw, Some(sm));
        // A bare status word carries no MAC: it proves nothing about the keys of chip
        // authentication, which waits for the next protected answer.
        let bare = sm.last_answer_bare();
        let after_bare = std::mem::replace(&mut self.after_bare, bare);
        if let Err(ReaderError::Sm(e)) = &result {
            self.after_bare = after_bare;
            if self.resync_after_bare(e)? {
                return Ok(None);
            }
        }
        if let (false, CaState::Confirming(params)) = (bare, &self.ca) {
            match &result {
                // A secure-messaging answer under the new keys: the chip holds the DG14 key.
                Ok(()) | Err(ReaderError::FileNotFound) => {
                    self.ca = CaState::Passed(params.clone())
                }
                Err(ReaderError::AccessDenied(_) | ReaderError::Card(_)) => {
                    self.ca = CaState::Passed(params.clone())
                }
                Err(e) => {
                    self.ca = CaState::Settled(Verdict::Failed {
                        reason: format!(
                            "the chip did not prove it holds the DG14 key (first response \
                             under the new keys: {e}); a cloned chip answers like this"
                        ),
                    });
                    self.reopen(true)?;
                    return Ok(None);
                }
            }
        }
        match result {
            Ok(()) => {}
            // Listed in EF.COM but absent: passive authentication reports it as not read.
            // EF.SOD absent: passive authentication is then not possible (see `finish`).
            Err(ReaderError::FileNotFound) if file != LdsFile::DG1 => {
                self.reader = None;
                self.index += 1;
                self.phase = Phase::Files;
                return Ok(None);
            }
            Err(error) => return Err(self.file_error(file, error)),
        }
        let Some(reader) = self.reader.as_ref() else {
            return Err(SessionError::OutOfOrder);
        };
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

    /// The transport lost the card. Recoverable losses within the budget restart the access
    /// protocol (and chip authentication), then continue the current file at its last good
    /// offset.
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
        // A chip authentication cut short runs again on the new session.
        if let CaState::Confirming(p) = &self.ca {
            self.ca = CaState::Ready(p.clone());
        }
        if matches!(self.phase, Phase::AwaitAa(_)) {
            self.aa = None;
        }
        self.reopen(false)
    }

    /// Parses what was read, runs passive authentication with `trust` at `at` (Unix seconds)
    /// and checks the active authentication signature against DG15.
    pub fn finish(self, trust: &TrustStore, at: u64) -> Result<ChipIdentity, SessionError> {
        if !self.is_done() {
            return Err(SessionError::OutOfOrder);
        }
        let chip_authentication = match self.ca {
            CaState::Passed(_) => Verdict::Passed,
            CaState::Settled(v) => v,
            CaState::Waiting => Verdict::NotSupported {
                reason: "the card has no DG14".into(),
            },
            CaState::Ready(_) | CaState::Confirming(_) => Verdict::NotPerformed {
                reason: "the read ended before chip authentication completed".into(),
            },
        };
        let aa_result = self.aa;
        let mut files = self.files;
        let ef_com = files.remove(&LdsFile::Com).unwrap_or_default();
        // Absent (6A82) or empty: passive authentication is not possible, the data is kept.
        let sod_bytes = files.remove(&LdsFile::Sod).unwrap_or_default();
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
        let passive_authentication = if sod_bytes.is_empty() {
            PassiveAuthReport::without_sod(pa::NotPossible::NoSod, &data_groups, at)
        } else {
            match Sod::parse(&sod_bytes) {
                Ok(sod) => pa::verify(&sod, &data_groups, trust, at),
                Err(e) => PassiveAuthReport::without_sod(
                    pa::NotPossible::UnreadableSod(e.to_string()),
                    &data_groups,
                    at,
                ),
            }
        };
        let (active_authentication, active_authentication_proof) =
            active_verdict(&data_groups, aa_result);
        Ok(ChipIdentity {
            mrz,
            dg13,
            face,
            passive_authentication,
            chip_authentication,
            active_authentication,
            active_authentication_proof,
            pace_downgrade: pace_downgrade(self.config.pace, self.access.as_ref(), &data_groups),
            access: self.access.unwrap_or(AccessProtocol::Bac),
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
    key: AccessKey,
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
        Self::with_access_key(AccessKey::Mrz(key.clone()), trust, at, random)
    }

    /// A read opened with any [`AccessKey`] (the MRZ key, or the CAN for PACE).
    pub fn with_access_key(
        key: AccessKey,
        trust: &'a TrustStore,
        at: u64,
        random: RandomSource<'a>,
    ) -> Self {
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
        let mut engine = ReadEngine::with_access_key(
            self.key.clone(),
            self.config,
            transport.max_transceive_len(),
        );
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
