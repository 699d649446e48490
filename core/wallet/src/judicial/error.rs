//! Errors of judicial-record requests. A form error names the field by a path such as
//! `residence_history[2].from`, so the app can put the message next to the right input.

use crate::api_client::ApiError;
use crate::error::{CapabilityError, ErrorCode, WalletError, error_codes};

error_codes! {
    /// The judicial-record requests' codes.
    JUDICIAL_CODES;
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
}

/// What is wrong with one field. Each kind has its own stable error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldErrorKind {
    /// Empty but required.
    Required,
    /// Present but malformed or out of range.
    Invalid,
    /// The value came from the chip or the population database and cannot be changed.
    Locked,
    /// The residence history leaves months uncovered before this period.
    ResidenceGap,
    /// This period starts before the previous one ended.
    ResidenceOverlap,
    /// The history does not reach back to the month the citizen turned 14.
    ResidenceStart,
    /// Certificate No. 2 can only be requested by the person themselves.
    Type2NotAllowed,
}

/// One invalid field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Dotted path with indices, e.g. `personal.id_number`, `residence_history[1].to`.
    pub path: String,
    pub kind: FieldErrorKind,
}

impl FieldError {
    pub fn new(path: impl Into<String>, kind: FieldErrorKind) -> Self {
        Self {
            path: path.into(),
            kind,
        }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {:?}", self.path, self.kind)
    }
}

/// Everything a judicial-request operation can fail with besides the wallet's common errors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JudicialError {
    /// The form does not validate; the first error (all of them come from `validate`).
    #[error("invalid field {0}")]
    Field(FieldError),
    /// No local request with this id.
    #[error("no such judicial request")]
    NotFound,
    /// The action does not fit the request's local or office state (editing a queued
    /// request, paying twice, fetching a certificate that is not ready).
    #[error("not allowed while the request is {state}")]
    WrongState { state: String },
    /// The backend refused the request for good (another body under the same key, or a fee
    /// or form it does not accept); the outbox row is `failed`.
    #[error("the backend refused the request")]
    Refused,
    /// The payment gateway declined or failed.
    #[error("payment failed: {0}")]
    Payment(String),
    /// The built-in fee table does not parse (a broken build).
    #[error("fee table: {0}")]
    FeeTable(String),
    /// The backend found the request in conflict with one already sent or with the file.
    #[error("the request conflicts with the backend's state")]
    Conflict,
}

impl JudicialError {
    /// The field path, for form errors.
    pub fn field(&self) -> Option<&str> {
        match self {
            JudicialError::Field(f) => Some(&f.path),
            _ => None,
        }
    }
}

impl CapabilityError for JudicialError {
    fn code(&self) -> ErrorCode {
        use FieldErrorKind as F;
        match self {
            JudicialError::Field(f) => match f.kind {
                F::Required => ErrorCode::JudicialFieldRequired,
                F::Invalid => ErrorCode::JudicialFieldInvalid,
                F::Locked => ErrorCode::JudicialFieldLocked,
                F::ResidenceGap => ErrorCode::JudicialResidenceGap,
                F::ResidenceOverlap => ErrorCode::JudicialResidenceOverlap,
                F::ResidenceStart => ErrorCode::JudicialResidenceStart,
                F::Type2NotAllowed => ErrorCode::JudicialType2NotAllowed,
            },
            JudicialError::NotFound => ErrorCode::JudicialRequestNotFound,
            JudicialError::WrongState { .. } => ErrorCode::JudicialWrongState,
            JudicialError::Refused => ErrorCode::JudicialRefused,
            JudicialError::Payment(_) => ErrorCode::PaymentFailed,
            JudicialError::FeeTable(_) => ErrorCode::Internal,
            JudicialError::Conflict => ErrorCode::JudicialConflict,
        }
    }

    fn field(&self) -> Option<&str> {
        JudicialError::field(self)
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

impl From<JudicialError> for WalletError {
    fn from(e: JudicialError) -> Self {
        WalletError::capability(e)
    }
}

/// A backend error from a judicial endpoint: a conflict is the request's own, anything else
/// the wallet's common error.
pub(crate) fn api_error(e: ApiError) -> WalletError {
    match &e {
        ApiError::Rejected { body, .. } if body.code == vneid_api::ApiErrorCode::Conflict => {
            JudicialError::Conflict.into()
        }
        _ => WalletError::Api(e),
    }
}
