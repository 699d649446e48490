//! The salted claim tree: how one signed 32-byte root commits to every claim.
//!
//! SD-CWT and ISO 18013-5 put one 32-byte salted digest per claim in the signed
//! payload, so a 9-claim credential carries 288 bytes of digests in every
//! presentation even when 5 claims are shown. Here the issuer signs the root of
//! a binary hash tree whose leaves are the salted claims (RFC 9162 style domain
//! separation: 0x00 leaf, 0x01 node), and the salts come from a second tree of
//! seeds over the same shape (a GGM tree): each node's seed yields its children's
//! seeds, each leaf's seed is that claim's 128-bit salt.
//!
//! A presentation then carries, for each maximal fully disclosed subtree, one
//! 16-byte seed (the salts of exactly those leaves and no others), and for each
//! maximal fully hidden subtree one 32-byte hash. "Identity check" on the core ID
//! costs one seed and one hash (48 bytes) instead of 9 digests and 5 salts (368).
//!
//! Security, in short (DESIGN.md has the long form):
//! * binding: a changed disclosed value changes its leaf hash and so the root;
//!   SHA-256 is never truncated, so binding keeps 128-bit collision resistance;
//! * hiding: a hidden leaf is only seen through hashes that include its 128-bit
//!   salt, and a hidden leaf's salt is a pseudorandom function (SHA-256 with a
//!   domain byte) of a seed the verifier never sees; the disclosed seeds are
//!   siblings or descendants, never ancestors, of a hidden leaf's seed;
//! * each salt is 128 bits (the requirement) and the root seed is fresh
//!   from the issuer's RNG for every credential of a batch, so roots, hashes and
//!   signatures differ across the batch.

use ring::digest::{Context, SHA256};
use thiserror::Error;
use zeroize::Zeroizing;

/// A claim key: small integers, one CBOR byte below 24. The tree's leaves are claim keys.
pub type ClaimKey = u16;

/// A seed or salt: 128 bits.
pub type Seed = [u8; 16];
/// A SHA-256 output.
pub type Hash = [u8; 32];

/// Most leaves a credential type may have (the disclosure set is a `u32` bitmap).
pub const MAX_LEAVES: usize = 32;
/// Deepest tree the parser accepts.
pub const MAX_DEPTH: usize = 16;

const LEAF: u8 = 0x00;
const NODE: u8 = 0x01;
const SEED: u8 = 0x02;

#[derive(Debug, Clone, Copy)]
enum Node {
    Leaf { index: usize },
    Branch { left: usize, right: usize },
}

#[derive(Debug, Clone, Copy)]
struct NodeInfo {
    node: Node,
    /// Bitmap of the leaves under this node.
    mask: u32,
}

/// The shape of a credential type's claim tree.
#[derive(Debug, Clone)]
pub struct Shape {
    nodes: Vec<NodeInfo>,
    root: usize,
    leaves: Vec<ClaimKey>,
}

/// A presentation's proof does not recompute to the signed root.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum TreeError {
    /// Fewer or more seeds, hashes or values than the disclosure set needs.
    #[error("proof has the wrong number of parts")]
    WrongCount,
    /// The disclosure bitmap names leaves the type does not have.
    #[error("disclosure set outside the credential type")]
    BadSet,
}

/// Material the holder keeps secret: the root seed of the salt tree.
pub type RootSeed = Zeroizing<Seed>;

fn derive(seed: &Seed, dir: u8) -> Seed {
    let mut c = Context::new(&SHA256);
    c.update(&[SEED, dir]);
    c.update(seed);
    let d = c.finish();
    let mut out = [0u8; 16];
    if let Some(src) = d.as_ref().get(..16) {
        out.copy_from_slice(src);
    }
    out
}

/// The leaf hash of one salted claim: SHA-256(0x00 ‖ salt ‖ key (u16 BE) ‖ CBOR value).
pub fn leaf_hash(salt: &Seed, key: ClaimKey, value_cbor: &[u8]) -> Hash {
    let mut c = Context::new(&SHA256);
    c.update(&[LEAF]);
    c.update(salt);
    c.update(&key.to_be_bytes());
    c.update(value_cbor);
    to_hash(c.finish())
}

fn node_hash(l: &Hash, r: &Hash) -> Hash {
    let mut c = Context::new(&SHA256);
    c.update(&[NODE]);
    c.update(l);
    c.update(r);
    to_hash(c.finish())
}

fn to_hash(d: ring::digest::Digest) -> Hash {
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref().get(..32).unwrap_or(&[0u8; 32]));
    out
}

/// What a presentation carries for the tree.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Proof {
    /// Seeds of maximal fully disclosed subtrees, in left-to-right order.
    pub seeds: Vec<Seed>,
    /// Hashes of maximal fully hidden subtrees, in left-to-right order.
    pub hashes: Vec<Hash>,
}

impl Shape {
    /// Parses `"((1 2)3)"`: a leaf is a claim key, a branch is two trees in parentheses.
    pub fn parse(s: &str) -> Result<Shape, String> {
        let mut p = Parser {
            s: s.as_bytes(),
            pos: 0,
            nodes: Vec::new(),
            leaves: Vec::new(),
        };
        let root = p.tree(0)?;
        p.ws();
        if p.pos != p.s.len() {
            return Err("trailing characters".into());
        }
        if p.leaves.is_empty() || p.leaves.len() > MAX_LEAVES {
            return Err("too many leaves".into());
        }
        Ok(Shape {
            nodes: p.nodes,
            root,
            leaves: p.leaves,
        })
    }

    /// Claim keys in leaf order.
    pub fn leaves(&self) -> &[ClaimKey] {
        &self.leaves
    }

    /// Bitmap of all leaves.
    pub fn full_mask(&self) -> u32 {
        self.info(self.root).map(|i| i.mask).unwrap_or(0)
    }

    /// Bitmap for a set of claim keys; `None` if a key is not in this type.
    pub fn mask_of(&self, keys: &[ClaimKey]) -> Option<u32> {
        let mut m = 0u32;
        for k in keys {
            let i = self.leaves.iter().position(|l| l == k)?;
            m |= 1u32.checked_shl(i as u32)?;
        }
        Some(m)
    }

    fn info(&self, n: usize) -> Option<&NodeInfo> {
        self.nodes.get(n)
    }

    /// The root the issuer signs. `values[i]` is the CBOR of leaf `i`'s value.
    pub fn root(&self, root_seed: &Seed, values: &[Vec<u8>]) -> Option<Hash> {
        self.subtree_hash(self.root, root_seed, &mut |i| {
            values.get(i).map(Vec::as_slice)
        })
    }

    fn subtree_hash<'v>(
        &self,
        n: usize,
        seed: &Seed,
        value: &mut dyn FnMut(usize) -> Option<&'v [u8]>,
    ) -> Option<Hash> {
        match self.info(n)?.node {
            Node::Leaf { index } => Some(leaf_hash(seed, *self.leaves.get(index)?, value(index)?)),
            Node::Branch { left, right } => {
                let l = self.subtree_hash(left, &derive(seed, 0), value)?;
                let r = self.subtree_hash(right, &derive(seed, 1), value)?;
                Some(node_hash(&l, &r))
            }
        }
    }

    /// Holder side: the proof for disclosing the leaves in `mask`.
    pub fn prove(&self, root_seed: &Seed, values: &[Vec<u8>], mask: u32) -> Option<Proof> {
        let mut proof = Proof::default();
        self.prove_node(self.root, root_seed, values, mask, &mut proof)?;
        Some(proof)
    }

    fn prove_node(
        &self,
        n: usize,
        seed: &Seed,
        values: &[Vec<u8>],
        mask: u32,
        out: &mut Proof,
    ) -> Option<()> {
        let info = self.info(n)?;
        if info.mask & mask == info.mask {
            out.seeds.push(*seed);
        } else if info.mask & mask == 0 {
            out.hashes
                .push(self.subtree_hash(n, seed, &mut |i| values.get(i).map(Vec::as_slice))?);
        } else if let Node::Branch { left, right } = info.node {
            self.prove_node(left, &derive(seed, 0), values, mask, out)?;
            self.prove_node(right, &derive(seed, 1), values, mask, out)?;
        }
        Some(())
    }

    /// How many seeds and hashes a proof for `mask` has (to bound decoding).
    pub fn proof_counts(&self, mask: u32) -> (usize, usize) {
        let mut c = (0, 0);
        self.count_node(self.root, mask, &mut c);
        c
    }

    fn count_node(&self, n: usize, mask: u32, c: &mut (usize, usize)) {
        let Some(info) = self.info(n) else { return };
        if info.mask & mask == info.mask {
            c.0 += 1;
        } else if info.mask & mask == 0 {
            c.1 += 1;
        } else if let Node::Branch { left, right } = info.node {
            self.count_node(left, mask, c);
            self.count_node(right, mask, c);
        }
    }

    /// Verifier side: recomputes the root from the proof and the disclosed
    /// values (`disclosed[j]` is the CBOR of the j-th disclosed leaf in leaf order).
    pub fn recompute_root(
        &self,
        mask: u32,
        proof: &Proof,
        disclosed: &[&[u8]],
    ) -> Result<Hash, TreeError> {
        if mask & !self.full_mask() != 0 {
            return Err(TreeError::BadSet);
        }
        if disclosed.len() != mask.count_ones() as usize {
            return Err(TreeError::WrongCount);
        }
        let mut cur = Cursor {
            seeds: 0,
            hashes: 0,
        };
        let root = self.recompute_node(self.root, mask, proof, disclosed, &mut cur)?;
        if cur.seeds != proof.seeds.len() || cur.hashes != proof.hashes.len() {
            return Err(TreeError::WrongCount);
        }
        Ok(root)
    }

    fn recompute_node(
        &self,
        n: usize,
        mask: u32,
        proof: &Proof,
        disclosed: &[&[u8]],
        cur: &mut Cursor,
    ) -> Result<Hash, TreeError> {
        let info = self.info(n).ok_or(TreeError::BadSet)?;
        if info.mask & mask == info.mask {
            let seed = proof.seeds.get(cur.seeds).ok_or(TreeError::WrongCount)?;
            cur.seeds += 1;
            // The j-th disclosed value belongs to leaf i where j = popcount(mask below i).
            let mut lookup = |i: usize| {
                let below = mask
                    & 1u32
                        .checked_shl(i as u32)
                        .map(|b| b - 1)
                        .unwrap_or(u32::MAX);
                disclosed.get(below.count_ones() as usize).copied()
            };
            self.subtree_hash(n, seed, &mut lookup)
                .ok_or(TreeError::WrongCount)
        } else if info.mask & mask == 0 {
            let h = proof.hashes.get(cur.hashes).ok_or(TreeError::WrongCount)?;
            cur.hashes += 1;
            Ok(*h)
        } else if let Node::Branch { left, right } = info.node {
            let l = self.recompute_node(left, mask, proof, disclosed, cur)?;
            let r = self.recompute_node(right, mask, proof, disclosed, cur)?;
            Ok(node_hash(&l, &r))
        } else {
            Err(TreeError::BadSet)
        }
    }
}

struct Cursor {
    seeds: usize,
    hashes: usize,
}

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
    nodes: Vec<NodeInfo>,
    leaves: Vec<ClaimKey>,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self
            .s
            .get(self.pos)
            .is_some_and(|c| c.is_ascii_whitespace())
        {
            self.pos += 1;
        }
    }

    fn tree(&mut self, depth: usize) -> Result<usize, String> {
        if depth > MAX_DEPTH {
            return Err("tree too deep".into());
        }
        self.ws();
        match self.s.get(self.pos) {
            Some(b'(') => {
                self.pos += 1;
                let left = self.tree(depth + 1)?;
                let right = self.tree(depth + 1)?;
                self.ws();
                if self.s.get(self.pos) != Some(&b')') {
                    return Err(format!("expected ')' at {}", self.pos));
                }
                self.pos += 1;
                let mask = self.nodes.get(left).map(|i| i.mask).unwrap_or(0)
                    | self.nodes.get(right).map(|i| i.mask).unwrap_or(0);
                self.nodes.push(NodeInfo {
                    node: Node::Branch { left, right },
                    mask,
                });
                Ok(self.nodes.len() - 1)
            }
            Some(c) if c.is_ascii_digit() => {
                let start = self.pos;
                while self.s.get(self.pos).is_some_and(u8::is_ascii_digit) {
                    self.pos += 1;
                }
                let text = std::str::from_utf8(self.s.get(start..self.pos).unwrap_or_default())
                    .unwrap_or("");
                let key: ClaimKey = text.parse().map_err(|_| format!("bad claim key {text}"))?;
                if self.leaves.contains(&key) {
                    return Err(format!("claim {key} twice"));
                }
                let index = self.leaves.len();
                if index >= MAX_LEAVES {
                    return Err("too many leaves".into());
                }
                self.leaves.push(key);
                self.nodes.push(NodeInfo {
                    node: Node::Leaf { index },
                    mask: 1u32 << index,
                });
                Ok(self.nodes.len() - 1)
            }
            _ => Err(format!("unexpected input at {}", self.pos)),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn sample() -> (Shape, Seed, Vec<Vec<u8>>) {
        let shape = Shape::parse("((((1 2)(3 4))5)((6 9)(7 8)))").unwrap();
        let values = (0..9u8)
            .map(|i| vec![0x60 + i; usize::from(i) + 1])
            .collect();
        (shape, [42u8; 16], values)
    }

    #[test]
    fn every_disclosure_set_recomputes_the_root() {
        let (shape, seed, values) = sample();
        let root = shape.root(&seed, &values).unwrap();
        for mask in 0..(1u32 << 9) {
            let proof = shape.prove(&seed, &values, mask).unwrap();
            assert_eq!(
                shape.proof_counts(mask),
                (proof.seeds.len(), proof.hashes.len())
            );
            let disclosed: Vec<&[u8]> = (0..9)
                .filter(|i| mask & (1 << i) != 0)
                .map(|i| values[i].as_slice())
                .collect();
            assert_eq!(
                shape.recompute_root(mask, &proof, &disclosed).unwrap(),
                root,
                "mask {mask:b}"
            );
        }
    }

    #[test]
    fn identity_check_costs_one_seed_and_one_hash() {
        let (shape, ..) = sample();
        let m = shape.mask_of(&[1, 2, 3, 4, 5]).unwrap();
        assert_eq!(shape.proof_counts(m), (1, 1));
        let hotel = shape.mask_of(&[1, 2, 3, 4, 6]).unwrap();
        assert_eq!(shape.proof_counts(hotel), (2, 3));
        // The worst 5-of-9 set measured in tests/sizes.rs.
        assert_eq!(
            shape.proof_counts(shape.mask_of(&[1, 3, 5, 8, 9]).unwrap()),
            (5, 4)
        );
    }

    #[test]
    fn changed_value_or_moved_value_changes_the_root() {
        let (shape, seed, values) = sample();
        let root = shape.root(&seed, &values).unwrap();
        let mask = 0b11;
        let proof = shape.prove(&seed, &values, mask).unwrap();
        let swapped = [values[1].as_slice(), values[0].as_slice()];
        assert_ne!(shape.recompute_root(mask, &proof, &swapped).unwrap(), root);
        let altered = [values[0].as_slice(), b"x".as_slice()];
        assert_ne!(shape.recompute_root(mask, &proof, &altered).unwrap(), root);
        assert_eq!(
            shape.recompute_root(mask, &proof, &[values[0].as_slice()]),
            Err(TreeError::WrongCount)
        );
        assert_eq!(
            shape.recompute_root(1 << 20, &proof, &[]),
            Err(TreeError::BadSet)
        );
    }

    #[test]
    fn a_disclosed_seed_never_reveals_a_hidden_salt() {
        // Salts of hidden leaves must not equal anything derivable from the sent seeds.
        let (shape, seed, values) = sample();
        let mask = shape.mask_of(&[1, 2, 3, 4, 5]).unwrap();
        let proof = shape.prove(&seed, &values, mask).unwrap();
        let sent = proof.seeds[0];
        assert_ne!(sent, seed);
        assert_ne!(sent, derive(&seed, 1));
    }

    #[test]
    fn bad_shapes_are_refused() {
        for s in [
            "",
            "(1)",
            "(1 2",
            "((1 2) 1)",
            "(1 2) 3",
            "x",
            "((((((((((((((((((1 2)3)4)5)6)7)8)9)10)11)12)13)14)15)16)17)18)19)",
        ] {
            assert!(Shape::parse(s).is_err(), "{s}");
        }
        assert_eq!(
            Shape::parse(" ( 1 ( 2 3 ) ) ").unwrap().leaves(),
            &[1, 2, 3]
        );
    }
}
