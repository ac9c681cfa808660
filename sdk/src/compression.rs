//! Compressed records: the SDK as the indexer of a `records` record tree.
//!
//! A compressed record is a `Record` value stored as a leaf of a
//! concurrent Merkle tree (a `RecordTree` account owned by `records`); only
//! the root, a changelog of recent roots and a canopy live on chain. Every
//! write emits `CompressedRecordWritten` with everything needed to rebuild
//! the leaf, so the SDK rebuilds the whole tree from the tree's
//! transaction history ([`TreeIndex`]), serves proofs ([`TreeIndex::proof`],
//! trimmed by the canopy), keeps a JSON cache it resumes from
//! ([`TreeCache`]), and checks its root against the account before it
//! builds an instruction (a mismatch refreshes once, then fails with
//! [`SdkError::TreeRootMismatch`]).
//!
//! Callers name a record with a [`RecordRef`]: an account, or a leaf of a
//! tree. Operations taking a `RecordRef` look the same for both kinds.

use {
    crate::error::{Result, SdkError},
    anchor_lang::prelude::Pubkey,
    records::tree::{empty_node, hash_node, Node, EMPTY_LEAF},
    std::fmt,
};

/// A record, whichever way it is stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RecordRef {
    /// A `Record` account at this address.
    Account(Pubkey),
    /// The leaf `index` of the record tree `tree`.
    Compressed { tree: Pubkey, index: u32 },
}

impl RecordRef {
    /// The record's address: the account's, or the leaf's stable address
    /// (a PDA of the tree and the index, never created as an account) that
    /// grants, requests, claims and the audit trail name it by.
    pub fn address(&self) -> Pubkey {
        match self {
            RecordRef::Account(address) => *address,
            RecordRef::Compressed { tree, index } => compressed_address(tree, *index),
        }
    }

    /// The tree, for a compressed record.
    pub fn tree(&self) -> Option<Pubkey> {
        match self {
            RecordRef::Account(_) => None,
            RecordRef::Compressed { tree, .. } => Some(*tree),
        }
    }

    pub fn is_compressed(&self) -> bool {
        matches!(self, RecordRef::Compressed { .. })
    }
}

impl From<Pubkey> for RecordRef {
    fn from(address: Pubkey) -> Self {
        RecordRef::Account(address)
    }
}

/// `ADDRESS` (an account) or `TREE:INDEX` (a leaf).
impl fmt::Display for RecordRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordRef::Account(address) => write!(f, "{address}"),
            RecordRef::Compressed { tree, index } => write!(f, "{tree}:{index}"),
        }
    }
}

impl std::str::FromStr for RecordRef {
    type Err = SdkError;

    fn from_str(text: &str) -> Result<Self> {
        let address = |s: &str| {
            s.parse::<Pubkey>()
                .map_err(|_| SdkError::InvalidInput(format!("{s:?} is not a base58 address")))
        };
        match text.split_once(':') {
            None => Ok(RecordRef::Account(address(text)?)),
            Some((tree, index)) => Ok(RecordRef::Compressed {
                tree: address(tree)?,
                index: index.parse().map_err(|_| {
                    SdkError::InvalidInput(format!(
                        "{index:?} is not a leaf index (TREE:INDEX, INDEX from 0 to 4294967295)"
                    ))
                })?,
            }),
        }
    }
}

/// The stable address of leaf `index` of `tree`.
pub fn compressed_address(tree: &Pubkey, index: u32) -> Pubkey {
    Pubkey::find_program_address(
        &[b"compressed_record", tree.as_ref(), &index.to_le_bytes()],
        &records::ID,
    )
    .0
}

/// A full Merkle tree in memory: every node of the appended leaves, the
/// rest empty subtrees. Same hashing as the on-chain tree
/// (`records::tree::hash`): an inner node is `SHA-256(0x01 ‖ l ‖ r)`, the
/// empty leaf all zeroes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FullTree {
    depth: u32,
    canopy: u32,
    /// `levels[l][p]`: the node `l` levels above the leaves at position `p`,
    /// for the positions covering appended leaves; anything to their right
    /// is an empty subtree.
    levels: Vec<Vec<Node>>,
}

impl FullTree {
    /// An empty tree of `depth` whose account keeps the top `canopy`
    /// levels (proofs leave those siblings out). Limits as the program's.
    pub fn new(depth: u32, canopy: u32) -> Result<Self> {
        use records::tree::{MAX_DEPTH, MIN_DEPTH};
        if !(MIN_DEPTH..=MAX_DEPTH).contains(&depth) {
            return Err(SdkError::InvalidInput(format!(
                "tree depth must be {MIN_DEPTH} to {MAX_DEPTH}, not {depth}"
            )));
        }
        if canopy >= depth {
            return Err(SdkError::InvalidInput(format!(
                "tree canopy depth must be below the depth {depth}, not {canopy}"
            )));
        }
        Ok(Self {
            depth,
            canopy,
            levels: vec![Vec::new(); depth as usize + 1],
        })
    }

    pub fn depth(&self) -> u32 {
        self.depth
    }

    pub fn canopy(&self) -> u32 {
        self.canopy
    }

    /// Leaves this tree can hold.
    pub fn capacity(&self) -> u64 {
        1u64 << self.depth
    }

    /// Leaves appended so far (the index the next append takes).
    pub fn len(&self) -> u64 {
        self.levels[0].len() as u64
    }

    pub fn is_empty(&self) -> bool {
        self.levels[0].is_empty()
    }

    /// The leaf at `index` (the empty leaf beyond the appended ones).
    pub fn leaf(&self, index: u32) -> Node {
        self.node(0, index as usize)
    }

    fn node(&self, level: usize, pos: usize) -> Node {
        self.levels[level]
            .get(pos)
            .copied()
            .unwrap_or_else(|| empty_node(level))
    }

    pub fn root(&self) -> Node {
        self.node(self.depth as usize, 0)
    }

    /// Appends `leaf` at the next free index and returns that index.
    pub fn append(&mut self, leaf: Node) -> Result<u32> {
        let index = self.len();
        if index >= self.capacity() {
            return Err(SdkError::InvalidInput(format!(
                "the tree is full ({} leaves)",
                self.capacity()
            )));
        }
        self.levels[0].push(leaf);
        self.rehash(index as usize);
        Ok(index as u32)
    }

    /// Replaces the appended leaf at `index` (with the empty leaf: erases it).
    pub fn replace(&mut self, index: u32, leaf: Node) -> Result<()> {
        let appended = self.levels[0].len();
        let slot = self.levels[0].get_mut(index as usize).ok_or_else(|| {
            SdkError::InvalidInput(format!(
                "leaf {index} is beyond the {appended} leaves appended"
            ))
        })?;
        *slot = leaf;
        self.rehash(index as usize);
        Ok(())
    }

    /// Recomputes the path from leaf `index` to the root.
    fn rehash(&mut self, index: usize) {
        for level in 0..self.depth as usize {
            let parent = index >> (level + 1);
            let hash = hash_node(
                &self.node(level, parent << 1),
                &self.node(level, (parent << 1) | 1),
            );
            let above = &mut self.levels[level + 1];
            if parent == above.len() {
                above.push(hash);
            } else {
                above[parent] = hash;
            }
        }
    }

    /// Every sibling of leaf `index`, from the leaf up (`depth` nodes).
    pub fn full_proof(&self, index: u32) -> Vec<Node> {
        (0..self.depth as usize)
            .map(|level| self.node(level, ((index as usize) >> level) ^ 1))
            .collect()
    }

    /// The proof a transaction carries: the siblings from the leaf up, the
    /// top `canopy` ones left out (the account holds them).
    pub fn proof(&self, index: u32) -> Vec<Node> {
        let mut proof = self.full_proof(index);
        proof.truncate((self.depth - self.canopy) as usize);
        proof
    }
}

/// Bytes of the proof of one compressed record in an instruction's
/// arguments: `32 × (depth − canopy)`.
pub fn proof_bytes(depth: u32, canopy: u32) -> usize {
    32 * depth.saturating_sub(canopy) as usize
}

/// Whether `leaf` is the empty leaf (an erased or never-written slot).
pub fn is_empty_leaf(leaf: &Node) -> bool {
    *leaf == EMPTY_LEAF
}

#[cfg(test)]
mod tests {
    use {super::*, records::tree as chain};

    /// xorshift64*: deterministic, seeded.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            let mut x = self.0;
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            self.0 = x;
            x.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }

        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }

        fn leaf(&mut self) -> Node {
            let mut n = [0u8; 32];
            for chunk in n.chunks_mut(8) {
                chunk.copy_from_slice(&self.next().to_le_bytes());
            }
            n
        }
    }

    fn account(depth: u32, buffer: u32, canopy: u32) -> Vec<u8> {
        let mut data = vec![0u8; chain::space(depth, buffer, canopy).unwrap()];
        chain::initialize(&mut data, depth, buffer, canopy).unwrap();
        data
    }

    #[test]
    fn empty_tree_root_is_the_empty_subtree() {
        for (depth, canopy) in [(3, 0), (14, 10), (20, 10), (24, 10)] {
            let tree = FullTree::new(depth, canopy).unwrap();
            let data = account(depth, 8, canopy);
            assert_eq!(tree.root(), chain::root(&data).unwrap());
            assert_eq!(tree.proof(0).len(), (depth - canopy) as usize);
            assert_eq!(proof_bytes(depth, canopy), 32 * tree.proof(0).len());
        }
    }

    #[test]
    fn limits_as_the_program() {
        assert!(FullTree::new(2, 0).is_err());
        assert!(FullTree::new(31, 0).is_err());
        assert!(FullTree::new(10, 10).is_err());
        let mut full = FullTree::new(3, 0).unwrap();
        for i in 0..8 {
            assert_eq!(full.append([i + 1; 32]).unwrap(), u32::from(i));
        }
        assert!(full.append([9; 32]).is_err());
        assert!(full.replace(8, [9; 32]).is_err());
    }

    /// Seeded random appends, replaces and erasures, applied to the account
    /// bytes with proofs from the in-memory tree (trimmed by the canopy),
    /// some built against an older root (concurrent writers): every one is
    /// accepted, reads verify, and both roots agree after every step.
    #[test]
    fn proofs_are_accepted_by_the_account_random() {
        for (seed, depth, buffer, canopy) in [
            (1u64, 3u32, 8u32, 0u32),
            (2, 5, 8, 2),
            (3, 8, 16, 4),
            (4, 10, 32, 5),
            (5, 14, 64, 10),
            (6, 20, 64, 10),
        ] {
            let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15));
            let mut data = account(depth, buffer, canopy);
            let mut mem = FullTree::new(depth, canopy).unwrap();
            let cap = mem.capacity().min(200);
            let (mut replaced, mut concurrent, mut reads) = (0, 0, 0);
            for _ in 0..300 {
                match rng.below(10) {
                    // Append.
                    0..=3 if mem.len() < cap => {
                        let leaf = rng.leaf();
                        let at = chain::append(&mut data, &leaf).unwrap();
                        assert_eq!(mem.append(leaf).unwrap(), at);
                    }
                    // Replace or erase a written leaf, proof against now.
                    4..=6 if !mem.is_empty() => {
                        let index = rng.below(mem.len()) as u32;
                        let old = mem.leaf(index);
                        if old == EMPTY_LEAF {
                            continue;
                        }
                        let new = if rng.below(4) == 0 {
                            EMPTY_LEAF
                        } else {
                            rng.leaf()
                        };
                        let proof = mem.proof(index);
                        chain::replace(&mut data, &mem.root(), &old, &new, index, &proof).unwrap();
                        mem.replace(index, new).unwrap();
                        replaced += 1;
                    }
                    // Several writers in one slot: every proof built against
                    // the same root before any lands.
                    7 | 8 if mem.len() >= 4 => {
                        let snapshot = mem.clone();
                        let writers = rng.below(u64::from(buffer - 1)).max(1);
                        let mut touched = std::collections::BTreeSet::new();
                        let mut batch = Vec::new();
                        for _ in 0..writers {
                            let index = rng.below(snapshot.len()) as u32;
                            if snapshot.leaf(index) == EMPTY_LEAF || !touched.insert(index) {
                                continue;
                            }
                            batch.push((index, snapshot.proof(index), rng.leaf()));
                        }
                        // An append in between never invalidates them.
                        if mem.len() < cap {
                            let leaf = rng.leaf();
                            chain::append(&mut data, &leaf).unwrap();
                            mem.append(leaf).unwrap();
                        }
                        for (index, proof, new) in batch {
                            let old = snapshot.leaf(index);
                            chain::replace(&mut data, &snapshot.root(), &old, &new, index, &proof)
                                .unwrap();
                            mem.replace(index, new).unwrap();
                            concurrent += 1;
                        }
                    }
                    // A read against an older root still in the changelog.
                    _ if !mem.is_empty() => {
                        let index = rng.below(mem.len()) as u32;
                        chain::verify_at(
                            &data,
                            &mem.root(),
                            &mem.leaf(index),
                            index,
                            &mem.proof(index),
                        )
                        .unwrap();
                        chain::verify(&data, &mem.leaf(index), index, &mem.full_proof(index))
                            .unwrap();
                        reads += 1;
                    }
                    _ => {}
                }
                assert_eq!(mem.root(), chain::root(&data).unwrap(), "seed {seed}");
            }
            assert_eq!(mem.len(), chain::header(&data).unwrap().rightmost_index);
            assert!(
                replaced > 10 && concurrent > 10 && reads > 10,
                "seed {seed}: {replaced} replaced, {concurrent} concurrent, {reads} reads"
            );
        }
    }

    #[test]
    fn a_proof_of_the_wrong_leaf_is_refused_by_the_account() {
        let mut data = account(5, 8, 2);
        let mut mem = FullTree::new(5, 2).unwrap();
        for i in 1..=6u8 {
            chain::append(&mut data, &[i; 32]).unwrap();
            mem.append([i; 32]).unwrap();
        }
        let proof = mem.proof(3);
        assert_eq!(
            chain::verify_at(&data, &mem.root(), &[9; 32], 3, &proof),
            Err(chain::TreeError::ProofInvalid)
        );
        assert_eq!(
            chain::verify_at(&data, &mem.root(), &mem.leaf(3), 2, &proof),
            Err(chain::TreeError::ProofInvalid)
        );
    }

    #[test]
    fn record_refs_print_and_parse() {
        let tree = Pubkey::new_unique();
        let leaf = RecordRef::Compressed { tree, index: 7 };
        assert_eq!(leaf.to_string().parse::<RecordRef>().unwrap(), leaf);
        let account = RecordRef::Account(Pubkey::new_unique());
        assert_eq!(account.to_string().parse::<RecordRef>().unwrap(), account);
        assert!(format!("{tree}:x").parse::<RecordRef>().is_err());
        assert_ne!(
            leaf.address(),
            RecordRef::Compressed { tree, index: 8 }.address()
        );
        assert_eq!(leaf.tree(), Some(tree));
    }
}
