#![no_main]
//! Arbitrary scanner text through the whole verifier.
use libfuzzer_sys::fuzz_target;
use vneid_credential::verify::{ReplayCache, Verifier};
use vneid_credential_fuzz::{NOW, world};

fuzz_target!(|data: &[u8]| {
    let w = world();
    let v = Verifier {
        registry: &w.registry,
        trust: &w.trust,
        status: &w.status,
        policy: &w.policy,
    };
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = v.verify_text(text, NOW, &mut ReplayCache::new(4));
    }
    let _ = v.verify_binary(data, NOW, &mut ReplayCache::new(4));
});
