//! What a read may do: block sizes, reconnect budget, file-size limit, which protocols run.

use crate::aa::CHALLENGE_LEN;

/// READ BINARY block sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BlockChoice {
    /// Extended length when the transport allows, otherwise short.
    #[default]
    Auto,
    /// Short APDUs even if the transport could do more.
    Short,
    /// A fixed number of plain bytes per read (224 is common), for comparison.
    Fixed(usize),
}

/// Read settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionConfig {
    pub block: BlockChoice,
    /// How often the card may be lost and re-established before giving up.
    pub max_reconnects: u32,
    /// Files claiming more than this are refused.
    pub max_file_size: usize,
    /// Read EF.CardAccess and run PACE when the card offers it (otherwise BAC straight away).
    pub pace: bool,
    /// Run chip authentication when DG14 holds a key.
    pub chip_authentication: bool,
    /// The challenge for active authentication. `None`: 8 bytes from the random source.
    /// A backend that wants proof the chip was present supplies its own (single-use)
    /// challenge here and re-verifies [`ChipIdentity::active_authentication_proof`] with
    /// [`crate::aa::verify`] against the DG15 it checks by passive authentication.
    pub active_auth_challenge: Option<[u8; CHALLENGE_LEN]>,
    /// Read each file by its short EF identifier (READ BINARY without a SELECT: one round
    /// trip less per file). A card that refuses it is read by SELECT from then on.
    pub short_ids: bool,
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            block: BlockChoice::Auto,
            max_reconnects: 5,
            max_file_size: crate::reader::MAX_OFFSET + 1,
            pace: true,
            chip_authentication: true,
            active_auth_challenge: None,
            short_ids: true,
        }
    }
}
