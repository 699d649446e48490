//! The citizen's self-declared health profile: blood type, allergies, chronic conditions,
//! disabilities. Kept in its own sealed row, apart from facility-issued records, and always
//! shown as self-declared: a facility must not read it as a verified fact.

use crate::store::{Sealer, StoreError};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BloodType {
    APositive,
    ANegative,
    BPositive,
    BNegative,
    AbPositive,
    AbNegative,
    OPositive,
    ONegative,
}

impl BloodType {
    pub fn label(self) -> &'static str {
        match self {
            BloodType::APositive => "A+",
            BloodType::ANegative => "A-",
            BloodType::BPositive => "B+",
            BloodType::BNegative => "B-",
            BloodType::AbPositive => "AB+",
            BloodType::AbNegative => "AB-",
            BloodType::OPositive => "O+",
            BloodType::ONegative => "O-",
        }
    }
}

/// What the citizen says about themselves.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthProfile {
    pub blood_type: Option<BloodType>,
    pub allergies: Vec<String>,
    pub chronic_conditions: Vec<String>,
    pub disabilities: Vec<String>,
}

impl std::fmt::Debug for HealthProfile {
    /// Health data never goes to logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HealthProfile")
            .field("allergies", &self.allergies.len())
            .field("chronic_conditions", &self.chronic_conditions.len())
            .field("disabilities", &self.disabilities.len())
            .finish_non_exhaustive()
    }
}

/// The stored profile, marked as declared by the citizen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelfDeclaredProfile {
    pub profile: HealthProfile,
    /// Unix seconds of the last edit.
    pub updated_at: u64,
}

impl SelfDeclaredProfile {
    /// Always true: nothing in this profile was confirmed by a facility.
    pub fn self_declared(&self) -> bool {
        true
    }
}

/// Entries per list and characters per entry.
pub const MAX_ENTRIES: usize = 30;
pub const MAX_ENTRY_CHARS: usize = 200;

/// Why a profile edit is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileError {
    TooManyEntries,
    EntryEmptyOrTooLong,
}

impl HealthProfile {
    /// Trims entries, drops exact duplicates, checks the limits.
    pub fn normalised(mut self) -> Result<Self, ProfileError> {
        for list in [
            &mut self.allergies,
            &mut self.chronic_conditions,
            &mut self.disabilities,
        ] {
            let mut clean: Vec<String> = Vec::new();
            for e in list.iter() {
                let e = e.trim();
                if e.is_empty() || e.chars().count() > MAX_ENTRY_CHARS || e.contains('\0') {
                    return Err(ProfileError::EntryEmptyOrTooLong);
                }
                if !clean.iter().any(|c| c == e) {
                    clean.push(e.to_owned());
                }
            }
            if clean.len() > MAX_ENTRIES {
                return Err(ProfileError::TooManyEntries);
            }
            *list = clean;
        }
        Ok(self)
    }
}

const CONTEXT: &str = "health_profile/1";

pub fn load(
    c: &Connection,
    sealer: &Sealer<'_>,
) -> Result<Option<SelfDeclaredProfile>, StoreError> {
    let sealed: Option<Vec<u8>> = c
        .query_row("SELECT sealed FROM health_profile WHERE id = 1", [], |r| {
            r.get(0)
        })
        .optional()?;
    sealed
        .map(|s| {
            let plain = sealer.open(CONTEXT, &s)?;
            serde_json::from_slice(&plain).map_err(|e| StoreError::Encoding(e.to_string()))
        })
        .transpose()
}

pub fn save(
    tx: &Transaction<'_>,
    sealer: &Sealer<'_>,
    p: &SelfDeclaredProfile,
) -> Result<(), StoreError> {
    let plain = zeroize::Zeroizing::new(
        serde_json::to_vec(p).map_err(|e| StoreError::Encoding(e.to_string()))?,
    );
    let sealed = sealer.seal(CONTEXT, &plain)?;
    tx.execute(
        "INSERT INTO health_profile (id, sealed) VALUES (1, ?1)
         ON CONFLICT (id) DO UPDATE SET sealed = ?1",
        params![sealed],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn entries_are_trimmed_deduplicated_and_bounded() {
        let p = HealthProfile {
            allergies: vec![" Penicillin ".into(), "Penicillin".into(), "Hải sản".into()],
            ..HealthProfile::default()
        }
        .normalised()
        .unwrap();
        assert_eq!(p.allergies, vec!["Penicillin", "Hải sản"]);
        let empty = HealthProfile {
            disabilities: vec!["  ".into()],
            ..HealthProfile::default()
        };
        assert_eq!(empty.normalised(), Err(ProfileError::EntryEmptyOrTooLong));
        let many = HealthProfile {
            chronic_conditions: (0..31).map(|i| format!("c{i}")).collect(),
            ..HealthProfile::default()
        };
        assert_eq!(many.normalised(), Err(ProfileError::TooManyEntries));
    }
}
