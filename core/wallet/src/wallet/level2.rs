//! Level-2 upgrade: read the citizen's chip ID card, send the chip evidence with a
//! selfie reference to the backend, and hold the electronic-ID credential it then issues.
//!
//! Order matters: the backend challenge comes first, so the evidence the device key signs is
//! bound to this session (`vneid_api::level2::level2_message`). The chip read runs on a
//! blocking thread (the transport is the phone's NFC stack, a PC/SC reader or the virtual
//! card); no wallet lock is held during it or during any network call.
//!
//! The backend's 8-byte challenge is also what the chip signs by active authentication
//! (INTERNAL AUTHENTICATE with its DG15 key); the wallet forwards that signature and the backend
//! verifies it, so evidence copied from another card's files is refused. A chip that fails
//! chip or active authentication on the phone is refused here already (a clone), without
//! contacting the backend a second time.
//!
//! The phone's own passive authentication is informative only: the wallet holds no CSCA
//! list, so it sends the files exactly as read and the backend decides with its own trust
//! store.

use super::{AccountLoad, Wallet};
use crate::api_client::ApiError;
use crate::clock::now_unix;
use crate::error::{BlockReason, WalletError};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use ring::digest::{SHA256, digest};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use vneid_api::CredentialKind;
use vneid_api::level2::{
    LEVEL2_CHALLENGE, LEVEL2_UPGRADE, Level2ChallengeResponse, Level2UpgradeRequest,
    Level2UpgradeResponse, level2_message,
};
use vneid_emrtd::aa::CHALLENGE_LEN;
use vneid_emrtd::access::AccessKey;
use vneid_emrtd::pa::TrustStore;
use vneid_emrtd::session::{
    ChipEvidence, ChipIdentity, ChipSession, ReadProgress, SessionConfig, Transport, Verdict,
};

/// Largest selfie accepted (bytes): it is only hashed, but it comes from the app.
pub const MAX_SELFIE_BYTES: usize = 16 << 20;

/// A progress callback for the chip read, called on the reading thread.
pub type Level2Progress = Box<dyn FnMut(&ReadProgress) + Send>;

/// What the upgrade achieved.
#[derive(Debug, Clone)]
pub struct Level2Outcome {
    /// The account level the backend now reports (2).
    pub level: u8,
    /// Unix seconds of the backend's verification.
    pub verified_at: u64,
    /// The chip read as the phone saw it (for the app's confirmation screen).
    pub chip: ChipIdentity,
    /// Copies of the electronic ID now in the wallet.
    pub electronic_id_copies: usize,
    /// Whether the backend verified the chip's active-authentication signature over its
    /// challenge (false for a card without DG15).
    pub active_authentication: bool,
}

fn sha256(bytes: &[u8]) -> Result<[u8; 32], WalletError> {
    digest(&SHA256, bytes)
        .as_ref()
        .try_into()
        .map_err(|_| WalletError::Internal("sha256 length".into()))
}

/// The upgrade request body from the chip evidence (files exactly as read).
fn upgrade_request(
    challenge_id: &str,
    evidence: &ChipEvidence,
    selfie_sha256: &[u8; 32],
    device_signature: &[u8],
    aa_signature: Option<&[u8]>,
) -> Result<Level2UpgradeRequest, WalletError> {
    let dg = |n: u8| evidence.data_groups.get(&n).map(|b| B64.encode(b));
    let required = |n: u8| {
        dg(n).ok_or(WalletError::Chip(
            vneid_emrtd::session::SessionError::MissingFile(vneid_emrtd::lds::LdsFile::Dg(n)),
        ))
    };
    Ok(Level2UpgradeRequest {
        challenge_id: challenge_id.to_string(),
        sod: B64.encode(&evidence.sod),
        dg1: required(1)?,
        dg2: required(2)?,
        dg13: required(13)?,
        dg14: dg(14),
        dg15: dg(15),
        selfie_sha256: B64.encode(selfie_sha256),
        device_signature: B64.encode(device_signature),
        active_authentication_signature: aa_signature.map(|s| B64.encode(s)),
    })
}

impl Wallet {
    async fn level2_challenge(&self) -> Result<(String, Vec<u8>), WalletError> {
        let token = self.access_token().await?;
        let resp: Level2ChallengeResponse = self
            .api
            .send(
                self.api
                    .request(reqwest::Method::POST, LEVEL2_CHALLENGE)
                    .bearer_auth(token.as_str()),
            )
            .await?;
        let challenge = B64
            .decode(&resp.challenge)
            .map_err(|e| ApiError::Malformed(format!("level-2 challenge: {e}")))?;
        Ok((resp.challenge_id, challenge))
    }

    /// Reads the chip over `transport` with `key`, sends the evidence and the selfie's SHA-256
    /// to the backend, and on success fetches the electronic-ID credential. Needs an unlocked,
    /// online wallet. A card of another citizen, an altered or untrusted card, or a wrong
    /// access key fails with a typed error and leaves the level unchanged. `key` is the MRZ key
    /// (BAC or PACE) or the card access number (PACE only).
    pub async fn upgrade_to_level2<T: Transport + Send + 'static>(
        &self,
        transport: T,
        key: impl Into<AccessKey>,
        selfie: &[u8],
        progress: Option<Level2Progress>,
        cancel: Arc<AtomicBool>,
    ) -> Result<Level2Outcome, WalletError> {
        if self.session()?.is_none() {
            return Err(WalletError::NotUnlocked);
        }
        if selfie.is_empty() || selfie.len() > MAX_SELFIE_BYTES {
            return Err(WalletError::SelfieMissing);
        }
        let selfie_sha256 = sha256(selfie)?;
        let record = match self.load_account()? {
            AccountLoad::Present(record) => record,
            AccountLoad::Tampered => return Err(WalletError::Blocked(BlockReason::Tampered)),
            AccountLoad::Missing => return Err(WalletError::NotUnlocked),
        };
        let (challenge_id, challenge) = self.level2_challenge().await?;
        let aa_challenge: [u8; CHALLENGE_LEN] = challenge
            .as_slice()
            .try_into()
            .map_err(|_| ApiError::Malformed("level-2 challenge length".into()))?;

        let key: AccessKey = key.into();
        let chip = tokio::task::spawn_blocking(move || {
            let mut transport = transport;
            let rng = ring::rand::SystemRandom::new();
            let mut random = |buf: &mut [u8]| {
                let _ = ring::rand::SecureRandom::fill(&rng, buf);
            };
            let mut progress = progress;
            let mut report = |p: &ReadProgress| {
                if let Some(f) = progress.as_mut() {
                    f(p);
                }
            };
            // No CSCA on the phone: the backend's passive authentication is the one that counts.
            let trust = TrustStore::new();
            let config = SessionConfig {
                active_auth_challenge: Some(aa_challenge),
                ..SessionConfig::default()
            };
            ChipSession::with_access_key(key, &trust, now_unix(), &mut random)
                .with_config(config)
                .with_progress(&mut report)
                .with_cancel(&cancel)
                .read(&mut transport)
        })
        .await
        .map_err(|e| WalletError::Internal(e.to_string()))??;

        // A chip that cannot prove it holds its own keys is a clone: refuse it here.
        if matches!(chip.chip_authentication, Verdict::Failed { .. })
            || matches!(chip.active_authentication, Verdict::Failed { .. })
        {
            return Err(WalletError::ChipCloned);
        }
        let aa_signature = chip
            .active_authentication_proof
            .as_ref()
            .filter(|p| p.challenge == aa_challenge)
            .map(|p| p.signature.clone());
        let sod_sha256 = sha256(&chip.evidence.sod)?;
        let message = level2_message(&challenge_id, &challenge, &sod_sha256, &selfie_sha256);
        let alias = record.key_alias.clone();
        let signature = self
            .with_secure_area(move |sa| sa.sign(&alias, &message))
            .await?;
        let body = upgrade_request(
            &challenge_id,
            &chip.evidence,
            &selfie_sha256,
            &signature,
            aa_signature.as_deref(),
        )?;
        let token = self.access_token().await?;
        let resp: Level2UpgradeResponse = self
            .api
            .send(
                self.api
                    .request(reqwest::Method::POST, LEVEL2_UPGRADE)
                    .bearer_auth(token.as_str())
                    .json(&body),
            )
            .await?;
        // The level as the backend now has it, saved locally (sealed account row).
        let info = self.account_info().await?;
        self.fetch_kinds(&[CredentialKind::ElectronicId]).await?;
        let electronic_id_copies = self
            .credentials()?
            .iter()
            .filter(|c| c.credential_type == vneid_credential::claims::types::ELECTRONIC_ID)
            .map(|c| c.copies)
            .sum();
        Ok(Level2Outcome {
            level: info.level,
            verified_at: resp.verified_at,
            chip,
            electronic_id_copies,
            active_authentication: resp.active_authentication,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn the_request_carries_every_file_as_read_and_needs_dg1_dg2_dg13() {
        let mut ev = ChipEvidence {
            ef_com: vec![0x60],
            sod: vec![0x77, 1],
            data_groups: BTreeMap::from([(1, vec![1]), (2, vec![2]), (13, vec![13])]),
        };
        let r = upgrade_request("c", &ev, &[9; 32], &[5], Some(&[7])).unwrap();
        assert_eq!(
            B64.decode(r.active_authentication_signature.unwrap())
                .unwrap(),
            vec![7]
        );
        assert_eq!(B64.decode(&r.dg13).unwrap(), vec![13]);
        assert_eq!(B64.decode(&r.sod).unwrap(), vec![0x77, 1]);
        assert!(r.dg14.is_none() && r.dg15.is_none());
        ev.data_groups.remove(&13);
        assert!(matches!(
            upgrade_request("c", &ev, &[9; 32], &[5], None),
            Err(WalletError::Chip(_))
        ));
    }
}
