#![no_main]
use libfuzzer_sys::fuzz_target;
use vneid_emrtd::mrz::{MrzKey, Td1Mrz};

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = Td1Mrz::parse(&String::from_utf8_lossy(data)) {
        let _ = m.cccd_id_number();
        let _ = MrzKey::from_td1(&m).mrz_information();
    }
});
