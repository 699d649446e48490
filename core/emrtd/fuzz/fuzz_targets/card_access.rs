#![no_main]
use libfuzzer_sys::fuzz_target;
use vneid_emrtd::pace::{PaceParams, parse_card_access};

// EF.CardAccess is read in the clear before any authentication: anyone can present one.
fuzz_target!(|data: &[u8]| {
    if let Ok(infos) = parse_card_access(data) {
        let _ = PaceParams::choose(&infos);
    }
});
