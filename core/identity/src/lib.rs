//! Vietnamese identity values for the VNeID-style wallet core.
//!
//! Pure validation and normalisation of what a citizen types or a card carries: personal ID
//! numbers (số định danh cá nhân), province codes, mobile numbers, emails, calendar dates and the
//! 6-digit passcode rules. No I/O and no clock: callers pass "today" in, so every function is
//! deterministic and safe to call from any binding.
//!
//! Values that identify a person (ID numbers, phone numbers, emails) mask themselves in `Debug`
//! and have no `Display`, so they cannot end up in a log line by accident; use the explicit
//! accessors (`as_str`, `as_e164`, …) where the full value is really needed.

mod bhyt;
mod century;
mod civil;
mod date;
mod digits;
mod email;
mod id_number;
mod mask;
mod mobile_prefix;
mod old_id;
mod passcode;
mod phone;
mod province;
mod sex;

pub use bhyt::{BHYT_GROUPS, BhytError, BhytNumber};
pub use date::{CalendarDate, DateError};
pub use email::{Email, EmailError};
pub use id_number::{IdNumberError, PersonalIdNumber};
pub use mobile_prefix::MOBILE_PREFIXES;
pub use old_id::is_valid_old_id_number;
pub use passcode::{PasscodeRuleError, check_passcode_rules};
pub use phone::{PhoneError, PhoneNumber};
pub use province::{PROVINCES, Province, province_by_code};
pub use sex::Sex;
