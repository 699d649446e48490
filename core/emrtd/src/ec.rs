//! Elliptic-curve arithmetic in the shapes PACE and chip authentication use it: key pairs on a
//! (possibly mapped) generator, ECDH shared points and their x-coordinate, and the generic
//! mapping `G~ = s·G + H` of Doc 9303 Part 11 §4.4.3.3.1.
//!
//! Every operation is the RustCrypto curve arithmetic (`p256`, `bp256`, `p384`, `bp384`); nothing here
//! implements a field or group operation. Points travel as uncompressed SEC1 bytes and scalars
//! as big-endian bytes so the protocol code stays curve-agnostic; every point received is
//! decoded with an on-curve check and the identity is refused.

use crate::curve::Curve;
use ecc::point::AffineCoordinates;
use ecc::sec1::{FromSec1Point, ModulusSize, ToSec1Point};
use ecc::{AffinePoint, CurveArithmetic, CurveGroup, FieldBytesSize, Group, PrimeField, Scalar};
use ecc::{CurveAffine, Field};
use p256::elliptic_curve as ecc;
use zeroize::Zeroizing;

/// Why a point or a scalar was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EcError {
    #[error("point is not on the curve or badly encoded")]
    InvalidPoint,
    #[error("point is the identity")]
    Identity,
    #[error("scalar is zero or not below the group order")]
    InvalidScalar,
    #[error("the random source gave no usable scalar")]
    Random,
}

/// The curves this crate runs key agreement on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EcDomain {
    P256,
    BrainpoolP256r1,
    P384,
    BrainpoolP384r1,
}

impl EcDomain {
    /// The curve of a parsed key, when supported.
    pub fn from_curve(curve: &Curve) -> Option<Self> {
        match curve {
            Curve::P256 => Some(Self::P256),
            Curve::BrainpoolP256r1 => Some(Self::BrainpoolP256r1),
            Curve::P384 => Some(Self::P384),
            Curve::BrainpoolP384r1 => Some(Self::BrainpoolP384r1),
            _ => None,
        }
    }

    /// Standardized domain parameter ids of Part 11 §9.5.1 (PACEInfo parameterId).
    pub fn from_standard_id(id: u64) -> Option<Self> {
        match id {
            12 => Some(Self::P256),
            13 => Some(Self::BrainpoolP256r1),
            15 => Some(Self::P384),
            16 => Some(Self::BrainpoolP384r1),
            _ => None,
        }
    }

    pub fn standard_id(self) -> u64 {
        match self {
            Self::P256 => 12,
            Self::BrainpoolP256r1 => 13,
            Self::P384 => 15,
            Self::BrainpoolP384r1 => 16,
        }
    }

    pub fn curve(self) -> Curve {
        match self {
            Self::P256 => Curve::P256,
            Self::BrainpoolP256r1 => Curve::BrainpoolP256r1,
            Self::P384 => Curve::P384,
            Self::BrainpoolP384r1 => Curve::BrainpoolP384r1,
        }
    }

    /// Bytes of a field element (and of a scalar) on this curve.
    pub fn field_len(self) -> usize {
        match self {
            Self::P256 | Self::BrainpoolP256r1 => 32,
            Self::P384 | Self::BrainpoolP384r1 => 48,
        }
    }

    /// `secret · base` (the standard generator when `base` is `None`), uncompressed.
    pub fn mul(self, base: Option<&[u8]>, secret: &[u8]) -> Result<Vec<u8>, EcError> {
        match self {
            Self::P256 => mul::<p256::NistP256>(base, secret),
            Self::BrainpoolP256r1 => mul::<bp256::BrainpoolP256r1>(base, secret),
            Self::P384 => mul::<p384::NistP384>(base, secret),
            Self::BrainpoolP384r1 => mul::<bp384::BrainpoolP384r1>(base, secret),
        }
    }

    /// The x-coordinate of `secret · peer`: the ECDH shared secret of Part 11 §9.6.
    pub fn shared_x(self, secret: &[u8], peer: &[u8]) -> Result<Zeroizing<Vec<u8>>, EcError> {
        match self {
            Self::P256 => shared_x::<p256::NistP256>(secret, peer),
            Self::BrainpoolP256r1 => shared_x::<bp256::BrainpoolP256r1>(secret, peer),
            Self::P384 => shared_x::<p384::NistP384>(secret, peer),
            Self::BrainpoolP384r1 => shared_x::<bp384::BrainpoolP384r1>(secret, peer),
        }
    }

    /// Generic mapping: `G~ = s·G + H` where `H` is the mapping key agreement's shared point.
    pub fn map_generic(self, nonce: &[u8], h: &[u8]) -> Result<Vec<u8>, EcError> {
        match self {
            Self::P256 => map_generic::<p256::NistP256>(nonce, h),
            Self::BrainpoolP256r1 => map_generic::<bp256::BrainpoolP256r1>(nonce, h),
            Self::P384 => map_generic::<p384::NistP384>(nonce, h),
            Self::BrainpoolP384r1 => map_generic::<bp384::BrainpoolP384r1>(nonce, h),
        }
    }

    /// Checks that `point` is a valid, non-identity point of the curve.
    pub fn check_point(self, point: &[u8]) -> Result<(), EcError> {
        match self {
            Self::P256 => decode::<p256::NistP256>(point).map(|_| ()),
            Self::BrainpoolP256r1 => decode::<bp256::BrainpoolP256r1>(point).map(|_| ()),
            Self::P384 => decode::<p384::NistP384>(point).map(|_| ()),
            Self::BrainpoolP384r1 => decode::<bp384::BrainpoolP384r1>(point).map(|_| ()),
        }
    }

    /// A fresh private key from the caller's CSPRNG (rejection sampling: values that are zero
    /// or not below the order are drawn again).
    pub fn random_secret(
        self,
        random: &mut dyn FnMut(&mut [u8]),
    ) -> Result<Zeroizing<Vec<u8>>, EcError> {
        for _ in 0..16 {
            let mut bytes = Zeroizing::new(vec![0u8; self.field_len()]);
            random(&mut bytes);
            let ok = match self {
                Self::P256 => scalar::<p256::NistP256>(&bytes).is_ok(),
                Self::BrainpoolP256r1 => scalar::<bp256::BrainpoolP256r1>(&bytes).is_ok(),
                Self::P384 => scalar::<p384::NistP384>(&bytes).is_ok(),
                Self::BrainpoolP384r1 => scalar::<bp384::BrainpoolP384r1>(&bytes).is_ok(),
            };
            if ok {
                return Ok(bytes);
            }
        }
        Err(EcError::Random)
    }

    /// A key pair on `base` (the standard generator when `None`) from the caller's CSPRNG.
    pub fn key_pair(
        self,
        base: Option<&[u8]>,
        random: &mut dyn FnMut(&mut [u8]),
    ) -> Result<EcKeyPair, EcError> {
        let secret = self.random_secret(random)?;
        let public = self.mul(base, &secret)?;
        Ok(EcKeyPair { secret, public })
    }
}

/// An ephemeral key pair: the private scalar (wiped on drop) and the uncompressed public point.
#[derive(Clone)]
pub struct EcKeyPair {
    pub secret: Zeroizing<Vec<u8>>,
    pub public: Vec<u8>,
}

impl std::fmt::Debug for EcKeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EcKeyPair")
            .field("public_len", &self.public.len())
            .finish_non_exhaustive()
    }
}

fn scalar<C: CurveArithmetic>(bytes: &[u8]) -> Result<Scalar<C>, EcError> {
    let mut repr = <Scalar<C> as PrimeField>::Repr::default();
    let buf: &mut [u8] = repr.as_mut();
    let start = buf
        .len()
        .checked_sub(bytes.len())
        .ok_or(EcError::InvalidScalar)?;
    buf.get_mut(start..)
        .ok_or(EcError::InvalidScalar)?
        .copy_from_slice(bytes);
    let s: Option<Scalar<C>> = Scalar::<C>::from_repr(repr).into();
    let s = s.ok_or(EcError::InvalidScalar)?;
    if bool::from(s.is_zero()) {
        return Err(EcError::InvalidScalar);
    }
    Ok(s)
}

fn decode<C>(bytes: &[u8]) -> Result<C::ProjectivePoint, EcError>
where
    C: CurveArithmetic,
    AffinePoint<C>: FromSec1Point<C>,
    FieldBytesSize<C>: ModulusSize,
{
    let affine = AffinePoint::<C>::from_sec1_bytes(bytes).map_err(|_| EcError::InvalidPoint)?;
    let point = affine.to_curve();
    if bool::from(point.is_identity()) {
        return Err(EcError::Identity);
    }
    Ok(point)
}

fn encode<C>(point: &C::ProjectivePoint) -> Result<Vec<u8>, EcError>
where
    C: CurveArithmetic,
    AffinePoint<C>: ToSec1Point<C>,
    FieldBytesSize<C>: ModulusSize,
{
    if bool::from(point.is_identity()) {
        return Err(EcError::Identity);
    }
    Ok(point.to_affine().to_sec1_point(false).as_bytes().to_vec())
}

fn mul<C>(base: Option<&[u8]>, secret: &[u8]) -> Result<Vec<u8>, EcError>
where
    C: CurveArithmetic,
    AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C>,
    FieldBytesSize<C>: ModulusSize,
{
    let k = scalar::<C>(secret)?;
    let base = match base {
        Some(b) => decode::<C>(b)?,
        None => C::ProjectivePoint::generator(),
    };
    encode::<C>(&(base * k))
}

fn shared_x<C>(secret: &[u8], peer: &[u8]) -> Result<Zeroizing<Vec<u8>>, EcError>
where
    C: CurveArithmetic,
    AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C>,
    FieldBytesSize<C>: ModulusSize,
{
    let k = scalar::<C>(secret)?;
    let shared = decode::<C>(peer)? * k;
    if bool::from(shared.is_identity()) {
        return Err(EcError::Identity);
    }
    Ok(Zeroizing::new(shared.to_affine().x().to_vec()))
}

fn map_generic<C>(nonce: &[u8], h: &[u8]) -> Result<Vec<u8>, EcError>
where
    C: CurveArithmetic,
    AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C>,
    FieldBytesSize<C>: ModulusSize,
{
    let s = scalar::<C>(nonce)?;
    let h = decode::<C>(h)?;
    encode::<C>(&(C::ProjectivePoint::generator() * s + h))
}

/// The ECDH shared point `secret · peer`, uncompressed (the `H` of the generic mapping).
pub fn shared_point(domain: EcDomain, secret: &[u8], peer: &[u8]) -> Result<Vec<u8>, EcError> {
    domain.mul(Some(peer), secret)
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

    #[test]
    fn ecdh_agrees_on_both_curves_and_refuses_bad_points() {
        for d in [
            EcDomain::P256,
            EcDomain::BrainpoolP256r1,
            EcDomain::P384,
            EcDomain::BrainpoolP384r1,
        ] {
            let mut n = 0u8;
            let mut rnd = |b: &mut [u8]| {
                n += 1;
                b.fill(n);
            };
            let a = d.key_pair(None, &mut rnd).unwrap();
            let b = d.key_pair(None, &mut rnd).unwrap();
            assert_eq!(
                *d.shared_x(&a.secret, &b.public).unwrap(),
                *d.shared_x(&b.secret, &a.public).unwrap()
            );
            let mut off = a.public.clone();
            off[40] ^= 1;
            assert_eq!(d.shared_x(&b.secret, &off), Err(EcError::InvalidPoint));
            assert!(d.check_point(&[0x00]).is_err());
            let n = d.field_len();
            assert_eq!(d.mul(None, &vec![0u8; n]), Err(EcError::InvalidScalar));
            assert_eq!(d.mul(None, &vec![0xFF; n]), Err(EcError::InvalidScalar));
            assert_eq!(a.public.len(), 1 + 2 * n);
        }
    }

    #[test]
    fn random_secret_gives_up_on_a_broken_source() {
        let mut zeros = |b: &mut [u8]| b.fill(0);
        assert_eq!(
            EcDomain::P256.random_secret(&mut zeros).unwrap_err(),
            EcError::Random
        );
    }
}
