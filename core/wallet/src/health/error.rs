//! The health book's own failures and their stable codes.

use super::check::PageError;
use crate::error::{CapabilityError, ErrorCode, WalletError, error_codes};

error_codes! {
    /// The health book's codes.
    HEALTH_CODES;
    HealthDataInvalid = "HEALTH_DATA_INVALID", Server,
        "Dữ liệu sổ sức khỏe nhận được không hợp lệ. Dữ liệu đã có vẫn được giữ nguyên.",
        "The health-book data received is not valid. The data already on the phone is unchanged.";
    HealthInputInvalid = "HEALTH_INPUT_INVALID", Input,
        "Thông tin nhập cho sổ sức khỏe không hợp lệ.",
        "The health-book input is not valid.";
    HealthRecordNotFound = "HEALTH_RECORD_NOT_FOUND", Input,
        "Không tìm thấy hồ sơ này trong sổ sức khỏe.",
        "This record is not in the health book.";
}

/// What a health-book operation can fail with besides the wallet's common errors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HealthError {
    /// A change page from the backend failed its checks; nothing of it was stored.
    #[error("health data from the backend rejected: {0}")]
    Data(PageError),
    /// An argument is out of range (names the argument, never its value).
    #[error("invalid health-book input: {0}")]
    Input(&'static str),
    #[error("no such record in the health book")]
    RecordNotFound,
}

impl CapabilityError for HealthError {
    fn code(&self) -> ErrorCode {
        match self {
            HealthError::Data(_) => ErrorCode::HealthDataInvalid,
            HealthError::Input(_) => ErrorCode::HealthInputInvalid,
            HealthError::RecordNotFound => ErrorCode::HealthRecordNotFound,
        }
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

impl From<HealthError> for WalletError {
    fn from(e: HealthError) -> Self {
        WalletError::capability(e)
    }
}
