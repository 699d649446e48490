//! ICAO Doc 9303 eMRTD engine for the Vietnamese chip ID card (CCCD), written sans-IO: every
//! protocol step produces command APDUs and consumes response APDUs, so the same code runs over
//! phone NFC, PC/SC, the virtual card and recorded transcripts. No I/O, no async, no global RNG:
//! randomness is passed in by the caller.

pub mod aa;
pub mod access;
pub mod apdu;
pub mod bac;
pub mod ca;
pub mod crypto;
pub mod curve;
pub mod curve_params;
pub mod dg2;
pub mod ec;
pub mod im;
pub mod kdf;
pub mod lds;
pub mod mrz;
pub mod pa;
pub mod pace;
pub mod reader;
pub mod security_info;
pub mod session;
pub mod sm;
pub mod tlv;
pub mod verdict;
