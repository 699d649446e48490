//! Judicial errors over FFI: the flat error carries the stable code and the form field.
#![allow(clippy::unwrap_used, clippy::panic)]

use vneid_ffi::{ErrorCode, VneidError};
use vneid_wallet::WalletError;
use vneid_wallet::judicial::{FieldError, FieldErrorKind, JudicialError};

fn judicial(e: JudicialError) -> VneidError {
    VneidError::from(WalletError::from(e))
}

#[test]
fn a_form_error_names_its_field_and_kind_over_ffi() {
    let cases = [
        (FieldErrorKind::Required, ErrorCode::JudicialFieldRequired),
        (FieldErrorKind::Invalid, ErrorCode::JudicialFieldInvalid),
        (FieldErrorKind::Locked, ErrorCode::JudicialFieldLocked),
        (
            FieldErrorKind::ResidenceGap,
            ErrorCode::JudicialResidenceGap,
        ),
        (
            FieldErrorKind::ResidenceOverlap,
            ErrorCode::JudicialResidenceOverlap,
        ),
        (
            FieldErrorKind::ResidenceStart,
            ErrorCode::JudicialResidenceStart,
        ),
        (
            FieldErrorKind::Type2NotAllowed,
            ErrorCode::JudicialType2NotAllowed,
        ),
    ];
    for (kind, want) in cases {
        let e = judicial(JudicialError::Field(FieldError::new(
            "residence_history[1].from",
            kind,
        )));
        let VneidError::Judicial {
            code,
            field,
            message_vi,
            message_en,
        } = e
        else {
            panic!("{kind:?} is not a Judicial error");
        };
        assert_eq!(code, want);
        assert_eq!(field.as_deref(), Some("residence_history[1].from"));
        assert!(!message_vi.is_empty() && !message_en.is_empty());
        assert!(
            !message_en.contains("residence_history"),
            "no path in the text"
        );
    }
}

#[test]
fn other_judicial_errors_have_no_field() {
    for (e, want) in [
        (JudicialError::NotFound, ErrorCode::JudicialRequestNotFound),
        (
            JudicialError::WrongState {
                state: "queued".into(),
            },
            ErrorCode::JudicialWrongState,
        ),
        (JudicialError::Refused, ErrorCode::JudicialRefused),
        (
            JudicialError::Payment("declined".into()),
            ErrorCode::PaymentFailed,
        ),
    ] {
        let VneidError::Judicial { code, field, .. } = judicial(e) else {
            panic!("not a Judicial error");
        };
        assert_eq!((code, field), (want, None));
    }
}

#[test]
fn the_apps_code_enum_mirrors_every_code_of_the_core_and_its_capabilities() {
    let wallet_codes = vneid_wallet::error_codes();
    for code in &wallet_codes {
        let edge = ErrorCode::from_core(*code)
            .unwrap_or_else(|| panic!("{} has no case in the FFI ErrorCode", code.as_str()));
        assert_eq!(edge.core(), *code);
    }
    for edge in ErrorCode::ALL {
        assert!(
            wallet_codes.contains(&edge.core()),
            "{} is not declared by the wallet",
            edge.as_str()
        );
    }
    assert_eq!(ErrorCode::ALL.len(), wallet_codes.len());
}
