//! Revocation: signed status lists and the verifier's cache of them.
//!
//! Status list payload (COSE_Sign1 by an issuer key present in the trust list):
//!
//! ```text
//! { 1: list id, 2: issued at, 3: time to live (s), 4: bits per entry (1), 5: zlib(bitstring) }
//! ```
//!
//! The bitstring follows draft-ietf-oauth-status-list: index i is bit i % 8 of
//! byte i / 8 (least significant first), 1 = revoked, compressed with zlib (see
//! [`compress_bitstring`]). A verified list is relied on only until its own time to
//! live or the verifier's maximum age runs out, whichever is first.

use std::collections::HashMap;
use std::io::Read;

use flate2::read::ZlibDecoder;
use minicbor::{Decoder, Encoder};

use super::ListError;
use super::bitstring::compress_bitstring;
use super::list::TrustList;
use crate::cose::{SigningKey, decode_sign1};

/// Revocation state of one credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Bit is 0 in a fresh list.
    Valid,
    /// Bit is 1.
    Revoked,
    /// No list for this id, index beyond the list, or the list is older than its max age.
    UnknownOrStale,
}

/// Answers revocation queries (a verified cache of status lists, or an online check).
pub trait StatusSource {
    /// Status of `index` in list `list` at `now`.
    fn status(&self, list: u32, index: u32, now: u64) -> Status;
}

/// Largest signed status list accepted (compressed bytes).
pub const MAX_STATUS_LIST: usize = 4 << 20;
/// Largest bitstring accepted after inflating (134 million indices).
pub const MAX_STATUS_BITS_BYTES: usize = 16 << 20;

/// A verified status list.
#[derive(Clone)]
pub struct StatusList {
    /// List id.
    pub list_id: u32,
    /// Issue time.
    pub issued_at: u64,
    /// Seconds after `issued_at` during which it may be relied on.
    pub ttl: u64,
    bits: Vec<u8>,
}

impl std::fmt::Debug for StatusList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "StatusList(id={}, {} indices)",
            self.list_id,
            self.bits.len() * 8
        )
    }
}

impl StatusList {
    /// A list of `len` valid entries.
    pub fn new(list_id: u32, len: usize, issued_at: u64, ttl: u64) -> StatusList {
        StatusList {
            list_id,
            issued_at,
            ttl,
            bits: vec![0; len.div_ceil(8)],
        }
    }

    /// Sets or clears the revoked bit (issuer side); false if out of range.
    pub fn set_revoked(&mut self, index: u32, revoked: bool) -> bool {
        let Some(b) = self.bits.get_mut(index as usize / 8) else {
            return false;
        };
        let bit = 1u8 << (index % 8);
        if revoked {
            *b |= bit
        } else {
            *b &= !bit
        }
        true
    }

    /// The bit at `index`, if in range.
    pub fn is_revoked(&self, index: u32) -> Option<bool> {
        self.bits
            .get(index as usize / 8)
            .map(|b| b & (1u8 << (index % 8)) != 0)
    }

    /// Signs (issuer side): zlib-compresses the bitstring with [`compress_bitstring`].
    pub fn sign(&self, signer: &SigningKey) -> Result<Vec<u8>, crate::cose::KeyError> {
        let z = compress_bitstring(&self.bits).ok_or(crate::cose::KeyError::SigningFailed)?;
        let mut p = Vec::with_capacity(z.len() + 40);
        let mut e = Encoder::new(&mut p);
        let r = (|| {
            e.map(5)?
                .u8(1)?
                .u32(self.list_id)?
                .u8(2)?
                .u64(self.issued_at)?
                .u8(3)?
                .u64(self.ttl)?;
            e.u8(4)?.u8(1)?.u8(5)?.bytes(&z)?;
            Ok::<_, minicbor::encode::Error<std::convert::Infallible>>(())
        })();
        r.map_err(|_| crate::cose::KeyError::SigningFailed)?;
        signer.sign1(&p)
    }

    /// Verifies against the trust list (any entry under the kid) and inflates with a bound.
    pub fn verify(bytes: &[u8], trust: &TrustList) -> Result<StatusList, ListError> {
        let m = ListError::Malformed;
        if bytes.len() > MAX_STATUS_LIST {
            return Err(ListError::TooLarge);
        }
        let mut d = Decoder::new(bytes);
        let s = decode_sign1(&mut d).map_err(|_| m)?;
        if d.position() != bytes.len() {
            return Err(m);
        }
        if !trust.candidates(&s.kid).iter().any(|t| s.verify(&t.key)) {
            return Err(ListError::BadSignature);
        }
        let mut d = Decoder::new(s.payload);
        let e = |_| m;
        let key = |d: &mut Decoder<'_>, k: u8| {
            if d.u8().map_err(e)? == k {
                Ok(())
            } else {
                Err(m)
            }
        };
        if d.map().map_err(e)? != Some(5) {
            return Err(m);
        }
        key(&mut d, 1)?;
        let list_id = d.u32().map_err(e)?;
        key(&mut d, 2)?;
        let issued_at = d.u64().map_err(e)?;
        key(&mut d, 3)?;
        let ttl = d.u64().map_err(e)?;
        key(&mut d, 4)?;
        if d.u8().map_err(e)? != 1 {
            return Err(m);
        }
        key(&mut d, 5)?;
        let z = d.bytes().map_err(e)?;
        let mut bits = Vec::new();
        ZlibDecoder::new(z)
            .take(MAX_STATUS_BITS_BYTES as u64 + 1)
            .read_to_end(&mut bits)
            .map_err(|_| m)?;
        if bits.len() > MAX_STATUS_BITS_BYTES {
            return Err(ListError::TooLarge);
        }
        Ok(StatusList {
            list_id,
            issued_at,
            ttl,
            bits,
        })
    }
}

/// Verified status lists by id, each usable until `issued_at + min(ttl, max_age)`.
#[derive(Debug, Clone, Default)]
pub struct StatusLists {
    lists: HashMap<u32, StatusList>,
    /// The verifier's own cap on a list's age (seconds); 0 = trust the list's ttl.
    pub max_age: u64,
}

impl StatusLists {
    /// Empty, with a maximum age.
    pub fn new(max_age: u64) -> StatusLists {
        StatusLists {
            lists: HashMap::new(),
            max_age,
        }
    }

    /// The lists held.
    pub fn lists(&self) -> impl Iterator<Item = &StatusList> {
        self.lists.values()
    }

    /// Until when `list` may be relied on: `issued_at + min(ttl, max_age)`.
    pub fn usable_until(&self, list: &StatusList) -> u64 {
        let max_age = if self.max_age == 0 {
            list.ttl
        } else {
            list.ttl.min(self.max_age)
        };
        list.issued_at.saturating_add(max_age)
    }

    /// Adds or replaces a list (a newer list replaces an older one only).
    pub fn insert(&mut self, list: StatusList) {
        match self.lists.get(&list.list_id) {
            Some(old) if old.issued_at > list.issued_at => {}
            _ => {
                self.lists.insert(list.list_id, list);
            }
        }
    }
}

impl StatusSource for StatusLists {
    fn status(&self, list: u32, index: u32, now: u64) -> Status {
        let Some(l) = self.lists.get(&list) else {
            return Status::UnknownOrStale;
        };
        if now > self.usable_until(l) || now.saturating_add(300) < l.issued_at {
            return Status::UnknownOrStale;
        }
        match l.is_revoked(index) {
            Some(true) => Status::Revoked,
            Some(false) => Status::Valid,
            None => Status::UnknownOrStale,
        }
    }
}
