//! Cancelling a chip read from the foreign side: by `ChipReader.cancel()` or by dropping the
//! read's future (what Kotlin coroutine cancellation does). Either way the read must stop
//! before its next APDU and the phone's NFC transport must go quiet.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use vneid_chip::{CardConfig, Citizen, TransportError, VirtualCard};
use vneid_ffi::{CardAccessKey, ChipReader, NfcError, NfcTransport};

/// A slow link to the virtual card that counts the APDUs it carries.
struct SlowCard {
    card: Mutex<VirtualCard>,
    apdus: AtomicUsize,
}

impl NfcTransport for SlowCard {
    fn transceive(&self, apdu: Vec<u8>) -> Result<Vec<u8>, NfcError> {
        self.apdus.fetch_add(1, Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(15));
        self.card
            .lock()
            .unwrap()
            .transceive(&apdu)
            .map_err(|e| match e {
                TransportError::TagLost => NfcError::TagLost,
                TransportError::Timeout => NfcError::Timeout,
                TransportError::Other(reason) => NfcError::Other { reason },
            })
    }

    fn max_transceive_length(&self) -> u32 {
        65_536
    }
}

fn setup() -> (Arc<ChipReader>, Arc<SlowCard>, CardAccessKey) {
    let citizen = Citizen::by_id("001090123456").unwrap();
    let card = VirtualCard::new(citizen, CardConfig::default()).unwrap();
    let csca = vneid_chip::Pki::get(CardConfig::default().algorithm).csca_pem();
    let reader = ChipReader::new(vec![csca.into_bytes()]).unwrap();
    let key = CardAccessKey {
        id_number: String::new(),
        date_of_birth: String::new(),
        date_of_expiry: String::new(),
        document_number: None,
        can: Some(citizen.can()),
        mrz: None,
    };
    let link = Arc::new(SlowCard {
        card: Mutex::new(card),
        apdus: AtomicUsize::new(0),
    });
    (reader, link, key)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Waits until the link has carried `n` APDUs.
fn wait_for(link: &SlowCard, n: usize) {
    for _ in 0..400 {
        if link.apdus.load(Ordering::SeqCst) >= n {
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!("the read never reached {n} APDUs");
}

#[test]
fn a_dropped_read_future_stops_the_read_before_its_next_apdu() {
    let rt = runtime();
    let (reader, link, key) = setup();
    let transport: Arc<dyn NfcTransport> = link.clone();
    let task = rt.spawn(reader.read(key, transport, None, None));
    wait_for(&link, 5);
    task.abort();
    let at_abort = link.apdus.load(Ordering::SeqCst);
    std::thread::sleep(Duration::from_millis(300));
    let after = link.apdus.load(Ordering::SeqCst);
    // A full read is 33 APDUs; at most the one in flight may finish after the drop.
    assert!(
        after <= at_abort + 1,
        "the read went on after its future was dropped: {at_abort} -> {after} APDUs"
    );
}

#[test]
fn cancel_stops_the_read_in_progress_and_the_next_read_is_not_affected() {
    let rt = runtime();
    let (reader, link, key) = setup();
    let transport: Arc<dyn NfcTransport> = link.clone();
    let task = rt.spawn(Arc::clone(&reader).read(key.clone(), transport, None, None));
    wait_for(&link, 5);
    reader.cancel();
    let err = rt.block_on(task).unwrap().unwrap_err();
    assert!(
        matches!(err, vneid_ffi::VneidError::Cancelled { .. }),
        "{err:?}"
    );

    // The cancelled read leaves nothing behind: a new read of a fresh card completes.
    let (_, fresh, _) = setup();
    let transport: Arc<dyn NfcTransport> = fresh.clone();
    let identity = rt
        .block_on(Arc::clone(&reader).read(key, transport, None, None))
        .unwrap();
    assert_eq!(identity.id_number.as_deref(), Some("001090123456"));
}
