//! Explicit EC domain parameters recognised as the named curve they spell out.
//!
//! Many document-signer and CSCA certificates (and some DG14 chip-authentication keys) carry
//! the curve as explicit `ECParameters` (RFC 3279 §2.3.5) instead of a named-curve OID. The
//! parameters are matched field by field (p, a, b, G, n) against the curves this crate
//! verifies on; the reference values come from the RustCrypto curve crates themselves, so no
//! constant is typed by hand. Anything that does not match exactly stays unsupported: a
//! signature is never checked under parameters we did not recognise in full.

use crate::ec::EcDomain;
use crate::tlv::Tlv;
use ecc::sec1::ToSec1Point;
use ecc::{Field, Group, PrimeField, Scalar};

/// Big-endian bytes of a field element or scalar representation.
fn bytes<R: AsRef<[u8]>>(repr: R) -> Vec<u8> {
    repr.as_ref().to_vec()
}
use p256::elliptic_curve as ecc;
use primeorder::PrimeCurveParams;

/// `id-fieldType prime-field` (1.2.840.10045.1.1), DER content bytes.
const PRIME_FIELD_OID: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x01, 0x01];

/// The domain parameters of a curve, as unsigned big-endian integers (p, n without leading
/// zeros; a, b as field-size octet strings; G as an uncompressed SEC1 point).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Domain {
    p: Vec<u8>,
    a: Vec<u8>,
    b: Vec<u8>,
    g: Vec<u8>,
    n: Vec<u8>,
}

/// The named curve whose parameters `params` (a DER `ECParameters` SEQUENCE) spell out, or
/// `None` when they are malformed or match no supported curve.
pub fn named_curve(params: &[u8]) -> Option<EcDomain> {
    let parsed = parse(params)?;
    ALL.into_iter().find(|d| reference(*d) == parsed)
}

const ALL: [EcDomain; 4] = [
    EcDomain::P256,
    EcDomain::BrainpoolP256r1,
    EcDomain::P384,
    EcDomain::BrainpoolP384r1,
];

fn reference(domain: EcDomain) -> Domain {
    match domain {
        EcDomain::P256 => domain_of::<p256::NistP256>(),
        EcDomain::BrainpoolP256r1 => domain_of::<bp256::BrainpoolP256r1>(),
        EcDomain::P384 => domain_of::<p384::NistP384>(),
        EcDomain::BrainpoolP384r1 => domain_of::<bp384::BrainpoolP384r1>(),
    }
}

fn domain_of<C: PrimeCurveParams>() -> Domain
where
    ecc::AffinePoint<C>: ToSec1Point<C>,
{
    let field_max = (-<C::FieldElement as Field>::ONE).to_repr();
    let order_max = (-<Scalar<C> as Field>::ONE).to_repr();
    Domain {
        p: plus_one(&bytes(field_max)),
        a: bytes(C::EQUATION_A.to_repr()),
        b: bytes(C::EQUATION_B.to_repr()),
        g: C::ProjectivePoint::generator()
            .to_affine()
            .to_sec1_point(false)
            .as_bytes()
            .to_vec(),
        n: plus_one(&bytes(order_max)),
    }
}

/// `x + 1` for a big-endian unsigned integer, without leading zeros (p − 1 → p, n − 1 → n).
fn plus_one(x: &[u8]) -> Vec<u8> {
    let mut out = x.to_vec();
    let mut carry = true;
    for byte in out.iter_mut().rev() {
        if !carry {
            break;
        }
        let (v, overflow) = byte.overflowing_add(1);
        *byte = v;
        carry = overflow;
    }
    if carry {
        out.insert(0, 1);
    }
    strip(&out).to_vec()
}

fn strip(int: &[u8]) -> &[u8] {
    let zeros = int.iter().take_while(|b| **b == 0).count();
    int.get(zeros..).unwrap_or_default()
}

/// `ECParameters ::= SEQUENCE { version INTEGER (1), fieldID FieldID, curve Curve,
/// base ECPoint, order INTEGER, cofactor INTEGER OPTIONAL }`; `Curve` may end with a seed,
/// which does not take part in the match.
fn parse(params: &[u8]) -> Option<Domain> {
    let seq = Tlv::parse_exact(params).ok()?;
    if seq.tag != 0x30 {
        return None;
    }
    let mut it = seq.children();
    let mut next = |tag: u32| -> Option<Tlv<'_>> {
        let t = it.next()?.ok()?;
        (t.tag == tag).then_some(t)
    };
    if strip(next(0x02)?.value) != [1] {
        return None;
    }
    let field = next(0x30)?.children().collect::<Result<Vec<_>, _>>().ok()?;
    let curve = next(0x30)?.children().collect::<Result<Vec<_>, _>>().ok()?;
    let g = next(0x04)?.value;
    let n = strip(next(0x02)?.value).to_vec();
    // An optional cofactor (1 on every supported curve), then nothing.
    if let Some(h) = it.next() {
        let h = h.ok()?;
        if h.tag != 0x02 || strip(h.value) != [1] || it.next().is_some() {
            return None;
        }
    }

    let [field_type, prime] = field.as_slice() else {
        return None;
    };
    if field_type.tag != 0x06 || field_type.value != PRIME_FIELD_OID || prime.tag != 0x02 {
        return None;
    }
    let (a, b) = match curve.as_slice() {
        [a, b] if a.tag == 0x04 && b.tag == 0x04 => (a.value, b.value),
        [a, b, seed] if a.tag == 0x04 && b.tag == 0x04 && seed.tag == 0x03 => (a.value, b.value),
        _ => return None,
    };
    // Compressed bases are rare in certificates and would need the curve's square root to
    // compare; they stay unrecognised.
    if g.first() != Some(&0x04) {
        return None;
    }
    Some(Domain {
        p: strip(prime.value).to_vec(),
        a: a.to_vec(),
        b: b.to_vec(),
        g: g.to_vec(),
        n,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// `openssl ecparam -name prime256v1 -param_enc explicit -outform DER` (OpenSSL 3.0).
    const P256_EXPLICIT: &str = include_str!("../tests/data/p256-explicit.hex");
    /// `openssl ecparam -name brainpoolP384r1 -param_enc explicit -outform DER`.
    const BP384_EXPLICIT: &str = include_str!("../tests/data/bp384-explicit.hex");

    #[test]
    fn reference_values_are_the_published_ones_for_p256() {
        let d = reference(EcDomain::P256);
        assert_eq!(
            d.p,
            hex("FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF")
        );
        assert_eq!(
            d.n,
            hex("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551")
        );
        assert_eq!(d.g.len(), 65);
    }

    #[test]
    fn openssl_explicit_parameters_are_recognised() {
        assert_eq!(
            named_curve(&hex(P256_EXPLICIT.trim())),
            Some(EcDomain::P256)
        );
        assert_eq!(
            named_curve(&hex(BP384_EXPLICIT.trim())),
            Some(EcDomain::BrainpoolP384r1)
        );
    }

    #[test]
    fn a_changed_parameter_or_truncation_is_not_recognised() {
        let good = hex(P256_EXPLICIT.trim());
        // The X9.62 seed of P-256 (and its unused-bits byte) is not compared.
        let seed = hex("C49D360886E704936A6678E1139D26B7819F7E90");
        let at = good.windows(seed.len()).position(|w| w == seed).unwrap();
        for i in 0..good.len() {
            let mut bad = good.clone();
            bad[i] ^= 0x01;
            if (at - 1..at + seed.len()).contains(&i) {
                continue;
            }
            assert_eq!(named_curve(&bad), None, "byte {i}");
        }
        for len in 0..good.len() {
            assert_eq!(named_curve(&good[..len]), None, "length {len}");
        }
    }

    /// Keys with explicit parameters and their signatures, made with
    /// `openssl ecparam -name NAME -param_enc explicit -genkey` and `openssl dgst -sign`.
    #[test]
    fn a_key_with_explicit_parameters_verifies_signatures_as_its_named_curve() {
        use crate::pa::sig::{Curve, HashAlgorithm, PublicKey, SigError, SignatureScheme, verify};
        let msg = b"vneid explicit-parameter test message";
        for (data, curve, hash) in [
            (
                include_str!("../tests/data/p256-explicit-key-sig.hex"),
                Curve::P256,
                HashAlgorithm::Sha256,
            ),
            (
                include_str!("../tests/data/bp384-explicit-key-sig.hex"),
                Curve::BrainpoolP384r1,
                HashAlgorithm::Sha384,
            ),
        ] {
            let mut lines = data.lines();
            let spki = hex(lines.next().unwrap());
            let sig = hex(lines.next().unwrap());
            let key = PublicKey::from_spki_der(&spki).unwrap();
            assert!(matches!(&key, PublicKey::Ec { curve: c, .. } if *c == curve));
            verify(&key, SignatureScheme::Ecdsa(hash), msg, &sig).unwrap();
            assert_eq!(
                verify(&key, SignatureScheme::Ecdsa(hash), b"another message", &sig),
                Err(SigError::Invalid)
            );
        }
    }
}
