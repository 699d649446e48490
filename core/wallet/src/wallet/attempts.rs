//! Passcode attempts counted in the secure area, where restoring the app's files cannot reach.
//!
//! Every passcode check in flight leaves a marker: an extra P-256 key created in the secure area
//! under `<device key alias>.attempt.<n>` *before* the slow check, and deleted (all of them) only
//! after a check succeeds. The counter is the number of markers; the store keeps its own count
//! too, and the wallet uses the larger of the two. Restoring the data directory from a copy taken
//! before some wrong guesses resets the store's count but not the markers, since the Android
//! Keystore, the iOS Keychain / Secure Enclave and the software secure area's own directory are
//! not part of the app's data files. The markers use only the existing `create_key`,
//! `public_key` and `delete_key` calls, so every platform implementation keeps them as they are.
//!
//! Markers are created in order 1, 2, 3… and deleted from the highest down, so the present ones
//! are always a prefix and the count is the first missing index minus one.

use crate::passcode::MAX_ATTEMPTS;
use crate::secure_area::{SecureArea, SecureAreaError};

fn marker(key_alias: &str, n: u32) -> String {
    format!("{key_alias}.attempt.{n}")
}

fn present(sa: &dyn SecureArea, alias: &str) -> Result<bool, SecureAreaError> {
    match sa.public_key(alias) {
        Ok(_) => Ok(true),
        Err(SecureAreaError::KeyNotFound) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Passcode checks started and not cleared by a success (at most [`MAX_ATTEMPTS`]).
pub(crate) fn count(sa: &dyn SecureArea, key_alias: &str) -> Result<u32, SecureAreaError> {
    for n in 1..=MAX_ATTEMPTS {
        if !present(sa, &marker(key_alias, n))? {
            return Ok(n - 1);
        }
    }
    Ok(MAX_ATTEMPTS)
}

/// Records one more check in flight; returns the count including it. The marker is created
/// before the check, so killing the app during the check never earns a free try.
pub(crate) fn record(sa: &dyn SecureArea, key_alias: &str) -> Result<u32, SecureAreaError> {
    let mut n = count(sa, key_alias)?;
    while n < MAX_ATTEMPTS {
        n += 1;
        match sa.create_key(&marker(key_alias, n)) {
            Ok(_) => return Ok(n),
            // Another check raced this one to the same marker: it is counted; take the next.
            Err(SecureAreaError::AliasExists) => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(MAX_ATTEMPTS)
}

/// Clears the markers of `key_alias` (after a correct passcode, or with the device key).
pub(crate) fn clear(sa: &dyn SecureArea, key_alias: &str) -> Result<(), SecureAreaError> {
    for n in (1..=MAX_ATTEMPTS).rev() {
        sa.delete_key(&marker(key_alias, n))?;
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::secure_area::SoftwareSecureArea;

    #[test]
    fn markers_count_up_to_the_limit_and_clear() {
        let sa = SoftwareSecureArea::ephemeral().unwrap();
        assert_eq!(count(&sa, "dev").unwrap(), 0);
        for n in 1..=MAX_ATTEMPTS {
            assert_eq!(record(&sa, "dev").unwrap(), n);
        }
        assert_eq!(record(&sa, "dev").unwrap(), MAX_ATTEMPTS);
        assert_eq!(count(&sa, "other").unwrap(), 0);
        clear(&sa, "dev").unwrap();
        assert_eq!(count(&sa, "dev").unwrap(), 0);
    }
}
