//! Wire types of the backend HTTP API (JSON, `/v1`).
//!
//! One definition serves both ends so the wallet client and the reference backend cannot drift
//! apart; the OpenAPI document in `fixtures/backend/openapi.json` describes the same shapes and
//! a backend test checks it against the routes.
//!
//! Binary values (keys, signatures, challenges) travel as unpadded base64url strings.
//! Dates are ISO 8601 calendar dates (`YYYY-MM-DD`).

use serde::{Deserialize, Serialize};

// Health book: its own module, paths included.
pub mod health;

// Judicial-record certificate requests.
pub mod judicial;

// Level-2 upgrade with the chip ID card: paths, bodies and the signed message.
pub mod level2;

/// Paths of every endpoint, so neither side spells them twice.
pub mod paths {
    pub const HEALTH: &str = "/healthz";
    pub const OPENAPI: &str = "/openapi.json";
    pub const ACTIVATION_START: &str = "/v1/activation/start";
    pub const ACTIVATION_RESEND_OTP: &str = "/v1/activation/resend-otp";
    pub const ACTIVATION_VERIFY_OTP: &str = "/v1/activation/verify-otp";
    pub const ACTIVATION_BIND_DEVICE: &str = "/v1/activation/bind-device";
    pub const AUTH_CHALLENGE: &str = "/v1/auth/challenge";
    pub const AUTH_TOKEN: &str = "/v1/auth/token";
    pub const AUTH_REFRESH: &str = "/v1/auth/refresh";
    pub const ME: &str = "/v1/me";
    /// Dev-only: SMS messages the dev gateway "sent". Needs the `X-Dev-Token` header and a
    /// backend started with a dev token; otherwise the route answers 404.
    pub const DEV_SMS_OUTBOX: &str = "/v1/dev/sms-outbox";
    /// Dev-only: a few seeded (synthetic) citizens, so test drivers in other languages can
    /// activate without knowing the seed. Guarded like the SMS outbox.
    pub const DEV_CITIZENS: &str = "/v1/dev/citizens";
    /// Issue signed credentials (a batch of copies per type) to the logged-in account.
    pub const CREDENTIALS_ISSUE: &str = "/v1/credentials/issue";
    /// The signed trust list (issuer keys by kid, allowed types, validity).
    pub const TRUST_LIST: &str = "/v1/trust-list";
    /// One signed status list; `{id}` is the list id a credential names.
    pub const STATUS_LIST: &str = "/v1/status-lists/{id}";
    /// Dev-only: revoke one status index (guarded like the SMS outbox).
    pub const DEV_REVOKE: &str = "/v1/dev/revoke";

    /// The path of status list `id`.
    pub fn status_list(id: u32) -> String {
        format!("/v1/status-lists/{id}")
    }
}

/// Header carrying the dev token for dev-only endpoints.
pub const DEV_TOKEN_HEADER: &str = "x-dev-token";

/// Domain-separation prefix of the device's proof of possession at binding:
/// the device signs `BIND_PROOF_CONTEXT || enrolment_token (UTF-8)`.
pub const BIND_PROOF_CONTEXT: &[u8] = b"vneid-bind-v1:";
/// Domain-separation prefix of the login signature:
/// the device signs `LOGIN_CONTEXT || device_id (UTF-8) || ":" || challenge bytes`.
pub const LOGIN_CONTEXT: &[u8] = b"vneid-login-v1:";

/// The message a device signs to prove possession of its key when binding.
pub fn bind_proof_message(enrolment_token: &str) -> Vec<u8> {
    [BIND_PROOF_CONTEXT, enrolment_token.as_bytes()].concat()
}

/// The message a device signs to log in.
pub fn login_message(device_id: &str, challenge: &[u8]) -> Vec<u8> {
    [LOGIN_CONTEXT, device_id.as_bytes(), b":", challenge].concat()
}

/// Step 1: the citizen gives ID number, phone and date of birth; the backend checks them against
/// the population record and sends an SMS OTP to the phone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartActivationRequest {
    /// 12-digit personal identification number.
    pub id_number: String,
    /// Normalised E.164 form, `+84` followed by 9 digits.
    pub phone: String,
    pub date_of_birth: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartActivationResponse {
    pub activation_id: String,
    /// Phone with all but the last 3 digits masked, for "we sent a code to ...".
    pub masked_phone: String,
    pub otp_ttl_seconds: u64,
    pub resend_after_seconds: u64,
    pub max_attempts: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResendOtpRequest {
    pub activation_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResendOtpResponse {
    pub otp_ttl_seconds: u64,
    pub resend_after_seconds: u64,
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyOtpRequest {
    pub activation_id: String,
    pub otp: String,
}

impl std::fmt::Debug for VerifyOtpRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifyOtpRequest")
            .field("activation_id", &self.activation_id)
            .field("otp", &"<redacted>")
            .finish()
    }
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyOtpResponse {
    /// Single-use, short-lived token that authorises binding one device key.
    pub enrolment_token: String,
    pub enrolment_ttl_seconds: u64,
    pub citizen: CitizenProfile,
}

impl std::fmt::Debug for VerifyOtpResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifyOtpResponse")
            .field("enrolment_token", &"<redacted>")
            .field("enrolment_ttl_seconds", &self.enrolment_ttl_seconds)
            .finish_non_exhaustive()
    }
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BindDeviceRequest {
    pub enrolment_token: String,
    /// SEC1 uncompressed P-256 public key (65 bytes), base64url.
    pub device_public_key: String,
    /// DER ECDSA-SHA256 signature over [`bind_proof_message`], base64url.
    pub key_proof: String,
    pub device_name: String,
    /// `android`, `ios` or `desktop`.
    pub platform: String,
}

impl std::fmt::Debug for BindDeviceRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BindDeviceRequest")
            .field("enrolment_token", &"<redacted>")
            .field("device_name", &self.device_name)
            .field("platform", &self.platform)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BindDeviceResponse {
    pub account_id: String,
    pub device_id: String,
    pub level: u8,
    /// Device id of the phone this binding replaced, if the account had one.
    pub revoked_device_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChallengeRequest {
    pub device_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChallengeResponse {
    pub challenge_id: String,
    /// 32 random bytes, base64url.
    pub challenge: String,
    pub expires_in_seconds: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRequest {
    pub challenge_id: String,
    /// DER ECDSA-SHA256 signature over [`login_message`], base64url.
    pub signature: String,
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

impl std::fmt::Debug for RefreshRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RefreshRequest { refresh_token: <redacted> }")
    }
}

/// Access and refresh tokens. Refresh tokens rotate: each is single-use, and reusing a spent
/// one revokes the whole session.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub access_expires_in_seconds: u64,
    pub refresh_token: String,
    pub refresh_expires_in_seconds: u64,
}

impl std::fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenResponse")
            .field("access_token", &"<redacted>")
            .field("access_expires_in_seconds", &self.access_expires_in_seconds)
            .field("refresh_token", &"<redacted>")
            .field(
                "refresh_expires_in_seconds",
                &self.refresh_expires_in_seconds,
            )
            .finish()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    /// 3-digit province code of the personal ID number scheme (001 Hà Nội, 079 TP. Hồ Chí Minh…).
    pub province_code: String,
    pub province_name: String,
    /// Street, ward and district as one line.
    pub line: String,
}

impl std::fmt::Debug for Address {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Address")
            .field("province_code", &self.province_code)
            .finish_non_exhaustive()
    }
}

/// A citizen's record in the population database, as the account sees it.
/// Personal data: never logged (`Debug` shows no personal field).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CitizenProfile {
    pub id_number: String,
    pub full_name: String,
    pub date_of_birth: String,
    pub sex: Sex,
    pub nationality: String,
    pub place_of_origin: String,
    pub permanent_address: Address,
    pub masked_phone: String,
}

impl std::fmt::Debug for CitizenProfile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CitizenProfile { <personal data redacted> }")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountInfo {
    pub account_id: String,
    pub device_id: String,
    /// 1: registered and verified against the population database; 2: identity confirmed by
    /// the chip card.
    pub level: u8,
    pub citizen: CitizenProfile,
}

/// One message the dev SMS gateway "sent".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsMessage {
    pub phone: String,
    pub body: String,
    /// Unix seconds.
    pub sent_at: u64,
}

/// A seeded synthetic citizen, as the dev citizens endpoint lists them.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevCitizen {
    pub id_number: String,
    pub full_name: String,
    pub date_of_birth: String,
    /// E.164.
    pub phone: String,
}

impl std::fmt::Debug for DevCitizen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DevCitizen(<redacted>)")
    }
}

/// Every error response has this body, with a stable machine `code`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiErrorBody {
    pub code: ApiErrorCode,
    /// English text for logs and developers; apps show their own localised message by `code`.
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempts_left: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_seconds: Option<u64>,
}

/// Stable error codes of the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApiErrorCode {
    /// Request body or parameters malformed (HTTP 400).
    BadRequest,
    /// ID number, date of birth and phone do not match one population record (HTTP 422).
    /// Deliberately one code for all three so the API does not confirm which part is wrong.
    IdentityMismatch,
    /// No such activation or it was already completed (HTTP 404).
    ActivationNotFound,
    /// Wrong OTP; `attempts_left` says how many remain (HTTP 422).
    OtpInvalid,
    /// OTP older than its lifetime (HTTP 410).
    OtpExpired,
    /// Too many wrong OTPs; start again (HTTP 429).
    OtpAttemptsExhausted,
    /// Resend asked before the cooldown ended; `retry_after_seconds` (HTTP 429).
    OtpResendTooSoon,
    /// Enrolment token unknown, spent or expired (HTTP 401).
    EnrolmentInvalid,
    /// Key proof signature or public key invalid (HTTP 400).
    KeyProofInvalid,
    /// Challenge unknown, spent or expired (HTTP 401).
    ChallengeInvalid,
    /// Login signature does not verify under the device key (HTTP 401).
    SignatureInvalid,
    /// The device was replaced by another phone's binding (HTTP 401).
    DeviceRevoked,
    /// Unknown device id (HTTP 404).
    DeviceNotFound,
    /// Access token missing, invalid or expired (HTTP 401).
    Unauthorized,
    /// Refresh token unknown, expired, or reused (HTTP 401).
    RefreshInvalid,
    /// Too many requests from this client (HTTP 429).
    RateLimited,
    /// Not found (HTTP 404).
    NotFound,
    /// Server fault (HTTP 500).
    Internal,
    /// Idempotency key reused with another body, or a workflow step not allowed in the
    /// request's current state (HTTP 409).
    Conflict,
    // --- Level-2 upgrade ---
    /// The chip evidence failed the backend's passive authentication: a data group altered,
    /// a document signer expired, revoked or not under a trusted CSCA, malformed files
    /// (HTTP 422).
    ChipEvidenceInvalid,
    /// The card belongs to someone else than the account's citizen, or its name or birth date
    /// differ from the population record (HTTP 422).
    ChipHolderMismatch,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_serialise_as_stable_snake_case_strings() {
        let body = ApiErrorBody {
            code: ApiErrorCode::OtpInvalid,
            message: "wrong code".into(),
            attempts_left: Some(3),
            retry_after_seconds: None,
        };
        let json = serde_json::to_string(&body).unwrap_or_default();
        assert_eq!(
            json,
            r#"{"code":"otp_invalid","message":"wrong code","attempts_left":3}"#
        );
    }

    #[test]
    fn debug_output_of_secrets_and_personal_data_is_redacted() {
        let req = VerifyOtpRequest {
            activation_id: "a1".into(),
            otp: "123456".into(),
        };
        assert!(!format!("{req:?}").contains("123456"));
        let profile = CitizenProfile {
            id_number: "001099012345".into(),
            full_name: "Nguyễn Văn An".into(),
            date_of_birth: "1999-01-01".into(),
            sex: Sex::Male,
            nationality: "Việt Nam".into(),
            place_of_origin: "Hà Nội".into(),
            permanent_address: Address {
                province_code: "001".into(),
                province_name: "Hà Nội".into(),
                line: "1 Tràng Tiền".into(),
            },
            masked_phone: "*******678".into(),
        };
        let dbg = format!("{profile:?}");
        assert!(!dbg.contains("Nguyễn") && !dbg.contains("001099012345"));
    }

    #[test]
    fn signed_messages_are_domain_separated() {
        assert!(bind_proof_message("t").starts_with(BIND_PROOF_CONTEXT));
        assert_eq!(
            login_message("d", &[1, 2]),
            b"vneid-login-v1:d:\x01\x02".to_vec()
        );
    }
}

/// Credential types the backend issues, by their names in the credential registry
/// (`vneid_credential::claims::TYPES`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialKind {
    /// Core ID: name, ID number, birth date, sex, portrait digest, nationality, place of
    /// origin, residence, card validity. Before level 2 it is the level-1 identity (no card
    /// validity).
    CoreId,
    /// Age over 18 only.
    #[serde(rename = "age_over_18")]
    AgeOver18,
    /// Level 2: the electronic ID, built from the chip data the backend verified
    /// (portrait digest of the chip's face, card validity). Issued only to level-2 accounts.
    ElectronicId,
    /// The BHYT health-insurance card (from the health book): card number, name, birth
    /// date, sex, ID number, validity, primary-care facility, residence.
    Bhyt,
}

/// Largest batch of copies of one type per request (one device key each).
pub const MAX_BATCH: usize = 16;

/// One batch: `device_public_keys.len()` copies of one credential type, each bound to its
/// own device key so presentations from the batch cannot be linked by a repeated key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialBatchRequest {
    pub credential_type: CredentialKind,
    /// SEC1 P-256 public keys (33 or 65 bytes), base64url; at most [`MAX_BATCH`].
    pub device_public_keys: Vec<String>,
}

/// `POST /v1/credentials/issue` body; needs a Bearer access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueCredentialsRequest {
    pub batches: Vec<CredentialBatchRequest>,
}

/// One issued copy. `credential` is secret to the holder: it carries the root seed that
/// unlocks every salt.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedCredentialCopy {
    pub credential_type: CredentialKind,
    /// The device key it is bound to, as sent in the request.
    pub device_public_key: String,
    /// base64url of the holder envelope `[COSE_Sign1, root seed, {claim: value}]`.
    pub credential: String,
    pub status_list_id: u32,
    pub status_index: u32,
    /// Unix seconds.
    pub expires_at: u64,
}

impl std::fmt::Debug for IssuedCredentialCopy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedCredentialCopy")
            .field("credential_type", &self.credential_type)
            .field("credential", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueCredentialsResponse {
    pub credentials: Vec<IssuedCredentialCopy>,
}

/// A signed list (trust list or status list): COSE_Sign1 bytes, base64url.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedListResponse {
    pub signed: String,
    /// Unix seconds when the backend signed it.
    pub issued_at: u64,
}

/// Dev-only revocation of one status index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevRevokeRequest {
    pub status_list_id: u32,
    pub status_index: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevRevokeResponse {
    /// False when the index had not been issued (nothing changed).
    pub revoked: bool,
}
