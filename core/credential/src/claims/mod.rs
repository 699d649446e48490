//! Claim keys, typed claim values and the credential-type registry.
//!
//! Why integers: every byte of the QR costs 1.5 Base45 characters, so claims are
//! named by small integers (one CBOR byte for keys below 24) and the meaning of a
//! key is the same in every credential type, so a verifier can label any claim.
//!
//! Why a registry *as data*: a credential type is a list of claim keys arranged
//! in a small binary tree (see [`crate::tree`]), written as a string such as
//! `"((((1 2)(3 4))5)((6 9)(7 8)))"`. Adding a type (a vaccination, a judicial
//! record certificate) is a new table row, not new code, as long as it reuses
//! the existing value kinds. The tree shape is chosen so that the claims a preset
//! discloses together sit in one subtree: then the whole preset costs one
//! 16-byte seed and the hidden rest costs one 32-byte hash.
//!
//! The module is split along those concepts:
//!
//! * `value`: value kinds, dates, sex codes and typed claim values;
//! * `catalog`: the claim keys and the table of claim definitions;
//! * `codec`: the one canonical CBOR encoding of each value;
//! * `registry`: credential types as data and the registry that parses them;
//! * `preset`: named claim selections a counter asks for.
//!
//! Everything is re-exported here: callers name `claims::X`, never a child module.

mod catalog;
mod codec;
mod preset;
mod registry;
mod value;

pub use crate::tree::ClaimKey;

pub use catalog::{CLAIMS, ClaimDef, claim_def, keys};
pub use codec::{decode_value, encode_value};
pub use preset::{
    PRESET_AGE_OVER_18, PRESET_ELECTRONIC_ID_CHECK, PRESET_HEALTH_INSURANCE, PRESET_HOTEL_CHECK_IN,
    PRESET_IDENTITY_CHECK, PRESET_JUDICIAL_RECORD, PRESETS, Preset,
};
pub use registry::{
    CredentialType, Registry, RegistryError, TYPES, TypeDef, identity_level, types,
};
pub use value::{ClaimError, ClaimValue, Date, Sex, ValueKind};

/// A credential type identifier (carried in the issuer-signed payload).
pub type CredentialTypeId = u16;
