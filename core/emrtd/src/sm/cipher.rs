//! The two cipher suites of secure messaging (3DES and AES) and the state they run on: the
//! session keys and the send sequence counter, with each suite's encryption, IV and MAC.

use super::SmError;
use crate::crypto;
use crate::kdf::SecretKey;

/// The cipher suite of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmCipher {
    /// 3DES-CBC and retail MAC (BAC, or PACE/CA negotiated with 3DES).
    Tdes,
    /// AES-CBC and CMAC-8 with a 16, 24 or 32 byte key.
    Aes,
}

impl SmCipher {
    /// Cipher block size; also the length of the SSC and of the padding unit.
    pub fn block_size(self) -> usize {
        match self {
            Self::Tdes => 8,
            Self::Aes => 16,
        }
    }
}

/// Shared key material and counter handling of both sides.
#[derive(Debug)]
pub(super) struct Keys {
    pub(super) cipher: SmCipher,
    ks_enc: SecretKey,
    ks_mac: SecretKey,
    pub(super) ssc: Vec<u8>,
}

impl Keys {
    pub(super) fn new(
        cipher: SmCipher,
        ks_enc: SecretKey,
        ks_mac: SecretKey,
        ssc: &[u8],
    ) -> Result<Self, SmError> {
        let ok = match cipher {
            SmCipher::Tdes => ks_enc.len() == 16 && ks_mac.len() == 16 && ssc.len() == 8,
            SmCipher::Aes => {
                matches!(ks_enc.len(), 16 | 24 | 32)
                    && ks_mac.len() == ks_enc.len()
                    && ssc.len() == 16
            }
        };
        if !ok {
            return Err(SmError::KeyLength);
        }
        Ok(Self {
            cipher,
            ks_enc,
            ks_mac,
            ssc: ssc.to_vec(),
        })
    }

    pub(super) fn increment(&mut self) {
        for b in self.ssc.iter_mut().rev() {
            let (v, carry) = b.overflowing_add(1);
            *b = v;
            if !carry {
                break;
            }
        }
    }

    fn iv(&self) -> Result<[u8; 16], SmError> {
        let mut block = [0u8; 16];
        block.copy_from_slice(self.ssc.get(..16).ok_or(SmError::KeyLength)?);
        Ok(crypto::aes_encrypt_block(self.ks_enc.as_bytes(), &block)?)
    }

    pub(super) fn encrypt(&self, plain: &[u8]) -> Result<Vec<u8>, SmError> {
        let padded = crypto::pad(plain, self.cipher.block_size());
        Ok(match self.cipher {
            SmCipher::Tdes => crypto::tdes_cbc_encrypt(self.ks_enc.as_bytes(), &padded)?,
            SmCipher::Aes => crypto::aes_cbc_encrypt(self.ks_enc.as_bytes(), &self.iv()?, &padded)?,
        })
    }

    pub(super) fn decrypt(&self, cipher_text: &[u8]) -> Result<Vec<u8>, SmError> {
        let plain = match self.cipher {
            SmCipher::Tdes => crypto::tdes_cbc_decrypt(self.ks_enc.as_bytes(), cipher_text)?,
            SmCipher::Aes => {
                crypto::aes_cbc_decrypt(self.ks_enc.as_bytes(), &self.iv()?, cipher_text)?
            }
        };
        Ok(crypto::unpad(&plain)?.to_vec())
    }

    /// MAC over pad(SSC || input), where `input` is already built from padded parts.
    pub(super) fn mac(&self, input: &[u8]) -> Result<[u8; 8], SmError> {
        let mut n = Vec::with_capacity(self.ssc.len() + input.len() + 16);
        n.extend_from_slice(&self.ssc);
        n.extend_from_slice(input);
        let n = crypto::pad(&n, self.cipher.block_size());
        Ok(match self.cipher {
            SmCipher::Tdes => crypto::retail_mac(self.ks_mac.as_bytes(), &n)?,
            SmCipher::Aes => crypto::aes_cmac8(self.ks_mac.as_bytes(), &n)?,
        })
    }

    pub(super) fn padded_header(&self, cla: u8, ins: u8, p1: u8, p2: u8) -> Vec<u8> {
        crypto::pad(&[cla | 0x0C, ins, p1, p2], self.cipher.block_size())
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
mod tests {
    use crate::apdu::{CommandApdu, ResponseApdu, StatusWord};
    use crate::kdf::SecretKey;
    use crate::sm::fixtures::{h, pair};
    use crate::sm::{SecureMessaging, SmCipher};

    #[test]
    fn aes_sessions_round_trip_commands_and_responses_for_all_key_sizes() {
        for key_len in [16, 24, 32] {
            let (mut host, mut card) = pair(SmCipher::Aes, key_len);
            for (i, len) in [0usize, 1, 15, 16, 17, 223, 1000].into_iter().enumerate() {
                let cmd = CommandApdu::new(0, 0xB0, 0, i as u8).with_ne(len.max(1));
                let wrapped = host.wrap(&cmd).unwrap();
                let wire = CommandApdu::parse(&wrapped.to_bytes().unwrap()).unwrap();
                assert_eq!(card.unwrap_command(&wire).unwrap(), cmd);
                let plain = ResponseApdu::new(vec![i as u8; len], StatusWord::SUCCESS);
                let protected = card.wrap_response(&plain).unwrap();
                assert_eq!(host.unwrap(&protected).unwrap(), plain);
            }
            assert_eq!(host.ssc().len(), 16);
            assert_eq!(host.ssc()[15], 14);
        }
    }

    #[test]
    fn aes_uses_an_ssc_derived_iv_so_equal_plaintexts_encrypt_differently() {
        let (mut host, _) = pair(SmCipher::Aes, 16);
        let cmd = CommandApdu::new(0, 0xA4, 2, 0x0C).with_data(h("011E"));
        let a = host.wrap(&cmd).unwrap();
        let b = host.wrap(&cmd).unwrap();
        assert_ne!(a.data[..19], b.data[..19]);
        // DO'87 = 87 11 01 || 16-byte block.
        assert_eq!(&a.data[..3], &[0x87, 0x11, 0x01]);
    }

    #[test]
    fn wrong_key_sizes_are_rejected() {
        let k = || SecretKey::new(vec![0; 16]);
        assert!(SecureMessaging::new(SmCipher::Tdes, k(), k(), &[0; 16]).is_err());
        assert!(SecureMessaging::new(SmCipher::Aes, k(), k(), &[0; 8]).is_err());
        assert!(
            SecureMessaging::new(SmCipher::Aes, SecretKey::new(vec![0; 20]), k(), &[0; 16])
                .is_err()
        );
    }
}
