//! The async client: builds, prices, signs, sends and confirms
//! transactions against any [`Backend`], and reads typed accounts.

use {
    crate::{
        backend::{Backend, Filter},
        error::{Result, SdkError},
    },
    anchor_lang::{prelude::Pubkey, AccountDeserialize, Discriminator},
    solana_compute_budget_interface::ComputeBudgetInstruction,
    solana_instruction::Instruction,
    solana_keypair::Keypair,
    solana_message::Message,
    solana_signature::Signature,
    solana_signer::Signer,
    solana_transaction::Transaction,
    std::{sync::Arc, time::Duration},
};

/// How transactions are priced and confirmed.
#[derive(Clone, Debug)]
pub struct TxConfig {
    /// Compute-unit limit = simulated units × (100 + margin) / 100 + 1,000.
    pub compute_unit_margin_percent: u64,
    /// Priority fee in micro-lamports per compute unit (none when `None`).
    pub priority_fee_micro_lamports: Option<u64>,
    /// How often to poll for the status and re-send the same transaction.
    pub poll_interval: Duration,
    /// How many times a transaction is re-signed with a fresh blockhash
    /// after the previous one expired without landing.
    pub max_resigns: u32,
    /// How long to keep polling one signed transaction through transport
    /// failures before giving up with [`SdkError::Unconfirmed`] (its fate
    /// unknown). Longer than a blockhash lives (151 blocks, about a minute).
    pub confirm_timeout: Duration,
}

impl Default for TxConfig {
    fn default() -> Self {
        Self {
            compute_unit_margin_percent: 20,
            priority_fee_micro_lamports: None,
            poll_interval: Duration::from_millis(500),
            max_resigns: 3,
            confirm_timeout: Duration::from_secs(180),
        }
    }
}

/// What became of a sent transaction.
enum Fate {
    /// Recorded on chain, successfully or not.
    Landed(Result<(), solana_transaction_error::TransactionError>),
    /// Its blockhash expired and it is not on record: it never will be.
    Expired,
    /// The cluster refused it outright, and it is not on record.
    Rejected(SdkError),
    /// The cluster could not be asked before the timeout.
    Unknown,
}

/// The result of a high-level operation: the transaction's signature (none
/// when nothing needed sending because the state was already there) and
/// the addresses it created or found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    pub signature: Option<Signature>,
    /// Named addresses, e.g. `("record", ..)`, `("mint", ..)`.
    pub addresses: Vec<(&'static str, Pubkey)>,
    /// True when the operation had already landed (a retry found it).
    pub already_existed: bool,
}

impl Outcome {
    pub fn address(&self, name: &str) -> Option<Pubkey> {
        self.addresses
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, a)| *a)
    }
}

/// The Panacea client: a backend and the key that pays fees.
pub struct PanaceaClient<B: Backend> {
    backend: Arc<B>,
    payer: Arc<Keypair>,
    config: TxConfig,
}

impl<B: Backend> Clone for PanaceaClient<B> {
    fn clone(&self) -> Self {
        Self {
            backend: self.backend.clone(),
            payer: self.payer.clone(),
            config: self.config.clone(),
        }
    }
}

impl<B: Backend> PanaceaClient<B> {
    pub fn new(backend: Arc<B>, payer: Keypair) -> Self {
        Self {
            backend,
            payer: Arc::new(payer),
            config: TxConfig::default(),
        }
    }

    pub fn with_config(mut self, config: TxConfig) -> Self {
        self.config = config;
        self
    }

    pub fn backend(&self) -> &B {
        &self.backend
    }

    /// The fee (and rent) payer.
    pub fn payer(&self) -> Pubkey {
        self.payer.pubkey()
    }

    /// Prepends compute-budget instructions: a unit limit from simulation
    /// (with the configured margin) and the optional priority fee.
    pub async fn priced(
        &self,
        ixs: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<Vec<Instruction>> {
        let mut probe = vec![ComputeBudgetInstruction::set_compute_unit_limit(1_400_000)];
        probe.extend_from_slice(ixs);
        let (blockhash, _) = self.backend.latest_blockhash().await?;
        let tx = self.sign(&probe, signers, blockhash)?;
        let simulation = self.backend.simulate(&tx).await?;
        if let Some(error) = simulation.error {
            // Offset by one: the probe's first instruction is the budget.
            return Err(SdkError::from_transaction(
                shift_instruction_index(error, 1),
                |i| ixs.get(i as usize).map(|ix| ix.program_id),
                false,
            ));
        }
        let units = simulation
            .units_consumed
            .saturating_mul(100 + self.config.compute_unit_margin_percent)
            / 100
            + 1_000;
        let mut priced = vec![ComputeBudgetInstruction::set_compute_unit_limit(
            units.min(1_400_000) as u32,
        )];
        if let Some(price) = self.config.priority_fee_micro_lamports {
            priced.push(ComputeBudgetInstruction::set_compute_unit_price(price));
        }
        priced.extend_from_slice(ixs);
        Ok(priced)
    }

    fn sign(
        &self,
        ixs: &[Instruction],
        signers: &[&Keypair],
        blockhash: solana_hash::Hash,
    ) -> Result<Transaction> {
        let message = Message::new(ixs, Some(&self.payer.pubkey()));
        let mut all: Vec<&Keypair> = vec![&self.payer];
        all.extend(
            signers
                .iter()
                .copied()
                .filter(|k| k.pubkey() != self.payer.pubkey()),
        );
        let mut tx = Transaction::new_unsigned(message);
        tx.try_sign(&all, blockhash)
            .map_err(|e| SdkError::Signing(e.to_string()))?;
        Ok(tx)
    }

    /// Prices, signs, sends and confirms `ixs`. The same signed transaction
    /// is re-sent until it lands or its blockhash expires; only then is it
    /// re-signed with a fresh one. An already-processed transaction counts
    /// as sent. Failures say whether the transaction landed.
    pub async fn send(&self, ixs: &[Instruction], signers: &[&Keypair]) -> Result<Signature> {
        let priced = self.priced(ixs, signers).await?;
        let budget = priced.len() - ixs.len();
        let program_of = |i: u8| {
            (i as usize)
                .checked_sub(budget)
                .and_then(|i| ixs.get(i))
                .map(|ix| ix.program_id)
        };
        for _ in 0..=self.config.max_resigns {
            // Reached only when nothing was sent yet or the previous
            // transaction provably expired: a failure here means "not landed".
            let (blockhash, last_valid) = self.backend.latest_blockhash().await?;
            let tx = self.sign(&priced, signers, blockhash)?;
            match self.drive(&tx, Some(last_valid)).await {
                Fate::Landed(Ok(())) => return Ok(tx.signatures[0]),
                Fate::Landed(Err(error)) => {
                    return Err(SdkError::from_transaction(error, program_of, true))
                }
                Fate::Rejected(error) => return Err(error),
                Fate::Unknown => {
                    return Err(SdkError::Unconfirmed {
                        signature: tx.signatures[0],
                    })
                }
                Fate::Expired => {}
            }
        }
        Err(SdkError::Transaction {
            error: solana_transaction_error::TransactionError::BlockhashNotFound,
            landed: false,
        })
    }

    /// Sends `tx` and keeps re-sending and polling until its fate is known.
    /// Transport failures never count as an answer: "expired" is reported
    /// only when a status query made after the block height passed
    /// `last_valid` found nothing. Without `last_valid` (a transaction signed
    /// elsewhere, its blockhash of unknown age), the cluster is asked whether
    /// the blockhash is still usable, and the first height read plus a
    /// blockhash's lifetime bounds the wait: the blockhash is older.
    async fn drive(&self, tx: &Transaction, mut last_valid: Option<u64>) -> Fate {
        /// Blocks a blockhash stays valid for, plus one.
        const BLOCKHASH_LIFETIME: u64 = 151;
        let signature = tx.signatures[0];
        // A blockhash this client just fetched is known valid until
        // `last_valid`; one of unknown age is also asked about directly.
        let wait_for_height = last_valid.is_some();
        let give_up = tokio::time::Instant::now() + self.config.confirm_timeout;
        let mut expired = false;
        loop {
            let sent = self.backend.send(tx).await;
            match self.backend.signature_status(&signature).await {
                Ok(Some(result)) => return Fate::Landed(result),
                Ok(None) if expired => return Fate::Expired,
                Ok(None) => {
                    // The cluster itself refused it (never just a transport
                    // failure) and it is not on record: it did not land.
                    if let Err(error @ SdkError::Transaction { landed: false, .. }) = sent {
                        return Fate::Rejected(error);
                    }
                }
                Err(_) => {}
            }
            if let Ok(height) = self.backend.block_height().await {
                let deadline = *last_valid.get_or_insert(height + BLOCKHASH_LIFETIME);
                let unusable = !wait_for_height
                    && matches!(
                        self.backend
                            .is_blockhash_valid(&tx.message.recent_blockhash)
                            .await,
                        Ok(Some(false))
                    );
                if height > deadline || unusable {
                    // One more status query, now that it can no longer land.
                    expired = true;
                    continue;
                }
            }
            if tokio::time::Instant::now() > give_up {
                return Fate::Unknown;
            }
            tokio::time::sleep(self.config.poll_interval).await;
        }
    }

    /// A transaction paid by this client's payer, signed by the payer only,
    /// for others (a patient's wallet) to add their signatures: the relayer
    /// flow. Serialize it with [`serialize_for_wallet`].
    pub async fn partially_signed(&self, ixs: &[Instruction]) -> Result<Transaction> {
        let (blockhash, _) = self.backend.latest_blockhash().await?;
        let message = Message::new(ixs, Some(&self.payer.pubkey()));
        let mut tx = Transaction::new_unsigned(message);
        tx.try_partial_sign(&[&*self.payer], blockhash)
            .map_err(|e| SdkError::Signing(e.to_string()))?;
        Ok(tx)
    }

    /// Submits a transaction whose signatures are all present (e.g. came
    /// back from a wallet) and waits for it. An error says whether it
    /// landed: `Unconfirmed` when the cluster could not be asked in time.
    pub async fn submit_signed(&self, tx: &Transaction) -> Result<Signature> {
        tx.verify()
            .map_err(|e| SdkError::Signing(format!("invalid signatures: {e}")))?;
        let signature = tx.signatures[0];
        let program_of = |i: u8| {
            tx.message
                .instructions
                .get(i as usize)
                .and_then(|ix| tx.message.account_keys.get(ix.program_id_index as usize))
                .copied()
        };
        match self.drive(tx, None).await {
            Fate::Landed(Ok(())) => Ok(signature),
            Fate::Landed(Err(error)) => Err(SdkError::from_transaction(error, program_of, true)),
            Fate::Rejected(error) => Err(error),
            Fate::Unknown => Err(SdkError::Unconfirmed { signature }),
            Fate::Expired => Err(SdkError::Transaction {
                error: solana_transaction_error::TransactionError::BlockhashNotFound,
                landed: false,
            }),
        }
    }

    /// Reads and decodes an Anchor account; `None` when absent.
    pub async fn fetch<T: AccountDeserialize>(&self, address: &Pubkey) -> Result<Option<T>> {
        match self.backend.get_account(address).await? {
            None => Ok(None),
            Some(account) => T::try_deserialize(&mut account.data.as_slice())
                .map(Some)
                .map_err(|_| SdkError::Decode {
                    address: *address,
                    expected: std::any::type_name::<T>(),
                }),
        }
    }

    /// Like [`fetch`](Self::fetch), failing when the account is absent.
    pub async fn get<T: AccountDeserialize>(&self, address: &Pubkey) -> Result<T> {
        self.fetch(address)
            .await?
            .ok_or(SdkError::AccountNotFound(*address))
    }

    pub async fn fetch_many<T: AccountDeserialize>(
        &self,
        addresses: &[Pubkey],
    ) -> Result<Vec<Option<T>>> {
        self.backend
            .get_multiple_accounts(addresses)
            .await?
            .into_iter()
            .zip(addresses)
            .map(|(account, address)| match account {
                None => Ok(None),
                Some(a) => T::try_deserialize(&mut a.data.as_slice())
                    .map(Some)
                    .map_err(|_| SdkError::Decode {
                        address: *address,
                        expected: std::any::type_name::<T>(),
                    }),
            })
            .collect()
    }

    /// Every `T` of `program` whose 32 bytes at `offset` equal `key`.
    pub async fn list<T: AccountDeserialize + Discriminator>(
        &self,
        program: &Pubkey,
        offset: usize,
        key: &Pubkey,
    ) -> Result<Vec<(Pubkey, T)>> {
        let filters = [
            Filter::Memcmp {
                offset: 0,
                bytes: T::DISCRIMINATOR.to_vec(),
            },
            Filter::Memcmp {
                offset,
                bytes: key.to_bytes().to_vec(),
            },
        ];
        self.backend
            .get_program_accounts(program, &filters)
            .await?
            .into_iter()
            .map(|(address, account)| {
                T::try_deserialize(&mut account.data.as_slice())
                    .map(|t| (address, t))
                    .map_err(|_| SdkError::Decode {
                        address,
                        expected: std::any::type_name::<T>(),
                    })
            })
            .collect()
    }
}

/// Serializes a (partially) signed transaction for a wallet (base64 of its
/// wire format).
pub fn serialize_for_wallet(tx: &Transaction) -> Result<String> {
    use base64::Engine;
    let bytes = bincode::serialize(tx).map_err(|e| SdkError::Signing(e.to_string()))?;
    Ok(base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// The inverse of [`serialize_for_wallet`].
pub fn deserialize_from_wallet(encoded: &str) -> Result<Transaction> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .map_err(|e| SdkError::InvalidInput(format!("not base64: {e}")))?;
    bincode::deserialize(&bytes)
        .map_err(|e| SdkError::InvalidInput(format!("not a transaction: {e}")))
}

fn shift_instruction_index(
    error: solana_transaction_error::TransactionError,
    by: u8,
) -> solana_transaction_error::TransactionError {
    use solana_transaction_error::TransactionError::InstructionError;
    match error {
        InstructionError(i, e) => InstructionError(i.saturating_sub(by), e),
        other => other,
    }
}

/// Byte offsets used to list accounts by owner.
pub mod offsets {
    /// `patient` in `Record` (the program's own constant).
    pub const RECORD_PATIENT: usize = records::state::record_offsets::PATIENT;
    /// `patient` in `Grant` and `Consent`; `policy` in `Claim`.
    pub const SECOND_FIELD: usize = 8 + 2;
    /// `patient` in `Policy`.
    pub const POLICY_PATIENT: usize = 8 + 3 + 32 + 16;
}

impl<B: Backend> PanaceaClient<B> {
    /// Every record of a patient (any status).
    pub async fn records_of_patient(
        &self,
        patient: &Pubkey,
    ) -> Result<Vec<(Pubkey, records::state::Record)>> {
        self.list(&records::ID, offsets::RECORD_PATIENT, patient)
            .await
    }

    /// Every grant a patient gave (revoked ones until closed).
    pub async fn grants_of_patient(
        &self,
        patient: &Pubkey,
    ) -> Result<Vec<(Pubkey, records::state::Grant)>> {
        self.list(&records::ID, offsets::SECOND_FIELD, patient)
            .await
    }

    /// Every consent of a patient.
    pub async fn consents_of_patient(
        &self,
        patient: &Pubkey,
    ) -> Result<Vec<(Pubkey, consent::state::Consent)>> {
        self.list(&consent::ID, offsets::SECOND_FIELD, patient)
            .await
    }

    /// Every policy covering a patient.
    pub async fn policies_of_patient(
        &self,
        patient: &Pubkey,
    ) -> Result<Vec<(Pubkey, claims::state::Policy)>> {
        self.list(&claims::ID, offsets::POLICY_PATIENT, patient)
            .await
    }

    /// Every claim on a policy.
    pub async fn claims_of_policy(
        &self,
        policy: &Pubkey,
    ) -> Result<Vec<(Pubkey, claims::state::Claim)>> {
        self.list(&claims::ID, offsets::SECOND_FIELD, policy).await
    }
}
