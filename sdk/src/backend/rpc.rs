//! The JSON-RPC backend: any Solana cluster, a test validator, a localnet.

use {
    super::{Backend, Filter, Simulation, TransactionRecord},
    crate::error::{Result, SdkError},
    anchor_lang::prelude::Pubkey,
    async_trait::async_trait,
    solana_account::Account,
    solana_commitment_config::CommitmentConfig,
    solana_hash::Hash,
    solana_rpc_client::{nonblocking::rpc_client::RpcClient, rpc_client::SerializableTransaction},
    solana_rpc_client_api::{
        client_error::ErrorKind,
        config::{
            RpcAccountInfoConfig, RpcProgramAccountsConfig, RpcSendTransactionConfig,
            RpcSimulateTransactionConfig, RpcTransactionConfig,
        },
        filter::{Memcmp, RpcFilterType},
        request::RpcError,
    },
    solana_signature::Signature,
    solana_transaction::{versioned::VersionedTransaction, Transaction},
    solana_transaction_error::TransactionError,
    solana_transaction_status_client_types::{
        option_serializer::OptionSerializer, UiInstruction, UiTransactionEncoding,
    },
};

/// Talks to a cluster over JSON-RPC.
pub struct RpcBackend {
    client: RpcClient,
    commitment: CommitmentConfig,
}

impl RpcBackend {
    pub fn new(url: impl Into<String>, commitment: CommitmentConfig) -> Self {
        Self {
            client: RpcClient::new_with_commitment(url.into(), commitment),
            commitment,
        }
    }

    pub fn client(&self) -> &RpcClient {
        &self.client
    }

    /// Simulates a legacy or v0 transaction (signatures not verified, the
    /// blockhash replaced).
    async fn simulate_any(&self, tx: &impl SerializableTransaction) -> Result<Simulation> {
        let config = RpcSimulateTransactionConfig {
            sig_verify: false,
            replace_recent_blockhash: true,
            commitment: Some(self.commitment),
            ..RpcSimulateTransactionConfig::default()
        };
        let result = self
            .client
            .simulate_transaction_with_config(tx, config)
            .await
            .map_err(rpc)?
            .value;
        Ok(Simulation {
            error: result.err.map(Into::into),
            units_consumed: result.units_consumed.unwrap_or_default(),
            logs: result.logs.unwrap_or_default(),
        })
    }

    /// Sends a legacy or v0 transaction whose first signature is `signature`.
    async fn send_any(
        &self,
        tx: &impl SerializableTransaction,
        signature: Signature,
    ) -> Result<Signature> {
        let config = RpcSendTransactionConfig {
            // Simulation already ran; preflight would only repeat it.
            skip_preflight: true,
            ..RpcSendTransactionConfig::default()
        };
        match self.client.send_transaction_with_config(tx, config).await {
            Ok(signature) => Ok(signature),
            Err(error) => {
                // The same signed transaction sent again: not a failure.
                if let ErrorKind::RpcError(RpcError::RpcResponseError { message, .. }) =
                    error.kind()
                {
                    if message.contains("AlreadyProcessed")
                        || message.contains("already been processed")
                    {
                        return Ok(signature);
                    }
                }
                if let Some(TransactionError::AlreadyProcessed) = error.get_transaction_error() {
                    return Ok(signature);
                }
                Err(rpc(error))
            }
        }
    }

    /// Waits until every slot confirmed now is finalized. A node indexes
    /// transaction history (what the audit trail reads) as slots are
    /// rooted, so read the trail of what was just done after this.
    pub async fn wait_for_finalization(&self, timeout: std::time::Duration) -> Result<()> {
        let slot = |commitment| async move {
            self.client
                .get_slot_with_commitment(commitment)
                .await
                .map_err(rpc)
        };
        let target = slot(CommitmentConfig::confirmed()).await?;
        let give_up = tokio::time::Instant::now() + timeout;
        while slot(CommitmentConfig::finalized()).await? < target {
            if tokio::time::Instant::now() > give_up {
                return Err(SdkError::Rpc(format!(
                    "slot {target} was not finalized within {} s",
                    timeout.as_secs()
                )));
            }
            tokio::time::sleep(std::time::Duration::from_millis(400)).await;
        }
        Ok(())
    }
}

fn rpc(error: impl std::fmt::Display) -> SdkError {
    SdkError::Rpc(error.to_string())
}

#[async_trait]
impl Backend for RpcBackend {
    async fn get_account(&self, address: &Pubkey) -> Result<Option<Account>> {
        Ok(self
            .client
            .get_account_with_commitment(address, self.commitment)
            .await
            .map_err(rpc)?
            .value)
    }

    async fn get_multiple_accounts(&self, addresses: &[Pubkey]) -> Result<Vec<Option<Account>>> {
        let mut accounts = Vec::with_capacity(addresses.len());
        // The RPC method takes at most 100 keys.
        for chunk in addresses.chunks(100) {
            accounts.extend(
                self.client
                    .get_multiple_accounts_with_commitment(chunk, self.commitment)
                    .await
                    .map_err(rpc)?
                    .value,
            );
        }
        Ok(accounts)
    }

    async fn get_program_accounts(
        &self,
        program: &Pubkey,
        filters: &[Filter],
    ) -> Result<Vec<(Pubkey, Account)>> {
        let filters = filters
            .iter()
            .map(|f| match f {
                Filter::DataSize(n) => RpcFilterType::DataSize(*n),
                Filter::Memcmp { offset, bytes } => {
                    RpcFilterType::Memcmp(Memcmp::new_raw_bytes(*offset, bytes.clone()))
                }
            })
            .collect();
        let config = RpcProgramAccountsConfig {
            filters: Some(filters),
            account_config: RpcAccountInfoConfig {
                encoding: Some(solana_account_decoder_client_types::UiAccountEncoding::Base64),
                commitment: Some(self.commitment),
                ..RpcAccountInfoConfig::default()
            },
            ..RpcProgramAccountsConfig::default()
        };
        self.client
            .get_program_ui_accounts_with_config(program, config)
            .await
            .map_err(rpc)?
            .into_iter()
            .map(|(key, ui)| {
                let account = ui.to_account().ok_or(SdkError::Decode {
                    address: key,
                    expected: "base64 account",
                })?;
                Ok((key, account))
            })
            .collect()
    }

    async fn latest_blockhash(&self) -> Result<(Hash, u64)> {
        self.client
            .get_latest_blockhash_with_commitment(self.commitment)
            .await
            .map_err(rpc)
    }

    async fn block_height(&self) -> Result<u64> {
        self.client
            .get_block_height_with_commitment(self.commitment)
            .await
            .map_err(rpc)
    }

    async fn is_blockhash_valid(&self, blockhash: &Hash) -> Result<Option<bool>> {
        Ok(Some(
            self.client
                .is_blockhash_valid(blockhash, self.commitment)
                .await
                .map_err(rpc)?,
        ))
    }

    async fn simulate(&self, tx: &Transaction) -> Result<Simulation> {
        self.simulate_any(tx).await
    }

    async fn send(&self, tx: &Transaction) -> Result<Signature> {
        self.send_any(tx, tx.signatures[0]).await
    }

    async fn signature_status(
        &self,
        signature: &Signature,
    ) -> Result<Option<Result<(), TransactionError>>> {
        let statuses = self
            .client
            .get_signature_statuses(&[*signature])
            .await
            .map_err(rpc)?
            .value;
        Ok(statuses
            .into_iter()
            .next()
            .flatten()
            .filter(|s| s.satisfies_commitment(self.commitment))
            .map(|s| match s.err {
                None => Ok(()),
                Some(err) => Err(err),
            }))
    }

    async fn transaction(&self, signature: &Signature) -> Result<Option<TransactionRecord>> {
        let config = RpcTransactionConfig {
            encoding: Some(UiTransactionEncoding::Base64),
            commitment: Some(self.commitment),
            max_supported_transaction_version: Some(0),
        };
        let tx = match self
            .client
            .get_transaction_with_config(signature, config)
            .await
        {
            Ok(tx) => tx,
            // The node answers `null` for a transaction it does not have (yet).
            Err(error)
                if error.to_string().contains("not found")
                    || error.to_string().contains("invalid type: null") =>
            {
                return Ok(None)
            }
            Err(error) => return Err(rpc(error)),
        };
        let decoded = tx
            .transaction
            .transaction
            .decode()
            .ok_or_else(|| SdkError::Rpc("undecodable transaction".into()))?;
        let mut account_keys: Vec<Pubkey> = decoded.message.static_account_keys().to_vec();
        let meta = tx.transaction.meta;
        // A v0 transaction's keys go on with those its lookup tables held.
        if let Some(OptionSerializer::Some(loaded)) =
            meta.as_ref().map(|m| m.loaded_addresses.clone())
        {
            for key in loaded.writable.iter().chain(&loaded.readonly) {
                account_keys.push(key.parse().map_err(rpc)?);
            }
        }
        let error = meta.as_ref().and_then(|m| m.err.clone()).map(Into::into);
        let mut inner_instructions = Vec::new();
        if let Some(OptionSerializer::Some(inner)) = meta.map(|m| m.inner_instructions) {
            for group in inner {
                for ix in group.instructions {
                    if let UiInstruction::Compiled(ix) = ix {
                        let program = account_keys
                            .get(ix.program_id_index as usize)
                            .copied()
                            .unwrap_or_default();
                        let data = bs58::decode(&ix.data).into_vec().map_err(rpc)?;
                        inner_instructions.push((program, data));
                    }
                }
            }
        }
        Ok(Some(TransactionRecord {
            signature: *signature,
            slot: tx.slot,
            block_time: tx.block_time,
            account_keys,
            inner_instructions,
            error,
        }))
    }

    async fn signatures_for_address(&self, address: &Pubkey) -> Result<Vec<Signature>> {
        let config = solana_rpc_client::rpc_client::GetConfirmedSignaturesForAddress2Config {
            commitment: Some(self.commitment),
            ..Default::default()
        };
        self.client
            .get_signatures_for_address_with_config(address, config)
            .await
            .map_err(rpc)?
            .into_iter()
            .map(|s| s.signature.parse::<Signature>().map_err(rpc))
            .collect()
    }

    async fn simulate_versioned(&self, tx: &VersionedTransaction) -> Result<Simulation> {
        self.simulate_any(tx).await
    }

    async fn send_versioned(&self, tx: &VersionedTransaction) -> Result<Signature> {
        self.send_any(tx, tx.signatures[0]).await
    }

    async fn slot(&self) -> Result<u64> {
        self.client
            .get_slot_with_commitment(self.commitment)
            .await
            .map_err(rpc)
    }

    async fn recent_slot(&self) -> Result<u64> {
        // A finalized slot is in every node's SlotHashes (the Solana CLI's
        // choice for a lookup table's recent slot).
        self.client
            .get_slot_with_commitment(CommitmentConfig::finalized())
            .await
            .map_err(rpc)
    }

    async fn wait_past_slot(&self, slot: u64) -> Result<()> {
        let give_up = tokio::time::Instant::now() + std::time::Duration::from_secs(60);
        while self.slot().await? <= slot {
            if tokio::time::Instant::now() > give_up {
                return Err(SdkError::Rpc(format!(
                    "the cluster did not pass slot {slot} within 60 s"
                )));
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        Ok(())
    }

    async fn signatures_for_address_until(
        &self,
        address: &Pubkey,
        until: Option<&Signature>,
    ) -> Result<Vec<Signature>> {
        // Pages of at most 1,000 (the node's limit), newest first, each
        // before the oldest of the previous one, down to `until`.
        const PAGE: usize = 1_000;
        // A node locates `until` (its slot, then that block's signatures)
        // before listing; for a recent slot a test validator answered
        // -32020 ("Transaction ... not found") or "Unable to get block:
        // slot unavailable" for a signature it had just listed for the
        // address. Then the list is asked for again without `until` (the
        // node reads no block for it) and cut at `until` here; a list
        // that never reaches it is returned whole (readers skip what they
        // already applied).
        let mut node_until = until.copied();
        let mut all: Vec<Signature> = Vec::new();
        loop {
            let config = solana_rpc_client::rpc_client::GetConfirmedSignaturesForAddress2Config {
                before: all.last().copied(),
                until: node_until,
                limit: Some(PAGE),
                commitment: Some(self.commitment),
            };
            let page = match self
                .client
                .get_signatures_for_address_with_config(address, config)
                .await
            {
                Ok(page) => page,
                Err(_) if node_until.is_some() => {
                    node_until = None;
                    all.clear();
                    continue;
                }
                Err(error) => return Err(rpc(error)),
            };
            let full = page.len() == PAGE;
            for status in page {
                let signature = status.signature.parse::<Signature>().map_err(rpc)?;
                if Some(&signature) == until {
                    return Ok(all);
                }
                all.push(signature);
            }
            if !full {
                return Ok(all);
            }
        }
    }

    async fn minimum_balance_for_rent_exemption(&self, data_len: usize) -> Result<u64> {
        self.client
            .get_minimum_balance_for_rent_exemption(data_len)
            .await
            .map_err(rpc)
    }

    async fn unix_timestamp(&self) -> Result<i64> {
        // The Clock sysvar: slot, epoch_start_timestamp, epoch,
        // leader_schedule_epoch, then unix_timestamp at byte 32.
        use anchor_lang::solana_program::sysvar::SysvarId;
        let clock = anchor_lang::prelude::Clock::id();
        let account = self
            .get_account(&clock)
            .await?
            .ok_or(SdkError::AccountNotFound {
                address: clock,
                expected: "Clock sysvar",
            })?;
        account
            .data
            .get(32..40)
            .and_then(|b| <[u8; 8]>::try_from(b).ok())
            .map(i64::from_le_bytes)
            .ok_or(SdkError::Decode {
                address: clock,
                expected: "Clock sysvar",
            })
    }
}
