//! The PACE variant a run uses (curve, cipher, mapping, protocol OID) and the cryptography
//! that follows from it: the password key `K_π`, the nonce cipher, the authentication tokens
//! and the MSE:Set AT command that announces the variant to the chip.

use super::PaceError;
use crate::apdu::CommandApdu;
use crate::crypto;
use crate::ec::EcDomain;
use crate::kdf::{self, KeyAlgorithm, SecretKey};
use crate::security_info::CaCipher;
use crate::sm::SmCipher;
use crate::tlv::{self, TlvError};
use zeroize::Zeroizing;

/// How the nonce is mapped to the generator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mapping {
    /// `G~ = s·G + H` with an ECDH exchange (`81`/`82` carry public keys).
    Generic,
    /// `G~ = f_G(R_p(s, t))` with the terminal's nonce `t` in `81` (AES-128 only).
    Integrated,
}

/// The PACE variant to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaceParams {
    pub domain: EcDomain,
    pub cipher: CaCipher,
    pub mapping: Mapping,
    /// DER content of the protocol OID.
    pub protocol: Vec<u8>,
    /// The standardized domain parameter id as EF.CardAccess gave it.
    pub parameter_id: Option<u64>,
}

impl PaceParams {
    pub fn key_algorithm(&self) -> (SmCipher, KeyAlgorithm) {
        match self.cipher {
            CaCipher::Tdes => (SmCipher::Tdes, KeyAlgorithm::Tdes),
            CaCipher::Aes128 => (SmCipher::Aes, KeyAlgorithm::Aes128),
            CaCipher::Aes192 => (SmCipher::Aes, KeyAlgorithm::Aes192),
            CaCipher::Aes256 => (SmCipher::Aes, KeyAlgorithm::Aes256),
        }
    }

    /// The public key data object `7F49 { 06 OID, 86 point }` the tokens are computed over.
    pub fn public_key_object(&self, point: &[u8]) -> Result<Vec<u8>, TlvError> {
        let mut body = tlv::encode(0x06, &self.protocol)?;
        body.extend(tlv::encode(0x86, point)?);
        tlv::encode(0x7F49, &body)
    }

    /// The authentication token over the peer's ephemeral key: CMAC-8 (AES) or retail MAC.
    pub fn token(&self, ks_mac: &SecretKey, peer_point: &[u8]) -> Result<[u8; 8], PaceError> {
        let data = self.public_key_object(peer_point)?;
        Ok(match self.cipher {
            CaCipher::Tdes => crypto::retail_mac(ks_mac.as_bytes(), &crypto::pad(&data, 8))?,
            _ => crypto::aes_cmac8(ks_mac.as_bytes(), &data)?,
        })
    }

    /// `K_π = KDF(π, 3)`.
    pub fn password_key(&self, pi: &[u8]) -> SecretKey {
        kdf::derive(pi, kdf::COUNTER_PACE, self.key_algorithm().1)
    }

    /// Encrypts (card side) or decrypts (terminal side) the nonce with `K_π`, CBC, zero IV.
    pub fn nonce_cipher(
        &self,
        k_pi: &SecretKey,
        data: &[u8],
        encrypt: bool,
    ) -> Result<Zeroizing<Vec<u8>>, PaceError> {
        Ok(match (self.cipher, encrypt) {
            (CaCipher::Tdes, true) => {
                Zeroizing::new(crypto::tdes_cbc_encrypt(k_pi.as_bytes(), data)?)
            }
            (CaCipher::Tdes, false) => crypto::tdes_cbc_decrypt(k_pi.as_bytes(), data)?,
            (_, true) => Zeroizing::new(crypto::aes_cbc_encrypt(k_pi.as_bytes(), &[0; 16], data)?),
            (_, false) => crypto::aes_cbc_decrypt(k_pi.as_bytes(), &[0; 16], data)?,
        })
    }

    /// MSE:Set AT for PACE with the password reference (1 MRZ, 2 CAN).
    pub fn set_at(&self, password_reference: u8) -> Result<CommandApdu, TlvError> {
        let mut data = tlv::encode(0x80, &self.protocol)?;
        data.extend(tlv::encode(0x83, &[password_reference])?);
        if let Some(id) = self.parameter_id.and_then(|i| u8::try_from(i).ok()) {
            data.extend(tlv::encode(0x84, &[id])?);
        }
        Ok(CommandApdu::new(0x00, 0x22, 0xC1, 0xA4).with_data(data))
    }
}
