//! What a QR discloses, as both sides name it: the citizen's consent screen lists the claims
//! of a preset, the counter's result names the claims it received.

use vneid_wallet::credential::claims::{
    ClaimKey, PRESET_AGE_OVER_18, PRESET_ELECTRONIC_ID_CHECK, PRESET_HEALTH_INSURANCE,
    PRESET_HOTEL_CHECK_IN, PRESET_IDENTITY_CHECK, Preset, claim_def,
};

/// A claim key with its names, for consent screens and results.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ClaimInfo {
    /// Wire key (stable).
    pub key: u16,
    /// Short English name, e.g. `birth_date`.
    pub name: String,
    /// Vietnamese label for screens, e.g. `Ngày sinh`.
    pub label_vi: String,
}

pub(crate) fn claim_info(key: ClaimKey) -> ClaimInfo {
    let (name, label_vi) = claim_def(key).map_or(("unknown", ""), |d| (d.name, d.label_vi));
    ClaimInfo {
        key,
        name: name.to_owned(),
        label_vi: label_vi.to_owned(),
    }
}

/// What the citizen chooses to show (the app shows the claims before calling `present`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum PresentationPreset {
    /// Name, ID number, date of birth, sex, portrait digest.
    IdentityCheck,
    /// "18 or older" only, without the date of birth.
    AgeOver18,
    /// Name, ID number, date of birth, sex, nationality.
    HotelCheckIn,
    /// The health-insurance (BHYT) card at reception.
    HealthInsurance,
    /// Level 2: name, ID number, date of birth, sex, portrait digest from the
    /// electronic ID, issued once the chip ID card was verified.
    ElectronicIdCheck,
}

impl PresentationPreset {
    pub(crate) fn core(self) -> &'static Preset {
        match self {
            Self::IdentityCheck => &PRESET_IDENTITY_CHECK,
            Self::AgeOver18 => &PRESET_AGE_OVER_18,
            Self::HotelCheckIn => &PRESET_HOTEL_CHECK_IN,
            Self::HealthInsurance => &PRESET_HEALTH_INSURANCE,
            Self::ElectronicIdCheck => &PRESET_ELECTRONIC_ID_CHECK,
        }
    }
}

/// The claims a preset discloses, for the consent screen.
#[uniffi::export]
pub fn preset_claims(preset: PresentationPreset) -> Vec<ClaimInfo> {
    preset
        .core()
        .claims
        .iter()
        .map(|k| claim_info(*k))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_names_its_claims() {
        for p in [
            PresentationPreset::IdentityCheck,
            PresentationPreset::AgeOver18,
            PresentationPreset::HotelCheckIn,
            PresentationPreset::HealthInsurance,
        ] {
            let c = preset_claims(p);
            assert!(!c.is_empty());
            assert!(c.iter().all(|c| !c.name.is_empty()));
        }
        assert_eq!(
            preset_claims(PresentationPreset::AgeOver18)
                .first()
                .map(|c| c.key),
            Some(vneid_wallet::credential::claims::keys::AGE_OVER_18)
        );
    }
}
