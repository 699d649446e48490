//! The wallet's error type. Every error maps to one stable [`ErrorCode`].
//!
//! The core's failures are variants of [`WalletError`]; a capability's own failures (a
//! health-book input out of range, a judicial form field) are its own error type, carried
//! through [`WalletError::Capability`] so that adding a capability adds a file, not variants
//! here. Callers that need the details downcast with [`WalletError::downcast_capability`].

mod codes;

pub use crate::store::BlockReason;
pub(crate) use codes::error_codes;
pub use codes::{CORE_CODES, ErrorCategory, ErrorCode, Lang};

use crate::api_client::ApiError;
use crate::secure_area::SecureAreaError;
use crate::store::StoreError;
use vneid_credential::receipt::ReceiptError;
use vneid_identity::{DateError, EmailError, IdNumberError, PasscodeRuleError, PhoneError};

/// Everything a wallet operation can fail with.
#[derive(Debug, thiserror::Error)]
pub enum WalletError {
    #[error("invalid personal ID number: {0}")]
    IdNumber(#[from] IdNumberError),
    #[error("invalid phone number: {0}")]
    Phone(#[from] PhoneError),
    #[error("invalid email: {0}")]
    Email(#[from] EmailError),
    #[error("invalid date of birth: {0}")]
    Date(#[from] DateError),
    #[error("passcode rejected: {0}")]
    PasscodeRule(#[from] PasscodeRuleError),
    #[error("the SMS code has 6 digits")]
    OtpFormat,
    #[error("the activation session expired before the passcode was set")]
    EnrolmentExpired,
    #[error("wrong passcode, {attempts_left} attempts left")]
    WrongPasscode { attempts_left: u32 },
    #[error("wallet blocked: {0:?}")]
    Blocked(BlockReason),
    #[error("operation not allowed in state {state}")]
    InvalidState { state: &'static str },
    #[error("the wallet is locked; unlock it with the passcode first")]
    NotUnlocked,
    #[error("backend: {0}")]
    Api(#[from] ApiError),
    #[error("secure area: {0}")]
    SecureArea(#[from] SecureAreaError),
    #[error("store: {0}")]
    Store(#[from] StoreError),
    #[error("no usable credential of this type; fetch credentials first")]
    NoCredential,
    /// A credential from the backend did not check out (issuer, key, claims, type, time).
    #[error("credential from the backend rejected: {0}")]
    CredentialRejected(CredentialRejection),
    #[error("presentation could not be built: {0}")]
    Presentation(String),
    /// A capability's own failure (health book, judicial requests, ...).
    #[error(transparent)]
    Capability(CapabilityFailure),
    // The level-2 upgrade with the chip ID card.
    #[error("chip read: {0}")]
    Chip(#[from] vneid_emrtd::session::SessionError),
    #[error("the selfie is empty")]
    SelfieMissing,
    #[error("the chip failed chip or active authentication (a cloned chip)")]
    ChipCloned,
    #[error("operation cancelled")]
    Cancelled,
    #[error("internal error: {0}")]
    Internal(String),
}

/// Why a credential copy from the backend was refused (nothing of the batch is stored).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialRejection {
    /// The backend's trust list does not verify against the pinned anchors.
    #[error("trust list: {0}")]
    TrustList(vneid_credential::trust::ListError),
    /// Not one copy per requested key.
    #[error("wrong number of copies")]
    CopyCount,
    /// A copy for a device key the wallet did not send.
    #[error("copy for a key that was not requested")]
    UnrequestedKey,
    /// The copy does not parse, or its claims or holder key do not match its signed root.
    #[error("copy does not match its key or claims")]
    NotBound,
    /// Checked against the trust list: issuer, type, validity.
    #[error("{0}")]
    Receipt(vneid_credential::receipt::ReceiptError),
}

/// What a capability's error type provides so the wallet can carry it to the app.
pub trait CapabilityError: std::error::Error + Send + Sync + 'static {
    /// Its stable code (declared by the capability with [`error_codes!`]).
    fn code(&self) -> ErrorCode;
    /// The form field it is about (`residence_history[1].from`), if any.
    fn field(&self) -> Option<&str> {
        None
    }
    fn as_any(&self) -> &dyn std::any::Any;
}

/// A capability's error inside a [`WalletError`].
pub struct CapabilityFailure(Box<dyn CapabilityError>);

impl CapabilityFailure {
    pub fn new(e: impl CapabilityError) -> Self {
        Self(Box::new(e))
    }
}

impl std::fmt::Debug for CapabilityFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.0, f)
    }
}

impl std::fmt::Display for CapabilityFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for CapabilityFailure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

impl WalletError {
    /// Wraps a capability's error.
    pub fn capability(e: impl CapabilityError) -> Self {
        WalletError::Capability(CapabilityFailure::new(e))
    }

    /// The capability error of type `E` inside, if that is what this is.
    pub fn downcast_capability<E: CapabilityError>(&self) -> Option<&E> {
        match self {
            WalletError::Capability(f) => f.0.as_any().downcast_ref(),
            _ => None,
        }
    }

    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        use vneid_api::ApiErrorCode as A;
        match self {
            WalletError::IdNumber(IdNumberError::BirthYearMismatch { .. }) => {
                ErrorCode::IdNumberBirthYearMismatch
            }
            WalletError::IdNumber(_) => ErrorCode::IdNumberInvalid,
            WalletError::Phone(_) => ErrorCode::PhoneInvalid,
            WalletError::Email(_) => ErrorCode::EmailInvalid,
            WalletError::Date(_) => ErrorCode::DateInvalid,
            WalletError::PasscodeRule(PasscodeRuleError::NotSixDigits) => ErrorCode::PasscodeFormat,
            WalletError::PasscodeRule(PasscodeRuleError::BirthDate) => {
                ErrorCode::PasscodeIsBirthDate
            }
            WalletError::PasscodeRule(_) => ErrorCode::PasscodeTooSimple,
            WalletError::OtpFormat => ErrorCode::OtpFormat,
            WalletError::EnrolmentExpired => ErrorCode::EnrolmentExpired,
            WalletError::WrongPasscode { .. } => ErrorCode::PasscodeWrong,
            WalletError::Blocked(BlockReason::DeviceRevoked) => ErrorCode::DeviceRevoked,
            WalletError::Blocked(_) => ErrorCode::WalletBlocked,
            WalletError::InvalidState { .. } => ErrorCode::InvalidState,
            WalletError::NotUnlocked => ErrorCode::NotUnlocked,
            WalletError::Api(api) => match api {
                ApiError::Unreachable(_) => ErrorCode::NetworkUnavailable,
                ApiError::Timeout => ErrorCode::NetworkTimeout,
                ApiError::Malformed(_) | ApiError::UnexpectedStatus(_) => ErrorCode::ServerError,
                ApiError::Rejected { body, .. } => match body.code {
                    A::IdentityMismatch => ErrorCode::IdentityMismatch,
                    A::OtpInvalid => ErrorCode::OtpWrong,
                    A::OtpExpired => ErrorCode::OtpExpired,
                    A::OtpAttemptsExhausted | A::ActivationNotFound => {
                        ErrorCode::OtpAttemptsExhausted
                    }
                    A::OtpResendTooSoon => ErrorCode::OtpResendTooSoon,
                    A::EnrolmentInvalid => ErrorCode::EnrolmentExpired,
                    A::DeviceRevoked => ErrorCode::DeviceRevoked,
                    A::RateLimited => ErrorCode::RateLimited,
                    A::Unauthorized | A::RefreshInvalid | A::ChallengeInvalid => {
                        ErrorCode::SessionExpired
                    }
                    A::BadRequest
                    | A::KeyProofInvalid
                    | A::SignatureInvalid
                    | A::DeviceNotFound
                    | A::NotFound
                    | A::Internal => ErrorCode::ServerError,
                    // An action the backend's state does not allow (the eID credential for
                    // a level-1 account); capabilities name their own conflicts.
                    A::Conflict => ErrorCode::InvalidState,
                    // The level-2 upgrade with the chip ID card.
                    A::ChipEvidenceInvalid => ErrorCode::ChipEvidenceRejected,
                    A::ChipHolderMismatch => ErrorCode::ChipHolderMismatch,
                },
            },
            WalletError::SecureArea(_) | WalletError::Store(StoreError::SecureArea(_)) => {
                ErrorCode::SecureAreaFailure
            }
            WalletError::Store(_) => ErrorCode::StorageFailure,
            WalletError::NoCredential => ErrorCode::NoCredential,
            WalletError::CredentialRejected(
                CredentialRejection::TrustList(_)
                | CredentialRejection::Receipt(ReceiptError::Issuer(_)),
            ) => ErrorCode::CredentialIssuerUntrusted,
            WalletError::CredentialRejected(_) => ErrorCode::CredentialRejected,
            WalletError::Presentation(_) => ErrorCode::PresentationFailed,
            WalletError::Capability(f) => f.0.code(),
            WalletError::Chip(e) => chip_code(e),
            WalletError::SelfieMissing => ErrorCode::SelfieInvalid,
            WalletError::ChipCloned => ErrorCode::ChipEvidenceRejected,
            WalletError::Cancelled => ErrorCode::Cancelled,
            WalletError::Internal(_) => ErrorCode::Internal,
        }
    }

    /// The form field an error is about (`residence_history[1].from`), for judicial forms.
    pub fn field_path(&self) -> Option<&str> {
        match self {
            WalletError::Capability(f) => f.0.field(),
            _ => None,
        }
    }

    /// Remaining tries, for a wrong OTP or passcode.
    pub fn attempts_left(&self) -> Option<u32> {
        match self {
            WalletError::WrongPasscode { attempts_left } => Some(*attempts_left),
            WalletError::Api(ApiError::Rejected { body, .. }) => body.attempts_left,
            _ => None,
        }
    }

    /// Seconds to wait before retrying, when the backend said so.
    pub fn retry_after_seconds(&self) -> Option<u64> {
        match self {
            WalletError::Api(ApiError::Rejected { body, .. }) => body.retry_after_seconds,
            _ => None,
        }
    }
}

/// A failed chip read (level-2 upgrade), by what the citizen can do about it.
fn chip_code(e: &vneid_emrtd::session::SessionError) -> ErrorCode {
    use vneid_emrtd::session::SessionError as S;
    match e {
        S::Cancelled => ErrorCode::Cancelled,
        S::AccessDenied { .. } => ErrorCode::ChipAccessDenied,
        S::ApplicationNotFound(_) => ErrorCode::ChipNotSupported,
        S::ConnectionLost { .. } | S::Transport(_) => ErrorCode::ChipLost,
        _ => ErrorCode::ChipReadFailed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_passcode_reports_attempts_left() {
        let e = WalletError::WrongPasscode { attempts_left: 2 };
        assert_eq!(e.code(), ErrorCode::PasscodeWrong);
        assert_eq!(e.attempts_left(), Some(2));
    }
}
