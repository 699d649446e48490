//! The link to the card: the phone's NFC stack, a PC/SC reader or the virtual card, behind
//! one transceive call, and the randomness the protocols draw from the platform.

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

/// Randomness for BAC's RND.IFD and K.IFD, the PACE and chip authentication key pairs and the
/// active authentication challenge, from the platform CSPRNG.
pub type RandomSource<'a> = &'a mut dyn FnMut(&mut [u8]);
