#![no_main]
use libfuzzer_sys::fuzz_target;
use vneid_emrtd::apdu::ResponseApdu;
use vneid_emrtd::kdf::SecretKey;
use vneid_emrtd::sm::{SecureMessaging, SmCipher};

fuzz_target!(|data: &[u8]| {
    // The first byte picks the cipher suite; the rest is the card's response.
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let cipher = if sel & 1 == 0 {
        SmCipher::Tdes
    } else {
        SmCipher::Aes
    };
    let Ok(mut sm) = SecureMessaging::new(
        cipher,
        SecretKey::new(vec![0x11; 16]),
        SecretKey::new(vec![0x22; 16]),
        &vec![0u8; cipher.block_size()],
    ) else {
        return;
    };
    if let Ok(r) = ResponseApdu::parse(rest) {
        let _ = sm.unwrap(&r);
    }
});
