//! HTTP client of the backend API (reqwest with rustls).
//!
//! Responses are untrusted: bodies are read up to a fixed size and decoded into the typed wire
//! structs of `vneid-api`; anything else is [`ApiError::Malformed`].

use base64::Engine as _;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::time::Duration;
use vneid_api::{self as api, ApiErrorBody, paths};

/// Largest response body the client reads.
const MAX_BODY: usize = 1 << 20;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("backend unreachable: {0}")]
    Unreachable(String),
    #[error("request timed out")]
    Timeout,
    #[error("backend rejected the request ({status}): {code:?}", code = body.code)]
    Rejected { status: u16, body: ApiErrorBody },
    #[error("unexpected HTTP status {0}")]
    UnexpectedStatus(u16),
    #[error("malformed response: {0}")]
    Malformed(String),
}

impl ApiError {
    /// The backend's error code, when it answered with one.
    pub fn code(&self) -> Option<api::ApiErrorCode> {
        match self {
            ApiError::Rejected { body, .. } => Some(body.code),
            _ => None,
        }
    }

    /// True when the request never got an answer: worth retrying later, and not evidence of
    /// anything about the account.
    pub fn is_network(&self) -> bool {
        matches!(self, ApiError::Unreachable(_) | ApiError::Timeout)
    }
}

fn transport(e: reqwest::Error) -> ApiError {
    if e.is_timeout() {
        ApiError::Timeout
    } else {
        // Drop the URL: it names our backend, nothing personal, but keeps messages short.
        ApiError::Unreachable(e.without_url().to_string())
    }
}

/// Typed client of the backend.
#[derive(Debug, Clone)]
pub struct ApiClient {
    http: reqwest::Client,
    base: String,
}

impl ApiClient {
    pub fn new(base_url: &str, timeout: Duration) -> Result<Self, ApiError> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("vneid-core/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(transport)?;
        Ok(Self {
            http,
            base: base_url.trim_end_matches('/').to_string(),
        })
    }

    /// The HTTP client and the full URL of `path`, for request modules outside this file
    /// (judicial requests build their own requests with extra headers).
    pub(crate) fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http.request(method, format!("{}{path}", self.base))
    }

    pub(crate) async fn send<Resp: DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<Resp, ApiError> {
        let mut response = request.send().await.map_err(transport)?;
        let status = response.status();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transport)? {
            if body.len() + chunk.len() > MAX_BODY {
                return Err(ApiError::Malformed("response body too large".into()));
            }
            body.extend_from_slice(&chunk);
        }
        if status.is_success() {
            serde_json::from_slice(&body).map_err(|e| ApiError::Malformed(e.to_string()))
        } else {
            match serde_json::from_slice::<ApiErrorBody>(&body) {
                Ok(body) => Err(ApiError::Rejected {
                    status: status.as_u16(),
                    body,
                }),
                Err(_) => Err(ApiError::UnexpectedStatus(status.as_u16())),
            }
        }
    }

    async fn post<Req: Serialize, Resp: DeserializeOwned>(
        &self,
        path: &str,
        body: &Req,
    ) -> Result<Resp, ApiError> {
        self.send(self.http.post(format!("{}{path}", self.base)).json(body))
            .await
    }

    pub async fn start_activation(
        &self,
        req: &api::StartActivationRequest,
    ) -> Result<api::StartActivationResponse, ApiError> {
        self.post(paths::ACTIVATION_START, req).await
    }

    pub async fn resend_otp(
        &self,
        req: &api::ResendOtpRequest,
    ) -> Result<api::ResendOtpResponse, ApiError> {
        self.post(paths::ACTIVATION_RESEND_OTP, req).await
    }

    pub async fn verify_otp(
        &self,
        req: &api::VerifyOtpRequest,
    ) -> Result<api::VerifyOtpResponse, ApiError> {
        self.post(paths::ACTIVATION_VERIFY_OTP, req).await
    }

    pub async fn bind_device(
        &self,
        req: &api::BindDeviceRequest,
    ) -> Result<api::BindDeviceResponse, ApiError> {
        self.post(paths::ACTIVATION_BIND_DEVICE, req).await
    }

    pub async fn challenge(
        &self,
        req: &api::ChallengeRequest,
    ) -> Result<api::ChallengeResponse, ApiError> {
        self.post(paths::AUTH_CHALLENGE, req).await
    }

    pub async fn token(&self, req: &api::TokenRequest) -> Result<api::TokenResponse, ApiError> {
        self.post(paths::AUTH_TOKEN, req).await
    }

    pub async fn refresh(&self, req: &api::RefreshRequest) -> Result<api::TokenResponse, ApiError> {
        self.post(paths::AUTH_REFRESH, req).await
    }

    pub async fn me(&self, access_token: &str) -> Result<api::AccountInfo, ApiError> {
        self.send(
            self.http
                .get(format!("{}{}", self.base, paths::ME))
                .bearer_auth(access_token),
        )
        .await
    }

    /// Issues credentials to the logged-in account.
    pub async fn issue_credentials(
        &self,
        access_token: &str,
        req: &api::IssueCredentialsRequest,
    ) -> Result<api::IssueCredentialsResponse, ApiError> {
        self.send(
            self.http
                .post(format!("{}{}", self.base, paths::CREDENTIALS_ISSUE))
                .bearer_auth(access_token)
                .json(req),
        )
        .await
    }

    async fn signed_list(&self, path: &str) -> Result<Vec<u8>, ApiError> {
        let r: api::SignedListResponse = self
            .send(self.http.get(format!("{}{path}", self.base)))
            .await?;
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(r.signed)
            .map_err(|_| ApiError::Malformed("signed list is not base64url".into()))
    }

    /// The signed trust list (COSE_Sign1 bytes). Verify it against a pinned anchor.
    pub async fn trust_list(&self) -> Result<Vec<u8>, ApiError> {
        self.signed_list(paths::TRUST_LIST).await
    }

    /// One signed status list (COSE_Sign1 bytes). Verify it against the trust list.
    pub async fn status_list(&self, id: u32) -> Result<Vec<u8>, ApiError> {
        self.signed_list(&paths::status_list(id)).await
    }

    /// Health book: one page of the citizen's changes after `since`.
    pub async fn health_changes(
        &self,
        access_token: &str,
        since: u64,
        limit: u32,
    ) -> Result<api::health::HealthChangesResponse, ApiError> {
        self.send(
            self.http
                .get(format!(
                    "{}{}?since={since}&limit={limit}",
                    self.base,
                    api::health::paths::HEALTH_CHANGES
                ))
                .bearer_auth(access_token),
        )
        .await
    }

    /// Health book: credential copies of one certificate record (sick leave, driver health).
    pub async fn health_certificate(
        &self,
        access_token: &str,
        req: &api::health::HealthCertificateRequest,
    ) -> Result<api::health::HealthCertificateResponse, ApiError> {
        self.send(
            self.http
                .post(format!(
                    "{}{}",
                    self.base,
                    api::health::paths::HEALTH_CERTIFICATE
                ))
                .bearer_auth(access_token)
                .json(req),
        )
        .await
    }

    /// Dev-only: revokes one issued status index (tests and the demo).
    pub async fn dev_revoke(
        &self,
        dev_token: &str,
        req: &api::DevRevokeRequest,
    ) -> Result<api::DevRevokeResponse, ApiError> {
        self.send(
            self.http
                .post(format!("{}{}", self.base, paths::DEV_REVOKE))
                .header(api::DEV_TOKEN_HEADER, dev_token)
                .json(req),
        )
        .await
    }
}
