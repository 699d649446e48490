//! The ECDH integrated mapping of PACE (Doc 9303 Part 11 §4.4.3.3.2 and Appendix B): the
//! mapped generator is `G~ = f_G(R_p(s, t))`, where `R` is the pseudo-random function built
//! from the block cipher (AES-128 here) and `f_G` the point encoding of Appendix B.2 for
//! curves with `p ≡ 3 (mod 4)` and cofactor 1.
//!
//! The field arithmetic is the curve crates' own field type (`ff::Field` operations: add,
//! multiply, square, exponentiate); the reduction of `R` modulo `p` uses `crypto-bigint`.
//! Nothing here is a new primitive: it is the encoding formula of the Doc, evaluated with
//! those operations, and the result is decoded as a SEC1 point (so it is checked on-curve).

use crate::crypto::{self, CryptoError};
use crate::ec::{EcDomain, EcError};
use ecc::bigint::{NonZero, U512};
use ecc::hazmat::FieldArithmetic;
use ecc::sec1::{FromSec1Point, ModulusSize};
use ecc::{AffinePoint, CurveArithmetic, Field, FieldBytesSize, PrimeField};
use p256::elliptic_curve as ecc;
use primeorder::PrimeCurveParams;

/// The constants of `R` for a 128-bit block cipher (Part 11 §4.4.3.3.2).
const C0_128: [u8; 16] = [
    0xa6, 0x68, 0x89, 0x2a, 0x7c, 0x41, 0xe3, 0xca, 0x73, 0x9f, 0x40, 0xb0, 0x57, 0xd8, 0x59, 0x04,
];
const C1_128: [u8; 16] = [
    0xa4, 0xe1, 0x36, 0xac, 0x72, 0x5f, 0x73, 0x8b, 0x01, 0xc1, 0xf6, 0x02, 0x17, 0xc1, 0x88, 0xad,
];

/// Why the integrated mapping failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ImError {
    #[error("nonces must be 16 bytes (AES-128)")]
    NonceLength,
    #[error("cipher: {0}")]
    Crypto(#[from] CryptoError),
    #[error("curve: {0}")]
    Ec(#[from] EcError),
    #[error("the encoding hit a zero denominator")]
    Degenerate,
}

/// `R(s, t)`: AES-128 in the counter-free construction of the Doc, `n` output blocks with
/// `n = ⌈(log2 p + 64) / 128⌉`.
pub fn pseudo_random(s: &[u8], t: &[u8], field_bits: usize) -> Result<Vec<u8>, ImError> {
    if s.len() != 16 || t.len() != 16 {
        return Err(ImError::NonceLength);
    }
    let block = |key: &[u8], data: &[u8; 16]| -> Result<[u8; 16], ImError> {
        Ok(crypto::aes_encrypt_block(key, data)?)
    };
    let mut s_block = [0u8; 16];
    s_block.copy_from_slice(s);
    let n = (field_bits + 64).div_ceil(128);
    let mut key = block(t, &s_block)?;
    let mut out = Vec::with_capacity(n * 16);
    for _ in 0..n {
        let next = block(&key, &C0_128)?;
        out.extend_from_slice(&block(&key, &C1_128)?);
        key = next;
    }
    Ok(out)
}

/// `G~ = f_G(R_p(s, t))` on `domain`, uncompressed.
pub fn map(domain: EcDomain, s: &[u8], t: &[u8]) -> Result<Vec<u8>, ImError> {
    match domain {
        EcDomain::P256 => map_on::<p256::NistP256>(s, t),
        EcDomain::BrainpoolP256r1 => map_on::<bp256::BrainpoolP256r1>(s, t),
        EcDomain::P384 => map_on::<p384::NistP384>(s, t),
        EcDomain::BrainpoolP384r1 => map_on::<bp384::BrainpoolP384r1>(s, t),
    }
}

/// Little-endian 64-bit limbs of a `U512`, for `Field::pow_vartime`.
fn limbs(x: &U512) -> [u64; 8] {
    let encoded = x.to_le_bytes();
    let bytes: &[u8] = encoded.as_ref();
    let mut out = [0u64; 8];
    for (limb, chunk) in out.iter_mut().zip(bytes.chunks_exact(8)) {
        let mut b = [0u8; 8];
        b.copy_from_slice(chunk);
        *limb = u64::from_le_bytes(b);
    }
    out
}

fn to_u512(be: &[u8]) -> Option<U512> {
    let mut buf = [0u8; 64];
    let start = 64usize.checked_sub(be.len())?;
    buf.get_mut(start..)?.copy_from_slice(be);
    Some(U512::from_be_slice(&buf))
}

fn map_on<C>(s: &[u8], t: &[u8]) -> Result<Vec<u8>, ImError>
where
    C: PrimeCurveParams + CurveArithmetic + FieldArithmetic,
    AffinePoint<C>: FromSec1Point<C>,
    FieldBytesSize<C>: ModulusSize,
{
    type Fe<C> = <C as FieldArithmetic>::FieldElement;
    // p − 1 as bytes (big-endian repr), then p.
    let minus_one = (-Fe::<C>::ONE).to_repr();
    let minus_one: &[u8] = minus_one.as_ref();
    let len = minus_one.len();
    let p = to_u512(minus_one)
        .ok_or(ImError::Degenerate)?
        .wrapping_add(&U512::ONE);
    let r = pseudo_random(s, t, len * 8)?;
    let r = to_u512(&r).ok_or(ImError::Degenerate)?;
    let p_nz = Option::<NonZero<U512>>::from(NonZero::new(p)).ok_or(ImError::Degenerate)?;
    let t_int = r.rem_vartime(&p_nz);
    let t_be = t_int.to_be_bytes();
    let t_be: &[u8] = t_be.as_ref();
    let mut repr = <Fe<C> as PrimeField>::Repr::default();
    let dst: &mut [u8] = repr.as_mut();
    dst.copy_from_slice(t_be.get(64 - len..).ok_or(ImError::Degenerate)?);
    let t = Option::<Fe<C>>::from(Fe::<C>::from_repr(repr)).ok_or(ImError::Degenerate)?;

    let a = C::EQUATION_A;
    let b = C::EQUATION_B;
    // Appendix B.2 (affine): α = −t², X2 = −b(1 + α + α²) / (a(α + α²)), X3 = α·X2,
    // h2 = X2³ + a·X2 + b, U = t³·h2, A = h2^(p − 1 − (p + 1)/4); the point is (X2, A·h2)
    // when A²·h2 = 1, otherwise (X3, A·U).
    let alpha = -t.square();
    let alpha_sum = alpha + alpha.square();
    let denominator = Option::<Fe<C>>::from((a * alpha_sum).invert()).ok_or(ImError::Degenerate)?;
    let x2 = -b * (Fe::<C>::ONE + alpha_sum) * denominator;
    let x3 = alpha * x2;
    let h2 = x2.square() * x2 + a * x2 + b;
    let u = t.square() * t * h2;
    // exponent = p − 1 − (p + 1)/4
    let quarter = p.wrapping_add(&U512::ONE).shr_vartime(2);
    let exponent = p.wrapping_sub(&U512::ONE).wrapping_sub(&quarter);
    let big_a = h2.pow_vartime(limbs(&exponent));
    let (x, y) = if big_a.square() * h2 == Fe::<C>::ONE {
        (x2, big_a * h2)
    } else {
        (x3, big_a * u)
    };
    let mut point = Vec::with_capacity(1 + 2 * len);
    point.push(0x04);
    let (x, y) = (x.to_repr(), y.to_repr());
    let (x, y): (&[u8], &[u8]) = (x.as_ref(), y.as_ref());
    point.extend_from_slice(x);
    point.extend_from_slice(y);
    AffinePoint::<C>::from_sec1_bytes(&point).map_err(|_| EcError::InvalidPoint)?;
    Ok(point)
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
mod tests {
    use super::*;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s.replace(' ', "")).unwrap()
    }

    /// Doc 9303 Part 11 Appendix H.1 (integrated mapping, brainpoolP256r1, AES-128).
    #[test]
    fn doc_9303_appendix_h1_pseudo_random_function_and_point_encoding() {
        let s = h("2923BE84 E16CD6AE 529049F1 F1BBE9EB");
        let t = h("5DD4CBFC 96F5453B 130D890A 1CDBAE32");
        assert_eq!(
            pseudo_random(&s, &t, 256).unwrap(),
            h(
                "E4447E2D FB3586BA C05DDB00 156B57FB B2179A39 49294C97 25418980 0C517BAA 8DA0FF39 7ED8C445 D3E421E4 FEB57322"
            )
        );
        assert_eq!(
            map(EcDomain::BrainpoolP256r1, &s, &t).unwrap(),
            h(
                "04 8E82D315 59ED0FDE 92A4D049 8ADD3C23 BABA94FB 77691E31 E90AEA77 FB17D427 4C1AE14B D0C3DBAC 0C871B7F 36081693 64437CA3 0AC243A0 89D3F266 C1E60FAD"
            )
        );
    }

    #[test]
    fn every_curve_maps_to_a_point_and_bad_nonces_are_refused() {
        for d in [
            EcDomain::P256,
            EcDomain::BrainpoolP256r1,
            EcDomain::P384,
            EcDomain::BrainpoolP384r1,
        ] {
            let g = map(d, &[1; 16], &[2; 16]).unwrap();
            d.check_point(&g).unwrap();
            assert_ne!(g, map(d, &[1; 16], &[3; 16]).unwrap());
        }
        assert_eq!(
            map(EcDomain::P256, &[1; 8], &[2; 16]),
            Err(ImError::NonceLength)
        );
    }
}
