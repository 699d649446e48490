//! Surviving real cards and real hands: a card lost from the field, or a card that ended
//! secure messaging after a bare status word, gets a new session with the access key (and
//! chip authentication again), and the read continues at the last good offset, within the
//! reconnect budget.

use super::error::SessionError;
use super::transport::TransportError;
use super::{CaState, Phase, ReadEngine};
use crate::sm::SmError;

impl ReadEngine {
    /// The transport lost the card. Recoverable losses within the budget restart the access
    /// protocol (and chip authentication), then continue the current file at its last good
    /// offset.
    pub fn transport_lost(&mut self, error: TransportError) -> Result<(), SessionError> {
        if !error.is_recoverable() {
            self.phase = Phase::Done;
            return Err(SessionError::Transport(error));
        }
        if self.stats.reconnects >= self.config.max_reconnects {
            self.phase = Phase::Done;
            return Err(SessionError::ConnectionLost {
                reconnects: self.stats.reconnects,
                last: error,
            });
        }
        self.stats.reconnects += 1;
        // A chip authentication cut short runs again on the new session.
        if let CaState::Confirming(p) = &self.ca {
            self.ca = CaState::Ready(p.clone());
        }
        if matches!(self.phase, Phase::AwaitAa(_)) {
            self.aa = None;
        }
        self.reopen(false)
    }

    /// Opens a new session with the access key and continues the current file at its last
    /// good offset. After a failed chip authentication (not counted as a reconnect) the card
    /// may still hold its session, so a plain SELECT first makes it drop it (`resync`).
    pub(super) fn reopen(&mut self, resync: bool) -> Result<(), SessionError> {
        if let Some(reader) = self.reader.as_mut() {
            reader.transport_lost();
        }
        if let Some(sm) = self.sm.as_mut() {
            sm.close();
        }
        self.sm = None;
        self.phase = if resync {
            Phase::Resync
        } else {
            self.access_phase()?
        };
        Ok(())
    }

    /// The card ended secure messaging (6987/6988) right after a bare answer: its counter
    /// moved while ours did not (cards differ). Access control runs again (chip
    /// authentication too) and the read goes on where it was, within the reconnect budget.
    /// Returns whether it did.
    pub(super) fn resync_after_bare(&mut self, error: &SmError) -> Result<bool, SessionError> {
        let card_ended_sm =
            matches!(error, SmError::Unprotected(sw) if matches!(sw.0, 0x6987 | 0x6988));
        if !(card_ended_sm && self.after_bare && self.stats.sm_resyncs < self.config.max_reconnects)
        {
            return Ok(false);
        }
        self.stats.sm_resyncs += 1;
        if let CaState::Confirming(p) = &self.ca {
            self.ca = CaState::Ready(p.clone());
        }
        self.after_bare = false;
        self.reopen(false)?;
        Ok(true)
    }
}
