#![no_main]
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;
use vneid_emrtd::pa::{self, Sod, TrustStore};

fuzz_target!(|data: &[u8]| {
    if let Ok(sod) = Sod::parse(data) {
        let dgs = BTreeMap::from([(1u8, vec![0x61, 0x00])]);
        let report = pa::verify(&sod, &dgs, &TrustStore::new(), 1_780_272_000);
        let _ = report.is_valid();
    }
    let _ = pa::Cert::from_der(data);
    let _ = pa::Crl::from_der(data);
    let _ = TrustStore::new().add_master_list(data, 0);
});
