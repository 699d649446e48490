//! What a read gives back: progress while it runs, and at the end the holder's data with a
//! verdict per check, the bytes as read for re-verification, and the read's cost.

use crate::dg2::FaceImage;
use crate::lds::{Dg13, LdsFile};
use crate::mrz::Td1Mrz;
use crate::pa::PassiveAuthReport;
use crate::verdict::{AaProof, AccessProtocol, Verdict};
use std::collections::BTreeMap;

/// Where a read stands, reported after every READ BINARY.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReadProgress {
    /// The file being read.
    pub file: LdsFile,
    /// 0-based index of that file among `file_count`.
    pub file_index: usize,
    pub file_count: usize,
    /// Bytes read over all files so far (never decreases, survives reconnects).
    pub bytes_read: usize,
    /// Total bytes of the files whose length is known so far; grows as each file's header is
    /// read and equals `bytes_read` on the last event of a complete read.
    pub bytes_total: usize,
    /// The whole read's progress from 0 to 1, for a progress bar: never decreases (unlike
    /// `bytes_read / bytes_total`, whose total grows as files are discovered) and is 1 on the
    /// event that completes the last file. Files whose length is not known yet count with a
    /// typical size.
    pub fraction: f32,
}

/// How many APDUs and bytes a read took.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReadStats {
    pub apdus: usize,
    pub bytes_sent: usize,
    pub bytes_received: usize,
    /// Times the session was re-established after the card was lost.
    pub reconnects: u32,
    /// Times access control ran again because the card ended secure messaging mid-read.
    pub sm_resyncs: u32,
}

/// The bytes as read, for re-verification by the backend (level-2 upgrade).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct ChipEvidence {
    pub ef_com: Vec<u8>,
    pub sod: Vec<u8>,
    /// Data group number → file bytes exactly as read.
    pub data_groups: BTreeMap<u8, Vec<u8>>,
}

impl std::fmt::Debug for ChipEvidence {
    // Personal data: only sizes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sizes: BTreeMap<u8, usize> = self
            .data_groups
            .iter()
            .map(|(&n, b)| (n, b.len()))
            .collect();
        f.debug_struct("ChipEvidence")
            .field("ef_com_len", &self.ef_com.len())
            .field("sod_len", &self.sod.len())
            .field("data_group_lens", &sizes)
            .finish()
    }
}

/// What the chip says about its holder, with a verdict per check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChipIdentity {
    /// DG1, check digits verified.
    pub mrz: Td1Mrz,
    /// DG13 (Vietnam), when the card has it.
    pub dg13: Option<Dg13>,
    /// The first face of DG2 (image bytes and their format), when present.
    pub face: Option<FaceImage>,
    pub passive_authentication: PassiveAuthReport,
    /// Chip authentication with the DG14 key (clone detection). Meaningful together with
    /// passive authentication, which vouches for DG14.
    pub chip_authentication: Verdict,
    /// Active authentication with the DG15 key (clone detection).
    pub active_authentication: Verdict,
    /// The signature active authentication checked, when the chip gave one.
    pub active_authentication_proof: Option<AaProof>,
    /// PACE or BAC.
    pub access: AccessProtocol,
    /// Set when the chip was opened with BAC although DG14 (vouched for by passive
    /// authentication) says it offers PACE this reader runs: EF.CardAccess was missing or
    /// altered on the way, e.g. by an attacker forcing the weaker protocol.
    pub pace_downgrade: Option<String>,
    pub evidence: ChipEvidence,
    pub stats: ReadStats,
}
