//! Records and enums crossing the FFI, with conversions from the core's types.

use vneid_wallet as core;

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Platform {
    Android,
    Ios,
    Desktop,
}

impl Platform {
    fn as_str(self) -> &'static str {
        match self {
            Platform::Android => "android",
            Platform::Ios => "ios",
            Platform::Desktop => "desktop",
        }
    }
}

/// How the app sets up the wallet.
#[derive(Debug, Clone, uniffi::Record)]
pub struct WalletConfig {
    /// App-private directory for the wallet's database.
    pub data_dir: String,
    pub backend_url: String,
    pub device_name: String,
    pub platform: Platform,
    /// PBKDF2 iterations for new passcodes; null for the default (600 000).
    #[uniffi(default = None)]
    pub kdf_iterations: Option<u32>,
    /// Network timeout; null for the default (20 s).
    #[uniffi(default = None)]
    pub http_timeout_seconds: Option<u32>,
    /// Pinned trust-list anchor (SEC1 P-256 public key): every credential the backend issues
    /// must come from an issuer in a trust list this key signed. Null for the reference
    /// backend's test anchor; a production app pins its own.
    #[uniffi(default = None)]
    pub trust_anchor: Option<Vec<u8>>,
}

impl From<WalletConfig> for core::WalletConfig {
    fn from(c: WalletConfig) -> Self {
        let mut out = core::WalletConfig::new(c.data_dir, c.backend_url);
        out.device_name = c.device_name;
        out.platform = c.platform.as_str().to_string();
        if let Some(n) = c.kdf_iterations {
            out.kdf_iterations = n;
        }
        if let Some(s) = c.http_timeout_seconds {
            out.http_timeout = std::time::Duration::from_secs(u64::from(s));
        }
        if let Some(anchor) = c.trust_anchor {
            out.trust_anchors = vec![anchor];
        }
        out
    }
}

/// What the citizen enters to activate: 12-digit ID number, mobile phone, date of birth
/// (`YYYY-MM-DD`), optional email.
#[derive(Clone, uniffi::Record)]
pub struct ActivationInput {
    pub id_number: String,
    pub phone: String,
    pub date_of_birth: String,
    #[uniffi(default = None)]
    pub email: Option<String>,
}

impl std::fmt::Debug for ActivationInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ActivationInput(<redacted>)")
    }
}

impl From<ActivationInput> for core::ActivationInput {
    fn from(i: ActivationInput) -> Self {
        Self {
            id_number: i.id_number,
            phone: i.phone,
            date_of_birth: i.date_of_birth,
            email: i.email,
        }
    }
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct OtpSent {
    pub masked_phone: String,
    pub otp_ttl_seconds: u64,
    pub resend_after_seconds: u64,
    pub max_attempts: u32,
}

impl From<core::OtpSent> for OtpSent {
    fn from(o: core::OtpSent) -> Self {
        Self {
            masked_phone: o.masked_phone,
            otp_ttl_seconds: o.otp_ttl_seconds,
            resend_after_seconds: o.resend_after_seconds,
            max_attempts: o.max_attempts,
        }
    }
}

/// Where the wallet stands; the app picks its screen from this.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum WalletState {
    NotActivated,
    AwaitingOtp {
        masked_phone: String,
        resend_at: u64,
    },
    AwaitingPasscode,
    Locked {
        attempts_left: u32,
    },
    Unlocked {
        online: bool,
    },
    Blocked {
        reason: core::BlockReason,
    },
}

impl From<core::WalletState> for WalletState {
    fn from(s: core::WalletState) -> Self {
        use core::WalletState as S;
        match s {
            S::NotActivated => Self::NotActivated,
            S::AwaitingOtp {
                masked_phone,
                resend_at,
            } => Self::AwaitingOtp {
                masked_phone,
                resend_at,
            },
            S::AwaitingPasscode => Self::AwaitingPasscode,
            S::Locked { attempts_left } => Self::Locked { attempts_left },
            S::Unlocked { online } => Self::Unlocked { online },
            S::Blocked { reason } => Self::Blocked { reason },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AccountSummary {
    pub account_id: String,
    pub device_id: String,
    pub level: u8,
    pub online: bool,
}

impl From<core::AccountSummary> for AccountSummary {
    fn from(a: core::AccountSummary) -> Self {
        Self {
            account_id: a.account_id,
            device_id: a.device_id,
            level: a.level,
            online: a.online,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Sex {
    Male,
    Female,
}

#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct Address {
    pub province_code: String,
    pub province_name: String,
    pub line: String,
}

impl std::fmt::Debug for Address {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Address(<redacted>)")
    }
}

/// The citizen's population record. Personal data: `Debug` prints nothing of it.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct CitizenProfile {
    pub id_number: String,
    pub full_name: String,
    pub date_of_birth: String,
    pub sex: Sex,
    pub nationality: String,
    pub place_of_origin: String,
    pub permanent_address: Address,
    pub masked_phone: String,
}

impl std::fmt::Debug for CitizenProfile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CitizenProfile(<redacted>)")
    }
}

impl From<core::CitizenProfile> for CitizenProfile {
    fn from(p: core::CitizenProfile) -> Self {
        Self {
            id_number: p.id_number,
            full_name: p.full_name,
            date_of_birth: p.date_of_birth,
            sex: match p.sex {
                core::api_sex::Male => Sex::Male,
                core::api_sex::Female => Sex::Female,
            },
            nationality: p.nationality,
            place_of_origin: p.place_of_origin,
            permanent_address: Address {
                province_code: p.permanent_address.province_code,
                province_name: p.permanent_address.province_name,
                line: p.permanent_address.line,
            },
            masked_phone: p.masked_phone,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AccountInfo {
    pub account_id: String,
    pub device_id: String,
    pub level: u8,
    pub citizen: CitizenProfile,
}

impl From<core::AccountInfo> for AccountInfo {
    fn from(a: core::AccountInfo) -> Self {
        Self {
            account_id: a.account_id,
            device_id: a.device_id,
            level: a.level,
            citizen: a.citizen.into(),
        }
    }
}
