//! A virtual ICC for vsmartcard's `vpcd` reader driver: serves a `fixtures/chip` virtual card
//! to a real pcscd, so `vneid read-card --pcsc` runs end to end without hardware.
//!
//! The vpcd driver (loaded by pcscd from a reader.conf entry `DEVICENAME /dev/null:PORT`)
//! listens on TCP `PORT`; the virtual card connects to it. Every message in both directions is
//! a 2-byte big-endian length and a payload. A 1-byte payload from the reader is a control
//! code (0x00 power off, 0x01 power on, 0x02 reset, 0x04 get ATR, answered with the ATR);
//! anything longer is a command APDU, answered with the response APDU.
//!
//! Only the card side lives here (it is a test aid of the CLI, not of the card fixture): the
//! card logic stays in `vneid_chip::VirtualCard`.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};
use vneid_chip::{CardConfig, Citizen, Tamper, TransportError, VirtualCard};

/// ATR of a contactless ISO 14443-4 card as PC/SC part 3 builds it, without historical bytes:
/// TS=3B, T0=80 (TD1, no historical bytes), TD1=80 (TD2, T=0), TD2=01 (T=1), TCK=01.
pub const ATR: [u8; 5] = [0x3B, 0x80, 0x80, 0x01, 0x01];

const POWER_OFF: u8 = 0x00;
const POWER_ON: u8 = 0x01;
const RESET: u8 = 0x02;
const GET_ATR: u8 = 0x04;

/// What one connection carried.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ServeStats {
    pub apdus: usize,
    pub resets: usize,
}

/// Why serving stopped.
#[derive(Debug, thiserror::Error)]
pub enum VpcdError {
    #[error("vpcd connection: {0}")]
    Io(#[from] io::Error),
    #[error("vpcd sent the unknown control code {0:#04x}")]
    UnknownControl(u8),
    #[error("vpcd sent an empty message")]
    Empty,
}

fn read_message(stream: &mut impl Read) -> io::Result<Option<Vec<u8>>> {
    let mut len = [0u8; 2];
    match stream.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    // At most 65535 bytes: the length field bounds the allocation.
    let mut payload = vec![0u8; usize::from(u16::from_be_bytes(len))];
    stream.read_exact(&mut payload)?;
    Ok(Some(payload))
}

fn write_message(stream: &mut impl Write, payload: &[u8]) -> io::Result<()> {
    let len = u16::try_from(payload.len())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "message over 65535 bytes"))?;
    stream.write_all(&len.to_be_bytes())?;
    stream.write_all(payload)?;
    stream.flush()
}

/// Serves `card` on one vpcd connection until the reader side closes it. A lost tag (a fault
/// injected into the card) ends the connection, as a card leaving the field does.
pub fn serve(
    card: &mut VirtualCard,
    stream: &mut (impl Read + Write),
) -> Result<ServeStats, VpcdError> {
    let mut stats = ServeStats::default();
    while let Some(msg) = read_message(stream)? {
        match msg.as_slice() {
            [] => return Err(VpcdError::Empty),
            [POWER_OFF | POWER_ON | RESET] => {
                card.reset();
                stats.resets += 1;
            }
            [GET_ATR] => write_message(stream, &ATR)?,
            [other] => return Err(VpcdError::UnknownControl(*other)),
            apdu => {
                stats.apdus += 1;
                match card.transceive(apdu) {
                    Ok(resp) => write_message(stream, &resp)?,
                    Err(TransportError::TagLost | TransportError::Timeout) => break,
                    Err(TransportError::Other(e)) => {
                        return Err(VpcdError::Io(io::Error::other(e)));
                    }
                }
            }
        }
    }
    Ok(stats)
}

/// Connects to the vpcd driver, retrying until `wait` has passed (pcscd may still be starting).
pub fn connect(host: &str, port: u16, wait: Duration) -> io::Result<TcpStream> {
    let deadline = Instant::now() + wait;
    loop {
        match TcpStream::connect((host, port)) {
            Ok(s) => {
                s.set_nodelay(true)?;
                return Ok(s);
            }
            Err(e) if Instant::now() >= deadline => return Err(e),
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

/// `vneid vpcd-card` (hidden): a test aid for the PC/SC path.
#[derive(clap::Args, Debug)]
pub struct VpcdCardArgs {
    /// The virtual card of this 12-digit ID number (see `read-card --list`).
    #[arg(long = "virtual", value_name = "ID_NUMBER")]
    virtual_card: String,
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// The vpcd driver's port (0x8C7B = 35963 in Debian's /etc/reader.conf.d/vpcd).
    #[arg(long, default_value_t = 35963)]
    port: u16,
    /// Seconds to keep trying to reach the driver.
    #[arg(long, default_value_t = 20)]
    wait: u64,
    /// Flip a byte of this data group after signing (passive authentication must fail).
    #[arg(long)]
    tamper_dg: Option<u8>,
}

pub fn run(args: VpcdCardArgs) -> Result<(), Box<dyn std::error::Error>> {
    let citizen = Citizen::by_id(&args.virtual_card)
        .ok_or("no virtual card for this ID number (see read-card --list)")?;
    let config = CardConfig {
        tamper: args.tamper_dg.map(|data_group| Tamper {
            data_group,
            offset: 40,
        }),
        ..CardConfig::default()
    };
    let mut card = VirtualCard::new(citizen, config)?;
    let mut stream = connect(&args.host, args.port, Duration::from_secs(args.wait))?;
    eprintln!(
        "virtual card {} inserted in the vpcd reader at {}:{}",
        citizen.id_number, args.host, args.port
    );
    let stats = serve(&mut card, &mut stream)?;
    eprintln!(
        "reader closed the connection after {} APDUs, {} resets",
        stats.apdus, stats.resets
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::*;
    use std::net::TcpListener;
    use vneid_emrtd::mrz::{DocumentNumberRule, MrzKey};
    use vneid_emrtd::pa::TrustStore;
    use vneid_emrtd::session::{ChipSession, Transport};

    /// The reader side of the vpcd protocol, as the ifd-vpcd driver speaks it.
    struct VpcdReader(TcpStream);

    impl VpcdReader {
        fn control(&mut self, code: u8) {
            write_message(&mut self.0, &[code]).unwrap();
        }
    }

    impl Transport for VpcdReader {
        fn transceive(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
            write_message(&mut self.0, apdu).map_err(|e| TransportError::Other(e.to_string()))?;
            read_message(&mut self.0)
                .map_err(|e| TransportError::Other(e.to_string()))?
                .ok_or(TransportError::TagLost)
        }
        fn max_transceive_len(&self) -> usize {
            65_546
        }
    }

    fn card_on_socket(config: CardConfig) -> (VpcdReader, std::thread::JoinHandle<ServeStats>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = std::thread::spawn(move || {
            let mut card = VirtualCard::new(Citizen::an(), config).unwrap();
            let mut s = connect("127.0.0.1", port, Duration::from_secs(5)).unwrap();
            serve(&mut card, &mut s).unwrap()
        });
        let (reader, _) = listener.accept().unwrap();
        (VpcdReader(reader), server)
    }

    fn read(reader: &mut VpcdReader) -> vneid_emrtd::session::ChipIdentity {
        let c = Citizen::an();
        let key = MrzKey::from_cccd(
            c.id_number,
            c.date_of_birth,
            c.date_of_expiry,
            &DocumentNumberRule::LastNineDigitsOfIdNumber,
        )
        .unwrap();
        let mut trust = TrustStore::new();
        trust
            .add_csca_pem(
                vneid_pki::Pki::get(vneid_pki::Algorithm::EcdsaP256)
                    .csca_pem()
                    .as_bytes(),
            )
            .unwrap();
        let mut n = 0u8;
        let mut random = |b: &mut [u8]| {
            for x in b {
                n = n.wrapping_add(7);
                *x = n;
            }
        };
        ChipSession::new(&key, &trust, vneid_pki::dates::CHECK_TIME, &mut random)
            .read(reader)
            .unwrap()
    }

    #[test]
    fn a_full_chip_read_runs_over_the_vpcd_framing() {
        let (mut reader, server) = card_on_socket(CardConfig::default());
        reader.control(POWER_ON);
        reader.control(GET_ATR);
        assert_eq!(read_message(&mut reader.0).unwrap().unwrap(), ATR);
        let id = read(&mut reader);
        assert!(id.passive_authentication.is_valid());
        assert_eq!(
            id.dg13.unwrap().id_number.as_deref(),
            Some(Citizen::an().id_number)
        );
        reader.control(POWER_OFF);
        drop(reader);
        let stats = server.join().unwrap();
        assert_eq!(stats.resets, 2);
        assert!(stats.apdus > 5, "{stats:?}");
    }

    #[test]
    fn a_tampered_card_served_over_vpcd_fails_passive_authentication() {
        let (mut reader, server) = card_on_socket(CardConfig {
            tamper: Some(Tamper {
                data_group: 13,
                offset: 40,
            }),
            ..CardConfig::default()
        });
        reader.control(POWER_ON);
        let id = read(&mut reader);
        assert!(!id.passive_authentication.is_valid());
        drop(reader);
        server.join().unwrap();
    }

    #[test]
    fn a_power_off_drops_the_secure_messaging_session() {
        let (mut reader, server) = card_on_socket(CardConfig::default());
        let _ = read(&mut reader);
        reader.control(POWER_OFF);
        // READ BINARY of EF.COM without secure messaging after the reset: 6982 / 6Exx, never data.
        let resp = reader.transceive(&[0x00, 0xB0, 0x9E, 0x00, 0x04]).unwrap();
        assert_ne!(&resp[resp.len() - 2..], &[0x90, 0x00]);
        drop(reader);
        server.join().unwrap();
    }

    #[test]
    fn an_unknown_control_code_ends_serving_with_a_typed_error() {
        let mut card = VirtualCard::for_citizen(Citizen::an()).unwrap();
        let mut wire = std::io::Cursor::new(vec![0x00, 0x01, 0x07]);
        let mut both = ReadWrite(&mut wire, Vec::new());
        assert!(matches!(
            serve(&mut card, &mut both),
            Err(VpcdError::UnknownControl(0x07))
        ));
    }

    struct ReadWrite<'a>(&'a mut std::io::Cursor<Vec<u8>>, Vec<u8>);
    impl Read for ReadWrite<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.0.read(buf)
        }
    }
    impl Write for ReadWrite<'_> {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.1.write(buf)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
}
