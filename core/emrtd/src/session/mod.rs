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
//!
//! The engine's phases, one module each: [`access`] (EF.CardAccess, PACE or BAC), [`files`]
//! (EF.COM, the data groups, EF.SOD), [`chip_auth`], [`active_auth`], [`recovery`] (a lost
//! card, a card that ended secure messaging) and [`finish`] (passive authentication and the
//! verdicts). This module holds the engine's state and the table that sends each command and
//! answer to its phase.
//!
//! [`AccessKey`]: crate::access::AccessKey
//! [`FileReader`]: crate::reader::FileReader
//! [`TrustStore`]: crate::pa::TrustStore

mod access;
mod active_auth;
mod chip_auth;
mod config;
mod driver;
mod error;
mod files;
mod finish;
mod outcome;
mod recovery;
mod transport;

pub use crate::verdict::{AaProof, AccessProtocol, Verdict};
pub use config::{BlockChoice, SessionConfig};
pub use driver::ChipSession;
pub use error::SessionError;
pub use outcome::{ChipEvidence, ChipIdentity, ReadProgress, ReadStats};
pub use transport::{EMRTD_AID, RandomSource, SHORT_TRANSCEIVE_LEN, Transport, TransportError};

use crate::aa::CHALLENGE_LEN;
use crate::access::AccessKey;
use crate::apdu::{CommandApdu, ResponseApdu, StatusWord};
use crate::bac::Bac;
use crate::ca::{CaParams, ChipAuthentication};
use crate::lds::LdsFile;
use crate::mrz::MrzKey;
use crate::pace::{Pace, PaceParams};
use crate::reader::{BlockPolicy, FileReader, ReadOptions, SelectMode};
use crate::sm::SecureMessaging;
use std::collections::BTreeMap;

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
    /// The last progress fraction reported (progress never goes back).
    fraction: f32,
    /// What the card's eMRTD application made of short-id reads so far.
    short_ids: ShortIds,
}

/// Whether the eMRTD application reads files by short EF identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ShortIds {
    Untried,
    /// A short-id read delivered data: a 6A82 to one is an absent file.
    Work,
    /// Refused once: the remaining files are read after a SELECT.
    Refused,
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
            select: if config.short_ids {
                SelectMode::ShortId
            } else {
                SelectMode::FileId
            },
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
            fraction: 0.0,
            short_ids: ShortIds::Untried,
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

    /// The next command APDU to send, or `None` when all is done. `random` supplies nonces,
    /// ephemeral keys and the active authentication challenge from the platform CSPRNG.
    pub fn next_command(
        &mut self,
        random: &mut dyn FnMut(&mut [u8]),
    ) -> Result<Option<Vec<u8>>, SessionError> {
        match std::mem::replace(&mut self.phase, Phase::Done) {
            phase @ (Phase::CardAccess(_)
            | Phase::Pace(_)
            | Phase::Resync
            | Phase::SelectApp
            | Phase::Challenge
            | Phase::Authenticate(..)) => self.next_access_command(phase, random),
            Phase::Ca(ca) => self.next_ca_command(ca),
            Phase::Files => self.next_file_command(random),
            Phase::Done => Ok(None),
            waiting => {
                self.phase = waiting;
                Err(SessionError::OutOfOrder)
            }
        }
    }

    /// Consumes the card's answer to the last command; returns progress after a READ BINARY
    /// that delivered data.
    pub fn handle_response(&mut self, raw: &[u8]) -> Result<Option<ReadProgress>, SessionError> {
        self.stats.bytes_received += raw.len();
        match std::mem::replace(&mut self.phase, Phase::Done) {
            phase @ (Phase::AwaitCardAccess(_)
            | Phase::AwaitResync
            | Phase::AwaitPace(_)
            | Phase::AwaitSelectApp
            | Phase::AwaitChallenge(_)
            | Phase::AwaitAuthenticate(_)) => {
                self.handle_access_response(phase, raw).map(|()| None)
            }
            Phase::AwaitCa(ca) => self.handle_ca_response(raw, ca).map(|()| None),
            Phase::AwaitFile => self.handle_file_response(raw),
            Phase::AwaitAa(challenge) => self.handle_aa_response(raw, challenge).map(|()| None),
            other => {
                self.phase = other;
                Err(SessionError::OutOfOrder)
            }
        }
    }
}
