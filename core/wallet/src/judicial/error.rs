//! Errors of judicial-record requests. A form error names the field by a path such as
//! `residence_history[2].from`, so the app can put the message next to the right input.

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
