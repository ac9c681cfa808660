//! Where transactions go: a JSON-RPC endpoint or the programs running
//! in-process. The client is written once against [`Backend`].

#[cfg(feature = "in-process")]
pub mod in_process;
pub mod rpc;

use {
    crate::error::Result,
    anchor_lang::prelude::Pubkey,
    async_trait::async_trait,
    solana_account::Account,
    solana_hash::Hash,
    solana_signature::Signature,
    solana_transaction::{versioned::VersionedTransaction, Transaction},
    solana_transaction_error::TransactionError,
};

fn no_versioned() -> crate::error::SdkError {
    crate::error::SdkError::InvalidInput(
        "this backend sends legacy transactions only (no address lookup tables)".into(),
    )
}

/// A `getProgramAccounts` filter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Filter {
    DataSize(u64),
    Memcmp { offset: usize, bytes: Vec<u8> },
}

/// What a simulation reports.
#[derive(Clone, Debug)]
pub struct Simulation {
    pub error: Option<TransactionError>,
    pub units_consumed: u64,
    pub logs: Vec<String>,
}

/// A landed transaction, as much as event decoding and audit need.
#[derive(Clone, Debug)]
pub struct TransactionRecord {
    pub signature: Signature,
    pub slot: u64,
    pub block_time: Option<i64>,
    pub account_keys: Vec<Pubkey>,
    /// Inner instructions: (program id, data), in execution order.
    pub inner_instructions: Vec<(Pubkey, Vec<u8>)>,
    pub error: Option<TransactionError>,
}

/// The operations the client needs from a cluster.
#[async_trait]
pub trait Backend: Send + Sync {
    async fn get_account(&self, address: &Pubkey) -> Result<Option<Account>>;
    async fn get_multiple_accounts(&self, addresses: &[Pubkey]) -> Result<Vec<Option<Account>>>;
    async fn get_program_accounts(
        &self,
        program: &Pubkey,
        filters: &[Filter],
    ) -> Result<Vec<(Pubkey, Account)>>;
    /// The latest blockhash and the last block height at which it is valid.
    async fn latest_blockhash(&self) -> Result<(Hash, u64)>;
    async fn block_height(&self) -> Result<u64>;
    /// Whether a transaction over `blockhash` can still land; `None` when
    /// the backend cannot tell.
    async fn is_blockhash_valid(&self, _blockhash: &Hash) -> Result<Option<bool>> {
        Ok(None)
    }
    async fn simulate(&self, tx: &Transaction) -> Result<Simulation>;
    /// Submits without waiting; an already-processed transaction is not an error.
    async fn send(&self, tx: &Transaction) -> Result<Signature>;
    /// `None` while unknown; `Some(Ok)` or `Some(Err)` once processed.
    async fn signature_status(
        &self,
        signature: &Signature,
    ) -> Result<Option<Result<(), TransactionError>>>;
    async fn transaction(&self, signature: &Signature) -> Result<Option<TransactionRecord>>;
    /// Signatures of transactions that mention `address`, newest first.
    async fn signatures_for_address(&self, address: &Pubkey) -> Result<Vec<Signature>>;
    /// Signatures of transactions that mention `address` and landed after
    /// `until` (all of them when `None`), newest first: what an indexer
    /// resuming from `until` reads. The default filters
    /// [`signatures_for_address`](Self::signatures_for_address); a backend
    /// whose history is paged reads every page.
    async fn signatures_for_address_until(
        &self,
        address: &Pubkey,
        until: Option<&Signature>,
    ) -> Result<Vec<Signature>> {
        let mut all = self.signatures_for_address(address).await?;
        if let Some(until) = until {
            if let Some(at) = all.iter().position(|s| s == until) {
                all.truncate(at);
            }
        }
        Ok(all)
    }
    async fn minimum_balance_for_rent_exemption(&self, data_len: usize) -> Result<u64>;
    /// Simulates a versioned (v0) transaction.
    async fn simulate_versioned(&self, _tx: &VersionedTransaction) -> Result<Simulation> {
        Err(no_versioned())
    }
    /// Submits a versioned (v0) transaction without waiting.
    async fn send_versioned(&self, _tx: &VersionedTransaction) -> Result<Signature> {
        Err(no_versioned())
    }
    /// The cluster's current slot.
    async fn slot(&self) -> Result<u64> {
        Err(no_versioned())
    }
    /// A slot an address lookup table created now may name (one the
    /// SlotHashes sysvar holds).
    async fn recent_slot(&self) -> Result<u64> {
        Err(no_versioned())
    }
    /// Returns once the cluster is past `slot` (addresses added to a lookup
    /// table in `slot` are usable from the next one).
    async fn wait_past_slot(&self, _slot: u64) -> Result<()> {
        Err(no_versioned())
    }
    /// Cluster time, seconds since the Unix epoch.
    async fn unix_timestamp(&self) -> Result<i64>;
}
