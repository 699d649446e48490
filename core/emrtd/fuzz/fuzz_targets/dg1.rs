#![no_main]
use libfuzzer_sys::fuzz_target;
use vneid_emrtd::lds::Dg1;

fuzz_target!(|data: &[u8]| {
    if let Ok(d) = Dg1::parse(data) {
        let _ = d.td1();
    }
});
