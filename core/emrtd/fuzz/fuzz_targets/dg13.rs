#![no_main]
use libfuzzer_sys::fuzz_target;
use vneid_emrtd::lds::Dg13;

fuzz_target!(|data: &[u8]| {
    let _ = Dg13::parse(data);
});
