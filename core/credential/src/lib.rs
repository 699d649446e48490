//! vneid-credential: the signed credential and QR presentation format.
//!
//! Pure functions over bytes, a clock (Unix seconds passed in) and a trust
//! store: no I/O, no async, no storage, no FFI. See `DESIGN.md` for the format.

pub mod base45;
pub mod card_qr;
pub mod claims;
pub mod cose;
pub mod issuer;
pub mod presentation;
pub mod qr;
pub mod request;
pub mod tree;
pub mod trust;
pub mod verify;
