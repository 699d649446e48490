#![no_main]
use libfuzzer_sys::fuzz_target;
use vneid_emrtd::dg2::Dg2;
use vneid_emrtd::security_info::{Dg14, Dg15};

fuzz_target!(|data: &[u8]| {
    let _ = Dg2::parse(data);
    let _ = Dg14::parse(data);
    let _ = Dg15::parse(data);
});
