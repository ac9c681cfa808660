//! The tree against a plain in-memory model (a `Vec` of leaves, every root
//! recomputed from scratch), with seeded random operations.

use super::hash::NODE_PREFIX;
use super::*;

/// xorshift64*: deterministic, seeded, good enough to pick operations.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }

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

/// The model: appended leaves; everything else empty.
#[derive(Clone)]
struct Model {
    depth: usize,
    leaves: Vec<Node>,
}

/// Empty subtree roots computed by hashing, independently of the table.
fn model_empty(level: usize) -> Node {
    static EMPTY: std::sync::OnceLock<Vec<Node>> = std::sync::OnceLock::new();
    EMPTY.get_or_init(|| {
        let mut n = [0u8; 32];
        let mut all = vec![n];
        for _ in 0..MAX_DEPTH {
            n = hash_node(&n, &n);
            all.push(n);
        }
        all
    })[level]
}

impl Model {
    fn new(depth: u32) -> Self {
        Model {
            depth: depth as usize,
            leaves: Vec::new(),
        }
    }

    fn capacity(&self) -> usize {
        1 << self.depth
    }

    /// Every level bottom-up; a level holds the nodes covering appended
    /// leaves, anything to their right is an empty subtree.
    fn levels(&self) -> Vec<Vec<Node>> {
        let mut levels = vec![self.leaves.clone()];
        for level in 0..self.depth {
            let below = &levels[level];
            let mut up = Vec::new();
            for pair in below.chunks(2) {
                let right = if pair.len() == 2 {
                    pair[1]
                } else {
                    model_empty(level)
                };
                up.push(hash_node(&pair[0], &right));
            }
            levels.push(up);
        }
        levels
    }

    fn node(levels: &[Vec<Node>], level: usize, pos: usize) -> Node {
        levels[level]
            .get(pos)
            .copied()
            .unwrap_or_else(|| model_empty(level))
    }

    fn root(&self) -> Node {
        Model::node(&self.levels(), self.depth, 0)
    }

    fn leaf(&self, index: usize) -> Node {
        self.leaves.get(index).copied().unwrap_or(EMPTY_LEAF)
    }

    fn proof(&self, index: usize) -> Vec<Node> {
        let levels = self.levels();
        (0..self.depth)
            .map(|level| Model::node(&levels, level, (index >> level) ^ 1))
            .collect()
    }
}

fn new_tree(depth: u32, buffer: u32, canopy: u32) -> Vec<u8> {
    let mut data = vec![0u8; space(depth, buffer, canopy).unwrap()];
    initialize(&mut data, depth, buffer, canopy).unwrap();
    data
}

/// Runs a write that must be refused with `expected` and checks that not a
/// byte changed.
fn refused<T: core::fmt::Debug>(
    data: &mut [u8],
    expected: TreeError,
    op: impl FnOnce(&mut [u8]) -> Result<T, TreeError>,
) {
    let before = data.to_vec();
    let got = op(data);
    assert_eq!(got.unwrap_err(), expected);
    assert!(
        data == before.as_slice(),
        "refused {expected:?} changed bytes"
    );
}

/// The tree's root, counters, canopy and rightmost proof against the model.
fn check(data: &[u8], model: &Model, writes: u64) {
    let (h, g) = load(data).unwrap();
    let levels = model.levels();
    assert_eq!(root(data).unwrap(), Model::node(&levels, model.depth, 0));
    assert_eq!(h.rightmost_index, model.leaves.len() as u64);
    assert_eq!(h.sequence_number, writes);
    assert_eq!(
        h.buffer_size as u64,
        (writes + 1).min(g.buffer as u64),
        "buffer size"
    );
    for level in g.min_proof_len()..g.depth {
        for pos in 0..(1usize << (g.depth - level)) {
            assert_eq!(
                read_node(data, g.canopy_node_offset(level, pos as u64)),
                Model::node(&levels, level, pos),
                "canopy level {level} pos {pos}"
            );
        }
    }
    if model.leaves.len() < model.capacity() {
        let next = model.leaves.len();
        for level in 0..g.depth {
            assert_eq!(
                read_node(data, g.rightmost_offset() + NODE_SIZE * level),
                Model::node(&levels, level, (next >> level) ^ 1),
                "rightmost proof level {level}"
            );
        }
    }
}

fn truncate(rng: &mut Rng, proof: &[Node], depth: u32, canopy: u32) -> Vec<Node> {
    let min = (depth - canopy) as usize;
    let len = min + rng.below(u64::from(canopy) + 1) as usize;
    proof[..len].to_vec()
}

#[test]
fn empty_subtree_table_matches_hashv() {
    for level in 0..=MAX_DEPTH as usize {
        assert_eq!(empty_node(level), model_empty(level), "level {level}");
    }
    let left = [7u8; 32];
    let right = [9u8; 32];
    let mut pre = vec![NODE_PREFIX];
    pre.extend_from_slice(&left);
    pre.extend_from_slice(&right);
    assert_eq!(
        hash_node(&left, &right),
        solana_sha256_hasher::hash(&pre).to_bytes()
    );
    assert_ne!(hash_node(&left, &right), hash_node(&right, &left));
}

#[test]
fn space_follows_layout_and_limits() {
    // header 32 + 8 entries of 32*4+8 + rightmost 3*32 + canopy 2 nodes.
    assert_eq!(space(3, 8, 1), Ok(32 + 8 * 136 + 96 + 64));
    assert_eq!(space(3, 8, 0), Ok(32 + 8 * 136 + 96));
    assert_eq!(space(2, 8, 0), Err(TreeError::InvalidDepth));
    assert_eq!(space(31, 8, 0), Err(TreeError::InvalidDepth));
    assert!(space(30, 2048, 10).is_ok());
    assert_eq!(space(14, 7, 0), Err(TreeError::InvalidBufferSize));
    assert_eq!(space(14, 2049, 0), Err(TreeError::InvalidBufferSize));
    assert_eq!(space(14, 64, 14), Err(TreeError::InvalidCanopy));
    assert!(space(14, 64, 13).is_ok());
    assert!(space(20, 64, 17).is_ok());
    assert_eq!(space(20, 64, 18), Err(TreeError::InvalidSize));
}

#[test]
fn initialize_writes_the_empty_tree_once() {
    let depth = 5;
    let mut data = vec![0u8; space(depth, 8, 2).unwrap()];
    refused(&mut data[1..], TreeError::InvalidSize, |d| {
        initialize(d, depth, 8, 2)
    });
    refused(&mut data, TreeError::InvalidCanopy, |d| {
        initialize(d, depth, 8, 5)
    });
    refused(&mut data, TreeError::InvalidHeader, |d| root(d));
    initialize(&mut data, depth, 8, 2).unwrap();
    assert_eq!(root(&data).unwrap(), empty_node(depth as usize));
    assert_eq!(root(&data).unwrap(), Model::new(depth).root());
    refused(&mut data, TreeError::AlreadyInitialized, |d| {
        initialize(d, depth, 8, 2)
    });
    check(&data, &Model::new(depth), 0);
    // An empty leaf is provable anywhere in the empty tree.
    let proof = Model::new(depth).proof(17);
    verify(&data, &EMPTY_LEAF, 17, &proof).unwrap();
    // But nothing can be replaced before it is appended.
    let r = root(&data).unwrap();
    refused(&mut data, TreeError::LeafIndexOutOfBounds, |d| {
        replace(d, &r, &EMPTY_LEAF, &[1; 32], 0, &proof)
    });
}

#[test]
fn corrupted_header_is_refused() {
    let mut data = new_tree(4, 8, 1);
    data[0] = 2;
    refused(&mut data, TreeError::InvalidHeader, |d| append(d, &[1; 32]));
    data[0] = TREE_VERSION;
    data[16] = 8; // active index == buffer
    refused(&mut data, TreeError::InvalidHeader, |d| append(d, &[1; 32]));
    data[16] = 0;
    data[20] = 0; // buffer size 0
    refused(&mut data, TreeError::InvalidHeader, |d| root(d));
    data[20] = 1;
    data[24] = 17; // more leaves than capacity
    refused(&mut data, TreeError::InvalidHeader, |d| root(d));
    data[24] = 0;
    data[8..16].copy_from_slice(&u64::MAX.to_le_bytes());
    refused(&mut data, TreeError::SequenceOverflow, |d| {
        append(d, &[1; 32])
    });
    data[8..16].fill(0);
    let mut longer = data.clone();
    longer.push(0);
    refused(&mut longer, TreeError::InvalidSize, |d| root(d));
    append(&mut data, &[1; 32]).unwrap();
}

#[test]
fn full_tree_refuses_append_and_still_replaces() {
    let (depth, buffer, canopy) = (3, 8, 1);
    let mut data = new_tree(depth, buffer, canopy);
    let mut model = Model::new(depth);
    let mut rng = Rng::new(3);
    for i in 0..8u32 {
        let leaf = rng.leaf();
        assert_eq!(append(&mut data, &leaf).unwrap(), i);
        model.leaves.push(leaf);
        check(&data, &model, u64::from(i) + 1);
    }
    refused(&mut data, TreeError::TreeFull, |d| append(d, &[5; 32]));
    let r = root(&data).unwrap();
    let new = rng.leaf();
    replace(&mut data, &r, &model.leaf(7), &new, 7, &model.proof(7)[..2]).unwrap();
    model.leaves[7] = new;
    check(&data, &model, 9);
    refused(&mut data, TreeError::LeafIndexOutOfBounds, |d| {
        replace(d, &r, &new, &new, 8, &model.proof(0))
    });
}

#[test]
fn canopy_truncated_proofs() {
    let (depth, buffer, canopy) = (8, 8, 4);
    let mut data = new_tree(depth, buffer, canopy);
    let mut model = Model::new(depth);
    let mut rng = Rng::new(8);
    for _ in 0..100 {
        let leaf = rng.leaf();
        append(&mut data, &leaf).unwrap();
        model.leaves.push(leaf);
    }
    let mut writes = 100;
    for len in 4..=8usize {
        let index = rng.below(100) as usize;
        let proof = model.proof(index);
        verify(&data, &model.leaf(index), index as u32, &proof[..len]).unwrap();
        let r = root(&data).unwrap();
        let new = rng.leaf();
        replace(
            &mut data,
            &r,
            &model.leaf(index),
            &new,
            index as u32,
            &proof[..len],
        )
        .unwrap();
        model.leaves[index] = new;
        writes += 1;
        check(&data, &model, writes);
    }
    let r = root(&data).unwrap();
    let proof = model.proof(5);
    for bad_len in [0usize, 3, 9] {
        let mut long = proof.clone();
        long.push([0; 32]);
        let p: Vec<Node> = if bad_len == 9 {
            long
        } else {
            proof[..bad_len].to_vec()
        };
        refused(&mut data, TreeError::ProofLengthInvalid, |d| {
            replace(d, &r, &model.leaf(5), &[1; 32], 5, &p)
        });
        assert_eq!(
            verify(&data, &model.leaf(5), 5, &p),
            Err(TreeError::ProofLengthInvalid)
        );
    }
    // A forged node inside the canopy part cannot be smuggled in: sending
    // the full proof with a wrong top node fails.
    let mut forged = proof.clone();
    forged[7][0] ^= 1;
    refused(&mut data, TreeError::ProofInvalid, |d| {
        replace(d, &r, &model.leaf(5), &[1; 32], 5, &forged)
    });
}

#[test]
fn stale_proof_within_buffer_lands_beyond_it_is_refused() {
    let (depth, buffer, canopy) = (6, 8, 2);
    let mut data = new_tree(depth, buffer, canopy);
    let mut model = Model::new(depth);
    let mut rng = Rng::new(42);
    for _ in 0..40 {
        let leaf = rng.leaf();
        append(&mut data, &leaf).unwrap();
        model.leaves.push(leaf);
    }
    let mut writes = 40;
    // A proof for leaf 3 against the current root, then 7 writes elsewhere:
    // the root is the 8th newest, the oldest the buffer keeps.
    let old_root = root(&data).unwrap();
    let old_proof = model.proof(3);
    let old_leaf = model.leaf(3);
    for i in 0..7 {
        let index = 10 + i * 3;
        let r = root(&data).unwrap();
        let new = rng.leaf();
        replace(
            &mut data,
            &r,
            &model.leaf(index),
            &new,
            index as u32,
            &model.proof(index),
        )
        .unwrap();
        model.leaves[index] = new;
        writes += 1;
    }
    let snapshot = data.clone();
    let new = rng.leaf();
    replace(&mut data, &old_root, &old_leaf, &new, 3, &old_proof[..4]).unwrap();
    model.leaves[3] = new;
    writes += 1;
    check(&data, &model, writes);
    // The same proof one write later: the root left the buffer.
    let mut data = snapshot;
    model.leaves[3] = old_leaf;
    let leaf = rng.leaf();
    append(&mut data, &leaf).unwrap();
    refused(&mut data, TreeError::StaleProofNotInChangelog, |d| {
        replace(d, &old_root, &old_leaf, &[1; 32], 3, &old_proof)
    });
    assert_eq!(
        verify_at(&data, &old_root, &old_leaf, 3, &old_proof),
        Err(TreeError::StaleProofNotInChangelog)
    );
    // A root that was never this tree's.
    let r = [0xab; 32];
    refused(&mut data, TreeError::StaleProofNotInChangelog, |d| {
        replace(d, &r, &old_leaf, &[1; 32], 3, &old_proof)
    });
}

#[test]
fn leaf_changed_since_the_proof_is_refused() {
    let (depth, buffer, canopy) = (5, 8, 0);
    let mut data = new_tree(depth, buffer, canopy);
    let mut model = Model::new(depth);
    for i in 0..6u8 {
        let leaf = [i + 1; 32];
        append(&mut data, &leaf).unwrap();
        model.leaves.push(leaf);
    }
    let r0 = root(&data).unwrap();
    let p0 = model.proof(2);
    replace(&mut data, &r0, &[3; 32], &[30; 32], 2, &p0).unwrap();
    // A second writer with the same view: its old leaf is gone.
    refused(&mut data, TreeError::LeafModifiedSinceProof, |d| {
        replace(d, &r0, &[3; 32], &[31; 32], 2, &p0)
    });
    // A proof of the then-empty slot 6, which has been appended since.
    let p6 = model.proof(6);
    append(&mut data, &[7; 32]).unwrap();
    assert_eq!(
        verify_at(&data, &r0, &EMPTY_LEAF, 6, &p6),
        Err(TreeError::LeafModifiedSinceProof)
    );
    refused(&mut data, TreeError::EmptyLeafNotAllowed, |d| {
        replace(d, &r0, &EMPTY_LEAF, &[8; 32], 6, &p6)
    });
    // A stale proof of leaf 3 built against r0 with a leaf that was never
    // there: the replay cannot make it match the current root.
    refused(&mut data, TreeError::ProofInvalid, |d| {
        replace(d, &r0, &[9; 32], &[31; 32], 3, &model.proof(3))
    });
    // Claiming the new value against the old root does not help either.
    refused(&mut data, TreeError::LeafModifiedSinceProof, |d| {
        replace(d, &r0, &[30; 32], &[31; 32], 2, &p0)
    });
}

#[test]
fn empty_leaf_is_never_appended_nor_revived() {
    let (depth, buffer, canopy) = (4, 8, 1);
    let mut data = new_tree(depth, buffer, canopy);
    let mut model = Model::new(depth);
    refused(&mut data, TreeError::EmptyLeafNotAllowed, |d| {
        append(d, &EMPTY_LEAF)
    });
    for i in 0..5u8 {
        append(&mut data, &[i + 1; 32]).unwrap();
        model.leaves.push([i + 1; 32]);
    }
    // Erase leaf 1.
    let r = root(&data).unwrap();
    replace(
        &mut data,
        &r,
        &[2; 32],
        &EMPTY_LEAF,
        1,
        &model.proof(1)[..3],
    )
    .unwrap();
    model.leaves[1] = EMPTY_LEAF;
    check(&data, &model, 6);
    verify(&data, &EMPTY_LEAF, 1, &model.proof(1)).unwrap();
    assert_eq!(
        verify(&data, &[2; 32], 1, &model.proof(1)),
        Err(TreeError::ProofInvalid)
    );
    // The erased slot cannot be written again, with a fresh proof or not.
    let r = root(&data).unwrap();
    refused(&mut data, TreeError::EmptyLeafNotAllowed, |d| {
        replace(d, &r, &EMPTY_LEAF, &[2; 32], 1, &model.proof(1))
    });
    // Nor can the erased leaf's old value be used any more.
    refused(&mut data, TreeError::ProofInvalid, |d| {
        replace(d, &r, &[2; 32], &[7; 32], 1, &model.proof(1))
    });
}

/// 32 writers build their transaction against the same root; all land in
/// one slot, in any order, when the buffer holds at least 32 roots.
#[test]
fn thirty_two_concurrent_writes_against_one_root() {
    let (depth, canopy) = (10, 5);
    let mut rng = Rng::new(32);
    let mut base = Model::new(depth);
    for _ in 0..100 {
        base.leaves.push(rng.leaf());
    }
    let fill = |buffer: u32| {
        let mut data = new_tree(depth, buffer, canopy);
        for leaf in &base.leaves {
            append(&mut data, leaf).unwrap();
        }
        data
    };
    // 24 replaces of distinct leaves and 8 appends, interleaved, every proof
    // taken from the starting tree and cut to the canopy.
    let mut indices: Vec<u32> = (0..100).collect();
    for i in (1..indices.len()).rev() {
        indices.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let start_root = base.root();
    let ops: Vec<(Option<u32>, Node, Vec<Node>)> = (0..32)
        .map(|k| {
            let new = rng.leaf();
            if k % 4 == 3 {
                (None, new, Vec::new())
            } else {
                let index = indices[k];
                let proof = base.proof(index as usize)[..5].to_vec();
                (Some(index), new, proof)
            }
        })
        .collect();

    let mut data = fill(32);
    assert_eq!(root(&data).unwrap(), start_root);
    let mut model = base.clone();
    for (k, (index, new, proof)) in ops.iter().enumerate() {
        match index {
            Some(i) => {
                verify_at(&data, &start_root, &base.leaf(*i as usize), *i, proof).unwrap();
                replace(
                    &mut data,
                    &start_root,
                    &base.leaf(*i as usize),
                    new,
                    *i,
                    proof,
                )
                .unwrap_or_else(|e| panic!("write {k} at {i}: {e:?}"));
                model.leaves[*i as usize] = *new;
            }
            None => {
                append(&mut data, new).unwrap();
                model.leaves.push(*new);
            }
        }
        check(&data, &model, 100 + k as u64 + 1);
    }

    // With a buffer of 16 the 17th write's root has left the changelog.
    let mut data = fill(16);
    let mut model = base.clone();
    for (k, (index, new, proof)) in ops.iter().enumerate() {
        let Some(i) = index else {
            append(&mut data, new).unwrap();
            model.leaves.push(*new);
            continue;
        };
        let old = base.leaf(*i as usize);
        if k < 16 {
            replace(&mut data, &start_root, &old, new, *i, proof).unwrap();
            model.leaves[*i as usize] = *new;
        } else {
            refused(&mut data, TreeError::StaleProofNotInChangelog, |d| {
                replace(d, &start_root, &old, new, *i, proof)
            });
        }
        assert_eq!(root(&data).unwrap(), model.root());
    }
}

/// Random appends, fresh and stale replaces, forged proofs, wrong leaves and
/// bad indices on several geometries, every step checked against the model.
#[test]
fn random_operations_match_model() {
    let geometries: [(u32, u32, u32); 6] = [
        (3, 8, 0),
        (3, 8, 2),
        (5, 8, 3),
        (6, 16, 0),
        (7, 8, 4),
        (8, 16, 6),
    ];
    for (g_i, &(depth, buffer, canopy)) in geometries.iter().enumerate() {
        for seed in 1..=4u64 {
            run_random(seed * 1000 + g_i as u64, depth, buffer, canopy, 400);
        }
    }
}

/// The same on deep trees (never full): indices with high bits, the canopy
/// far from the leaves, the maximum depth.
#[test]
fn random_operations_match_model_deep() {
    run_random(77, 20, 8, 10, 150);
    run_random(78, 30, 8, 3, 150);
}

fn run_random(seed: u64, depth: u32, buffer: u32, canopy: u32, steps: usize) {
    let mut rng = Rng::new(seed);
    let mut data = new_tree(depth, buffer, canopy);
    let mut model = Model::new(depth);
    // history[t] = (root, leaves) after t writes; written[t] = index of write t+1.
    let mut history: Vec<(Node, Vec<Node>)> = vec![(model.root(), Vec::new())];
    let mut written: Vec<u32> = Vec::new();
    let mut writes: u64 = 0;
    let capacity = model.capacity();
    let mut counts = [0usize; 10];
    for step in 0..steps {
        let ctx = format!("seed {seed} depth {depth} buffer {buffer} canopy {canopy} step {step}");
        let len = model.leaves.len();
        // Appends are likelier while the tree is small.
        let op = if len == 0 { 0 } else { rng.below(10) };
        counts[op as usize] += 1;
        let current = root(&data).unwrap();
        match op {
            0 | 1 => {
                let leaf = rng.leaf();
                if len == capacity {
                    refused(&mut data, TreeError::TreeFull, |d| append(d, &leaf));
                } else {
                    assert_eq!(append(&mut data, &leaf).unwrap(), len as u32, "{ctx}");
                    model.leaves.push(leaf);
                    written.push(len as u32);
                    writes += 1;
                }
            }
            2 | 3 => {
                let index = rng.below(len as u64) as usize;
                let proof = truncate(&mut rng, &model.proof(index), depth, canopy);
                verify(&data, &model.leaf(index), index as u32, &proof).unwrap();
                let new = rng.leaf();
                replace(
                    &mut data,
                    &current,
                    &model.leaf(index),
                    &new,
                    index as u32,
                    &proof,
                )
                .unwrap_or_else(|e| panic!("{ctx}: fresh replace {e:?}"));
                model.leaves[index] = new;
                written.push(index as u32);
                writes += 1;
            }
            4 | 5 => {
                // A proof built `age` writes ago, possibly beyond the buffer.
                let max_age = (buffer as usize + 3).min(writes as usize);
                let age = rng.below(max_age as u64 + 1) as usize;
                let t = writes as usize - age;
                let (old_root, old_leaves) = &history[t];
                let then = Model {
                    depth: depth as usize,
                    leaves: old_leaves.clone(),
                };
                let index = rng.below(len as u64) as usize;
                let proof = truncate(&mut rng, &then.proof(index), depth, canopy);
                let old_leaf = then.leaf(index);
                let new = rng.leaf();
                let verified = if age >= buffer as usize {
                    Err(TreeError::StaleProofNotInChangelog)
                } else if written[t..].contains(&(index as u32)) {
                    Err(TreeError::LeafModifiedSinceProof)
                } else {
                    Ok(())
                };
                assert_eq!(
                    verify_at(&data, old_root, &old_leaf, index as u32, &proof),
                    verified,
                    "{ctx}: verify_at age {age}"
                );
                // Not yet appended at the proof's root: an empty old leaf.
                let expected = if old_leaf == EMPTY_LEAF {
                    Err(TreeError::EmptyLeafNotAllowed)
                } else {
                    verified
                };
                match expected {
                    Ok(()) => {
                        replace(&mut data, old_root, &old_leaf, &new, index as u32, &proof)
                            .unwrap_or_else(|e| panic!("{ctx}: stale replace age {age}: {e:?}"));
                        model.leaves[index] = new;
                        written.push(index as u32);
                        writes += 1;
                    }
                    Err(e) => refused(&mut data, e, |d| {
                        replace(d, old_root, &old_leaf, &new, index as u32, &proof)
                    }),
                }
            }
            6 => {
                // A forged proof: one node flipped.
                let index = rng.below(len as u64) as usize;
                let mut proof = truncate(&mut rng, &model.proof(index), depth, canopy);
                let at = rng.below(proof.len() as u64) as usize;
                proof[at][rng.below(32) as usize] ^= 1 << rng.below(8);
                let leaf = model.leaf(index);
                assert_eq!(
                    verify(&data, &leaf, index as u32, &proof),
                    Err(TreeError::ProofInvalid),
                    "{ctx}"
                );
                refused(&mut data, TreeError::ProofInvalid, |d| {
                    replace(d, &current, &leaf, &[1; 32], index as u32, &proof)
                });
            }
            7 => {
                // The right proof with a wrong leaf, or the right leaf at
                // another index.
                let index = rng.below(len as u64) as usize;
                let proof = model.proof(index);
                let wrong = rng.leaf();
                assert_eq!(
                    verify(&data, &wrong, index as u32, &proof),
                    Err(TreeError::ProofInvalid)
                );
                refused(&mut data, TreeError::ProofInvalid, |d| {
                    replace(d, &current, &wrong, &[1; 32], index as u32, &proof)
                });
                let other = (index + 1 + rng.below(len as u64) as usize) % capacity;
                if other != index && model.leaf(other) != model.leaf(index) {
                    let leaf = model.leaf(index);
                    assert_eq!(
                        verify(&data, &leaf, other as u32, &proof),
                        Err(TreeError::ProofInvalid)
                    );
                    if other < len {
                        refused(&mut data, TreeError::ProofInvalid, |d| {
                            replace(d, &current, &leaf, &[1; 32], other as u32, &proof)
                        });
                    }
                }
            }
            8 => {
                // Out-of-range indices: not yet appended, beyond capacity.
                let proof = model.proof(0);
                let beyond = len + rng.below((capacity - len) as u64 + 3) as usize;
                refused(&mut data, TreeError::LeafIndexOutOfBounds, |d| {
                    replace(d, &current, &EMPTY_LEAF, &[1; 32], beyond as u32, &proof)
                });
                let huge = capacity as u32 + rng.below(1000) as u32;
                assert_eq!(
                    verify(&data, &EMPTY_LEAF, huge, &proof),
                    Err(TreeError::LeafIndexOutOfBounds)
                );
                refused(&mut data, TreeError::LeafIndexOutOfBounds, |d| {
                    replace(d, &current, &EMPTY_LEAF, &[1; 32], u32::MAX, &proof)
                });
            }
            _ => {
                // Proof of the wrong length.
                let index = rng.below(len as u64) as usize;
                let mut proof = model.proof(index);
                if canopy < depth - 1 && rng.below(2) == 0 {
                    proof.truncate((depth - canopy - 1) as usize);
                } else {
                    proof.push(rng.leaf());
                }
                let leaf = model.leaf(index);
                refused(&mut data, TreeError::ProofLengthInvalid, |d| {
                    replace(d, &current, &leaf, &[1; 32], index as u32, &proof)
                });
            }
        }
        if history.len() as u64 <= writes {
            history.push((model.root(), model.leaves.clone()));
        }
        check(&data, &model, writes);
    }
    assert!(
        counts.iter().all(|&c| c > 0),
        "every operation ran: {counts:?}"
    );
}

#[test]
fn rent_figures_for_depth_14_20_24() {
    let expected = [
        (14u32, 97_184usize, 677_291_520u64),
        (20, 109_664, 764_152_320),
        (24, 117_984, 822_059_520),
    ];
    for (depth, want_space, want_rent) in expected {
        let s = space(depth, 64, 10).unwrap();
        let rent = (s as u64 + 128) * 6960;
        let leaves = 1u64 << depth;
        println!(
            "depth {depth} buffer 64 canopy 10: space {s} bytes, rent {rent} lamports, \
             {} lamports per leaf at capacity ({leaves} leaves), proof {} bytes",
            rent.div_ceil(leaves),
            32 * (depth - 10)
        );
        assert_eq!((s, rent), (want_space, want_rent), "depth {depth}");
    }
}

/// Review (issue 16): an inner node is never accepted as a leaf, whatever
/// index and proof length it is offered with (the leaf is always hashed
/// through all `depth` levels, the canopy filling what the caller left out);
/// a full proof whose canopy-level sibling disagrees with the canopy, or a
/// proof longer than the depth, is refused, and a refused replace changes
/// no byte.
#[test]
fn an_inner_node_is_no_leaf_and_a_wrong_canopy_sibling_is_no_proof() {
    let (depth, buffer, canopy) = (4u32, 8u32, 2u32);
    let mut rng = Rng::new(0x16_1A);
    let mut data = new_tree(depth, buffer, canopy);
    let mut model = Model::new(depth);
    for _ in 0..6 {
        let leaf = rng.leaf();
        append(&mut data, &leaf).unwrap();
        model.leaves.push(leaf);
    }
    let root_now = root(&data).unwrap();
    let levels = model.levels();
    let min = (depth - canopy) as usize;
    for level in 1..depth as usize {
        for pos in 0..(1usize << (depth as usize - level)) {
            let inner = Model::node(&levels, level, pos);
            for index in 0..model.capacity() {
                let full = model.proof(index);
                for len in min..=depth as usize {
                    // The node's own siblings from its level up, or the
                    // siblings of a leaf, cut to every accepted length.
                    let own: Vec<Node> = full[level.min(full.len())..].to_vec();
                    for proof in [full[..len].to_vec(), own.clone()] {
                        let got = verify(&data, &inner, index as u32, &proof);
                        assert!(
                            matches!(
                                got,
                                Err(TreeError::ProofInvalid | TreeError::ProofLengthInvalid)
                            ),
                            "inner node (level {level}, pos {pos}) at {index}: {got:?}"
                        );
                    }
                }
            }
        }
    }
    // Leaf 1 with its full proof (canopy siblings sent too) verifies...
    let full = model.proof(1);
    verify(&data, &model.leaf(1), 1, &full).unwrap();
    verify_at(&data, &root_now, &model.leaf(1), 1, &full).unwrap();
    // ...but not with a canopy-level sibling changed, nor one node too many.
    for level in min..depth as usize {
        let mut wrong = full.clone();
        wrong[level][0] ^= 1;
        assert_eq!(
            verify(&data, &model.leaf(1), 1, &wrong),
            Err(TreeError::ProofInvalid)
        );
        let new = rng.leaf();
        refused(&mut data, TreeError::ProofInvalid, |d| {
            replace(d, &root_now, &model.leaf(1), &new, 1, &wrong)
        });
    }
    let mut long = full.clone();
    long.push([9; 32]);
    assert_eq!(
        verify(&data, &model.leaf(1), 1, &long),
        Err(TreeError::ProofLengthInvalid)
    );
    let new = rng.leaf();
    refused(&mut data, TreeError::ProofLengthInvalid, |d| {
        replace(d, &root_now, &model.leaf(1), &new, 1, &long)
    });
    check(&data, &model, 6);
}
