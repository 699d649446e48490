//! vneid-credential: the signed credential and QR presentation format.
//!
//! Pure functions over bytes, a clock (Unix seconds passed in) and a trust
//! store: no I/O, no async, no storage, no FFI. `DESIGN.md` beside this crate
//! has the byte-level format, the selective-disclosure construction and the
//! measured sizes.
//!
//! * [`claims`]: claim keys, typed values, credential types and presets (as data).
//! * [`tree`]: the salted claim tree whose root the issuer signs.
//! * [`cose`]: COSE_Sign1 / ES256, key ids, P-256 key handling.
//! * [`issuer`]: issue one credential or an unlinkable batch.
//! * [`presentation`]: the holder's QR payload (`VN1:` + Base45).
//! * [`request`]: the verifier's signed request QR (two-way flow).
//! * [`verify`]: from scanned text to an accept / fixable / reject verdict.
//! * [`trust`]: signed trust list and status lists.
//! * [`photo`]: the optional photo profile's small face thumbnail.
//! * [`receipt`]: the wallet's check of a received copy against the trust list.
//! * [`base45`], [`qr`], [`card_qr`]: text encoding, QR rendering, the printed card QR.
//!
//! ```
//! use std::collections::BTreeMap;
//! use vneid_credential::claims::{ClaimValue, Registry, keys, types};
//! use vneid_credential::cose::SigningKey;
//! use vneid_credential::issuer::{IssueRequest, StatusRef, SystemSalts, issue};
//! use vneid_credential::presentation::{PresentRequest, present, to_qr_text};
//! use vneid_credential::trust::{FreshnessPolicy, StatusList, StatusLists, TrustEntry, TrustList};
//! use vneid_credential::verify::{ReplayCache, Verifier, VerifyPolicy};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let now = 1_790_000_000;
//! let registry = Registry::builtin();
//! let (issuer, anchor, device) = (SigningKey::generate()?, SigningKey::generate()?, SigningKey::generate()?);
//!
//! // Backend: trust list and status list.
//! let entry = TrustEntry {
//!     kid: issuer.kid(),
//!     key: issuer.public_key().clone(),
//!     issuer_name: "Bộ Công an".into(),
//!     types: vec![types::AGE_OVER_18],
//!     not_before: 0,
//!     not_after: u64::MAX,
//! };
//! let trust = TrustList::verify(
//!     &TrustList::sign(&[entry], 1, now, &anchor)?,
//!     &[anchor.public_key().clone()],
//!     FreshnessPolicy::default(),
//! )?;
//! let mut status = StatusLists::new(86_400);
//! status.insert(StatusList::verify(&StatusList::new(1, 1024, now, 86_400).sign(&issuer)?, &trust)?);
//!
//! // Issuer -> wallet.
//! let claims = BTreeMap::from([(keys::AGE_OVER_18, ClaimValue::Bool(true))]);
//! let req = IssueRequest {
//!     credential_type: types::AGE_OVER_18,
//!     claims: &claims,
//!     holder_key: device.public_key().compressed(),
//!     nbf: now - 60,
//!     exp: now + 86_400,
//! };
//! let cred = issue(&registry, &issuer, &req, StatusRef { list: 1, index: 7 }, &mut SystemSalts::new())?;
//!
//! // Wallet -> QR.
//! let pr = PresentRequest { disclose: &[keys::AGE_OVER_18], timestamp: now, nonce: None, audience: None };
//! let text = to_qr_text(&present(&registry, &cred, &pr, &device)?);
//! assert!(text.starts_with("VN1:"));
//!
//! // Counter.
//! let policy = VerifyPolicy::default();
//! let verifier = Verifier { registry: &registry, trust: &trust, status: &status, policy: &policy };
//! assert!(verifier.verify_text(&text, now + 2, &mut ReplayCache::default()).is_accept());
//! # Ok(())
//! # }
//! ```

pub mod base45;
pub mod card_qr;
pub mod claims;
pub mod cose;
pub mod issuer;
pub mod photo;
pub mod presentation;
pub mod qr;
pub mod receipt;
pub mod request;
pub mod tree;
pub mod trust;
pub mod verify;
