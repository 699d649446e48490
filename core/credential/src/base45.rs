//! Base45 (RFC 9285), written here rather than taken from a crate.
//!
//! Why our own: the encoding is twenty lines, the available crate needs a newer
//! compiler than the workspace's `rust-version`, and the decoder sits on the
//! untrusted-input path, so we want to see every branch (no panics, no
//! indexing, a length bound before any allocation). It is a text encoding,
//! not cryptography; the tests below check it exhaustively over all one- and
//! two-byte inputs and against the RFC's examples.
//!
//! Base45 matters because its alphabet is exactly the QR alphanumeric set
//! (5.5 bits per character), so a Base45 payload is stored by the QR code at
//! 11 bits per 2 characters, about 8.25 bits per input byte instead of 8 bits
//! in byte mode plus the cost of base64's 4/3 expansion.

use thiserror::Error;

/// The 45 characters, in value order (RFC 9285 table 1).
const ALPHABET: &[u8; 45] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/// Why a Base45 string did not decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum Base45Error {
    /// A character outside the 45-character alphabet (lower case included).
    #[error("character outside the Base45 alphabet")]
    BadCharacter,
    /// A length of 1 modulo 3: no encoder produces it.
    #[error("impossible Base45 length")]
    BadLength,
    /// A triple or pair whose value does not fit its bytes (RFC 9285 section 6).
    #[error("Base45 group out of range")]
    OutOfRange,
    /// Longer than the caller's bound.
    #[error("Base45 input too long")]
    TooLong,
}

/// The number of characters `n` bytes encode to.
pub const fn encoded_len(n: usize) -> usize {
    n / 2 * 3 + (n % 2) * 2
}

/// Encodes bytes as Base45.
pub fn encode(input: &[u8]) -> String {
    let mut out = String::with_capacity(encoded_len(input.len()));
    let push = |out: &mut String, v: u32| {
        // `v % 45` is always < 45; `get` keeps the lint quiet without a panic path.
        if let Some(&c) = ALPHABET.get((v % 45) as usize) {
            out.push(c as char);
        }
    };
    let mut chunks = input.chunks_exact(2);
    for pair in &mut chunks {
        if let [a, b] = pair {
            let n = u32::from(*a) * 256 + u32::from(*b);
            push(&mut out, n);
            push(&mut out, n / 45);
            push(&mut out, n / (45 * 45));
        }
    }
    if let [a] = chunks.remainder() {
        let n = u32::from(*a);
        push(&mut out, n);
        push(&mut out, n / 45);
    }
    out
}

fn value(c: u8) -> Result<u32, Base45Error> {
    match c {
        b'0'..=b'9' => Ok(u32::from(c - b'0')),
        b'A'..=b'Z' => Ok(u32::from(c - b'A') + 10),
        b' ' => Ok(36),
        b'$' => Ok(37),
        b'%' => Ok(38),
        b'*' => Ok(39),
        b'+' => Ok(40),
        b'-' => Ok(41),
        b'.' => Ok(42),
        b'/' => Ok(43),
        b':' => Ok(44),
        _ => Err(Base45Error::BadCharacter),
    }
}

/// Decodes Base45, refusing inputs longer than `max_chars` before allocating.
pub fn decode(input: &str, max_chars: usize) -> Result<Vec<u8>, Base45Error> {
    let bytes = input.as_bytes();
    if bytes.len() > max_chars {
        return Err(Base45Error::TooLong);
    }
    if bytes.len() % 3 == 1 {
        return Err(Base45Error::BadLength);
    }
    let mut out = Vec::with_capacity(bytes.len() / 3 * 2 + 1);
    let mut chunks = bytes.chunks_exact(3);
    for triple in &mut chunks {
        if let [c, d, e] = triple {
            let n = value(*c)? + value(*d)? * 45 + value(*e)? * 45 * 45;
            if n > 0xFFFF {
                return Err(Base45Error::OutOfRange);
            }
            out.push((n >> 8) as u8);
            out.push((n & 0xFF) as u8);
        }
    }
    if let [c, d] = chunks.remainder() {
        let n = value(*c)? + value(*d)? * 45;
        if n > 0xFF {
            return Err(Base45Error::OutOfRange);
        }
        out.push(n as u8);
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn rfc_9285_examples() {
        assert_eq!(encode(b"AB"), "BB8");
        assert_eq!(encode(b"Hello!!"), "%69 VD92EX0");
        assert_eq!(encode(b"base-45"), "UJCLQE7W581");
        assert_eq!(decode("QED8WEX0", 100).unwrap(), b"ietf!");
        assert_eq!(decode("GGW", 100), Err(Base45Error::OutOfRange));
        assert_eq!(encode(b""), "");
        assert_eq!(decode("", 0).unwrap(), b"");
    }

    #[test]
    fn every_single_byte_and_every_pair_round_trips() {
        for a in 0..=255u8 {
            let e = encode(&[a]);
            assert_eq!(e.len(), 2);
            assert_eq!(decode(&e, 2).unwrap(), vec![a]);
            for b in 0..=255u8 {
                let e = encode(&[a, b]);
                assert_eq!(e.len(), 3);
                assert_eq!(decode(&e, 3).unwrap(), vec![a, b]);
            }
        }
    }

    #[test]
    fn every_character_triple_either_decodes_canonically_or_is_refused() {
        // All 45^3 triples and 45^2 pairs: a decoded group re-encodes to itself.
        for &x in ALPHABET {
            for &y in ALPHABET {
                let s2 = String::from_utf8(vec![x, y]).unwrap();
                if let Ok(v) = decode(&s2, 2) {
                    assert_eq!(encode(&v), s2);
                }
                for &z in ALPHABET {
                    let s3 = String::from_utf8(vec![x, y, z]).unwrap();
                    match decode(&s3, 3) {
                        Ok(v) => assert_eq!(encode(&v), s3),
                        Err(e) => assert_eq!(e, Base45Error::OutOfRange),
                    }
                }
            }
        }
    }

    #[test]
    fn bad_characters_lengths_and_bounds_are_refused() {
        assert_eq!(decode("abc", 10), Err(Base45Error::BadCharacter));
        assert_eq!(decode("A", 10), Err(Base45Error::BadLength));
        assert_eq!(decode("AAAA", 10), Err(Base45Error::BadLength));
        assert_eq!(decode("AAAAAA", 5), Err(Base45Error::TooLong));
        assert_eq!(decode("ÀÀÀ", 10), Err(Base45Error::BadCharacter));
        for b in 0..=255u8 {
            if !ALPHABET.contains(&b) && b.is_ascii() {
                let s = String::from_utf8(vec![b'0', b'0', b]).unwrap();
                assert_eq!(decode(&s, 3), Err(Base45Error::BadCharacter));
            }
        }
    }

    #[test]
    fn long_random_like_input_round_trips_with_predicted_length() {
        let data: Vec<u8> = (0..1001u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
            .collect();
        let e = encode(&data);
        assert_eq!(e.len(), encoded_len(data.len()));
        assert_eq!(decode(&e, e.len()).unwrap(), data);
    }
}
