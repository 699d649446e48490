//! Why a read failed, one typed error per cause; a wrong access key is one error whatever
//! protocol or status word reported it.

use super::transport::TransportError;
use crate::apdu::{ApduError, StatusWord};
use crate::bac::BacError;
use crate::ca::CaError;
use crate::dg2::Dg2Error;
use crate::lds::{LdsError, LdsFile};
use crate::pa::SodError;
use crate::pace::PaceError;
use crate::reader::ReaderError;
use crate::sm::SmError;

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
    #[error("reading {file}: {error}")]
    Read { file: LdsFile, error: ReaderError },
    #[error("the mandatory file {0} is missing")]
    MissingFile(LdsFile),
    #[error("{file} is malformed: {error}")]
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

pub(super) fn bac_error(e: BacError) -> SessionError {
    match e {
        BacError::AccessDenied { attempts_left } => SessionError::AccessDenied { attempts_left },
        other => SessionError::Bac(other),
    }
}

pub(super) fn pace_error(e: PaceError) -> SessionError {
    match e {
        PaceError::AccessDenied { attempts_left } => SessionError::AccessDenied { attempts_left },
        other => SessionError::Pace(other),
    }
}
