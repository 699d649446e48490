#![no_main]
//! Structured: the input is a mutation script applied to a valid presentation,
//! so mutations reach past the signatures' structure checks. A changed
//! presentation must never be accepted.
use libfuzzer_sys::fuzz_target;
use vneid_credential::verify::{ReplayCache, Verifier};
use vneid_credential_fuzz::{NOW, without_photo, world};

fuzz_target!(|data: &[u8]| {
    let w = world();
    let Some((&pick, script)) = data.split_first() else {
        return;
    };
    let Some(orig) = w.samples.get(pick as usize % w.samples.len()) else {
        return;
    };
    let mut m = orig.clone();
    for op in script.chunks_exact(3) {
        // 11-bit positions: photo-profile presentations are about 1.3 KB.
        let (pos, val, kind) = (op[0] as usize | ((op[1] as usize & 7) << 8), op[1], op[2]);
        if m.is_empty() {
            break;
        }
        let pos = pos % m.len();
        match kind % 4 {
            0 => m[pos] ^= val,
            1 => m.insert(pos, val),
            2 => {
                m.remove(pos);
            }
            _ => m.truncate(pos),
        }
    }
    let v = Verifier {
        registry: &w.registry,
        trust: &w.trust,
        status: &w.status,
        policy: &w.policy,
    };
    let verdict = v.verify_binary(&m, NOW, &mut ReplayCache::new(4));
    if &m != orig && Some(&m) != without_photo(orig).as_ref() {
        assert!(!verdict.is_accept(), "mutated presentation accepted");
    }
});
