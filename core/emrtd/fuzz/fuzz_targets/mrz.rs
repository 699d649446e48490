#![no_main]
use libfuzzer_sys::fuzz_target;
use vneid_emrtd::mrz::{Mrz, MrzKey};

// Every MRZ format (TD1, TD2, TD3, visas) and every key form built from text.
fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(m) = Mrz::parse(&text) {
        let _ = m.cccd_id_number();
        let _ = m.document_type();
        let _ = MrzKey::from_mrz(&m).mrz_information();
    }
    if let Ok(k) = MrzKey::from_document_number(&text, "740812", "120415") {
        let _ = k.mrz_information();
    }
});
