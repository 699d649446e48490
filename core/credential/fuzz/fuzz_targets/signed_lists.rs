#![no_main]
//! Trust-list and status-list parsers (first byte selects which).
use libfuzzer_sys::fuzz_target;
use vneid_credential::trust::{FreshnessPolicy, StatusList, TrustList};
use vneid_credential_fuzz::world;

fuzz_target!(|data: &[u8]| {
    let w = world();
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    if sel & 1 == 0 {
        let _ = TrustList::verify(
            rest,
            &[w.anchor.public_key().clone()],
            FreshnessPolicy::default(),
        );
    } else {
        let _ = StatusList::verify(rest, &w.trust);
    }
});
