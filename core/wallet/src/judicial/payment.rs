//! Paying the fee: a [`PaymentGateway`] the app implements (a bank or e-wallet SDK shows its
//! own screens and returns a receipt), and [`TestPaymentGateway`], which charges through the
//! reference backend's test gateway.
//!
//! The trait is synchronous: gateway SDKs block on the citizen's interaction, and the wallet
//! calls it off the async threads (as it does the secure area).

use crate::api_client::{ApiClient, ApiError};
use std::time::Duration;
use vneid_api::judicial::{DevChargeRequest, PaymentReceipt, paths};

/// What to charge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentOrder {
    /// The backend's request id; the receipt must name it.
    pub order_ref: String,
    pub amount_vnd: u64,
    /// Shown by the gateway, e.g. "Phí cấp Phiếu lý lịch tư pháp LLTP-…".
    pub description: String,
}

/// Why a payment did not go through.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentError {
    #[error("the citizen cancelled the payment")]
    Cancelled,
    #[error("the gateway declined the payment")]
    Declined,
    #[error("gateway failure: {0}")]
    Failed(String),
}

/// A payment gateway. `pay` may block while the citizen confirms.
pub trait PaymentGateway: Send + Sync {
    fn pay(&self, order: &PaymentOrder) -> Result<PaymentReceipt, PaymentError>;
}

/// The reference backend's test gateway: it charges nothing and signs a receipt the backend
/// accepts. Needs the backend's dev token (the gateway is a dev-only endpoint).
#[derive(Debug, Clone)]
pub struct TestPaymentGateway {
    api: ApiClient,
    dev_token: zeroize::Zeroizing<String>,
}

impl TestPaymentGateway {
    pub fn new(backend_url: &str, dev_token: &str) -> Result<Self, ApiError> {
        Ok(Self {
            api: ApiClient::new(backend_url, Duration::from_secs(20))?,
            dev_token: zeroize::Zeroizing::new(dev_token.to_owned()),
        })
    }

    /// Charges `order` (async form, for callers already on a runtime).
    pub async fn charge(&self, order: &PaymentOrder) -> Result<PaymentReceipt, PaymentError> {
        let req = self
            .api
            .request(reqwest::Method::POST, paths::DEV_PAYMENT_GATEWAY)
            .header(vneid_api::DEV_TOKEN_HEADER, self.dev_token.as_str())
            .json(&DevChargeRequest {
                order_ref: order.order_ref.clone(),
                amount_vnd: order.amount_vnd,
            });
        match self.api.send::<PaymentReceipt>(req).await {
            Ok(r) => Ok(r),
            Err(ApiError::Rejected { .. }) => Err(PaymentError::Declined),
            Err(e) => Err(PaymentError::Failed(e.to_string())),
        }
    }
}

impl PaymentGateway for TestPaymentGateway {
    /// Blocks on the charge; call it from a blocking thread (the wallet does).
    fn pay(&self, order: &PaymentOrder) -> Result<PaymentReceipt, PaymentError> {
        match tokio::runtime::Handle::try_current() {
            Ok(h) => h.block_on(self.charge(order)),
            Err(_) => tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| PaymentError::Failed(e.to_string()))?
                .block_on(self.charge(order)),
        }
    }
}
