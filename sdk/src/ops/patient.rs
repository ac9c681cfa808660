//! The patient (or the guardian they name): profile, access decisions,
//! re-keying after a revocation, erasure, and consent (signed directly or
//! in a wallet for a relayer).

use {
    crate::client::AnySigner,
    crate::{
        backend::Backend,
        client::{Outcome, PanaceaClient},
        consent as cx,
        error::{Result, SdkError},
        offchain::{self, BlobStore, DataKey, EncryptionKeypair, OffchainError},
        ops::sharing::PatientAction,
        records as rx,
    },
    anchor_lang::prelude::Pubkey,
    consent::{
        constants::MAX_MESSAGE_LIFETIME,
        instructions::GrantConsentArgs,
        message::ConsentMessage,
        state::{Consent, ConsentEpoch, ConsentPurpose, ConsentTerms},
    },
    records::{
        instructions::*,
        pda,
        state::{
            AccessRequest, Entity, Grant, GrantScope, Patient, Purpose, Record, RegistryConfig,
            SERIALS_PER_REGISTRATION,
        },
    },
};

/// A grant a patient gives.
#[derive(Clone, Debug)]
pub struct AccessTerms {
    pub permissions: u8,
    pub purpose: Purpose,
    /// Seconds until the grant expires.
    pub duration: i64,
}

impl<B: Backend> PanaceaClient<B> {
    /// Creates the patient's profile with their X25519 encryption key. A
    /// guardian is named here with its own encryption key
    /// ([`register_patient_with_guardian`](Self::register_patient_with_guardian));
    /// `guardian` here is refused for want of one.
    pub async fn register_patient(
        &self,
        patient: &AnySigner,
        keys: &EncryptionKeypair,
        guardian: Option<&AnySigner>,
    ) -> Result<Outcome> {
        if guardian.is_some() {
            return Err(SdkError::InvalidInput(
                "a guardian is named with its encryption key: use register_patient_with_guardian (or set_guardian after registering)".into(),
            ));
        }
        self.register_patient_with_guardian(patient, keys, None)
            .await
    }

    /// Creates the patient's profile with their X25519 encryption key and,
    /// when given, a guardian (who co-signs) with the guardian's X25519
    /// key: the records the guardian must be able to share are wrapped to
    /// it.
    pub async fn register_patient_with_guardian(
        &self,
        patient: &AnySigner,
        keys: &EncryptionKeypair,
        guardian: Option<(&AnySigner, [u8; 32])>,
    ) -> Result<Outcome> {
        if guardian.as_ref().is_some_and(|(_, key)| *key == [0; 32]) {
            return Err(SdkError::InvalidInput(
                "the guardian's encryption key must not be all zeroes".into(),
            ));
        }
        let address = pda::patient(&patient.pubkey()).0;
        let ix = rx::register_patient(
            &self.payer(),
            &patient.pubkey(),
            guardian.as_ref().map(|(g, _)| g.pubkey()).as_ref(),
            RegisterPatientArgs {
                encryption_key: keys.public_key_bytes(),
                guardian_encryption_key: guardian.as_ref().map_or([0; 32], |(_, key)| *key),
            },
        );
        let guardian = guardian.map(|(g, _)| g);
        let mut signers = vec![patient];
        signers.extend(guardian);
        self.create(
            self.exists(&address).await?,
            &[ix],
            &signers,
            vec![("patient", address)],
        )
        .await
    }

    /// Replaces the on-chain X25519 key of a patient (signed by the
    /// patient, never the guardian) or of an entity (signed by its
    /// authority). This is the on-chain half of a rotation only: data keys
    /// wrapped to the old key open nothing for the new one until they are
    /// re-wrapped (the patient re-wraps their envelopes and re-grants; for
    /// an entity, each patient re-grants).
    pub async fn update_encryption_key(
        &self,
        authority: &AnySigner,
        holder: records::state::KeyHolder,
        new_key: [u8; 32],
    ) -> Result<Outcome> {
        if new_key == [0; 32] {
            return Err(SdkError::InvalidInput(
                "encryption key must not be all zeroes".into(),
            ));
        }
        if holder == records::state::KeyHolder::Patient {
            self.refuse_non_patient(&authority.pubkey()).await?;
        }
        let Some(ix) = rx::update_encryption_key(holder, &authority.pubkey(), new_key) else {
            return Err(SdkError::InvalidInput(
                "a guardian's key names the patient too: use rotate_guardian_key".into(),
            ));
        };
        self.act(&[ix], &[authority]).await
    }

    /// Rotates the patient's encryption key: every record of theirs (either
    /// kind, [`patient_records`](Self::patient_records)) whose
    /// ciphertext is in `store` gets an envelope for `new_keys` (unwrapped
    /// with `old_keys`), then the new public key goes on chain
    /// (`update_patient_encryption_key`, signed by the patient), and only
    /// once that has landed are the old key's envelopes deleted. A failure
    /// before the key lands leaves every record readable with the old key
    /// (the new envelopes are removed when the transaction surely did not
    /// land); a retry after it landed finds the new key on chain and the
    /// new envelopes in place, and finishes the clean-up.
    ///
    /// A record whose envelope opens with neither key is refused by name
    /// before anything changes. Grants are not touched: they hold data keys
    /// wrapped to the grantees' keys, not the patient's. (An entity that
    /// rotates cannot re-wrap its grants itself: each patient re-grants or
    /// calls `update_grant_key`.)
    pub async fn rotate_patient_key(
        &self,
        patient: &AnySigner,
        old_keys: &EncryptionKeypair,
        new_keys: &EncryptionKeypair,
        store: &BlobStore,
    ) -> Result<Outcome> {
        self.refuse_offline("rotating an encryption key")?;
        self.refuse_non_patient(&patient.pubkey()).await?;
        let address = pda::patient(&patient.pubkey()).0;
        let profile: Patient = self.get(&address).await?;
        let new_public = new_keys.public_key_bytes();
        let old_public = old_keys.public_key_bytes();
        if new_public == old_public {
            return Err(SdkError::InvalidInput(
                "the new encryption key is the old one".into(),
            ));
        }
        let landed_before = profile.encryption_key == new_public;
        if !landed_before && profile.encryption_key != old_public {
            return Err(SdkError::InvalidInput(format!(
                "the patient's key on chain is neither the old nor the new key given (it is {})",
                offchain::to_hex(&profile.encryption_key)
            )));
        }
        // Store first: a new envelope beside each old one.
        let mut old_names = Vec::new();
        let mut new_names = Vec::new();
        for listed in self.patient_records(&patient.pubkey()).await? {
            let record = listed.reference;
            let uri = listed.uri();
            let record_bytes = listed.binding();
            let found = match offchain::envelope_data_key(store, &record_bytes, &uri, old_keys)
                .await
            {
                Ok(key) => Ok(Some(key)),
                Err(OffchainError::BlobNotFound(_) | OffchainError::Unwrap) => {
                    match offchain::envelope_data_key(store, &record_bytes, &uri, new_keys).await {
                        // Re-wrapped by an earlier, interrupted rotation.
                        Ok(_) => Ok(None),
                        // No ciphertext in this store (shredded, or kept
                        // elsewhere): nothing here to re-wrap.
                        Err(OffchainError::BlobNotFound(_)) if store.get(&uri).await.is_err() => {
                            Ok(None)
                        }
                        Err(_) => Err(SdkError::InvalidInput(format!(
                            "record {record}: no envelope in this store opens with the old or the new key; nothing was rotated"
                        ))),
                    }
                }
                Err(error) => Err(error.into()),
            };
            let key = match found {
                Ok(Some(key)) => key,
                Ok(None) => continue,
                Err(error) => {
                    for name in &new_names {
                        let _ = store.delete_envelope(name).await;
                    }
                    return Err(error);
                }
            };
            new_names.push(offchain::put_envelope(store, &key, &record_bytes, &new_public).await?);
            old_names.push(offchain::envelope_name(&key, &record_bytes, &old_public)?);
        }
        let outcome = if landed_before {
            Outcome::default()
        } else {
            let ix = rx::update_patient_encryption_key(&patient.pubkey(), new_public);
            match self.send(&[ix], &[patient]).await {
                Ok(signature) => Outcome {
                    signature: Some(signature),
                    ..Outcome::default()
                },
                Err(error) => {
                    if error.landed() == Some(false) {
                        for name in &new_names {
                            let _ = store.delete_envelope(name).await;
                        }
                    }
                    return Err(error);
                }
            }
        };
        for name in &old_names {
            store.delete_envelope(name).await?;
        }
        Ok(Outcome {
            addresses: vec![("patient", address)],
            already_existed: landed_before,
            ..outcome
        })
    }

    /// Refuses, before anything is sent, a patient-only act (rotating the
    /// patient's key) by a wallet without a patient profile: a guardian
    /// signing for the patient it guards.
    async fn refuse_non_patient(&self, signer: &Pubkey) -> Result<()> {
        if self.exists(&pda::patient(signer).0).await? {
            return Ok(());
        }
        Err(SdkError::NotPermitted(format!(
            "{signer} has no patient profile: only a patient rotates their own encryption key (a guardian cannot rotate the patient's)"
        )))
    }

    /// The record's data key, from the patient's key envelope (found by its
    /// keyed name from the ciphertext's naming key).
    pub async fn patient_data_key(
        &self,
        record: &Record,
        keys: &EncryptionKeypair,
        store: &BlobStore,
    ) -> Result<DataKey> {
        let address = pda::record(&record.patient, &record.record_id).0;
        Ok(offchain::envelope_data_key(
            store,
            &address.to_bytes(),
            &offchain::blob_uri(&record.commitment),
            keys,
        )
        .await?)
    }

    /// The patient reads one of their own records.
    pub async fn read_own_record(
        &self,
        record: &Pubkey,
        keys: &EncryptionKeypair,
        store: &BlobStore,
    ) -> Result<Vec<u8>> {
        self.read_own(
            &crate::compression::RecordRef::Account(*record),
            keys,
            store,
        )
        .await
    }

    /// Checks a grant's terms before anything is read or sent, then says
    /// whether the grant exists already with those terms (a retry). One
    /// that exists with other terms, or is revoked or expired, is refused,
    /// naming what is on chain.
    pub(crate) async fn existing_grant(
        &self,
        grant: &Pubkey,
        grantee: &Pubkey,
        permissions: u8,
        kinds: Option<u16>,
        terms: &AccessTerms,
    ) -> Result<bool> {
        use records::constants::MAX_GRANT_DURATION;
        if terms.duration <= 0 || terms.duration > MAX_GRANT_DURATION {
            return Err(SdkError::InvalidInput(format!(
                "a grant lasts from 1 second to {MAX_GRANT_DURATION} seconds (5 years), not {}",
                terms.duration
            )));
        }
        let Some(existing) = self.fetch::<Grant>(grant).await? else {
            return Ok(false);
        };
        let now = self.backend().unix_timestamp().await?;
        if existing.is_revoked() || existing.is_expired(now) {
            return Err(SdkError::InvalidInput(format!(
                "grant {grant} to {grantee} exists but is {}: close it (anyone may) before granting again",
                if existing.is_revoked() { "revoked" } else { "expired" }
            )));
        }
        if existing.permissions != permissions
            || existing.purpose != terms.purpose
            || kinds.is_some_and(|kinds| existing.kinds != kinds)
        {
            return Err(SdkError::InvalidInput(format!(
                "grant {grant} to {grantee} exists with other terms (permissions 0x{:02x}, purpose {:?}, until {}): revoke it first to change them",
                existing.permissions,
                existing.purpose,
                crate::audit::iso8601(existing.expires_at)
            )));
        }
        Ok(true)
    }

    /// `key`, the data key of the record at `record`, wrapped to the
    /// grantee's current on-chain encryption key.
    async fn wrap_for(&self, grantee: &Pubkey, record: &Pubkey, key: &DataKey) -> Result<Vec<u8>> {
        let entity: Entity = self.get(&pda::entity(grantee).0).await?;
        Ok(offchain::wrap_key(key, &record.to_bytes(), &entity.encryption_key)?.to_vec())
    }

    /// Grants `grantee` (a registered entity) access to one record, handing
    /// it the record's data key wrapped to its encryption key (see
    /// [`grant_record_access`](Self::grant_record_access) for either kind).
    #[allow(clippy::too_many_arguments)]
    pub async fn grant_access(
        &self,
        authority: &AnySigner,
        patient: &Pubkey,
        record: &Pubkey,
        grantee: &Pubkey,
        terms: AccessTerms,
        keys: &EncryptionKeypair,
        store: &BlobStore,
    ) -> Result<Outcome> {
        self.grant_record_access(
            authority,
            patient,
            &crate::compression::RecordRef::Account(*record),
            grantee,
            terms,
            keys,
            store,
        )
        .await
    }

    /// Grants `grantee` (a registered entity) access to all the patient's
    /// records of `kinds` (a grant over the patient's records), and hands
    /// it the data key of every such record that exists (envelopes wrapped
    /// to its entity key, when the grant has Read): records issued while
    /// the grant lives are wrapped to it by their issuers. `keys` are the
    /// signer's, the patient's or the guardian's. A retry of a grant that
    /// landed hands the keys again.
    #[allow(clippy::too_many_arguments)]
    pub async fn grant_patient_access(
        &self,
        authority: &AnySigner,
        patient: &Pubkey,
        grantee: &Pubkey,
        kinds: u16,
        terms: AccessTerms,
        keys: &EncryptionKeypair,
        store: &BlobStore,
    ) -> Result<Outcome> {
        self.refuse_offline("a grant over the patient's records")?;
        self.acting_for(
            &authority.pubkey(),
            patient,
            Some(keys),
            PatientAction::Grant,
        )
        .await?;
        let target = pda::patient(patient).0;
        let grant = pda::grant(patient, grantee, &target).0;
        let exists = self
            .existing_grant(&grant, grantee, terms.permissions, Some(kinds), &terms)
            .await?;
        let _: Entity = self.get(&pda::entity(grantee).0).await?;
        let ix = rx::grant_access(
            &self.payer(),
            &authority.pubkey(),
            patient,
            &target,
            GrantAccessArgs {
                grantee: *grantee,
                scope: GrantScope::Patient,
                kinds,
                permissions: terms.permissions,
                purpose: terms.purpose,
                duration: terms.duration,
                wrapped_key: Vec::new(),
                leaf: None,
            },
        );
        let outcome = self
            .create(exists, &[ix], &[authority], vec![("grant", grant)])
            .await?;
        self.share_patient_grant(&grant, keys, store).await?;
        Ok(outcome)
    }

    /// Makes `issuer` the patient's care link: a grant over the patient's
    /// records of `kinds` with Issue permission (and Read, when `read`),
    /// without which no entity can issue records to the patient or bill
    /// for them. Revoking it (`revoke_access`) ends the link.
    pub async fn authorize_issuer(
        &self,
        authority: &AnySigner,
        patient: &Pubkey,
        issuer: &Pubkey,
        kinds: u16,
        terms: AccessTerms,
    ) -> Result<Outcome> {
        let grant = rx::care_link_address(patient, issuer);
        let target = pda::patient(patient).0;
        let permissions = terms.permissions | records::state::permissions::ISSUE;
        let exists = self
            .existing_grant(&grant, issuer, permissions, Some(kinds), &terms)
            .await?;
        let ix = rx::grant_access(
            &self.payer(),
            &authority.pubkey(),
            patient,
            &target,
            GrantAccessArgs {
                grantee: *issuer,
                scope: GrantScope::Patient,
                kinds,
                permissions,
                purpose: terms.purpose,
                duration: terms.duration,
                wrapped_key: Vec::new(),
                leaf: None,
            },
        );
        self.create(exists, &[ix], &[authority], vec![("grant", grant)])
            .await
    }

    /// Approves `requester`'s access request over `target` (a record, or
    /// the patient's profile for a request over their records). A request
    /// over one record gets the record's data key wrapped to the requester;
    /// one over the patient's records gets, once approved, the data key of
    /// every record of its kinds as envelopes (and issuers wrap new ones to
    /// it). `keys` are the signer's: the patient's or the guardian's.
    #[allow(clippy::too_many_arguments)]
    pub async fn approve_access_request(
        &self,
        authority: &AnySigner,
        patient: &Pubkey,
        requester: &Pubkey,
        target: &Pubkey,
        keys: &EncryptionKeypair,
        store: &BlobStore,
    ) -> Result<Outcome> {
        self.acting_for(
            &authority.pubkey(),
            patient,
            Some(keys),
            PatientAction::ApproveRequest,
        )
        .await?;
        let grant = pda::grant(patient, requester, target).0;
        if let Some(existing) = self.fetch::<Grant>(&grant).await? {
            if existing.scope == GrantScope::Patient {
                self.share_patient_grant(&grant, keys, store).await?;
            }
            return self.create(true, &[], &[], vec![("grant", grant)]).await;
        }
        let request: AccessRequest = self
            .get(&pda::access_request(patient, requester, target).0)
            .await?;
        let wrapped_key = if request.scope == GrantScope::Record {
            let state: Record = self.get(target).await?;
            let key = self.patient_data_key(&state, keys, store).await?;
            self.wrap_for(requester, target, &key).await?
        } else {
            Vec::new()
        };
        let ix = rx::approve_access_request(
            &self.payer(),
            &authority.pubkey(),
            patient,
            requester,
            target,
            &request.rent_payer,
            ApproveAccessRequestArgs {
                wrapped_key,
                leaf: None,
            },
        );
        let outcome = self
            .create(false, &[ix], &[authority], vec![("grant", grant)])
            .await?;
        if request.scope == GrantScope::Patient && outcome.signature.is_some() {
            self.share_patient_grant(&grant, keys, store).await?;
        }
        Ok(outcome)
    }

    /// The access request `requester` made over `target`.
    pub async fn access_request(
        &self,
        patient: &Pubkey,
        requester: &Pubkey,
        target: &Pubkey,
    ) -> Result<AccessRequest> {
        self.get(&pda::access_request(patient, requester, target).0)
            .await
    }

    /// Denies `requester`'s access request over `target`; its rent goes
    /// back to whoever paid it.
    pub async fn deny_access_request(
        &self,
        authority: &AnySigner,
        patient: &Pubkey,
        requester: &Pubkey,
        target: &Pubkey,
    ) -> Result<Outcome> {
        let request = self.access_request(patient, requester, target).await?;
        let ix = rx::deny_access_request(
            &authority.pubkey(),
            patient,
            requester,
            target,
            &request.rent_payer,
        );
        self.act(&[ix], &[authority]).await
    }

    /// Hands a grantee the record's current data key again (after a re-key
    /// it missed, or a grant made without one).
    pub async fn update_grant_key(
        &self,
        authority: &AnySigner,
        grant: &Pubkey,
        keys: &EncryptionKeypair,
        store: &BlobStore,
    ) -> Result<Outcome> {
        let state: Grant = self.get(grant).await?;
        if state.scope != GrantScope::Record {
            return Err(SdkError::InvalidInput(format!(
                "grant {grant} is over the patient's records, not one record: it carries no single key"
            )));
        }
        let record: Record = self.get(&state.target).await?;
        let key = self.patient_data_key(&record, keys, store).await?;
        let ix = rx::update_grant_key(
            &authority.pubkey(),
            &state.patient,
            grant,
            UpdateGrantKeyArgs {
                wrapped_key: self.wrap_for(&state.grantee, &state.target, &key).await?,
            },
        );
        self.act(&[ix], &[authority]).await
    }

    /// Revokes a grant, and nothing else: no record is re-keyed, so the
    /// former grantee's copies of data keys still open the records as they
    /// are (see [`revoke_grant`](Self::revoke_grant), which re-keys).
    pub async fn revoke_access(&self, authority: &AnySigner, grant: &Pubkey) -> Result<Outcome> {
        let state: Grant = self.get(grant).await?;
        let ix = rx::revoke_access(&authority.pubkey(), &state.patient, grant);
        self.act(&[ix], &[authority]).await
    }

    /// Revokes a grant; with `keys` (the patient's or the guardian's), also
    /// re-keys what it reached ([`revoke_and_rekey`](Self::revoke_and_rekey)):
    /// the record of a grant over one record, or every record of a grant
    /// over the patient's records that carried keys. Without keys it only
    /// revokes. Says whether anything was re-keyed.
    pub async fn revoke_grant(
        &self,
        authority: &AnySigner,
        grant: &Pubkey,
        keys: Option<&EncryptionKeypair>,
        store: &BlobStore,
    ) -> Result<(Outcome, bool)> {
        let state: Grant = self.get(grant).await?;
        match keys {
            Some(keys) => {
                self.acting_for(
                    &authority.pubkey(),
                    &state.patient,
                    Some(keys),
                    PatientAction::Revoke,
                )
                .await?;
                let carries_keys = state.scope == GrantScope::Record
                    || (!state.emergency
                        && state.permissions & records::state::permissions::READ != 0);
                let outcome = self
                    .revoke_and_rekey(authority, &state.patient, grant, keys, store)
                    .await?;
                Ok((outcome, carries_keys))
            }
            None => Ok((self.revoke_access(authority, grant).await?, false)),
        }
    }

    /// Revokes a grant. For a grant over one record, the record is then
    /// re-encrypted under a fresh key, pointed at its new ciphertext, and the
    /// new key handed to the grants that remain: the revoked grantee's key no
    /// longer opens it. For a grant over the patient's records with Read,
    /// every record it reached is re-keyed so (one transaction each), and
    /// the former grantee's envelopes are deleted.
    pub async fn revoke_and_rekey(
        &self,
        authority: &AnySigner,
        patient: &Pubkey,
        grant: &Pubkey,
        keys: &EncryptionKeypair,
        store: &BlobStore,
    ) -> Result<Outcome> {
        self.refuse_offline("a revocation that re-keys")?;
        let state: Grant = self.get(grant).await?;
        self.acting_for(
            &authority.pubkey(),
            patient,
            Some(keys),
            PatientAction::Revoke,
        )
        .await?;
        // A retry after the revocation landed goes on with the re-keying.
        let signature = if state.is_revoked() {
            None
        } else {
            let revoke = rx::revoke_access(&authority.pubkey(), patient, grant);
            Some(self.send(&[revoke], &[authority]).await?)
        };
        if state.scope != GrantScope::Record {
            let mut revoked = state;
            if revoked.revoked_at.is_none() {
                revoked.revoked_at = Some(self.backend().unix_timestamp().await?);
            }
            let rekeyed = self
                .rekey_patient_grant(authority, &revoked, keys, store)
                .await?;
            let mut addresses = vec![("grant", *grant)];
            addresses.extend(rekeyed.into_iter().map(|r| ("record", r)));
            return Ok(Outcome {
                signature,
                addresses,
                ..Outcome::default()
            });
        }
        // A grant over a compressed record names the leaf's address, which
        // is no account: the leaf is found from the patient's history.
        if !self.exists(&state.target).await? {
            if let Some(leaf) = self
                .locate_compressed_record(patient, &state.target)
                .await?
            {
                let outcome = self
                    .rekey_compressed_record(authority, &leaf, keys, store)
                    .await?;
                return Ok(Outcome {
                    signature: signature.or(outcome.signature),
                    ..outcome
                });
            }
        }
        self.rekey_record(authority, patient, &state.target, keys, store)
            .await
    }

    /// Re-encrypts a record under a fresh data key: the new ciphertext and
    /// the patient's envelope are stored first, then the record is pointed
    /// at it and every grant that can still be used gets the new key, in
    /// one transaction; the old ciphertext goes only once that landed.
    /// Keys held by revoked or expired grantees no longer open it.
    pub async fn rekey_record(
        &self,
        authority: &AnySigner,
        patient: &Pubkey,
        record_address: &Pubkey,
        keys: &EncryptionKeypair,
        store: &BlobStore,
    ) -> Result<Outcome> {
        self.refuse_offline("re-keying a record")?;
        let (profile, _) = self
            .acting_for(
                &authority.pubkey(),
                patient,
                Some(keys),
                PatientAction::Rekey,
            )
            .await?;
        let record_address = *record_address;
        let record: Record = self.get(&record_address).await?;
        let old_key = self.patient_data_key(&record, keys, store).await?;
        // Store first: the new blob and its envelopes are written while the
        // record still points at the old ones, which stay readable.
        let old_uri = offchain::blob_uri(&record.commitment);
        let context = rx::record_context(&record);
        let sealed = offchain::reseal(
            store,
            &context,
            &old_uri,
            &record.commitment,
            &record.content_commitment,
            &old_key,
        )
        .await?;
        // The new key goes to the patient, the guardian and every live
        // grant over the patient's records of this kind (read now: a
        // revoked one no longer counts); the old key's envelopes, whoever
        // held them, go once the re-key landed.
        let recipients = self
            .key_recipients(
                &profile,
                record.kind,
                record.serial & !(SERIALS_PER_REGISTRATION - 1),
            )
            .await?;
        let new_envelopes =
            Self::put_envelopes(store, &sealed.data_key, &context.record, &recipients).await?;
        let old_envelopes = self
            .envelopes_to_delete(
                &profile,
                record.kind,
                &old_key,
                &context.record,
                &[keys.public_key_bytes()],
            )
            .await?;
        let mut ixs = vec![rx::rekey_record(
            &authority.pubkey(),
            patient,
            &record_address,
            RekeyRecordArgs {
                commitment: sealed.commitment,
            },
        )];
        // The new key goes to every grant that can still be used: not the
        // revoked one, nor any other revoked or expired grant.
        let now = self.backend().unix_timestamp().await?;
        for (address, other) in self.grants_of_patient(patient).await? {
            let usable = other.revoked_at.is_none() && !other.is_expired(now);
            if other.target == record_address && usable {
                let wrapped = self
                    .wrap_for(&other.grantee, &record_address, &sealed.data_key)
                    .await?;
                ixs.push(rx::update_grant_key(
                    &authority.pubkey(),
                    patient,
                    &address,
                    UpdateGrantKeyArgs {
                        wrapped_key: wrapped,
                    },
                ));
            }
        }
        // Land, then delete: the old blob goes only once the record points
        // at the new one; if the re-key did not land, the new blob goes.
        match self.send(&ixs, &[authority]).await {
            Ok(rekeyed) => {
                offchain::shred(store, &old_uri).await?;
                for name in &old_envelopes {
                    store.delete_envelope(name).await?;
                }
                // A share of the old key would open nothing: split the new
                // one (the summary's index opens with the patient's key
                // only; after a guardian's re-key the patient marks again).
                if authority.pubkey() == *patient {
                    self.refresh_emergency_share(patient, keys, &record_address, store)
                        .await?;
                }
                Ok(Outcome {
                    signature: Some(rekeyed),
                    addresses: vec![("record", record_address)],
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

    /// Crypto-shredding: deletes the patient's key envelope (when `keys`,
    /// the patient's encryption key, is given: its name is keyed, so only
    /// the patient can find it) and the ciphertext, then burns the token and
    /// closes the record and its mint on chain. The erasure is simulated
    /// first, so one the program would refuse (a wrong signer) leaves the
    /// store untouched; deletes are idempotent, so an erasure interrupted
    /// after shredding can be run again. A guardian, without the patient's
    /// key, leaves the envelope: a wrapped key whose ciphertext is gone
    /// opens nothing, and its name ties it to no record.
    pub async fn erase_record(
        &self,
        authority: &AnySigner,
        patient: &Pubkey,
        record: &Pubkey,
        keys: Option<&EncryptionKeypair>,
        store: &BlobStore,
    ) -> Result<Outcome> {
        self.refuse_offline("erasing a record")?;
        let state: Record = self.get(record).await?;
        let ix = rx::erase_record(
            &authority.pubkey(),
            patient,
            &state.record_id,
            &state.issuer,
        );
        self.priced(std::slice::from_ref(&ix), &[authority]).await?;
        let uri = offchain::blob_uri(&state.commitment);
        if let Some(keys) = keys {
            // Named from the ciphertext's head: only while it is there.
            match offchain::envelope_name_of(store, &record.to_bytes(), &uri, keys).await {
                Ok(name) => store.delete_envelope(&name).await?,
                Err(offchain::OffchainError::BlobNotFound(_)) => {}
                Err(error) => return Err(error.into()),
            }
        }
        offchain::shred(store, &uri).await?;
        let outcome = self.act(&[ix], &[authority]).await?;
        if let Some(keys) = keys {
            // No share of an erased record's key stays with the custodians.
            self.refresh_emergency_share(patient, keys, record, store)
                .await?;
        }
        Ok(outcome)
    }

    /// Consents directly (the patient or guardian signs the transaction).
    pub async fn grant_consent(
        &self,
        authority: &AnySigner,
        patient: &Pubkey,
        grantee: &Pubkey,
        purpose: ConsentPurpose,
        terms: ConsentTerms,
    ) -> Result<Outcome> {
        let ix = cx::grant_consent(
            &self.payer(),
            &authority.pubkey(),
            patient,
            grantee,
            GrantConsentArgs { purpose, terms },
        );
        let mut outcome = self.act(&[ix], &[authority]).await?;
        outcome
            .addresses
            .push(("consent", cx::consent_address(patient, grantee, purpose)));
        Ok(outcome)
    }

    pub async fn revoke_consent(
        &self,
        authority: &AnySigner,
        patient: &Pubkey,
        grantee: &Pubkey,
        purpose: ConsentPurpose,
    ) -> Result<Outcome> {
        let ix = cx::revoke_consent(&authority.pubkey(), patient, grantee, purpose);
        self.act(&[ix], &[authority]).await
    }

    /// What a signed message for this consent must name now: the
    /// registry's deployment name, the patient's consent epoch and the
    /// consent's version (0 for what does not exist yet).
    pub async fn message_context(
        &self,
        patient: &Pubkey,
        grantee: &Pubkey,
        purpose: ConsentPurpose,
    ) -> Result<cx::MessageContext> {
        let registry: RegistryConfig = self.get(&pda::config().0).await?;
        let consent_epoch = self
            .fetch::<ConsentEpoch>(&cx::consent_epoch_address(patient))
            .await?
            .map_or(0, |e| e.epoch);
        let consent_version = self
            .fetch::<Consent>(&cx::consent_address(patient, grantee, purpose))
            .await?
            .map_or(0, |c| c.consent_version);
        Ok(cx::MessageContext {
            deployment: registry.deployment,
            consent_epoch,
            consent_version,
        })
    }

    /// The canonical message for the patient's wallet to sign: a grant (or
    /// update) of consent, or its revocation (`terms` `None`), in the
    /// consent's current state on this cluster, valid for an hour.
    pub async fn consent_message(
        &self,
        patient: &Pubkey,
        grantee: &Pubkey,
        purpose: ConsentPurpose,
        terms: Option<ConsentTerms>,
    ) -> Result<ConsentMessage> {
        let context = self.message_context(patient, grantee, purpose).await?;
        let now = self.backend().unix_timestamp().await?;
        let expires = now + (MAX_MESSAGE_LIFETIME / 24).max(60);
        Ok(match terms {
            Some(terms) => {
                cx::grant_message(patient, grantee, purpose, terms, &context, now, expires)
            }
            None => cx::revoke_message(patient, grantee, purpose, &context, now, expires),
        })
    }

    /// Relays a signed grant message (`grant_consent_signed`).
    pub async fn grant_consent_signed(
        &self,
        message: &ConsentMessage,
        signature: &[u8; 64],
    ) -> Result<Outcome> {
        if message.terms.is_none() {
            return Err(SdkError::InvalidInput(
                "this consent message revokes: relay it with revoke_consent_signed".into(),
            ));
        }
        self.relay_consent(message, signature).await
    }

    /// Relays a signed revocation message (`revoke_consent_signed`).
    pub async fn revoke_consent_signed(
        &self,
        message: &ConsentMessage,
        signature: &[u8; 64],
    ) -> Result<Outcome> {
        if message.terms.is_some() {
            return Err(SdkError::InvalidInput(
                "this consent message grants: relay it with grant_consent_signed".into(),
            ));
        }
        self.relay_consent(message, signature).await
    }

    /// Relays a message the patient signed, a grant or a revocation (this
    /// client's payer pays).
    pub async fn relay_consent(
        &self,
        message: &ConsentMessage,
        signature: &[u8; 64],
    ) -> Result<Outcome> {
        let ixs = match message.terms {
            Some(_) => cx::grant_consent_signed(&self.payer(), message, signature),
            None => cx::revoke_consent_signed(&self.payer(), message, signature),
        };
        let mut outcome = self.act(&ixs, &[]).await?;
        outcome.addresses.push((
            "consent",
            cx::consent_address(&message.patient, &message.grantee, message.purpose),
        ));
        Ok(outcome)
    }
}

/// Signs a consent message as a wallet's off-chain message signing does:
/// the signature is over the message's Solana off-chain message envelope
/// (`ConsentMessage::signed_bytes`), through `Signer::try_sign_message`,
/// so any signer works, a Ledger (`RemoteKeypair`, which signs off-chain
/// messages and refuses raw bytes) included. The signer must be the
/// message's patient.
pub fn sign_consent_message<S: solana_signer::Signer + ?Sized>(
    patient: &S,
    message: &ConsentMessage,
) -> Result<[u8; 64]> {
    let key = patient
        .try_pubkey()
        .map_err(|e| SdkError::Signing(e.to_string()))?;
    if key != message.patient {
        return Err(SdkError::Signing(format!(
            "the consent message is the patient {}'s to sign, not {key}'s",
            message.patient
        )));
    }
    let signature = patient
        .try_sign_message(&message.signed_bytes())
        .map_err(|e| SdkError::Signing(e.to_string()))?;
    <[u8; 64]>::try_from(signature.as_ref())
        .map_err(|_| SdkError::Signing("bad signature length".into()))
}

/// Checks that `signature` is `patient`'s over `message`'s off-chain
/// message envelope (what a relayer does before paying for it).
pub fn verify_consent_message(
    patient: &Pubkey,
    message: &ConsentMessage,
    signature: &[u8; 64],
) -> bool {
    message.patient == *patient
        && solana_signature::Signature::from(*signature)
            .verify(patient.as_ref(), &message.signed_bytes())
}

impl<B: Backend> PanaceaClient<B> {
    /// The patient's profile.
    pub async fn patient_profile(&self, patient: &Pubkey) -> Result<Patient> {
        self.get(&pda::patient(patient).0).await
    }
}
