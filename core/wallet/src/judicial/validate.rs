//! Validation of the request form. Returns every error, each naming its field, so the app
//! can mark all of them at once; submission refuses a form with any.

use super::error::{FieldError, FieldErrorKind as K};
use super::form::JudicialForm;
use super::months::{month_of, parse_month};
use vneid_api::judicial::{CertificateType, Delivery, FeeSchedule, Relative, Requester};
use vneid_identity::{CalendarDate, Email, PersonalIdNumber, PhoneNumber};

/// Longest free-text answer accepted in any field (bytes).
pub const MAX_TEXT: usize = 300;

fn text(errors: &mut Vec<FieldError>, path: &str, value: &str, required: bool) {
    let v = value.trim();
    if v.is_empty() {
        if required {
            errors.push(FieldError::new(path, K::Required));
        }
    } else if v.len() > MAX_TEXT || v.chars().any(char::is_control) {
        errors.push(FieldError::new(path, K::Invalid));
    }
}

fn date(
    errors: &mut Vec<FieldError>,
    path: &str,
    value: &str,
    today: CalendarDate,
) -> Option<CalendarDate> {
    if value.trim().is_empty() {
        errors.push(FieldError::new(path, K::Required));
        return None;
    }
    match CalendarDate::parse_iso(value) {
        Ok(d) if d <= today => Some(d),
        _ => {
            errors.push(FieldError::new(path, K::Invalid));
            None
        }
    }
}

fn relative(
    errors: &mut Vec<FieldError>,
    path: &str,
    r: Option<&Relative>,
    required: bool,
    today: CalendarDate,
) {
    match r {
        None if required => errors.push(FieldError::new(path, K::Required)),
        None => {}
        Some(r) => {
            text(errors, &format!("{path}.full_name"), &r.full_name, true);
            if let Some(y) = r.birth_year
                && !(1900..=today.year()).contains(&y)
            {
                errors.push(FieldError::new(format!("{path}.birth_year"), K::Invalid));
            }
        }
    }
}

/// Every error of `form` on `today`, in form order; empty when it can be submitted.
pub fn validate(form: &JudicialForm, fees: &FeeSchedule, today: CalendarDate) -> Vec<FieldError> {
    let mut e = Vec::new();
    let no2 = form.certificate_type == CertificateType::No2;

    match &form.requester {
        Requester::Myself => {}
        Requester::Representative {
            full_name,
            id_number,
            authorisation,
        } => {
            if no2 {
                e.push(FieldError::new("certificate_type", K::Type2NotAllowed));
            }
            text(&mut e, "requester.full_name", full_name, true);
            if id_number.trim().is_empty() {
                e.push(FieldError::new("requester.id_number", K::Required));
            } else if PersonalIdNumber::parse(id_number).is_err() {
                e.push(FieldError::new("requester.id_number", K::Invalid));
            }
            text(&mut e, "requester.authorisation", authorisation, true);
        }
    }
    text(&mut e, "purpose", &form.purpose, true);
    if form.copies == 0 || form.copies > fees.max_copies {
        e.push(FieldError::new("copies", K::Invalid));
    }
    if no2 && form.certify_position_ban {
        // No. 2 always states bans; asking for the certification only fits No. 1.
        e.push(FieldError::new("certify_position_ban", K::Invalid));
    }
    if let Delivery::Post { address, phone } = &form.delivery {
        text(&mut e, "delivery.address", address, true);
        if phone.trim().is_empty() {
            e.push(FieldError::new("delivery.phone", K::Required));
        } else if PhoneNumber::parse(phone).is_err() {
            e.push(FieldError::new("delivery.phone", K::Invalid));
        }
    }

    // Personal details.
    let p = &form.personal;
    text(&mut e, "personal.full_name", &p.full_name.value, true);
    text(&mut e, "personal.other_names", &p.other_names.value, false);
    let dob = date(
        &mut e,
        "personal.date_of_birth",
        &p.date_of_birth.value,
        today,
    );
    if !matches!(p.sex.value.as_str(), "male" | "female") {
        e.push(FieldError::new("personal.sex", K::Invalid));
    }
    text(&mut e, "personal.birthplace", &p.birthplace.value, true);
    text(&mut e, "personal.nationality", &p.nationality.value, true);
    text(&mut e, "personal.ethnicity", &p.ethnicity.value, true);
    if p.id_number.value.trim().is_empty() {
        e.push(FieldError::new("personal.id_number", K::Required));
    } else {
        let ok = match dob {
            Some(dob) => PersonalIdNumber::parse_for_birth_date(&p.id_number.value, dob).is_ok(),
            None => PersonalIdNumber::parse(&p.id_number.value).is_ok(),
        };
        if !ok {
            e.push(FieldError::new("personal.id_number", K::Invalid));
        }
    }
    if let Some(issued) = date(
        &mut e,
        "personal.id_issue_date",
        &p.id_issue_date.value,
        today,
    ) && dob.is_some_and(|dob| issued < dob)
    {
        e.push(FieldError::new("personal.id_issue_date", K::Invalid));
    }
    text(
        &mut e,
        "personal.permanent_residence",
        &p.permanent_residence.value,
        true,
    );
    text(
        &mut e,
        "personal.current_residence",
        &p.current_residence.value,
        true,
    );
    if !p.phone.value.trim().is_empty() && PhoneNumber::parse(&p.phone.value).is_err() {
        e.push(FieldError::new("personal.phone", K::Invalid));
    }
    if !p.email.value.trim().is_empty() && Email::parse(&p.email.value).is_err() {
        e.push(FieldError::new("personal.email", K::Invalid));
    }

    residence(&mut e, form, dob, today);

    relative(&mut e, "father", form.father.as_ref(), no2, today);
    relative(&mut e, "mother", form.mother.as_ref(), no2, today);
    relative(
        &mut e,
        "spouse",
        form.spouse.as_ref(),
        no2 && form.married,
        today,
    );

    match fees.category(&form.fee_category) {
        Some(c) if c.automatic.is_none() => {}
        _ => e.push(FieldError::new("fee_category", K::Invalid)),
    }
    e
}

/// The history must run, without gaps or overlaps, from the month the citizen turned 14
/// (or was born, if younger) to now. A move within one month may end one period and start
/// the next in the same month; a later start is a gap, an earlier one an overlap. Only the
/// last period may be open ("until now").
fn residence(
    e: &mut Vec<FieldError>,
    form: &JudicialForm,
    dob: Option<CalendarDate>,
    today: CalendarDate,
) {
    let h = &form.residence_history;
    if h.is_empty() {
        e.push(FieldError::new("residence_history", K::Required));
        return;
    }
    let now = month_of(today);
    let birth = dob.map(month_of);
    let mut prev_end: Option<i32> = None;
    for (i, r) in h.iter().enumerate() {
        let path = |f: &str| format!("residence_history[{i}].{f}");
        let last = i + 1 == h.len();
        text(e, &path("address"), &r.address, true);
        text(e, &path("occupation"), &r.occupation, false);
        let from = parse_month(&r.from).filter(|m| *m <= now && birth.is_none_or(|b| *m >= b));
        if from.is_none() {
            e.push(FieldError::new(path("from"), K::Invalid));
        }
        let to = match &r.to {
            None if last => Some(now),
            None => {
                e.push(FieldError::new(path("to"), K::Required));
                None
            }
            Some(t) => {
                let to = parse_month(t).filter(|m| *m <= now && from.is_none_or(|f| *m >= f));
                if to.is_none() {
                    e.push(FieldError::new(path("to"), K::Invalid));
                } else if last && to != Some(now) {
                    // The last period must reach the present.
                    e.push(FieldError::new(path("to"), K::ResidenceGap));
                }
                to
            }
        };
        match (i, from) {
            (0, Some(f)) => {
                if let Some(b) = birth {
                    let start_needed = (b + 14 * 12).min(now);
                    if f > start_needed {
                        e.push(FieldError::new(path("from"), K::ResidenceStart));
                    }
                }
            }
            (_, Some(f)) => {
                if let Some(pe) = prev_end {
                    if f > pe + 1 {
                        e.push(FieldError::new(path("from"), K::ResidenceGap));
                    } else if f < pe {
                        e.push(FieldError::new(path("from"), K::ResidenceOverlap));
                    }
                }
            }
            _ => {}
        }
        prev_end = to;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::super::error::FieldErrorKind;
    use super::super::form::{ChipDetails, FieldSource};
    use super::*;
    use vneid_api::judicial::ResidencePeriod;
    use vneid_api::{Address, CitizenProfile, Sex};

    /// A field path and an edit that breaks it.
    type Case = (&'static str, fn(&mut JudicialForm));

    fn today() -> CalendarDate {
        CalendarDate::parse_iso("2026-11-23").unwrap()
    }

    fn fees() -> FeeSchedule {
        FeeSchedule::builtin().unwrap()
    }

    fn profile() -> CitizenProfile {
        CitizenProfile {
            id_number: "001090123456".into(),
            full_name: "Nguyễn Văn An".into(),
            date_of_birth: "1990-05-17".into(),
            sex: Sex::Male,
            nationality: "Việt Nam".into(),
            place_of_origin: "Hà Nội".into(),
            permanent_address: Address {
                province_code: "001".into(),
                province_name: "Hà Nội".into(),
                line: "1 Tràng Tiền, Hoàn Kiếm".into(),
            },
            masked_phone: "*******678".into(),
        }
    }

    /// A complete, valid form: moved once, in August 2015.
    fn valid() -> JudicialForm {
        let mut f = JudicialForm::prefilled(&profile(), None);
        f.purpose = "Xin việc".into();
        f.personal.ethnicity.value = "Kinh".into();
        f.personal.id_issue_date.value = "2021-06-01".into();
        f.residence_history = vec![
            ResidencePeriod {
                from: "2004-05".into(),
                to: Some("2015-08".into()),
                address: "12 Lê Lợi, Huế".into(),
                occupation: "Học sinh".into(),
            },
            ResidencePeriod {
                from: "2015-08".into(),
                to: None,
                address: "1 Tràng Tiền, Hà Nội".into(),
                occupation: String::new(),
            },
        ];
        f
    }

    fn errors(f: &JudicialForm) -> Vec<(String, FieldErrorKind)> {
        validate(f, &fees(), today())
            .into_iter()
            .map(|e| (e.path, e.kind))
            .collect()
    }

    fn only(f: &JudicialForm, path: &str, kind: FieldErrorKind) {
        assert_eq!(errors(f), vec![(path.to_owned(), kind)], "{path}");
    }

    #[test]
    fn a_complete_form_has_no_errors() {
        assert_eq!(errors(&valid()), vec![]);
    }

    #[test]
    fn the_prefilled_form_locks_population_and_chip_details_and_starts_at_fourteen() {
        let chip = ChipDetails {
            ethnicity: Some("Kinh".into()),
            id_issue_date: Some("2021-06-01".into()),
            father_name: Some("Nguyễn Văn Bình".into()),
            spouse_name: Some("Trần Thị Cúc".into()),
            ..Default::default()
        };
        let f = JudicialForm::prefilled(&profile(), Some(&chip));
        assert_eq!(f.personal.full_name.source, FieldSource::PopulationDb);
        assert_eq!(f.personal.ethnicity.source, FieldSource::Chip);
        assert_eq!(f.personal.other_names.source, FieldSource::Citizen);
        assert!(f.married && f.spouse.is_some() && f.mother.is_none());
        assert_eq!(f.residence_history[0].from, "2004-05");
        let mut edited = f.personal.clone();
        edited.ethnicity.value = "Tày".into();
        assert_eq!(
            f.personal.apply_edit(&edited),
            Err("personal.ethnicity".to_owned())
        );
        edited.ethnicity.value = "Kinh".into();
        edited.other_names.value = "Út".into();
        assert_eq!(
            f.personal.apply_edit(&edited).unwrap().other_names.value,
            "Út"
        );
    }

    #[test]
    fn every_required_text_field_is_named_when_empty() {
        let cases: &[Case] = &[
            ("purpose", |f| f.purpose = " ".into()),
            ("personal.full_name", |f| f.personal.full_name.value.clear()),
            ("personal.birthplace", |f| {
                f.personal.birthplace.value.clear()
            }),
            ("personal.nationality", |f| {
                f.personal.nationality.value.clear()
            }),
            ("personal.ethnicity", |f| f.personal.ethnicity.value.clear()),
            ("personal.id_number", |f| f.personal.id_number.value.clear()),
            ("personal.id_issue_date", |f| {
                f.personal.id_issue_date.value.clear()
            }),
            ("personal.date_of_birth", |f| {
                f.personal.date_of_birth.value.clear()
            }),
            ("personal.permanent_residence", |f| {
                f.personal.permanent_residence.value.clear()
            }),
            ("personal.current_residence", |f| {
                f.personal.current_residence.value.clear()
            }),
            ("residence_history[1].address", |f| {
                f.residence_history[1].address.clear()
            }),
            ("residence_history", |f| f.residence_history.clear()),
        ];
        for (path, edit) in cases {
            let mut f = valid();
            edit(&mut f);
            let got = errors(&f);
            assert!(
                got.contains(&((*path).to_owned(), FieldErrorKind::Required)),
                "{path}: {got:?}"
            );
        }
    }

    #[test]
    fn malformed_values_are_named_as_invalid() {
        let cases: &[Case] = &[
            ("purpose", |f| f.purpose = "x".repeat(MAX_TEXT + 1)),
            ("copies", |f| f.copies = 0),
            ("copies", |f| f.copies = 11),
            ("personal.sex", |f| f.personal.sex.value = "nam".into()),
            ("personal.id_number", |f| {
                f.personal.id_number.value = "00109012345".into()
            }),
            // Century digit says born in the 2000s.
            ("personal.id_number", |f| {
                f.personal.id_number.value = "001290123456".into()
            }),
            ("personal.id_issue_date", |f| {
                f.personal.id_issue_date.value = "2021-02-30".into()
            }),
            ("personal.id_issue_date", |f| {
                f.personal.id_issue_date.value = "1989-01-01".into()
            }),
            ("personal.id_issue_date", |f| {
                f.personal.id_issue_date.value = "2027-01-01".into()
            }),
            ("personal.phone", |f| {
                f.personal.phone.value = "12345".into()
            }),
            ("personal.email", |f| f.personal.email.value = "an@".into()),
            ("personal.other_names", |f| {
                f.personal.other_names.value = "a\u{0}b".into()
            }),
            ("fee_category", |f| f.fee_category = "vip".into()),
            ("fee_category", |f| f.fee_category = "child".into()),
            ("residence_history[0].from", |f| {
                f.residence_history[0].from = "2004-13".into()
            }),
            ("residence_history[0].to", |f| {
                f.residence_history[0].to = Some("2003-01".into())
            }),
        ];
        for (path, edit) in cases {
            let mut f = valid();
            edit(&mut f);
            let got = errors(&f);
            assert!(
                got.contains(&((*path).to_owned(), FieldErrorKind::Invalid)),
                "{path}: {got:?}"
            );
        }
    }

    #[test]
    fn residence_periods_must_follow_each_other_from_fourteen_to_now() {
        let mut f = valid();
        f.residence_history[1].from = "2015-10".into();
        only(
            &f,
            "residence_history[1].from",
            FieldErrorKind::ResidenceGap,
        );
        // Starting the month after the previous one ended is no gap.
        let mut f = valid();
        f.residence_history[1].from = "2015-09".into();
        assert_eq!(errors(&f), vec![]);
        f.residence_history[1].from = "2015-07".into();
        only(
            &f,
            "residence_history[1].from",
            FieldErrorKind::ResidenceOverlap,
        );
        let mut f = valid();
        f.residence_history[0].from = "2004-06".into();
        only(
            &f,
            "residence_history[0].from",
            FieldErrorKind::ResidenceStart,
        );
        let mut f = valid();
        f.residence_history[1].to = Some("2026-10".into());
        only(&f, "residence_history[1].to", FieldErrorKind::ResidenceGap);
        let mut f = valid();
        f.residence_history[0].to = None;
        only(&f, "residence_history[0].to", FieldErrorKind::Required);
        // Before birth is not a place of residence.
        let mut f = valid();
        f.residence_history[0].from = "1989-01".into();
        only(&f, "residence_history[0].from", FieldErrorKind::Invalid);
    }

    #[test]
    fn certificate_no2_needs_oneself_parents_and_spouse_and_no_ban_request() {
        let mut f = valid();
        f.certificate_type = CertificateType::No2;
        assert_eq!(
            errors(&f),
            vec![
                ("father".to_owned(), FieldErrorKind::Required),
                ("mother".to_owned(), FieldErrorKind::Required)
            ]
        );
        let parent = |n: &str| Relative {
            full_name: n.into(),
            birth_year: Some(1960),
        };
        f.father = Some(parent("Nguyễn Văn Bình"));
        f.mother = Some(parent("Lê Thị Hoa"));
        assert_eq!(errors(&f), vec![]);
        f.married = true;
        only(&f, "spouse", FieldErrorKind::Required);
        f.spouse = Some(Relative {
            full_name: " ".into(),
            birth_year: Some(1850),
        });
        assert_eq!(
            errors(&f),
            vec![
                ("spouse.full_name".to_owned(), FieldErrorKind::Required),
                ("spouse.birth_year".to_owned(), FieldErrorKind::Invalid)
            ]
        );
        f.spouse = Some(parent("Trần Thị Cúc"));
        f.certify_position_ban = true;
        only(&f, "certify_position_ban", FieldErrorKind::Invalid);
        f.certify_position_ban = false;
        f.requester = Requester::Representative {
            full_name: "Nguyễn Văn Bình".into(),
            id_number: "001060123456".into(),
            authorisation: "Giấy ủy quyền số 12".into(),
        };
        only(&f, "certificate_type", FieldErrorKind::Type2NotAllowed);
    }

    #[test]
    fn a_representative_and_postal_delivery_need_their_details() {
        let mut f = valid();
        f.requester = Requester::Representative {
            full_name: String::new(),
            id_number: "123".into(),
            authorisation: String::new(),
        };
        assert_eq!(
            errors(&f),
            vec![
                ("requester.full_name".to_owned(), FieldErrorKind::Required),
                ("requester.id_number".to_owned(), FieldErrorKind::Invalid),
                (
                    "requester.authorisation".to_owned(),
                    FieldErrorKind::Required
                )
            ]
        );
        let mut f = valid();
        f.delivery = Delivery::Post {
            address: String::new(),
            phone: "0912 345 678".into(),
        };
        only(&f, "delivery.address", FieldErrorKind::Required);
        f.delivery = Delivery::Post {
            address: "5 Hàng Bài".into(),
            phone: "12".into(),
        };
        only(&f, "delivery.phone", FieldErrorKind::Invalid);
    }

    #[test]
    fn debug_output_of_a_form_carries_no_personal_data() {
        let f = valid();
        let dbg = format!("{f:?}");
        for secret in ["Nguyễn", "001090123456", "Xin việc", "Tràng Tiền", "Huế"] {
            assert!(!dbg.contains(secret), "{secret} in {dbg}");
        }
    }

    #[test]
    fn chip_details_take_dg13_dates_as_printed_and_drop_empty_values() {
        let d = ChipDetails::from_dg13(
            Some(" Kinh ".into()),
            Some("01/06/2021".into()),
            Some(String::new()),
            Some("Nguyễn Văn Bình".into()),
            None,
            Some("  ".into()),
        );
        assert_eq!(d.ethnicity.as_deref(), Some("Kinh"));
        assert_eq!(d.id_issue_date.as_deref(), Some("2021-06-01"));
        assert_eq!(d.current_residence, None);
        assert_eq!(d.spouse_name, None);
        let bad = ChipDetails::from_dg13(None, Some("31/02/2021".into()), None, None, None, None);
        assert_eq!(bad.id_issue_date, None);
    }
}
