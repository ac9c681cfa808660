//! # Compressed records
//!
//! A compressed record is a [`Record`] value stored as a leaf of a
//! [`RecordTree`] instead of an account of its own. Its fields are those of
//! the account record, with `version = ACCOUNT_VERSION`, `bump = 0` and
//! `record_id` = the first 16 bytes of its address
//! ([`pda::compressed_record`]`(tree, index)`, never an account): grants,
//! access requests, claims and events name it by that address. The leaf is
//! [`leaf_hash`] of the record; the full record travels in the
//! `CompressedRecordWritten` event of every write and, to an instruction
//! that reads or changes it, in a [`LeafProof`].
//!
//! Every reader goes through [`load_record`], which accepts either kind:
//! a `Record` account (no proof) or a `RecordTree` with a proof of the leaf.

use {
    crate::{
        errors::RecordsError,
        pda,
        state::{Record, RecordTree},
        tree::{self, Node, TreeError, EMPTY_LEAF},
    },
    anchor_lang::{prelude::*, Discriminator},
    solana_sha256_hasher::hashv,
};

/// Domain tag of a compressed record's leaf pre-image.
pub const LEAF_DOMAIN: &[u8] = b"panacea:compressed-record:v1";
/// Prefix byte of a leaf pre-image (inner nodes use `0x01`).
pub const LEAF_PREFIX: u8 = 0x00;

/// A compressed record and the proof of its leaf, passed in the arguments of
/// an instruction that reads or changes it (the tree account is passed in
/// the record's account slot).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq)]
pub struct LeafProof {
    /// Must be the tree account passed (else `LeafOfAnotherTree`).
    pub tree: Pubkey,
    pub index: u32,
    /// The leaf's fields.
    pub record: Record,
    /// The root the proof was built against: the current one or one still in
    /// the tree's changelog.
    pub root: [u8; 32],
    /// Siblings from the leaf up; the top `canopy_depth` may be left out.
    pub proof: Vec<[u8; 32]>,
}

/// The version a compressed amendment superseded, for its retraction: in the
/// same tree, at the index whose address starts with the amendment's
/// `supersedes`.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq)]
pub struct PreviousLeaf {
    pub index: u32,
    /// The superseded version's fields; `None` when its leaf was erased.
    pub record: Option<Record>,
    pub root: [u8; 32],
    pub proof: Vec<[u8; 32]>,
}

/// `SHA-256(0x00 ‖ "panacea:compressed-record:v1" ‖ tree ‖ index (u32 LE) ‖
/// borsh(record))`.
pub fn leaf_hash(tree: &Pubkey, index: u32, record: &Record) -> [u8; 32] {
    let mut bytes = [0u8; Record::INIT_SPACE];
    let mut writer: &mut [u8] = &mut bytes;
    // A Record always serializes to exactly INIT_SPACE bytes (no vectors).
    record
        .serialize(&mut writer)
        .expect("a Record fits its INIT_SPACE");
    hashv(&[
        &[LEAF_PREFIX],
        LEAF_DOMAIN,
        tree.as_ref(),
        &index.to_le_bytes(),
        &bytes,
    ])
    .to_bytes()
}

/// The leaf that holds `record`, or the empty leaf for `None` (erased).
pub fn leaf_of(tree: &Pubkey, index: u32, record: Option<&Record>) -> Node {
    record.map_or(EMPTY_LEAF, |r| leaf_hash(tree, index, r))
}

/// The `record_id` of the compressed record at `address`: its first 16 bytes.
pub fn record_id_of(address: &Pubkey) -> [u8; 16] {
    let mut id = [0u8; 16];
    id.copy_from_slice(&address.as_ref()[..16]);
    id
}

/// A record as a reader sees it, whichever kind.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadedRecord {
    /// The record account's address, or the compressed record's address.
    pub address: Pubkey,
    pub record: Record,
    /// `(tree, index)` of a compressed record.
    pub leaf: Option<(Pubkey, u32)>,
}

/// Why [`load_record`] refused; each program maps it to its own errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordLoadError {
    /// Neither a `Record` nor a `RecordTree` of this program.
    NotARecord,
    /// A `RecordTree` without a leaf proof.
    ProofMissing,
    /// A leaf proof with a `Record` account.
    ProofUnexpected,
    /// The proof names another tree than the account passed.
    LeafOfAnotherTree,
    /// The tree refused the proof.
    Tree(TreeError),
}

/// Loads the record at `info`: a `Record` account (owner `records`, its
/// discriminator; `leaf` must be `None`), or a `RecordTree` (`leaf` required,
/// proved against the tree's current root or one in its changelog). The
/// record's own consistency is checked too (its invariant, and for a leaf
/// its `record_id` and `bump`), though a leaf that passed the proof was
/// written by this program.
pub fn load_record(
    info: &AccountInfo,
    leaf: Option<&LeafProof>,
) -> core::result::Result<LoadedRecord, RecordLoadError> {
    if info.owner != &crate::ID {
        return Err(RecordLoadError::NotARecord);
    }
    let data = info
        .try_borrow_data()
        .map_err(|_| RecordLoadError::NotARecord)?;
    if data.starts_with(Record::DISCRIMINATOR) {
        if leaf.is_some() {
            return Err(RecordLoadError::ProofUnexpected);
        }
        let record =
            Record::try_deserialize(&mut &data[..]).map_err(|_| RecordLoadError::NotARecord)?;
        return Ok(LoadedRecord {
            address: *info.key,
            record,
            leaf: None,
        });
    }
    if !data.starts_with(RecordTree::DISCRIMINATOR) || data.len() < RecordTree::TREE_OFFSET {
        return Err(RecordLoadError::NotARecord);
    }
    let leaf = leaf.ok_or(RecordLoadError::ProofMissing)?;
    if leaf.tree != *info.key {
        return Err(RecordLoadError::LeafOfAnotherTree);
    }
    let address = pda::compressed_record(&leaf.tree, leaf.index).0;
    let record = &leaf.record;
    use crate::state::Invariant;
    if record.record_id != record_id_of(&address) || record.bump != 0 || !record.invariant() {
        // Never written by this program at this index.
        return Err(RecordLoadError::Tree(TreeError::ProofInvalid));
    }
    tree::verify_at(
        &data[RecordTree::TREE_OFFSET..],
        &leaf.root,
        &leaf_hash(&leaf.tree, leaf.index, record),
        leaf.index,
        &leaf.proof,
    )
    .map_err(RecordLoadError::Tree)?;
    Ok(LoadedRecord {
        address,
        record: record.clone(),
        leaf: Some((leaf.tree, leaf.index)),
    })
}

/// The `records` error for a tree's refusal.
pub fn tree_error(error: TreeError) -> RecordsError {
    match error {
        TreeError::InvalidDepth
        | TreeError::InvalidBufferSize
        | TreeError::InvalidCanopy
        | TreeError::InvalidSize
        | TreeError::AlreadyInitialized => RecordsError::InvalidTreeConfig,
        TreeError::InvalidHeader => RecordsError::NotARecordTree,
        TreeError::TreeFull => RecordsError::TreeFull,
        TreeError::LeafIndexOutOfBounds => RecordsError::LeafIndexOutOfBounds,
        TreeError::ProofLengthInvalid => RecordsError::ProofLengthInvalid,
        // An empty leaf is never a record: proving one is a forged proof.
        TreeError::ProofInvalid | TreeError::EmptyLeafNotAllowed => RecordsError::LeafProofInvalid,
        TreeError::StaleProofNotInChangelog => RecordsError::StaleProof,
        TreeError::LeafModifiedSinceProof => RecordsError::LeafModifiedSinceProof,
        TreeError::SequenceOverflow => RecordsError::Overflow,
    }
}

impl RecordLoadError {
    /// The `records` error for this refusal; `not_a_record` is what the
    /// calling instruction reports for an account that is no record at all.
    pub fn to_records_error(self, not_a_record: RecordsError) -> RecordsError {
        match self {
            RecordLoadError::NotARecord => not_a_record,
            RecordLoadError::ProofMissing => RecordsError::LeafProofMissing,
            RecordLoadError::ProofUnexpected => RecordsError::LeafProofUnexpected,
            RecordLoadError::LeafOfAnotherTree => RecordsError::LeafOfAnotherTree,
            RecordLoadError::Tree(e) => tree_error(e),
        }
    }
}

// ----- writing leaves (the program's own instructions) -----

/// A leaf written: what its `CompressedRecordWritten` event carries.
pub(crate) struct Written {
    pub index: u32,
    pub sequence: u64,
    pub address: Pubkey,
}

impl Written {
    pub fn event(
        &self,
        tree: Pubkey,
        record: Option<Record>,
    ) -> crate::events::CompressedRecordWritten {
        crate::events::CompressedRecordWritten {
            tree,
            index: self.index,
            sequence: self.sequence,
            address: self.address,
            record,
        }
    }
}

/// The index and address the next append to `tree` takes.
pub(crate) fn next_leaf(tree: &Account<RecordTree>) -> Result<(u32, Pubkey)> {
    require!(tree.records < tree.capacity(), RecordsError::TreeFull);
    let index = u32::try_from(tree.records).map_err(|_| error!(RecordsError::TreeFull))?;
    Ok((index, pda::compressed_record(&tree.key(), index).0))
}

/// Appends `record` (built for the index [`next_leaf`] gave) to `tree`.
pub(crate) fn append_record(tree: &mut Account<RecordTree>, record: &Record) -> Result<Written> {
    let (expected, address) = next_leaf(tree)?;
    let key = tree.key();
    let leaf = leaf_hash(&key, expected, record);
    let (index, sequence) = {
        let info = tree.to_account_info();
        let mut data = info.try_borrow_mut_data()?;
        let bytes = &mut data[RecordTree::TREE_OFFSET..];
        let index = tree::append(bytes, &leaf).map_err(tree_error)?;
        (
            index,
            tree::header(bytes).map_err(tree_error)?.sequence_number,
        )
    };
    require!(index == expected, RecordsError::InvariantViolated);
    tree.records = tree.records.checked_add(1).ok_or(RecordsError::Overflow)?;
    check_tree(tree)?;
    Ok(Written {
        index,
        sequence,
        address,
    })
}

/// Replaces the leaf holding `old` (proved by `proof`) with `new`, or with
/// the empty leaf when `new` is `None` (an erasure: `erased` counts it).
pub(crate) fn replace_record(
    tree: &mut Account<RecordTree>,
    proof: &LeafProof,
    new: Option<&Record>,
) -> Result<Written> {
    let key = tree.key();
    require_keys_eq!(proof.tree, key, RecordsError::LeafOfAnotherTree);
    let old = leaf_hash(&key, proof.index, &proof.record);
    let new_leaf = leaf_of(&key, proof.index, new);
    let sequence = {
        let info = tree.to_account_info();
        let mut data = info.try_borrow_mut_data()?;
        let bytes = &mut data[RecordTree::TREE_OFFSET..];
        tree::replace(
            bytes,
            &proof.root,
            &old,
            &new_leaf,
            proof.index,
            &proof.proof,
        )
        .map_err(tree_error)?;
        tree::header(bytes).map_err(tree_error)?.sequence_number
    };
    if new.is_none() {
        tree.erased = tree.erased.checked_add(1).ok_or(RecordsError::Overflow)?;
    }
    check_tree(tree)?;
    Ok(Written {
        index: proof.index,
        sequence,
        address: pda::compressed_record(&key, proof.index).0,
    })
}

/// The prefix's invariant, and its count of records matching the tree's.
pub(crate) fn check_tree(tree: &Account<RecordTree>) -> Result<()> {
    use crate::state::Invariant;
    tree.check_invariant()?;
    let info = tree.to_account_info();
    let data = info.try_borrow_data()?;
    let header = tree::header(&data[RecordTree::TREE_OFFSET..]).map_err(tree_error)?;
    require!(
        header.rightmost_index == tree.records,
        RecordsError::InvariantViolated
    );
    Ok(())
}

/// Checks a writer's leaf proof before the tree checks the proof itself:
/// it names `tree`, and its record has the fields only a leaf this program
/// wrote at that index can have. Returns the record's address.
pub(crate) fn check_leaf(tree: &Account<RecordTree>, proof: &LeafProof) -> Result<Pubkey> {
    use crate::state::Invariant;
    require_keys_eq!(proof.tree, tree.key(), RecordsError::LeafOfAnotherTree);
    let address = pda::compressed_record(&proof.tree, proof.index).0;
    let record = &proof.record;
    require!(
        record.record_id == record_id_of(&address) && record.bump == 0 && record.invariant(),
        RecordsError::LeafProofInvalid
    );
    Ok(address)
}

/// The address a grant or an access request over a record names: the
/// record account's (`target`), or the compressed record's when a leaf
/// proof is passed (then `target` is its tree). Used in their seeds.
pub fn target_address(target: &Pubkey, leaf: Option<&LeafProof>) -> Pubkey {
    leaf.map_or(*target, |leaf| {
        pda::compressed_record(&leaf.tree, leaf.index).0
    })
}

/// [`target_address`] as seed bytes (the form account constraints use).
pub fn target_seed(target: &Pubkey, leaf: Option<&LeafProof>) -> [u8; 32] {
    target_address(target, leaf).to_bytes()
}

/// Reads an `Option` that clients built before compressed records leave
/// out: the instruction data ending where it begins reads as `None`, so an
/// argument struct that gained a trailing `leaf` still takes their
/// instructions. Used as `#[borsh(deserialize_with = ...)]` on such fields.
pub fn trailing_option<R: std::io::Read, T: AnchorDeserialize>(
    reader: &mut R,
) -> std::io::Result<Option<T>> {
    let mut tag = [0u8; 1];
    if reader.read(&mut tag)? == 0 {
        return Ok(None);
    }
    match tag[0] {
        0 => Ok(None),
        1 => Ok(Some(T::deserialize_reader(reader)?)),
        _ => Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "invalid Option tag",
        )),
    }
}

/// Reads a `Vec` that clients built before compressed records leave out
/// (the data ending where it begins reads as empty); see [`trailing_option`].
pub fn trailing_vec<R: std::io::Read, T: AnchorDeserialize>(
    reader: &mut R,
) -> std::io::Result<Vec<T>> {
    let mut len = [0u8; 4];
    if reader.read(&mut len[..1])? == 0 {
        return Ok(Vec::new());
    }
    reader.read_exact(&mut len[1..])?;
    let len = u32::from_le_bytes(len) as usize;
    // Every element takes bytes of the instruction: no large reservation.
    let mut items = Vec::with_capacity(len.min(16));
    for _ in 0..len {
        items.push(T::deserialize_reader(reader)?);
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use {
        super::*,
        crate::state::{RecordKind, RecordStatus},
    };

    fn record(tree: &Pubkey, index: u32) -> Record {
        let address = pda::compressed_record(tree, index).0;
        Record {
            version: crate::constants::ACCOUNT_VERSION,
            bump: 0,
            kind: RecordKind::LabResult,
            status: RecordStatus::Active,
            record_version: 1,
            patient: Pubkey::new_unique(),
            issuer: Pubkey::new_unique(),
            original_issuer: Pubkey::new_unique(),
            record_id: record_id_of(&address),
            commitment: [1; 32],
            content_commitment: [2; 32],
            serial: 7,
            supersedes: [0; 16],
            superseded_by: 0,
            origin: 7,
            issued_at: 1,
        }
    }

    #[test]
    fn the_leaf_binds_tree_index_and_every_field() {
        let tree = Pubkey::new_unique();
        let r = record(&tree, 3);
        let leaf = leaf_hash(&tree, 3, &r);
        assert_ne!(leaf, EMPTY_LEAF);
        assert_eq!(leaf, leaf_hash(&tree, 3, &r.clone()), "deterministic");
        assert_ne!(leaf, leaf_hash(&Pubkey::new_unique(), 3, &r));
        assert_ne!(leaf, leaf_hash(&tree, 4, &r));
        let mut other = r.clone();
        other.status = RecordStatus::Superseded;
        assert_ne!(leaf, leaf_hash(&tree, 3, &other));
        let mut other = r.clone();
        other.commitment[31] ^= 1;
        assert_ne!(leaf, leaf_hash(&tree, 3, &other));
        // The pre-image is the domain-separated borsh of the Record.
        let mut bytes = vec![LEAF_PREFIX];
        bytes.extend_from_slice(LEAF_DOMAIN);
        bytes.extend_from_slice(tree.as_ref());
        bytes.extend_from_slice(&3u32.to_le_bytes());
        bytes.extend_from_slice(&anchor_lang::prelude::borsh::to_vec(&r).unwrap());
        assert_eq!(
            bytes.len(),
            1 + LEAF_DOMAIN.len() + 32 + 4 + Record::INIT_SPACE
        );
        assert_eq!(leaf, hashv(&[&bytes]).to_bytes());
        assert_eq!(leaf_of(&tree, 3, None), EMPTY_LEAF);
        assert_eq!(leaf_of(&tree, 3, Some(&r)), leaf);
    }

    #[test]
    fn a_grant_names_the_leaf_address_and_the_tree_offset_is_fixed() {
        let tree = Pubkey::new_unique();
        let leaf = LeafProof {
            tree,
            index: 5,
            record: record(&tree, 5),
            root: [0; 32],
            proof: vec![],
        };
        let address = pda::compressed_record(&tree, 5).0;
        assert_eq!(target_address(&tree, Some(&leaf)), address);
        assert_eq!(target_address(&tree, None), tree);
        assert_eq!(target_seed(&tree, Some(&leaf)), address.to_bytes());
        // Discriminator 8 + the prefix at its largest (issuer Some).
        assert_eq!(RecordTree::TREE_OFFSET, 8 + 128);
        assert_eq!(
            RecordTree::space(20, 64, 10).unwrap(),
            RecordTree::TREE_OFFSET + tree::space(20, 64, 10).unwrap()
        );
        assert!(RecordTree::space(20, 64, 20).is_err());
    }

    #[test]
    fn a_missing_trailing_field_reads_as_none_or_empty() {
        let none: Option<u64> = trailing_option(&mut &[][..]).unwrap();
        assert_eq!(none, None);
        let none: Option<u64> = trailing_option(&mut &[0u8][..]).unwrap();
        assert_eq!(none, None);
        let some: Option<u64> = trailing_option(&mut &[1u8, 5, 0, 0, 0, 0, 0, 0, 0][..]).unwrap();
        assert_eq!(some, Some(5));
        assert!(trailing_option::<_, u64>(&mut &[2u8][..]).is_err());
        assert!(trailing_option::<_, u64>(&mut &[1u8, 5][..]).is_err());
        let empty: Vec<u16> = trailing_vec(&mut &[][..]).unwrap();
        assert!(empty.is_empty());
        let two: Vec<u16> = trailing_vec(&mut &[2u8, 0, 0, 0, 7, 0, 9, 0][..]).unwrap();
        assert_eq!(two, vec![7, 9]);
        assert!(trailing_vec::<_, u16>(&mut &[2u8, 0][..]).is_err());
        assert!(trailing_vec::<_, u16>(&mut &[200u8, 0, 0, 0, 7, 0][..]).is_err());
        // What a current client writes reads back the same.
        let leaf = LeafProof {
            tree: Pubkey::new_unique(),
            index: 1,
            record: record(&Pubkey::new_unique(), 1),
            root: [3; 32],
            proof: vec![[4; 32]],
        };
        let bytes = anchor_lang::prelude::borsh::to_vec(&Some(leaf.clone())).unwrap();
        let read: Option<LeafProof> = trailing_option(&mut &bytes[..]).unwrap();
        assert_eq!(read, Some(leaf.clone()));
        let bytes = anchor_lang::prelude::borsh::to_vec(&vec![leaf.clone()]).unwrap();
        let read: Vec<LeafProof> = trailing_vec(&mut &bytes[..]).unwrap();
        assert_eq!(read, vec![leaf]);
    }
}
