//! Credential types as data and the [`Registry`] of the types a party understands.
//!
//! A credential type is a list of claim keys arranged in a small binary tree, written as
//! a string (see [`crate::tree`]); adding a type is a new row of [`TYPES`], not new code.
//! The registry parses each row once and refuses rows naming claims outside the
//! catalogue.

use std::collections::BTreeMap;

use thiserror::Error;

use super::CredentialTypeId;
use super::catalog::claim_def;
use crate::tree::Shape;

/// Credential type identifiers. Part of the wire format.
pub mod types {
    use super::CredentialTypeId;
    /// Electronic ID card (core identity), after account level 2.
    pub const CORE_ID: CredentialTypeId = 1;
    /// Age over 18, nothing else.
    pub const AGE_OVER_18: CredentialTypeId = 2;
    /// BHYT health-insurance card.
    pub const BHYT: CredentialTypeId = 3;
    /// A generic certificate (judicial record, driver health certificate, ...).
    pub const CERTIFICATE: CredentialTypeId = 4;
    /// Electronic ID of a level-2 account: the same claims as [`CORE_ID`], but
    /// issued only after the backend verified the citizen's chip ID card, with the chip's
    /// face as portrait digest and the card's validity. A verifier that needs "presented
    /// the ID card" (level 2) asks for this type; [`CORE_ID`] is the level-1 identity,
    /// checked against the population database only.
    pub const ELECTRONIC_ID: CredentialTypeId = 5;
    /// Judicial-record certificate (Phiếu lý lịch tư pháp), issued electronically
    /// by the justice department: its own type so a wallet never confuses it with another
    /// certificate and a verifier can ask for exactly it.
    pub const JUDICIAL_RECORD: CredentialTypeId = 6;
}

/// The account level a credential type stands for (1: population database; 2: chip ID
/// card verified), for counter screens; `None` for types that are not an identity.
pub fn identity_level(ty: CredentialTypeId) -> Option<u8> {
    match ty {
        types::CORE_ID => Some(1),
        types::ELECTRONIC_ID => Some(2),
        _ => None,
    }
}

/// A credential type as data: id, name and the claim tree.
#[derive(Debug, Clone, Copy)]
pub struct TypeDef {
    /// Identifier in the signed payload.
    pub id: CredentialTypeId,
    /// English name.
    pub name: &'static str,
    /// The tree over claim keys, as a parenthesised string; see [`Shape::parse`].
    pub tree: &'static str,
}

/// The built-in types.
///
/// Core ID: the left subtree holds exactly the "identity check" preset (name, ID
/// number, birth date, sex, portrait digest), so that preset costs one seed and
/// one hash. The right subtree is balanced: a comb starting with nationality
/// would make "hotel check-in" one hash smaller but the worst 5-of-9 disclosure
/// (both addresses plus scattered identity claims) one hash larger, and that one
/// measured 972 characters, just over QR version 20-M (970). 9 claims: the 8
/// personal ones plus the card's issue/expiry dates.
pub const TYPES: &[TypeDef] = &[
    TypeDef {
        id: types::CORE_ID,
        name: "core_id",
        tree: "((((1 2)(3 4))5)((6 9)(7 8)))",
    },
    TypeDef {
        id: types::AGE_OVER_18,
        name: "age_over_18",
        tree: "10",
    },
    TypeDef {
        id: types::BHYT,
        name: "bhyt",
        tree: "((((11 1)(3 4))((2 13)12))8)",
    },
    TypeDef {
        id: types::CERTIFICATE,
        name: "certificate",
        tree: "(((14 15)(16 17))((1 2)18))",
    },
    // Level-2 electronic ID: the core ID's claims and tree, so its presets cost the same.
    TypeDef {
        id: types::ELECTRONIC_ID,
        name: "electronic_id",
        tree: "((((1 2)(3 4))5)((6 9)(7 8)))",
    },
    // Judicial record: who (name, ID number, birth date) and the record text in
    // one subtree, the certificate's title, number, date and issuing office in the other.
    TypeDef {
        id: types::JUDICIAL_RECORD,
        name: "judicial_record",
        tree: "(((1 2)(3 18))((14 15)(16 17)))",
    },
];

/// A parsed credential type.
#[derive(Debug, Clone)]
pub struct CredentialType {
    /// The definition.
    pub def: TypeDef,
    /// The parsed tree.
    pub shape: Shape,
}

/// The set of credential types a party understands.
#[derive(Debug, Clone)]
pub struct Registry {
    types: BTreeMap<CredentialTypeId, CredentialType>,
}

/// A registry row that does not parse or refers to unknown claims.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("credential type {id}: {reason}")]
pub struct RegistryError {
    /// Which type.
    pub id: CredentialTypeId,
    /// What is wrong.
    pub reason: String,
}

impl Registry {
    /// The built-in types.
    pub fn builtin() -> Registry {
        // The built-in table is tested to parse; a failure would leave an empty registry.
        Registry::from_defs(TYPES).unwrap_or(Registry {
            types: BTreeMap::new(),
        })
    }

    /// Builds a registry from type rows (e.g. delivered with the trust list).
    pub fn from_defs(defs: &[TypeDef]) -> Result<Registry, RegistryError> {
        let mut types = BTreeMap::new();
        for def in defs {
            let shape =
                Shape::parse(def.tree).map_err(|reason| RegistryError { id: def.id, reason })?;
            for key in shape.leaves() {
                if claim_def(*key).is_none() {
                    return Err(RegistryError {
                        id: def.id,
                        reason: format!("unknown claim {key}"),
                    });
                }
            }
            types.insert(def.id, CredentialType { def: *def, shape });
        }
        Ok(Registry { types })
    }

    /// Looks a type up.
    pub fn get(&self, id: CredentialTypeId) -> Option<&CredentialType> {
        self.types.get(&id)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn builtin_registry_parses_every_type_and_uses_each_claim_once() {
        let r = Registry::builtin();
        for t in TYPES {
            let ct = r.get(t.id).unwrap();
            let mut leaves = ct.shape.leaves().to_vec();
            let n = leaves.len();
            leaves.sort_unstable();
            leaves.dedup();
            assert_eq!(leaves.len(), n, "type {} repeats a claim", t.name);
        }
        assert_eq!(r.get(types::CORE_ID).unwrap().shape.leaves().len(), 9);
    }
}
