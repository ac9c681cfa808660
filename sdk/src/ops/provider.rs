//! Providers, laboratories and pharmacies (and any credentialed entity for
//! access): issuing records from FHIR payloads, reading them under a grant,
//! requesting access, break-glass, claims.

use {
    crate::acting::Acting,
    crate::{
        backend::Backend,
        claims as cl,
        client::{Outcome, PanaceaClient},
        compression::RecordRef,
        error::{Result, SdkError},
        offchain::{self, BlobStore, EncryptionKeypair, SealedRecord},
        records as rx,
    },
    anchor_lang::prelude::Pubkey,
    records::{
        instructions::*,
        pda,
        state::{Patient, Record, RecordKind},
    },
};

impl<B: Backend> PanaceaClient<B> {
    /// Validates a FHIR R4 payload, encrypts it under a fresh key, stores the
    /// ciphertext, keeps the key wrapped to the patient (and to the
    /// guardian and every live grant over the patient's records of this
    /// kind with Read, as read from the chain now), and issues the
    /// record and its token under a random id. The patient must have made
    /// the issuer their care link first
    /// ([`authorize_issuer`](Self::authorize_issuer)). Returns the sealed record
    /// too: keep its data key to retry [`issue_sealed`](Self::issue_sealed)
    /// with the same id.
    pub async fn issue_record<'a>(
        &self,
        issuer: impl Into<Acting<'a>>,
        patient: &Pubkey,
        kind: RecordKind,
        fhir_json: &[u8],
        store: &BlobStore,
    ) -> Result<(Outcome, SealedRecord, [u8; 16])> {
        let issuer = issuer.into();
        let record_id = random_id();
        let (outcome, sealed) = self
            .issue_record_with_id(issuer, patient, kind, fhir_json, store, record_id)
            .await?;
        let sealed = sealed.ok_or(SdkError::InvalidInput(
            "a fresh random record id was already in use".into(),
        ))?;
        Ok((outcome, sealed, record_id))
    }

    /// Issues `fhir_json` under `record_id` (see [`derived_record_id`]). When
    /// a record already stands at that id, nothing is sealed or sent and the
    /// outcome says `already_existed` (the sealed record is then `None`):
    /// that makes a re-run of an interrupted batch skip what landed. When
    /// the transaction fails without landing, the ciphertext and key
    /// envelope written for it are deleted again.
    pub async fn issue_record_with_id<'a>(
        &self,
        issuer: impl Into<Acting<'a>>,
        patient: &Pubkey,
        kind: RecordKind,
        fhir_json: &[u8],
        store: &BlobStore,
        record_id: [u8; 16],
    ) -> Result<(Outcome, Option<SealedRecord>)> {
        let issuer = issuer.into();
        self.refuse_offline("issuing a record")?;
        let record = pda::record(patient, &record_id).0;
        if let Some(existing) = self.fetch::<Record>(&record).await? {
            if existing.issuer != issuer.entity {
                return Err(SdkError::InvalidInput(format!(
                    "record {record} exists and was issued by {}",
                    existing.issuer
                )));
            }
            // "Already issued" only when the payload it points at is there:
            // a record whose ciphertext is missing can never be read.
            let uri = offchain::blob_uri(&existing.commitment);
            if store.get(&uri).await.is_err() {
                return Err(SdkError::InvalidInput(format!(
                    "record {record} was issued, but its encrypted payload {uri} is not in this store: point --store at the store it was issued to"
                )));
            }
            let outcome = self
                .create(true, &[], &[], vec![("record", record)])
                .await?;
            return Ok((outcome, None));
        }
        let profile: Patient = self.get(&pda::patient(patient).0).await?;
        // An original is version 1.
        let context = offchain::RecordContext::new(record.to_bytes(), 1);
        let sealed = offchain::seal(fhir_json, &context, store).await?;
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
        match self
            .issue_sealed(issuer, patient, kind, &sealed, record_id)
            .await
        {
            Ok(outcome) => Ok((outcome, Some(sealed))),
            Err(error) => {
                if error.landed() == Some(false) {
                    discard(store, &sealed, &envelopes).await;
                }
                Err(error)
            }
        }
    }

    /// Amends `previous_record` with a new FHIR payload: sealed under a new
    /// key (wrapped to the patient), issued as a new record and token that
    /// supersedes the old one. `grant` is the issuer's grant with Amend
    /// permission when it is not the record's original issuer.
    pub async fn amend_record<'a>(
        &self,
        issuer: impl Into<Acting<'a>>,
        previous_record: &Pubkey,
        grant: Option<&Pubkey>,
        fhir_json: &[u8],
        store: &BlobStore,
    ) -> Result<(Outcome, SealedRecord)> {
        let issuer = issuer.into();
        self.refuse_offline("amending a record")?;
        let previous: Record = self.get(previous_record).await?;
        let profile: Patient = self.get(&pda::patient(&previous.patient).0).await?;
        let record_id = random_id();
        let record = pda::record(&previous.patient, &record_id).0;
        let record_version = previous.record_version.checked_add(1).ok_or_else(|| {
            SdkError::InvalidInput(format!(
                "record {previous_record} is at the last version number"
            ))
        })?;
        let context = offchain::RecordContext::new(record.to_bytes(), record_version);
        let sealed = offchain::seal(fhir_json, &context, store).await?;
        let envelopes = match self
            .wrap_new_record(&profile, previous.kind, &sealed, &context.record, store)
            .await
        {
            Ok(names) => names,
            Err(error) => {
                let _ = offchain::shred(store, &sealed.uri).await;
                return Err(error);
            }
        };
        let ix = rx::amend_record(
            issuer.keys(),
            &previous.patient,
            previous_record,
            grant,
            AmendRecordArgs {
                record_id,
                commitment: sealed.commitment,
                content_commitment: sealed.content_commitment,
            },
        );
        match self
            .create(false, &[ix], &[issuer.signer], vec![("record", record)])
            .await
        {
            Ok(outcome) => Ok((outcome, sealed)),
            Err(error) => {
                if error.landed() == Some(false) {
                    discard(store, &sealed, &envelopes).await;
                }
                Err(error)
            }
        }
    }

    /// Wraps a new record's data key to everyone who must be able to open
    /// it, read from the chain now ([`key_recipients`](Self::key_recipients)):
    /// the patient, the guardian, and every live grant over the patient's
    /// records of `kind` with Read.
    pub(crate) async fn wrap_new_record(
        &self,
        profile: &Patient,
        kind: RecordKind,
        sealed: &SealedRecord,
        record: &[u8; 32],
        store: &BlobStore,
    ) -> Result<Vec<offchain::EnvelopeName>> {
        let recipients = self
            .key_recipients(profile, kind, profile.registration())
            .await?;
        Self::put_envelopes(store, &sealed.data_key, record, &recipients).await
    }

    /// Issues an already sealed record under `record_id`. A retry after the
    /// record landed reports it (`already_existed`) instead of failing.
    pub async fn issue_sealed<'a>(
        &self,
        issuer: impl Into<Acting<'a>>,
        patient: &Pubkey,
        kind: RecordKind,
        sealed: &SealedRecord,
        record_id: [u8; 16],
    ) -> Result<Outcome> {
        let issuer = issuer.into();
        let record = pda::record(patient, &record_id).0;
        let addresses = vec![("record", record)];
        if let Some(existing) = self.fetch::<Record>(&record).await? {
            if existing.commitment == sealed.commitment {
                return self.create(true, &[], &[], addresses).await;
            }
        }
        let ix = rx::issue_record(
            issuer.keys(),
            patient,
            IssueRecordArgs {
                record_id,
                commitment: sealed.commitment,
                content_commitment: sealed.content_commitment,
                kind,
            },
        );
        self.create(false, &[ix], &[issuer.signer], addresses).await
    }

    /// Reads a record under a grant: unwraps the data key, from the grant
    /// (one record) or from the grantee's envelope in the store (a grant
    /// over the patient's records), with the grantee's encryption key,
    /// checks the commitment, decrypts.
    pub async fn read_record(
        &self,
        grant: &Pubkey,
        record: &Pubkey,
        keys: &EncryptionKeypair,
        store: &BlobStore,
    ) -> Result<Vec<u8>> {
        self.read_granted(grant, &RecordRef::Account(*record), keys, store)
            .await
    }

    /// The requester withdraws its unanswered request, or anyone closes an
    /// expired one; the rent goes back to `request_payer`.
    pub async fn cancel_access_request<'a>(
        &self,
        closer: impl Into<Acting<'a>>,
        patient: &Pubkey,
        requester: &Pubkey,
        target: &Pubkey,
        request_payer: &Pubkey,
    ) -> Result<Outcome> {
        let closer = closer.into();
        let ix =
            rx::cancel_access_request(closer.keys(), patient, requester, target, request_payer);
        self.act(&[ix], &[closer.signer]).await
    }

    pub async fn request_access<'a>(
        &self,
        requester: impl Into<Acting<'a>>,
        patient: &Pubkey,
        target: &Pubkey,
        args: RequestAccessArgs,
    ) -> Result<Outcome> {
        let requester = requester.into();
        let address = pda::access_request(patient, &requester.entity, target).0;
        let ix = rx::request_access(&self.payer(), requester.keys(), patient, target, args);
        self.create(
            self.exists(&address).await?,
            &[ix],
            &[requester.signer],
            vec![("access_request", address)],
        )
        .await
    }

    pub async fn emergency_access<'a>(
        &self,
        provider: impl Into<Acting<'a>>,
        patient: &Pubkey,
        reason_code: u16,
        duration: i64,
    ) -> Result<Outcome> {
        let provider = provider.into();
        let grant = rx::emergency_grant_address(patient, &provider.entity);
        // One emergency grant per provider and patient. A live one is
        // reported, not re-created; a finished one stays as audit evidence
        // until the patient (or guardian) closes it.
        if let Some(existing) = self.fetch::<records::state::Grant>(&grant).await? {
            let now = self.backend().unix_timestamp().await?;
            return Err(SdkError::InvalidInput(
                if !existing.is_revoked() && !existing.is_expired(now) {
                    format!(
                        "{} already holds emergency access to {patient} until {}",
                        provider.entity,
                        crate::audit::iso8601(existing.expires_at)
                    )
                } else {
                    format!(
                        "{}'s previous emergency access to {patient} ended; it stays as evidence until the patient or their guardian closes grant {grant}",
                        provider.entity
                    )
                },
            ));
        }
        let ix = rx::emergency_access(
            &self.payer(),
            provider.keys(),
            patient,
            EmergencyAccessArgs {
                reason_code,
                duration,
            },
        );
        self.create(false, &[ix], &[provider.signer], vec![("grant", grant)])
            .await
    }

    pub async fn log_access<'a>(
        &self,
        grantee: impl Into<Acting<'a>>,
        grant: &Pubkey,
        record: &Pubkey,
    ) -> Result<Outcome> {
        let grantee = grantee.into();
        self.log_record_access(grantee, grant, &RecordRef::Account(*record))
            .await
    }

    pub async fn retract_record<'a>(
        &self,
        issuer: impl Into<Acting<'a>>,
        record: &Pubkey,
    ) -> Result<Outcome> {
        let issuer = issuer.into();
        let state: Record = self.get(record).await?;
        let ix = rx::retract_record(
            issuer.keys(),
            &state.patient,
            &state.record_id,
            rx::previous_version(&state).as_ref(),
        );
        self.act(&[ix], &[issuer.signer]).await
    }

    /// Bills `policy` for services backed by `records` (accounts; see
    /// [`bill_records`](Self::bill_records) for either kind).
    pub async fn submit_claim<'a>(
        &self,
        provider: impl Into<Acting<'a>>,
        policy: &Pubkey,
        records: &[Pubkey],
        amount_billed: u64,
        service_commitment: [u8; 32],
    ) -> Result<Outcome> {
        let provider = provider.into();
        let records: Vec<RecordRef> = records.iter().map(|r| RecordRef::Account(*r)).collect();
        self.bill_records(
            provider,
            policy,
            &records,
            amount_billed,
            service_commitment,
        )
        .await
    }

    pub async fn appeal_claim<'a>(
        &self,
        provider: impl Into<Acting<'a>>,
        claim: &Pubkey,
    ) -> Result<Outcome> {
        let provider = provider.into();
        let state: claims::state::Claim = self.get(claim).await?;
        let ix = cl::appeal_claim(provider.keys(), &state.policy, claim);
        self.act(&[ix], &[provider.signer]).await
    }

    /// Reinstates a claim voided while the provider was not active, once it
    /// is active again (within the policy's appeal window after the voiding).
    pub async fn reinstate_claim<'a>(
        &self,
        provider: impl Into<Acting<'a>>,
        claim: &Pubkey,
    ) -> Result<Outcome> {
        let provider = provider.into();
        let state: claims::state::Claim = self.get(claim).await?;
        let ix = cl::reinstate_claim(provider.keys(), &state.policy, claim);
        self.act(&[ix], &[provider.signer]).await
    }

    pub async fn withdraw_claim<'a>(
        &self,
        provider: impl Into<Acting<'a>>,
        claim: &Pubkey,
    ) -> Result<Outcome> {
        let provider = provider.into();
        let state: claims::state::Claim = self.get(claim).await?;
        // The claim's markers name their origins (the records may have been
        // erased since).
        let origins: Vec<u64> = self
            .list::<claims::state::ClaimedRecord>(
                &claims::ID,
                claims::state::claimed_record_offsets::CLAIM,
                claim,
            )
            .await?
            .into_iter()
            .map(|(_, marker)| marker.origin)
            .collect();
        let ix = cl::withdraw_claim(
            provider.keys(),
            &state.policy,
            claim,
            &origins,
            &state.rent_payer,
        );
        self.act(&[ix], &[provider.signer]).await
    }
}

/// Best effort: removes a sealed payload whose issuing transaction did not
/// land, so a failed issue leaves the store as it found it.
pub(crate) async fn discard(
    store: &BlobStore,
    sealed: &SealedRecord,
    envelopes: &[offchain::EnvelopeName],
) {
    let _ = offchain::shred(store, &sealed.uri).await;
    for envelope in envelopes {
        let _ = store.delete_envelope(envelope).await;
    }
}

/// A record id derived from the issuer's wallet, the patient and the
/// payload: issuing the same file for the same patient again finds the
/// record that landed instead of creating a duplicate. The derivation is
/// keyed with the issuer's secret seed, so the id (which is public) cannot
/// be used to test guesses about the payload.
pub fn derived_record_id(
    issuer: &solana_keypair::Keypair,
    patient: &Pubkey,
    fhir_json: &[u8],
) -> [u8; 16] {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    hasher.update(b"panacea/record-id/v1");
    hasher.update(issuer.secret_bytes());
    hasher.update(patient.as_ref());
    hasher.update(Sha256::digest(fhir_json));
    let digest = hasher.finalize();
    let mut id = [0; 16];
    id.copy_from_slice(&digest[..16]);
    id
}

/// 16 random bytes from the OS: record, policy and claim ids.
pub fn random_id() -> [u8; 16] {
    use chacha20poly1305::aead::{rand_core::RngCore, OsRng};
    let mut id = [0; 16];
    OsRng.fill_bytes(&mut id);
    id
}
