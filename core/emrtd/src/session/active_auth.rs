//! Active authentication with the DG15 key (clone detection): one INTERNAL AUTHENTICATE once
//! every file is read; the signature is checked in `finish` against DG15 and kept as proof a
//! backend can re-verify.

use super::error::SessionError;
use super::{Phase, ReadEngine, encode, parse_response};
use crate::aa::{self, CHALLENGE_LEN};
use crate::apdu::StatusClass;
use crate::lds::LdsFile;
use crate::verdict::AaProof;

impl ReadEngine {
    /// INTERNAL AUTHENTICATE once every file is read, when DG15 was; otherwise done.
    pub(super) fn aa_command(
        &mut self,
        random: &mut dyn FnMut(&mut [u8]),
    ) -> Result<Option<Vec<u8>>, SessionError> {
        if self.aa.is_some() || !self.files.contains_key(&LdsFile::DG15) {
            self.phase = Phase::Done;
            return Ok(None);
        }
        let challenge = match self.config.active_auth_challenge {
            Some(c) => c,
            None => {
                let mut c = [0u8; CHALLENGE_LEN];
                random(&mut c);
                c
            }
        };
        let sm = self.sm.as_mut().ok_or(SessionError::OutOfOrder)?;
        let cmd = sm
            .wrap(&aa::internal_authenticate(&challenge))
            .map_err(SessionError::Sm)?;
        self.phase = Phase::AwaitAa(challenge);
        let bytes = encode(&cmd)?;
        Ok(self.sent(bytes))
    }

    /// The chip's signature over `challenge`, or the status word it refused with.
    pub(super) fn handle_aa_response(
        &mut self,
        raw: &[u8],
        challenge: [u8; CHALLENGE_LEN],
    ) -> Result<(), SessionError> {
        let resp = parse_response(raw)?;
        let sm = self.sm.as_mut().ok_or(SessionError::OutOfOrder)?;
        let resp = match sm.unwrap(&resp) {
            Ok(resp) => resp,
            Err(e) => {
                if self.resync_after_bare(&e)? {
                    return Ok(());
                }
                return Err(SessionError::Sm(e));
            }
        };
        self.after_bare = false;
        self.aa = Some(if resp.sw.classify() == StatusClass::Success {
            Ok(AaProof {
                challenge,
                signature: resp.data,
            })
        } else {
            Err(resp.sw)
        });
        self.phase = Phase::Done;
        Ok(())
    }
}
