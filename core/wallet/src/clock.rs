//! Wall-clock time in Unix seconds, the one time source of the wallet's state changes.

/// Seconds since the Unix epoch; 0 if the device clock is before it.
pub(crate) fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
