//! The two-way flow's first half: a registered verifier's [`RequestSigner`] signs a request
//! QR for the claims of a preset, and the [`CounterRequest`] it returns is kept to check the
//! holder's answer with [`super::Verifier::verify_answer`].

use crate::claims::PresentationPreset;
use crate::error::{ErrorCode, VneidError};
use crate::now_or;
use crate::trust::data_invalid;
use std::sync::Arc;
use vneid_wallet::credential::cose::SigningKey;
use vneid_wallet::credential::qr::render_matrix;
use vneid_wallet::credential::request::{NONCE_LEN, Request};

/// A request QR this counter shows (two-way flow); keep it to check the answer.
#[derive(Debug, Clone, uniffi::Record)]
pub struct CounterRequest {
    /// `VR1:` + Base45: what the QR encodes.
    pub payload: String,
    pub qr_version: u8,
    pub qr_width: u32,
    /// Row-major modules, `qr_width * qr_width`, true = dark.
    pub modules: Vec<bool>,
    /// The request's fresh nonce (16 bytes).
    pub nonce: Vec<u8>,
    /// The verifier identity the holder signs for.
    pub audience: String,
    pub expires_at: u64,
}

/// A registered verifier's signing key, signing request QRs (two-way flow).
#[derive(uniffi::Object)]
pub struct RequestSigner {
    key: SigningKey,
}

impl std::fmt::Debug for RequestSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestSigner").finish_non_exhaustive()
    }
}

#[uniffi::export]
impl RequestSigner {
    /// `private_key`: a PKCS#8 P-256 key, or a raw 32-byte scalar (test keys). The public key
    /// must be registered in the trust list as a verifier. A bad key is
    /// `VERIFIER_DATA_INVALID`.
    #[uniffi::constructor]
    pub fn new(private_key: Vec<u8>) -> Result<Arc<Self>, VneidError> {
        let key = match <&[u8; 32]>::try_from(private_key.as_slice()) {
            Ok(scalar) => SigningKey::from_secret_scalar(scalar),
            Err(_) => SigningKey::from_pkcs8(&private_key),
        }
        .map_err(|_| data_invalid())?;
        Ok(Arc::new(Self { key }))
    }

    /// A signed request for the claims of `preset`, valid `validity_seconds` from `now_unix`
    /// (null for the system clock), under a fresh random nonce.
    pub fn create_request(
        &self,
        audience: String,
        preset: PresentationPreset,
        validity_seconds: u64,
        now_unix: Option<u64>,
    ) -> Result<CounterRequest, VneidError> {
        let internal = |_| VneidError::from_code(ErrorCode::Internal, None, None);
        let now = now_or(now_unix);
        let nonce: [u8; NONCE_LEN] = vneid_wallet::crypto::random_bytes().map_err(internal)?;
        let p = preset.core();
        let request = Request {
            nonce,
            audience,
            credential_type: p.credential_type,
            claims: p.claims.to_vec(),
            issued_at: now,
            expires_at: now.saturating_add(validity_seconds),
        };
        let payload = request
            .to_qr_text(&self.key)
            .map_err(|_| VneidError::from_code(ErrorCode::Internal, None, None))?;
        let qr = render_matrix(&payload)
            .map_err(|_| VneidError::from_code(ErrorCode::RequestInvalid, None, None))?;
        Ok(CounterRequest {
            payload,
            qr_version: u8::try_from(qr.version).unwrap_or(0),
            qr_width: u32::try_from(qr.width).unwrap_or(0),
            modules: qr.modules,
            nonce: request.nonce.to_vec(),
            audience: request.audience,
            expires_at: request.expires_at,
        })
    }
}
