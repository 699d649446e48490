//! `vneid read-card --pcsc`: a chip ID card in a PC/SC reader at a counter, through pcscd.
//!
//! [`PcscTransport`] carries the engine's APDUs over `SCardTransmit`. A card that is pulled
//! away or reset mid-read surfaces as [`TransportError::TagLost`]; the next transceive waits
//! for the card to come back and reconnects, so the session resumes at its last good offset
//! just as it does over phone NFC.

use super::{LinkSummary, ReadCardArgs, progress_bar, read_key_and_trust, report};
use pcsc::{Card, Context, Disposition, Error as PcscError, Protocols, Scope, ShareMode};
use std::ffi::{CStr, CString};
use std::time::{Duration, Instant};
use vneid_emrtd::session::{
    BlockChoice, ChipSession, ReadProgress, SHORT_TRANSCEIVE_LEN, SessionConfig, Transport,
    TransportError,
};

/// Largest extended-length exchange pcsc-lite carries (its MAX_BUFFER_SIZE_EXTENDED).
const EXTENDED_LEN: usize = pcsc::MAX_BUFFER_SIZE_EXTENDED;

/// Why no card could be reached.
#[derive(Debug, thiserror::Error)]
pub enum PcscReadError {
    #[error("PC/SC is not available ({0}); is pcscd running? (Debian: apt-get install pcscd)")]
    NoService(PcscError),
    #[error("no PC/SC reader is connected")]
    NoReaders,
    #[error("no PC/SC reader matches {wanted:?}; readers: {available}")]
    UnknownReader { wanted: String, available: String },
    #[error("{wanted:?} matches several readers: {matches}; give more of the name")]
    AmbiguousReader { wanted: String, matches: String },
    #[error("no card was presented within {0} s ({1})")]
    NoCard(u64, String),
    #[error("PC/SC: {0}")]
    Pcsc(PcscError),
}

/// The readers the user may mean: all of them, or those whose name contains `wanted` (an
/// exact name always wins, so "Reader 0" is not ambiguous next to "Reader 01").
fn choose_readers(all: Vec<CString>, wanted: Option<&str>) -> Result<Vec<CString>, PcscReadError> {
    if all.is_empty() {
        return Err(PcscReadError::NoReaders);
    }
    let Some(wanted) = wanted else {
        return Ok(all);
    };
    let name = |r: &CStr| r.to_string_lossy().into_owned();
    if let Some(exact) = all.iter().find(|r| name(r) == wanted) {
        return Ok(vec![exact.clone()]);
    }
    let matches: Vec<CString> = all
        .iter()
        .filter(|r| name(r).contains(wanted))
        .cloned()
        .collect();
    let list = |rs: &[CString]| rs.iter().map(|r| name(r)).collect::<Vec<_>>().join(", ");
    match matches.len() {
        0 => Err(PcscReadError::UnknownReader {
            wanted: wanted.into(),
            available: list(&all),
        }),
        1 => Ok(matches),
        _ => Err(PcscReadError::AmbiguousReader {
            wanted: wanted.into(),
            matches: list(&matches),
        }),
    }
}

/// Connects to the first of `readers` that holds a card, polling until `wait` has passed.
fn connect_first(
    ctx: &Context,
    readers: &[CString],
    wait: Duration,
) -> Result<(Card, CString), PcscReadError> {
    let deadline = Instant::now() + wait;
    loop {
        let mut last = PcscError::NoSmartcard;
        for reader in readers {
            match ctx.connect(reader, ShareMode::Shared, Protocols::ANY) {
                Ok(card) => return Ok((card, reader.clone())),
                Err(
                    e @ (PcscError::NoSmartcard
                    | PcscError::RemovedCard
                    | PcscError::UnpoweredCard
                    | PcscError::UnresponsiveCard
                    | PcscError::ReaderUnavailable
                    | PcscError::SharingViolation),
                ) => last = e,
                Err(e) => return Err(PcscReadError::Pcsc(e)),
            }
        }
        if Instant::now() >= deadline {
            return Err(PcscReadError::NoCard(wait.as_secs(), last.to_string()));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// APDUs over one PC/SC reader.
struct PcscTransport<'c> {
    ctx: &'c Context,
    reader: CString,
    card: Option<Card>,
    max_len: usize,
    /// How long a reconnect waits for the card to come back.
    wait: Duration,
}

impl std::fmt::Debug for PcscTransport<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PcscTransport")
            .field("reader", &self.reader)
            .field("connected", &self.card.is_some())
            .finish()
    }
}

impl PcscTransport<'_> {
    fn card(&mut self) -> Result<&Card, TransportError> {
        if self.card.is_none() {
            let (card, _) = connect_first(self.ctx, std::slice::from_ref(&self.reader), self.wait)
                .map_err(|_| TransportError::TagLost)?;
            self.card = Some(card);
        }
        self.card
            .as_ref()
            .ok_or_else(|| TransportError::Other("no card".into()))
    }
}

impl Transport for PcscTransport<'_> {
    fn transceive(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        let mut buf = vec![0u8; EXTENDED_LEN];
        let result = self.card()?.transmit(apdu, &mut buf).map(<[u8]>::to_vec);
        match result {
            Ok(resp) => Ok(resp),
            Err(
                PcscError::RemovedCard
                | PcscError::ResetCard
                | PcscError::NoSmartcard
                | PcscError::UnpoweredCard
                | PcscError::UnresponsiveCard
                // pcscd's answer to a transmit on a card swapped since the connect.
                | PcscError::NotTransacted,
            ) => {
                // The session is gone on the card too; reconnect on the next transceive.
                self.card = None;
                Err(TransportError::TagLost)
            }
            Err(PcscError::Timeout) => {
                self.card = None;
                Err(TransportError::Timeout)
            }
            Err(e) => Err(TransportError::Other(e.to_string())),
        }
    }

    fn max_transceive_len(&self) -> usize {
        self.max_len
    }
}

pub fn run(args: ReadCardArgs) -> Result<(), Box<dyn std::error::Error>> {
    let (key, trust) = read_key_and_trust(&args)?;
    let ctx = Context::establish(Scope::User).map_err(PcscReadError::NoService)?;
    let all = match ctx.list_readers_owned() {
        Ok(r) => r,
        Err(PcscError::NoReadersAvailable) => Vec::new(),
        Err(e) => return Err(PcscReadError::Pcsc(e).into()),
    };
    let readers = choose_readers(all, args.reader.as_deref())?;
    let wait = Duration::from_secs(args.wait);
    let (card, reader) = connect_first(&ctx, &readers, wait)?;
    if !args.json {
        eprintln!("reader: {}", reader.to_string_lossy());
        if args.csca.is_empty() {
            eprintln!("trust: the test CSCA of fixtures/pki (give --csca for real cards)");
        }
    }
    let mut transport = PcscTransport {
        ctx: &ctx,
        reader,
        card: Some(card),
        max_len: if args.short {
            SHORT_TRANSCEIVE_LEN
        } else {
            EXTENDED_LEN
        },
        wait,
    };
    let mut progress = |p: &ReadProgress| {
        if !args.json {
            progress_bar(p);
        }
    };
    let config = SessionConfig {
        block: if args.short {
            BlockChoice::Short
        } else {
            BlockChoice::Auto
        },
        ..SessionConfig::default()
    };
    let rng = ring::rand::SystemRandom::new();
    let mut random = |buf: &mut [u8]| {
        let _ = ring::rand::SecureRandom::fill(&rng, buf);
    };
    let started = Instant::now();
    let identity = ChipSession::with_access_key(key, &trust, super::now(), &mut random)
        .with_config(config)
        .with_progress(&mut progress)
        .read(&mut transport);
    let elapsed = started.elapsed();
    if !args.json {
        eprintln!();
    }
    if let Some(card) = transport.card.take() {
        let _ = card.disconnect(Disposition::ResetCard);
    }
    let identity = identity?;
    let link = LinkSummary::from(identity.stats);
    report(&identity, link, elapsed, args.json)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn names(v: &[&str]) -> Vec<CString> {
        v.iter().map(|s| CString::new(*s).unwrap()).collect()
    }

    #[test]
    fn a_reader_is_chosen_by_exact_name_or_unique_part() {
        let all = names(&[
            "Virtual PCD 00 00",
            "Virtual PCD 00 01",
            "ACS ACR1252 00 00",
        ]);
        assert_eq!(choose_readers(all.clone(), None).unwrap().len(), 3);
        assert_eq!(
            choose_readers(all.clone(), Some("ACR1252")).unwrap(),
            names(&["ACS ACR1252 00 00"])
        );
        assert_eq!(
            choose_readers(all.clone(), Some("Virtual PCD 00 00")).unwrap(),
            names(&["Virtual PCD 00 00"])
        );
        assert!(matches!(
            choose_readers(all.clone(), Some("Virtual")),
            Err(PcscReadError::AmbiguousReader { .. })
        ));
        assert!(matches!(
            choose_readers(all, Some("Omnikey")),
            Err(PcscReadError::UnknownReader { .. })
        ));
        assert!(matches!(
            choose_readers(Vec::new(), None),
            Err(PcscReadError::NoReaders)
        ));
    }
}
