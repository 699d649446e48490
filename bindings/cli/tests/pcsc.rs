//! `vneid read-card --pcsc` end to end through a real pcscd: the virtual card is inserted into
//! vsmartcard's vpcd reader driver by `vneid vpcd-card` (TCP), pcscd drives the driver, and
//! the CLI reads through libpcsclite like at a bank counter.
//!
//! Needs pcscd and vsmartcard-vpcd (tests/setup-system.sh installs them). The test starts its
//! own pcscd in the foreground with its own reader configuration on a free port; pcscd has a
//! single fixed socket (/run/pcscd), so if one is already running (systemd) the test uses it
//! with Debian's vpcd configuration (port 35963) instead. A file lock serialises test runs.
#![cfg(feature = "pcsc")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

const PCSCD_SOCKET: &str = "/run/pcscd/pcscd.comm";
const VPCD_DRIVER: &str = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so";
const DEBIAN_VPCD_PORT: u16 = 0x8C7B;

fn vneid() -> Command {
    Command::new(env!("CARGO_BIN_EXE_vneid"))
}

/// Ends a child on drop; pcscd gets SIGTERM so it removes its socket.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        for _ in 0..50 {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Two consecutive free loopback ports (the vpcd driver opens one per slot).
fn free_port_pair() -> u16 {
    for _ in 0..50 {
        let a = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = a.local_addr().unwrap().port();
        if port < u16::MAX && TcpListener::bind(("127.0.0.1", port + 1)).is_ok() {
            return port;
        }
    }
    panic!("no free port pair");
}

/// A running pcscd with a vpcd reader on the returned port.
struct Daemon {
    _own: Option<Killed>,
    port: u16,
    _dir: tempfile::TempDir,
}

fn start_pcscd() -> Daemon {
    assert!(
        Path::new(VPCD_DRIVER).exists(),
        "vsmartcard-vpcd is not installed (bash tests/setup-system.sh)"
    );
    let dir = tempfile::tempdir().unwrap();
    // A socket nobody answers on is left over from a killed pcscd: pcscd refuses to start
    // while it exists.
    if Path::new(PCSCD_SOCKET).exists()
        && std::os::unix::net::UnixStream::connect(PCSCD_SOCKET).is_err()
    {
        let _ = std::fs::remove_file(PCSCD_SOCKET);
    }
    if Path::new(PCSCD_SOCKET).exists() {
        return Daemon {
            _own: None,
            port: DEBIAN_VPCD_PORT,
            _dir: dir,
        };
    }
    let port = free_port_pair();
    let conf = dir.path().join("conf");
    std::fs::create_dir(&conf).unwrap();
    std::fs::write(
        conf.join("vpcd"),
        format!(
            "FRIENDLYNAME \"Virtual PCD\"\nDEVICENAME /dev/null:0x{port:04X}\nLIBPATH {VPCD_DRIVER}\nCHANNELID 0x{port:04X}\n"
        ),
    )
    .unwrap();
    let log = std::fs::File::create(dir.path().join("pcscd.log")).unwrap();
    let child = Command::new("pcscd")
        .args(["--foreground", "--config"])
        .arg(&conf)
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .expect("pcscd runs (bash tests/setup-system.sh installs it)");
    let own = Killed(child);
    for _ in 0..100 {
        if Path::new(PCSCD_SOCKET).exists() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(Path::new(PCSCD_SOCKET).exists(), "pcscd did not start");
    Daemon {
        _own: Some(own),
        port,
        _dir: dir,
    }
}

fn insert_card(port: u16, extra: &[&str]) -> Killed {
    Killed(
        vneid()
            .args([
                "vpcd-card",
                "--virtual",
                "001090123456",
                "--port",
                &port.to_string(),
            ])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    )
}

fn read_card(extra: &[&str]) -> Output {
    vneid()
        .args([
            "read-card",
            "--pcsc",
            "--id-number",
            "001090123456",
            "--date-of-birth",
            "900315",
            "--json",
            "--wait",
            "20",
        ])
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn a_card_in_a_pcsc_reader_is_read_and_verified_through_pcscd() {
    let lock = std::fs::File::create(std::env::temp_dir().join("vneid-pcscd-test.lock")).unwrap();
    lock.lock().unwrap();
    let daemon = start_pcscd();

    // The vpcd driver offers two slots (its port and the next): a genuine card in the first,
    // a card whose DG13 was altered after signing in the second.
    let _genuine = insert_card(daemon.port, &[]);
    let _tampered = insert_card(daemon.port + 1, &["--tamper-dg", "13"]);

    // The genuine card: every check passes, the identity comes out as JSON.
    let out = read_card(&[
        "--reader",
        "Virtual PCD 00 00",
        "--date-of-expiry",
        "300315",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["id_number"], "001090123456");
    assert_eq!(v["full_name"], "Nguyễn Văn An");
    assert_eq!(v["passive_authentication"]["valid"], true);
    assert_eq!(v["passive_authentication"]["checks"]["DG2"], "hash matches");
    assert!(v["face_bytes"].as_u64().unwrap() > 1000);
    assert!(v["apdus"].as_u64().unwrap() > 5);
    // A real reader has no simulated link time.
    assert!(v["simulated_ms"].is_null());

    // Wrong printed dates: the chip refuses BAC and the CLI says so.
    let out = read_card(&[
        "--reader",
        "Virtual PCD 00 00",
        "--date-of-expiry",
        "300316",
    ]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("rejected the access key"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The altered card: read, but REJECTed with a failure status.
    let out = read_card(&["--reader", "00 01", "--date-of-expiry", "300315"]);
    assert!(!out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(v["passive_authentication"]["valid"], false);
    assert_eq!(
        v["passive_authentication"]["checks"]["DG13"],
        "HASH MISMATCH (altered)"
    );
}
