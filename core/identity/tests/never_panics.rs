//! Every parser must return an error, never panic, whatever bytes it is fed: inputs come from
//! QR codes, NFC chips and keyboards. No fuzzing crate is allowed, so this walks a
//! deterministic mix of exhaustive short inputs, pseudo-random inputs up to 20 bytes and
//! one-byte mutations of valid values, and also checks that whatever parses re-parses equal.

use std::panic::{AssertUnwindSafe, catch_unwind};

use vneid_identity::{
    CalendarDate, Email, PersonalIdNumber, PhoneNumber, Sex, check_passcode_rules,
    is_valid_old_id_number, province_by_code,
};

/// Bytes the parsers treat specially, plus UTF-8 lead/continuation bytes and invalid bytes.
const ALPHABET: &[u8] =
    b"0123456789+-./@() \t\n\r_aZ\x00\x7f\x80\xbf\xc3\xa1\xe1\xbb\xaf\xf0\x9f\xff";

/// xorshift64*: tiny, deterministic, good enough to spread test inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap_or(0)
    }

    fn byte(&mut self) -> u8 {
        // Mostly from the alphabet, sometimes any byte at all.
        if self.below(4) == 0 {
            self.next().to_le_bytes().first().copied().unwrap_or(0)
        } else {
            ALPHABET
                .get(self.below(ALPHABET.len()))
                .copied()
                .unwrap_or(b'0')
        }
    }
}

/// Calls every string-taking entry point and checks round trips of whatever is accepted.
fn exercise(input: &str, rng: &mut Rng) {
    let dob =
        CalendarDate::from_unix_days(i64::try_from(rng.next() % 150_000).unwrap_or(0) - 30_000);

    if let Ok(d) = CalendarDate::parse_iso(input) {
        assert_eq!(CalendarDate::parse_iso(&d.to_iso()), Ok(d));
    }
    if let Ok(d) = CalendarDate::parse_ddmmyyyy(input) {
        assert_eq!(CalendarDate::from_unix_days(d.to_unix_days()), Some(d));
    }
    let _ = input.parse::<CalendarDate>();

    if let Ok(id) = PersonalIdNumber::parse(input) {
        assert_eq!(id.as_str().len(), 12);
        assert_eq!(PersonalIdNumber::parse(id.as_str()).as_ref(), Ok(&id));
        assert_eq!(id.document_number().len(), 9);
        let _ = format!("{id:?}");
    }
    if let Some(dob) = dob {
        let _ = PersonalIdNumber::parse_for_birth_date(input, dob);
        let _ = dob.age_on(dob);
    }
    let sex = match rng.next() % 2 {
        0 => Sex::Male,
        _ => Sex::Female,
    };
    let year = u16::try_from(rng.next() % 3000).unwrap_or(0);
    let serial = u32::try_from(rng.next() % 2_000_000).unwrap_or(0);
    let _ = PersonalIdNumber::compose(input, sex, year, serial);
    let _ = is_valid_old_id_number(input);
    let _ = province_by_code(input);
    let _ = Sex::from_vietnamese_label(input);

    if let Ok(phone) = PhoneNumber::parse(input) {
        assert_eq!(phone.as_e164().len(), 12);
        assert_eq!(PhoneNumber::parse(&phone.national()).as_ref(), Ok(&phone));
        assert_eq!(PhoneNumber::parse(phone.as_e164()).as_ref(), Ok(&phone));
        let _ = (phone.masked(), format!("{phone:?}"));
    }

    if let Ok(email) = Email::parse(input) {
        assert_eq!(Email::parse(email.as_str()).as_ref(), Ok(&email));
        let _ = (email.local_part(), email.domain(), format!("{email:?}"));
    }

    let _ = check_passcode_rules(input, dob);
    let _ = check_passcode_rules(input, None);
}

fn exercise_bytes(bytes: &[u8], rng: &mut Rng) {
    let lossy = String::from_utf8_lossy(bytes);
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        exercise(&lossy, rng);
        if let Ok(exact) = std::str::from_utf8(bytes) {
            exercise(exact, rng);
        }
    }));
    assert!(outcome.is_ok(), "panicked on input {bytes:?}");
}

#[test]
fn all_inputs_up_to_two_alphabet_bytes_never_panic() {
    let mut rng = Rng(0x5EED);
    exercise_bytes(&[], &mut rng);
    for &a in ALPHABET {
        exercise_bytes(&[a], &mut rng);
        for &b in ALPHABET {
            exercise_bytes(&[a, b], &mut rng);
        }
    }
}

#[test]
fn pseudo_random_inputs_up_to_twenty_bytes_never_panic() {
    let mut rng = Rng(0x00C0_FFEE_D00D_F00D);
    for len in 0..=20 {
        for _ in 0..3_000 {
            let bytes: Vec<u8> = (0..len).map(|_| rng.byte()).collect();
            exercise_bytes(&bytes, &mut rng);
        }
    }
}

#[test]
fn single_byte_mutations_of_valid_values_never_panic() {
    let seeds: [&[u8]; 10] = [
        b"079303012345",
        b"001085000001",
        b"+84 912 345 678",
        b"0912.345.678",
        b"nguyen.van.a@example.com.vn",
        b"1995-07-02",
        b"02/07/1995",
        b"02071995",
        b"274913",
        "Nữ".as_bytes(),
    ];
    let mut rng = Rng(0xDEAD_BEEF);
    for seed in seeds {
        for at in 0..=seed.len() {
            for &b in ALPHABET {
                let mut replaced = seed.to_vec();
                if let Some(slot) = replaced.get_mut(at) {
                    *slot = b;
                }
                exercise_bytes(&replaced, &mut rng);

                let mut inserted = seed.to_vec();
                inserted.insert(at, b);
                exercise_bytes(&inserted, &mut rng);
            }
            let mut removed = seed.to_vec();
            if at < removed.len() {
                removed.remove(at);
            }
            exercise_bytes(&removed, &mut rng);
        }
    }
}

#[test]
fn numeric_constructors_never_panic_at_extremes() {
    for year in [0, 1, 1899, 1900, 2299, 2300, u16::MAX] {
        for month in [0, 1, 2, 12, 13, u8::MAX] {
            for day in [0, 1, 28, 29, 30, 31, 32, u8::MAX] {
                if let Ok(d) = CalendarDate::new(year, month, day) {
                    assert_eq!(CalendarDate::from_unix_days(d.to_unix_days()), Some(d));
                }
            }
        }
    }
    for days in [
        i64::MIN,
        i64::MIN + 1,
        -1_000_000,
        -25_568,
        -25_567,
        0,
        200_000,
        i64::MAX,
    ] {
        let _ = CalendarDate::from_unix_days(days);
    }
    for year in [0, 1899, 1900, 2399, 2400, u16::MAX] {
        for serial in [0, 999_999, 1_000_000, u32::MAX] {
            for sex in [Sex::Male, Sex::Female] {
                let _ = PersonalIdNumber::compose("001", sex, year, serial);
            }
        }
    }
}
