//! UniFFI facade of vneid-core (being written).
#![allow(unsafe_code)] // uniffi scaffolding
uniffi::setup_scaffolding!();

/// Version of the core library.
#[uniffi::export]
pub fn core_version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
