#![no_main]
//! The printed chip-card QR parser on arbitrary text: never panics, and whatever it
//! accepts has the shape it promises (6–8 fields, a 12-digit ID number first).
use libfuzzer_sys::fuzz_target;
use vneid_credential::card_qr::{MAX_CARD_QR, parse_card_qr};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(card) = parse_card_qr(&text) {
        assert!(text.len() <= MAX_CARD_QR);
        assert!((6..=8).contains(&card.raw_fields.len()));
        assert_eq!(card.id_number.len(), 12);
        assert!(card.id_number.bytes().all(|b| b.is_ascii_digit()));
    }
});
