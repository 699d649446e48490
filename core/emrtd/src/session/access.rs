//! Opening the chip: EF.CardAccess (plain) says whether the card offers PACE; PACE with the
//! MRZ key or the CAN when it does, else SELECT and BAC with the MRZ key. Ends with secure
//! messaging up and the engine at chip authentication or the files.

use super::error::{SessionError, bac_error, pace_error};
use super::transport::EMRTD_AID;
use super::{CaState, CardAccess, Phase, ReadEngine, encode, parse_response};
use crate::apdu::{CommandApdu, StatusClass};
use crate::bac::Bac;
use crate::lds::LdsFile;
use crate::pace::{Pace, PaceParams, parse_card_access};
use crate::reader::FileReader;
use crate::verdict::AccessProtocol;
use zeroize::Zeroizing;

/// SELECT of the eMRTD application by its AID, no answer data wanted.
fn select_application() -> CommandApdu {
    CommandApdu::new(0x00, 0xA4, 0x04, 0x0C).with_data(EMRTD_AID.to_vec())
}

impl ReadEngine {
    /// The phase that opens a (new) session: PACE when the card offers it, else BAC.
    pub(super) fn access_phase(&mut self) -> Result<Phase, SessionError> {
        match &self.card_access {
            CardAccess::Unknown => Ok(Phase::CardAccess(FileReader::new(
                LdsFile::CardAccess,
                self.options,
            ))),
            CardAccess::Pace(params) => Ok(Phase::Pace(Box::new(
                Pace::new(params.clone(), &self.key).map_err(pace_error)?,
            ))),
            CardAccess::Bac => {
                if self.key.mrz().is_none() {
                    return Err(SessionError::PaceNotOffered);
                }
                Ok(Phase::SelectApp)
            }
        }
    }

    /// The next command of the access phases (`phase` is the one just taken out).
    pub(super) fn next_access_command(
        &mut self,
        phase: Phase,
        random: &mut dyn FnMut(&mut [u8]),
    ) -> Result<Option<Vec<u8>>, SessionError> {
        match phase {
            Phase::CardAccess(mut reader) => match reader.next_command(None) {
                Ok(Some(cmd)) => {
                    self.phase = Phase::AwaitCardAccess(reader);
                    Ok(self.sent(cmd))
                }
                Ok(None) => {
                    self.card_access_read(reader.into_bytes().as_deref());
                    self.phase = self.access_phase()?;
                    self.next_command(random)
                }
                Err(_) => {
                    self.card_access_read(None);
                    self.phase = self.access_phase()?;
                    self.next_command(random)
                }
            },
            Phase::Pace(mut pace) => {
                let cmd = pace.next_command(random).map_err(pace_error)?;
                self.phase = Phase::AwaitPace(pace);
                let bytes = encode(&cmd)?;
                Ok(self.sent(bytes))
            }
            Phase::Resync => {
                self.phase = Phase::AwaitResync;
                let bytes = encode(&select_application())?;
                Ok(self.sent(bytes))
            }
            Phase::SelectApp => {
                let select = match self.sm.as_mut() {
                    Some(sm) => sm.wrap(&select_application()).map_err(SessionError::Sm)?,
                    None => select_application(),
                };
                self.phase = Phase::AwaitSelectApp;
                let bytes = encode(&select)?;
                Ok(self.sent(bytes))
            }
            Phase::Challenge => {
                let mrz = self.key.mrz().ok_or(SessionError::PaceNotOffered)?;
                let mut rnd_ifd = Zeroizing::new([0u8; 8]);
                let mut k_ifd = Zeroizing::new([0u8; 16]);
                random(&mut *rnd_ifd);
                random(&mut *k_ifd);
                if rnd_ifd.iter().all(|&b| b == 0) || k_ifd.iter().all(|&b| b == 0) {
                    return Err(SessionError::Random);
                }
                let mut bac = Bac::new(mrz, *rnd_ifd, *k_ifd).map_err(bac_error)?;
                let cmd = encode(&bac.get_challenge().map_err(bac_error)?)?;
                self.phase = Phase::AwaitChallenge(bac);
                Ok(self.sent(cmd))
            }
            Phase::Authenticate(bac, cmd) => {
                self.phase = Phase::AwaitAuthenticate(bac);
                Ok(self.sent(cmd))
            }
            other => {
                self.phase = other;
                Err(SessionError::OutOfOrder)
            }
        }
    }

    /// Consumes the card's answer in an access phase (`phase` is the one just taken out).
    pub(super) fn handle_access_response(
        &mut self,
        phase: Phase,
        raw: &[u8],
    ) -> Result<(), SessionError> {
        match phase {
            Phase::AwaitCardAccess(mut reader) => match reader.handle_response(raw, None) {
                Ok(()) => self.phase = Phase::CardAccess(reader),
                // No EF.CardAccess (or unreadable): the card does not offer PACE.
                Err(_) => {
                    self.card_access_read(None);
                    self.phase = self.access_phase()?;
                }
            },
            Phase::AwaitResync => {
                // Any answer will do: the card has dropped its session either way.
                parse_response(raw)?;
                self.phase = self.access_phase()?;
            }
            Phase::AwaitPace(mut pace) => {
                let resp = parse_response(raw)?;
                match pace.handle_response(&resp).map_err(pace_error)? {
                    Some(sm) => {
                        self.sm = Some(sm);
                        self.access = Some(AccessProtocol::Pace {
                            curve: pace.params().domain.curve(),
                            cipher: pace.params().cipher,
                        });
                        self.phase = Phase::SelectApp;
                    }
                    None => self.phase = Phase::Pace(pace),
                }
            }
            Phase::AwaitSelectApp => {
                let resp = parse_response(raw)?;
                let resp = match self.sm.as_mut() {
                    Some(sm) => sm.unwrap(&resp).map_err(SessionError::Sm)?,
                    None => resp,
                };
                if resp.sw.classify() != StatusClass::Success {
                    return Err(SessionError::ApplicationNotFound(resp.sw));
                }
                if self.sm.is_some() {
                    self.session_established();
                } else {
                    self.phase = Phase::Challenge;
                }
            }
            Phase::AwaitChallenge(mut bac) => {
                let challenge = parse_response(raw)?;
                if challenge.sw.classify() == StatusClass::SecurityNotSatisfied {
                    return Err(SessionError::AccessDenied {
                        attempts_left: None,
                    });
                }
                let cmd = encode(&bac.mutual_authenticate(&challenge).map_err(bac_error)?)?;
                self.phase = Phase::Authenticate(bac, cmd);
            }
            Phase::AwaitAuthenticate(mut bac) => {
                let resp = parse_response(raw)?;
                let session = bac.finish(&resp).map_err(bac_error)?;
                self.sm = Some(session.into_secure_messaging().map_err(SessionError::Sm)?);
                self.access = Some(AccessProtocol::Bac);
                self.session_established();
            }
            other => {
                self.phase = other;
                return Err(SessionError::OutOfOrder);
            }
        }
        Ok(())
    }

    /// Records what EF.CardAccess offers (`None`: absent or unreadable → BAC).
    fn card_access_read(&mut self, bytes: Option<&[u8]>) {
        self.card_access = bytes
            .and_then(|b| parse_card_access(b).ok())
            .and_then(|infos| PaceParams::choose(&infos))
            .map_or(CardAccess::Bac, CardAccess::Pace);
    }

    /// Secure messaging is up: run chip authentication if due, else read files.
    /// After a reconnect a chip authentication that passed (or was cut short) runs again, so
    /// the rest of the read stays on keys only the genuine chip shares; the ephemeral keys are
    /// drawn when its first command is built.
    fn session_established(&mut self) {
        if let CaState::Passed(p) | CaState::Confirming(p) = &self.ca {
            self.ca = CaState::Ready(p.clone());
        }
        self.phase = Phase::Files;
    }
}
