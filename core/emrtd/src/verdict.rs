//! The verdict of each check a read runs (passive, chip and active authentication) and how
//! it is derived: a failed check is reported with its reason, never dropped, and a check the
//! card does not offer is told apart from one the reader did not run.

use crate::aa::{self, AaError, CHALLENGE_LEN};
use crate::apdu::StatusWord;
use crate::ca::CaError;
use crate::curve::Curve;
use crate::pa::{DgHash, PassiveAuthReport};
use crate::pace::PaceParams;
use crate::security_info::{CaCipher, Dg14, Dg15};
use std::collections::BTreeMap;

/// How the chip was opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccessProtocol {
    Bac,
    Pace { curve: Curve, cipher: CaCipher },
}

/// The chip's active authentication signature with the challenge it signed, for a backend to
/// re-verify ([`crate::aa::verify`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AaProof {
    pub challenge: [u8; CHALLENGE_LEN],
    pub signature: Vec<u8>,
}

/// The outcome of a check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Passed,
    /// The check ran and failed: the data or the chip is not what it claims to be.
    Failed {
        reason: String,
    },
    /// The card does not offer the protocol (no DG14, no DG15).
    NotSupported {
        reason: String,
    },
    /// The card offers it but the check did not run (an algorithm this reader does not
    /// support, switched off, or the read ended first).
    NotPerformed {
        reason: String,
    },
    /// The check cannot run on what the card holds (passive authentication without EF.SOD):
    /// the data is read but not proven.
    NotPossible {
        reason: String,
    },
}

impl Verdict {
    pub fn passed(&self) -> bool {
        matches!(self, Self::Passed)
    }

    pub fn failed(&self) -> bool {
        matches!(self, Self::Failed { .. })
    }

    /// Passive authentication summarised: passed, or failed with every failing check named.
    pub fn from_passive(report: &PassiveAuthReport) -> Self {
        if report.is_valid() {
            return Self::Passed;
        }
        if let Some(why) = &report.not_possible {
            return Self::NotPossible {
                reason: format!("{why}: the data read is not proven genuine"),
            };
        }
        let mut reasons = Vec::new();
        for (name, check) in [
            ("SOD signature", &report.sod_signature),
            ("chain", &report.chain),
            ("validity", &report.validity),
            ("key usage", &report.key_usage),
            ("revocation", &report.revocation),
        ] {
            if let Some(f) = check.failure() {
                reasons.push(format!("{name}: {f}"));
            }
        }
        for (dg, hash) in &report.data_groups {
            match hash {
                DgHash::Match | DgHash::NotRead => {}
                DgHash::NotProven => reasons.push(format!("DG{dg}: not proven")),
                DgHash::Mismatch { .. } => reasons.push(format!("DG{dg}: hash mismatch (altered)")),
                DgHash::NotInSod => reasons.push(format!("DG{dg}: not listed in the SOD")),
            }
        }
        Self::Failed {
            reason: reasons.join("; "),
        }
    }
}

/// BAC was used although DG14 lists a PACEInfo this reader would have run.
pub(crate) fn pace_downgrade(
    pace_enabled: bool,
    access: Option<&AccessProtocol>,
    data_groups: &BTreeMap<u8, Vec<u8>>,
) -> Option<String> {
    if !pace_enabled || !matches!(access, None | Some(AccessProtocol::Bac)) {
        return None;
    }
    let dg14 = Dg14::parse(data_groups.get(&14)?).ok()?;
    PaceParams::choose(&dg14.infos).map(|p| {
        format!(
            "opened with BAC although DG14 lists PACE ({:?}, {:?}): EF.CardAccess was missing \
             or altered",
            p.domain, p.cipher
        )
    })
}

pub(crate) fn ca_verdict(e: &CaError) -> Verdict {
    if e.not_offered() {
        Verdict::NotSupported {
            reason: e.to_string(),
        }
    } else {
        match e {
            CaError::Unsupported(_) => Verdict::NotPerformed {
                reason: e.to_string(),
            },
            _ => Verdict::Failed {
                reason: e.to_string(),
            },
        }
    }
}

/// The active authentication verdict from DG15 (and DG14 for ECDSA) and the chip's answer.
pub(crate) fn active_verdict(
    data_groups: &BTreeMap<u8, Vec<u8>>,
    result: Option<Result<AaProof, StatusWord>>,
) -> (Verdict, Option<AaProof>) {
    let Some(dg15) = data_groups.get(&15) else {
        return (
            Verdict::NotSupported {
                reason: "the card has no DG15".into(),
            },
            None,
        );
    };
    let proof = match result {
        None => {
            return (
                Verdict::NotPerformed {
                    reason: "the read ended before active authentication".into(),
                },
                None,
            );
        }
        Some(Err(sw)) => {
            return (
                Verdict::Failed {
                    reason: format!(
                        "the chip refused INTERNAL AUTHENTICATE (status {sw}) although DG15 \
                         lists a key"
                    ),
                },
                None,
            );
        }
        Some(Ok(p)) => p,
    };
    let dg15 = match Dg15::parse(dg15) {
        Ok(d) => d,
        Err(e) => {
            return (
                Verdict::Failed {
                    reason: format!("DG15 is malformed: {e}"),
                },
                Some(proof),
            );
        }
    };
    let dg14 = data_groups.get(&14).and_then(|b| Dg14::parse(b).ok());
    let verdict = match aa::verify(&dg15, dg14.as_ref(), &proof.challenge, &proof.signature) {
        Ok(()) => Verdict::Passed,
        Err(AaError::Invalid) => Verdict::Failed {
            reason: "the signature over the challenge does not verify with the DG15 key: \
                     the chip does not hold it (a cloned chip answers like this)"
                .into(),
        },
        Err(e) => Verdict::NotPerformed {
            reason: e.to_string(),
        },
    };
    (verdict, Some(proof))
}
