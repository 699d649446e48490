//! The unlocked session: backend tokens in memory only, zeroized when dropped.

use std::time::{Duration, Instant};
use vneid_api::TokenResponse;
use zeroize::Zeroizing;

/// Refresh a little before the backend's expiry so a request in flight does not fail.
const EXPIRY_MARGIN: Duration = Duration::from_secs(15);

pub(crate) struct Tokens {
    pub access: Zeroizing<String>,
    pub access_expires: Instant,
    pub refresh: Zeroizing<String>,
    pub refresh_expires: Instant,
}

impl Tokens {
    pub fn from_response(r: TokenResponse) -> Self {
        let now = Instant::now();
        Self {
            access: Zeroizing::new(r.access_token),
            access_expires: now + Duration::from_secs(r.access_expires_in_seconds),
            refresh: Zeroizing::new(r.refresh_token),
            refresh_expires: now + Duration::from_secs(r.refresh_expires_in_seconds),
        }
    }

    pub fn access_valid(&self) -> bool {
        Instant::now() + EXPIRY_MARGIN < self.access_expires
    }

    pub fn refresh_valid(&self) -> bool {
        Instant::now() + EXPIRY_MARGIN < self.refresh_expires
    }
}

/// An unlocked wallet. Offline when the backend could not be reached at unlock.
pub struct Session {
    pub(crate) tokens: Option<Tokens>,
    pub(crate) unlocked_at: Instant,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("online", &self.is_online())
            .field("unlocked_at", &self.unlocked_at)
            .finish()
    }
}

impl Session {
    pub fn is_online(&self) -> bool {
        self.tokens.is_some()
    }
}
