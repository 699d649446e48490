//! Presets: named selections of claims from one credential type, the choices a counter
//! offers ("identity check", "age over 18", ...).
//!
//! Each type's tree is shaped so that a preset's claims sit in one subtree; these rows
//! are the selections that shape is built for.

use super::CredentialTypeId;
use super::catalog::keys;
use super::registry::types;
use crate::tree::ClaimKey;

/// A named selection of claims from one credential type.
#[derive(Debug, Clone, Copy)]
pub struct Preset {
    /// Short name.
    pub name: &'static str,
    /// Credential type it draws from.
    pub credential_type: CredentialTypeId,
    /// The claims it discloses.
    pub claims: &'static [ClaimKey],
}

/// "Identity check": name, ID number, birth date, sex, portrait digest.
pub const PRESET_IDENTITY_CHECK: Preset = Preset {
    name: "identity_check",
    credential_type: types::CORE_ID,
    claims: &[
        keys::FULL_NAME,
        keys::ID_NUMBER,
        keys::BIRTH_DATE,
        keys::SEX,
        keys::PORTRAIT_DIGEST,
    ],
};
/// "Age over 18" without the birth date.
pub const PRESET_AGE_OVER_18: Preset = Preset {
    name: "age_over_18",
    credential_type: types::AGE_OVER_18,
    claims: &[keys::AGE_OVER_18],
};
/// "Hotel check-in": name, ID number, birth date, sex, nationality.
pub const PRESET_HOTEL_CHECK_IN: Preset = Preset {
    name: "hotel_check_in",
    credential_type: types::CORE_ID,
    claims: &[
        keys::FULL_NAME,
        keys::ID_NUMBER,
        keys::BIRTH_DATE,
        keys::SEX,
        keys::NATIONALITY,
    ],
};
/// "Health insurance at reception": the BHYT card minus the address.
pub const PRESET_HEALTH_INSURANCE: Preset = Preset {
    name: "health_insurance_reception",
    credential_type: types::BHYT,
    claims: &[
        keys::BHYT_NUMBER,
        keys::FULL_NAME,
        keys::BIRTH_DATE,
        keys::SEX,
        keys::ID_NUMBER,
        keys::BHYT_VALIDITY,
        keys::BHYT_FACILITY,
    ],
};
/// "Identity check" from the level-2 electronic ID (chip card verified): name, ID number,
/// birth date, sex, portrait digest.
pub const PRESET_ELECTRONIC_ID_CHECK: Preset = Preset {
    name: "electronic_id_check",
    credential_type: types::ELECTRONIC_ID,
    claims: &[
        keys::FULL_NAME,
        keys::ID_NUMBER,
        keys::BIRTH_DATE,
        keys::SEX,
        keys::PORTRAIT_DIGEST,
    ],
};
/// The whole judicial-record certificate: holder, record text, title, number,
/// date and issuing office. A certificate is shown whole, as the paper one is. Not in
/// [`PRESETS`] (the counter presets of the identity types); checked by its own test.
pub const PRESET_JUDICIAL_RECORD: Preset = Preset {
    name: "judicial_record",
    credential_type: types::JUDICIAL_RECORD,
    claims: &[
        keys::FULL_NAME,
        keys::ID_NUMBER,
        keys::BIRTH_DATE,
        keys::CERT_DETAILS,
        keys::CERT_TITLE,
        keys::CERT_NUMBER,
        keys::CERT_ISSUED,
        keys::CERT_ISSUER_NAME,
    ],
};
/// All presets.
pub const PRESETS: &[Preset] = &[
    PRESET_IDENTITY_CHECK,
    PRESET_AGE_OVER_18,
    PRESET_HOTEL_CHECK_IN,
    PRESET_HEALTH_INSURANCE,
    PRESET_ELECTRONIC_ID_CHECK,
];

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::claims::Registry;

    #[test]
    fn presets_only_name_claims_of_their_type() {
        let r = Registry::builtin();
        for p in PRESETS {
            let t = r.get(p.credential_type).unwrap();
            for k in p.claims {
                assert!(t.shape.leaves().contains(k), "{} claim {k}", p.name);
            }
        }
    }

    #[test]
    fn the_judicial_record_preset_discloses_every_claim_of_its_type() {
        let t = Registry::builtin()
            .get(types::JUDICIAL_RECORD)
            .unwrap()
            .clone();
        let mut leaves = t.shape.leaves().to_vec();
        let mut claims = PRESET_JUDICIAL_RECORD.claims.to_vec();
        leaves.sort_unstable();
        claims.sort_unstable();
        assert_eq!(leaves, claims);
    }
}
