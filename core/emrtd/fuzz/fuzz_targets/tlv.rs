#![no_main]
use libfuzzer_sys::fuzz_target;
use vneid_emrtd::tlv;

fuzz_target!(|data: &[u8]| {
    let _ = tlv::parse_header(data);
    let _ = tlv::parse_tree(data, tlv::MAX_DEPTH);
    for t in tlv::TlvIter::new(data).flatten() {
        let _ = t.find(0x5C);
    }
});
