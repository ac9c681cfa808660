//! Keys that follow permissions: who gets a record's data key wrapped to
//! them, and who may hand it on.
//!
//! A record's data key is kept, as store envelopes under keyed names, for:
//!
//! - the patient (their `Patient::encryption_key`);
//! - the patient's guardian, when there is one
//!   (`Patient::guardian_encryption_key`): a guardian approves requests,
//!   grants and revokes for the patient, with its own key;
//! - every grantee of a live grant over the patient's records
//!   (`GrantScope::Patient`, not break-glass) with Read permission whose
//!   kinds include the record's kind, under the record's registration,
//!   wrapped to the grantee's entity key.
//!
//! Whoever creates a data key (an issuer issuing or amending, the patient
//! or guardian re-keying) reads that list from the chain at that moment
//! ([`PanaceaClient::key_recipients`]). A grant over the patient's records
//! made later gets the keys of the records it already covers
//! ([`PanaceaClient::share_patient_grant`]); one revoked gets its records
//! re-keyed ([`PanaceaClient::rekey_patient_grant`]).

use {
    crate::{
        backend::Backend,
        client::{AnySigner, Outcome, PanaceaClient},
        error::{Result, SdkError},
        offchain::{self, BlobStore, DataKey, EncryptionKeypair, EnvelopeName, OffchainError},
        ops::compressed::PatientRecord,
        records as rx,
    },
    anchor_lang::prelude::Pubkey,
    records::{
        pda,
        state::{
            permissions, Entity, EntityStatus, Grant, GrantScope, Patient, Record, RecordKind,
            RecordStatus,
        },
    },
};

/// Who signs for a patient: the patient, or the guardian they named.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Acting {
    Patient,
    Guardian,
}

/// What is done for a patient, to check who may do it before anything is
/// sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatientAction {
    /// Grant access (one record, or the patient's records).
    Grant,
    /// Approve an access request.
    ApproveRequest,
    /// Revoke a grant (and re-key what it covered).
    Revoke,
    /// Re-key a record.
    Rekey,
    /// Rotate the patient's own encryption key: the patient only.
    RotatePatientKey,
    /// Name, replace or remove the guardian: the patient only.
    SetGuardian,
    /// Close the patient's profile: the patient only.
    ClosePatient,
}

impl PatientAction {
    fn describe(self) -> &'static str {
        match self {
            Self::Grant => "grant access to the patient's records",
            Self::ApproveRequest => "approve an access request",
            Self::Revoke => "revoke a grant",
            Self::Rekey => "re-key a record",
            Self::RotatePatientKey => "rotate the patient's encryption key",
            Self::SetGuardian => "name or remove the patient's guardian",
            Self::ClosePatient => "close the patient's profile",
        }
    }

    /// Whether the program lets a guardian do it.
    fn guardian_may(self) -> bool {
        matches!(
            self,
            Self::Grant | Self::ApproveRequest | Self::Revoke | Self::Rekey
        )
    }
}

/// Whether the grant hands data keys of `kind` under `registration`: a
/// live, non-emergency grant over the patient's records with Read.
fn carries_keys(grant: &Grant, kind: RecordKind, registration: u64, now: i64) -> bool {
    grant.scope == GrantScope::Patient
        && !grant.emergency
        && !grant.is_revoked()
        && !grant.is_expired(now)
        && grant.permissions & permissions::READ != 0
        && grant.kinds & kind.bit() != 0
        && grant.target_serial == registration
}

/// The registration a record was issued under.
fn registration_of(record: &Record) -> u64 {
    record.serial & !(records::state::SERIALS_PER_REGISTRATION - 1)
}

impl<B: Backend> PanaceaClient<B> {
    /// Checks, before anything is sent, that `authority` may do `action`
    /// for `patient` and that `keys` (when given) are its registered
    /// encryption key; returns the patient's profile and who acts.
    pub async fn acting_for(
        &self,
        authority: &Pubkey,
        patient: &Pubkey,
        keys: Option<&EncryptionKeypair>,
        action: PatientAction,
    ) -> Result<(Patient, Acting)> {
        let profile: Patient = self.get(&pda::patient(patient).0).await?;
        let acting = if *authority == profile.authority {
            Acting::Patient
        } else if profile.guardian == Some(*authority) {
            Acting::Guardian
        } else {
            return Err(SdkError::NotPermitted(format!(
                "{authority} is neither the patient {patient} nor their guardian: it may not {}",
                action.describe()
            )));
        };
        if acting == Acting::Guardian && !action.guardian_may() {
            return Err(SdkError::NotPermitted(format!(
                "the guardian {authority} may not {}: only the patient {patient} may",
                action.describe()
            )));
        }
        if let Some(keys) = keys {
            let (registered, whose) = match acting {
                Acting::Patient => (profile.encryption_key, "the patient's"),
                Acting::Guardian => (profile.guardian_encryption_key, "the guardian's"),
            };
            if keys.public_key_bytes() != registered {
                return Err(SdkError::InvalidInput(format!(
                    "the encryption key given is not {whose} registered key for patient {patient}: nothing was sent"
                )));
            }
        }
        Ok((profile, acting))
    }

    /// The X25519 keys a data key of a record of `kind`, issued to the
    /// patient `profile` under `registration`, is wrapped to now: the
    /// patient's, the guardian's, and the entity key of every live grantee
    /// over the patient's records of that kind with Read (registered,
    /// not revoked).
    pub async fn key_recipients(
        &self,
        profile: &Patient,
        kind: RecordKind,
        registration: u64,
    ) -> Result<Vec<[u8; 32]>> {
        let mut keys = vec![profile.encryption_key];
        if profile.guardian.is_some() {
            keys.push(profile.guardian_encryption_key);
        }
        let now = self.backend().unix_timestamp().await?;
        for (_, grant) in self.grants_of_patient(&profile.authority).await? {
            if !carries_keys(&grant, kind, registration, now) {
                continue;
            }
            if let Some(key) = self.grantee_key(&grant.grantee, Some(now)).await? {
                keys.push(key);
            }
        }
        keys.sort_unstable();
        keys.dedup();
        Ok(keys)
    }

    /// A grantee's current entity key, unless it is not a registered
    /// entity (or one revoked for good). With `live_at`, only an entity
    /// that may read at that time (Active, credential not expired) is
    /// named: a key is a capability, and a suspended or expired entity's
    /// grants read nothing on chain (the patient hands it the keys again
    /// with `share_patient_grant` once it is reinstated).
    async fn grantee_key(
        &self,
        grantee: &Pubkey,
        live_at: Option<i64>,
    ) -> Result<Option<[u8; 32]>> {
        Ok(self
            .fetch::<Entity>(&pda::entity(grantee).0)
            .await?
            .filter(|e| e.status != EntityStatus::Revoked && e.encryption_key != [0; 32])
            .filter(|e| {
                live_at.is_none_or(|now| e.status == EntityStatus::Active && e.valid_until > now)
            })
            .map(|e| e.encryption_key))
    }

    /// Every key a data key of a record of `kind` may have been wrapped to:
    /// the patient's, the guardian's, `extra`, and every grantee of a grant
    /// over the patient's records of that kind, live or not (to delete
    /// their envelopes).
    async fn possible_recipients(
        &self,
        profile: &Patient,
        kind: RecordKind,
        extra: &[[u8; 32]],
    ) -> Result<Vec<[u8; 32]>> {
        let mut keys = vec![profile.encryption_key];
        if profile.guardian.is_some() {
            keys.push(profile.guardian_encryption_key);
        }
        keys.extend_from_slice(extra);
        for (_, grant) in self.grants_of_patient(&profile.authority).await? {
            if grant.scope == GrantScope::Patient && grant.kinds & kind.bit() != 0 {
                if let Some(key) = self.grantee_key(&grant.grantee, None).await? {
                    keys.push(key);
                }
            }
        }
        keys.retain(|k| *k != [0; 32]);
        keys.sort_unstable();
        keys.dedup();
        Ok(keys)
    }

    /// The patient's records, either kind, a grant over their records
    /// reaches: of its kinds, under its registration, and not retracted (an
    /// amended version was readable while it was current).
    async fn records_of_grant(&self, grant: &Grant) -> Result<Vec<PatientRecord>> {
        Ok(self
            .patient_records(&grant.patient)
            .await?
            .into_iter()
            .filter(|PatientRecord { record: r, .. }| {
                r.status != RecordStatus::Retracted
                    && grant.kinds & r.kind.bit() != 0
                    && registration_of(r) == grant.target_serial
            })
            .collect())
    }

    /// Hands the grantee of a live grant over the patient's records
    /// (`grant`) the data key of every record it already reaches, as envelopes
    /// wrapped to its entity key. `keys` are the patient's or the
    /// guardian's (whoever holds envelopes of the records). A revoked or
    /// expired grant is refused (nothing is written). Idempotent: an
    /// envelope's name depends only on the record, its key and the
    /// recipient. Records whose ciphertext is not in `store` are skipped;
    /// returns how many records were shared.
    pub async fn share_patient_grant(
        &self,
        grant: &Pubkey,
        keys: &EncryptionKeypair,
        store: &BlobStore,
    ) -> Result<usize> {
        let state: Grant = self.get(grant).await?;
        if state.scope != GrantScope::Patient
            || state.emergency
            || state.permissions & permissions::READ == 0
        {
            return Ok(0);
        }
        // Only a live grant is handed keys: a revoked one had its records
        // re-keyed away from the grantee, an expired one no longer reads.
        let now = self.backend().unix_timestamp().await?;
        if state.is_revoked() || state.is_expired(now) {
            return Err(SdkError::NotPermitted(format!(
                "grant {grant} is {}: no data key is handed to its grantee {}",
                if state.is_revoked() {
                    "revoked"
                } else {
                    "expired"
                },
                state.grantee
            )));
        }
        let Some(grantee_key) = self.grantee_key(&state.grantee, Some(now)).await? else {
            return Ok(0);
        };
        let mut shared = 0;
        for record in self.records_of_grant(&state).await? {
            if record.record.status != RecordStatus::Active {
                continue;
            }
            let Some(key) = self.held_data_key(&record, keys, store).await? else {
                continue;
            };
            offchain::put_envelope(store, &key, &record.binding(), &grantee_key).await?;
            shared += 1;
        }
        Ok(shared)
    }

    /// The data key of `record` from `keys`' envelope; `None` when its
    /// ciphertext is not in `store` (shredded, or kept elsewhere).
    async fn held_data_key(
        &self,
        record: &PatientRecord,
        keys: &EncryptionKeypair,
        store: &BlobStore,
    ) -> Result<Option<DataKey>> {
        let uri = record.uri();
        match offchain::envelope_data_key(store, &record.binding(), &uri, keys).await {
            Ok(key) => Ok(Some(key)),
            Err(OffchainError::BlobNotFound(_)) if store.get(&uri).await.is_err() => Ok(None),
            Err(OffchainError::BlobNotFound(_)) => Err(SdkError::InvalidInput(format!(
                "record {}: no envelope in this store opens with the key given",
                record.reference
            ))),
            Err(error) => Err(error.into()),
        }
    }

    /// Re-keys every record a revoked grant over the patient's records
    /// reached, either kind (when it carried keys: Read, not break-glass),
    /// one `rekey_record` or `rekey_compressed_record` each; the grants that
    /// remain get the new keys and the former grantee's envelopes are
    /// deleted. Returns the records re-keyed (their addresses).
    pub async fn rekey_patient_grant(
        &self,
        authority: &AnySigner,
        grant: &Grant,
        keys: &EncryptionKeypair,
        store: &BlobStore,
    ) -> Result<Vec<Pubkey>> {
        if grant.scope != GrantScope::Patient
            || grant.emergency
            || grant.permissions & permissions::READ == 0
        {
            return Ok(Vec::new());
        }
        let mut rekeyed = Vec::new();
        for record in self.records_of_grant(grant).await? {
            if store.get(&record.uri()).await.is_err() {
                continue;
            }
            self.rekey_any_record(authority, &record.reference, keys, store)
                .await?;
            rekeyed.push(record.address);
        }
        Ok(rekeyed)
    }

    /// Re-keys every record of the patient, either kind, whose ciphertext
    /// is in `store` (not retracted): what to do after removing a guardian
    /// (or any holder of envelopes) who may have copied data keys. Returns
    /// the records re-keyed (their addresses).
    pub async fn rekey_all_records(
        &self,
        authority: &AnySigner,
        patient: &Pubkey,
        keys: &EncryptionKeypair,
        store: &BlobStore,
    ) -> Result<Vec<Pubkey>> {
        self.acting_for(
            &authority.pubkey(),
            patient,
            Some(keys),
            PatientAction::Rekey,
        )
        .await?;
        let mut rekeyed = Vec::new();
        for record in self.patient_records(patient).await? {
            if record.record.status == RecordStatus::Retracted
                || store.get(&record.uri()).await.is_err()
            {
                continue;
            }
            self.rekey_any_record(authority, &record.reference, keys, store)
                .await?;
            rekeyed.push(record.address);
        }
        Ok(rekeyed)
    }

    /// Wraps `data_key` (of the record at `record`) to each of `recipients`
    /// as envelopes; on a failure, those written are deleted again.
    pub(crate) async fn put_envelopes(
        store: &BlobStore,
        data_key: &DataKey,
        record: &[u8; 32],
        recipients: &[[u8; 32]],
    ) -> Result<Vec<EnvelopeName>> {
        let mut names = Vec::with_capacity(recipients.len());
        for recipient in recipients {
            match offchain::put_envelope(store, data_key, record, recipient).await {
                Ok(name) => names.push(name),
                Err(error) => {
                    for name in &names {
                        let _ = store.delete_envelope(name).await;
                    }
                    return Err(error.into());
                }
            }
        }
        Ok(names)
    }

    /// The envelopes of `record` (sealed under `data_key`, kind `kind`)
    /// that may exist: for deleting them once the key is replaced.
    pub(crate) async fn envelopes_to_delete(
        &self,
        profile: &Patient,
        kind: RecordKind,
        data_key: &DataKey,
        record: &[u8; 32],
        extra: &[[u8; 32]],
    ) -> Result<Vec<EnvelopeName>> {
        let mut names = Vec::new();
        for key in self.possible_recipients(profile, kind, extra).await? {
            match offchain::envelope_name(data_key, record, &key) {
                Ok(name) => names.push(name),
                // A low-order key never received an envelope.
                Err(OffchainError::InvalidPublicKey) => {}
                Err(error) => return Err(error.into()),
            }
        }
        Ok(names)
    }

    /// Names the patient's guardian with its X25519 key (`Some`, the
    /// guardian co-signs) or removes the guardian (`None`), then, given
    /// the patient's `keys`, keeps the store in step: a new guardian gets
    /// an envelope of every record of the patient in `store`, a former
    /// guardian's envelopes are deleted. A removed guardian that copied
    /// data keys keeps what it copied: [`rekey_all_records`] is the remedy.
    /// Without `keys`, or signed offline (`sign_only`), only the
    /// transaction is built; once it has landed,
    /// [`sync_guardian_envelopes`] wraps the records to the new guardian.
    ///
    /// [`rekey_all_records`]: Self::rekey_all_records
    /// [`sync_guardian_envelopes`]: Self::sync_guardian_envelopes
    pub async fn set_guardian(
        &self,
        patient: &AnySigner,
        guardian: Option<(&AnySigner, [u8; 32])>,
        keys: Option<&EncryptionKeypair>,
        store: &BlobStore,
    ) -> Result<Outcome> {
        if !self.exists(&pda::patient(&patient.pubkey()).0).await? {
            return Err(SdkError::NotPermitted(format!(
                "{} has no patient profile: only a patient names or removes their guardian (a guardian cannot)",
                patient.pubkey()
            )));
        }
        let (profile, _) = self
            .acting_for(
                &patient.pubkey(),
                &patient.pubkey(),
                keys,
                PatientAction::SetGuardian,
            )
            .await?;
        if let Some((_, key)) = &guardian {
            if *key == [0; 32] {
                return Err(SdkError::InvalidInput(
                    "the guardian's encryption key must not be all zeroes".into(),
                ));
            }
        }
        let new_key = guardian.as_ref().map_or([0; 32], |(_, key)| *key);
        let ix = rx::set_guardian(
            &patient.pubkey(),
            guardian.as_ref().map(|(g, _)| g.pubkey()).as_ref(),
            new_key,
        );
        let mut signers = vec![patient];
        signers.extend(guardian.as_ref().map(|(g, _)| *g));
        let outcome = self.act(&[ix], &signers).await?;
        let Some(keys) = keys.filter(|_| outcome.signature.is_some()) else {
            return Ok(outcome);
        };
        let old_key = (profile.guardian.is_some() && profile.guardian_encryption_key != new_key)
            .then_some(profile.guardian_encryption_key);
        self.wrap_to_guardian(
            &profile.authority,
            guardian.map(|_| new_key),
            old_key,
            keys,
            store,
        )
        .await?;
        Ok(outcome)
    }

    /// Wraps every record of the patient in `store` to the guardian's key
    /// on chain (when there is a guardian): the store's half of naming a
    /// guardian, for a transaction signed offline or a run interrupted
    /// after it landed. `keys` are the patient's. Returns how many
    /// records were wrapped.
    pub async fn sync_guardian_envelopes(
        &self,
        patient: &Pubkey,
        keys: &EncryptionKeypair,
        store: &BlobStore,
    ) -> Result<usize> {
        let (profile, acting) = self
            .acting_for(patient, patient, Some(keys), PatientAction::SetGuardian)
            .await?;
        debug_assert_eq!(acting, Acting::Patient);
        let new_key = profile
            .guardian
            .is_some()
            .then_some(profile.guardian_encryption_key);
        self.wrap_to_guardian(patient, new_key, None, keys, store)
            .await
    }

    /// Wraps the patient's records to `new_key` and deletes their
    /// envelopes for `old_key`.
    async fn wrap_to_guardian(
        &self,
        patient: &Pubkey,
        new_key: Option<[u8; 32]>,
        old_key: Option<[u8; 32]>,
        keys: &EncryptionKeypair,
        store: &BlobStore,
    ) -> Result<usize> {
        let mut wrapped = 0;
        for record in self.patient_records(patient).await? {
            if record.record.status == RecordStatus::Retracted {
                continue;
            }
            let Some(key) = self.held_data_key(&record, keys, store).await? else {
                continue;
            };
            let record_bytes = record.binding();
            if let Some(new_key) = new_key {
                offchain::put_envelope(store, &key, &record_bytes, &new_key).await?;
                wrapped += 1;
            }
            if let Some(old) = old_key {
                if let Ok(name) = offchain::envelope_name(&key, &record_bytes, &old) {
                    store.delete_envelope(&name).await?;
                }
            }
        }
        Ok(wrapped)
    }

    /// The guardian rotates its own encryption key: every record of the
    /// patient whose envelope opens with `old_keys` gets one for
    /// `new_keys`, the new key goes on chain
    /// (`update_guardian_encryption_key`, signed by the guardian), and
    /// only then are the old envelopes deleted. A retry after the key
    /// landed finishes the clean-up.
    pub async fn rotate_guardian_key(
        &self,
        guardian: &AnySigner,
        patient: &Pubkey,
        old_keys: &EncryptionKeypair,
        new_keys: &EncryptionKeypair,
        store: &BlobStore,
    ) -> Result<Outcome> {
        self.refuse_offline("rotating an encryption key")?;
        let profile: Patient = self.get(&pda::patient(patient).0).await?;
        if profile.guardian != Some(guardian.pubkey()) {
            return Err(SdkError::NotPermitted(format!(
                "{} is not the guardian of patient {patient}: only the guardian rotates the guardian's key",
                guardian.pubkey()
            )));
        }
        let new_public = new_keys.public_key_bytes();
        let old_public = old_keys.public_key_bytes();
        if new_public == old_public {
            return Err(SdkError::InvalidInput(
                "the new encryption key is the old one".into(),
            ));
        }
        let landed_before = profile.guardian_encryption_key == new_public;
        if !landed_before && profile.guardian_encryption_key != old_public {
            return Err(SdkError::InvalidInput(
                "the guardian's key on chain is neither the old nor the new key given".into(),
            ));
        }
        let mut old_names = Vec::new();
        let mut new_names = Vec::new();
        for record in self.patient_records(patient).await? {
            if record.record.status == RecordStatus::Retracted {
                continue;
            }
            let uri = record.uri();
            let bytes = record.binding();
            let key = match offchain::envelope_data_key(store, &bytes, &uri, old_keys).await {
                Ok(key) => key,
                // Re-wrapped already, not in this store, or never wrapped
                // to the guardian: nothing to move.
                Err(OffchainError::BlobNotFound(_) | OffchainError::Unwrap) => continue,
                Err(error) => {
                    for name in &new_names {
                        let _ = store.delete_envelope(name).await;
                    }
                    return Err(error.into());
                }
            };
            new_names.push(offchain::put_envelope(store, &key, &bytes, &new_public).await?);
            old_names.push(offchain::envelope_name(&key, &bytes, &old_public)?);
        }
        let outcome = if landed_before {
            Outcome::default()
        } else {
            let ix = rx::update_guardian_encryption_key(&guardian.pubkey(), patient, new_public);
            match self.send(&[ix], &[guardian]).await {
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
            addresses: vec![("patient", pda::patient(patient).0)],
            already_existed: landed_before,
            ..outcome
        })
    }
}
