//! Unlocking with the passcode, logging in with the device key, and the session's tokens.

use super::attempts;
use super::session::{Session, Tokens};
use super::{AccountLoad, AccountSummary, Wallet};
use crate::api_client::ApiError;
use crate::error::{BlockReason, WalletError};
use crate::passcode::{MAX_ATTEMPTS, Passcode};
use crate::store;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use std::time::Instant;
use vneid_api::{self as api, ApiErrorCode};

impl Wallet {
    /// Checks the passcode and unlocks. The attempt is counted *before* the slow check and
    /// cleared only after it succeeds, so killing the app mid-check never earns a free try
    /// (and a check killed with the right passcode costs one attempt too). It is counted twice:
    /// in the secure area, out of reach of a restore of the app's files, and in the store.
    /// Reaches the backend to log in; without a network the wallet still unlocks, offline.
    pub async fn unlock(&self, passcode: Passcode) -> Result<AccountSummary, WalletError> {
        let mut record = match self.load_account()? {
            AccountLoad::Present(record) => record,
            AccountLoad::Tampered => return Err(WalletError::Blocked(BlockReason::Tampered)),
            AccountLoad::Missing => {
                return Err(WalletError::InvalidState {
                    state: "not activated",
                });
            }
        };
        if let Some(reason) = record.block_reason {
            return Err(WalletError::Blocked(reason));
        }
        let alias = record.key_alias.clone();
        let counted = self
            .with_secure_area(move |sa| attempts::count(sa, &alias))
            .await?;
        if record.failed_attempts.max(counted) >= MAX_ATTEMPTS {
            return Err(self.block(&mut record, BlockReason::TooManyAttempts)?);
        }
        // Counted in the secure area first (a restore of the data directory cannot undo it),
        // then in the store.
        let alias = record.key_alias.clone();
        let counted = self
            .with_secure_area(move |sa| attempts::record(sa, &alias))
            .await?;
        record.failed_attempts = (record.failed_attempts + 1).max(counted);
        self.store()?
            .transaction(|tx, sealer| store::save_account(tx, sealer, &mut record))?;

        let verifier = record.secrets.passcode.clone();
        let ok = tokio::task::spawn_blocking(move || verifier.verify(&passcode))
            .await
            .map_err(|e| WalletError::Internal(e.to_string()))?;
        if !ok {
            if record.failed_attempts >= MAX_ATTEMPTS {
                return Err(self.block(&mut record, BlockReason::TooManyAttempts)?);
            }
            return Err(WalletError::WrongPasscode {
                attempts_left: MAX_ATTEMPTS - record.failed_attempts,
            });
        }
        let alias = record.key_alias.clone();
        self.with_secure_area(move |sa| attempts::clear(sa, &alias))
            .await?;
        record.failed_attempts = 0;
        self.store()?
            .transaction(|tx, sealer| store::save_account(tx, sealer, &mut record))?;
        let online = self
            .start_session(&record.device_id, &record.key_alias)
            .await?;
        if online {
            for capability in self.capabilities.iter() {
                capability.on_unlock(self).await;
            }
        }
        Ok(AccountSummary {
            account_id: record.account_id.clone(),
            device_id: record.device_id.clone(),
            level: record.level,
            online,
        })
    }

    /// Persists a block and returns the error to report.
    fn block(
        &self,
        record: &mut store::AccountRecord,
        reason: BlockReason,
    ) -> Result<WalletError, WalletError> {
        record.block_reason = Some(reason);
        self.store()?
            .transaction(|tx, sealer| store::save_account(tx, sealer, record))?;
        *self.session()? = None;
        Ok(WalletError::Blocked(reason))
    }

    /// Forgets the session; the passcode is needed again.
    pub fn lock(&self) -> Result<(), WalletError> {
        *self.session()? = None;
        Ok(())
    }

    /// Logs in by signing a backend challenge with the device key. Network failures leave an
    /// offline session (`false`); a revoked device blocks the wallet.
    pub(crate) async fn start_session(
        &self,
        device_id: &str,
        key_alias: &str,
    ) -> Result<bool, WalletError> {
        let tokens = match self.login(device_id, key_alias).await {
            Ok(tokens) => Some(tokens),
            Err(WalletError::Api(e)) if e.is_network() => None,
            Err(e) => return Err(e),
        };
        let online = tokens.is_some();
        *self.session()? = Some(Session {
            tokens,
            unlocked_at: Instant::now(),
        });
        Ok(online)
    }

    async fn login(&self, device_id: &str, key_alias: &str) -> Result<Tokens, WalletError> {
        let result = self.login_once(device_id, key_alias).await;
        if let Err(WalletError::Api(e)) = &result
            && e.code() == Some(ApiErrorCode::DeviceRevoked)
        {
            return Err(self.mark_revoked()?);
        }
        result
    }

    async fn login_once(&self, device_id: &str, key_alias: &str) -> Result<Tokens, WalletError> {
        let challenge = self
            .api
            .challenge(&api::ChallengeRequest {
                device_id: device_id.to_string(),
            })
            .await?;
        let bytes = B64
            .decode(&challenge.challenge)
            .map_err(|e| ApiError::Malformed(format!("challenge: {e}")))?;
        let message = api::login_message(device_id, &bytes);
        let alias = key_alias.to_string();
        let signature = self
            .with_secure_area(move |sa| sa.sign(&alias, &message))
            .await?;
        let tokens = self
            .api
            .token(&api::TokenRequest {
                challenge_id: challenge.challenge_id,
                signature: B64.encode(signature),
            })
            .await?;
        Ok(Tokens::from_response(tokens))
    }

    fn mark_revoked(&self) -> Result<WalletError, WalletError> {
        match self.load_account()? {
            AccountLoad::Present(mut record) => self.block(&mut record, BlockReason::DeviceRevoked),
            _ => Ok(WalletError::Blocked(BlockReason::DeviceRevoked)),
        }
    }

    /// A valid access token: the current one, a refreshed one, or a new login.
    pub(crate) async fn access_token(&self) -> Result<zeroize::Zeroizing<String>, WalletError> {
        let refresh = {
            let session = self.session()?;
            let session = session.as_ref().ok_or(WalletError::NotUnlocked)?;
            match &session.tokens {
                Some(t) if t.access_valid() => return Ok(t.access.clone()),
                Some(t) if t.refresh_valid() => Some(t.refresh.clone()),
                _ => None,
            }
        };
        let tokens = match refresh {
            Some(refresh) => {
                match self
                    .api
                    .refresh(&api::RefreshRequest {
                        refresh_token: refresh.to_string(),
                    })
                    .await
                {
                    Ok(t) => Tokens::from_response(t),
                    Err(e) if e.is_network() => return Err(e.into()),
                    Err(_) => self.relogin().await?,
                }
            }
            None => self.relogin().await?,
        };
        let access = tokens.access.clone();
        if let Some(session) = self.session()?.as_mut() {
            session.tokens = Some(tokens);
        }
        Ok(access)
    }

    async fn relogin(&self) -> Result<Tokens, WalletError> {
        let record = match self.load_account()? {
            AccountLoad::Present(record) => record,
            AccountLoad::Tampered => return Err(WalletError::Blocked(BlockReason::Tampered)),
            AccountLoad::Missing => return Err(WalletError::NotUnlocked),
        };
        self.login(&record.device_id, &record.key_alias).await
    }

    /// The account as the backend sees it (level, profile), refreshing tokens as needed. The
    /// level is saved locally when it changed.
    pub async fn account_info(&self) -> Result<api::AccountInfo, WalletError> {
        let token = self.access_token().await?;
        let info = match self.api.me(&token).await {
            Err(e) if e.code() == Some(ApiErrorCode::Unauthorized) => {
                if let Some(s) = self.session()?.as_mut() {
                    s.tokens = None;
                }
                let token = self.access_token().await?;
                self.api.me(&token).await
            }
            other => other,
        };
        let info = match info {
            Err(e) if e.code() == Some(ApiErrorCode::DeviceRevoked) => {
                return Err(self.mark_revoked()?);
            }
            other => other?,
        };
        if let AccountLoad::Present(mut record) = self.load_account()?
            && (record.level != info.level || record.secrets.profile != info.citizen)
        {
            record.level = info.level;
            record.secrets.profile = info.citizen.clone();
            self.store()?
                .transaction(|tx, sealer| store::save_account(tx, sealer, &mut record))?;
        }
        Ok(info)
    }
}
