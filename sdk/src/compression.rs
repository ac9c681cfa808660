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
    crate::{
        backend::Backend,
        client::PanaceaClient,
        error::{Result, SdkError},
        events::{events_of, PanaceaEvent},
        offchain::to_hex,
    },
    anchor_lang::{prelude::Pubkey, AccountDeserialize, AnchorDeserialize, AnchorSerialize, Space},
    records::{
        compressed::{leaf_hash, LeafProof, PreviousLeaf},
        events::CompressedRecordWritten,
        state::{Record, RecordTree},
        tree::{empty_node, hash_node, Node, TreeHeader, EMPTY_LEAF},
    },
    serde::{Deserialize, Serialize},
    solana_instruction::Instruction,
    solana_signature::Signature,
    std::{
        collections::HashMap,
        fmt,
        path::{Path, PathBuf},
        sync::Mutex,
    },
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

/// The largest serialized transaction a cluster accepts (IPv6 MTU less
/// headers).
pub const PACKET_DATA_SIZE: usize = 1232;

/// Bytes of a signed legacy transaction of `ixs` paid by `payer`, with the
/// compute-unit limit instruction the client prepends when `priced`.
pub fn legacy_transaction_size(ixs: &[Instruction], payer: &Pubkey, priced: bool) -> usize {
    let all = with_budget(ixs, priced);
    let message = solana_message::Message::new(&all, Some(payer));
    let signatures = usize::from(message.header.num_required_signatures);
    short_vec_len(signatures) + 64 * signatures + message.serialize().len()
}

/// Bytes of a signed v0 transaction of `ixs` paid by `payer` whose account
/// keys are looked up in `tables` where they can be (signers and programs
/// invoked never are).
pub fn v0_transaction_size(
    ixs: &[Instruction],
    payer: &Pubkey,
    tables: &[solana_message::AddressLookupTableAccount],
    priced: bool,
) -> Result<usize> {
    let all = with_budget(ixs, priced);
    let message = solana_message::v0::Message::try_compile(payer, &all, tables, Default::default())
        .map_err(|e| SdkError::InvalidInput(format!("v0 message: {e}")))?;
    let signatures = usize::from(message.header.num_required_signatures);
    let bytes = solana_message::VersionedMessage::V0(message).serialize();
    Ok(short_vec_len(signatures) + 64 * signatures + bytes.len())
}

fn with_budget(ixs: &[Instruction], priced: bool) -> Vec<Instruction> {
    let mut all = Vec::with_capacity(ixs.len() + 1);
    if priced {
        all.push(
            solana_compute_budget_interface::ComputeBudgetInstruction::set_compute_unit_limit(
                200_000,
            ),
        );
    }
    all.extend_from_slice(ixs);
    all
}

/// Bytes of a compact-u16 length prefix.
fn short_vec_len(n: usize) -> usize {
    match n {
        0..=0x7f => 1,
        0x80..=0x3fff => 2,
        _ => 3,
    }
}

/// Whether `leaf` is the empty leaf (an erased or never-written slot).
pub fn is_empty_leaf(leaf: &Node) -> bool {
    *leaf == EMPTY_LEAF
}

/// A record tree's leaves as the SDK knows them: rebuilt from the tree's
/// `CompressedRecordWritten` events, applied in `sequence` order.
#[derive(Clone, Debug)]
pub struct TreeIndex {
    tree: Pubkey,
    max_buffer_size: u32,
    full: FullTree,
    /// The record at each appended index; `None` once erased.
    records: Vec<Option<Record>>,
    /// The tree's sequence number after the last event applied.
    sequence: u64,
    /// The newest transaction of the tree read so far (where a resume
    /// starts reading).
    last_signature: Option<Signature>,
}

impl TreeIndex {
    /// An empty index of the tree `tree` of these dimensions.
    pub fn new(
        tree: Pubkey,
        max_depth: u8,
        max_buffer_size: u32,
        canopy_depth: u8,
    ) -> Result<Self> {
        Ok(Self {
            tree,
            max_buffer_size,
            full: FullTree::new(u32::from(max_depth), u32::from(canopy_depth))?,
            records: Vec::new(),
            sequence: 0,
            last_signature: None,
        })
    }

    /// An empty index of the tree whose account is `account`.
    pub fn of(tree: Pubkey, account: &RecordTree) -> Result<Self> {
        Self::new(
            tree,
            account.max_depth,
            account.max_buffer_size,
            account.canopy_depth,
        )
    }

    pub fn tree(&self) -> Pubkey {
        self.tree
    }

    pub fn root(&self) -> Node {
        self.full.root()
    }

    pub fn sequence(&self) -> u64 {
        self.sequence
    }

    pub fn last_signature(&self) -> Option<Signature> {
        self.last_signature
    }

    /// Leaves appended so far.
    pub fn len(&self) -> u64 {
        self.full.len()
    }

    pub fn is_empty(&self) -> bool {
        self.full.is_empty()
    }

    pub fn max_depth(&self) -> u32 {
        self.full.depth()
    }

    pub fn canopy_depth(&self) -> u32 {
        self.full.canopy()
    }

    pub fn max_buffer_size(&self) -> u32 {
        self.max_buffer_size
    }

    /// The record at `index`: `None` when erased or never written.
    pub fn record(&self, index: u32) -> Option<&Record> {
        self.records.get(index as usize).and_then(Option::as_ref)
    }

    /// Every leaf written so far: index, address and record (`None` once
    /// erased).
    pub fn leaves(&self) -> impl Iterator<Item = (u32, Option<&Record>)> + '_ {
        self.records
            .iter()
            .enumerate()
            .map(|(i, r)| (i as u32, r.as_ref()))
    }

    /// Applies one event of this tree. An event at or below the index's
    /// sequence was applied already (`Ok(false)`); the next one must be
    /// exactly one above it, else the history read has a gap.
    pub fn apply(&mut self, event: &CompressedRecordWritten) -> Result<bool> {
        if event.tree != self.tree {
            return Err(SdkError::InvalidInput(format!(
                "an event of record tree {} given to the index of tree {}",
                event.tree, self.tree
            )));
        }
        if event.sequence <= self.sequence {
            return Ok(false);
        }
        if event.sequence != self.sequence + 1 {
            return Err(SdkError::InvalidInput(format!(
                "record tree {}: the history read jumps from sequence {} to {}: a write is missing (the node's transaction history may be pruned)",
                self.tree, self.sequence, event.sequence
            )));
        }
        let leaf = match &event.record {
            Some(record) => leaf_hash(&self.tree, event.index, record),
            None => EMPTY_LEAF,
        };
        if u64::from(event.index) == self.full.len() {
            if event.record.is_none() {
                return Err(SdkError::InvalidInput(format!(
                    "record tree {}: sequence {} appends an empty leaf at {}",
                    self.tree, event.sequence, event.index
                )));
            }
            self.full.append(leaf)?;
            self.records.push(event.record.clone());
        } else {
            self.full.replace(event.index, leaf)?;
            self.records[event.index as usize] = event.record.clone();
        }
        self.sequence = event.sequence;
        Ok(true)
    }

    /// The proof of the record at `index` against the index's root, trimmed
    /// by the canopy: what an instruction reading or changing it carries.
    pub fn proof(&self, index: u32) -> Result<LeafProof> {
        let record = self.record(index).ok_or_else(|| {
            SdkError::InvalidInput(if u64::from(index) < self.len() {
                format!("leaf {index} of record tree {} was erased", self.tree)
            } else {
                format!(
                    "record tree {} has {} leaves: there is no leaf {index}",
                    self.tree,
                    self.len()
                )
            })
        })?;
        Ok(LeafProof {
            tree: self.tree,
            index,
            record: record.clone(),
            root: self.root(),
            proof: self.full.proof(index),
        })
    }

    /// The version at `index` as a retraction of its amendment names it:
    /// its fields (`None` once erased) and the proof of its leaf.
    pub fn previous_leaf(&self, index: u32) -> PreviousLeaf {
        PreviousLeaf {
            index,
            record: self.record(index).cloned(),
            root: self.root(),
            proof: self.full.proof(index),
        }
    }

    /// The index as its JSON cache.
    pub fn to_cache(&self) -> TreeCache {
        TreeCache {
            format: TreeCache::FORMAT.to_string(),
            tree: self.tree.to_string(),
            max_depth: self.full.depth() as u8,
            max_buffer_size: self.max_buffer_size,
            canopy_depth: self.full.canopy() as u8,
            sequence: self.sequence,
            last_signature: self.last_signature.map(|s| s.to_string()),
            root: to_hex(&self.root()),
            leaves: self
                .records
                .iter()
                .enumerate()
                .map(|(i, record)| CachedLeaf {
                    leaf: to_hex(&self.full.leaf(i as u32)),
                    record: record.as_ref().map(|r| to_hex(&borsh(r))),
                })
                .collect(),
        }
    }

    /// Rebuilds the index from its cache, checking every leaf against its
    /// record and the root against the leaves.
    pub fn from_cache(cache: &TreeCache) -> Result<Self> {
        let corrupt = |what: String| {
            SdkError::InvalidInput(format!("record tree cache of {}: {what}", cache.tree))
        };
        if cache.format != TreeCache::FORMAT {
            return Err(corrupt(format!(
                "format {:?}, expected {:?}",
                cache.format,
                TreeCache::FORMAT
            )));
        }
        let tree: Pubkey = cache
            .tree
            .parse()
            .map_err(|_| corrupt("the tree is not an address".into()))?;
        let mut index = Self::new(
            tree,
            cache.max_depth,
            cache.max_buffer_size,
            cache.canopy_depth,
        )?;
        for (i, cached) in cache.leaves.iter().enumerate() {
            let i = u32::try_from(i).map_err(|_| corrupt("too many leaves".into()))?;
            let record = match &cached.record {
                None => None,
                Some(text) => {
                    let bytes = from_hex(text)
                        .ok_or_else(|| corrupt(format!("leaf {i}: record is not hex")))?;
                    Some(
                        Record::deserialize(&mut bytes.as_slice())
                            .map_err(|_| corrupt(format!("leaf {i}: not a record")))?,
                    )
                }
            };
            let leaf = record
                .as_ref()
                .map_or(EMPTY_LEAF, |r| leaf_hash(&tree, i, r));
            if to_hex(&leaf) != cached.leaf {
                return Err(corrupt(format!("leaf {i} does not hash its record")));
            }
            index.full.append(leaf)?;
            index.records.push(record);
        }
        if to_hex(&index.root()) != cache.root {
            return Err(corrupt("the root does not match the leaves".into()));
        }
        index.sequence = cache.sequence;
        index.last_signature = match &cache.last_signature {
            None => None,
            Some(text) => Some(
                text.parse()
                    .map_err(|_| corrupt("the last signature is not a signature".into()))?,
            ),
        };
        Ok(index)
    }

    /// Writes the cache to `path` (a temporary file, then renamed: a crash
    /// leaves the previous cache whole).
    pub fn save(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string(&self.to_cache())
            .map_err(|e| SdkError::InvalidInput(format!("record tree cache: {e}")))?;
        let temporary = path.with_extension("json.tmp");
        let io = |e: std::io::Error| {
            SdkError::InvalidInput(format!("cannot write {}: {e}", path.display()))
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        std::fs::write(&temporary, text).map_err(io)?;
        std::fs::rename(&temporary, path).map_err(io)
    }

    /// Reads the cache at `path`: `None` when there is none.
    pub fn load(path: &Path) -> Result<Option<Self>> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(SdkError::InvalidInput(format!(
                    "cannot read {}: {e}",
                    path.display()
                )))
            }
        };
        let cache: TreeCache = serde_json::from_str(&text).map_err(|e| {
            SdkError::InvalidInput(format!(
                "{} is not a record tree cache: {e}",
                path.display()
            ))
        })?;
        Self::from_cache(&cache).map(Some)
    }
}

/// The JSON cache of a [`TreeIndex`]: enough to resume reading the tree's
/// history where it stopped. Every leaf is kept with its record (Borsh,
/// hex), so a proof can carry the leaf's fields; loading checks each leaf
/// against its record and the root against the leaves.
///
/// ```json
/// { "format": "panacea/record-tree-index/v1", "tree": "<address>",
///   "max_depth": 20, "max_buffer_size": 64, "canopy_depth": 10,
///   "sequence": 3, "last_signature": "<base58>", "root": "<hex>",
///   "leaves": [ { "leaf": "<hex>", "record": "<hex of borsh(Record)>" },
///               { "leaf": "00…00", "record": null } ] }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreeCache {
    pub format: String,
    pub tree: String,
    pub max_depth: u8,
    pub max_buffer_size: u32,
    pub canopy_depth: u8,
    /// The tree's sequence number after the last event applied.
    pub sequence: u64,
    /// The newest transaction of the tree read (base58).
    pub last_signature: Option<String>,
    /// The root of `leaves` (hex).
    pub root: String,
    pub leaves: Vec<CachedLeaf>,
}

impl TreeCache {
    pub const FORMAT: &'static str = "panacea/record-tree-index/v1";
}

/// One leaf of a [`TreeCache`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CachedLeaf {
    /// The leaf (hex): the hash of the record, all zeroes once erased.
    pub leaf: String,
    /// Borsh of the record (hex); `null` once erased.
    pub record: Option<String>,
}

fn borsh(record: &Record) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(Record::INIT_SPACE);
    record
        .serialize(&mut bytes)
        .expect("serializing into a Vec cannot fail");
    bytes
}

fn from_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The tree part of a `RecordTree` account's data, as the program reads it.
pub fn tree_bytes(data: &[u8]) -> Option<&[u8]> {
    data.get(RecordTree::TREE_OFFSET..)
}

/// What a `RecordTree` account holds: its fields, the tree's header and
/// its current root.
#[derive(Clone, Debug)]
pub struct TreeAccount {
    pub address: Pubkey,
    pub account: RecordTree,
    pub header: TreeHeader,
    pub root: Node,
    /// Lamports held (its rent).
    pub lamports: u64,
    /// Bytes of the account.
    pub space: usize,
}

/// The record tree indexes a client keeps: in memory, and, given a
/// directory, as JSON caches (`<dir>/<tree>.json`) a later run resumes from.
///
/// It also remembers, per authority, the address lookup table the SDK keeps
/// for claims over compressed records (`<dir>/lookup-table-<authority>`).
#[derive(Debug, Default)]
pub struct TreeIndexes {
    dir: Option<PathBuf>,
    loaded: Mutex<HashMap<Pubkey, TreeIndex>>,
    lookup_tables: Mutex<HashMap<Pubkey, Pubkey>>,
}

impl TreeIndexes {
    pub fn new(dir: Option<PathBuf>) -> Self {
        Self {
            dir,
            ..Self::default()
        }
    }

    /// The lookup table kept for `authority`'s claims, when there is one.
    pub fn lookup_table(&self, authority: &Pubkey) -> Option<Pubkey> {
        if let Some(table) = self
            .lookup_tables
            .lock()
            .expect("lookup table lock")
            .get(authority)
        {
            return Some(*table);
        }
        let path = self.dir.as_ref()?.join(format!("lookup-table-{authority}"));
        std::fs::read_to_string(path).ok()?.trim().parse().ok()
    }

    /// Remembers `table` as `authority`'s claims lookup table.
    pub fn remember_lookup_table(&self, authority: Pubkey, table: Pubkey) -> Result<()> {
        self.lookup_tables
            .lock()
            .expect("lookup table lock")
            .insert(authority, table);
        if let Some(dir) = &self.dir {
            let path = dir.join(format!("lookup-table-{authority}"));
            std::fs::create_dir_all(dir)
                .and_then(|_| std::fs::write(&path, table.to_string()))
                .map_err(|e| {
                    SdkError::InvalidInput(format!("cannot write {}: {e}", path.display()))
                })?;
        }
        Ok(())
    }

    /// Where the cache of `tree` lives, when there is a directory.
    pub fn cache_path(&self, tree: &Pubkey) -> Option<PathBuf> {
        self.dir.as_ref().map(|d| d.join(format!("{tree}.json")))
    }

    fn take(&self, tree: &Pubkey) -> Option<TreeIndex> {
        self.loaded.lock().expect("tree index lock").remove(tree)
    }

    /// Drops what is held of `tree` (closed): in memory and its cache file.
    pub fn forget(&self, tree: &Pubkey) {
        self.take(tree);
        if let Some(path) = self.cache_path(tree) {
            let _ = std::fs::remove_file(path);
        }
    }

    fn put(&self, index: TreeIndex) {
        self.loaded
            .lock()
            .expect("tree index lock")
            .insert(index.tree, index);
    }
}

/// How many times an index behind the account reads the history again
/// (each after the client's poll interval) before it is declared apart:
/// 30 s at the default 500 ms. A test validator over JSON-RPC listed a
/// tree's newest write only some 5 to 15 s after it was confirmed.
const HISTORY_LAG_POLLS: usize = 60;

impl<B: Backend> PanaceaClient<B> {
    /// Reads a `RecordTree` account: its fields, header and root.
    pub async fn record_tree(&self, tree: &Pubkey) -> Result<TreeAccount> {
        let raw = self
            .backend()
            .get_account(tree)
            .await?
            .ok_or(SdkError::AccountNotFound {
                address: *tree,
                expected: "RecordTree",
            })?;
        let not_a_tree = || SdkError::Decode {
            address: *tree,
            expected: "RecordTree",
        };
        if raw.owner != records::ID {
            return Err(not_a_tree());
        }
        let account =
            RecordTree::try_deserialize(&mut raw.data.as_slice()).map_err(|_| not_a_tree())?;
        let bytes = tree_bytes(&raw.data).ok_or_else(not_a_tree)?;
        let header = records::tree::header(bytes).map_err(|_| not_a_tree())?;
        let root = records::tree::root(bytes).map_err(|_| not_a_tree())?;
        Ok(TreeAccount {
            address: *tree,
            account,
            header,
            root,
            lamports: raw.lamports,
            space: raw.data.len(),
        })
    }

    /// Reads the tree's history after the index's last transaction and
    /// applies its `CompressedRecordWritten` events in sequence order.
    /// Returns how many were applied.
    pub async fn sync_tree_index(&self, index: &mut TreeIndex) -> Result<usize> {
        let tree = index.tree;
        let signatures = self
            .backend()
            .signatures_for_address_until(&tree, index.last_signature.as_ref())
            .await?;
        let mut events = Vec::new();
        // Oldest first; the events are then put in sequence order.
        for signature in signatures.iter().rev() {
            let Some(tx) = self.backend().transaction(signature).await? else {
                continue;
            };
            if tx.error.is_some() {
                continue;
            }
            for event in events_of(&tx) {
                if let PanaceaEvent::CompressedRecordWritten(written) = event {
                    if written.tree == tree {
                        events.push(written);
                    }
                }
            }
        }
        events.sort_by_key(|e| e.sequence);
        let mut applied = 0;
        for event in &events {
            if index.apply(event)? {
                applied += 1;
            }
        }
        if let Some(newest) = signatures.first() {
            index.last_signature = Some(*newest);
        }
        Ok(applied)
    }

    /// The tree's index rebuilt from its whole history.
    pub async fn rebuild_tree_index(&self, tree: &Pubkey) -> Result<TreeIndex> {
        let account = self.record_tree(tree).await?;
        let mut index = TreeIndex::of(*tree, &account.account)?;
        self.sync_tree_index(&mut index).await?;
        Ok(index)
    }

    /// The index of `tree`, current with the account: the one this client
    /// holds (or its cache file, or a rebuild from the tree's history),
    /// brought up to date from the history and checked against the
    /// account's root. On a mismatch it is refreshed once (read on; rebuilt
    /// from the whole history when it was ahead of or diverged from the
    /// account); still apart, the error names the tree and both roots.
    pub async fn tree_index(&self, tree: &Pubkey) -> Result<TreeIndex> {
        let trees = self.tree_indexes();
        let cached = match trees.take(tree) {
            Some(index) => Some(index),
            // A cache that does not load (damaged, another format) is
            // rebuilt from the history: the history is the truth.
            None => match trees.cache_path(tree) {
                Some(path) => TreeIndex::load(&path).ok().flatten(),
                None => None,
            },
        };
        let mut index = match cached {
            Some(index) if index.tree == *tree => index,
            _ => self.rebuild_tree_index(tree).await?,
        };
        self.sync_tree_index(&mut index).await?;
        let mut account = self.record_tree(tree).await?;
        if index.root() != account.root {
            // Refresh: writes may have landed since the history was read
            // (a node indexes history a moment after the account changes:
            // read on while the history is behind, a few times); an index
            // ahead of the account, or at its sequence with another root,
            // is not the account's history: rebuild it.
            for _ in 0..HISTORY_LAG_POLLS {
                self.sync_tree_index(&mut index).await?;
                account = self.record_tree(tree).await?;
                if index.root() == account.root || index.sequence >= account.header.sequence_number
                {
                    break;
                }
                tokio::time::sleep(self.config().poll_interval).await;
            }
            if index.root() != account.root && index.sequence >= account.header.sequence_number {
                index = self.rebuild_tree_index(tree).await?;
                account = self.record_tree(tree).await?;
            }
            if index.root() != account.root {
                return Err(SdkError::TreeRootMismatch {
                    tree: *tree,
                    index_root: to_hex(&index.root()),
                    index_sequence: index.sequence,
                    account_root: to_hex(&account.root),
                    account_sequence: account.header.sequence_number,
                });
            }
        }
        if let Some(path) = trees.cache_path(tree) {
            index.save(&path)?;
        }
        trees.put(index.clone());
        Ok(index)
    }

    /// The proof of leaf `index` of `tree`, from an index checked against
    /// the account ([`tree_index`](Self::tree_index)).
    pub async fn leaf_proof(&self, tree: &Pubkey, index: u32) -> Result<LeafProof> {
        self.tree_index(tree).await?.proof(index)
    }
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

    fn record(n: u8) -> Record {
        Record {
            version: 1,
            bump: 0,
            kind: records::state::RecordKind::LabResult,
            status: records::state::RecordStatus::Active,
            record_version: 1,
            patient: Pubkey::new_from_array([n; 32]),
            issuer: Pubkey::new_from_array([2; 32]),
            original_issuer: Pubkey::new_from_array([2; 32]),
            record_id: [n; 16],
            commitment: [n; 32],
            content_commitment: [n; 32],
            serial: u64::from(n),
            supersedes: [0; 16],
            superseded_by: 0,
            origin: u64::from(n),
            issued_at: 1,
        }
    }

    fn written(tree: Pubkey, index: u32, sequence: u64, n: Option<u8>) -> CompressedRecordWritten {
        CompressedRecordWritten {
            tree,
            index,
            sequence,
            address: compressed_address(&tree, index),
            record: n.map(record),
        }
    }

    /// Events applied in sequence order (a repeat is skipped, a gap is an
    /// error); the cache round-trips, and a cache whose leaf does not hash
    /// its record, or whose root is not its leaves', is refused.
    #[test]
    fn index_applies_events_in_sequence_and_its_cache_round_trips() {
        let tree = Pubkey::new_unique();
        let mut index = TreeIndex::new(tree, 5, 8, 2).unwrap();
        let mut data = account(5, 8, 2);
        assert!(index.apply(&written(tree, 0, 1, Some(1))).unwrap());
        assert!(index.apply(&written(tree, 1, 2, Some(2))).unwrap());
        assert!(
            !index.apply(&written(tree, 1, 2, Some(2))).unwrap(),
            "a repeat"
        );
        let gap = index.apply(&written(tree, 2, 4, Some(3))).unwrap_err();
        assert!(
            gap.to_string().contains("jumps from sequence 2 to 4"),
            "{gap}"
        );
        assert!(index
            .apply(&written(Pubkey::new_unique(), 2, 3, Some(3)))
            .is_err());
        // Erasure empties the leaf; the same on the account's bytes.
        let proof = index.proof(0).unwrap();
        assert!(index.apply(&written(tree, 0, 3, None)).unwrap());
        for n in [1u8, 2] {
            chain::append(&mut data, &leaf_hash(&tree, u32::from(n - 1), &record(n))).unwrap();
        }
        chain::replace(
            &mut data,
            &proof.root,
            &leaf_hash(&tree, 0, &record(1)),
            &EMPTY_LEAF,
            0,
            &proof.proof,
        )
        .unwrap();
        assert_eq!(index.root(), chain::root(&data).unwrap());
        assert!(index.record(0).is_none());
        assert!(index.proof(0).unwrap_err().to_string().contains("erased"));
        assert!(index
            .proof(7)
            .unwrap_err()
            .to_string()
            .contains("no leaf 7"));

        let cache = index.to_cache();
        let back = TreeIndex::from_cache(&cache).unwrap();
        assert_eq!(
            (back.root(), back.sequence(), back.len()),
            (index.root(), 3, 2)
        );
        assert_eq!(back.record(1), index.record(1));
        let mut forged = cache.clone();
        forged.leaves[1].record = forged.leaves[0]
            .record
            .clone()
            .or(Some(to_hex(&borsh(&record(9)))));
        assert!(TreeIndex::from_cache(&forged).is_err());
        let mut rerooted = cache;
        rerooted.root = to_hex(&[7; 32]);
        assert!(TreeIndex::from_cache(&rerooted).is_err());
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
