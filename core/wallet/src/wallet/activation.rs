//! Activation: ID number + phone + date of birth → SMS OTP → passcode → device key bound.

use super::{AccountLoad, AccountSummary, Wallet};
use crate::clock::now_unix;
use crate::crypto::random_bytes;
use crate::error::WalletError;
use crate::passcode::{Passcode, PasscodeVerifier};
use crate::secure_area::{SecureArea, verify_p256};
use crate::store::{self, AccountRecord, AccountSecrets, PendingActivation, PendingEnrolment};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use std::sync::Arc;
use std::time::{Duration, Instant};
use vneid_api::{self as api, ApiErrorCode, CitizenProfile};
use vneid_identity::{CalendarDate, Email, PersonalIdNumber, PhoneNumber, check_passcode_rules};
use zeroize::Zeroizing;

/// What the citizen types on the first screen.
#[derive(Clone)]
pub struct ActivationInput {
    pub id_number: String,
    pub phone: String,
    /// `YYYY-MM-DD`.
    pub date_of_birth: String,
    pub email: Option<String>,
}

impl std::fmt::Debug for ActivationInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ActivationInput(<personal data redacted>)")
    }
}

/// The OTP went out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtpSent {
    pub masked_phone: String,
    pub otp_ttl_seconds: u64,
    pub resend_after_seconds: u64,
    pub max_attempts: u32,
}

/// OTP verified, passcode not yet set: held in memory only.
pub(crate) struct Enrolment {
    token: Zeroizing<String>,
    expires: Instant,
    profile: CitizenProfile,
}

/// Validated activation input.
struct CheckedInput {
    id_number: PersonalIdNumber,
    phone: PhoneNumber,
    date_of_birth: CalendarDate,
}

fn check_input(input: &ActivationInput) -> Result<CheckedInput, WalletError> {
    let date_of_birth = CalendarDate::parse_iso(input.date_of_birth.trim())?;
    let id_number = PersonalIdNumber::parse_for_birth_date(&input.id_number, date_of_birth)?;
    let phone = PhoneNumber::parse(&input.phone)?;
    if let Some(email) = input.email.as_deref().filter(|e| !e.trim().is_empty()) {
        Email::parse(email)?;
    }
    Ok(CheckedInput {
        id_number,
        phone,
        date_of_birth,
    })
}

impl Wallet {
    /// Runs a secure-area call off the async executor: implementations may block (hardware,
    /// user prompts) and may be foreign code.
    pub(crate) async fn with_secure_area<T: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn SecureArea) -> Result<T, crate::secure_area::SecureAreaError>
        + Send
        + 'static,
    ) -> Result<T, WalletError> {
        let sa = Arc::clone(&self.secure_area);
        tokio::task::spawn_blocking(move || f(sa.as_ref()))
            .await
            .map_err(|e| WalletError::Internal(e.to_string()))?
            .map_err(WalletError::from)
    }

    /// Step 1: checks the input, asks the backend to send an SMS OTP, and remembers the
    /// activation so a restart resumes at the code entry. Starting again (or re-activating an
    /// existing account) is allowed from any state.
    pub async fn start_activation(&self, input: ActivationInput) -> Result<OtpSent, WalletError> {
        let checked = check_input(&input)?;
        self.discard_pending_key().await?;
        *self.enrolment()? = None;
        let response = self
            .api
            .start_activation(&api::StartActivationRequest {
                id_number: checked.id_number.as_str().to_string(),
                phone: checked.phone.as_e164().to_string(),
                date_of_birth: checked.date_of_birth.to_iso(),
            })
            .await?;
        let now = now_unix();
        let pending = PendingActivation {
            activation_id: response.activation_id,
            id_number: checked.id_number.as_str().to_string(),
            phone: checked.phone.as_e164().to_string(),
            date_of_birth: checked.date_of_birth.to_iso(),
            masked_phone: response.masked_phone.clone(),
            resend_at: now + response.resend_after_seconds,
            otp_expires_at: now + response.otp_ttl_seconds,
            max_attempts: response.max_attempts,
            key_alias: None,
            enrolment: None,
        };
        self.store()?
            .transaction(|tx, sealer| store::save_pending(tx, sealer, &pending, now))?;
        Ok(OtpSent {
            masked_phone: response.masked_phone,
            otp_ttl_seconds: response.otp_ttl_seconds,
            resend_after_seconds: response.resend_after_seconds,
            max_attempts: response.max_attempts,
        })
    }

    fn pending(&self) -> Result<PendingActivation, WalletError> {
        self.store()?
            .read(store::load_pending)?
            .ok_or(WalletError::InvalidState {
                state: "no activation in progress",
            })
    }

    /// Deletes a device key created for an activation that never completed.
    async fn discard_pending_key(&self) -> Result<(), WalletError> {
        if let Some(alias) = self.pending_key_alias()? {
            self.with_secure_area(move |sa| sa.delete_key(&alias))
                .await?;
        }
        Ok(())
    }

    /// Forgets the activation in progress (after the backend said it is over).
    async fn abandon_pending(&self) -> Result<(), WalletError> {
        self.discard_pending_key().await?;
        self.store()?
            .transaction(|tx, _| store::delete_pending(tx))?;
        Ok(())
    }

    /// Asks for a new OTP (the old one stops working).
    pub async fn resend_otp(&self) -> Result<OtpSent, WalletError> {
        let mut pending = self.pending()?;
        let result = self
            .api
            .resend_otp(&api::ResendOtpRequest {
                activation_id: pending.activation_id.clone(),
            })
            .await;
        let response = match result {
            Err(e) if e.code() == Some(ApiErrorCode::ActivationNotFound) => {
                self.abandon_pending().await?;
                return Err(e.into());
            }
            other => other?,
        };
        let now = now_unix();
        pending.resend_at = now + response.resend_after_seconds;
        pending.otp_expires_at = now + response.otp_ttl_seconds;
        self.store()?
            .transaction(|tx, sealer| store::save_pending(tx, sealer, &pending, now))?;
        Ok(OtpSent {
            masked_phone: pending.masked_phone,
            otp_ttl_seconds: response.otp_ttl_seconds,
            resend_after_seconds: response.resend_after_seconds,
            max_attempts: pending.max_attempts,
        })
    }

    /// Step 2: checks the SMS OTP with the backend.
    pub async fn verify_otp(&self, otp: Zeroizing<String>) -> Result<(), WalletError> {
        let pending = self.pending()?;
        let otp = Zeroizing::new(otp.trim().to_string());
        if otp.len() != 6 || !otp.bytes().all(|b| b.is_ascii_digit()) {
            return Err(WalletError::OtpFormat);
        }
        let result = self
            .api
            .verify_otp(&api::VerifyOtpRequest {
                activation_id: pending.activation_id.clone(),
                otp: otp.to_string(),
            })
            .await;
        let response = match result {
            Err(e)
                if matches!(
                    e.code(),
                    Some(ApiErrorCode::OtpAttemptsExhausted | ApiErrorCode::ActivationNotFound)
                ) =>
            {
                self.abandon_pending().await?;
                return Err(e.into());
            }
            other => other?,
        };
        // Kept sealed in the store too, in one transaction, so a kill before the device key is
        // bound resumes at the passcode step.
        let now = now_unix();
        let mut pending = pending;
        pending.enrolment = Some(PendingEnrolment {
            token: response.enrolment_token.clone(),
            expires_at: now.saturating_add(response.enrolment_ttl_seconds),
            profile: response.citizen.clone(),
        });
        self.store()?
            .transaction(|tx, sealer| store::save_pending(tx, sealer, &pending, now))?;
        *self.enrolment()? = Some(Enrolment {
            token: Zeroizing::new(response.enrolment_token.clone()),
            expires: Instant::now() + Duration::from_secs(response.enrolment_ttl_seconds),
            profile: response.citizen.clone(),
        });
        Ok(())
    }

    /// Drops the stored enrolment (the backend no longer accepts its token): the activation is
    /// back at the OTP entry.
    fn forget_stored_enrolment(&self) -> Result<(), WalletError> {
        let mut db = self.store()?;
        if let Some(mut pending) = db.read(store::load_pending)? {
            pending.enrolment = None;
            db.transaction(|tx, sealer| store::save_pending(tx, sealer, &pending, now_unix()))?;
        }
        Ok(())
    }

    /// Step 3: sets the passcode, creates the device key in the secure area, binds it at the
    /// backend (which revokes any other phone), stores the account and unlocks.
    pub async fn set_passcode(&self, passcode: Passcode) -> Result<AccountSummary, WalletError> {
        let in_memory = {
            let guard = self.enrolment()?;
            match guard.as_ref() {
                Some(enrolment) if Instant::now() >= enrolment.expires => {
                    return Err(WalletError::EnrolmentExpired);
                }
                Some(enrolment) => Some((enrolment.token.clone(), enrolment.profile.clone())),
                None => None,
            }
        };
        // After a restart: the enrolment kept sealed in the store when the OTP was accepted.
        let (token, profile) = match in_memory {
            Some(found) => found,
            None => {
                let stored = self
                    .store()?
                    .read(store::load_pending)?
                    .and_then(|p| p.enrolment.clone())
                    .ok_or(WalletError::InvalidState {
                        state: "OTP not verified",
                    })?;
                if now_unix() >= stored.expires_at {
                    return Err(WalletError::EnrolmentExpired);
                }
                (Zeroizing::new(stored.token.clone()), stored.profile.clone())
            }
        };
        let birth_date = CalendarDate::parse_iso(&profile.date_of_birth).ok();
        check_passcode_rules(passcode.as_str(), birth_date)?;

        let iterations = self.config.kdf_iterations;
        let verifier =
            tokio::task::spawn_blocking(move || PasscodeVerifier::derive(&passcode, iterations))
                .await
                .map_err(|e| WalletError::Internal(e.to_string()))?
                .map_err(|e| WalletError::Internal(e.to_string()))?;

        // A fresh alias per activation: the old key stays usable until the new one is bound.
        let suffix: String = random_bytes::<8>()
            .map_err(|e| WalletError::Internal(e.to_string()))?
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let alias = format!("vneid.device.{suffix}");
        let mut pending = self.pending()?;
        pending.key_alias = Some(alias.clone());
        self.store()?
            .transaction(|tx, sealer| store::save_pending(tx, sealer, &pending, now_unix()))?;

        let message = api::bind_proof_message(&token);
        let (public_key, proof) = {
            let alias = alias.clone();
            self.with_secure_area(move |sa| {
                let public = sa.create_key(&alias)?;
                let proof = sa.sign(&alias, &message)?;
                Ok((public, proof))
            })
            .await?
        };
        if !verify_p256(&public_key, &api::bind_proof_message(&token), &proof) {
            return Err(WalletError::SecureArea(
                crate::secure_area::SecureAreaError::Platform(
                    "the secure area's signature does not verify under its public key".into(),
                ),
            ));
        }

        let bound = self
            .api
            .bind_device(&api::BindDeviceRequest {
                enrolment_token: token.to_string(),
                device_public_key: B64.encode(&public_key),
                key_proof: B64.encode(&proof),
                device_name: self.config.device_name.clone(),
                platform: self.config.platform.clone(),
            })
            .await;
        let bound = match bound {
            Err(e) if e.code() == Some(ApiErrorCode::EnrolmentInvalid) => {
                *self.enrolment()? = None;
                self.forget_stored_enrolment()?;
                return Err(e.into());
            }
            other => other?,
        };

        let (previous_alias, previous_account) = match self.load_account()? {
            AccountLoad::Present(old) => (
                Some(old.key_alias.clone()).filter(|a| *a != alias),
                Some(old.account_id.clone()),
            ),
            _ => (None, None),
        };
        // Another citizen's account on this phone: the previous citizen's credentials must not
        // stay presentable nor their history readable. (The same citizen re-activating keeps
        // both.)
        let other_citizen = previous_account.is_some_and(|old| old != bound.account_id);
        let stale_credentials = if other_citizen {
            self.store()?.read(|c, _| store::list_credentials(c))?
        } else {
            Vec::new()
        };
        let stale_ids: Vec<i64> = stale_credentials.iter().map(|r| r.id).collect();
        let mut record = AccountRecord {
            account_id: bound.account_id.clone(),
            device_id: bound.device_id.clone(),
            key_alias: alias,
            level: bound.level,
            activated_at: now_unix(),
            failed_attempts: 0,
            block_reason: None,
            generation: 0,
            secrets: AccountSecrets {
                profile,
                passcode: verifier,
            },
        };
        self.store()?.transaction(|tx, sealer| {
            store::save_account(tx, sealer, &mut record)?;
            store::delete_credentials(tx, &stale_ids)?;
            if other_citizen {
                store::delete_disclosures(tx)?;
                // Whatever the capabilities keep of the previous citizen.
                self.capabilities.wipe(tx)?;
            }
            store::delete_pending(tx)
        })?;
        *self.enrolment()? = None;
        *self.session()? = None;
        for row in stale_credentials {
            let _ = self
                .with_secure_area(move |sa| sa.delete_key(&row.key_alias))
                .await;
        }
        if let Some(old) = previous_alias {
            // The backend already revoked it; a leftover key is harmless but untidy.
            let _ = self
                .with_secure_area(move |sa| {
                    super::attempts::clear(sa, &old)?;
                    sa.delete_key(&old)
                })
                .await;
        }
        self.start_session(&record.device_id, &record.key_alias)
            .await
            .map(|online| AccountSummary {
                account_id: record.account_id.clone(),
                device_id: record.device_id.clone(),
                level: record.level,
                online,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(id: &str, phone: &str, dob: &str) -> ActivationInput {
        ActivationInput {
            id_number: id.into(),
            phone: phone.into(),
            date_of_birth: dob.into(),
            email: None,
        }
    }

    #[test]
    fn input_checks_name_the_field_that_is_wrong() {
        let ok = input("001099012345", "0912345678", "1999-05-17");
        assert!(check_input(&ok).is_ok());
        let e = check_input(&input("00109901234", "0912345678", "1999-05-17")).err();
        assert!(matches!(e, Some(WalletError::IdNumber(_))));
        let e = check_input(&input("001099012345", "0212345678", "1999-05-17")).err();
        assert!(matches!(e, Some(WalletError::Phone(_))));
        let e = check_input(&input("001099012345", "0912345678", "1999-02-30")).err();
        assert!(matches!(e, Some(WalletError::Date(_))));
        let e = check_input(&input("001098012345", "0912345678", "1999-05-17")).err();
        assert!(matches!(e, Some(WalletError::IdNumber(_))));
        let mut bad_email = ok.clone();
        bad_email.email = Some("not-an-email".into());
        assert!(matches!(
            check_input(&bad_email).err(),
            Some(WalletError::Email(_))
        ));
    }
}
