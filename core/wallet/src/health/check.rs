//! Checks on a change page from the backend before anything of it is stored: the feed is
//! untrusted input, and one bad page must leave the book and its cursor as they were.

use super::types::{HealthRecord, RecordBody};
use vneid_api::health::{HealthChangesResponse, MAX_PAGE};
use vneid_identity::{BhytNumber, CalendarDate};

/// Longest text field accepted in a record.
const MAX_TEXT: usize = 4000;
/// Longest list (diagnoses, prescriptions, …) accepted in a record.
const MAX_LIST: usize = 64;

/// Why a page was refused (no personal data in it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PageError {
    #[error("page larger than requested")]
    TooLong,
    #[error("change sequence not increasing or not after the cursor")]
    Sequence,
    #[error("next cursor inconsistent with the page")]
    Cursor,
    #[error("change names another record than it carries")]
    RecordId,
    #[error("upsert without a record")]
    MissingRecord,
    #[error("record field invalid: {0}")]
    Field(&'static str),
}

fn text(s: &str, what: &'static str) -> Result<(), PageError> {
    if s.len() > MAX_TEXT || s.contains('\0') {
        return Err(PageError::Field(what));
    }
    Ok(())
}

fn date(s: &str, what: &'static str) -> Result<CalendarDate, PageError> {
    CalendarDate::parse_iso(s).map_err(|_| PageError::Field(what))
}

fn list<T>(l: &[T], what: &'static str) -> Result<(), PageError> {
    if l.len() > MAX_LIST {
        return Err(PageError::Field(what));
    }
    Ok(())
}

/// Checks one record's fields.
pub fn check_record(r: &HealthRecord) -> Result<(), PageError> {
    if r.id.is_empty() || r.id.len() > 64 || !r.id.is_ascii() {
        return Err(PageError::Field("id"));
    }
    if r.version == 0 {
        return Err(PageError::Field("version"));
    }
    date(&r.date, "date")?;
    text(&r.title, "title")?;
    if r.facility.code.is_empty() || r.facility.code.len() > 16 {
        return Err(PageError::Field("facility code"));
    }
    text(&r.facility.name, "facility name")?;
    match &r.body {
        RecordBody::BhytCard {
            card_number,
            beneficiary_group,
            benefit_level,
            primary_care,
            valid_from,
            valid_to,
            five_years_from,
        } => {
            text(&primary_care.code, "facility code")?;
            text(&primary_care.name, "facility name")?;
            let n = BhytNumber::parse(card_number).map_err(|_| PageError::Field("card number"))?;
            if n.group() != beneficiary_group || n.benefit_level() != *benefit_level {
                return Err(PageError::Field("card group or level"));
            }
            if date(valid_from, "valid from")? > date(valid_to, "valid to")? {
                return Err(PageError::Field("card validity"));
            }
            if let Some(d) = five_years_from {
                date(d, "five years")?;
            }
        }
        RecordBody::Vaccination {
            vaccine,
            disease,
            dose_number,
            lot,
            ..
        } => {
            text(vaccine, "vaccine")?;
            text(disease, "disease")?;
            text(lot, "lot")?;
            if *dose_number == 0 {
                return Err(PageError::Field("dose number"));
            }
        }
        RecordBody::Encounter {
            department,
            end_date,
            reason,
            diagnoses,
            procedures,
            prescriptions,
            discharge_summary,
            ..
        } => {
            text(department, "department")?;
            text(reason, "reason")?;
            if let Some(e) = end_date
                && date(e, "end date")? < date(&r.date, "date")?
            {
                return Err(PageError::Field("end date"));
            }
            list(diagnoses, "diagnoses")?;
            list(procedures, "procedures")?;
            list(prescriptions, "prescriptions")?;
            for d in diagnoses {
                text(&d.code, "icd-10")?;
                text(&d.name, "diagnosis")?;
            }
            for p in procedures {
                text(&p.code, "procedure code")?;
                text(&p.name, "procedure")?;
            }
            for p in prescriptions {
                text(&p.drug, "drug")?;
                text(&p.strength, "strength")?;
                text(&p.dose, "dose")?;
            }
            if let Some(s) = discharge_summary {
                text(s, "discharge summary")?;
            }
        }
        RecordBody::Referral {
            referral_number,
            to_facility,
            diagnosis,
            reason,
        } => {
            text(referral_number, "referral number")?;
            text(&to_facility.code, "facility code")?;
            text(&to_facility.name, "facility name")?;
            text(&diagnosis.code, "icd-10")?;
            text(&diagnosis.name, "diagnosis")?;
            text(reason, "reason")?;
        }
        RecordBody::Appointment {
            department,
            time,
            purpose,
        } => {
            text(department, "department")?;
            text(purpose, "purpose")?;
            let ok = time.len() == 5
                && time.as_bytes().get(2) == Some(&b':')
                && time
                    .bytes()
                    .enumerate()
                    .all(|(i, b)| i == 2 || b.is_ascii_digit());
            if !ok {
                return Err(PageError::Field("time"));
            }
        }
        RecordBody::SickLeave {
            certificate_number,
            from,
            to,
            diagnosis,
            ..
        } => {
            text(certificate_number, "certificate number")?;
            text(&diagnosis.code, "icd-10")?;
            text(&diagnosis.name, "diagnosis")?;
            if date(from, "from")? > date(to, "to")? {
                return Err(PageError::Field("leave period"));
            }
        }
        RecordBody::DriverHealth {
            certificate_number,
            licence_class,
            valid_until,
            ..
        } => {
            text(certificate_number, "certificate number")?;
            text(licence_class, "licence class")?;
            date(valid_until, "valid until")?;
        }
    }
    Ok(())
}

/// Checks a page asked for with `since` and `limit`.
pub fn check_page(page: &HealthChangesResponse, since: u64, limit: u32) -> Result<(), PageError> {
    if page.changes.len() > limit.min(MAX_PAGE) as usize {
        return Err(PageError::TooLong);
    }
    let mut last = since;
    for ch in &page.changes {
        if ch.seq <= last {
            return Err(PageError::Sequence);
        }
        last = ch.seq;
        match (&ch.record, ch.deleted) {
            (Some(r), false) => {
                if r.id != ch.record_id {
                    return Err(PageError::RecordId);
                }
                check_record(r)?;
            }
            (None, false) => return Err(PageError::MissingRecord),
            (_, true) => {
                if ch.record_id.is_empty() || ch.record_id.len() > 64 {
                    return Err(PageError::RecordId);
                }
            }
        }
    }
    if page.next_cursor != last || (page.has_more && page.changes.is_empty()) {
        return Err(PageError::Cursor);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use vneid_api::health::{Facility, HealthChange};

    fn card(number: &str) -> HealthRecord {
        HealthRecord {
            id: "hr-1".into(),
            version: 1,
            date: "2026-01-01".into(),
            facility: Facility {
                code: "01001".into(),
                name: "Bệnh viện".into(),
            },
            title: "Thẻ bảo hiểm y tế".into(),
            body: RecordBody::BhytCard {
                card_number: number.into(),
                beneficiary_group: "DN".into(),
                benefit_level: 4,
                primary_care: Facility {
                    code: "01001".into(),
                    name: "Bệnh viện".into(),
                },
                valid_from: "2026-01-01".into(),
                valid_to: "2026-12-31".into(),
                five_years_from: None,
            },
        }
    }

    fn page(changes: Vec<HealthChange>, next_cursor: u64, has_more: bool) -> HealthChangesResponse {
        HealthChangesResponse {
            changes,
            next_cursor,
            has_more,
        }
    }

    fn upsert(seq: u64, r: HealthRecord) -> HealthChange {
        HealthChange {
            seq,
            record_id: r.id.clone(),
            deleted: false,
            record: Some(r),
        }
    }

    #[test]
    fn a_well_formed_page_passes() {
        let tomb = HealthChange {
            seq: 12,
            record_id: "hr-2".into(),
            deleted: true,
            record: None,
        };
        let p = page(vec![upsert(11, card("DN4010123456789")), tomb], 12, true);
        assert_eq!(check_page(&p, 10, 2), Ok(()));
    }

    #[test]
    fn a_bad_card_number_or_a_mismatched_group_refuses_the_page() {
        let p = page(vec![upsert(11, card("DN4990123456789"))], 11, false);
        assert_eq!(check_page(&p, 10, 10), Err(PageError::Field("card number")));
        let p = page(vec![upsert(11, card("HT2010123456789"))], 11, false);
        assert_eq!(
            check_page(&p, 10, 10),
            Err(PageError::Field("card group or level"))
        );
    }

    #[test]
    fn an_oversized_or_nul_text_field_refuses_the_page() {
        let mut r = card("DN4010123456789");
        r.title = "x".repeat(MAX_TEXT + 1);
        assert_eq!(check_record(&r), Err(PageError::Field("title")));
        let mut r = card("DN4010123456789");
        r.facility.name = "a\0b".into();
        assert_eq!(check_record(&r), Err(PageError::Field("facility name")));
    }

    #[test]
    fn sequences_cursors_and_sizes_are_checked() {
        let ok = || upsert(11, card("DN4010123456789"));
        // Not after the cursor.
        assert_eq!(
            check_page(&page(vec![ok()], 11, false), 11, 10),
            Err(PageError::Sequence)
        );
        // Cursor must be the last sequence.
        assert_eq!(
            check_page(&page(vec![ok()], 15, false), 10, 10),
            Err(PageError::Cursor)
        );
        // "More" with nothing in the page would loop forever.
        assert_eq!(
            check_page(&page(vec![], 10, true), 10, 10),
            Err(PageError::Cursor)
        );
        // Longer than asked.
        assert_eq!(
            check_page(&page(vec![ok()], 11, false), 10, 0),
            Err(PageError::TooLong)
        );
        // A change carrying another record than it names.
        let mut other = ok();
        other.record_id = "hr-9".into();
        assert_eq!(
            check_page(&page(vec![other], 11, false), 10, 10),
            Err(PageError::RecordId)
        );
        // An upsert without its record.
        let mut empty = ok();
        empty.record = None;
        assert_eq!(
            check_page(&page(vec![empty], 11, false), 10, 10),
            Err(PageError::MissingRecord)
        );
    }
}
