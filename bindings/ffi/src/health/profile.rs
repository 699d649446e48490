//! The citizen's self-declared health profile (blood type, allergies, chronic conditions,
//! disabilities): what the app edits and what it shows, always marked self-declared, apart
//! from the facility-issued records of the book.

use crate::error::VneidError;
use crate::wallet::WalletCore;
use vneid_wallet::health as h;

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
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

impl From<BloodType> for h::BloodType {
    fn from(b: BloodType) -> Self {
        match b {
            BloodType::APositive => Self::APositive,
            BloodType::ANegative => Self::ANegative,
            BloodType::BPositive => Self::BPositive,
            BloodType::BNegative => Self::BNegative,
            BloodType::AbPositive => Self::AbPositive,
            BloodType::AbNegative => Self::AbNegative,
            BloodType::OPositive => Self::OPositive,
            BloodType::ONegative => Self::ONegative,
        }
    }
}

impl From<h::BloodType> for BloodType {
    fn from(b: h::BloodType) -> Self {
        match b {
            h::BloodType::APositive => Self::APositive,
            h::BloodType::ANegative => Self::ANegative,
            h::BloodType::BPositive => Self::BPositive,
            h::BloodType::BNegative => Self::BNegative,
            h::BloodType::AbPositive => Self::AbPositive,
            h::BloodType::AbNegative => Self::AbNegative,
            h::BloodType::OPositive => Self::OPositive,
            h::BloodType::ONegative => Self::ONegative,
        }
    }
}

/// What the citizen edits.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct HealthProfileInput {
    pub blood_type: Option<BloodType>,
    pub allergies: Vec<String>,
    pub chronic_conditions: Vec<String>,
    pub disabilities: Vec<String>,
}

impl std::fmt::Debug for HealthProfileInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HealthProfileInput").finish_non_exhaustive()
    }
}

/// The stored profile. Always self-declared: show it as such, apart from facility records.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct SelfDeclaredHealthProfile {
    pub blood_type: Option<BloodType>,
    pub allergies: Vec<String>,
    pub chronic_conditions: Vec<String>,
    pub disabilities: Vec<String>,
    /// Always true.
    pub self_declared: bool,
    pub updated_at: u64,
}

impl std::fmt::Debug for SelfDeclaredHealthProfile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SelfDeclaredHealthProfile")
            .field("updated_at", &self.updated_at)
            .finish_non_exhaustive()
    }
}

impl From<h::SelfDeclaredProfile> for SelfDeclaredHealthProfile {
    fn from(p: h::SelfDeclaredProfile) -> Self {
        let self_declared = p.self_declared();
        Self {
            blood_type: p.profile.blood_type.map(Into::into),
            allergies: p.profile.allergies,
            chronic_conditions: p.profile.chronic_conditions,
            disabilities: p.profile.disabilities,
            self_declared,
            updated_at: p.updated_at,
        }
    }
}

#[uniffi::export]
impl WalletCore {
    /// The self-declared profile, if any.
    pub fn health_profile(&self) -> Result<Option<SelfDeclaredHealthProfile>, VneidError> {
        Ok(self.wallet.health_profile()?.map(Into::into))
    }

    /// Replaces the self-declared profile.
    pub fn health_set_profile(
        &self,
        profile: HealthProfileInput,
    ) -> Result<SelfDeclaredHealthProfile, VneidError> {
        let p = h::HealthProfile {
            blood_type: profile.blood_type.map(Into::into),
            allergies: profile.allergies,
            chronic_conditions: profile.chronic_conditions,
            disabilities: profile.disabilities,
        };
        Ok(self.wallet.health_set_profile(p)?.into())
    }
}
