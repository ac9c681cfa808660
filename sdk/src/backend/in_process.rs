//! The in-process backend: the Panacea programs running natively in
//! LiteSVM, inside this process. Nothing to install or start; used by tests
//! and the demo.

use {
    super::{Backend, Filter, Simulation, TransactionRecord},
    crate::error::{Result, SdkError},
    anchor_lang::prelude::Pubkey,
    async_trait::async_trait,
    panacea_runtime::litesvm::LiteSVM,
    solana_account::Account,
    solana_hash::Hash,
    solana_signature::Signature,
    solana_transaction::{versioned::VersionedTransaction, Transaction},
    solana_transaction_error::TransactionError,
    std::{
        collections::HashMap,
        sync::{Mutex, MutexGuard},
    },
};

/// How long a blockhash stays valid, in blocks, as on a real cluster.
const BLOCKHASH_VALIDITY: u64 = 150;

#[derive(Default)]
struct Ledger {
    records: HashMap<Signature, TransactionRecord>,
    /// Signatures mentioning each address, oldest first.
    by_address: HashMap<Pubkey, Vec<Signature>>,
    slot: u64,
}

/// A LiteSVM with the Panacea programs, behind the [`Backend`] trait.
pub struct InProcessBackend {
    svm: Mutex<LiteSVM>,
    ledger: Mutex<Ledger>,
}

impl InProcessBackend {
    /// Wraps a runtime that already has the programs (see
    /// [`panacea_runtime::svm`]).
    pub fn new(svm: LiteSVM) -> Self {
        Self {
            svm: Mutex::new(svm),
            ledger: Mutex::new(Ledger::default()),
        }
    }

    /// Direct access to the runtime (funding keys, moving the clock).
    pub fn svm(&self) -> MutexGuard<'_, LiteSVM> {
        self.svm.lock().expect("runtime lock")
    }

    /// Moves cluster time forward.
    pub fn advance_clock(&self, seconds: i64) {
        panacea_runtime::advance_clock(&mut self.svm(), seconds);
    }

    /// Every account key of a versioned transaction: its static keys, then
    /// the writable and the read-only addresses its lookup tables hold.
    fn account_keys(&self, tx: &VersionedTransaction) -> Vec<Pubkey> {
        use solana_address_lookup_table_interface::state::AddressLookupTable;
        let mut keys = tx.message.static_account_keys().to_vec();
        let Some(lookups) = tx.message.address_table_lookups() else {
            return keys;
        };
        let svm = self.svm();
        let tables: Vec<Vec<Pubkey>> = lookups
            .iter()
            .map(|lookup| {
                svm.get_account(&lookup.account_key)
                    .and_then(|account| {
                        AddressLookupTable::deserialize(&account.data)
                            .ok()
                            .map(|table| table.addresses.to_vec())
                    })
                    .unwrap_or_default()
            })
            .collect();
        for writable in [true, false] {
            for (lookup, table) in lookups.iter().zip(&tables) {
                let indexes = if writable {
                    &lookup.writable_indexes
                } else {
                    &lookup.readonly_indexes
                };
                keys.extend(
                    indexes
                        .iter()
                        .map(|i| table.get(usize::from(*i)).copied().unwrap_or_default()),
                );
            }
        }
        keys
    }

    fn record(
        &self,
        account_keys: Vec<Pubkey>,
        meta: &panacea_runtime::litesvm::types::TransactionMetadata,
        error: Option<TransactionError>,
    ) {
        let inner_instructions = meta
            .inner_instructions
            .iter()
            .flatten()
            .map(|inner| {
                let program = account_keys
                    .get(inner.instruction.program_id_index as usize)
                    .copied()
                    .unwrap_or_default();
                (program, inner.instruction.data.clone())
            })
            .collect();
        let block_time = Some(panacea_runtime::unix_timestamp(&self.svm()));
        let mut ledger = self.ledger.lock().expect("ledger lock");
        ledger.slot += 1;
        let slot = ledger.slot;
        for key in &account_keys {
            ledger
                .by_address
                .entry(*key)
                .or_default()
                .push(meta.signature);
        }
        ledger.records.insert(
            meta.signature,
            TransactionRecord {
                signature: meta.signature,
                slot,
                block_time,
                account_keys,
                inner_instructions,
                error,
            },
        );
    }
}

#[async_trait]
impl Backend for InProcessBackend {
    async fn get_account(&self, address: &Pubkey) -> Result<Option<Account>> {
        Ok(self.svm().get_account(address).filter(|a| a.lamports > 0))
    }

    async fn get_multiple_accounts(&self, addresses: &[Pubkey]) -> Result<Vec<Option<Account>>> {
        let svm = self.svm();
        Ok(addresses
            .iter()
            .map(|a| svm.get_account(a).filter(|a| a.lamports > 0))
            .collect())
    }

    async fn get_program_accounts(
        &self,
        program: &Pubkey,
        filters: &[Filter],
    ) -> Result<Vec<(Pubkey, Account)>> {
        let svm = self.svm();
        Ok(svm
            .get_program_accounts(program)
            .into_iter()
            .filter(|(_, account)| {
                account.lamports > 0
                    && filters.iter().all(|f| match f {
                        Filter::DataSize(n) => account.data.len() as u64 == *n,
                        Filter::Memcmp { offset, bytes } => account
                            .data
                            .get(*offset..offset + bytes.len())
                            .is_some_and(|d| d == bytes.as_slice()),
                    })
            })
            .collect())
    }

    async fn latest_blockhash(&self) -> Result<(Hash, u64)> {
        let slot = self.ledger.lock().expect("ledger lock").slot;
        Ok((self.svm().latest_blockhash(), slot + BLOCKHASH_VALIDITY))
    }

    async fn block_height(&self) -> Result<u64> {
        Ok(self.ledger.lock().expect("ledger lock").slot)
    }

    async fn simulate(&self, tx: &Transaction) -> Result<Simulation> {
        let svm = self.svm();
        Ok(match svm.simulate_transaction(tx.clone()) {
            Ok(info) => Simulation {
                error: None,
                units_consumed: info.meta.compute_units_consumed,
                logs: info.meta.logs,
            },
            Err(failed) => Simulation {
                error: Some(failed.err),
                units_consumed: failed.meta.compute_units_consumed,
                logs: failed.meta.logs,
            },
        })
    }

    async fn send(&self, tx: &Transaction) -> Result<Signature> {
        self.send_versioned(&VersionedTransaction::from(tx.clone()))
            .await
    }

    async fn simulate_versioned(&self, tx: &VersionedTransaction) -> Result<Simulation> {
        let svm = self.svm();
        Ok(match svm.simulate_transaction(tx.clone()) {
            Ok(info) => Simulation {
                error: None,
                units_consumed: info.meta.compute_units_consumed,
                logs: info.meta.logs,
            },
            Err(failed) => Simulation {
                error: Some(failed.err),
                units_consumed: failed.meta.compute_units_consumed,
                logs: failed.meta.logs,
            },
        })
    }

    async fn slot(&self) -> Result<u64> {
        Ok(self.svm().get_sysvar::<anchor_lang::prelude::Clock>().slot)
    }

    async fn recent_slot(&self) -> Result<u64> {
        // The newest entry of the SlotHashes sysvar: a length (u64), then
        // (slot, hash) pairs, newest first.
        let id = anchor_lang::pubkey!("SysvarS1otHashes111111111111111111111111111");
        let account = self
            .svm()
            .get_account(&id)
            .ok_or(SdkError::AccountNotFound {
                address: id,
                expected: "SlotHashes sysvar",
            })?;
        account
            .data
            .get(8..16)
            .and_then(|b| <[u8; 8]>::try_from(b).ok())
            .map(u64::from_le_bytes)
            .ok_or(SdkError::Decode {
                address: id,
                expected: "SlotHashes sysvar",
            })
    }

    async fn wait_past_slot(&self, slot: u64) -> Result<()> {
        let mut svm = self.svm();
        if svm.get_sysvar::<anchor_lang::prelude::Clock>().slot <= slot {
            svm.warp_to_slot(slot + 1);
        }
        Ok(())
    }

    async fn send_versioned(&self, tx: &VersionedTransaction) -> Result<Signature> {
        let signature = tx.signatures[0];
        if self
            .ledger
            .lock()
            .expect("ledger lock")
            .records
            .contains_key(&signature)
        {
            return Ok(signature);
        }
        let keys = self.account_keys(tx);
        let result = self.svm().send_transaction(tx.clone());
        match result {
            Ok(meta) => self.record(keys, &meta, None),
            Err(failed) => match failed.err {
                // Fee-less rejections never land: nothing to record.
                TransactionError::AlreadyProcessed => return Ok(signature),
                TransactionError::BlockhashNotFound
                | TransactionError::SignatureFailure
                | TransactionError::AccountNotFound
                | TransactionError::InsufficientFundsForFee => {
                    return Err(SdkError::Transaction {
                        error: failed.err,
                        landed: false,
                    })
                }
                error => self.record(keys, &failed.meta, Some(error)),
            },
        }
        Ok(signature)
    }

    async fn signature_status(
        &self,
        signature: &Signature,
    ) -> Result<Option<Result<(), TransactionError>>> {
        Ok(self
            .ledger
            .lock()
            .expect("ledger lock")
            .records
            .get(signature)
            .map(|r| match &r.error {
                None => Ok(()),
                Some(e) => Err(e.clone()),
            }))
    }

    async fn transaction(&self, signature: &Signature) -> Result<Option<TransactionRecord>> {
        Ok(self
            .ledger
            .lock()
            .expect("ledger lock")
            .records
            .get(signature)
            .cloned())
    }

    async fn signatures_for_address(&self, address: &Pubkey) -> Result<Vec<Signature>> {
        let ledger = self.ledger.lock().expect("ledger lock");
        Ok(ledger
            .by_address
            .get(address)
            .map(|s| s.iter().rev().copied().collect())
            .unwrap_or_default())
    }

    async fn minimum_balance_for_rent_exemption(&self, data_len: usize) -> Result<u64> {
        Ok(self.svm().minimum_balance_for_rent_exemption(data_len))
    }

    async fn unix_timestamp(&self) -> Result<i64> {
        Ok(panacea_runtime::unix_timestamp(&self.svm()))
    }
}
