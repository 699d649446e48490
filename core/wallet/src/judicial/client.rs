//! HTTP calls of the judicial endpoints, on the wallet's [`ApiClient`].

use crate::api_client::{ApiClient, ApiError};
use reqwest::Method;
use vneid_api::judicial::{
    IDEMPOTENCY_KEY_HEADER, JudicialAnswerRequest, JudicialCertificateRequest,
    JudicialCertificateResponse, JudicialRequestView, PaymentReceipt, paths,
};

impl ApiClient {
    /// Submits a frozen body under its idempotency key. The body bytes are sent as they are,
    /// so every retry carries exactly what the first attempt did.
    pub(crate) async fn judicial_submit(
        &self,
        token: &str,
        idempotency_key: &str,
        body: &[u8],
    ) -> Result<JudicialRequestView, ApiError> {
        self.send(
            self.request(Method::POST, paths::REQUESTS)
                .bearer_auth(token)
                .header(IDEMPOTENCY_KEY_HEADER, idempotency_key)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.to_vec()),
        )
        .await
    }

    pub(crate) async fn judicial_get(
        &self,
        token: &str,
        id: &str,
    ) -> Result<JudicialRequestView, ApiError> {
        self.send(
            self.request(Method::GET, &paths::request(id))
                .bearer_auth(token),
        )
        .await
    }

    pub(crate) async fn judicial_answer(
        &self,
        token: &str,
        id: &str,
        answer: &str,
    ) -> Result<JudicialRequestView, ApiError> {
        self.send(
            self.request(Method::POST, &paths::answer(id))
                .bearer_auth(token)
                .json(&JudicialAnswerRequest {
                    answer: answer.to_owned(),
                }),
        )
        .await
    }

    pub(crate) async fn judicial_pay(
        &self,
        token: &str,
        id: &str,
        receipt: &PaymentReceipt,
    ) -> Result<JudicialRequestView, ApiError> {
        self.send(
            self.request(Method::POST, &paths::payment(id))
                .bearer_auth(token)
                .json(receipt),
        )
        .await
    }

    pub(crate) async fn judicial_certificate(
        &self,
        token: &str,
        id: &str,
        req: &JudicialCertificateRequest,
    ) -> Result<JudicialCertificateResponse, ApiError> {
        self.send(
            self.request(Method::POST, &paths::certificate(id))
                .bearer_auth(token)
                .json(req),
        )
        .await
    }
}

impl ApiClient {
    /// Dev-only: drives the office's workflow (tests and the demo stand in for its staff).
    pub async fn dev_judicial_advance(
        &self,
        dev_token: &str,
        req: &vneid_api::judicial::DevJudicialAdvanceRequest,
    ) -> Result<JudicialRequestView, ApiError> {
        self.send(
            self.request(Method::POST, paths::DEV_ADVANCE)
                .header(vneid_api::DEV_TOKEN_HEADER, dev_token)
                .json(req),
        )
        .await
    }
}
