//! The wallet's error type and the catalogue of stable error codes.
//!
//! Every error maps to one [`ErrorCode`]: a stable string the apps switch on, a category, and a
//! citizen-facing message in Vietnamese and English. Messages are static text: they can never
//! carry personal data, whatever the error's source said.

use crate::api_client::ApiError;
use crate::secure_area::SecureAreaError;
use crate::store::StoreError;
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
    /// A credential from the backend did not check out (wrong key, claims or type).
    #[error("credential from the backend rejected: {0}")]
    CredentialRejected(String),
    #[error("presentation could not be built: {0}")]
    Presentation(String),
    #[error("operation cancelled")]
    Cancelled,
    #[error("internal error: {0}")]
    Internal(String),
}

/// Why the wallet refuses to unlock until it is re-activated with an SMS OTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockReason {
    /// Five wrong passcodes in a row.
    TooManyAttempts,
    /// The stored account record failed its integrity check (edited outside the app).
    Tampered,
    /// Another phone was bound to the account; this one was signed out by the backend.
    DeviceRevoked,
}

/// Broad class of an error, for apps that handle groups of codes alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCategory {
    Input,
    Otp,
    Passcode,
    Account,
    Network,
    Server,
    Device,
    Storage,
    /// Credentials, presentations and verification.
    Credential,
    /// Reading the chip ID card.
    Chip,
    Cancelled,
    Internal,
}

/// Language of a citizen-facing message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Vi,
    En,
}

macro_rules! error_codes {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, $cat:ident, $vi:literal, $en:literal; )*) => {
        /// Stable error codes. The string form never changes once published.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode { $( $(#[$doc])* $variant, )* }

        impl ErrorCode {
            /// Every code, for catalogue tests and documentation.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The stable string form, e.g. `"OTP_WRONG"`.
            pub fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $code,)* }
            }

            pub fn category(self) -> ErrorCategory {
                match self { $(ErrorCode::$variant => ErrorCategory::$cat,)* }
            }

            /// A message fit to show a citizen.
            pub fn message(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((ErrorCode::$variant, Lang::Vi) => $vi, (ErrorCode::$variant, Lang::En) => $en,)*
                }
            }
        }
    };
}

error_codes! {
    IdNumberInvalid = "ID_NUMBER_INVALID", Input,
        "Số định danh cá nhân không hợp lệ. Vui lòng kiểm tra 12 chữ số trên thẻ căn cước.",
        "The personal ID number is not valid. Please check the 12 digits on your ID card.";
    IdNumberBirthYearMismatch = "ID_NUMBER_BIRTH_YEAR_MISMATCH", Input,
        "Số định danh cá nhân không khớp với năm sinh.",
        "The personal ID number does not match the year of birth.";
    PhoneInvalid = "PHONE_INVALID", Input,
        "Số điện thoại di động không hợp lệ.",
        "The mobile phone number is not valid.";
    EmailInvalid = "EMAIL_INVALID", Input,
        "Địa chỉ email không hợp lệ.",
        "The email address is not valid.";
    DateInvalid = "DATE_INVALID", Input,
        "Ngày sinh không hợp lệ.",
        "The date of birth is not valid.";
    PasscodeFormat = "PASSCODE_FORMAT", Passcode,
        "Mật mã phải gồm đúng 6 chữ số.",
        "The passcode must be exactly 6 digits.";
    PasscodeTooSimple = "PASSCODE_TOO_SIMPLE", Passcode,
        "Mật mã quá dễ đoán. Tránh các số giống nhau, liên tiếp hoặc lặp lại.",
        "The passcode is too easy to guess. Avoid identical, consecutive or repeated digits.";
    PasscodeIsBirthDate = "PASSCODE_IS_BIRTH_DATE", Passcode,
        "Không dùng ngày sinh làm mật mã.",
        "Do not use your date of birth as the passcode.";
    PasscodeWrong = "PASSCODE_WRONG", Passcode,
        "Mật mã không đúng.",
        "Wrong passcode.";
    WalletBlocked = "WALLET_BLOCKED", Account,
        "Tài khoản đã bị tạm khóa trên thiết bị này. Vui lòng kích hoạt lại bằng mã OTP.",
        "The account is locked on this device. Please re-activate it with an SMS code.";
    DeviceRevoked = "DEVICE_REVOKED", Account,
        "Tài khoản đã được kích hoạt trên thiết bị khác. Vui lòng kích hoạt lại nếu bạn muốn dùng thiết bị này.",
        "The account was activated on another device. Re-activate it to use this device.";
    InvalidState = "INVALID_STATE", Account,
        "Thao tác này không thực hiện được lúc này.",
        "This action is not available right now.";
    NotUnlocked = "NOT_UNLOCKED", Account,
        "Vui lòng nhập mật mã để mở khóa.",
        "Please enter your passcode to unlock.";
    IdentityMismatch = "IDENTITY_MISMATCH", Account,
        "Thông tin không khớp với Cơ sở dữ liệu quốc gia về dân cư.",
        "The details do not match the national population database.";
    OtpFormat = "OTP_FORMAT", Otp,
        "Mã OTP gồm 6 chữ số.",
        "The verification code has 6 digits.";
    OtpWrong = "OTP_WRONG", Otp,
        "Mã OTP không đúng.",
        "Wrong verification code.";
    OtpExpired = "OTP_EXPIRED", Otp,
        "Mã OTP đã hết hạn. Vui lòng yêu cầu mã mới.",
        "The verification code has expired. Please request a new one.";
    OtpAttemptsExhausted = "OTP_ATTEMPTS_EXHAUSTED", Otp,
        "Nhập sai mã OTP quá số lần cho phép. Vui lòng thực hiện lại từ đầu.",
        "Too many wrong codes. Please start again.";
    OtpResendTooSoon = "OTP_RESEND_TOO_SOON", Otp,
        "Vui lòng đợi trước khi yêu cầu mã OTP mới.",
        "Please wait before asking for a new code.";
    EnrolmentExpired = "ENROLMENT_EXPIRED", Otp,
        "Phiên kích hoạt đã hết hạn. Vui lòng thực hiện lại.",
        "The activation session has expired. Please start again.";
    NetworkUnavailable = "NETWORK_UNAVAILABLE", Network,
        "Không có kết nối mạng. Vui lòng thử lại.",
        "No network connection. Please try again.";
    NetworkTimeout = "NETWORK_TIMEOUT", Network,
        "Kết nối quá thời gian chờ. Vui lòng thử lại.",
        "The connection timed out. Please try again.";
    RateLimited = "RATE_LIMITED", Server,
        "Bạn đã thử quá nhiều lần. Vui lòng thử lại sau.",
        "Too many attempts. Please try again later.";
    SessionExpired = "SESSION_EXPIRED", Server,
        "Phiên đăng nhập đã hết hạn. Vui lòng mở khóa lại.",
        "Your session has expired. Please unlock again.";
    ServerError = "SERVER_ERROR", Server,
        "Hệ thống đang bận. Vui lòng thử lại sau.",
        "The service is busy. Please try again later.";
    SecureAreaFailure = "SECURE_AREA_FAILURE", Device,
        "Không truy cập được vùng bảo mật của thiết bị.",
        "The device's secure key storage could not be used.";
    StorageFailure = "STORAGE_FAILURE", Storage,
        "Không đọc/ghi được dữ liệu trên thiết bị.",
        "Data on this device could not be read or written.";
    NoCredential = "NO_CREDENTIAL", Credential,
        "Chưa có giấy tờ điện tử để xuất trình. Vui lòng cập nhật dữ liệu khi có mạng.",
        "No electronic document to show yet. Please update while online.";
    CredentialRejected = "CREDENTIAL_REJECTED", Credential,
        "Giấy tờ điện tử nhận được không hợp lệ. Vui lòng thử lại sau.",
        "The electronic document received is not valid. Please try again later.";
    PresentationFailed = "PRESENTATION_FAILED", Credential,
        "Không tạo được mã QR. Vui lòng thử lại.",
        "The QR code could not be created. Please try again.";
    RequestInvalid = "REQUEST_INVALID", Credential,
        "Mã QR yêu cầu không hợp lệ hoặc không đến từ đơn vị đã đăng ký.",
        "The request QR code is not valid or does not come from a registered verifier.";
    VerifierDataInvalid = "VERIFIER_DATA_INVALID", Credential,
        "Danh sách tin cậy hoặc danh sách thu hồi không hợp lệ.",
        "The trust list or status list is not valid.";
    ChipAccessInputInvalid = "CHIP_ACCESS_INPUT_INVALID", Chip,
        "Số định danh, ngày sinh hoặc ngày hết hạn không hợp lệ để đọc chip.",
        "The ID number, date of birth or expiry date is not valid for reading the chip.";
    ChipAccessDenied = "CHIP_ACCESS_DENIED", Chip,
        "Chip từ chối truy cập. Vui lòng kiểm tra số định danh, ngày sinh và ngày hết hạn trên thẻ.",
        "The chip refused access. Please check the ID number, date of birth and expiry date on the card.";
    ChipLost = "CHIP_LOST", Chip,
        "Mất kết nối với thẻ. Vui lòng giữ thẻ sát điện thoại và thử lại.",
        "The card was lost. Hold it still against the phone and try again.";
    ChipNotSupported = "CHIP_NOT_SUPPORTED", Chip,
        "Thẻ này không phải thẻ căn cước gắn chip.",
        "This card is not a chip ID card.";
    ChipReadFailed = "CHIP_READ_FAILED", Chip,
        "Không đọc được dữ liệu chip. Vui lòng thử lại.",
        "The chip data could not be read. Please try again.";
    TrustStoreInvalid = "TRUST_STORE_INVALID", Chip,
        "Chứng thư gốc (CSCA) không hợp lệ.",
        "The root certificates (CSCA) are not valid.";
    Cancelled = "CANCELLED", Cancelled,
        "Đã hủy thao tác.",
        "The operation was cancelled.";
    Internal = "INTERNAL", Internal,
        "Đã xảy ra lỗi. Vui lòng thử lại.",
        "Something went wrong. Please try again.";
}

impl WalletError {
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
                },
            },
            WalletError::SecureArea(_) | WalletError::Store(StoreError::SecureArea(_)) => {
                ErrorCode::SecureAreaFailure
            }
            WalletError::Store(_) => ErrorCode::StorageFailure,
            WalletError::NoCredential => ErrorCode::NoCredential,
            WalletError::CredentialRejected(_) => ErrorCode::CredentialRejected,
            WalletError::Presentation(_) => ErrorCode::PresentationFailed,
            WalletError::Cancelled => ErrorCode::Cancelled,
            WalletError::Internal(_) => ErrorCode::Internal,
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_code_has_a_unique_stable_string_and_both_messages() {
        let mut seen = HashSet::new();
        for code in ErrorCode::ALL {
            assert!(seen.insert(code.as_str()), "duplicate {}", code.as_str());
            assert!(
                code.as_str()
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c == '_')
            );
            assert!(!code.message(Lang::Vi).is_empty());
            assert!(!code.message(Lang::En).is_empty());
            assert_ne!(code.message(Lang::Vi), code.message(Lang::En));
        }
    }

    #[test]
    fn wrong_passcode_reports_attempts_left() {
        let e = WalletError::WrongPasscode { attempts_left: 2 };
        assert_eq!(e.code(), ErrorCode::PasscodeWrong);
        assert_eq!(e.attempts_left(), Some(2));
    }
}
