//! Record trees and every operation on a record named by a [`RecordRef`]:
//! an account or a compressed record, one path for both. A compressed
//! record's proof comes from the client's index of its tree, checked
//! against the account before the instruction is built
//! ([`PanaceaClient::tree_index`]).
//!
//! Off chain, a compressed record's ciphertext, key envelopes and wrapped
//! keys are bound to [`key_binding`] (tree, patient and content commitment)
//! rather than to its address: the leaf it takes, hence its address, is
//! only known once the append has landed, and the binding is rebuilt from
//! the leaf's fields by every reader.

use {
    crate::acting::{Acting, ActingKeys},
    crate::{
        backend::Backend,
        claims as cl,
        client::{AnySigner, Outcome, PanaceaClient},
        compression::{
            compressed_address, legacy_transaction_size, v0_transaction_size, RecordRef,
            PACKET_DATA_SIZE,
        },
        error::{Result, SdkError},
        events::{events_of, PanaceaEvent},
        offchain::{self, BlobStore, DataKey, EncryptionKeypair, RecordContext, SealedRecord},
        records as rx,
    },
    anchor_lang::prelude::Pubkey,
    claims::instructions::SubmitClaimArgs,
    records::{
        compressed::LeafProof,
        instructions::*,
        state::{Entity, Grant, GrantScope, Patient, Record, RecordKind},
    },
    solana_keypair::Keypair,
    solana_message::AddressLookupTableAccount,
    solana_signer::Signer,
};

/// What a compressed record's ciphertext, key envelopes and wrapped keys
/// are bound to: `SHA-256("panacea/compressed-record/key-binding/v1" ‖ tree
/// ‖ patient ‖ content_commitment)`. Known before the record lands (the
/// content commitment is computed before encryption), fixed for ever
/// (a re-key keeps the content commitment), unique (it hashes a random
/// salt).
pub fn key_binding(tree: &Pubkey, patient: &Pubkey, content_commitment: &[u8; 32]) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    Sha256::new()
        .chain_update(b"panacea/compressed-record/key-binding/v1")
        .chain_update(tree.as_ref())
        .chain_update(patient.as_ref())
        .chain_update(content_commitment)
        .finalize()
        .into()
}

/// A record looked up for an instruction: its address, its fields, the
/// account an instruction's record slot takes (the record, or its tree)
/// and, for a compressed record, the proof of its leaf.
#[derive(Clone, Debug)]
pub struct ResolvedRecord {
    pub reference: RecordRef,
    /// The address grants, requests, claims and events name it by.
    pub address: Pubkey,
    pub record: Record,
    /// The account passed in the instruction's record slot.
    pub slot: Pubkey,
    /// The leaf's proof, for a compressed record.
    pub leaf: Option<LeafProof>,
}

impl ResolvedRecord {
    /// The 32 bytes its ciphertext, envelopes and wrapped keys are bound to:
    /// an account record's address, a compressed record's [`key_binding`].
    pub fn binding(&self) -> [u8; 32] {
        match self.reference {
            RecordRef::Account(address) => address.to_bytes(),
            RecordRef::Compressed { tree, .. } => {
                key_binding(&tree, &self.record.patient, &self.record.content_commitment)
            }
        }
    }

    /// The context its ciphertext is sealed under.
    pub fn context(&self) -> RecordContext {
        RecordContext::new(self.binding(), self.record.record_version)
    }

    /// Where its ciphertext is stored.
    pub fn uri(&self) -> String {
        offchain::blob_uri(&self.record.commitment)
    }

    /// The record as `claims` lists it: the account passed and its origin.
    pub fn billed(&self) -> cl::BilledRecord {
        cl::BilledRecord {
            record: self.slot,
            origin: self.record.origin,
        }
    }
}

/// One of a patient's records, either kind, as every path over "all the
/// patient's records" lists it ([`PanaceaClient::patient_records`]).
#[derive(Clone, Debug)]
pub struct PatientRecord {
    pub reference: RecordRef,
    /// The address grants, requests, claims and events name it by.
    pub address: Pubkey,
    pub record: Record,
}

impl PatientRecord {
    /// The 32 bytes its ciphertext, envelopes and wrapped keys are bound to
    /// (as [`ResolvedRecord::binding`]).
    pub fn binding(&self) -> [u8; 32] {
        match self.reference {
            RecordRef::Account(address) => address.to_bytes(),
            RecordRef::Compressed { tree, .. } => {
                key_binding(&tree, &self.record.patient, &self.record.content_commitment)
            }
        }
    }

    /// Where its ciphertext is stored.
    pub fn uri(&self) -> String {
        offchain::blob_uri(&self.record.commitment)
    }
}

/// A compressed record sealed, stored and wrapped, and the instruction that
/// appends it ([`PanaceaClient::prepare_compressed_issue`]).
pub struct PreparedIssue {
    pub instruction: solana_instruction::Instruction,
    pub sealed: SealedRecord,
    pub envelopes: Vec<offchain::EnvelopeName>,
}

impl PreparedIssue {
    /// Deletes what was stored for it (its transaction did not land).
    pub async fn discard(&self, store: &BlobStore) {
        crate::ops::provider::discard(store, &self.sealed, &self.envelopes).await;
    }
}

impl<B: Backend> PanaceaClient<B> {
    /// Looks a record up: an account is read; a compressed record comes from
    /// the tree's index, checked against the account, with its proof.
    pub async fn resolve_record(&self, record: &RecordRef) -> Result<ResolvedRecord> {
        match *record {
            RecordRef::Account(address) => Ok(ResolvedRecord {
                reference: *record,
                address,
                record: self.get::<Record>(&address).await?,
                slot: address,
                leaf: None,
            }),
            RecordRef::Compressed { tree, index } => {
                let leaf = self.leaf_proof(&tree, index).await?;
                Ok(ResolvedRecord {
                    reference: *record,
                    address: compressed_address(&tree, index),
                    record: leaf.record.clone(),
                    slot: tree,
                    leaf: Some(leaf),
                })
            }
        }
    }

    /// Creates a record tree: a fresh keypair's account of the size the
    /// dimensions need, rent exempt (paid by this client's payer, refunded
    /// on close), and `create_record_tree`, in one transaction. `authority`
    /// is an issuing entity's authority (only it appends), or, `shared`,
    /// the registry admin (any active issuer appends). Returns the tree's
    /// address (`"tree"`).
    pub async fn create_record_tree(
        &self,
        authority: &AnySigner,
        max_depth: u8,
        max_buffer_size: u32,
        canopy_depth: u8,
        shared: bool,
    ) -> Result<Outcome> {
        if self.config().sign_only {
            return Err(SdkError::InvalidInput(
                "creating a record tree signs with a fresh key for the tree's account, which is not kept: it cannot be signed offline (--sign-only)".into(),
            ));
        }
        let space = rx::record_tree_space(max_depth, max_buffer_size, canopy_depth)
            .map_err(|e| {
                SdkError::InvalidInput(format!(
                    "a record tree of depth {max_depth}, buffer {max_buffer_size}, canopy {canopy_depth}: {e}"
                ))
            })?;
        let rent = self
            .backend()
            .minimum_balance_for_rent_exemption(space)
            .await?;
        let tree = Keypair::new();
        let create = anchor_lang::solana_program::system_instruction::create_account(
            &self.payer(),
            &tree.pubkey(),
            rent,
            space as u64,
            &records::ID,
        );
        let init = rx::create_record_tree(
            &self.payer(),
            &authority.pubkey(),
            &tree.pubkey(),
            CreateRecordTreeArgs {
                max_depth,
                max_buffer_size,
                canopy_depth,
                shared,
            },
        );
        let signers: [&AnySigner; 2] = [authority, &tree];
        self.create(
            false,
            &[create, init],
            &signers,
            vec![("tree", tree.pubkey())],
        )
        .await
    }

    /// Closes an empty or fully erased tree (its authority); the rent goes
    /// back to whoever paid it.
    pub async fn close_record_tree(&self, authority: &AnySigner, tree: &Pubkey) -> Result<Outcome> {
        let state = self.record_tree(tree).await?;
        if state.account.authority != authority.pubkey() {
            return Err(SdkError::NotPermitted(format!(
                "record tree {tree} was created by {}: only it closes the tree",
                state.account.authority
            )));
        }
        if state.account.erased != state.account.records {
            return Err(SdkError::InvalidInput(format!(
                "record tree {tree} holds {} records not erased: only an empty or fully erased tree closes",
                state.account.records - state.account.erased
            )));
        }
        let ix = rx::close_record_tree(&authority.pubkey(), tree, &state.account.rent_payer);
        let outcome = self.act(&[ix], &[authority]).await?;
        if outcome.signature.is_some() {
            self.tree_indexes().forget(tree);
        }
        Ok(Outcome {
            addresses: vec![("tree", *tree), ("rent_payer", state.account.rent_payer)],
            ..outcome
        })
    }

    /// Issues `fhir_json` as a record: an account (`tree` `None`, as
    /// [`issue_record`](Self::issue_record)) or the next leaf of `tree`.
    pub async fn issue_record_into<'a>(
        &self,
        issuer: impl Into<Acting<'a>>,
        patient: &Pubkey,
        kind: RecordKind,
        fhir_json: &[u8],
        store: &BlobStore,
        tree: Option<Pubkey>,
    ) -> Result<(Outcome, SealedRecord, RecordRef)> {
        let issuer = issuer.into();
        match tree {
            None => {
                let (outcome, sealed, _) = self
                    .issue_record(issuer, patient, kind, fhir_json, store)
                    .await?;
                let record = outcome
                    .address("record")
                    .ok_or_else(|| SdkError::InvalidInput("the issue reported no record".into()))?;
                Ok((outcome, sealed, RecordRef::Account(record)))
            }
            Some(tree) => {
                self.issue_compressed_record(issuer, patient, kind, fhir_json, store, &tree)
                    .await
            }
        }
    }

    /// Validates, encrypts and stores `fhir_json`, wraps its key to the
    /// patient (and guardian and every live grant over the patient's
    /// records of this kind), and appends it to `tree` as a compressed
    /// record. The leaf it took is read from the transaction's event. When
    /// the transaction fails without landing, the ciphertext and envelopes
    /// written for it are deleted again.
    pub async fn issue_compressed_record<'a>(
        &self,
        issuer: impl Into<Acting<'a>>,
        patient: &Pubkey,
        kind: RecordKind,
        fhir_json: &[u8],
        store: &BlobStore,
        tree: &Pubkey,
    ) -> Result<(Outcome, SealedRecord, RecordRef)> {
        let issuer = issuer.into();
        self.refuse_offline("issuing a record")?;
        let prepared = self
            .prepare_compressed_issue(issuer.keys(), patient, kind, fhir_json, store, tree)
            .await?;
        let signature = match self
            .send(
                std::slice::from_ref(&prepared.instruction),
                &[issuer.signer],
            )
            .await
        {
            Ok(signature) => signature,
            Err(error) => {
                if error.landed() == Some(false) {
                    prepared.discard(store).await;
                }
                return Err(error);
            }
        };
        let index = self.written_leaf(&signature, tree).await?;
        let reference = RecordRef::Compressed { tree: *tree, index };
        Ok((
            Outcome {
                signature: Some(signature),
                addresses: vec![("record", reference.address()), ("tree", *tree)],
                ..Outcome::default()
            },
            prepared.sealed,
            reference,
        ))
    }

    /// Everything [`issue_compressed_record`](Self::issue_compressed_record)
    /// does before it sends: the tree checked (the issuer may append, it is
    /// not full), the payload sealed and stored, its key wrapped; returns
    /// the instruction. Several writers can prepare theirs against the same
    /// tree state and send them in one slot: appends need no proof, so all
    /// land, each taking the next leaf.
    pub async fn prepare_compressed_issue(
        &self,
        issuer: impl Into<ActingKeys>,
        patient: &Pubkey,
        kind: RecordKind,
        fhir_json: &[u8],
        store: &BlobStore,
        tree: &Pubkey,
    ) -> Result<PreparedIssue> {
        let issuer: ActingKeys = issuer.into();
        let state = self.record_tree(tree).await?;
        if let Some(only) = state.account.issuer {
            if only != issuer.entity {
                return Err(SdkError::NotPermitted(format!(
                    "record tree {tree} takes records from {only} only, not {}",
                    issuer.entity
                )));
            }
        }
        if state.account.records >= state.account.capacity() {
            return Err(SdkError::InvalidInput(format!(
                "record tree {tree} is full ({} records)",
                state.account.records
            )));
        }
        let profile: Patient = self.get(&records::pda::patient(patient).0).await?;
        // An original is version 1.
        let (sealed, context) =
            offchain::seal_bound(fhir_json, 1, |c| key_binding(tree, patient, c), store).await?;
        let envelopes = match self
            .wrap_new_record(&profile, kind, &sealed, &context.record, store)
            .await
        {
            Ok(names) => names,
            Err(error) => {
                let _ = offchain::shred(store, &sealed.uri).await;
                return Err(error);
            }
        };
        let instruction = rx::issue_compressed_record(
            issuer,
            patient,
            tree,
            IssueCompressedRecordArgs {
                commitment: sealed.commitment,
                content_commitment: sealed.content_commitment,
                kind,
            },
        );
        Ok(PreparedIssue {
            instruction,
            sealed,
            envelopes,
        })
    }

    /// The leaf of `tree` the landed transaction `signature` appended (its
    /// last `CompressedRecordWritten` of that tree).
    async fn written_leaf(
        &self,
        signature: &solana_signature::Signature,
        tree: &Pubkey,
    ) -> Result<u32> {
        // A node serves a transaction's history a moment after it lands
        // (a test validator over JSON-RPC: up to some 15 s): up to 30 s at
        // the default poll interval.
        let mut tx = None;
        for _ in 0..60 {
            tx = self.backend().transaction(signature).await?;
            if tx.is_some() {
                break;
            }
            tokio::time::sleep(self.config().poll_interval).await;
        }
        let tx = tx.ok_or_else(|| {
            SdkError::Rpc(format!(
                "transaction {signature} landed but its history is not readable yet"
            ))
        })?;
        events_of(&tx)
            .into_iter()
            .filter_map(|event| match event {
                PanaceaEvent::CompressedRecordWritten(e) if e.tree == *tree => Some(e.index),
                _ => None,
            })
            .next_back()
            .ok_or_else(|| {
                SdkError::Rpc(format!(
                    "transaction {signature} wrote no leaf of record tree {tree}"
                ))
            })
    }

    /// The record's data key from the envelope `keys` (the patient's or the
    /// guardian's, or a grantee over the patient's records) can open.
    pub async fn envelope_key_of(
        &self,
        record: &ResolvedRecord,
        keys: &EncryptionKeypair,
        store: &BlobStore,
    ) -> Result<DataKey> {
        Ok(offchain::envelope_data_key(store, &record.binding(), &record.uri(), keys).await?)
    }

    /// The patient (or guardian) reads a record, either kind.
    pub async fn read_own(
        &self,
        record: &RecordRef,
        keys: &EncryptionKeypair,
        store: &BlobStore,
    ) -> Result<Vec<u8>> {
        let resolved = self.resolve_record(record).await?;
        let key = self.envelope_key_of(&resolved, keys, store).await?;
        self.open_resolved(&resolved, &key, store).await
    }

    async fn open_resolved(
        &self,
        record: &ResolvedRecord,
        key: &DataKey,
        store: &BlobStore,
    ) -> Result<Vec<u8>> {
        Ok(offchain::open(
            store,
            &record.context(),
            &record.uri(),
            &record.record.commitment,
            &record.record.content_commitment,
            key,
        )
        .await?)
    }

    /// A grantee reads a record, either kind, under `grant`: the key from
    /// the grant (one record) or from its envelope (a grant over the
    /// patient's records), the commitments checked, the payload decrypted.
    pub async fn read_granted(
        &self,
        grant: &Pubkey,
        record: &RecordRef,
        keys: &EncryptionKeypair,
        store: &BlobStore,
    ) -> Result<Vec<u8>> {
        let grant: Grant = self.get(grant).await?;
        let resolved = self.resolve_record(record).await?;
        let key = if grant.scope == GrantScope::Patient {
            self.envelope_key_of(&resolved, keys, store).await?
        } else {
            offchain::unwrap_key(&grant.wrapped_key, &resolved.binding(), keys)?
        };
        self.open_resolved(&resolved, &key, store).await
    }

    /// Grants `grantee` (a registered entity) access to one record, either
    /// kind, handing it the record's data key wrapped to its encryption key.
    #[allow(clippy::too_many_arguments)]
    pub async fn grant_record_access(
        &self,
        authority: &AnySigner,
        patient: &Pubkey,
        record: &RecordRef,
        grantee: &Pubkey,
        terms: crate::ops::patient::AccessTerms,
        keys: &EncryptionKeypair,
        store: &BlobStore,
    ) -> Result<Outcome> {
        let (grant, ix) = self
            .grant_record_ix(
                &authority.pubkey(),
                patient,
                record,
                grantee,
                terms,
                keys,
                store,
            )
            .await?;
        match ix {
            None => self.create(true, &[], &[], vec![("grant", grant)]).await,
            Some(ix) => {
                self.create(false, &[ix], &[authority], vec![("grant", grant)])
                    .await
            }
        }
    }

    /// The grant of one record, either kind, to `grantee` with `terms`, and
    /// the instruction that creates it (the record's data key wrapped to the
    /// grantee's encryption key), or `None` when it exists already with those
    /// terms (a retry). `authority` (the patient or guardian, whose `keys`
    /// these are) signs it; this client's payer pays its rent.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn grant_record_ix(
        &self,
        authority: &Pubkey,
        patient: &Pubkey,
        record: &RecordRef,
        grantee: &Pubkey,
        terms: crate::ops::patient::AccessTerms,
        keys: &EncryptionKeypair,
        store: &BlobStore,
    ) -> Result<(Pubkey, Option<solana_instruction::Instruction>)> {
        self.acting_for(
            authority,
            patient,
            Some(keys),
            crate::ops::sharing::PatientAction::Grant,
        )
        .await?;
        let address = record.address();
        let grant = records::pda::grant(patient, grantee, &address).0;
        if self
            .existing_grant(&grant, grantee, terms.permissions, None, &terms)
            .await?
        {
            return Ok((grant, None));
        }
        let resolved = self.resolve_record(record).await?;
        let key = self.envelope_key_of(&resolved, keys, store).await?;
        let entity: Entity = self.get(&records::pda::entity(grantee).0).await?;
        let wrapped = offchain::wrap_key(&key, &resolved.binding(), &entity.encryption_key)?;
        let ix = rx::grant_access(
            &self.payer(),
            authority,
            patient,
            &resolved.slot,
            GrantAccessArgs {
                grantee: *grantee,
                scope: GrantScope::Record,
                kinds: 0,
                permissions: terms.permissions,
                purpose: terms.purpose,
                duration: terms.duration,
                wrapped_key: wrapped.to_vec(),
                leaf: resolved.leaf,
            },
        );
        Ok((grant, Some(ix)))
    }

    /// An entity asks the patient for access to one record, either kind
    /// (`args.scope` Record; `args.leaf` is filled here).
    pub async fn request_record_access<'a>(
        &self,
        requester: impl Into<Acting<'a>>,
        record: &RecordRef,
        mut args: RequestAccessArgs,
    ) -> Result<Outcome> {
        let requester = requester.into();
        let resolved = self.resolve_record(record).await?;
        let patient = resolved.record.patient;
        let address =
            records::pda::access_request(&patient, &requester.entity, &resolved.address).0;
        args.leaf = resolved.leaf;
        let ix = rx::request_access(
            &self.payer(),
            requester.keys(),
            &patient,
            &resolved.slot,
            args,
        );
        self.create(
            self.exists(&address).await?,
            &[ix],
            &[requester.signer],
            vec![("access_request", address)],
        )
        .await
    }

    /// The grantee logs an access to a record, either kind, under `grant`.
    pub async fn log_record_access<'a>(
        &self,
        grantee: impl Into<Acting<'a>>,
        grant: &Pubkey,
        record: &RecordRef,
    ) -> Result<Outcome> {
        let grantee = grantee.into();
        let (slot, leaf) = match record {
            RecordRef::Account(address) => (*address, None),
            RecordRef::Compressed { .. } => {
                let resolved = self.resolve_record(record).await?;
                (resolved.slot, resolved.leaf)
            }
        };
        let ix = rx::log_access_with(grantee.keys(), grant, &slot, LogAccessArgs { leaf });
        self.act(&[ix], &[grantee.signer]).await
    }

    /// Bills `policy` for services backed by `records`, either kind: each
    /// account is passed, each compressed record as its tree with its leaf
    /// and proof in the arguments. A claim too large for a legacy
    /// transaction (1,232 bytes) goes as a v0 transaction whose stable
    /// accounts (policy, vault, consent, usage, entity, trees, programs'
    /// accounts) are looked up in the payer's claims lookup table
    /// ([`claims_lookup_table`](Self::claims_lookup_table)); one too large
    /// even so is refused before anything is sent or created.
    pub async fn bill_records<'a>(
        &self,
        provider: impl Into<Acting<'a>>,
        policy: &Pubkey,
        records: &[RecordRef],
        amount_billed: u64,
        service_commitment: [u8; 32],
    ) -> Result<Outcome> {
        let provider = provider.into();
        let state: claims::state::Policy = self.get(policy).await?;
        let mut billed = Vec::with_capacity(records.len());
        let mut leaves = Vec::new();
        for record in records {
            let resolved = self.resolve_record(record).await?;
            billed.push(resolved.billed());
            leaves.extend(resolved.leaf);
        }
        let claim_id = crate::ops::provider::random_id();
        let claim = cl::claim_address(policy, &claim_id);
        let compressed = leaves.len();
        let ix = cl::submit_claim(
            &self.payer(),
            provider.keys(),
            policy,
            &state.insurer,
            &state.patient,
            &billed,
            SubmitClaimArgs {
                claim_id,
                amount_billed,
                service_commitment,
                leaves,
            },
        );
        // Sized with the compute-unit limit instruction: the client adds it
        // whenever the claim needs more than the default units or a
        // priority fee is set (over JSON-RPC a claim over one record at
        // depth 20, one signer, was 1,232 bytes without it and 1,233 with).
        let legacy = legacy_transaction_size(std::slice::from_ref(&ix), &self.payer(), true);
        if legacy <= PACKET_DATA_SIZE {
            return self
                .create(false, &[ix], &[provider.signer], vec![("claim", claim)])
                .await;
        }
        // Too large as a legacy transaction: every account that is neither
        // a signer, the program, the claim nor a marker of this claim goes
        // in the payer's claims lookup table, and the claim goes as v0.
        let markers: Vec<Pubkey> = billed
            .iter()
            .map(|b| claims::pda::claimed_record(policy, b.origin).0)
            .collect();
        let stable: Vec<Pubkey> = ix
            .accounts
            .iter()
            .filter(|m| {
                !m.is_signer
                    && m.pubkey != ix.program_id
                    && m.pubkey != claim
                    && !markers.contains(&m.pubkey)
            })
            .map(|m| m.pubkey)
            .collect();
        let v0_with = |table: &AddressLookupTableAccount| {
            v0_transaction_size(
                std::slice::from_ref(&ix),
                &self.payer(),
                std::slice::from_ref(table),
                true,
            )
        };
        // Checked before a table is created or extended: nothing is spent
        // on a claim that cannot fit.
        let best = v0_with(&AddressLookupTableAccount {
            key: Pubkey::new_unique(),
            addresses: stable.clone(),
        })?;
        if best > PACKET_DATA_SIZE {
            return Err(SdkError::InvalidInput(format!(
                "a claim over {} records ({compressed} compressed) is a {legacy}-byte transaction, {best} bytes even with a lookup table: above the {PACKET_DATA_SIZE}-byte limit: bill fewer compressed records per claim",
                records.len()
            )));
        }
        if self.config().sign_only || self.config().blockhash.is_some() {
            return Err(SdkError::InvalidInput(format!(
                "a claim over {compressed} compressed records needs an address lookup table ({legacy} bytes as a legacy transaction): it cannot be signed offline"
            )));
        }
        let table = self.claims_lookup_table(&stable).await?;
        let signature = self
            .send_v0(&[ix], &[provider.signer], std::slice::from_ref(&table))
            .await?;
        Ok(Outcome {
            signature: Some(signature),
            addresses: vec![("claim", claim), ("lookup_table", table.key)],
            ..Outcome::default()
        })
    }

    /// The address lookup table this client's payer keeps for its claims,
    /// holding `addresses` (created, or extended with those it lacks, and
    /// then waited for: addresses added in a slot are usable from the
    /// next). One table per payer, remembered by the client (and in its
    /// cache directory); a full one (256 addresses) is replaced.
    pub async fn claims_lookup_table(
        &self,
        addresses: &[Pubkey],
    ) -> Result<AddressLookupTableAccount> {
        use solana_address_lookup_table_interface::{
            instruction as alt, state::AddressLookupTable,
        };
        const MAX_ADDRESSES: usize = 256;
        let authority = self.payer();
        let mut held: Option<(Pubkey, Vec<Pubkey>)> = None;
        if let Some(key) = self.tree_indexes().lookup_table(&authority) {
            if let Some(account) = self.backend().get_account(&key).await? {
                let table = AddressLookupTable::deserialize(&account.data).map_err(|_| {
                    SdkError::Decode {
                        address: key,
                        expected: "address lookup table",
                    }
                })?;
                if table.meta.authority == Some(authority) {
                    held = Some((key, table.addresses.to_vec()));
                }
            }
        }
        let mut missing: Vec<Pubkey> = Vec::new();
        for address in addresses {
            let known = held.as_ref().is_some_and(|(_, a)| a.contains(address));
            if !known && !missing.contains(address) {
                missing.push(*address);
            }
        }
        let full = held
            .as_ref()
            .is_some_and(|(_, a)| a.len() + missing.len() > MAX_ADDRESSES);
        let (key, mut ixs, mut all) = match held {
            Some((key, all)) if !full => (key, Vec::new(), all),
            _ => {
                let recent = self.backend().recent_slot().await?;
                let (create, key) = alt::create_lookup_table(authority, authority, recent);
                missing = addresses.to_vec();
                missing.dedup();
                (key, vec![create], Vec::new())
            }
        };
        if !missing.is_empty() {
            ixs.push(alt::extend_lookup_table(
                key,
                authority,
                Some(authority),
                missing.clone(),
            ));
            self.send(&ixs, &[]).await?;
            self.tree_indexes().remember_lookup_table(authority, key)?;
            let slot = self.backend().slot().await?;
            self.backend().wait_past_slot(slot).await?;
            all.extend(missing);
        }
        Ok(AddressLookupTableAccount {
            key,
            addresses: all,
        })
    }

    /// Erases a record, either kind (the patient or guardian), crypto-shredding
    /// it first: the patient's envelope (with `keys`, the patient's key)
    /// and the ciphertext are deleted once the erasure simulated cleanly,
    /// then it is erased on chain (an account closes; a leaf becomes the
    /// empty leaf, which no instruction accepts again).
    pub async fn erase_any_record(
        &self,
        authority: &AnySigner,
        record: &RecordRef,
        keys: Option<&EncryptionKeypair>,
        store: &BlobStore,
    ) -> Result<Outcome> {
        let RecordRef::Compressed { tree, .. } = *record else {
            let address = record.address();
            let state: Record = self.get(&address).await?;
            return self
                .erase_record(authority, &state.patient, &address, keys, store)
                .await;
        };
        self.refuse_offline("erasing a record")?;
        let resolved = self.resolve_record(record).await?;
        let leaf = resolved
            .leaf
            .clone()
            .ok_or_else(|| SdkError::InvalidInput(format!("record {record} has no leaf proof")))?;
        let ix = rx::erase_compressed_record(
            &authority.pubkey(),
            EraseCompressedRecordArgs { record: leaf },
        );
        self.priced(std::slice::from_ref(&ix), &[authority]).await?;
        let uri = resolved.uri();
        if let Some(keys) = keys {
            // Named from the ciphertext's head: only while it is there.
            match offchain::envelope_name_of(store, &resolved.binding(), &uri, keys).await {
                Ok(name) => store.delete_envelope(&name).await?,
                Err(offchain::OffchainError::BlobNotFound(_)) => {}
                Err(error) => return Err(error.into()),
            }
        }
        offchain::shred(store, &uri).await?;
        let outcome = self.act(&[ix], &[authority]).await?;
        // As `erase_record`: out of the emergency summary.
        if let Some(keys) = keys {
            if authority.pubkey() == resolved.record.patient {
                self.refresh_emergency_share(
                    &resolved.record.patient,
                    keys,
                    &resolved.address,
                    store,
                )
                .await?;
            }
        }
        Ok(Outcome {
            addresses: vec![("record", resolved.address), ("tree", tree)],
            ..outcome
        })
    }

    /// The patient (or guardian) approves `requester`'s request over one
    /// record, either kind, handing it the record's data key wrapped to
    /// its encryption key. A request over the patient's records is
    /// approved with [`approve_access_request`](Self::approve_access_request).
    pub async fn approve_record_access_request(
        &self,
        authority: &AnySigner,
        requester: &Pubkey,
        record: &RecordRef,
        keys: &EncryptionKeypair,
        store: &BlobStore,
    ) -> Result<Outcome> {
        let resolved = self.resolve_record(record).await?;
        let patient = resolved.record.patient;
        if !record.is_compressed() {
            return self
                .approve_access_request(
                    authority,
                    &patient,
                    requester,
                    &resolved.address,
                    keys,
                    store,
                )
                .await;
        }
        self.acting_for(
            &authority.pubkey(),
            &patient,
            Some(keys),
            crate::ops::sharing::PatientAction::ApproveRequest,
        )
        .await?;
        let grant = records::pda::grant(&patient, requester, &resolved.address).0;
        if self.exists(&grant).await? {
            return self.create(true, &[], &[], vec![("grant", grant)]).await;
        }
        let request: records::state::AccessRequest = self
            .get(&records::pda::access_request(&patient, requester, &resolved.address).0)
            .await?;
        let key = self.envelope_key_of(&resolved, keys, store).await?;
        let entity: Entity = self.get(&records::pda::entity(requester).0).await?;
        let wrapped = offchain::wrap_key(&key, &resolved.binding(), &entity.encryption_key)?;
        let ix = rx::approve_access_request(
            &self.payer(),
            &authority.pubkey(),
            &patient,
            requester,
            &resolved.slot,
            &request.rent_payer,
            ApproveAccessRequestArgs {
                wrapped_key: wrapped.to_vec(),
                leaf: resolved.leaf,
            },
        );
        self.create(false, &[ix], &[authority], vec![("grant", grant)])
            .await
    }

    /// Amends a compressed record with a new FHIR payload: sealed under a
    /// new key (wrapped to the patient, guardian and live grants over the
    /// patient's records of its kind), appended to the same tree as the
    /// next version; the previous leaf becomes Superseded. `grant` is the
    /// issuer's grant with Amend when it is not the original issuer. An
    /// account record is amended with [`amend_record`](Self::amend_record).
    pub async fn amend_compressed_record<'a>(
        &self,
        issuer: impl Into<Acting<'a>>,
        record: &RecordRef,
        grant: Option<&Pubkey>,
        fhir_json: &[u8],
        store: &BlobStore,
    ) -> Result<(Outcome, SealedRecord, RecordRef)> {
        let issuer = issuer.into();
        self.refuse_offline("amending a record")?;
        let RecordRef::Compressed { tree, .. } = *record else {
            return Err(SdkError::InvalidInput(format!(
                "{record} is an account record: amend it with amend_record"
            )));
        };
        let resolved = self.resolve_record(record).await?;
        let previous = resolved
            .leaf
            .clone()
            .ok_or_else(|| SdkError::InvalidInput(format!("record {record} has no leaf proof")))?;
        let patient = resolved.record.patient;
        let version = resolved
            .record
            .record_version
            .checked_add(1)
            .ok_or_else(|| {
                SdkError::InvalidInput(format!("record {record} is at the last version number"))
            })?;
        let profile: Patient = self.get(&records::pda::patient(&patient).0).await?;
        let (sealed, context) = offchain::seal_bound(
            fhir_json,
            version,
            |c| key_binding(&tree, &patient, c),
            store,
        )
        .await?;
        let envelopes = match self
            .wrap_new_record(
                &profile,
                resolved.record.kind,
                &sealed,
                &context.record,
                store,
            )
            .await
        {
            Ok(names) => names,
            Err(error) => {
                let _ = offchain::shred(store, &sealed.uri).await;
                return Err(error);
            }
        };
        let ix = rx::amend_compressed_record(
            issuer.keys(),
            grant,
            AmendCompressedRecordArgs {
                commitment: sealed.commitment,
                content_commitment: sealed.content_commitment,
                previous,
            },
        );
        let signature = match self.send(&[ix], &[issuer.signer]).await {
            Ok(signature) => signature,
            Err(error) => {
                if error.landed() == Some(false) {
                    crate::ops::provider::discard(store, &sealed, &envelopes).await;
                }
                return Err(error);
            }
        };
        let index = self.written_leaf(&signature, &tree).await?;
        let amended = RecordRef::Compressed { tree, index };
        Ok((
            Outcome {
                signature: Some(signature),
                addresses: vec![("record", amended.address()), ("tree", tree)],
                ..Outcome::default()
            },
            sealed,
            amended,
        ))
    }

    /// Every record of a patient, both kinds (any status; an erased leaf is
    /// none): the record accounts, then the live leaves naming the patient
    /// of every tree the patient's history wrote to. The trees are read
    /// from the chain (the `CompressedRecordWritten` events of transactions
    /// naming the patient's profile: every compressed issue and amendment),
    /// each leaf from the tree's index, checked against the account. What
    /// every path over "all the patient's records" uses: sharing a grant
    /// over them, re-keying after its revocation, re-keying them all,
    /// rotating the patient's or the guardian's key, wrapping them to a
    /// guardian.
    pub async fn patient_records(&self, patient: &Pubkey) -> Result<Vec<PatientRecord>> {
        let mut out: Vec<PatientRecord> = self
            .records_of_patient(patient)
            .await?
            .into_iter()
            .map(|(address, record)| PatientRecord {
                reference: RecordRef::Account(address),
                address,
                record,
            })
            .collect();
        for tree in self.trees_of_patient(patient).await? {
            let index = self.tree_index(&tree).await?;
            for (at, record) in index.leaves() {
                let Some(record) = record.filter(|r| r.patient == *patient) else {
                    continue;
                };
                let reference = RecordRef::Compressed { tree, index: at };
                out.push(PatientRecord {
                    reference,
                    address: reference.address(),
                    record: record.clone(),
                });
            }
        }
        Ok(out)
    }

    /// One record of the patient by its address, either kind, as it is now:
    /// the account, or the live leaf with that address among the patient's
    /// records ([`patient_records`](Self::patient_records)). `None` when it
    /// is neither (erased, or not the patient's).
    pub async fn patient_record(
        &self,
        patient: &Pubkey,
        address: &Pubkey,
    ) -> Result<Option<PatientRecord>> {
        if let Some(record) = self.fetch::<Record>(address).await? {
            return Ok((record.patient == *patient).then_some(PatientRecord {
                reference: RecordRef::Account(*address),
                address: *address,
                record,
            }));
        }
        Ok(self
            .patient_records(patient)
            .await?
            .into_iter()
            .find(|r| r.address == *address))
    }

    /// The record trees holding (or having held) a leaf of the patient, as
    /// the patient's history names them, that still exist (a closed tree
    /// was empty or fully erased).
    ///
    /// The history is read until it is complete: every serial the
    /// patient's profile handed out under its registration
    /// (`next_record_serial`) is seen in a `RecordIssued` event of it. A
    /// JSON-RPC node lists a transaction for an address some time after it
    /// is confirmed (a test validator listed none of a profile's for
    /// seconds); a history still short after a few polls is refused, never
    /// taken for complete (a revocation must re-key every record).
    pub async fn trees_of_patient(&self, patient: &Pubkey) -> Result<Vec<Pubkey>> {
        const POLLS: usize = 60;
        let profile = records::pda::patient(patient).0;
        let Some(state) = self.fetch::<Patient>(&profile).await? else {
            // No profile: no record can be issued to the wallet.
            return Ok(Vec::new());
        };
        let registration = state.registration();
        let expected = state.next_record_serial.saturating_sub(registration);
        let mut trees = std::collections::BTreeSet::new();
        let mut poll = 0;
        loop {
            trees.clear();
            let mut serials = std::collections::BTreeSet::new();
            // Every page of it: a profile's history can pass a node's page.
            for signature in self
                .backend()
                .signatures_for_address_until(&profile, None)
                .await?
            {
                let Some(tx) = self.backend().transaction(&signature).await? else {
                    continue;
                };
                if tx.error.is_some() {
                    continue;
                }
                for event in events_of(&tx) {
                    match event {
                        PanaceaEvent::CompressedRecordWritten(e)
                            if e.record.as_ref().is_some_and(|r| r.patient == *patient) =>
                        {
                            trees.insert(e.tree);
                        }
                        PanaceaEvent::RecordIssued(e)
                            if e.patient == *patient
                                && Patient::same_registration(e.serial, registration) =>
                        {
                            serials.insert(e.serial);
                        }
                        _ => {}
                    }
                }
            }
            if serials.len() as u64 >= expected {
                break;
            }
            poll += 1;
            if poll >= POLLS {
                return Err(SdkError::Rpc(format!(
                    "the node's history of patient {patient} shows {} of the {expected} records issued to them: it is behind; try again",
                    serials.len()
                )));
            }
            tokio::time::sleep(self.config().poll_interval).await;
        }
        let mut live = Vec::with_capacity(trees.len());
        for tree in trees {
            if self.exists(&tree).await? {
                live.push(tree);
            }
        }
        Ok(live)
    }

    /// Re-keys one of the patient's records, either kind
    /// ([`rekey_record`](Self::rekey_record) or
    /// [`rekey_compressed_record`](Self::rekey_compressed_record)).
    pub async fn rekey_any_record(
        &self,
        authority: &AnySigner,
        record: &RecordRef,
        keys: &EncryptionKeypair,
        store: &BlobStore,
    ) -> Result<Outcome> {
        match record {
            RecordRef::Account(address) => {
                let state: Record = self.get(address).await?;
                self.rekey_record(authority, &state.patient, address, keys, store)
                    .await
            }
            RecordRef::Compressed { .. } => {
                self.rekey_compressed_record(authority, record, keys, store)
                    .await
            }
        }
    }

    /// Finds the compressed record at `address` among the patient's: the
    /// `CompressedRecordWritten` event that wrote it, in a transaction that
    /// names the patient's profile (every compressed issue and amendment
    /// does). `None` when no such leaf was written.
    pub async fn locate_compressed_record(
        &self,
        patient: &Pubkey,
        address: &Pubkey,
    ) -> Result<Option<RecordRef>> {
        let profile = records::pda::patient(patient).0;
        for signature in self.backend().signatures_for_address(&profile).await? {
            let Some(tx) = self.backend().transaction(&signature).await? else {
                continue;
            };
            if tx.error.is_some() {
                continue;
            }
            for event in events_of(&tx) {
                if let PanaceaEvent::CompressedRecordWritten(e) = event {
                    if e.address == *address {
                        return Ok(Some(RecordRef::Compressed {
                            tree: e.tree,
                            index: e.index,
                        }));
                    }
                }
            }
        }
        Ok(None)
    }

    /// Re-encrypts a compressed record under a fresh data key (the patient
    /// or guardian): the new ciphertext and envelopes are stored first,
    /// then the leaf is pointed at it and every usable grant on it gets the
    /// new key, in one transaction; the old ciphertext and envelopes go
    /// once that landed. Keys held by revoked or expired grantees no longer
    /// open it. An account record is re-keyed with
    /// [`rekey_record`](Self::rekey_record).
    pub async fn rekey_compressed_record(
        &self,
        authority: &AnySigner,
        record: &RecordRef,
        keys: &EncryptionKeypair,
        store: &BlobStore,
    ) -> Result<Outcome> {
        self.refuse_offline("re-keying a record")?;
        let resolved = self.resolve_record(record).await?;
        let Some(leaf) = resolved.leaf.clone() else {
            return Err(SdkError::InvalidInput(format!(
                "{record} is an account record: re-key it with rekey_record"
            )));
        };
        let state = &resolved.record;
        let (profile, _) = self
            .acting_for(
                &authority.pubkey(),
                &state.patient,
                Some(keys),
                crate::ops::sharing::PatientAction::Rekey,
            )
            .await?;
        let old_key = self.envelope_key_of(&resolved, keys, store).await?;
        let old_uri = resolved.uri();
        let binding = resolved.binding();
        let sealed = offchain::reseal(
            store,
            &resolved.context(),
            &old_uri,
            &state.commitment,
            &state.content_commitment,
            &old_key,
        )
        .await?;
        let registration = state.serial & !(records::state::SERIALS_PER_REGISTRATION - 1);
        let recipients = self
            .key_recipients(&profile, state.kind, registration)
            .await?;
        let new_envelopes =
            Self::put_envelopes(store, &sealed.data_key, &binding, &recipients).await?;
        let old_envelopes = self
            .envelopes_to_delete(
                &profile,
                state.kind,
                &old_key,
                &binding,
                &[keys.public_key_bytes()],
            )
            .await?;
        let mut ixs = vec![rx::rekey_compressed_record(
            &authority.pubkey(),
            RekeyCompressedRecordArgs {
                commitment: sealed.commitment,
                record: leaf,
            },
        )];
        let now = self.backend().unix_timestamp().await?;
        for (address, other) in self.grants_of_patient(&state.patient).await? {
            if other.target == resolved.address
                && other.revoked_at.is_none()
                && !other.is_expired(now)
            {
                let entity: Entity = self.get(&records::pda::entity(&other.grantee).0).await?;
                let wrapped =
                    offchain::wrap_key(&sealed.data_key, &binding, &entity.encryption_key)?;
                ixs.push(rx::update_grant_key(
                    &authority.pubkey(),
                    &state.patient,
                    &address,
                    UpdateGrantKeyArgs {
                        wrapped_key: wrapped.to_vec(),
                    },
                ));
            }
        }
        match self.send(&ixs, &[authority]).await {
            Ok(signature) => {
                offchain::shred(store, &old_uri).await?;
                for name in &old_envelopes {
                    store.delete_envelope(name).await?;
                }
                // As `rekey_record`: a share of the old key opens nothing.
                if authority.pubkey() == state.patient {
                    self.refresh_emergency_share(&state.patient, keys, &resolved.address, store)
                        .await?;
                }
                Ok(Outcome {
                    signature: Some(signature),
                    addresses: vec![("record", resolved.address)],
                    ..Outcome::default()
                })
            }
            Err(error) => {
                if error.landed() == Some(false) {
                    crate::ops::provider::discard(store, &sealed, &new_envelopes).await;
                }
                Err(error)
            }
        }
    }

    /// The issuer retracts a record issued in error, either kind; an
    /// amendment's previous version becomes Active again.
    pub async fn retract_any_record<'a>(
        &self,
        issuer: impl Into<Acting<'a>>,
        record: &RecordRef,
    ) -> Result<Outcome> {
        let issuer = issuer.into();
        let RecordRef::Compressed { tree, .. } = *record else {
            return self.retract_record(issuer, &record.address()).await;
        };
        let resolved = self.resolve_record(record).await?;
        let leaf = resolved
            .leaf
            .clone()
            .ok_or_else(|| SdkError::InvalidInput(format!("record {record} has no leaf proof")))?;
        let previous = if resolved.record.supersedes == [0; 16] {
            None
        } else {
            let index = self.tree_index(&tree).await?;
            let (at, _) = index
                .leaves()
                .find(|(i, _)| {
                    compressed_address(&tree, *i).as_ref()[..16] == resolved.record.supersedes
                })
                .ok_or_else(|| {
                    SdkError::InvalidInput(format!(
                        "record {record} amends a version not found in tree {tree}"
                    ))
                })?;
            Some(index.previous_leaf(at))
        };
        let ix = rx::retract_compressed_record(
            issuer.keys(),
            RetractCompressedRecordArgs {
                record: leaf,
                previous,
            },
        );
        self.act(&[ix], &[issuer.signer]).await
    }
}
