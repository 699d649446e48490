//! The counter's trust anchor: a signed trust list is verified against the pinned anchor
//! key before any check relies on it.

use crate::error::{ErrorCode, VneidError};
use vneid_wallet::credential::cose::PublicKey;
use vneid_wallet::credential::trust::{FreshnessPolicy, TrustList};

pub(crate) fn data_invalid() -> VneidError {
    VneidError::from_code(ErrorCode::VerifierDataInvalid, None, None)
}

/// The signed trust list verified against the pinned anchor (SEC1 public key).
pub(crate) fn trust_list_from(
    trust_list: &[u8],
    anchor_public_key: &[u8],
) -> Result<TrustList, VneidError> {
    let anchor = PublicKey::from_sec1(anchor_public_key).map_err(|_| data_invalid())?;
    TrustList::verify(trust_list, &[anchor], FreshnessPolicy::default()).map_err(|_| data_invalid())
}
