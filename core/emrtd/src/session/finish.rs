//! The end of a read: parse what was read, run passive authentication, settle the chip and
//! active authentication verdicts.

use super::error::SessionError;
use super::outcome::{ChipEvidence, ChipIdentity};
use super::{CaState, ReadEngine};
use crate::dg2::Dg2;
use crate::lds::{Dg1, Dg13, LdsFile};
use crate::pa::{self, PassiveAuthReport, Sod, TrustStore};
use crate::verdict::{AccessProtocol, Verdict, active_verdict, pace_downgrade};
use std::collections::BTreeMap;

impl ReadEngine {
    /// Parses what was read, runs passive authentication with `trust` at `at` (Unix seconds)
    /// and checks the active authentication signature against DG15.
    pub fn finish(self, trust: &TrustStore, at: u64) -> Result<ChipIdentity, SessionError> {
        if !self.is_done() {
            return Err(SessionError::OutOfOrder);
        }
        let chip_authentication = match self.ca {
            CaState::Passed(_) => Verdict::Passed,
            CaState::Settled(v) => v,
            CaState::Waiting => Verdict::NotSupported {
                reason: "the card has no DG14".into(),
            },
            CaState::Ready(_) | CaState::Confirming(_) => Verdict::NotPerformed {
                reason: "the read ended before chip authentication completed".into(),
            },
        };
        let aa_result = self.aa;
        let mut files = self.files;
        let ef_com = files.remove(&LdsFile::Com).unwrap_or_default();
        // Absent (6A82) or empty: passive authentication is not possible, the data is kept.
        let sod_bytes = files.remove(&LdsFile::Sod).unwrap_or_default();
        let data_groups: BTreeMap<u8, Vec<u8>> = files
            .into_iter()
            .filter_map(|(f, b)| match f {
                LdsFile::Dg(n) => Some((n, b)),
                _ => None,
            })
            .collect();
        let dg1_bytes = data_groups
            .get(&1)
            .ok_or(SessionError::MissingFile(LdsFile::DG1))?;
        let lds_err = |file| move |error| SessionError::Lds { file, error };
        let mrz = Dg1::parse(dg1_bytes)
            .and_then(|d| d.td1())
            .map_err(lds_err(LdsFile::DG1))?;
        let dg13 = data_groups
            .get(&13)
            .map(|b| Dg13::parse(b))
            .transpose()
            .map_err(lds_err(LdsFile::DG13))?;
        let face = match data_groups.get(&2) {
            Some(b) => Dg2::parse(b)
                .map_err(SessionError::Dg2)?
                .faces
                .into_iter()
                .next(),
            None => None,
        };
        let passive_authentication = if sod_bytes.is_empty() {
            PassiveAuthReport::without_sod(pa::NotPossible::NoSod, &data_groups, at)
        } else {
            match Sod::parse(&sod_bytes) {
                Ok(sod) => pa::verify(&sod, &data_groups, trust, at),
                Err(e) => PassiveAuthReport::without_sod(
                    pa::NotPossible::UnreadableSod(e.to_string()),
                    &data_groups,
                    at,
                ),
            }
        };
        let (active_authentication, active_authentication_proof) =
            active_verdict(&data_groups, aa_result);
        Ok(ChipIdentity {
            mrz,
            dg13,
            face,
            passive_authentication,
            chip_authentication,
            active_authentication,
            active_authentication_proof,
            pace_downgrade: pace_downgrade(self.config.pace, self.access.as_ref(), &data_groups),
            access: self.access.unwrap_or(AccessProtocol::Bac),
            evidence: ChipEvidence {
                ef_com,
                sod: sod_bytes,
                data_groups,
            },
            stats: self.stats,
        })
    }
}
