//! Compressed records in the fixture: a plain in-memory copy of every record
//! tree the story created, rebuilt from the `CompressedRecordWritten` events
//! of the transactions [`World::send`] lands (so the events alone are shown
//! to be enough to rebuild a tree), proofs built from it, and the
//! instructions of compressed records.

use {
    crate::{TxResult, World},
    anchor_lang::prelude::Pubkey,
    panacea_runtime::litesvm::types::TransactionMetadata,
    panacea_sdk::records as rx,
    records::{
        compressed::{leaf_of, LeafProof},
        events::{CompressedRecordWritten, RecordTreeCreated},
        instructions::*,
        pda,
        state::*,
        tree::{empty_node, hash_node, Node},
    },
    solana_instruction::Instruction,
    solana_keypair::Keypair,
    solana_signer::Signer,
};

/// A record tree as plain vectors: every leaf and the record it holds.
#[derive(Clone, Debug)]
pub struct ModelTree {
    pub depth: usize,
    pub canopy: usize,
    pub buffer: u32,
    pub leaves: Vec<Node>,
    /// The record of each leaf (`None` once erased).
    pub records: Vec<Option<Record>>,
    /// Sequence number of the last write applied.
    pub sequence: u64,
}

impl ModelTree {
    pub fn new(depth: usize, buffer: u32, canopy: usize) -> Self {
        Self {
            depth,
            canopy,
            buffer,
            leaves: vec![],
            records: vec![],
            sequence: 0,
        }
    }

    /// Every level, bottom first, as far as leaves were written.
    fn levels(&self) -> Vec<Vec<Node>> {
        let mut levels = vec![self.leaves.clone()];
        for level in 0..self.depth {
            let below = &levels[level];
            let up: Vec<Node> = below
                .chunks(2)
                .map(|pair| {
                    let right = pair.get(1).copied().unwrap_or(empty_node(level));
                    hash_node(&pair[0], &right)
                })
                .collect();
            levels.push(up);
        }
        levels
    }

    pub fn root(&self) -> Node {
        self.levels()[self.depth]
            .first()
            .copied()
            .unwrap_or(empty_node(self.depth))
    }

    /// The full proof of leaf `index` (`depth` siblings, bottom first).
    pub fn full_proof(&self, index: u32) -> Vec<Node> {
        let levels = self.levels();
        (0..self.depth)
            .map(|level| {
                let pos = ((index as usize) >> level) ^ 1;
                levels[level].get(pos).copied().unwrap_or(empty_node(level))
            })
            .collect()
    }

    /// The proof a client sends: without the top `canopy` siblings.
    pub fn proof(&self, index: u32) -> Vec<Node> {
        let mut proof = self.full_proof(index);
        proof.truncate(self.depth - self.canopy);
        proof
    }

    /// Applies one write as its event tells it.
    pub fn apply(&mut self, event: &CompressedRecordWritten) {
        let index = event.index as usize;
        let leaf = leaf_of(&event.tree, event.index, event.record.as_ref());
        if index == self.leaves.len() {
            self.leaves.push(leaf);
            self.records.push(event.record.clone());
        } else {
            self.leaves[index] = leaf;
            self.records[index] = event.record.clone();
        }
        assert_eq!(event.sequence, self.sequence + 1, "writes applied in order");
        self.sequence = event.sequence;
    }
}

/// The proof of the leaf at `index` of `model` against its current root.
pub fn leaf_proof(tree: &Pubkey, model: &ModelTree, index: u32) -> LeafProof {
    LeafProof {
        tree: *tree,
        index,
        record: model.records[index as usize]
            .clone()
            .expect("a leaf that holds a record"),
        root: model.root(),
        proof: model.proof(index),
    }
}

// ----- instructions -----

// The SDK's builders, so the stories send exactly what integrators send.
pub use rx::{
    approve_access_request, close_record_tree, erase_compressed_record, grant_access,
    issue_compressed_record, rekey_compressed_record, request_access, retract_compressed_record,
};

/// `create_account` of the tree (owner `records`, its exact size and rent)
/// and `create_record_tree`, to be sent in one transaction signed by the
/// payer, the authority and the tree keypair.
pub fn create_record_tree(
    payer: &Pubkey,
    authority: &Pubkey,
    tree: &Pubkey,
    lamports: u64,
    args: CreateRecordTreeArgs,
) -> [Instruction; 2] {
    let space = RecordTree::space(args.max_depth, args.max_buffer_size, args.canopy_depth)
        .expect("valid tree parameters");
    create_record_tree_sized(payer, authority, tree, lamports, space, args)
}

/// [`create_record_tree`] with an account of `space` bytes.
pub fn create_record_tree_sized(
    payer: &Pubkey,
    authority: &Pubkey,
    tree: &Pubkey,
    lamports: u64,
    space: usize,
    args: CreateRecordTreeArgs,
) -> [Instruction; 2] {
    let create = anchor_lang::solana_program::system_instruction::create_account(
        payer,
        tree,
        lamports,
        space as u64,
        &records::ID,
    );
    [create, rx::create_record_tree(payer, authority, tree, args)]
}

pub fn amend_compressed_record(
    issuer: &Pubkey,
    grant: Option<Pubkey>,
    args: AmendCompressedRecordArgs,
) -> Instruction {
    rx::amend_compressed_record(issuer, grant.as_ref(), args)
}

/// `log_access` over a record account (`leaf` None) or a compressed record
/// (`record` is then its tree).
pub fn log_access(
    grantee: &Pubkey,
    grant: &Pubkey,
    record: &Pubkey,
    leaf: Option<LeafProof>,
) -> Instruction {
    rx::log_access_with(grantee, grant, record, LogAccessArgs { leaf })
}

// ----- the world's trees -----

impl World {
    /// Applies the tree events of a landed transaction to the model trees.
    pub(crate) fn apply_tree_events(&mut self, meta: &TransactionMetadata) {
        for created in Self::events::<RecordTreeCreated>(meta) {
            self.trees.insert(
                created.tree,
                ModelTree::new(
                    usize::from(created.max_depth),
                    created.max_buffer_size,
                    usize::from(created.canopy_depth),
                ),
            );
        }
        for written in Self::events::<CompressedRecordWritten>(meta) {
            self.trees
                .get_mut(&written.tree)
                .expect("a tree the story created")
                .apply(&written);
        }
    }

    /// The model of `tree`.
    pub fn tree_model(&self, tree: &Pubkey) -> &ModelTree {
        self.trees.get(tree).expect("a tree the story created")
    }

    /// The proof of the record at `tree`'s leaf `index`, against the current root.
    pub fn leaf(&self, tree: &Pubkey, index: u32) -> LeafProof {
        leaf_proof(tree, self.tree_model(tree), index)
    }

    /// The record at `tree`'s leaf `index` (`None`: erased).
    pub fn compressed(&self, tree: &Pubkey, index: u32) -> Option<Record> {
        self.tree_model(tree).records[index as usize].clone()
    }

    /// The tree's current root as the account holds it.
    pub fn tree_root(&self, tree: &Pubkey) -> Node {
        let account = self.raw(tree).expect("tree account");
        records::tree::root(&account.data[RecordTree::TREE_OFFSET..]).expect("tree root")
    }

    /// The `RecordTree` prefix.
    pub fn record_tree(&self, tree: &Pubkey) -> RecordTree {
        self.account::<RecordTree>(tree)
    }

    /// Sends the two instructions creating a tree of `authority`; returns
    /// the tree's address and the outcome.
    pub fn try_create_tree(
        &mut self,
        authority: &Keypair,
        args: CreateRecordTreeArgs,
    ) -> (Pubkey, TxResult) {
        let tree = Keypair::new();
        let space = RecordTree::space(args.max_depth, args.max_buffer_size, args.canopy_depth)
            .expect("valid tree parameters");
        let lamports = self.svm.minimum_balance_for_rent_exemption(space);
        let ixs = create_record_tree(
            &self.payer.pubkey(),
            &authority.pubkey(),
            &tree.pubkey(),
            lamports,
            args,
        );
        let result = self.send(&ixs, &[authority, &tree]);
        (tree.pubkey(), result)
    }

    /// `authority`'s own tree (shared: the admin's), depth `depth`, buffer
    /// 64 and canopy `canopy`.
    pub fn create_tree(
        &mut self,
        authority: &Keypair,
        depth: u8,
        canopy: u8,
        shared: bool,
    ) -> Pubkey {
        let (tree, result) = self.try_create_tree(
            authority,
            CreateRecordTreeArgs {
                max_depth: depth,
                max_buffer_size: 64,
                canopy_depth: canopy,
                shared,
            },
        );
        result.expect("create record tree");
        tree
    }

    pub fn compressed_args(kind: RecordKind) -> IssueCompressedRecordArgs {
        IssueCompressedRecordArgs {
            commitment: [0xC0; 32],
            content_commitment: [0xCC; 32],
            kind,
        }
    }

    /// The instruction issuing a compressed record, the care link ensured first.
    pub fn issue_compressed_ix(
        &mut self,
        issuer: &Keypair,
        patient: &Pubkey,
        tree: &Pubkey,
        args: IssueCompressedRecordArgs,
    ) -> Instruction {
        self.ensure_care_link(&issuer.pubkey(), patient);
        issue_compressed_record(&issuer.pubkey(), patient, tree, args)
    }

    /// `issuer` issues a compressed record of `kind` to `patient` in `tree`;
    /// returns its leaf index and address.
    pub fn issue_compressed(
        &mut self,
        issuer: &Keypair,
        patient: &Pubkey,
        tree: &Pubkey,
        kind: RecordKind,
    ) -> (u32, Pubkey) {
        let ix = self.issue_compressed_ix(issuer, patient, tree, Self::compressed_args(kind));
        let index = self.tree_model(tree).leaves.len() as u32;
        self.send(&[ix], &[issuer])
            .expect("issue compressed record");
        (index, pda::compressed_record(tree, index).0)
    }
}
