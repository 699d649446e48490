//! Reading the chip ID card: the phone's NFC (or a PC/SC reader) as a foreign transport, the
//! ICAO 9303 protocol in `vneid-emrtd`. Converts types only.

use crate::error::ErrorCode;
use crate::error::VneidError;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use vneid_emrtd::access::{AccessKey, Can};
use vneid_emrtd::mrz::{DocumentNumberRule, MrzKey};
use vneid_emrtd::pa::TrustStore;
use vneid_emrtd::session::{self, ChipSession, SessionError, Transport, TransportError};

/// Why a transceive failed, as the platform reports it. Android: `TagLostException` →
/// `TagLost`; an `IOException` timeout → `Timeout`. iOS: a session that ended → `TagLost`.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum NfcError {
    #[error("the card left the field")]
    TagLost,
    #[error("the card did not answer in time")]
    Timeout,
    #[error("transport failure: {reason}")]
    Other { reason: String },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for NfcError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        Self::Other { reason: e.reason }
    }
}

/// The link to the card: Android `IsoDep`, iOS `NFCISO7816Tag`, a PC/SC reader.
#[uniffi::export(with_foreign)]
pub trait NfcTransport: Send + Sync {
    /// Sends one command APDU, returns the response APDU (data and status word).
    fn transceive(&self, apdu: Vec<u8>) -> Result<Vec<u8>, NfcError>;
    /// IsoDep's `maxTransceiveLength`; above 261 the core uses extended-length reads.
    fn max_transceive_length(&self) -> u32;
}

/// Told after every block read; called from a background thread.
#[uniffi::export(with_foreign)]
pub trait ChipReadListener: Send + Sync {
    fn on_progress(&self, progress: ChipReadProgress);
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct ChipReadProgress {
    /// The file being read as Doc 9303 names it: "EF.COM", "DG1", "DG2", "EF.SOD".
    pub file: String,
    pub bytes_read: u64,
    /// Grows as each file's length becomes known; equals `bytes_read` at the end.
    pub bytes_total: u64,
    /// The whole read from 0 to 1 for a progress bar: never decreases, 1 when the last
    /// file is read (`bytes_read / bytes_total` can go back as files are discovered).
    pub fraction: f32,
}

impl From<&session::ReadProgress> for ChipReadProgress {
    fn from(p: &session::ReadProgress) -> Self {
        Self {
            file: p.file.to_string(),
            bytes_read: p.bytes_read as u64,
            bytes_total: p.bytes_total as u64,
            fraction: p.fraction,
        }
    }
}

/// What the app collects to open the chip, in order of precedence:
/// - `can`: the 6-digit card access number printed on the card (PACE only);
/// - `mrz`: the full MRZ text (two or three lines, as a camera MRZ scanner hands it over; every
///   check digit is verified) of a CCCD, another ID card, a passport or a visa;
/// - `document_number` with the dates (YYMMDD): any document number as printed (letters,
///   digits, `<` fillers, longer than 9 characters when the document has such a number);
/// - `id_number` with the dates: the 12-digit CCCD ID number (its last 9 digits are the
///   document number).
///
/// The fields a form does not use are ignored and may be empty.
#[derive(Clone, uniffi::Record)]
pub struct CardAccessKey {
    pub id_number: String,
    pub date_of_birth: String,
    pub date_of_expiry: String,
    #[uniffi(default = None)]
    pub document_number: Option<String>,
    #[uniffi(default = None)]
    pub can: Option<String>,
    #[uniffi(default = None)]
    pub mrz: Option<String>,
}

impl CardAccessKey {
    /// The core access key of this input; `CHIP_ACCESS_INPUT_INVALID` when it is not valid.
    pub(crate) fn to_access_key(&self) -> Result<AccessKey, VneidError> {
        let invalid = || VneidError::from_code(ErrorCode::ChipAccessInputInvalid, None, None);
        if let Some(can) = &self.can {
            return Ok(AccessKey::Can(Can::new(can).map_err(|_| invalid())?));
        }
        let key = if let Some(text) = &self.mrz {
            MrzKey::from_mrz_text(text)
        } else if let Some(number) = &self.document_number {
            MrzKey::from_document_number(number, &self.date_of_birth, &self.date_of_expiry)
        } else {
            MrzKey::from_cccd(
                &self.id_number,
                &self.date_of_birth,
                &self.date_of_expiry,
                &DocumentNumberRule::LastNineDigitsOfIdNumber,
            )
        };
        Ok(AccessKey::Mrz(key.map_err(|_| invalid())?))
    }
}

impl std::fmt::Debug for CardAccessKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CardAccessKey(<redacted>)")
    }
}

/// The outcome of one check. `Failed` means the card or its data is not genuine (for chip
/// and active authentication: a cloned chip); `NotSupported`: the card does not offer it
/// (passive authentication of a card without EF.SOD lands here, its reason saying the data is
/// not proven); `NotPerformed`: offered but not run.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum CheckVerdict {
    Passed,
    Failed { reason: String },
    NotSupported { reason: String },
    NotPerformed { reason: String },
}

impl From<session::Verdict> for CheckVerdict {
    fn from(v: session::Verdict) -> Self {
        match v {
            session::Verdict::Passed => Self::Passed,
            session::Verdict::Failed { reason } => Self::Failed { reason },
            session::Verdict::NotSupported { reason } => Self::NotSupported { reason },
            session::Verdict::NotPerformed { reason } => Self::NotPerformed { reason },
            // No EF.SOD: the card offers no passive authentication; never a pass.
            session::Verdict::NotPossible { reason } => Self::NotSupported {
                reason: format!("passive authentication not possible: {reason}"),
            },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum FaceFormat {
    Jpeg,
    Jpeg2000,
    Unknown,
}

/// What the chip says, with a verdict per check. Personal data: `Debug` prints none of it.
#[derive(Clone, uniffi::Record)]
pub struct ChipIdentity {
    pub document_number: String,
    /// From DG13 (Vietnam) when present, otherwise the MRZ's optional data.
    pub id_number: Option<String>,
    pub full_name: Option<String>,
    /// As DG13 prints it (dd/mm/yyyy).
    pub date_of_birth: Option<String>,
    pub sex: Option<String>,
    pub nationality: Option<String>,
    pub ethnicity: Option<String>,
    pub religion: Option<String>,
    pub place_of_origin: Option<String>,
    pub place_of_residence: Option<String>,
    pub identifying_features: Option<String>,
    pub date_of_issue: Option<String>,
    /// A date, or the card's words for "no expiry" ("Không thời hạn").
    pub date_of_expiry: Option<String>,
    pub father_name: Option<String>,
    pub mother_name: Option<String>,
    pub spouse_name: Option<String>,
    pub old_id_number: Option<String>,
    pub card_identifier: Option<String>,
    pub face_image: Option<Vec<u8>>,
    pub face_format: Option<FaceFormat>,
    /// Every data group's hash, the SOD signature and the chain to a trusted CSCA.
    pub passive_authentication: CheckVerdict,
    pub chip_authentication: CheckVerdict,
    pub active_authentication: CheckVerdict,
    /// "PACE" or "BAC".
    pub access_protocol: String,
    /// Set when BAC was used although the chip's signed DG14 offers PACE (EF.CardAccess
    /// missing or altered, e.g. an attacker forcing the weaker protocol): treat as a warning.
    pub pace_downgrade: Option<String>,
    /// The 8-byte challenge active authentication signed and the chip's signature, for a
    /// backend to re-verify against DG15.
    pub active_authentication_challenge: Option<Vec<u8>>,
    pub active_authentication_signature: Option<Vec<u8>>,
    pub apdus: u32,
    pub reconnects: u32,
}

impl std::fmt::Debug for ChipIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChipIdentity")
            .field("passive_authentication", &self.passive_authentication)
            .field("apdus", &self.apdus)
            .finish_non_exhaustive()
    }
}

impl From<session::ChipIdentity> for ChipIdentity {
    fn from(c: session::ChipIdentity) -> Self {
        let passive_authentication =
            session::Verdict::from_passive(&c.passive_authentication).into();
        let access_protocol = match c.access {
            session::AccessProtocol::Bac => "BAC",
            session::AccessProtocol::Pace { .. } => "PACE",
        }
        .to_string();
        let (active_authentication_challenge, active_authentication_signature) =
            match c.active_authentication_proof {
                Some(p) => (Some(p.challenge.to_vec()), Some(p.signature)),
                None => (None, None),
            };
        let dg13 = c.dg13.unwrap_or_default();
        let mrz_id = Some(c.mrz.optional_data_1.trim().to_string()).filter(|s| s.len() == 12);
        let (face_image, face_format) = match c.face {
            Some(face) => (
                Some(face.image),
                Some(match face.format {
                    vneid_emrtd::dg2::ImageFormat::Jpeg => FaceFormat::Jpeg,
                    vneid_emrtd::dg2::ImageFormat::Jpeg2000 => FaceFormat::Jpeg2000,
                    vneid_emrtd::dg2::ImageFormat::Unknown => FaceFormat::Unknown,
                }),
            ),
            None => (None, None),
        };
        Self {
            document_number: c.mrz.document_number.clone(),
            id_number: dg13.id_number.or(mrz_id),
            full_name: dg13.full_name,
            date_of_birth: dg13.date_of_birth,
            sex: dg13.sex,
            nationality: dg13.nationality,
            ethnicity: dg13.ethnicity,
            religion: dg13.religion,
            place_of_origin: dg13.place_of_origin,
            place_of_residence: dg13.place_of_residence,
            identifying_features: dg13.identifying_features,
            date_of_issue: dg13.date_of_issue,
            date_of_expiry: dg13.date_of_expiry.map(|e| match e {
                vneid_emrtd::lds::Dg13Expiry::Date(d)
                | vneid_emrtd::lds::Dg13Expiry::NoExpiry(d) => d,
            }),
            father_name: dg13.father_name,
            mother_name: dg13.mother_name,
            spouse_name: dg13.spouse_name,
            old_id_number: dg13.old_id_number,
            card_identifier: dg13.card_identifier,
            face_image,
            face_format,
            passive_authentication,
            chip_authentication: c.chip_authentication.into(),
            active_authentication: c.active_authentication.into(),
            access_protocol,
            pace_downgrade: c.pace_downgrade,
            active_authentication_challenge,
            active_authentication_signature,
            apdus: u32::try_from(c.stats.apdus).unwrap_or(u32::MAX),
            reconnects: c.stats.reconnects,
        }
    }
}

fn chip_error(e: &SessionError) -> VneidError {
    let code = match e {
        SessionError::Cancelled => ErrorCode::Cancelled,
        SessionError::AccessDenied { .. } => ErrorCode::ChipAccessDenied,
        SessionError::ApplicationNotFound(_) | SessionError::PaceNotOffered => {
            ErrorCode::ChipNotSupported
        }
        SessionError::ConnectionLost { .. } | SessionError::Transport(_) => ErrorCode::ChipLost,
        _ => ErrorCode::ChipReadFailed,
    };
    VneidError::from_code(code, None, None)
}

/// Lets the core drive a foreign transport.
struct Foreign(Arc<dyn NfcTransport>);

impl Transport for Foreign {
    fn transceive(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.0.transceive(apdu.to_vec()).map_err(|e| match e {
            NfcError::TagLost => TransportError::TagLost,
            NfcError::Timeout => TransportError::Timeout,
            NfcError::Other { reason } => TransportError::Other(reason),
        })
    }

    fn max_transceive_len(&self) -> usize {
        usize::try_from(self.0.max_transceive_length()).unwrap_or(usize::MAX)
    }
}

/// Reads and verifies chip ID cards against a set of trusted CSCA certificates.
#[derive(uniffi::Object)]
pub struct ChipReader {
    trust: TrustStore,
    /// The cancel flags of the reads in progress: one per read, so a finished or cancelled
    /// read never leaves a flag behind that would stop (or fail to stop) the next one.
    active: Mutex<Vec<Arc<AtomicBool>>>,
}

/// One read in progress. Dropped when the read ends *or when its future is dropped* (a
/// Kotlin coroutine cancelled): either way it raises the read's flag, so the blocking read
/// stops before its next APDU instead of running on unobserved.
struct ActiveRead {
    reader: Arc<ChipReader>,
    flag: Arc<AtomicBool>,
}

impl ActiveRead {
    fn start(reader: &Arc<ChipReader>) -> Self {
        let flag = Arc::new(AtomicBool::new(false));
        reader.reads().push(Arc::clone(&flag));
        Self {
            reader: Arc::clone(reader),
            flag,
        }
    }
}

impl Drop for ActiveRead {
    fn drop(&mut self) {
        self.flag.store(true, Ordering::Relaxed);
        self.reader.reads().retain(|f| !Arc::ptr_eq(f, &self.flag));
    }
}

impl ChipReader {
    fn reads(&self) -> std::sync::MutexGuard<'_, Vec<Arc<AtomicBool>>> {
        self.active.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl std::fmt::Debug for ChipReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChipReader").finish_non_exhaustive()
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl ChipReader {
    /// `csca_certificates`: each a PEM file (one or more certificates) or one DER certificate.
    #[uniffi::constructor]
    pub fn new(csca_certificates: Vec<Vec<u8>>) -> Result<Arc<Self>, VneidError> {
        let mut trust = TrustStore::new();
        for file in &csca_certificates {
            trust
                .add_csca_file(file)
                .map_err(|_| VneidError::from_code(ErrorCode::TrustStoreInvalid, None, None))?;
        }
        Ok(Arc::new(Self {
            trust,
            active: Mutex::new(Vec::new()),
        }))
    }

    /// Opens the chip with `key` (PACE when the card offers it, else BAC), reads EF.COM, DG1,
    /// DG2, DG13, DG14, DG15 and EF.SOD (resuming after a lost tag), runs chip and active
    /// authentication (clone detection) and passive authentication at `check_time` (Unix
    /// seconds; now when null). The transport is called from a background thread.
    pub async fn read(
        self: Arc<Self>,
        key: CardAccessKey,
        transport: Arc<dyn NfcTransport>,
        listener: Option<Arc<dyn ChipReadListener>>,
        check_time: Option<u64>,
    ) -> Result<ChipIdentity, VneidError> {
        let access_key = key.to_access_key()?;
        let at = check_time.unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0)
        });
        let active = ActiveRead::start(&self);
        let flag = Arc::clone(&active.flag);
        let reader = Arc::clone(&self);
        let result = tokio::task::spawn_blocking(move || {
            let rng = ring::rand::SystemRandom::new();
            let mut random = |buf: &mut [u8]| {
                let _ = ring::rand::SecureRandom::fill(&rng, buf);
            };
            let mut report = |p: &session::ReadProgress| {
                if let Some(l) = &listener {
                    l.on_progress(ChipReadProgress::from(p));
                }
            };
            ChipSession::with_access_key(access_key, &reader.trust, at, &mut random)
                .with_progress(&mut report)
                .with_cancel(&flag)
                .read(&mut Foreign(transport))
        })
        .await
        .map_err(|_| VneidError::from_code(ErrorCode::Internal, None, None))?;
        drop(active);
        result.map(Into::into).map_err(|e| chip_error(&e))
    }

    /// Stops every read of this reader in progress before its next APDU; each fails with
    /// `CANCELLED`. Dropping a read's future (coroutine cancellation) stops it the same way.
    pub fn cancel(&self) {
        for flag in self.reads().iter() {
            flag.store(true, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn key(f: impl FnOnce(&mut CardAccessKey)) -> Result<AccessKey, VneidError> {
        let mut k = CardAccessKey {
            id_number: String::new(),
            date_of_birth: String::new(),
            date_of_expiry: String::new(),
            document_number: None,
            can: None,
            mrz: None,
        };
        f(&mut k);
        k.to_access_key()
    }

    #[test]
    fn every_access_key_form_reaches_the_core_key() {
        // Doc 9303 Part 4 specimen passport: the scanned MRZ and the typed number agree.
        let scanned = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\r\nL898902C36UTO7408122F1204159ZE184226B<<<<<10\r\n";
        let from_mrz = key(|k| k.mrz = Some(scanned.into())).unwrap();
        let typed = key(|k| {
            k.document_number = Some("L898902C3".into());
            k.date_of_birth = "740812".into();
            k.date_of_expiry = "120415".into();
        })
        .unwrap();
        assert_eq!(from_mrz, typed);
        let cccd = key(|k| {
            k.id_number = "079203012345".into();
            k.date_of_birth = "030115".into();
            k.date_of_expiry = "280115".into();
        })
        .unwrap();
        assert_eq!(cccd.mrz().unwrap().document_number(), "203012345");
        let can = key(|k| {
            k.can = Some("123456".into());
            k.mrz = Some(scanned.into());
        })
        .unwrap();
        assert_eq!(can.password_reference(), 2);
    }

    #[test]
    fn invalid_access_key_input_is_a_typed_error() {
        let invalid = |e: VneidError| {
            matches!(
                e,
                VneidError::Chip {
                    code: ErrorCode::ChipAccessInputInvalid,
                    ..
                }
            )
        };
        assert!(invalid(
            key(|k| k.mrz = Some("P<UTOERIKSSON".into())).unwrap_err()
        ));
        assert!(invalid(key(|k| k.can = Some("12345".into())).unwrap_err()));
        assert!(invalid(
            key(|k| k.document_number = Some("L898902C3".into())).unwrap_err()
        ));
    }
}
