//! The wallet's error type and the catalogue of stable error codes.
//!
//! Every error maps to one [`ErrorCode`]: a stable string the apps switch on, a category, and a
//! citizen-facing message in Vietnamese and English. Messages are static text: they can never
//! carry personal data, whatever the error's source said.

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
    // --- judicial-record requests (issue 6) ---
    #[error("judicial request: {0}")]
    Judicial(#[from] crate::judicial::JudicialError),
    // --- level-2 upgrade (issue 3) ---
    #[error("chip read: {0}")]
    Chip(#[from] vneid_emrtd::session::SessionError),
    #[error("the selfie is empty")]
    SelfieMissing,
    #[error("the chip failed chip or active authentication (a cloned chip)")]
    ChipCloned,
    // --- health book (issue 5) ---
    /// A change page from the backend failed its checks; nothing of it was stored.
    #[error("health data from the backend rejected: {0}")]
    HealthData(crate::health::PageError),
    /// An argument of a health-book call is out of range (names the argument, no value).
    #[error("invalid health-book input: {0}")]
    HealthInput(&'static str),
    #[error("no such record in the health book")]
    HealthRecordNotFound,
    #[error("operation cancelled")]
    Cancelled,
    #[error("internal error: {0}")]
    Internal(String),
}

// --- credentials (issue 4, presentation helper) ---
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
    /// Judicial-record certificate requests (form, submission, payment).
    Judicial,
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
    CredentialIssuerUntrusted = "CREDENTIAL_ISSUER_UNTRUSTED", Credential,
        "Giấy tờ điện tử nhận được không do cơ quan cấp có trong danh sách tin cậy ký.",
        "The electronic document received was not signed by a trusted issuer.";
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
    // --- level-2 upgrade (issue 3) ---
    ChipEvidenceRejected = "CHIP_EVIDENCE_REJECTED", Chip,
        "Dữ liệu chip không được xác thực: thẻ có thể đã bị thay đổi dữ liệu hoặc không do cơ quan có thẩm quyền cấp.",
        "The chip data could not be authenticated: the card may have been altered or was not issued by a trusted authority.";
    ChipHolderMismatch = "CHIP_HOLDER_MISMATCH", Chip,
        "Thẻ căn cước này không phải của chủ tài khoản. Vui lòng dùng thẻ của chính bạn.",
        "This ID card does not belong to the account holder. Please use your own card.";
    SelfieInvalid = "SELFIE_INVALID", Input,
        "Chưa có ảnh chân dung. Vui lòng chụp lại.",
        "No portrait photo was taken. Please take it again.";
    // --- judicial-record requests (issue 6) ---
    JudicialFieldRequired = "JUDICIAL_FIELD_REQUIRED", Judicial,
        "Vui lòng điền thông tin bắt buộc.",
        "Please fill in this required field.";
    JudicialFieldInvalid = "JUDICIAL_FIELD_INVALID", Judicial,
        "Thông tin không hợp lệ.",
        "This field is not valid.";
    JudicialFieldLocked = "JUDICIAL_FIELD_LOCKED", Judicial,
        "Thông tin này lấy từ chip thẻ căn cước hoặc Cơ sở dữ liệu quốc gia về dân cư và không sửa được.",
        "This detail comes from the ID card chip or the population database and cannot be changed.";
    JudicialResidenceGap = "JUDICIAL_RESIDENCE_GAP", Judicial,
        "Quá trình cư trú bị gián đoạn: các khoảng thời gian phải liền nhau đến hiện tại.",
        "The residence history has a gap: periods must follow each other up to today.";
    JudicialResidenceOverlap = "JUDICIAL_RESIDENCE_OVERLAP", Judicial,
        "Các khoảng thời gian cư trú bị chồng lên nhau.",
        "Two residence periods overlap.";
    JudicialResidenceStart = "JUDICIAL_RESIDENCE_START", Judicial,
        "Quá trình cư trú phải bắt đầu từ khi đủ 14 tuổi.",
        "The residence history must start from the month you turned 14.";
    JudicialType2NotAllowed = "JUDICIAL_TYPE_TWO_NOT_ALLOWED", Judicial,
        "Phiếu lý lịch tư pháp số 2 chỉ cấp cho chính người yêu cầu, không được ủy quyền.",
        "Certificate No. 2 is issued only to the person themselves, not to a representative.";
    JudicialRequestNotFound = "JUDICIAL_REQUEST_NOT_FOUND", Judicial,
        "Không tìm thấy yêu cầu cấp Phiếu lý lịch tư pháp.",
        "The judicial-record request was not found.";
    JudicialWrongState = "JUDICIAL_WRONG_STATE", Judicial,
        "Không thực hiện được thao tác này ở trạng thái hiện tại của yêu cầu.",
        "This action is not available in the request's current state.";
    JudicialRefused = "JUDICIAL_REFUSED", Judicial,
        "Hệ thống từ chối yêu cầu. Vui lòng kiểm tra lại thông tin và tạo yêu cầu mới.",
        "The service refused the request. Please check the details and make a new request.";
    JudicialConflict = "JUDICIAL_CONFLICT", Judicial,
        "Yêu cầu xung đột với một yêu cầu đã gửi hoặc với trạng thái hồ sơ.",
        "The request conflicts with one already sent or with the file's current state.";
    PaymentFailed = "PAYMENT_FAILED", Judicial,
        "Thanh toán không thành công. Vui lòng thử lại.",
        "The payment did not go through. Please try again.";
    // --- health book (issue 5) ---
    HealthDataInvalid = "HEALTH_DATA_INVALID", Server,
        "Dữ liệu sổ sức khỏe nhận được không hợp lệ. Dữ liệu đã có vẫn được giữ nguyên.",
        "The health-book data received is not valid. The data already on the phone is unchanged.";
    HealthInputInvalid = "HEALTH_INPUT_INVALID", Input,
        "Thông tin nhập cho sổ sức khỏe không hợp lệ.",
        "The health-book input is not valid.";
    HealthRecordNotFound = "HEALTH_RECORD_NOT_FOUND", Input,
        "Không tìm thấy hồ sơ này trong sổ sức khỏe.",
        "This record is not in the health book.";
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
                    A::Conflict => ErrorCode::JudicialConflict,
                    // Level-2 upgrade (issue 3).
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
            WalletError::Judicial(j) => judicial_code(j),
            // Level-2 upgrade (issue 3).
            WalletError::Chip(e) => chip_code(e),
            WalletError::SelfieMissing => ErrorCode::SelfieInvalid,
            WalletError::ChipCloned => ErrorCode::ChipEvidenceRejected,
            WalletError::HealthData(_) => ErrorCode::HealthDataInvalid,
            WalletError::HealthInput(_) => ErrorCode::HealthInputInvalid,
            WalletError::HealthRecordNotFound => ErrorCode::HealthRecordNotFound,
            WalletError::Cancelled => ErrorCode::Cancelled,
            WalletError::Internal(_) => ErrorCode::Internal,
        }
    }

    /// The form field an error is about (`residence_history[1].from`), for judicial forms.
    pub fn field_path(&self) -> Option<&str> {
        match self {
            WalletError::Judicial(j) => j.field(),
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

// --- judicial-record requests (issue 6) ---
/// A failed chip read (level-2 upgrade, issue 3), by what the citizen can do about it.
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

fn judicial_code(e: &crate::judicial::JudicialError) -> ErrorCode {
    use crate::judicial::{FieldErrorKind as F, JudicialError as J};
    match e {
        J::Field(f) => match f.kind {
            F::Required => ErrorCode::JudicialFieldRequired,
            F::Invalid => ErrorCode::JudicialFieldInvalid,
            F::Locked => ErrorCode::JudicialFieldLocked,
            F::ResidenceGap => ErrorCode::JudicialResidenceGap,
            F::ResidenceOverlap => ErrorCode::JudicialResidenceOverlap,
            F::ResidenceStart => ErrorCode::JudicialResidenceStart,
            F::Type2NotAllowed => ErrorCode::JudicialType2NotAllowed,
        },
        J::NotFound => ErrorCode::JudicialRequestNotFound,
        J::WrongState { .. } => ErrorCode::JudicialWrongState,
        J::Refused => ErrorCode::JudicialRefused,
        J::Payment(_) => ErrorCode::PaymentFailed,
        J::FeeTable(_) => ErrorCode::Internal,
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
