//! The request form as the wallet keeps it: the wire body's fields plus, for each personal
//! detail, where its value came from. Values from the chip or the population database are
//! locked: the office checks them against the same sources, so the citizen cannot edit them.

use serde::{Deserialize, Serialize};
use vneid_api::judicial::{
    CertificateType, Delivery, JudicialRequestBody, PersonalDetails, Relative, Requester,
    ResidencePeriod,
};
use vneid_api::{CitizenProfile, Sex};

/// Where a personal detail came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldSource {
    /// The national population database (the account's verified record): locked.
    PopulationDb,
    /// The chip of the ID card, after passive authentication: locked.
    Chip,
    /// Typed by the citizen: editable.
    Citizen,
}

/// One personal detail and its source.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonalField {
    pub value: String,
    pub source: FieldSource,
}

impl std::fmt::Debug for PersonalField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PersonalField")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl PersonalField {
    pub fn citizen(value: impl Into<String>) -> Self {
        Self {
            value: value.into(),
            source: FieldSource::Citizen,
        }
    }

    fn from(value: impl Into<String>, source: FieldSource) -> Self {
        Self {
            value: value.into(),
            source,
        }
    }

    /// Locked fields cannot be edited in a draft.
    pub fn locked(&self) -> bool {
        self.source != FieldSource::Citizen
    }
}

/// The personal details block, field by field with sources.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonalForm {
    pub full_name: PersonalField,
    pub other_names: PersonalField,
    pub date_of_birth: PersonalField,
    pub sex: PersonalField,
    pub birthplace: PersonalField,
    pub nationality: PersonalField,
    pub ethnicity: PersonalField,
    pub id_number: PersonalField,
    pub id_issue_date: PersonalField,
    pub permanent_residence: PersonalField,
    pub current_residence: PersonalField,
    pub phone: PersonalField,
    pub email: PersonalField,
}

impl PersonalForm {
    /// `(path, field)` of every detail, in form order.
    pub fn fields(&self) -> [(&'static str, &PersonalField); 13] {
        [
            ("personal.full_name", &self.full_name),
            ("personal.other_names", &self.other_names),
            ("personal.date_of_birth", &self.date_of_birth),
            ("personal.sex", &self.sex),
            ("personal.birthplace", &self.birthplace),
            ("personal.nationality", &self.nationality),
            ("personal.ethnicity", &self.ethnicity),
            ("personal.id_number", &self.id_number),
            ("personal.id_issue_date", &self.id_issue_date),
            ("personal.permanent_residence", &self.permanent_residence),
            ("personal.current_residence", &self.current_residence),
            ("personal.phone", &self.phone),
            ("personal.email", &self.email),
        ]
    }

    fn fields_mut(&mut self) -> [&mut PersonalField; 13] {
        [
            &mut self.full_name,
            &mut self.other_names,
            &mut self.date_of_birth,
            &mut self.sex,
            &mut self.birthplace,
            &mut self.nationality,
            &mut self.ethnicity,
            &mut self.id_number,
            &mut self.id_issue_date,
            &mut self.permanent_residence,
            &mut self.current_residence,
            &mut self.phone,
            &mut self.email,
        ]
    }

    /// Takes an edited copy: locked fields must keep their value (else the path of the first
    /// one changed); sources always stay those of `self`, whatever the edit claims.
    pub fn apply_edit(&self, edited: &PersonalForm) -> Result<PersonalForm, String> {
        let mut out = self.clone();
        let paths = self.fields().map(|(p, _)| p);
        let new = edited.fields().map(|(_, f)| f.value.clone());
        for ((slot, path), value) in out.fields_mut().into_iter().zip(paths).zip(new) {
            if slot.locked() {
                if slot.value != value {
                    return Err(path.to_owned());
                }
            } else {
                slot.value = value;
            }
        }
        Ok(out)
    }

    pub fn to_wire(&self) -> PersonalDetails {
        PersonalDetails {
            full_name: self.full_name.value.clone(),
            other_names: self.other_names.value.clone(),
            date_of_birth: self.date_of_birth.value.clone(),
            sex: self.sex.value.clone(),
            birthplace: self.birthplace.value.clone(),
            nationality: self.nationality.value.clone(),
            ethnicity: self.ethnicity.value.clone(),
            id_number: self.id_number.value.clone(),
            id_issue_date: self.id_issue_date.value.clone(),
            permanent_residence: self.permanent_residence.value.clone(),
            current_residence: self.current_residence.value.clone(),
            phone: self.phone.value.clone(),
            email: self.email.value.clone(),
        }
    }
}

/// Details read from the chip (DG13, after passive authentication) that the population
/// record in the account does not carry. Every value given is locked in the form.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ChipDetails {
    pub ethnicity: Option<String>,
    /// `YYYY-MM-DD`.
    pub id_issue_date: Option<String>,
    pub current_residence: Option<String>,
    pub father_name: Option<String>,
    pub mother_name: Option<String>,
    pub spouse_name: Option<String>,
}

impl ChipDetails {
    /// From DG13 fields as the chip prints them, after passive authentication passed (the
    /// caller checks that: only a verified chip may lock form fields). The issue date comes
    /// as `dd/mm/yyyy` and is kept only if it is a real date; empty values are dropped.
    pub fn from_dg13(
        ethnicity: Option<String>,
        date_of_issue: Option<String>,
        place_of_residence: Option<String>,
        father_name: Option<String>,
        mother_name: Option<String>,
        spouse_name: Option<String>,
    ) -> Self {
        let keep = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        Self {
            ethnicity: keep(ethnicity),
            id_issue_date: keep(date_of_issue).and_then(|d| {
                vneid_identity::CalendarDate::parse_ddmmyyyy(&d)
                    .ok()
                    .map(|d| d.to_iso())
            }),
            current_residence: keep(place_of_residence),
            father_name: keep(father_name),
            mother_name: keep(mother_name),
            spouse_name: keep(spouse_name),
        }
    }
}

impl std::fmt::Debug for ChipDetails {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChipDetails(<redacted>)")
    }
}

/// The whole request form.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JudicialForm {
    pub certificate_type: CertificateType,
    pub requester: Requester,
    pub purpose: String,
    pub copies: u8,
    /// Ask the office to certify whether the citizen is banned from holding positions in
    /// enterprises (only for No. 1; No. 2 always states it).
    pub certify_position_ban: bool,
    pub delivery: Delivery,
    pub personal: PersonalForm,
    pub residence_history: Vec<ResidencePeriod>,
    pub father: Option<Relative>,
    pub mother: Option<Relative>,
    /// Whether the citizen has a spouse (then No. 2 needs the spouse's details).
    pub married: bool,
    pub spouse: Option<Relative>,
    /// Declared fee category (`standard`, `student`, …; see the fee table).
    pub fee_category: String,
}

impl std::fmt::Debug for JudicialForm {
    /// Purpose, addresses and relatives are personal: only the shape goes to logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JudicialForm")
            .field("certificate_type", &self.certificate_type)
            .field("copies", &self.copies)
            .field("delivery", &self.delivery)
            .field("residence_periods", &self.residence_history.len())
            .field("fee_category", &self.fee_category)
            .finish_non_exhaustive()
    }
}

fn relative(name: Option<String>) -> Option<Relative> {
    name.filter(|n| !n.trim().is_empty())
        .map(|full_name| Relative {
            full_name,
            birth_year: None,
        })
}

impl JudicialForm {
    /// A new form prefilled from the verified population record and, when the app has read
    /// the chip, its DG13 details. Defaults: No. 1 for oneself, one copy, electronic delivery,
    /// standard fee, and one residence period from the month of the 14th birthday at the
    /// permanent address (the citizen edits it).
    pub fn prefilled(profile: &CitizenProfile, chip: Option<&ChipDetails>) -> Self {
        use FieldSource::{Chip, PopulationDb};
        let empty = || PersonalField::citizen("");
        let chip_or = |v: Option<&String>| match v {
            Some(v) if !v.trim().is_empty() => PersonalField::from(v.clone(), Chip),
            _ => empty(),
        };
        let chip = chip.cloned().unwrap_or_default();
        let permanent = format!(
            "{}, {}",
            profile.permanent_address.line, profile.permanent_address.province_name
        );
        let current = match &chip.current_residence {
            Some(v) if !v.trim().is_empty() => PersonalField::from(v.clone(), Chip),
            _ => PersonalField::citizen(permanent.clone()),
        };
        let personal = PersonalForm {
            full_name: PersonalField::from(profile.full_name.clone(), PopulationDb),
            other_names: empty(),
            date_of_birth: PersonalField::from(profile.date_of_birth.clone(), PopulationDb),
            sex: PersonalField::from(
                match profile.sex {
                    Sex::Male => "male",
                    Sex::Female => "female",
                },
                PopulationDb,
            ),
            birthplace: PersonalField::citizen(profile.place_of_origin.clone()),
            nationality: PersonalField::from(profile.nationality.clone(), PopulationDb),
            ethnicity: chip_or(chip.ethnicity.as_ref()),
            id_number: PersonalField::from(profile.id_number.clone(), PopulationDb),
            id_issue_date: chip_or(chip.id_issue_date.as_ref()),
            permanent_residence: PersonalField::from(permanent.clone(), PopulationDb),
            current_residence: current,
            phone: empty(),
            email: empty(),
        };
        let from = super::months::month_turning_14(&profile.date_of_birth).unwrap_or_default();
        let married = chip
            .spouse_name
            .as_ref()
            .is_some_and(|s| !s.trim().is_empty());
        JudicialForm {
            certificate_type: CertificateType::No1,
            requester: Requester::Myself,
            purpose: String::new(),
            copies: 1,
            certify_position_ban: false,
            delivery: Delivery::Electronic,
            personal,
            residence_history: vec![ResidencePeriod {
                from,
                to: None,
                address: permanent,
                occupation: String::new(),
            }],
            father: relative(chip.father_name),
            mother: relative(chip.mother_name),
            married,
            spouse: relative(chip.spouse_name),
            fee_category: "standard".into(),
        }
    }

    /// The wire body, with the fee the wallet computed and will show.
    pub fn to_body(&self, fee_vnd: u64) -> JudicialRequestBody {
        JudicialRequestBody {
            certificate_type: self.certificate_type,
            requester: self.requester.clone(),
            purpose: self.purpose.trim().to_owned(),
            copies: self.copies,
            certify_position_ban: self.certify_position_ban,
            delivery: self.delivery.clone(),
            personal: self.personal.to_wire(),
            residence_history: self.residence_history.clone(),
            father: self.father.clone(),
            mother: self.mother.clone(),
            spouse: if self.married {
                self.spouse.clone()
            } else {
                None
            },
            fee_category: self.fee_category.clone(),
            fee_vnd,
        }
    }
}
