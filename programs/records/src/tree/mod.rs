//! # Concurrent Merkle tree of compressed records
//!
//! The tree part of a `RecordTree` account, read and written in place on the
//! account's data slice (`&[u8]` / `&mut [u8]`, no deserialisation, no
//! alignment requirement). Leaves are 32-byte hashes computed by callers; the
//! empty leaf is `[0; 32]` and an inner node is `SHA-256(0x01 ‖ left ‖ right)`
//! (see [`hash`]).
//!
//! ## Byte layout (all integers little-endian)
//!
//! With `D` = max depth, `B` = max buffer size, `C` = canopy depth:
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 1 | version (`1`; `0` = not initialised) |
//! | 1 | 1 | max depth `D` |
//! | 2 | 1 | canopy depth `C` |
//! | 3 | 1 | reserved, zero |
//! | 4 | 4 | max buffer size `B` (u32) |
//! | 8 | 8 | sequence number: changes applied since initialisation (u64) |
//! | 16 | 4 | active index: changelog slot of the newest entry (u32) |
//! | 20 | 4 | buffer size: valid changelog entries, `1..=B` (u32) |
//! | 24 | 8 | rightmost index: leaves appended so far, the index of the next append (u64) |
//! | 32 | `B × (32 (D + 1) + 8)` | changelog ring buffer |
//! | … | `32 D` | rightmost proof |
//! | … | `32 (2^(C+1) − 2)` | canopy |
//!
//! * A **changelog entry** is `root (32) ‖ path (D × 32) ‖ leaf index (u32) ‖
//!   4 reserved bytes`: the root after the change and the new nodes on the
//!   changed leaf's path, `path[0]` the leaf itself, `path[D − 1]` the child of
//!   the root. Initialisation writes entry 0 (the empty tree's root and empty
//!   path); every change writes the next slot, overwriting the oldest once
//!   the buffer is full, so the changelog always holds the current root and
//!   up to `B − 1` earlier ones.
//! * The **rightmost proof** holds the `D` siblings of the next free leaf
//!   (index = rightmost index), bottom first. Appends need no proof from the
//!   caller: they hash the new leaf up with these siblings, then derive the
//!   siblings of the following slot (each is either empty, the new path node,
//!   or unchanged). A replace of leaf `i` updates the one sibling it touches.
//! * The **canopy** holds every node of the `C` levels below the root, level
//!   by level from the top, left to right: the node at `l` levels below the
//!   root and position `p` is entry `2^l − 2 + p`. A caller may therefore
//!   leave out the top `C` siblings of a proof (send `D − C..=D` nodes): they
//!   are read from the canopy. Initialisation fills it with empty subtrees.
//!
//! [`space`] gives the length of the tree part; the account adds its own
//! discriminator and fields in front of it.
//!
//! ## Concurrent writes: fast-forwarding a proof
//!
//! A client builds a proof against the root it last saw, but other writes may
//! land before its transaction (several in one slot). [`replace`] therefore
//! takes the root the proof was built against. It looks that root up in the
//! changelog (newest first); not found means the proof is older than the
//! buffer remembers: `StaleProofNotInChangelog`. Then it replays every later
//! entry, oldest first, onto the proof: if an entry changed the same leaf, the
//! caller's old leaf is out of date (`LeafModifiedSinceProof`); otherwise the
//! two leaves' paths meet at the highest bit where their indices differ, and
//! the proof's sibling at that level is exactly the node that entry wrote
//! there, so it is replaced by the entry's path node at that level (no other
//! sibling of the proof was touched by that write). Siblings filled from the
//! canopy are current already; a replayed entry can only overwrite one with
//! the node it wrote there, and the last entry to write that position wrote
//! its current value, so they stay right. Finally the fast-forwarded proof
//! must hash the old leaf up to the **current** root, else `ProofInvalid`.
//! Soundness rests on that last check alone: whatever the changelog says,
//! nothing is written unless the old leaf is provably the current leaf at
//! that index. [`verify_at`] does the same without writing, for instructions
//! that only read a leaf.
//!
//! With `B` = buffer size, `B` writes built against the same root all land
//! (the last one replays `B − 1` entries): 32 concurrent writers need `B ≥ 32`.
//! Appends never go stale. Every refused operation returns before the first
//! byte is written.
//!
//! Erasing a leaf is replacing it with the empty leaf. The empty leaf can be
//! neither appended nor replaced (`EmptyLeafNotAllowed`), so an erased slot
//! can never be brought back, and a free slot is always distinguishable from
//! a written one. [`verify`] of the empty leaf proves a slot empty.
//!
//! ## Limits
//!
//! * Depth `3..=30`: at least 8 leaves; at most 2^30 (about 1.07 billion)
//!   leaves, so leaf indices fit the changelog's u32 and a replace costs at
//!   most 60 SHA-256 calls (30 to verify, 30 to write).
//! * Buffer `8..=2048` concurrent roots.
//! * Canopy `0..depth` (strictly below the depth: the root is not part of it),
//!   and the whole tree part at most 10 MiB (an account's maximum), which in
//!   practice caps the canopy at 17 levels.
//!
//! ## Rent of the tree part (buffer 64, canopy 10)
//!
//! Rent-exempt minimum = `(space + 128) × 6960` lamports (printed by the test
//! `rent_figures_for_depth_14_20_24`, `cargo test -p records --lib tree --
//! --nocapture`):
//!
//! | depth | leaves | space (bytes) | rent (lamports) | per leaf at capacity |
//! |---|---|---|---|---|
//! | 14 | 16,384 | 97,184 | 677,291,520 | 41,339 |
//! | 20 | 1,048,576 | 109,664 | 764,152,320 | 729 |
//! | 24 | 16,777,216 | 117,984 | 822,059,520 | 49 |
//!
//! The `RecordTree` account adds its own discriminator and fields (each byte
//! 6,960 lamports more). Proof bytes with canopy 10: `32 × (depth − 10)`,
//! i.e. 128, 320 and 448.

pub mod hash;

#[cfg(test)]
mod tests;

pub use hash::{empty_node, hash_node, Node, EMPTY_LEAF};

/// Layout version written by [`initialize`].
pub const TREE_VERSION: u8 = 1;
/// Smallest accepted depth.
pub const MIN_DEPTH: u32 = 3;
/// Largest accepted depth.
pub const MAX_DEPTH: u32 = 30;
/// Smallest accepted changelog buffer.
pub const MIN_BUFFER_SIZE: u32 = 8;
/// Largest accepted changelog buffer.
pub const MAX_BUFFER_SIZE: u32 = 2048;
/// Largest tree part: an account's maximum data length (10 MiB).
pub const MAX_TREE_SPACE: usize = 10 * 1024 * 1024;
/// Bytes of the fixed header.
pub const HEADER_SIZE: usize = 32;

const NODE_SIZE: usize = 32;

/// Why a tree operation was refused. Nothing is written when one is returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TreeError {
    /// Depth outside `MIN_DEPTH..=MAX_DEPTH`.
    InvalidDepth,
    /// Buffer size outside `MIN_BUFFER_SIZE..=MAX_BUFFER_SIZE`.
    InvalidBufferSize,
    /// Canopy depth not below the tree's depth.
    InvalidCanopy,
    /// The data slice is not exactly [`space`] bytes for its parameters, or
    /// those parameters need more than [`MAX_TREE_SPACE`].
    InvalidSize,
    /// [`initialize`] on a slice that already holds a tree.
    AlreadyInitialized,
    /// The header is not a valid version-1 tree header (not initialised, or
    /// its counters are inconsistent).
    InvalidHeader,
    /// Every leaf has been appended.
    TreeFull,
    /// The leaf index is beyond the tree's capacity or, for a replace, beyond
    /// the leaves appended so far.
    LeafIndexOutOfBounds,
    /// The proof has fewer than `depth − canopy` or more than `depth` nodes.
    ProofLengthInvalid,
    /// The proof does not hash the given leaf up to the current root.
    ProofInvalid,
    /// The root the proof was built against is not in the changelog: older
    /// than the buffer remembers, or never a root of this tree.
    StaleProofNotInChangelog,
    /// A write since the proof's root changed this very leaf.
    LeafModifiedSinceProof,
    /// The empty leaf cannot be appended, and an empty (never written or
    /// erased) leaf cannot be replaced: an erased slot stays erased.
    EmptyLeafNotAllowed,
    /// The sequence number would overflow.
    SequenceOverflow,
}

impl core::fmt::Display for TreeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let msg = match self {
            TreeError::InvalidDepth => "tree depth must be 3 to 30",
            TreeError::InvalidBufferSize => "tree buffer size must be 8 to 2048",
            TreeError::InvalidCanopy => "tree canopy depth must be below the tree depth",
            TreeError::InvalidSize => {
                "tree data length does not match its depth, buffer and canopy"
            }
            TreeError::AlreadyInitialized => "tree is already initialised",
            TreeError::InvalidHeader => "tree header is not initialised or is inconsistent",
            TreeError::TreeFull => "tree is full",
            TreeError::LeafIndexOutOfBounds => "leaf index is out of bounds",
            TreeError::ProofLengthInvalid => "proof length does not fit the tree depth and canopy",
            TreeError::ProofInvalid => "proof does not match the current root",
            TreeError::StaleProofNotInChangelog => {
                "proof root is not in the tree's changelog (too old or unknown)"
            }
            TreeError::LeafModifiedSinceProof => "leaf was modified since the proof's root",
            TreeError::EmptyLeafNotAllowed => {
                "the empty leaf cannot be appended, and an empty leaf cannot be replaced"
            }
            TreeError::SequenceOverflow => "tree sequence number overflow",
        };
        f.write_str(msg)
    }
}

/// Depth, buffer and canopy of a tree, validated, with the layout's offsets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Geometry {
    depth: usize,
    buffer: usize,
    canopy: usize,
}

impl Geometry {
    fn new(depth: u32, buffer: u32, canopy: u32) -> Result<Self, TreeError> {
        if !(MIN_DEPTH..=MAX_DEPTH).contains(&depth) {
            return Err(TreeError::InvalidDepth);
        }
        if !(MIN_BUFFER_SIZE..=MAX_BUFFER_SIZE).contains(&buffer) {
            return Err(TreeError::InvalidBufferSize);
        }
        if canopy >= depth {
            return Err(TreeError::InvalidCanopy);
        }
        let g = Geometry {
            depth: depth as usize,
            buffer: buffer as usize,
            canopy: canopy as usize,
        };
        if g.space() > MAX_TREE_SPACE {
            return Err(TreeError::InvalidSize);
        }
        Ok(g)
    }

    fn capacity(&self) -> u64 {
        1u64 << self.depth
    }

    fn entry_size(&self) -> usize {
        NODE_SIZE * (self.depth + 1) + 8
    }

    fn entry_offset(&self, slot: usize) -> usize {
        HEADER_SIZE + slot * self.entry_size()
    }

    fn rightmost_offset(&self) -> usize {
        HEADER_SIZE + self.buffer * self.entry_size()
    }

    fn canopy_offset(&self) -> usize {
        self.rightmost_offset() + NODE_SIZE * self.depth
    }

    fn canopy_nodes(&self) -> usize {
        (1usize << (self.canopy + 1)) - 2
    }

    /// Offset of the canopy node at `level` (height above the leaves, at
    /// least `depth − canopy`) and position `pos` within that level.
    fn canopy_node_offset(&self, level: usize, pos: u64) -> usize {
        let from_top = self.depth - level;
        self.canopy_offset() + NODE_SIZE * (((1usize << from_top) - 2) + pos as usize)
    }

    fn space(&self) -> usize {
        self.canopy_offset() + NODE_SIZE * self.canopy_nodes()
    }

    /// The shortest proof a caller may send.
    fn min_proof_len(&self) -> usize {
        self.depth - self.canopy
    }
}

/// Bytes of the tree part for these parameters, or why they are refused.
pub fn space(depth: u32, buffer: u32, canopy: u32) -> Result<usize, TreeError> {
    Geometry::new(depth, buffer, canopy).map(|g| g.space())
}

/// The fixed header, as read from (and written back to) bytes 0..32.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TreeHeader {
    pub version: u8,
    pub max_depth: u8,
    pub canopy_depth: u8,
    pub max_buffer_size: u32,
    pub sequence_number: u64,
    pub active_index: u32,
    pub buffer_size: u32,
    /// Leaves appended so far: the index the next append takes.
    pub rightmost_index: u64,
}

impl TreeHeader {
    fn read(data: &[u8]) -> Self {
        TreeHeader {
            version: data[0],
            max_depth: data[1],
            canopy_depth: data[2],
            max_buffer_size: read_u32(data, 4),
            sequence_number: read_u64(data, 8),
            active_index: read_u32(data, 16),
            buffer_size: read_u32(data, 20),
            rightmost_index: read_u64(data, 24),
        }
    }

    fn write(&self, data: &mut [u8]) {
        data[0] = self.version;
        data[1] = self.max_depth;
        data[2] = self.canopy_depth;
        data[3] = 0;
        data[4..8].copy_from_slice(&self.max_buffer_size.to_le_bytes());
        data[8..16].copy_from_slice(&self.sequence_number.to_le_bytes());
        data[16..20].copy_from_slice(&self.active_index.to_le_bytes());
        data[20..24].copy_from_slice(&self.buffer_size.to_le_bytes());
        data[24..32].copy_from_slice(&self.rightmost_index.to_le_bytes());
    }
}

fn read_u32(data: &[u8], off: usize) -> u32 {
    let mut b = [0u8; 4];
    b.copy_from_slice(&data[off..off + 4]);
    u32::from_le_bytes(b)
}

fn read_u64(data: &[u8], off: usize) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&data[off..off + 8]);
    u64::from_le_bytes(b)
}

fn read_node(data: &[u8], off: usize) -> Node {
    let mut n = [0u8; 32];
    n.copy_from_slice(&data[off..off + NODE_SIZE]);
    n
}

fn write_node(data: &mut [u8], off: usize, node: &Node) {
    data[off..off + NODE_SIZE].copy_from_slice(node);
}

/// Reads and checks the header of an initialised tree slice.
pub fn header(data: &[u8]) -> Result<TreeHeader, TreeError> {
    load(data).map(|(h, _)| h)
}

fn load(data: &[u8]) -> Result<(TreeHeader, Geometry), TreeError> {
    if data.len() < HEADER_SIZE {
        return Err(TreeError::InvalidSize);
    }
    let h = TreeHeader::read(data);
    if h.version != TREE_VERSION || data[3] != 0 {
        return Err(TreeError::InvalidHeader);
    }
    let g = Geometry::new(
        u32::from(h.max_depth),
        h.max_buffer_size,
        u32::from(h.canopy_depth),
    )
    .map_err(|_| TreeError::InvalidHeader)?;
    if data.len() != g.space() {
        return Err(TreeError::InvalidSize);
    }
    if h.active_index as usize >= g.buffer
        || h.buffer_size == 0
        || h.buffer_size as usize > g.buffer
        || h.rightmost_index > g.capacity()
    {
        return Err(TreeError::InvalidHeader);
    }
    Ok((h, g))
}

/// Writes an empty tree into `data`, which must be exactly
/// `space(depth, buffer, canopy)` bytes and not hold a tree yet (version byte
/// zero, as in a freshly allocated account).
pub fn initialize(data: &mut [u8], depth: u32, buffer: u32, canopy: u32) -> Result<(), TreeError> {
    let g = Geometry::new(depth, buffer, canopy)?;
    if data.len() != g.space() {
        return Err(TreeError::InvalidSize);
    }
    if data[0] != 0 {
        return Err(TreeError::AlreadyInitialized);
    }
    data.fill(0);
    let h = TreeHeader {
        version: TREE_VERSION,
        max_depth: depth as u8,
        canopy_depth: canopy as u8,
        max_buffer_size: buffer,
        sequence_number: 0,
        active_index: 0,
        buffer_size: 1,
        rightmost_index: 0,
    };
    // Changelog entry 0: the empty tree (root, empty path, index 0).
    let off = g.entry_offset(0);
    write_node(data, off, &empty_node(g.depth));
    for level in 0..g.depth {
        write_node(data, off + NODE_SIZE * (1 + level), &empty_node(level));
    }
    // Rightmost proof of leaf 0: all empty siblings.
    for level in 0..g.depth {
        write_node(
            data,
            g.rightmost_offset() + NODE_SIZE * level,
            &empty_node(level),
        );
    }
    // Canopy: empty subtrees.
    for level in g.min_proof_len()..g.depth {
        for pos in 0..(1u64 << (g.depth - level)) {
            write_node(data, g.canopy_node_offset(level, pos), &empty_node(level));
        }
    }
    h.write(data);
    Ok(())
}

/// The current root.
pub fn root(data: &[u8]) -> Result<Node, TreeError> {
    let (h, g) = load(data)?;
    Ok(read_node(data, g.entry_offset(h.active_index as usize)))
}

/// Checks that `proof` (possibly without its top `canopy` nodes) hashes
/// `leaf` at `index` up to the current root.
pub fn verify(data: &[u8], leaf: &Node, index: u32, proof: &[Node]) -> Result<(), TreeError> {
    let (h, g) = load(data)?;
    if u64::from(index) >= g.capacity() {
        return Err(TreeError::LeafIndexOutOfBounds);
    }
    let full = fill_proof(data, &g, index, proof)?;
    let current = read_node(data, g.entry_offset(h.active_index as usize));
    if compute_root(leaf, index, &full) != current {
        return Err(TreeError::ProofInvalid);
    }
    Ok(())
}

/// Like [`verify`], for a proof built against `proof_root`, an older root
/// still in the changelog: the proof is fast-forwarded first. Lets a reading
/// instruction accept a proof that was current when its transaction was built.
pub fn verify_at(
    data: &[u8],
    proof_root: &Node,
    leaf: &Node,
    index: u32,
    proof: &[Node],
) -> Result<(), TreeError> {
    let (h, g) = load(data)?;
    if u64::from(index) >= g.capacity() {
        return Err(TreeError::LeafIndexOutOfBounds);
    }
    prove_current(data, &h, &g, proof_root, leaf, index, proof).map(|_| ())
}

/// Appends `leaf` at the next free index and returns that index.
pub fn append(data: &mut [u8], leaf: &Node) -> Result<u32, TreeError> {
    let (mut h, g) = load(data)?;
    let n = h.rightmost_index;
    if n >= g.capacity() {
        return Err(TreeError::TreeFull);
    }
    if *leaf == EMPTY_LEAF {
        return Err(TreeError::EmptyLeafNotAllowed);
    }
    let sequence = h
        .sequence_number
        .checked_add(1)
        .ok_or(TreeError::SequenceOverflow)?;
    let index = n as u32; // n < 2^30
    let mut siblings: Vec<Node> = (0..g.depth)
        .map(|level| read_node(data, g.rightmost_offset() + NODE_SIZE * level))
        .collect();
    let (path, new_root) = compute_path(leaf, index, &siblings);
    // Siblings of the following slot m = n + 1: empty where m's bit is 0 (to
    // its right nothing is appended); where it is 1, the new path node if the
    // left neighbour at that level is the subtree that just took the leaf,
    // else the left neighbour was already n's sibling and is unchanged.
    let m = n + 1; // n < capacity ≤ 2^30: no overflow
    for (level, sibling) in siblings.iter_mut().enumerate() {
        if (m >> level) & 1 == 0 {
            *sibling = empty_node(level);
        } else if (m >> level) != (n >> level) {
            *sibling = path[level];
        }
    }
    h.sequence_number = sequence;
    h.rightmost_index = m;
    write_change(data, &mut h, &g, index, &new_root, &path);
    for (level, sibling) in siblings.iter().enumerate() {
        write_node(data, g.rightmost_offset() + NODE_SIZE * level, sibling);
    }
    h.write(data);
    Ok(index)
}

/// Replaces `old_leaf` at `index` by `new_leaf`. `proof` holds the siblings
/// from the leaf up (its top `canopy` nodes may be left out) and was built
/// against `proof_root`, the current root or one still in the changelog.
/// `new_leaf = EMPTY_LEAF` erases the leaf; an empty `old_leaf` is refused.
pub fn replace(
    data: &mut [u8],
    proof_root: &Node,
    old_leaf: &Node,
    new_leaf: &Node,
    index: u32,
    proof: &[Node],
) -> Result<(), TreeError> {
    let (mut h, g) = load(data)?;
    if u64::from(index) >= h.rightmost_index {
        return Err(TreeError::LeafIndexOutOfBounds);
    }
    if *old_leaf == EMPTY_LEAF {
        return Err(TreeError::EmptyLeafNotAllowed);
    }
    let sequence = h
        .sequence_number
        .checked_add(1)
        .ok_or(TreeError::SequenceOverflow)?;
    let full = prove_current(data, &h, &g, proof_root, old_leaf, index, proof)?;
    let (path, new_root) = compute_path(new_leaf, index, &full);
    h.sequence_number = sequence;
    write_change(data, &mut h, &g, index, &new_root, &path);
    // The next free slot's sibling that contains `index` is the new path node
    // where their indices first differ from the top (index < rightmost).
    let level = critical_level(u64::from(index), h.rightmost_index);
    if level < g.depth {
        write_node(data, g.rightmost_offset() + NODE_SIZE * level, &path[level]);
    }
    h.write(data);
    Ok(())
}

/// Highest bit where `a` and `b` differ (`a != b`): the level at which the
/// proof of one holds a node on the path of the other.
fn critical_level(a: u64, b: u64) -> usize {
    (63 - (a ^ b).leading_zeros()) as usize
}

/// The full proof: the caller's nodes, then the missing top ones from the
/// canopy.
fn fill_proof(
    data: &[u8],
    g: &Geometry,
    index: u32,
    proof: &[Node],
) -> Result<Vec<Node>, TreeError> {
    if proof.len() < g.min_proof_len() || proof.len() > g.depth {
        return Err(TreeError::ProofLengthInvalid);
    }
    let mut full = Vec::with_capacity(g.depth);
    full.extend_from_slice(proof);
    for level in proof.len()..g.depth {
        let pos = (u64::from(index) >> level) ^ 1;
        full.push(read_node(data, g.canopy_node_offset(level, pos)));
    }
    Ok(full)
}

/// Fast-forwards a proof built against `proof_root` to the current root and
/// checks it there; returns the current full proof of `leaf` at `index`.
fn prove_current(
    data: &[u8],
    h: &TreeHeader,
    g: &Geometry,
    proof_root: &Node,
    leaf: &Node,
    index: u32,
    proof: &[Node],
) -> Result<Vec<Node>, TreeError> {
    let mut full = fill_proof(data, g, index, proof)?;
    let active = h.active_index as usize;
    let slot_back = |k: usize| (active + g.buffer - k) % g.buffer;
    let age = (0..h.buffer_size as usize)
        .find(|&k| read_node(data, g.entry_offset(slot_back(k))) == *proof_root)
        .ok_or(TreeError::StaleProofNotInChangelog)?;
    for k in (0..age).rev() {
        let off = g.entry_offset(slot_back(k));
        let changed = read_u32(data, off + NODE_SIZE * (g.depth + 1));
        if changed == index {
            return Err(TreeError::LeafModifiedSinceProof);
        }
        let level = critical_level(u64::from(changed), u64::from(index));
        full[level] = read_node(data, off + NODE_SIZE * (1 + level));
    }
    let current = read_node(data, g.entry_offset(active));
    if compute_root(leaf, index, &full) != current {
        return Err(TreeError::ProofInvalid);
    }
    Ok(full)
}

fn compute_root(leaf: &Node, index: u32, proof: &[Node]) -> Node {
    let mut node = *leaf;
    for (level, sibling) in proof.iter().enumerate() {
        node = if (index >> level) & 1 == 0 {
            hash_node(&node, sibling)
        } else {
            hash_node(sibling, &node)
        };
    }
    node
}

/// The nodes on `leaf`'s path (`path[0] = leaf`) and the root above them.
fn compute_path(leaf: &Node, index: u32, proof: &[Node]) -> (Vec<Node>, Node) {
    let mut path = Vec::with_capacity(proof.len());
    let mut node = *leaf;
    for (level, sibling) in proof.iter().enumerate() {
        path.push(node);
        node = if (index >> level) & 1 == 0 {
            hash_node(&node, sibling)
        } else {
            hash_node(sibling, &node)
        };
    }
    (path, node)
}

/// Pushes a changelog entry, updates the canopy and the header's changelog
/// counters (the caller writes the header).
fn write_change(
    data: &mut [u8],
    h: &mut TreeHeader,
    g: &Geometry,
    index: u32,
    new_root: &Node,
    path: &[Node],
) {
    let slot = (h.active_index as usize + 1) % g.buffer;
    let off = g.entry_offset(slot);
    write_node(data, off, new_root);
    for (level, node) in path.iter().enumerate() {
        write_node(data, off + NODE_SIZE * (1 + level), node);
    }
    let idx_off = off + NODE_SIZE * (g.depth + 1);
    data[idx_off..idx_off + 4].copy_from_slice(&index.to_le_bytes());
    data[idx_off + 4..idx_off + 8].fill(0);
    for (level, node) in path.iter().enumerate().skip(g.min_proof_len()) {
        let pos = u64::from(index) >> level;
        write_node(data, g.canopy_node_offset(level, pos), node);
    }
    h.active_index = slot as u32;
    h.buffer_size = h.buffer_size.saturating_add(1).min(g.buffer as u32);
}
