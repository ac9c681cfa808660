use {
    super::Invariant,
    crate::{constants::*, errors::RecordsError, tree},
    anchor_lang::prelude::*,
};

/// A concurrent Merkle tree of compressed records: this prefix, then in the
/// same account, from [`RecordTree::TREE_OFFSET`], the tree itself (see
/// [`crate::tree`] for its layout). A keypair account, not a PDA (a tree
/// above 10 KiB cannot be created by a program): the client creates it with
/// `system_program::create_account` (owner `records`, exactly
/// [`RecordTree::space`] bytes) in the same transaction as
/// `create_record_tree`. Anchor (de)serializes only this prefix; the tree
/// bytes are read and written in place.
#[account]
#[derive(InitSpace, Debug)]
pub struct RecordTree {
    pub version: u8,
    /// The creator: an issuing entity's authority, or the registry admin.
    /// It closes the tree.
    pub authority: Pubkey,
    /// `Some(entity authority)`: only that entity appends records;
    /// `None` (a shared tree created by the admin): any active issuer.
    pub issuer: Option<Pubkey>,
    /// The payer of the account's rent; it gets the rent back on close.
    pub rent_payer: Pubkey,
    pub max_depth: u8,
    pub max_buffer_size: u32,
    pub canopy_depth: u8,
    /// Leaves appended (the tree's rightmost index).
    pub records: u64,
    /// Leaves erased (replaced by the empty leaf); at most `records`.
    pub erased: u64,
    pub created_at: i64,
}

impl RecordTree {
    /// Where the tree bytes start: after the discriminator and this prefix
    /// at its largest (`issuer` = `Some`).
    pub const TREE_OFFSET: usize = 8 + Self::INIT_SPACE;

    /// The account's size for these parameters, or `InvalidTreeConfig`.
    pub fn space(max_depth: u8, max_buffer_size: u32, canopy_depth: u8) -> Result<usize> {
        tree::space(
            u32::from(max_depth),
            max_buffer_size,
            u32::from(canopy_depth),
        )
        .ok()
        .and_then(|space| Self::TREE_OFFSET.checked_add(space))
        .ok_or_else(|| error!(RecordsError::InvalidTreeConfig))
    }

    /// Leaves the tree holds at capacity.
    pub fn capacity(&self) -> u64 {
        1u64 << self.max_depth
    }

    /// Records the tree still holds (appended, not erased).
    pub fn live(&self) -> u64 {
        self.records.saturating_sub(self.erased)
    }
}

impl Invariant for RecordTree {
    fn violation() -> anchor_lang::error::Error {
        error!(RecordsError::InvariantViolated)
    }

    fn invariant(&self) -> bool {
        self.version == ACCOUNT_VERSION
            && (tree::MIN_DEPTH..=tree::MAX_DEPTH).contains(&u32::from(self.max_depth))
            && (tree::MIN_BUFFER_SIZE..=tree::MAX_BUFFER_SIZE).contains(&self.max_buffer_size)
            && self.canopy_depth < self.max_depth
            && self.records <= self.capacity()
            && self.erased <= self.records
    }
}
