#![no_main]
use libfuzzer_sys::fuzz_target;
use vneid_emrtd::access::AccessKey;
use vneid_emrtd::apdu::ResponseApdu;
use vneid_emrtd::mrz::MrzKey;
use vneid_emrtd::pace::{Pace, PaceParams, parse_card_access};

/// EF.CardAccess of Doc 9303 Part 11 Appendix H.1 (ECDH-IM, AES-128, brainpoolP256r1).
const CARD_ACCESS_IM: [u8; 22] = [
    0x31, 0x14, 0x30, 0x12, 0x06, 0x0A, 0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x04, 0x04, 0x02,
    0x02, 0x01, 0x02, 0x02, 0x01, 0x0D,
];

/// EF.CardAccess of Doc 9303 Part 11 Appendix G.1 (ECDH-GM, AES-128, brainpoolP256r1).
const CARD_ACCESS: [u8; 22] = [
    0x31, 0x14, 0x30, 0x12, 0x06, 0x0A, 0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x04, 0x02, 0x02,
    0x02, 0x01, 0x02, 0x02, 0x01, 0x0D,
];

// The chip's General Authenticate answers (nonce, mapping data, ephemeral key, token) are
// attacker-controlled: feed each step a length-prefixed chunk of the input.
fuzz_target!(|data: &[u8]| {
    // The first byte picks the mapping: generic (even) or integrated (odd).
    let Some((&mapping, data)) = data.split_first() else {
        return;
    };
    let card_access = if mapping & 1 == 0 {
        &CARD_ACCESS
    } else {
        &CARD_ACCESS_IM
    };
    let Ok(infos) = parse_card_access(card_access) else {
        return;
    };
    let Some(params) = PaceParams::choose(&infos) else {
        return;
    };
    let Ok(mrz) = MrzKey::new("T22000129", "640812", "101031") else {
        return;
    };
    let Ok(mut pace) = Pace::new(params, &AccessKey::Mrz(mrz)) else {
        return;
    };
    let mut counter = 1u8;
    let mut random = |b: &mut [u8]| {
        counter = counter.wrapping_add(1);
        b.fill(counter);
    };
    let mut rest = data;
    for _ in 0..5 {
        if pace.next_command(&mut random).is_err() {
            return;
        }
        let Some((&len, tail)) = rest.split_first() else {
            return;
        };
        let (chunk, tail) = tail.split_at(usize::from(len).min(tail.len()));
        rest = tail;
        let Ok(resp) = ResponseApdu::parse(chunk) else {
            return;
        };
        match pace.handle_response(&resp) {
            Ok(Some(_)) | Err(_) => return,
            Ok(None) => {}
        }
    }
});
