//! Level-2 upgrade: the wallet proves the citizen holds their chip ID card.
//!
//! 1. `POST /v1/level2/challenge` (Bearer): a single-use random challenge bound to the account.
//! 2. The phone reads the chip (EF.SOD and the data groups, exactly as read), has the chip sign
//!    the challenge by active authentication (INTERNAL AUTHENTICATE with the DG15 key), and signs
//!    [`level2_message`] with its bound device key: the challenge, the SHA-256 of EF.SOD and of
//!    the selfie, so the evidence cannot be replayed from another phone or another session.
//! 3. `POST /v1/level2/upgrade` (Bearer): the backend re-runs passive authentication with its
//!    own CSCA trust store, checks the card's ID number, name and birth date against the
//!    account's population record, verifies the device signature and, for a card with DG15,
//!    the chip's active-authentication signature over the same challenge with the DG15 key
//!    (a cloned chip cannot produce it), and raises the account to level 2 in one transaction. The electronic-ID credential ([`crate::CredentialKind::ElectronicId`])
//!    is issued from then on.

use serde::{Deserialize, Serialize};

pub const LEVEL2_CHALLENGE: &str = "/v1/level2/challenge";
pub const LEVEL2_UPGRADE: &str = "/v1/level2/upgrade";

/// Domain-separation prefix of the device's signature over the level-2 evidence.
pub const LEVEL2_CONTEXT: &[u8] = b"vneid-level2-v1:";

/// Challenge length (8 bytes is what ICAO active authentication signs).
pub const LEVEL2_CHALLENGE_LEN: usize = 8;

/// The message the device key signs:
/// `LEVEL2_CONTEXT || challenge_id (UTF-8) || ":" || challenge || SHA-256(EF.SOD) || selfie_sha256`.
pub fn level2_message(
    challenge_id: &str,
    challenge: &[u8],
    sod_sha256: &[u8; 32],
    selfie_sha256: &[u8; 32],
) -> Vec<u8> {
    [
        LEVEL2_CONTEXT,
        challenge_id.as_bytes(),
        b":",
        challenge,
        sod_sha256,
        selfie_sha256,
    ]
    .concat()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Level2ChallengeResponse {
    pub challenge_id: String,
    /// base64url, [`LEVEL2_CHALLENGE_LEN`] bytes.
    pub challenge: String,
    /// Unix seconds.
    pub expires_at: u64,
}

/// `POST /v1/level2/upgrade` body. Every file is base64url of the bytes exactly as read from
/// the chip (the backend hashes them itself). Personal data: `Debug` shows sizes only.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Level2UpgradeRequest {
    pub challenge_id: String,
    pub sod: String,
    pub dg1: String,
    /// The face (ISO 19794-5 container); its digest becomes the credential's portrait digest.
    pub dg2: String,
    pub dg13: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dg14: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dg15: Option<String>,
    /// base64url of the SHA-256 of the selfie the app took (the face match itself is the
    /// app's or a later service's; the backend keeps this reference with the upgrade).
    pub selfie_sha256: String,
    /// base64url DER ECDSA signature by the bound device key over [`level2_message`].
    pub device_signature: String,
    /// base64url of the chip's answer to INTERNAL AUTHENTICATE with the challenge (active
    /// authentication with the DG15 key). Required when DG15 is sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_authentication_signature: Option<String>,
}

impl std::fmt::Debug for Level2UpgradeRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Level2UpgradeRequest")
            .field("challenge_id", &self.challenge_id)
            .field("sod_len", &self.sod.len())
            .field("dg2_len", &self.dg2.len())
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Level2UpgradeResponse {
    /// Always 2 on success.
    pub level: u8,
    /// The credential kind now issued to the account.
    pub credential_type: crate::CredentialKind,
    /// Whether the chip proved it holds its DG15 key by signing the challenge (false for
    /// cards without active authentication, accepted on passive authentication alone).
    pub active_authentication: bool,
    /// Unix seconds of the verification.
    pub verified_at: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_level2_message_is_domain_separated_and_binds_every_part() {
        let m = level2_message("c1", &[1, 2], &[3; 32], &[4; 32]);
        assert!(m.starts_with(LEVEL2_CONTEXT));
        assert_ne!(m, level2_message("c1", &[1, 2], &[3; 32], &[5; 32]));
        assert_ne!(m, level2_message("c2", &[1, 2], &[3; 32], &[4; 32]));
        assert_eq!(m.len(), LEVEL2_CONTEXT.len() + 2 + 1 + 2 + 64);
    }
}
