#![no_main]
//! The wallet's parser of verifier request QRs.
use libfuzzer_sys::fuzz_target;
use vneid_credential::request::verify_request;
use vneid_credential_fuzz::{NOW, world};

fuzz_target!(|data: &[u8]| {
    let w = world();
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = verify_request(text, &w.trust, &w.registry, NOW, 300);
    }
});
