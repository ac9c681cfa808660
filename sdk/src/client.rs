//! The async client: builds, prices, signs, sends and confirms
//! transactions against any [`Backend`], and reads typed accounts.

use {
    crate::{
        backend::{Backend, Filter},
        error::{Result, SdkError},
    },
    anchor_lang::{prelude::Pubkey, AccountDeserialize, Discriminator},
    solana_compute_budget_interface::ComputeBudgetInstruction,
    solana_hash::Hash,
    solana_instruction::Instruction,
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
    /// Compute-unit limit when the transaction is not priced by simulation
    /// (offline signing); `None` leaves the runtime's default.
    pub compute_unit_limit: Option<u32>,
    /// Sign over this blockhash instead of fetching one: the message is
    /// then built without simulation, so the same command run twice (once
    /// `sign_only`, once with the collected signatures) builds the same
    /// message byte for byte.
    pub blockhash: Option<Hash>,
    /// Sign with the signers present and return the signatures and the
    /// message ([`Signed`]) instead of sending. Requires `blockhash`.
    pub sign_only: bool,
}

/// Highest priority fee accepted, in micro-lamports per compute unit: at
/// 1,400,000 units that is 14 SOL of fees, far above any real priority fee
/// and far below what overflows a fee computation.
pub const MAX_COMPUTE_UNIT_PRICE: u64 = 10_000_000_000;

/// Any signer a transaction can carry: a keypair, a hardware wallet, a
/// presigned signature, or (signing offline) a bare public key. `Sync` so
/// that an operation's future stays `Send`.
pub type AnySigner = dyn Signer + Send + Sync;

impl Default for TxConfig {
    fn default() -> Self {
        Self {
            compute_unit_margin_percent: 20,
            priority_fee_micro_lamports: None,
            poll_interval: Duration::from_millis(500),
            max_resigns: 3,
            confirm_timeout: Duration::from_secs(180),
            compute_unit_limit: None,
            blockhash: None,
            sign_only: false,
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
    /// Signed offline and not sent ([`TxConfig::sign_only`]).
    pub signed_only: Option<Signed>,
}

/// A transaction signed offline ([`TxConfig::sign_only`]): what the Solana
/// CLIs print for `--sign-only`, so that the absent signers can sign the
/// same message and one of them submit it with every signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signed {
    pub blockhash: Hash,
    /// The message, as a multisig or a hardware wallet receives it.
    pub message: Vec<u8>,
    /// Signatures made here, by public key.
    pub signers: Vec<(Pubkey, Signature)>,
    /// Required signers that did not sign here.
    pub absent: Vec<Pubkey>,
}

impl Signed {
    /// The message in base58 (what a Squads proposal imports).
    pub fn message_base58(&self) -> String {
        bs58::encode(&self.message).into_string()
    }

    /// The message in base64.
    pub fn message_base64(&self) -> String {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(&self.message)
    }
}

/// What became of a transaction an operation built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Sent {
    Landed(Signature),
    SignedOnly(Signed),
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
    payer: Arc<AnySigner>,
    config: TxConfig,
    /// Record tree indexes, shared by clones.
    trees: Arc<crate::compression::TreeIndexes>,
}

impl<B: Backend> Clone for PanaceaClient<B> {
    fn clone(&self) -> Self {
        Self {
            backend: self.backend.clone(),
            payer: self.payer.clone(),
            config: self.config.clone(),
            trees: self.trees.clone(),
        }
    }
}

impl<B: Backend> PanaceaClient<B> {
    /// A client whose fee payer is `payer` (a keypair, or any signer).
    pub fn new(backend: Arc<B>, payer: impl Signer + Send + Sync + 'static) -> Self {
        Self::with_payer(backend, Arc::new(payer))
    }

    /// A client whose fee payer is a shared signer (a hardware wallet, a
    /// presigned signature, a public key when signing offline).
    pub fn with_payer(backend: Arc<B>, payer: Arc<AnySigner>) -> Self {
        Self {
            backend,
            payer,
            config: TxConfig::default(),
            trees: Arc::default(),
        }
    }

    /// A client that only reads: it has no key and cannot send.
    pub fn reader(backend: Arc<B>) -> Self {
        Self::new(
            backend,
            solana_signer::null_signer::NullSigner::new(&Pubkey::default()),
        )
    }

    /// Sets how transactions are priced, signed and sent; refuses a
    /// priority fee above [`MAX_COMPUTE_UNIT_PRICE`] and `sign_only`
    /// without a blockhash.
    pub fn with_config(mut self, config: TxConfig) -> Self {
        self.config = config;
        self
    }

    /// Checks a configuration before anything is read or sent.
    pub fn check_config(config: &TxConfig) -> Result<()> {
        if let Some(price) = config.priority_fee_micro_lamports {
            if price > MAX_COMPUTE_UNIT_PRICE {
                return Err(SdkError::InvalidInput(format!(
                    "compute unit price {price} micro-lamports is above the limit of {MAX_COMPUTE_UNIT_PRICE}"
                )));
            }
        }
        if config.sign_only && config.blockhash.is_none() {
            return Err(SdkError::InvalidInput(
                "signing offline needs a blockhash (--blockhash)".into(),
            ));
        }
        Ok(())
    }

    pub fn config(&self) -> &TxConfig {
        &self.config
    }

    /// Keeps the indexes of record trees as JSON caches in `dir`
    /// (`<dir>/<tree>.json`): a later client resumes reading a tree's
    /// history where this one stopped. Without it they live in memory.
    pub fn with_tree_cache(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        self.trees = Arc::new(crate::compression::TreeIndexes::new(Some(dir.into())));
        self
    }

    /// The record tree indexes this client (and its clones) holds.
    pub fn tree_indexes(&self) -> &crate::compression::TreeIndexes {
        &self.trees
    }

    /// Refuses offline signing for `operation`, which changes the blob
    /// store before it sends: signed offline and never sent, it would
    /// leave the store changed (a payload deleted, or orphaned) and the
    /// chain not. Checked before anything is read, stored or sent.
    pub fn refuse_offline(&self, operation: &str) -> Result<()> {
        if self.config.sign_only {
            return Err(SdkError::InvalidInput(format!(
                "{operation} changes the payload store before it sends, so it cannot be signed offline (--sign-only)"
            )));
        }
        Ok(())
    }

    pub fn backend(&self) -> &B {
        &self.backend
    }

    /// The backend, shared (for a service running beside the client).
    pub fn shared_backend(&self) -> Arc<B> {
        self.backend.clone()
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
        signers: &[&AnySigner],
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
        // A transaction the limit instruction would push over a packet (a
        // claim over a compressed record at depth 20 is one byte over with
        // it) goes without it when nothing else needs it: no priority fee,
        // and the default limit (200,000 units an instruction) covers it.
        let default_limit = 200_000u64.saturating_mul(ixs.len() as u64).min(1_400_000);
        if self.config.priority_fee_micro_lamports.is_none()
            && simulation.units_consumed <= default_limit
            && crate::compression::legacy_transaction_size(ixs, &self.payer(), true)
                > crate::compression::PACKET_DATA_SIZE
        {
            return Ok(ixs.to_vec());
        }
        let mut priced = vec![ComputeBudgetInstruction::set_compute_unit_limit(
            units.min(1_400_000) as u32,
        )];
        if let Some(price) = self.config.priority_fee_micro_lamports {
            priced.push(ComputeBudgetInstruction::set_compute_unit_price(price));
        }
        priced.extend_from_slice(ixs);
        Ok(priced)
    }

    /// The payer and `signers`, each key once (the payer first).
    fn all_signers<'a>(&'a self, signers: &[&'a AnySigner]) -> Vec<&'a AnySigner> {
        let mut all: Vec<&AnySigner> = vec![&*self.payer];
        for signer in signers {
            if !all.iter().any(|s| s.pubkey() == signer.pubkey()) {
                all.push(*signer);
            }
        }
        all
    }

    fn sign(
        &self,
        ixs: &[Instruction],
        signers: &[&AnySigner],
        blockhash: Hash,
    ) -> Result<Transaction> {
        let message = Message::new(ixs, Some(&self.payer.pubkey()));
        let mut tx = Transaction::new_unsigned(message);
        tx.try_sign(&self.all_signers(signers), blockhash)
            .map_err(|e| SdkError::Signing(e.to_string()))?;
        Ok(tx)
    }

    /// `ixs` behind the budget instructions an offline message carries: a
    /// fixed unit limit and price, so that every run builds the same bytes.
    fn unpriced(&self, ixs: &[Instruction]) -> Vec<Instruction> {
        let mut all = Vec::with_capacity(ixs.len() + 2);
        if let Some(limit) = self.config.compute_unit_limit {
            all.push(ComputeBudgetInstruction::set_compute_unit_limit(limit));
        }
        if let Some(price) = self.config.priority_fee_micro_lamports {
            all.push(ComputeBudgetInstruction::set_compute_unit_price(price));
        }
        all.extend_from_slice(ixs);
        all
    }

    /// Builds, signs and sends `ixs` as the configuration says: priced by
    /// simulation and sent (the default); over a given blockhash with every
    /// signature present (some of them presigned) and sent; or signed
    /// offline and returned unsent ([`Sent::SignedOnly`]).
    pub async fn submit(&self, ixs: &[Instruction], signers: &[&AnySigner]) -> Result<Sent> {
        Self::check_config(&self.config)?;
        let Some(blockhash) = self.config.blockhash else {
            return self.send_priced(ixs, signers).await.map(Sent::Landed);
        };
        let all = self.unpriced(ixs);
        let message = Message::new(&all, Some(&self.payer.pubkey()));
        let mut tx = Transaction::new_unsigned(message);
        let everyone = self.all_signers(signers);
        if self.config.sign_only {
            tx.try_partial_sign(&everyone, blockhash)
                .map_err(|e| SdkError::Signing(e.to_string()))?;
            let required = tx.message.header.num_required_signatures as usize;
            let mut signed = Signed {
                blockhash,
                message: tx.message_data(),
                signers: Vec::new(),
                absent: Vec::new(),
            };
            let data = tx.message_data();
            for (key, signature) in tx.message.account_keys[..required]
                .iter()
                .zip(&tx.signatures)
            {
                if signature.verify(key.as_ref(), &data) {
                    signed.signers.push((*key, *signature));
                } else {
                    signed.absent.push(*key);
                }
            }
            return Ok(Sent::SignedOnly(signed));
        }
        tx.try_sign(&everyone, blockhash)
            .map_err(|e| SdkError::Signing(e.to_string()))?;
        self.submit_signed(&tx).await.map(Sent::Landed)
    }

    /// Prices, signs, sends and confirms `ixs`. The same signed transaction
    /// is re-sent until it lands or its blockhash expires; only then is it
    /// re-signed with a fresh one. An already-processed transaction counts
    /// as sent. Failures say whether the transaction landed.
    pub async fn send(&self, ixs: &[Instruction], signers: &[&AnySigner]) -> Result<Signature> {
        if self.config.blockhash.is_some() {
            return match self.submit(ixs, signers).await? {
                Sent::Landed(signature) => Ok(signature),
                Sent::SignedOnly(_) => Err(SdkError::InvalidInput(
                    "this operation sends more than one transaction or acts on what it sent: it cannot be signed offline".into(),
                )),
            };
        }
        Self::check_config(&self.config)?;
        self.send_priced(ixs, signers).await
    }

    async fn send_priced(&self, ixs: &[Instruction], signers: &[&AnySigner]) -> Result<Signature> {
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

    /// Signs `ixs` as a v0 transaction whose account keys are looked up in
    /// `tables` where they can be.
    fn sign_v0(
        &self,
        ixs: &[Instruction],
        signers: &[&AnySigner],
        tables: &[solana_message::AddressLookupTableAccount],
        blockhash: Hash,
    ) -> Result<solana_transaction::versioned::VersionedTransaction> {
        let message =
            solana_message::v0::Message::try_compile(&self.payer.pubkey(), ixs, tables, blockhash)
                .map_err(|e| SdkError::InvalidInput(format!("v0 message: {e}")))?;
        solana_transaction::versioned::VersionedTransaction::try_new(
            solana_message::VersionedMessage::V0(message),
            &self.all_signers(signers),
        )
        .map_err(|e| SdkError::Signing(e.to_string()))
    }

    /// Like [`send`](Self::send), as a v0 transaction whose accounts are
    /// looked up in `tables`: priced by simulation, re-sent until it lands,
    /// re-signed when its blockhash expired without it landing.
    pub async fn send_v0(
        &self,
        ixs: &[Instruction],
        signers: &[&AnySigner],
        tables: &[solana_message::AddressLookupTableAccount],
    ) -> Result<Signature> {
        Self::check_config(&self.config)?;
        if self.config.sign_only || self.config.blockhash.is_some() {
            return Err(SdkError::InvalidInput(
                "a transaction with an address lookup table is priced and sent here: it cannot be signed offline".into(),
            ));
        }
        let mut probe = vec![ComputeBudgetInstruction::set_compute_unit_limit(1_400_000)];
        probe.extend_from_slice(ixs);
        let (blockhash, _) = self.backend.latest_blockhash().await?;
        let simulation = self
            .backend
            .simulate_versioned(&self.sign_v0(&probe, signers, tables, blockhash)?)
            .await?;
        if let Some(error) = simulation.error {
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
        let budget = priced.len() - ixs.len();
        let program_of = |i: u8| {
            (i as usize)
                .checked_sub(budget)
                .and_then(|i| ixs.get(i))
                .map(|ix| ix.program_id)
        };
        for _ in 0..=self.config.max_resigns {
            let (blockhash, last_valid) = self.backend.latest_blockhash().await?;
            let tx = self.sign_v0(&priced, signers, tables, blockhash)?;
            let signature = tx.signatures[0];
            let give_up = tokio::time::Instant::now() + self.config.confirm_timeout;
            let mut expired = false;
            loop {
                let sent = self.backend.send_versioned(&tx).await;
                match self.backend.signature_status(&signature).await {
                    Ok(Some(Ok(()))) => return Ok(signature),
                    Ok(Some(Err(error))) => {
                        return Err(SdkError::from_transaction(error, program_of, true))
                    }
                    Ok(None) if expired => break,
                    Ok(None) => {
                        if let Err(error @ SdkError::Transaction { landed: false, .. }) = sent {
                            return Err(error);
                        }
                    }
                    Err(_) => {}
                }
                if let Ok(height) = self.backend.block_height().await {
                    if height > last_valid {
                        expired = true;
                        continue;
                    }
                }
                if tokio::time::Instant::now() > give_up {
                    return Err(SdkError::Unconfirmed { signature });
                }
                tokio::time::sleep(self.config.poll_interval).await;
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
        tx.try_partial_sign(&[&*self.payer as &dyn Signer], blockhash)
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
                    expected: short_type_name::<T>(),
                }),
        }
    }

    /// Like [`fetch`](Self::fetch), failing when the account is absent.
    pub async fn get<T: AccountDeserialize>(&self, address: &Pubkey) -> Result<T> {
        self.fetch(address).await?.ok_or(SdkError::AccountNotFound {
            address: *address,
            expected: short_type_name::<T>(),
        })
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
                        expected: short_type_name::<T>(),
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
                        expected: short_type_name::<T>(),
                    })
            })
            .collect()
    }
}

/// `records::state::Record` → `Record`.
pub(crate) fn short_type_name<T>() -> &'static str {
    let name = std::any::type_name::<T>();
    name.rsplit("::").next().unwrap_or(name)
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

impl<B: Backend> PanaceaClient<B> {
    /// Every record of a patient (any status).
    pub async fn records_of_patient(
        &self,
        patient: &Pubkey,
    ) -> Result<Vec<(Pubkey, records::state::Record)>> {
        self.list(
            &records::ID,
            records::state::record_offsets::PATIENT,
            patient,
        )
        .await
    }

    /// Every grant a patient gave (revoked ones until closed).
    pub async fn grants_of_patient(
        &self,
        patient: &Pubkey,
    ) -> Result<Vec<(Pubkey, records::state::Grant)>> {
        self.list(
            &records::ID,
            records::state::grant_offsets::PATIENT,
            patient,
        )
        .await
    }

    /// Every consent of a patient.
    pub async fn consents_of_patient(
        &self,
        patient: &Pubkey,
    ) -> Result<Vec<(Pubkey, consent::state::Consent)>> {
        self.list(
            &consent::ID,
            consent::state::consent_offsets::PATIENT,
            patient,
        )
        .await
    }

    /// Every policy covering a patient.
    pub async fn policies_of_patient(
        &self,
        patient: &Pubkey,
    ) -> Result<Vec<(Pubkey, claims::state::Policy)>> {
        self.list(&claims::ID, claims::state::policy_offsets::PATIENT, patient)
            .await
    }

    /// Every claim on a policy.
    pub async fn claims_of_policy(
        &self,
        policy: &Pubkey,
    ) -> Result<Vec<(Pubkey, claims::state::Claim)>> {
        self.list(&claims::ID, claims::state::claim_offsets::POLICY, policy)
            .await
    }

    /// Every pending access request to a patient.
    pub async fn requests_of_patient(
        &self,
        patient: &Pubkey,
    ) -> Result<Vec<(Pubkey, records::state::AccessRequest)>> {
        self.list(
            &records::ID,
            records::state::access_request_offsets::PATIENT,
            patient,
        )
        .await
    }

    /// Every bounty a researcher (its entity authority) opened.
    pub async fn bounties_of_researcher(
        &self,
        researcher: &Pubkey,
    ) -> Result<Vec<(Pubkey, bounties::state::Bounty)>> {
        self.list(
            &bounties::ID,
            bounties::state::bounty_offsets::RESEARCHER,
            researcher,
        )
        .await
    }

    /// Every contribution offered to a bounty (until closed).
    pub async fn contributions_of_bounty(
        &self,
        bounty: &Pubkey,
    ) -> Result<Vec<(Pubkey, bounties::state::Contribution)>> {
        self.list(
            &bounties::ID,
            bounties::state::contribution_offsets::BOUNTY,
            bounty,
        )
        .await
    }

    /// Every contribution a patient (wallet) offered (until closed).
    pub async fn contributions_of_patient(
        &self,
        patient: &Pubkey,
    ) -> Result<Vec<(Pubkey, bounties::state::Contribution)>> {
        self.list(
            &bounties::ID,
            bounties::state::contribution_offsets::PATIENT,
            patient,
        )
        .await
    }
}
