//! Chip authentication with the DG14 key (clone detection): armed when DG14 is read, run on
//! the open session, and confirmed by the first protected answer under the new keys. A chip
//! that cannot prove it holds the key (a clone) gets a failed verdict and the read goes on
//! over a fresh session with the access key.

use super::error::SessionError;
use super::{CaState, Phase, ReadEngine, encode, parse_response};
use crate::ca::{CaParams, ChipAuthentication};
use crate::reader::ReaderError;
use crate::security_info::Dg14;
use crate::verdict::{Verdict, ca_verdict};

impl ReadEngine {
    /// DG14 was read: chip authentication is due with its key, or settled when DG14 has no
    /// usable key or the check is switched off.
    pub(super) fn arm_chip_auth(&mut self, dg14: &[u8]) {
        self.ca = match Dg14::parse(dg14) {
            Err(e) => CaState::Settled(Verdict::Failed {
                reason: format!("DG14 is malformed: {e}"),
            }),
            Ok(dg14) => match CaParams::from_dg14(&dg14) {
                Ok(params) if self.config.chip_authentication => CaState::Ready(params),
                Ok(_) => CaState::Settled(Verdict::NotPerformed {
                    reason: "chip authentication was switched off".into(),
                }),
                Err(e) => CaState::Settled(ca_verdict(&e)),
            },
        };
    }

    /// Chip authentication when it is due, with fresh ephemeral keys; `None` when it is not
    /// (or the keys could not be made, which settles the verdict).
    pub(super) fn start_chip_auth(
        &mut self,
        random: &mut dyn FnMut(&mut [u8]),
    ) -> Option<ChipAuthentication> {
        let CaState::Ready(params) = &self.ca else {
            return None;
        };
        match ChipAuthentication::new(params.clone(), random) {
            Ok(ca) => Some(ca),
            Err(e) => {
                self.ca = CaState::Settled(ca_verdict(&e));
                None
            }
        }
    }

    /// The next chip authentication command, under the current session.
    pub(super) fn next_ca_command(
        &mut self,
        ca: Box<ChipAuthentication>,
    ) -> Result<Option<Vec<u8>>, SessionError> {
        let step = ca.step();
        let cmd = ca
            .commands()
            .map_err(SessionError::Ca)?
            .into_iter()
            .nth(step)
            .ok_or(SessionError::OutOfOrder)?;
        let sm = self.sm.as_mut().ok_or(SessionError::OutOfOrder)?;
        let wrapped = sm.wrap(&cmd).map_err(SessionError::Sm)?;
        self.phase = Phase::AwaitCa(ca);
        let bytes = encode(&wrapped)?;
        Ok(self.sent(bytes))
    }

    pub(super) fn handle_ca_response(
        &mut self,
        raw: &[u8],
        mut ca: Box<ChipAuthentication>,
    ) -> Result<(), SessionError> {
        let resp = parse_response(raw)?;
        let sm = self.sm.as_mut().ok_or(SessionError::OutOfOrder)?;
        // Still the old session, which a clone shares: a wrong MAC here aborts like anywhere.
        let resp = sm.unwrap(&resp).map_err(SessionError::Sm)?;
        match ca.handle_response(&resp) {
            Ok(false) => self.phase = Phase::Ca(ca),
            Ok(true) => {
                let new_sm = ca.secure_messaging().map_err(SessionError::Ca)?;
                self.sm = Some(new_sm);
                self.ca = CaState::Confirming(ca.params().clone());
                self.phase = Phase::Files;
            }
            Err(e) => {
                self.ca = CaState::Settled(Verdict::Failed {
                    reason: format!("the chip refused chip authentication: {e}"),
                });
                self.phase = Phase::Files;
            }
        }
        Ok(())
    }

    /// The first protected answer after chip authentication, `result` as the file reader
    /// took it: a secure-messaging answer under the new keys proves the chip holds the DG14
    /// key; anything else fails the check and reopens the session. Returns whether it
    /// reopened (the answer is then void).
    pub(super) fn confirm_chip_auth(
        &mut self,
        result: &Result<(), ReaderError>,
    ) -> Result<bool, SessionError> {
        let CaState::Confirming(params) = &self.ca else {
            return Ok(false);
        };
        match result {
            Ok(())
            | Err(
                ReaderError::FileNotFound | ReaderError::AccessDenied(_) | ReaderError::Card(_),
            ) => {
                self.ca = CaState::Passed(params.clone());
                Ok(false)
            }
            Err(e) => {
                self.ca = CaState::Settled(Verdict::Failed {
                    reason: format!(
                        "the chip did not prove it holds the DG14 key (first response \
                         under the new keys: {e}); a cloned chip answers like this"
                    ),
                });
                self.reopen(true)?;
                Ok(true)
            }
        }
    }
}
