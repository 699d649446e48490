//! Thin wrappers over RustCrypto primitives in the shapes ICAO 9303 uses them.
//!
//! Nothing here implements a cipher or a hash: block ciphers come from `des`/`aes`, modes from
//! `cbc`, MACs from `retail-mac` (ISO/IEC 9797-1 algorithm 3) and `cmac`. The wrappers only fix
//! the padding (ISO/IEC 9797-1 method 2), the IVs and the output lengths the Doc prescribes.

use aes::{Aes128, Aes192, Aes256};
use cbc::cipher;
use cipher::{BlockCipherEncrypt, BlockModeDecrypt, BlockModeEncrypt, KeyInit, KeyIvInit};
use cmac::Cmac;
use des::{Des, TdesEde2};
use retail_mac::{Mac, RetailMac};
use zeroize::Zeroizing;

/// Failures of the primitive layer; they never carry key material.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    #[error("key has the wrong length for the algorithm")]
    KeyLength,
    #[error("data is not a whole number of cipher blocks")]
    NotBlockAligned,
    #[error("ISO/IEC 9797-1 method 2 padding is malformed")]
    BadPadding,
}

/// ISO/IEC 9797-1 padding method 2: append 0x80, then zeros up to a block boundary.
pub fn pad(data: &[u8], block: usize) -> Vec<u8> {
    let padded_len = (data.len() / block + 1) * block;
    let mut out = Vec::with_capacity(padded_len);
    out.extend_from_slice(data);
    out.push(0x80);
    out.resize(padded_len, 0);
    out
}

/// Removes ISO/IEC 9797-1 method 2 padding; rejects anything else.
pub fn unpad(data: &[u8]) -> Result<&[u8], CryptoError> {
    let end = data
        .iter()
        .rposition(|&b| b != 0)
        .ok_or(CryptoError::BadPadding)?;
    match data.get(end) {
        Some(0x80) => data.get(..end).ok_or(CryptoError::BadPadding),
        _ => Err(CryptoError::BadPadding),
    }
}

fn check_aligned(data: &[u8], block: usize) -> Result<(), CryptoError> {
    if data.len().is_multiple_of(block) {
        Ok(())
    } else {
        Err(CryptoError::NotBlockAligned)
    }
}

fn cbc_encrypt<C>(key: &[u8], iv: &[u8], data: &mut [u8]) -> Result<(), CryptoError>
where
    C: BlockCipherEncrypt + KeyInit,
{
    let mut enc =
        cbc::Encryptor::<C>::new_from_slices(key, iv).map_err(|_| CryptoError::KeyLength)?;
    let bs = iv.len();
    check_aligned(data, bs)?;
    for chunk in data.chunks_exact_mut(bs) {
        let block =
            <&mut cipher::Block<C>>::try_from(chunk).map_err(|_| CryptoError::NotBlockAligned)?;
        enc.encrypt_block(block);
    }
    Ok(())
}

fn cbc_decrypt<C>(key: &[u8], iv: &[u8], data: &mut [u8]) -> Result<(), CryptoError>
where
    C: cipher::BlockCipherDecrypt + KeyInit,
{
    let mut dec =
        cbc::Decryptor::<C>::new_from_slices(key, iv).map_err(|_| CryptoError::KeyLength)?;
    let bs = iv.len();
    check_aligned(data, bs)?;
    for chunk in data.chunks_exact_mut(bs) {
        let block =
            <&mut cipher::Block<C>>::try_from(chunk).map_err(|_| CryptoError::NotBlockAligned)?;
        dec.decrypt_block(block);
    }
    Ok(())
}

/// Two-key 3DES (EDE) in CBC mode with a zero IV, as BAC and 3DES secure messaging use it.
pub fn tdes_cbc_encrypt(key: &[u8], data: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let mut out = data.to_vec();
    cbc_encrypt::<TdesEde2>(key, &[0u8; 8], &mut out)?;
    Ok(out)
}

/// Inverse of [`tdes_cbc_encrypt`]. The plaintext is returned in a zeroizing buffer because it
/// may carry key halves (BAC) or personal data.
pub fn tdes_cbc_decrypt(key: &[u8], data: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let mut out = Zeroizing::new(data.to_vec());
    cbc_decrypt::<TdesEde2>(key, &[0u8; 8], &mut out)?;
    Ok(out)
}

/// ISO/IEC 9797-1 MAC algorithm 3 (retail MAC) with single-DES blocks and a 16-byte key
/// K1||K2, over data the caller has already padded with method 2 (the Doc pads explicitly,
/// so the MAC input is always block aligned).
pub fn retail_mac(key: &[u8], padded: &[u8]) -> Result<[u8; 8], CryptoError> {
    check_aligned(padded, 8)?;
    let mut mac =
        <RetailMac<Des> as KeyInit>::new_from_slice(key).map_err(|_| CryptoError::KeyLength)?;
    mac.update(padded);
    let mut out = [0u8; 8];
    out.copy_from_slice(&mac.finalize().into_bytes());
    Ok(out)
}

/// Constant-time check of a retail MAC.
pub fn retail_mac_verify(key: &[u8], padded: &[u8], tag: &[u8]) -> Result<bool, CryptoError> {
    check_aligned(padded, 8)?;
    let mut mac =
        <RetailMac<Des> as KeyInit>::new_from_slice(key).map_err(|_| CryptoError::KeyLength)?;
    mac.update(padded);
    Ok(mac.verify_slice(tag).is_ok())
}

/// The AES key sizes 9303 allows for PACE and chip authentication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AesKeySize {
    Aes128,
    Aes192,
    Aes256,
}

impl AesKeySize {
    /// Picks the size from a key's length.
    pub fn from_key_len(len: usize) -> Result<Self, CryptoError> {
        match len {
            16 => Ok(Self::Aes128),
            24 => Ok(Self::Aes192),
            32 => Ok(Self::Aes256),
            _ => Err(CryptoError::KeyLength),
        }
    }

    /// Key length in bytes.
    pub fn key_len(self) -> usize {
        match self {
            Self::Aes128 => 16,
            Self::Aes192 => 24,
            Self::Aes256 => 32,
        }
    }
}

/// AES-CBC over block-aligned data.
pub fn aes_cbc_encrypt(key: &[u8], iv: &[u8; 16], data: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let mut out = data.to_vec();
    match AesKeySize::from_key_len(key.len())? {
        AesKeySize::Aes128 => cbc_encrypt::<Aes128>(key, iv, &mut out)?,
        AesKeySize::Aes192 => cbc_encrypt::<Aes192>(key, iv, &mut out)?,
        AesKeySize::Aes256 => cbc_encrypt::<Aes256>(key, iv, &mut out)?,
    }
    Ok(out)
}

/// AES-CBC decryption over block-aligned data.
pub fn aes_cbc_decrypt(
    key: &[u8],
    iv: &[u8; 16],
    data: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let mut out = Zeroizing::new(data.to_vec());
    match AesKeySize::from_key_len(key.len())? {
        AesKeySize::Aes128 => cbc_decrypt::<Aes128>(key, iv, &mut out)?,
        AesKeySize::Aes192 => cbc_decrypt::<Aes192>(key, iv, &mut out)?,
        AesKeySize::Aes256 => cbc_decrypt::<Aes256>(key, iv, &mut out)?,
    }
    Ok(out)
}

/// One AES block encryption (ECB of a single block): the SM IV is E(KS_enc, SSC).
pub fn aes_encrypt_block(key: &[u8], block: &[u8; 16]) -> Result<[u8; 16], CryptoError> {
    // CBC with a zero IV over one block is exactly one block encryption.
    let out = aes_cbc_encrypt(key, &[0u8; 16], block)?;
    let mut b = [0u8; 16];
    b.copy_from_slice(out.get(..16).ok_or(CryptoError::NotBlockAligned)?);
    Ok(b)
}

macro_rules! cmac_with {
    ($cipher:ty, $key:expr, $data:expr) => {{
        let mut mac =
            <Cmac<$cipher> as KeyInit>::new_from_slice($key).map_err(|_| CryptoError::KeyLength)?;
        mac.update($data);
        let tag = mac.finalize().into_bytes();
        let mut out = [0u8; 8];
        out.copy_from_slice(tag.get(..8).ok_or(CryptoError::KeyLength)?);
        out
    }};
}

/// AES-CMAC truncated to 8 bytes, the MAC of AES secure messaging (9303 Part 11 §9.8.6.2).
pub fn aes_cmac8(key: &[u8], data: &[u8]) -> Result<[u8; 8], CryptoError> {
    Ok(match AesKeySize::from_key_len(key.len())? {
        AesKeySize::Aes128 => cmac_with!(Aes128, key, data),
        AesKeySize::Aes192 => cmac_with!(Aes192, key, data),
        AesKeySize::Aes256 => cmac_with!(Aes256, key, data),
    })
}

/// Compares two MACs without an early exit, so timing does not leak the matching prefix.
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
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
        hex::decode(s).unwrap()
    }

    #[test]
    fn padding_method_2_round_trips_and_rejects_garbage() {
        assert_eq!(pad(&[1, 2], 8), h("0102800000000000"));
        assert_eq!(pad(&[0u8; 8], 8).len(), 16);
        assert_eq!(unpad(&h("0102800000000000")).unwrap(), &[1, 2]);
        assert_eq!(unpad(&h("0102000000000000")), Err(CryptoError::BadPadding));
        assert_eq!(unpad(&[]), Err(CryptoError::BadPadding));
    }

    #[test]
    fn retail_mac_matches_iso_9797_1_annex_b_example() {
        let key = h("0123456789ABCDEFFEDCBA9876543210");
        assert_eq!(
            retail_mac(&key, b"Now is the time for all ")
                .unwrap()
                .to_vec(),
            h("A1C72E74EA3FA9B6")
        );
    }

    #[test]
    fn aes_cmac_matches_nist_sp800_38b_example_truncated() {
        // SP 800-38B D.1, Example 2 (16-byte message).
        let key = h("2b7e151628aed2a6abf7158809cf4f3c");
        let msg = h("6bc1bee22e409f96e93d7e117393172a");
        assert_eq!(
            aes_cmac8(&key, &msg).unwrap().to_vec(),
            h("070a16b46b4d4144")
        );
    }
}
