//! Chip authentication version 1 (Doc 9303 Part 11 §6.2), ECDH on the DG14 key.
//!
//! The terminal sends an ephemeral public key on the chip key's curve; both sides derive
//! `K = x(SK_eph · PK_chip)` and new session keys `KDF(K, 1)`, `KDF(K, 2)`, and secure messaging
//! restarts with them and a zero send sequence counter. The chip proves it holds the DG14
//! private key only implicitly: the first response under the new keys verifies. A clone that
//! copied DG14 but not the key cannot produce that MAC, so the caller must treat a failure of
//! the next response as "chip authentication failed", not as a transport error.
//!
//! 3DES uses MSE:Set KAT (one command); AES uses MSE:Set AT and General Authenticate, as
//! §6.2.4 prescribes. The commands go out under the current (BAC or PACE) session.

use crate::apdu::{CommandApdu, ResponseApdu, StatusClass, StatusWord};
use crate::ec::{EcDomain, EcError, EcKeyPair};
use crate::kdf::{KeyAlgorithm, KeyPair};
use crate::security_info::{CaCipher, ChipPublicKey, Dg14, KeyAgreement, SecurityInfo};
use crate::sm::{SecureMessaging, SmCipher, SmError};
use crate::tlv::{self, Tlv, TlvError};

/// id-CA (0.4.0.127.0.7.2.2.3) as DER content bytes.
const ID_CA: [u8; 8] = [0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x03];

/// Why chip authentication cannot start or did not complete.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaError {
    #[error("DG14 holds no chip authentication key")]
    NoKey,
    #[error("unsupported chip authentication: {0}")]
    Unsupported(String),
    #[error("key agreement: {0}")]
    Ec(#[from] EcError),
    #[error("the chip refused chip authentication with status {0}")]
    Refused(StatusWord),
    #[error("malformed General Authenticate response: {0}")]
    Malformed(#[from] TlvError),
    #[error("secure messaging: {0}")]
    Sm(#[from] SmError),
    #[error("step called out of order")]
    OutOfOrder,
}

impl CaError {
    /// True when the card simply does not offer chip authentication (no key in DG14), as
    /// opposed to offering it in a way this reader cannot run.
    pub fn not_offered(&self) -> bool {
        matches!(self, Self::NoKey)
    }
}

/// What DG14 says about chip authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaParams {
    pub domain: EcDomain,
    pub cipher: CaCipher,
    pub key_id: Option<u64>,
    /// The chip's static public key (uncompressed SEC1).
    pub chip_key: Vec<u8>,
}

impl CaParams {
    /// Picks the ECDH key of DG14 and the protocol (cipher) of the matching
    /// ChipAuthenticationInfo; without one, version 1 with 3DES (§6.2.1).
    pub fn from_dg14(dg14: &Dg14) -> Result<Self, CaError> {
        let mut unsupported = None;
        for (key, key_id) in dg14.chip_authentication_keys() {
            let (curve, point) = match key {
                ChipPublicKey::Ec { curve, point } => (curve, point),
                ChipPublicKey::Dh { .. } => {
                    unsupported = Some("DH chip authentication keys".to_string());
                    continue;
                }
            };
            let Some(domain) = EcDomain::from_curve(curve) else {
                unsupported = Some(format!("chip authentication on {curve:?}"));
                continue;
            };
            let cipher = dg14
                .infos
                .iter()
                .find_map(|i| match i {
                    SecurityInfo::ChipAuthentication {
                        key_agreement: KeyAgreement::Ecdh,
                        cipher,
                        key_id: info_id,
                        ..
                    } if info_id.is_none() || key_id.is_none() || *info_id == key_id => {
                        Some(*cipher)
                    }
                    _ => None,
                })
                .unwrap_or(CaCipher::Tdes);
            domain.check_point(point)?;
            return Ok(Self {
                domain,
                cipher,
                key_id,
                chip_key: point.clone(),
            });
        }
        Err(unsupported.map_or(CaError::NoKey, CaError::Unsupported))
    }

    fn sm_cipher(&self) -> (SmCipher, KeyAlgorithm) {
        match self.cipher {
            CaCipher::Tdes => (SmCipher::Tdes, KeyAlgorithm::Tdes),
            CaCipher::Aes128 => (SmCipher::Aes, KeyAlgorithm::Aes128),
            CaCipher::Aes192 => (SmCipher::Aes, KeyAlgorithm::Aes192),
            CaCipher::Aes256 => (SmCipher::Aes, KeyAlgorithm::Aes256),
        }
    }

    /// The protocol OID content (id-CA-ECDH-…) for MSE:Set AT.
    pub fn protocol_oid(&self) -> Vec<u8> {
        let last = match self.cipher {
            CaCipher::Tdes => 1,
            CaCipher::Aes128 => 2,
            CaCipher::Aes192 => 3,
            CaCipher::Aes256 => 4,
        };
        let mut oid = ID_CA.to_vec();
        oid.extend_from_slice(&[0x02, last]);
        oid
    }
}

/// `KDF(K, 1)`, `KDF(K, 2)` with the protocol's cipher and a zero SSC: the session both sides
/// switch to after chip authentication (and after PACE).
pub fn session_from_secret(
    secret: &[u8],
    cipher: SmCipher,
    algorithm: KeyAlgorithm,
) -> Result<SecureMessaging, SmError> {
    let KeyPair { enc, mac } = KeyPair::derive(secret, algorithm);
    SecureMessaging::new(cipher, enc, mac, &vec![0u8; cipher.block_size()])
}

/// The terminal side of one chip authentication run.
#[derive(Debug)]
pub struct ChipAuthentication {
    params: CaParams,
    ephemeral: EcKeyPair,
    step: usize,
}

impl ChipAuthentication {
    /// Generates the ephemeral key pair from the caller's CSPRNG.
    pub fn new(params: CaParams, random: &mut dyn FnMut(&mut [u8])) -> Result<Self, CaError> {
        let ephemeral = params.domain.key_pair(None, random)?;
        Ok(Self {
            params,
            ephemeral,
            step: 0,
        })
    }

    pub fn params(&self) -> &CaParams {
        &self.params
    }

    /// Index of the next command to send.
    pub fn step(&self) -> usize {
        self.step
    }

    /// The terminal's ephemeral public key (uncompressed).
    pub fn ephemeral_public(&self) -> &[u8] {
        &self.ephemeral.public
    }

    fn key_ref(&self) -> Result<Vec<u8>, CaError> {
        Ok(match self.params.key_id {
            Some(id) => {
                let bytes = id.to_be_bytes();
                let first = bytes.iter().position(|&b| b != 0).unwrap_or(7);
                tlv::encode(0x84, bytes.get(first..).unwrap_or(&[0]))?
            }
            None => Vec::new(),
        })
    }

    /// The plain commands to send (each under the current secure messaging), in order.
    pub fn commands(&self) -> Result<Vec<CommandApdu>, CaError> {
        let public = &self.ephemeral.public;
        if self.params.cipher == CaCipher::Tdes {
            let mut data = tlv::encode(0x91, public)?;
            data.extend(self.key_ref()?);
            return Ok(vec![
                CommandApdu::new(0x00, 0x22, 0x41, 0xA6).with_data(data),
            ]);
        }
        let mut at = tlv::encode(0x80, &self.params.protocol_oid())?;
        at.extend(self.key_ref()?);
        let ga = tlv::encode(0x7C, &tlv::encode(0x80, public)?)?;
        Ok(vec![
            CommandApdu::new(0x00, 0x22, 0x41, 0xA4).with_data(at),
            CommandApdu::new(0x00, 0x86, 0x00, 0x00)
                .with_data(ga)
                .with_ne(256),
        ])
    }

    /// Checks the (unwrapped) answer to the next command; `Ok(true)` after the last one.
    pub fn handle_response(&mut self, resp: &ResponseApdu) -> Result<bool, CaError> {
        let total = self.commands()?.len();
        if self.step >= total {
            return Err(CaError::OutOfOrder);
        }
        if resp.sw.classify() != StatusClass::Success {
            return Err(CaError::Refused(resp.sw));
        }
        let is_ga = self.params.cipher != CaCipher::Tdes && self.step == 1;
        if is_ga && !resp.data.is_empty() {
            // CA v1 answers with an empty dynamic authentication data object (7C 00).
            let t = Tlv::parse_tagged(&resp.data, 0x7C)?;
            if !t.value.is_empty() {
                return Err(CaError::Malformed(TlvError::Truncated));
            }
        }
        self.step += 1;
        Ok(self.step == total)
    }

    /// The new secure messaging session (zero SSC) after the last response.
    pub fn secure_messaging(&self) -> Result<SecureMessaging, CaError> {
        let k = self
            .params
            .domain
            .shared_x(&self.ephemeral.secret, &self.params.chip_key)?;
        let (cipher, algorithm) = self.params.sm_cipher();
        Ok(session_from_secret(&k, cipher, algorithm)?)
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
    use super::*;

    fn params(cipher: CaCipher, key_id: Option<u64>) -> (CaParams, Vec<u8>) {
        let d = EcDomain::BrainpoolP256r1;
        let chip = d.key_pair(None, &mut |b: &mut [u8]| b.fill(7)).unwrap();
        (
            CaParams {
                domain: d,
                cipher,
                key_id,
                chip_key: chip.public.clone(),
            },
            chip.secret.to_vec(),
        )
    }

    #[test]
    fn tdes_uses_one_mse_set_kat_and_aes_uses_set_at_plus_general_authenticate() {
        let (p, _) = params(CaCipher::Tdes, Some(7));
        let ca = ChipAuthentication::new(p, &mut |b: &mut [u8]| b.fill(3)).unwrap();
        let cmds = ca.commands().unwrap();
        assert_eq!(cmds.len(), 1);
        assert_eq!((cmds[0].ins, cmds[0].p1, cmds[0].p2), (0x22, 0x41, 0xA6));
        assert_eq!(&cmds[0].data[..2], &[0x91, 0x41]);
        assert_eq!(&cmds[0].data[67..], &[0x84, 0x01, 0x07]);

        let (p, _) = params(CaCipher::Aes128, None);
        let mut ca = ChipAuthentication::new(p, &mut |b: &mut [u8]| b.fill(3)).unwrap();
        let cmds = ca.commands().unwrap();
        assert_eq!(cmds[0].data, {
            let mut v = vec![0x80, 0x0A];
            v.extend(ID_CA);
            v.extend([0x02, 0x02]);
            v
        });
        assert_eq!(&cmds[1].data[..4], &[0x7C, 0x43, 0x80, 0x41]);
        let ok = ResponseApdu::new(Vec::new(), StatusWord::SUCCESS);
        assert!(!ca.handle_response(&ok).unwrap());
        assert!(
            ca.handle_response(&ResponseApdu::new(vec![0x7C, 0x00], StatusWord::SUCCESS))
                .unwrap()
        );
        assert_eq!(ca.handle_response(&ok), Err(CaError::OutOfOrder));
    }

    #[test]
    fn both_sides_derive_the_same_session() {
        let (p, chip_secret) = params(CaCipher::Aes128, None);
        let ca = ChipAuthentication::new(p.clone(), &mut |b: &mut [u8]| b.fill(9)).unwrap();
        let terminal_k = p
            .domain
            .shared_x(&ca.ephemeral.secret, &p.chip_key)
            .unwrap();
        let chip_k = p
            .domain
            .shared_x(&chip_secret, ca.ephemeral_public())
            .unwrap();
        assert_eq!(*terminal_k, *chip_k);
        let sm = ca.secure_messaging().unwrap();
        assert_eq!((sm.cipher(), sm.ssc()), (SmCipher::Aes, &[0u8; 16][..]));
    }

    #[test]
    fn a_refusal_is_reported_with_its_status() {
        let (p, _) = params(CaCipher::Tdes, None);
        let mut ca = ChipAuthentication::new(p, &mut |b: &mut [u8]| b.fill(3)).unwrap();
        assert_eq!(
            ca.handle_response(&ResponseApdu::new(Vec::new(), StatusWord(0x6A80))),
            Err(CaError::Refused(StatusWord(0x6A80)))
        );
    }
}
