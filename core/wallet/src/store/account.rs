//! The activated account (one per wallet) and the activation in progress.
//!
//! The passcode-attempt counter and block reason sit in clear columns so they can be updated
//! without unsealing anything, but an HMAC under a key derived from the data key covers every
//! column: a counter edited back to zero, or a block reason removed, fails the check and the
//! wallet treats the account as tampered (blocked until re-activation). Deleting the row leaves
//! no passcode verifier at all, so the only way on is a new activation with an SMS OTP.

use super::{Sealer, StoreError};
use crate::passcode::PasscodeVerifier;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use vneid_api::CitizenProfile;
use zeroize::Zeroizing;

const SECRETS_CONTEXT: &str = "account/secrets";
const PENDING_CONTEXT: &str = "pending_activation/sealed";

/// Why the wallet refuses to unlock until it is re-activated with an SMS OTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockReason {
    /// Five wrong passcodes in a row.
    TooManyAttempts,
    /// The stored account record failed its integrity check (edited outside the app).
    Tampered,
    /// Another phone was bound to the account; this one was signed out by the backend.
    DeviceRevoked,
}

/// What is sealed in the account row.
#[derive(Serialize, Deserialize)]
pub struct AccountSecrets {
    pub profile: CitizenProfile,
    pub passcode: PasscodeVerifier,
}

impl std::fmt::Debug for AccountSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccountSecrets(<redacted>)")
    }
}

#[derive(Debug)]
pub struct AccountRecord {
    pub account_id: String,
    pub device_id: String,
    pub key_alias: String,
    pub level: u8,
    pub activated_at: u64,
    pub failed_attempts: u32,
    pub block_reason: Option<BlockReason>,
    pub generation: u64,
    pub secrets: AccountSecrets,
}

/// An activation between "OTP sent" and "device bound", kept so a restart resumes at the OTP
/// screen and so a device key created for it can be cleaned up if it never gets bound.
#[derive(Clone, Serialize, Deserialize)]
pub struct PendingActivation {
    pub activation_id: String,
    pub id_number: String,
    pub phone: String,
    pub date_of_birth: String,
    pub masked_phone: String,
    /// Unix seconds after which a resend is allowed.
    pub resend_at: u64,
    /// Unix seconds after which the OTP is no longer accepted.
    pub otp_expires_at: u64,
    /// Wrong codes the backend accepts for this activation.
    #[serde(default)]
    pub max_attempts: u32,
    /// Device key alias created for this activation, before binding.
    pub key_alias: Option<String>,
    /// The OTP was accepted: what the passcode step needs, so a restart resumes there. The OTP
    /// itself is never stored; the enrolment token is sealed with the rest of this record.
    #[serde(default)]
    pub enrolment: Option<PendingEnrolment>,
}

/// The backend's answer to an accepted OTP, kept until the device key is bound.
#[derive(Clone, Serialize, Deserialize)]
pub struct PendingEnrolment {
    pub token: String,
    /// Unix seconds after which the backend no longer accepts the token.
    pub expires_at: u64,
    pub profile: CitizenProfile,
}

impl std::fmt::Debug for PendingEnrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingEnrolment")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl Drop for PendingEnrolment {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.token);
    }
}

impl std::fmt::Debug for PendingActivation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingActivation")
            .field("activation_id", &self.activation_id)
            .field("masked_phone", &self.masked_phone)
            .finish_non_exhaustive()
    }
}

fn block_reason_str(r: Option<BlockReason>) -> Option<&'static str> {
    r.map(|r| match r {
        BlockReason::TooManyAttempts => "too_many_attempts",
        BlockReason::Tampered => "tampered",
        BlockReason::DeviceRevoked => "device_revoked",
    })
}

fn parse_block_reason(s: Option<String>) -> Result<Option<BlockReason>, StoreError> {
    match s.as_deref() {
        None => Ok(None),
        Some("too_many_attempts") => Ok(Some(BlockReason::TooManyAttempts)),
        Some("tampered") => Ok(Some(BlockReason::Tampered)),
        Some("device_revoked") => Ok(Some(BlockReason::DeviceRevoked)),
        Some(_) => Err(StoreError::Integrity),
    }
}

/// The bytes the row MAC covers: every column, length-prefixed so fields cannot shift.
#[allow(clippy::too_many_arguments)]
fn mac_input(
    account_id: &str,
    device_id: &str,
    key_alias: &str,
    level: u8,
    activated_at: u64,
    secrets: &[u8],
    failed_attempts: u32,
    block_reason: Option<&str>,
    generation: u64,
) -> Vec<u8> {
    let mut out = b"account-row-v1".to_vec();
    for field in [
        account_id.as_bytes(),
        device_id.as_bytes(),
        key_alias.as_bytes(),
        &[level],
        &activated_at.to_be_bytes(),
        secrets,
        &failed_attempts.to_be_bytes(),
        block_reason.unwrap_or("").as_bytes(),
        &generation.to_be_bytes(),
    ] {
        out.extend_from_slice(&(field.len() as u64).to_be_bytes());
        out.extend_from_slice(field);
    }
    out
}

/// Loads the account. `Err(StoreError::Integrity)` means the row exists but was tampered with.
pub fn load_account(
    conn: &Connection,
    sealer: &Sealer<'_>,
) -> Result<Option<AccountRecord>, StoreError> {
    type Row = (
        String,
        String,
        String,
        i64,
        i64,
        Vec<u8>,
        i64,
        Option<String>,
        i64,
        Vec<u8>,
    );
    let row: Option<Row> = conn
        .query_row(
            "SELECT account_id, device_id, key_alias, level, activated_at, secrets,
                    failed_attempts, block_reason, generation, mac
             FROM account WHERE id = 1",
            [],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                    r.get(9)?,
                ))
            },
        )
        .optional()?;
    let Some((
        account_id,
        device_id,
        key_alias,
        level,
        activated_at,
        sealed,
        failed,
        block,
        generation,
        mac,
    )) = row
    else {
        return Ok(None);
    };
    let level = u8::try_from(level).map_err(|_| StoreError::Integrity)?;
    let activated_at = u64::try_from(activated_at).map_err(|_| StoreError::Integrity)?;
    let failed_attempts = u32::try_from(failed).map_err(|_| StoreError::Integrity)?;
    let generation = u64::try_from(generation).map_err(|_| StoreError::Integrity)?;
    let input = mac_input(
        &account_id,
        &device_id,
        &key_alias,
        level,
        activated_at,
        &sealed,
        failed_attempts,
        block.as_deref(),
        generation,
    );
    if !sealer.verify_mac(&input, &mac) {
        return Err(StoreError::Integrity);
    }
    let plain = sealer.open(SECRETS_CONTEXT, &sealed)?;
    let secrets: AccountSecrets =
        serde_json::from_slice(&plain).map_err(|_| StoreError::Integrity)?;
    Ok(Some(AccountRecord {
        account_id,
        device_id,
        key_alias,
        level,
        activated_at,
        failed_attempts,
        block_reason: parse_block_reason(block)?,
        generation,
        secrets,
    }))
}

/// Writes the account row (replacing any), bumping its generation.
pub fn save_account(
    tx: &Transaction<'_>,
    sealer: &Sealer<'_>,
    record: &mut AccountRecord,
) -> Result<(), StoreError> {
    record.generation += 1;
    let plain = Zeroizing::new(
        serde_json::to_vec(&record.secrets).map_err(|e| StoreError::Encoding(e.to_string()))?,
    );
    let sealed = sealer.seal(SECRETS_CONTEXT, &plain)?;
    let block = block_reason_str(record.block_reason);
    let mac = sealer.mac(&mac_input(
        &record.account_id,
        &record.device_id,
        &record.key_alias,
        record.level,
        record.activated_at,
        &sealed,
        record.failed_attempts,
        block,
        record.generation,
    ));
    tx.execute(
        "INSERT OR REPLACE INTO account (id, account_id, device_id, key_alias, level,
            activated_at, secrets, failed_attempts, block_reason, generation, mac)
         VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            record.account_id,
            record.device_id,
            record.key_alias,
            record.level,
            record.activated_at as i64,
            sealed,
            record.failed_attempts,
            block,
            record.generation as i64,
            mac
        ],
    )?;
    Ok(())
}

pub fn delete_account(tx: &Transaction<'_>) -> Result<(), StoreError> {
    tx.execute("DELETE FROM account", [])?;
    Ok(())
}

pub fn save_pending(
    tx: &Transaction<'_>,
    sealer: &Sealer<'_>,
    pending: &PendingActivation,
    now: u64,
) -> Result<(), StoreError> {
    let plain = Zeroizing::new(
        serde_json::to_vec(pending).map_err(|e| StoreError::Encoding(e.to_string()))?,
    );
    let sealed = sealer.seal(PENDING_CONTEXT, &plain)?;
    tx.execute(
        "INSERT OR REPLACE INTO pending_activation (id, sealed, created_at) VALUES (1, ?1, ?2)",
        params![sealed, now as i64],
    )?;
    Ok(())
}

pub fn load_pending(
    conn: &Connection,
    sealer: &Sealer<'_>,
) -> Result<Option<PendingActivation>, StoreError> {
    let sealed: Option<Vec<u8>> = conn
        .query_row(
            "SELECT sealed FROM pending_activation WHERE id = 1",
            [],
            |r| r.get(0),
        )
        .optional()?;
    let Some(sealed) = sealed else {
        return Ok(None);
    };
    let plain = sealer.open(PENDING_CONTEXT, &sealed)?;
    serde_json::from_slice(&plain)
        .map(Some)
        .map_err(|_| StoreError::Integrity)
}

pub fn delete_pending(tx: &Transaction<'_>) -> Result<(), StoreError> {
    tx.execute("DELETE FROM pending_activation", [])?;
    Ok(())
}
