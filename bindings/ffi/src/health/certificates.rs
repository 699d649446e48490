//! The book's certificates (sick leave, driver health) as QRs for a counter: fetching their
//! issuer-signed copies, counting them, and presenting one (recorded in the disclosure history).

use crate::error::VneidError;
use crate::presentation::{CredentialSummary, PresentationQr};
use crate::wallet::WalletCore;

#[uniffi::export(async_runtime = "tokio")]
impl WalletCore {
    /// Fetches QR copies of one certificate of the book (sick leave, driver health).
    pub async fn health_fetch_certificate(
        &self,
        record_id: String,
    ) -> Result<CredentialSummary, VneidError> {
        self.run(move |w| async move { w.health_fetch_certificate(&record_id).await })
            .await
            .map(Into::into)
    }

    /// Copies of one certificate on hand.
    pub fn health_certificate_copies(
        &self,
        record_id: String,
    ) -> Result<CredentialSummary, VneidError> {
        Ok(self.wallet.health_certificate_copies(&record_id)?.into())
    }

    /// One certificate of the book as a QR for the counter (the whole certificate, recorded
    /// in the disclosure history); fetches copies first when none is left unused.
    pub async fn health_present_certificate(
        &self,
        record_id: String,
    ) -> Result<PresentationQr, VneidError> {
        self.run(move |w| async move { w.health_present_certificate(&record_id, None).await })
            .await
            .map(Into::into)
    }
}
