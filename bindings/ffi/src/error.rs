//! The one error type apps see: a variant per category, the precise stable [`ErrorCode`], and
//! a citizen-facing message in Vietnamese and English (never containing personal data).

use vneid_wallet::{BlockReason, ErrorCategory, ErrorCode as CoreCode, Lang, WalletError};

/// Declares the apps' code enum from the core's and the capabilities' codes of the same name.
macro_rules! edge_codes {
    ($($variant:ident),* $(,)?) => {
        /// Every stable error code of the core and its capabilities, for apps to switch on.
        /// The variants keep their order: a new code is added at the end.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
        pub enum ErrorCode { $($variant,)* }

        impl ErrorCode {
            /// Every code, in declaration order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The wallet's code of this case: its string, category and messages.
            pub fn core(self) -> CoreCode {
                match self { $(ErrorCode::$variant => CoreCode::$variant,)* }
            }

            /// The case of a wallet code, if the edge declares it.
            pub fn from_core(code: CoreCode) -> Option<Self> {
                $(if code == CoreCode::$variant { return Some(ErrorCode::$variant); })*
                None
            }
        }
    };
}

edge_codes! {
    IdNumberInvalid,
    IdNumberBirthYearMismatch,
    PhoneInvalid,
    EmailInvalid,
    DateInvalid,
    PasscodeFormat,
    PasscodeTooSimple,
    PasscodeIsBirthDate,
    PasscodeWrong,
    WalletBlocked,
    DeviceRevoked,
    InvalidState,
    NotUnlocked,
    IdentityMismatch,
    OtpFormat,
    OtpWrong,
    OtpExpired,
    OtpAttemptsExhausted,
    OtpResendTooSoon,
    EnrolmentExpired,
    NetworkUnavailable,
    NetworkTimeout,
    RateLimited,
    SessionExpired,
    ServerError,
    SecureAreaFailure,
    StorageFailure,
    NoCredential,
    CredentialRejected,
    CredentialIssuerUntrusted,
    PresentationFailed,
    RequestInvalid,
    VerifierDataInvalid,
    ChipAccessInputInvalid,
    ChipAccessDenied,
    ChipLost,
    ChipNotSupported,
    ChipReadFailed,
    TrustStoreInvalid,
    ChipEvidenceRejected,
    ChipHolderMismatch,
    SelfieInvalid,
    JudicialFieldRequired,
    JudicialFieldInvalid,
    JudicialFieldLocked,
    JudicialResidenceGap,
    JudicialResidenceOverlap,
    JudicialResidenceStart,
    JudicialType2NotAllowed,
    JudicialRequestNotFound,
    JudicialWrongState,
    JudicialRefused,
    JudicialConflict,
    PaymentFailed,
    HealthDataInvalid,
    HealthInputInvalid,
    HealthRecordNotFound,
    Cancelled,
    Internal,
}

impl From<CoreCode> for ErrorCode {
    /// A code the edge does not declare (a capability added without its FFI cases) reads as
    /// `Internal`; the catalogue test keeps that from shipping.
    fn from(code: CoreCode) -> Self {
        ErrorCode::from_core(code).unwrap_or(ErrorCode::Internal)
    }
}

impl ErrorCode {
    /// The stable string form, e.g. `"OTP_WRONG"`.
    pub fn as_str(self) -> &'static str {
        self.core().as_str()
    }

    pub fn category(self) -> ErrorCategory {
        self.core().category()
    }

    pub fn message(self, lang: Lang) -> &'static str {
        self.core().message(lang)
    }
}

#[uniffi::remote(Enum)]
pub enum ErrorCategory {
    Input,
    Otp,
    Passcode,
    Account,
    Network,
    Server,
    Device,
    Storage,
    Credential,
    Chip,
    Judicial,
    Cancelled,
    Internal,
}

#[uniffi::remote(Enum)]
pub enum BlockReason {
    TooManyAttempts,
    Tampered,
    DeviceRevoked,
}

/// The stable string form of a code (`"OTP_WRONG"`), for logs and analytics.
#[uniffi::export]
pub fn error_code_id(code: ErrorCode) -> String {
    code.as_str().to_string()
}

/// Every operation's error. Switch on the variant for the category, on `code` for the case.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum VneidError {
    #[error("{message_en}")]
    Input {
        code: ErrorCode,
        message_vi: String,
        message_en: String,
    },
    #[error("{message_en}")]
    Otp {
        code: ErrorCode,
        message_vi: String,
        message_en: String,
        attempts_left: Option<u32>,
        retry_after_seconds: Option<u64>,
    },
    #[error("{message_en}")]
    Passcode {
        code: ErrorCode,
        message_vi: String,
        message_en: String,
        attempts_left: Option<u32>,
    },
    #[error("{message_en}")]
    Account {
        code: ErrorCode,
        message_vi: String,
        message_en: String,
    },
    #[error("{message_en}")]
    Network {
        code: ErrorCode,
        message_vi: String,
        message_en: String,
    },
    #[error("{message_en}")]
    Server {
        code: ErrorCode,
        message_vi: String,
        message_en: String,
        retry_after_seconds: Option<u64>,
    },
    #[error("{message_en}")]
    Device {
        code: ErrorCode,
        message_vi: String,
        message_en: String,
    },
    #[error("{message_en}")]
    Storage {
        code: ErrorCode,
        message_vi: String,
        message_en: String,
    },
    #[error("{message_en}")]
    Credential {
        code: ErrorCode,
        message_vi: String,
        message_en: String,
    },
    #[error("{message_en}")]
    Chip {
        code: ErrorCode,
        message_vi: String,
        message_en: String,
    },
    /// Judicial-record requests. `field` names the form field of a validation
    /// error (`personal.id_number`, `residence_history[1].from`).
    #[error("{message_en}")]
    Judicial {
        code: ErrorCode,
        message_vi: String,
        message_en: String,
        field: Option<String>,
    },
    #[error("{message_en}")]
    Cancelled {
        code: ErrorCode,
        message_vi: String,
        message_en: String,
    },
    #[error("{message_en}")]
    Internal {
        code: ErrorCode,
        message_vi: String,
        message_en: String,
    },
}

impl VneidError {
    pub(crate) fn from_code(
        code: ErrorCode,
        attempts_left: Option<u32>,
        retry_after_seconds: Option<u64>,
    ) -> Self {
        let message_vi = code.message(Lang::Vi).to_string();
        let message_en = code.message(Lang::En).to_string();
        match code.category() {
            ErrorCategory::Input => Self::Input {
                code,
                message_vi,
                message_en,
            },
            ErrorCategory::Otp => Self::Otp {
                code,
                message_vi,
                message_en,
                attempts_left,
                retry_after_seconds,
            },
            ErrorCategory::Passcode => Self::Passcode {
                code,
                message_vi,
                message_en,
                attempts_left,
            },
            ErrorCategory::Account => Self::Account {
                code,
                message_vi,
                message_en,
            },
            ErrorCategory::Network => Self::Network {
                code,
                message_vi,
                message_en,
            },
            ErrorCategory::Server => Self::Server {
                code,
                message_vi,
                message_en,
                retry_after_seconds,
            },
            ErrorCategory::Device => Self::Device {
                code,
                message_vi,
                message_en,
            },
            ErrorCategory::Storage => Self::Storage {
                code,
                message_vi,
                message_en,
            },
            ErrorCategory::Credential => Self::Credential {
                code,
                message_vi,
                message_en,
            },
            ErrorCategory::Chip => Self::Chip {
                code,
                message_vi,
                message_en,
            },
            ErrorCategory::Judicial => Self::Judicial {
                code,
                message_vi,
                message_en,
                field: None,
            },
            ErrorCategory::Cancelled => Self::Cancelled {
                code,
                message_vi,
                message_en,
            },
            ErrorCategory::Internal => Self::Internal {
                code,
                message_vi,
                message_en,
            },
        }
    }
}

impl From<WalletError> for VneidError {
    fn from(e: WalletError) -> Self {
        let out = Self::from_code(e.code().into(), e.attempts_left(), e.retry_after_seconds());
        match (out, e.field_path()) {
            // Judicial form errors carry the field path.
            (
                Self::Judicial {
                    code,
                    message_vi,
                    message_en,
                    ..
                },
                Some(path),
            ) => Self::Judicial {
                code,
                message_vi,
                message_en,
                field: Some(path.to_owned()),
            },
            (out, _) => out,
        }
    }
}
