//! Stable error codes: a string the apps switch on, a category, and a citizen-facing message in
//! Vietnamese and English. Messages are static text: they can never carry personal data,
//! whatever the error's source said.
//!
//! The catalogue is open: the core declares its codes here, and each capability declares its
//! own in its module with [`error_codes!`], as associated constants of the one [`ErrorCode`]
//! type. Adding a capability adds codes in its own file, not arms to a shared enum.

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

/// One stable error code. Compare with the constants (`ErrorCode::PasscodeWrong`); the string
/// form ([`ErrorCode::as_str`]) never changes once published.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ErrorCode {
    id: &'static str,
    category: ErrorCategory,
    vi: &'static str,
    en: &'static str,
}

impl ErrorCode {
    /// A code; used by [`error_codes!`].
    pub const fn new(
        id: &'static str,
        category: ErrorCategory,
        vi: &'static str,
        en: &'static str,
    ) -> Self {
        Self {
            id,
            category,
            vi,
            en,
        }
    }

    /// The stable string form, e.g. `"OTP_WRONG"`.
    pub fn as_str(self) -> &'static str {
        self.id
    }

    pub fn category(self) -> ErrorCategory {
        self.category
    }

    /// A message fit to show a citizen.
    pub fn message(self, lang: Lang) -> &'static str {
        match lang {
            Lang::Vi => self.vi,
            Lang::En => self.en,
        }
    }
}

impl std::fmt::Debug for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id)
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id)
    }
}

/// Declares codes as constants of [`ErrorCode`] and a list of them:
/// `error_codes! { LIST; Name = "NAME", Category, "vi", "en"; ... }`.
macro_rules! error_codes {
    ($(#[$list_doc:meta])* $list:ident;
     $( $(#[$doc:meta])* $variant:ident = $code:literal, $cat:ident, $vi:literal, $en:literal; )*) => {
        #[allow(non_upper_case_globals)]
        impl $crate::error::ErrorCode {
            $( $(#[$doc])*
            pub const $variant: $crate::error::ErrorCode = $crate::error::ErrorCode::new(
                $code, $crate::error::ErrorCategory::$cat, $vi, $en);
            )*
        }
        $(#[$list_doc])*
        pub const $list: &[$crate::error::ErrorCode] = &[$($crate::error::ErrorCode::$variant,)*];
    };
}
pub(crate) use error_codes;

error_codes! {
    /// The wallet core's codes: account, passcode, network, store, credentials, chip.
    CORE_CODES;
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
    // The level-2 upgrade with the chip ID card.
    ChipEvidenceRejected = "CHIP_EVIDENCE_REJECTED", Chip,
        "Dữ liệu chip không được xác thực: thẻ có thể đã bị thay đổi dữ liệu hoặc không do cơ quan có thẩm quyền cấp.",
        "The chip data could not be authenticated: the card may have been altered or was not issued by a trusted authority.";
    ChipHolderMismatch = "CHIP_HOLDER_MISMATCH", Chip,
        "Thẻ căn cước này không phải của chủ tài khoản. Vui lòng dùng thẻ của chính bạn.",
        "This ID card does not belong to the account holder. Please use your own card.";
    SelfieInvalid = "SELFIE_INVALID", Input,
        "Chưa có ảnh chân dung. Vui lòng chụp lại.",
        "No portrait photo was taken. Please take it again.";
    Cancelled = "CANCELLED", Cancelled,
        "Đã hủy thao tác.",
        "The operation was cancelled.";
    Internal = "INTERNAL", Internal,
        "Đã xảy ra lỗi. Vui lòng thử lại.",
        "Something went wrong. Please try again.";
}
