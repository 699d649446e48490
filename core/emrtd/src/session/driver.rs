//! The small loop that drives a [`ReadEngine`] over a [`Transport`], with progress and
//! cancellation.

use super::ReadEngine;
use super::config::SessionConfig;
use super::error::SessionError;
use super::outcome::{ChipIdentity, ReadProgress};
use super::transport::{RandomSource, Transport};
use crate::access::AccessKey;
use crate::mrz::MrzKey;
use crate::pa::TrustStore;
use std::sync::atomic::{AtomicBool, Ordering};

/// One chip read over a [`Transport`], driving a [`ReadEngine`]. Build with
/// [`ChipSession::new`], optionally add a progress callback and a cancellation flag, then
/// [`read`](Self::read).
pub struct ChipSession<'a> {
    key: AccessKey,
    trust: &'a TrustStore,
    at: u64,
    config: SessionConfig,
    random: RandomSource<'a>,
    progress: Option<&'a mut dyn FnMut(&ReadProgress)>,
    cancel: Option<&'a AtomicBool>,
}

impl std::fmt::Debug for ChipSession<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChipSession")
            .field("at", &self.at)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl<'a> ChipSession<'a> {
    /// A read with the document's access key, the CSCAs to trust, the check time (Unix
    /// seconds) for passive authentication, and the platform's random source.
    pub fn new(key: &'a MrzKey, trust: &'a TrustStore, at: u64, random: RandomSource<'a>) -> Self {
        Self::with_access_key(AccessKey::Mrz(key.clone()), trust, at, random)
    }

    /// A read opened with any [`AccessKey`] (the MRZ key, or the CAN for PACE).
    pub fn with_access_key(
        key: AccessKey,
        trust: &'a TrustStore,
        at: u64,
        random: RandomSource<'a>,
    ) -> Self {
        Self {
            key,
            trust,
            at,
            config: SessionConfig::default(),
            random,
            progress: None,
            cancel: None,
        }
    }

    pub fn with_config(mut self, config: SessionConfig) -> Self {
        self.config = config;
        self
    }

    /// Called after every READ BINARY that delivered data.
    pub fn with_progress(mut self, progress: &'a mut dyn FnMut(&ReadProgress)) -> Self {
        self.progress = Some(progress);
        self
    }

    /// Checked before every APDU; when set, the read stops with [`SessionError::Cancelled`].
    pub fn with_cancel(mut self, cancel: &'a AtomicBool) -> Self {
        self.cancel = Some(cancel);
        self
    }

    /// Runs the whole read over `transport`.
    pub fn read<T: Transport + ?Sized>(
        mut self,
        transport: &mut T,
    ) -> Result<ChipIdentity, SessionError> {
        let mut engine = ReadEngine::with_access_key(
            self.key.clone(),
            self.config,
            transport.max_transceive_len(),
        );
        loop {
            if self.cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
                return Err(SessionError::Cancelled);
            }
            let Some(cmd) = engine.next_command(&mut *self.random)? else {
                break;
            };
            match transport.transceive(&cmd) {
                Ok(resp) => {
                    if let Some(p) = engine.handle_response(&resp)?
                        && let Some(cb) = self.progress.as_mut()
                    {
                        cb(&p);
                    }
                }
                Err(e) => engine.transport_lost(e)?,
            }
        }
        engine.finish(self.trust, self.at)
    }
}
