//! ISO/IEC 7816-4 command and response APDUs.
//!
//! A command keeps `Ne` (the number of response bytes expected) as a number and picks the short
//! or extended encoding when serialised, so the reader can decide block sizes without caring
//! about byte layouts; `Ne = 256` (short) and `Ne = 65536` (extended) encode as zero bytes.

/// Largest `Nc`/`Ne` a short APDU can carry.
pub const SHORT_MAX_NC: usize = 255;
pub const SHORT_MAX_NE: usize = 256;
/// Largest `Nc`/`Ne` an extended APDU can carry.
pub const EXTENDED_MAX_NC: usize = 65_535;
pub const EXTENDED_MAX_NE: usize = 65_536;

/// Why an APDU cannot be built or parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ApduError {
    #[error("command data longer than 65535 bytes")]
    DataTooLong,
    #[error("expected response length must be 1..=65536")]
    InvalidNe,
    #[error("response shorter than the two status bytes")]
    ResponseTooShort,
    #[error("command APDU bytes are malformed")]
    MalformedCommand,
}

/// A command APDU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandApdu {
    pub cla: u8,
    pub ins: u8,
    pub p1: u8,
    pub p2: u8,
    pub data: Vec<u8>,
    /// Expected response length `Ne` (1..=65536), or `None` for no response data.
    pub ne: Option<usize>,
}

impl CommandApdu {
    /// A command without data and without expected response data (case 1).
    pub fn new(cla: u8, ins: u8, p1: u8, p2: u8) -> Self {
        Self {
            cla,
            ins,
            p1,
            p2,
            data: Vec::new(),
            ne: None,
        }
    }

    /// Sets the command data.
    pub fn with_data(mut self, data: Vec<u8>) -> Self {
        self.data = data;
        self
    }

    /// Sets the expected response length.
    pub fn with_ne(mut self, ne: usize) -> Self {
        self.ne = Some(ne);
        self
    }

    /// True when the command needs the extended-length encoding.
    pub fn needs_extended(&self) -> bool {
        self.data.len() > SHORT_MAX_NC || self.ne.is_some_and(|ne| ne > SHORT_MAX_NE)
    }

    /// Serialises the command, in short form whenever it fits.
    pub fn to_bytes(&self) -> Result<Vec<u8>, ApduError> {
        self.encode(self.needs_extended())
    }

    /// Serialises the command in the requested form (extended may be forced, e.g. when a
    /// secure-messaging wrapper must keep the extended form of the command it protects).
    pub fn encode(&self, extended: bool) -> Result<Vec<u8>, ApduError> {
        let nc = self.data.len();
        if nc > EXTENDED_MAX_NC {
            return Err(ApduError::DataTooLong);
        }
        if let Some(ne) = self.ne
            && !(1..=EXTENDED_MAX_NE).contains(&ne)
        {
            return Err(ApduError::InvalidNe);
        }
        let extended = extended || self.needs_extended();
        let mut out = Vec::with_capacity(4 + 3 + nc + 3);
        out.extend_from_slice(&[self.cla, self.ins, self.p1, self.p2]);
        if extended {
            if nc > 0 {
                out.push(0);
                out.extend_from_slice(&(nc as u16).to_be_bytes());
                out.extend_from_slice(&self.data);
            }
            if let Some(ne) = self.ne {
                if nc == 0 {
                    out.push(0);
                }
                // 65536 wraps to 0x0000, which is what the standard prescribes.
                out.extend_from_slice(&((ne % 65_536) as u16).to_be_bytes());
            }
        } else {
            if nc > 0 {
                out.push(nc as u8);
                out.extend_from_slice(&self.data);
            }
            if let Some(ne) = self.ne {
                out.push((ne % 256) as u8);
            }
        }
        Ok(out)
    }

    /// Parses a command APDU (used by the virtual card, transcripts and tests).
    pub fn parse(bytes: &[u8]) -> Result<Self, ApduError> {
        let bad = ApduError::MalformedCommand;
        let (&[cla, ins, p1, p2], body) = bytes.split_first_chunk::<4>().ok_or(bad)?;
        let mut cmd = CommandApdu::new(cla, ins, p1, p2);
        match body {
            [] => {}
            [le] => cmd.ne = Some(if *le == 0 { 256 } else { usize::from(*le) }),
            [0, rest @ ..] if rest.len() >= 2 => {
                let (&[h, l], rest) = rest.split_first_chunk::<2>().ok_or(bad)?;
                let n = usize::from(u16::from_be_bytes([h, l]));
                if rest.is_empty() {
                    cmd.ne = Some(if n == 0 { 65_536 } else { n });
                } else {
                    if n == 0 {
                        return Err(bad);
                    }
                    cmd.data = rest.get(..n).ok_or(bad)?.to_vec();
                    match rest.get(n..).ok_or(bad)? {
                        [] => {}
                        [a, b] => {
                            let le = usize::from(u16::from_be_bytes([*a, *b]));
                            cmd.ne = Some(if le == 0 { 65_536 } else { le });
                        }
                        _ => return Err(bad),
                    }
                }
            }
            [lc, rest @ ..] => {
                let n = usize::from(*lc);
                cmd.data = rest.get(..n).ok_or(bad)?.to_vec();
                match rest.get(n..).ok_or(bad)? {
                    [] => {}
                    [le] => cmd.ne = Some(if *le == 0 { 256 } else { usize::from(*le) }),
                    _ => return Err(bad),
                }
            }
        }
        Ok(cmd)
    }
}

/// The two status bytes SW1 SW2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StatusWord(pub u16);

impl StatusWord {
    pub const SUCCESS: StatusWord = StatusWord(0x9000);
    pub const END_OF_FILE: StatusWord = StatusWord(0x6282);
    pub const SECURITY_NOT_SATISFIED: StatusWord = StatusWord(0x6982);
    pub const FILE_NOT_FOUND: StatusWord = StatusWord(0x6A82);

    pub fn sw1(self) -> u8 {
        (self.0 >> 8) as u8
    }

    pub fn sw2(self) -> u8 {
        (self.0 & 0xFF) as u8
    }

    /// What the reader should make of the status.
    pub fn classify(self) -> StatusClass {
        use StatusClass::*;
        match (self.sw1(), self.sw2()) {
            (0x90, 0x00) => Success,
            (0x61, n) => MoreData(n),
            (0x62, 0x82) => EndOfFile,
            (0x62 | 0x63, _) => Warning,
            (0x6C, n) => WrongLe(n),
            (0x67, 0x00) => WrongLength,
            (0x69, 0x82) => SecurityNotSatisfied,
            (0x69, 0x85) => ConditionsNotSatisfied,
            (0x69, 0x87 | 0x88) => SecureMessagingError,
            (0x6A, 0x82) => FileNotFound,
            (0x6A | 0x6B, _) => WrongParameters,
            (0x6D, 0x00) => InsNotSupported,
            (0x6E, 0x00) => ClaNotSupported,
            (0x64 | 0x65, _) => ExecutionError,
            _ => Other,
        }
    }

    /// The tries the card says remain (63Cx: x tries left), as answers to a wrong password.
    pub fn attempts_left(self) -> Option<u8> {
        (self.sw1() == 0x63 && self.sw2() & 0xF0 == 0xC0).then_some(self.sw2() & 0x0F)
    }

    /// Success or a warning that still delivered data.
    pub fn is_ok_or_eof(self) -> bool {
        matches!(
            self.classify(),
            StatusClass::Success | StatusClass::EndOfFile
        )
    }
}

impl std::fmt::Display for StatusWord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04X}", self.0)
    }
}

/// Classes of status words that callers act on differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusClass {
    /// 9000.
    Success,
    /// 61XX: more bytes available (GET RESPONSE).
    MoreData(u8),
    /// 6282: end of file reached before Ne bytes; the data returned is valid.
    EndOfFile,
    /// Other 62XX/63XX warnings (6300 is also "authentication failed" on MUTUAL AUTHENTICATE).
    Warning,
    /// 6CXX: wrong Ne, XX is the exact length available.
    WrongLe(u8),
    /// 6700.
    WrongLength,
    /// 6982: access conditions not met (e.g. DG3 without EAC, or SM required).
    SecurityNotSatisfied,
    /// 6985.
    ConditionsNotSatisfied,
    /// 6987/6988: SM data objects missing or incorrect; the card has dropped the session.
    SecureMessagingError,
    /// 6A82.
    FileNotFound,
    /// 6AXX/6BXX other than 6A82, e.g. offset beyond the end of the file.
    WrongParameters,
    /// 6D00.
    InsNotSupported,
    /// 6E00.
    ClaNotSupported,
    /// 64XX/65XX.
    ExecutionError,
    Other,
}

/// A response APDU: data and status word.
#[derive(Clone, PartialEq, Eq)]
pub struct ResponseApdu {
    pub data: Vec<u8>,
    pub sw: StatusWord,
}

impl std::fmt::Debug for ResponseApdu {
    // Response data is personal data or ciphertext; keep it out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseApdu")
            .field("data_len", &self.data.len())
            .field("sw", &self.sw)
            .finish()
    }
}

impl ResponseApdu {
    pub fn new(data: Vec<u8>, sw: StatusWord) -> Self {
        Self { data, sw }
    }

    /// Splits raw transceive output into data and status word.
    pub fn parse(bytes: &[u8]) -> Result<Self, ApduError> {
        let (data, sw) = bytes
            .split_last_chunk::<2>()
            .ok_or(ApduError::ResponseTooShort)?;
        Ok(Self {
            data: data.to_vec(),
            sw: StatusWord(u16::from_be_bytes(*sw)),
        })
    }

    /// Data followed by SW1 SW2.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.data.len() + 2);
        out.extend_from_slice(&self.data);
        out.extend_from_slice(&self.sw.0.to_be_bytes());
        out
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

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    #[test]
    fn short_encoding_covers_all_four_cases() {
        assert_eq!(
            CommandApdu::new(0, 0x84, 0, 0).to_bytes().unwrap(),
            h("00840000")
        );
        assert_eq!(
            CommandApdu::new(0, 0x84, 0, 0)
                .with_ne(8)
                .to_bytes()
                .unwrap(),
            h("0084000008")
        );
        let select = CommandApdu::new(0, 0xA4, 2, 0x0C).with_data(h("011E"));
        assert_eq!(select.to_bytes().unwrap(), h("00A4020C02011E"));
        let ma = CommandApdu::new(0, 0x82, 0, 0)
            .with_data(vec![0xAA; 40])
            .with_ne(40);
        let b = ma.to_bytes().unwrap();
        assert_eq!(
            (b[4], b.len(), b[b.len() - 1]),
            (0x28, 4 + 1 + 40 + 1, 0x28)
        );
    }

    #[test]
    fn ne_256_is_short_zero_and_257_switches_to_extended() {
        assert_eq!(
            CommandApdu::new(0, 0xB0, 0, 0)
                .with_ne(256)
                .to_bytes()
                .unwrap(),
            h("00B0000000")
        );
        assert_eq!(
            CommandApdu::new(0, 0xB0, 0, 0)
                .with_ne(257)
                .to_bytes()
                .unwrap(),
            h("00B00000000101")
        );
        assert_eq!(
            CommandApdu::new(0, 0xB0, 0, 0)
                .with_ne(65_536)
                .to_bytes()
                .unwrap(),
            h("00B00000000000")
        );
    }

    #[test]
    fn extended_with_data_and_le_uses_two_byte_le_without_leading_zero() {
        let cmd = CommandApdu::new(0x0C, 0xB0, 0, 0)
            .with_data(vec![1; 300])
            .with_ne(65_536);
        let b = cmd.to_bytes().unwrap();
        assert_eq!(&b[4..7], &[0, 0x01, 0x2C]);
        assert_eq!(&b[b.len() - 2..], &[0, 0]);
        assert_eq!(b.len(), 4 + 3 + 300 + 2);
        assert_eq!(CommandApdu::parse(&b).unwrap(), cmd);
    }

    #[test]
    fn forced_extended_encoding_of_a_small_command() {
        let cmd = CommandApdu::new(0x0C, 0xB0, 0, 0)
            .with_data(vec![9; 3])
            .with_ne(65_536);
        assert_eq!(
            cmd.encode(true).unwrap(),
            h("0CB0000000000309090900 00".replace(' ', "").as_str())
        );
    }

    #[test]
    fn invalid_ne_and_oversized_data_are_typed_errors() {
        assert_eq!(
            CommandApdu::new(0, 0, 0, 0).with_ne(0).to_bytes(),
            Err(ApduError::InvalidNe)
        );
        assert_eq!(
            CommandApdu::new(0, 0, 0, 0).with_ne(65_537).to_bytes(),
            Err(ApduError::InvalidNe)
        );
        let big = CommandApdu::new(0, 0, 0, 0).with_data(vec![0; 65_536]);
        assert_eq!(big.to_bytes(), Err(ApduError::DataTooLong));
    }

    #[test]
    fn command_parse_round_trips_short_forms() {
        for hexs in [
            "00840000",
            "0084000008",
            "00A4020C02011E",
            "00B0000000",
            "00A4020C02011E00",
        ] {
            let b = h(hexs);
            assert_eq!(
                CommandApdu::parse(&b).unwrap().to_bytes().unwrap(),
                b,
                "{hexs}"
            );
        }
        assert_eq!(
            CommandApdu::parse(&h("00A4020C05011E")),
            Err(ApduError::MalformedCommand)
        );
    }

    #[test]
    fn response_splits_status_word_and_classifies_it() {
        let r = ResponseApdu::parse(&h("60149000")).unwrap();
        assert_eq!(
            (r.data.as_slice(), r.sw),
            (&[0x60u8, 0x14][..], StatusWord::SUCCESS)
        );
        assert_eq!(
            ResponseApdu::parse(&[0x90]),
            Err(ApduError::ResponseTooShort)
        );
        assert_eq!(StatusWord(0x6282).classify(), StatusClass::EndOfFile);
        assert_eq!(StatusWord(0x6C10).classify(), StatusClass::WrongLe(0x10));
        assert_eq!(
            StatusWord(0x6988).classify(),
            StatusClass::SecureMessagingError
        );
        assert_eq!(StatusWord(0x6A82).classify(), StatusClass::FileNotFound);
        assert_eq!(StatusWord(0x6B00).classify(), StatusClass::WrongParameters);
        assert_eq!(format!("{}", StatusWord(0x6982)), "6982");
    }

    #[test]
    fn response_debug_hides_data() {
        let r = ResponseApdu::new(b"NGUYEN".to_vec(), StatusWord::SUCCESS);
        assert!(!format!("{r:?}").contains("78"));
    }
}
