#![no_main]
use libfuzzer_sys::fuzz_target;
use vneid_emrtd::aa;
use vneid_emrtd::ca::CaParams;
use vneid_emrtd::security_info::{Dg14, Dg15};

// DG14 (chip authentication key and algorithm) and DG15 with an INTERNAL AUTHENTICATE answer:
// the input is split at its first byte; the second part is DG15 followed by the signature.
fuzz_target!(|data: &[u8]| {
    let Some((&split, rest)) = data.split_first() else {
        return;
    };
    let (dg14, rest) = rest.split_at(usize::from(split).min(rest.len()));
    let dg14 = Dg14::parse(dg14).ok();
    if let Some(d) = &dg14 {
        let _ = CaParams::from_dg14(d);
    }
    let Some((&split, rest)) = rest.split_first() else {
        return;
    };
    let (dg15, signature) = rest.split_at(usize::from(split).min(rest.len()));
    if let Ok(dg15) = Dg15::parse(dg15) {
        let _ = aa::verify(&dg15, dg14.as_ref(), b"challeng", signature);
    }
});
