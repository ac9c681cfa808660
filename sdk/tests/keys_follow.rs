//! Keys that follow permissions, through the in-process backend: a grant
//! over the patient's records opens the records of its kinds issued before
//! and after it, and nothing once revoked; a guardian approves, grants and
//! revokes with its own key; what a guardian may not do is refused before
//! anything is sent.

use {
    panacea_sdk::{
        backend::{in_process::InProcessBackend, Backend},
        local::{Actor, LocalDeployment},
        offchain::{self, BlobStore, EncryptionKeypair},
        ops::patient::AccessTerms,
        PanaceaClient, Pubkey, SdkError,
    },
    records::{
        instructions::RequestAccessArgs,
        pda,
        state::{
            kinds, permissions, EntityKind, EntityStatus, Grant, GrantScope, KeyHolder, Purpose,
            Record, RecordKind,
        },
    },
    solana_keypair::Keypair,
};

const DAY: i64 = 86_400;
const START: i64 = 1_795_219_200;
const OBSERVATION: &str = r#"{
  "resourceType": "Observation",
  "status": "final",
  "code": {"coding": [{"system": "http://loinc.org", "code": "2339-0", "display": "Glucose"}]},
  "valueQuantity": {"value": 6.3, "unit": "mmol/L"}
}"#;
const MEDICATION: &str = r#"{
  "resourceType": "MedicationStatement",
  "status": "active",
  "medicationCodeableConcept": {"text": "metformin 500 mg"},
  "subject": {"reference": "Patient/example"}
}"#;

struct Scene {
    client: PanaceaClient<InProcessBackend>,
    admin: Keypair,
    store: BlobStore,
    lab: Actor,
    specialist: Actor,
    colleague: Actor,
    patient: Actor,
    guardian: Actor,
}

/// A registry, a laboratory (the patient's care link for every kind, no
/// Read), two providers, and a patient without a guardian.
async fn scene() -> Scene {
    let local = LocalDeployment::with_record_book(START).await.unwrap();
    let scene = Scene {
        client: local.client.clone(),
        admin: local.admin.insecure_clone(),
        store: BlobStore::in_memory(),
        lab: Actor::new(),
        specialist: Actor::new(),
        colleague: Actor::new(),
        patient: Actor::new(),
        guardian: Actor::new(),
    };
    for (actor, kind) in [
        (&scene.lab, EntityKind::Laboratory),
        (&scene.specialist, EntityKind::Provider),
        (&scene.colleague, EntityKind::Provider),
    ] {
        local
            .register_entity(actor, kind, START + 365 * DAY)
            .await
            .unwrap();
    }
    scene
        .client
        .register_patient(&scene.patient.key, &scene.patient.enc, None)
        .await
        .unwrap();
    scene
        .client
        .authorize_issuer(
            &scene.patient.key,
            &scene.patient.pubkey(),
            &scene.lab.pubkey(),
            kinds::ALL,
            read_terms(0),
        )
        .await
        .unwrap();
    scene
}

/// `error` is the SDK's refusal naming `words`, before anything was sent.
fn assert_not_permitted(error: &SdkError, words: &str) {
    assert!(
        matches!(error, SdkError::NotPermitted(m) if m.contains(words)),
        "{error}"
    );
}

fn read_terms(permissions: u8) -> AccessTerms {
    AccessTerms {
        permissions,
        purpose: Purpose::Treatment,
        duration: 30 * DAY,
    }
}

impl Scene {
    async fn issue(&self, kind: RecordKind) -> Pubkey {
        let payload = match kind {
            RecordKind::Medication => MEDICATION,
            _ => OBSERVATION,
        };
        let (outcome, _, _) = self
            .client
            .issue_record(
                &self.lab.key,
                &self.patient.pubkey(),
                kind,
                payload.as_bytes(),
                &self.store,
            )
            .await
            .unwrap();
        outcome.address("record").unwrap()
    }

    /// The payload `reader` opens with its envelope of `record`, if any.
    async fn opens(&self, record: &Pubkey, reader: &EncryptionKeypair) -> Option<Vec<u8>> {
        let state: Record = self.client.get(record).await.unwrap();
        let key = offchain::envelope_data_key(
            &self.store,
            &record.to_bytes(),
            &offchain::blob_uri(&state.commitment),
            reader,
        )
        .await
        .ok()?;
        offchain::open(
            &self.store,
            &panacea_sdk::records::record_context(&state),
            &offchain::blob_uri(&state.commitment),
            &state.commitment,
            &state.content_commitment,
            &key,
        )
        .await
        .ok()
    }

    async fn patient_wide_grant(
        &self,
        authority: &Keypair,
        authority_keys: &EncryptionKeypair,
        grantee: &Actor,
        kinds: u16,
    ) -> Pubkey {
        self.client
            .grant_patient_access(
                authority,
                &self.patient.pubkey(),
                &grantee.pubkey(),
                kinds,
                read_terms(permissions::READ),
                authority_keys,
                &self.store,
            )
            .await
            .unwrap()
            .address("grant")
            .unwrap()
    }

    /// `requester` asks for Read over `target` (a record, or the patient's
    /// profile for their records of `kinds`) for a week, and the guardian
    /// approves with its own key: the grant.
    async fn guardian_approves(
        &self,
        requester: &Actor,
        target: &Pubkey,
        scope: GrantScope,
        kinds: u16,
    ) -> Pubkey {
        let ask = RequestAccessArgs {
            scope,
            kinds,
            permissions: permissions::READ,
            purpose: Purpose::Treatment,
            duration: 7 * DAY,
            reason_code: 4,
            leaf: None,
        };
        self.client
            .request_access(&requester.key, &self.patient.pubkey(), target, ask)
            .await
            .unwrap();
        self.client
            .approve_access_request(
                &self.guardian.key,
                &self.patient.pubkey(),
                &requester.pubkey(),
                target,
                &self.guardian.enc,
                &self.store,
            )
            .await
            .unwrap()
            .address("grant")
            .unwrap()
    }

    async fn name_guardian(&self) {
        self.client
            .set_guardian(
                &self.patient.key,
                Some((&self.guardian.key, self.guardian.enc.public_key_bytes())),
                Some(&self.patient.enc),
                &self.store,
            )
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn a_grant_over_lab_results_opens_them_before_and_after_and_nothing_once_revoked() {
    let s = scene().await;
    let lab_before = s.issue(RecordKind::LabResult).await;
    let medication_before = s.issue(RecordKind::Medication).await;
    assert_eq!(s.opens(&lab_before, &s.specialist.enc).await, None);

    let grant = s
        .patient_wide_grant(
            &s.patient.key,
            &s.patient.enc,
            &s.specialist,
            RecordKind::LabResult.bit(),
        )
        .await;
    let state: Grant = s.client.get(&grant).await.unwrap();
    assert_eq!(
        (state.scope, state.kinds),
        (GrantScope::Patient, RecordKind::LabResult.bit())
    );
    let lab_after = s.issue(RecordKind::LabResult).await;
    let medication_after = s.issue(RecordKind::Medication).await;

    // Lab results issued before and after the grant open for the grantee,
    // through the SDK's reader too; the other kinds do not.
    for record in [lab_before, lab_after] {
        assert_eq!(
            s.client
                .read_record(&grant, &record, &s.specialist.enc, &s.store)
                .await
                .unwrap(),
            OBSERVATION.as_bytes()
        );
    }
    for record in [medication_before, medication_after] {
        assert_eq!(s.opens(&record, &s.specialist.enc).await, None);
        assert!(s
            .client
            .read_record(&grant, &record, &s.specialist.enc, &s.store)
            .await
            .is_err());
    }
    // Granting again (a retry) hands the keys again and changes nothing else.
    assert!(
        s.client
            .grant_patient_access(
                &s.patient.key,
                &s.patient.pubkey(),
                &s.specialist.pubkey(),
                RecordKind::LabResult.bit(),
                read_terms(permissions::READ),
                &s.patient.enc,
                &s.store,
            )
            .await
            .unwrap()
            .already_existed
    );

    // Revocation re-keys the lab results: neither the old ones nor a new
    // one open for the former grantee; the patient reads them all.
    let mut commitments_before = Vec::new();
    for record in [lab_before, lab_after, medication_before] {
        commitments_before.push(s.client.get::<Record>(&record).await.unwrap().commitment);
    }
    let (_, rekeyed) = s
        .client
        .revoke_grant(&s.patient.key, &grant, Some(&s.patient.enc), &s.store)
        .await
        .unwrap();
    assert!(rekeyed);
    let revoked: Grant = s.client.get(&grant).await.unwrap();
    assert!(revoked.revoked_at.is_some());
    let lab_later = s.issue(RecordKind::LabResult).await;
    for record in [lab_before, lab_after, lab_later] {
        assert_eq!(s.opens(&record, &s.specialist.enc).await, None);
        assert_eq!(
            s.opens(&record, &s.patient.enc).await.unwrap(),
            OBSERVATION.as_bytes()
        );
    }
    // Only the covered kinds were re-keyed: the medication is untouched.
    let after = [lab_before, lab_after, medication_before];
    for (i, record) in after.iter().enumerate() {
        let now: Record = s.client.get(record).await.unwrap();
        assert_eq!(now.commitment == commitments_before[i], i == 2, "{record}");
    }
}

#[tokio::test]
async fn two_grantees_one_revoked_the_other_still_reads() {
    let s = scene().await;
    let old = s.issue(RecordKind::LabResult).await;
    let first = s
        .patient_wide_grant(
            &s.patient.key,
            &s.patient.enc,
            &s.specialist,
            RecordKind::LabResult.bit(),
        )
        .await;
    let second = s
        .patient_wide_grant(
            &s.patient.key,
            &s.patient.enc,
            &s.colleague,
            RecordKind::LabResult.bit() | RecordKind::Medication.bit(),
        )
        .await;
    let newer = s.issue(RecordKind::LabResult).await;
    for record in [old, newer] {
        for reader in [&s.specialist.enc, &s.colleague.enc] {
            assert!(s.opens(&record, reader).await.is_some());
        }
    }
    s.client
        .revoke_grant(&s.patient.key, &first, Some(&s.patient.enc), &s.store)
        .await
        .unwrap();
    let latest = s.issue(RecordKind::LabResult).await;
    for record in [old, newer, latest] {
        assert_eq!(s.opens(&record, &s.specialist.enc).await, None);
        assert_eq!(
            s.client
                .read_record(&second, &record, &s.colleague.enc, &s.store)
                .await
                .unwrap(),
            OBSERVATION.as_bytes()
        );
    }
    // An amendment is a new data key: wrapped to the live grantee only.
    let (amended, _) = s
        .client
        .amend_record(&s.lab.key, &latest, None, OBSERVATION.as_bytes(), &s.store)
        .await
        .unwrap();
    let amendment = amended.address("record").unwrap();
    assert!(s.opens(&amendment, &s.colleague.enc).await.is_some());
    assert_eq!(s.opens(&amendment, &s.specialist.enc).await, None);
}

#[tokio::test]
async fn a_guardian_approves_a_record_request_and_the_requester_decrypts() {
    let s = scene().await;
    // One record before the guardian is named (wrapped to it then), one
    // after (wrapped to it by the issuer).
    let before = s.issue(RecordKind::LabResult).await;
    s.name_guardian().await;
    let profile = s.client.patient_profile(&s.patient.pubkey()).await.unwrap();
    assert_eq!(
        (profile.guardian, profile.guardian_encryption_key),
        (Some(s.guardian.pubkey()), s.guardian.enc.public_key_bytes())
    );
    let after = s.issue(RecordKind::Medication).await;
    assert!(s.opens(&before, &s.guardian.enc).await.is_some());
    assert!(s.opens(&after, &s.guardian.enc).await.is_some());

    for record in [before, after] {
        let grant = s
            .guardian_approves(&s.specialist, &record, GrantScope::Record, 0)
            .await;
        assert_eq!(
            s.client.get::<Grant>(&grant).await.unwrap().granted_by,
            s.guardian.pubkey()
        );
        assert!(s
            .client
            .read_record(&grant, &record, &s.specialist.enc, &s.store)
            .await
            .is_ok());
    }

    // A request over the patient's records, approved by the guardian,
    // hands the keys of the records of its kinds.
    let target = pda::patient(&s.patient.pubkey()).0;
    let grant = s
        .guardian_approves(
            &s.colleague,
            &target,
            GrantScope::Patient,
            RecordKind::Medication.bit(),
        )
        .await;
    assert_eq!(
        s.client
            .read_record(&grant, &after, &s.colleague.enc, &s.store)
            .await
            .unwrap(),
        MEDICATION.as_bytes()
    );
    assert_eq!(s.opens(&before, &s.colleague.enc).await, None);
}

#[tokio::test]
async fn a_guardian_grants_patient_wide_and_revokes_with_a_rekey() {
    let s = scene().await;
    s.name_guardian().await;
    let old = s.issue(RecordKind::LabResult).await;
    let grant = s
        .patient_wide_grant(
            &s.guardian.key,
            &s.guardian.enc,
            &s.colleague,
            RecordKind::LabResult.bit(),
        )
        .await;
    assert_eq!(
        s.client.get::<Grant>(&grant).await.unwrap().granted_by,
        s.guardian.pubkey()
    );
    let new = s.issue(RecordKind::LabResult).await;
    for record in [old, new] {
        assert_eq!(
            s.client
                .read_record(&grant, &record, &s.colleague.enc, &s.store)
                .await
                .unwrap(),
            OBSERVATION.as_bytes()
        );
    }
    let commitment_before = s.client.get::<Record>(&old).await.unwrap().commitment;
    let (_, rekeyed) = s
        .client
        .revoke_grant(&s.guardian.key, &grant, Some(&s.guardian.enc), &s.store)
        .await
        .unwrap();
    assert!(rekeyed);
    assert_ne!(
        s.client.get::<Record>(&old).await.unwrap().commitment,
        commitment_before
    );
    for record in [old, new] {
        assert_eq!(s.opens(&record, &s.colleague.enc).await, None);
        // The patient and the guardian keep reading.
        for reader in [&s.patient.enc, &s.guardian.enc] {
            assert_eq!(
                s.opens(&record, reader).await.unwrap(),
                OBSERVATION.as_bytes()
            );
        }
    }
}

#[tokio::test]
async fn what_a_guardian_may_not_do_is_refused_before_anything_is_sent() {
    let s = scene().await;
    s.name_guardian().await;
    let record = s.issue(RecordKind::LabResult).await;
    let profile_before = s.client.patient_profile(&s.patient.pubkey()).await.unwrap();

    // Rotating the patient's key: refused by name, nothing sent.
    let new_keys = EncryptionKeypair::generate();
    let refused = s
        .client
        .rotate_patient_key(&s.guardian.key, &s.patient.enc, &new_keys, &s.store)
        .await
        .unwrap_err();
    assert_not_permitted(&refused, "a guardian cannot rotate the patient's");
    let refused = s
        .client
        .update_encryption_key(
            &s.guardian.key,
            KeyHolder::Patient,
            new_keys.public_key_bytes(),
        )
        .await
        .unwrap_err();
    assert!(matches!(refused, SdkError::NotPermitted(_)), "{refused}");
    // Naming another guardian: the patient's alone.
    let refused = s
        .client
        .set_guardian(&s.guardian.key, None, Some(&s.guardian.enc), &s.store)
        .await
        .unwrap_err();
    assert!(matches!(refused, SdkError::NotPermitted(_)), "{refused}");
    // A stranger granting for the patient.
    let stranger = Actor::new();
    let refused = s
        .client
        .grant_patient_access(
            &stranger.key,
            &s.patient.pubkey(),
            &s.colleague.pubkey(),
            kinds::ALL,
            read_terms(permissions::READ),
            &stranger.enc,
            &s.store,
        )
        .await
        .unwrap_err();
    assert_not_permitted(&refused, "neither the patient");
    // A guardian with a key that is not its registered one.
    let refused = s
        .client
        .grant_patient_access(
            &s.guardian.key,
            &s.patient.pubkey(),
            &s.colleague.pubkey(),
            kinds::ALL,
            read_terms(permissions::READ),
            &s.patient.enc,
            &s.store,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, SdkError::InvalidInput(m) if m.contains("the guardian's registered key")),
        "{refused}"
    );
    // Nothing changed on chain.
    let target = pda::patient(&s.patient.pubkey()).0;
    let grant = pda::grant(&s.patient.pubkey(), &s.colleague.pubkey(), &target).0;
    assert!(s
        .client
        .backend()
        .get_account(&grant)
        .await
        .unwrap()
        .is_none());
    let profile = s.client.patient_profile(&s.patient.pubkey()).await.unwrap();
    assert_eq!(
        (
            profile.encryption_key,
            profile.guardian,
            profile.guardian_encryption_key
        ),
        (
            profile_before.encryption_key,
            profile_before.guardian,
            profile_before.guardian_encryption_key
        )
    );
    assert!(s.opens(&record, &s.patient.enc).await.is_some());
}

#[tokio::test]
async fn a_guardian_rotates_its_key_and_a_removed_guardian_loses_its_envelopes() {
    let s = scene().await;
    s.name_guardian().await;
    let record = s.issue(RecordKind::LabResult).await;
    let new_keys = EncryptionKeypair::generate();
    s.client
        .rotate_guardian_key(
            &s.guardian.key,
            &s.patient.pubkey(),
            &s.guardian.enc,
            &new_keys,
            &s.store,
        )
        .await
        .unwrap();
    assert_eq!(
        s.client
            .patient_profile(&s.patient.pubkey())
            .await
            .unwrap()
            .guardian_encryption_key,
        new_keys.public_key_bytes()
    );
    assert_eq!(s.opens(&record, &s.guardian.enc).await, None);
    assert!(s.opens(&record, &new_keys).await.is_some());
    // The rotation is in the patient's audit trail.
    let rotations: Vec<_> = panacea_sdk::audit::audit_trail(&s.client, &s.patient.pubkey())
        .await
        .unwrap()
        .into_iter()
        .filter(|entry| entry.event.name() == "EncryptionKeyRotated")
        .collect();
    assert_eq!(rotations.len(), 1);
    // A stranger cannot rotate it.
    let stranger = Actor::new();
    let refused = s
        .client
        .rotate_guardian_key(
            &stranger.key,
            &s.patient.pubkey(),
            &new_keys,
            &stranger.enc,
            &s.store,
        )
        .await
        .unwrap_err();
    assert!(matches!(refused, SdkError::NotPermitted(_)), "{refused}");

    // Removed: the guardian's envelopes go; a re-key of every record
    // leaves what it may have copied opening nothing.
    let copied = {
        let state: Record = s.client.get(&record).await.unwrap();
        offchain::envelope_data_key(
            &s.store,
            &record.to_bytes(),
            &offchain::blob_uri(&state.commitment),
            &new_keys,
        )
        .await
        .unwrap()
    };
    s.client
        .set_guardian(&s.patient.key, None, Some(&s.patient.enc), &s.store)
        .await
        .unwrap();
    let profile = s.client.patient_profile(&s.patient.pubkey()).await.unwrap();
    assert_eq!(
        (profile.guardian, profile.guardian_encryption_key),
        (None, [0; 32])
    );
    assert_eq!(s.opens(&record, &new_keys).await, None);
    let rekeyed = s
        .client
        .rekey_all_records(
            &s.patient.key,
            &s.patient.pubkey(),
            &s.patient.enc,
            &s.store,
        )
        .await
        .unwrap();
    assert_eq!(rekeyed, vec![record]);
    let state: Record = s.client.get(&record).await.unwrap();
    assert!(offchain::open(
        &s.store,
        &panacea_sdk::records::record_context(&state),
        &offchain::blob_uri(&state.commitment),
        &state.commitment,
        &state.content_commitment,
        &copied,
    )
    .await
    .is_err());
    assert!(s.opens(&record, &s.patient.enc).await.is_some());
}

#[tokio::test]
async fn a_revoked_or_expired_grant_over_the_patients_records_is_handed_no_key_again() {
    let s = scene().await;
    let patient = s.patient.pubkey();
    let profile = pda::patient(&patient).0;
    let lab = s.issue(RecordKind::LabResult).await;
    let grant = s
        .patient_wide_grant(
            &s.patient.key,
            &s.patient.enc,
            &s.specialist,
            RecordKind::LabResult.bit(),
        )
        .await;
    assert!(s.opens(&lab, &s.specialist.enc).await.is_some());
    s.client
        .revoke_grant(&s.patient.key, &grant, Some(&s.patient.enc), &s.store)
        .await
        .unwrap();
    assert_eq!(s.opens(&lab, &s.specialist.enc).await, None);
    let revoked: Grant = s.client.get(&grant).await.unwrap();

    // "Approving" again over the revoked grant (the path a stale request
    // takes) or handing its keys directly: refused, nothing written, the
    // former grantee opens nothing.
    let refused = s
        .client
        .approve_access_request(
            &s.patient.key,
            &patient,
            &s.specialist.pubkey(),
            &profile,
            &s.patient.enc,
            &s.store,
        )
        .await
        .unwrap_err();
    assert_not_permitted(&refused, "revoked");
    let refused = s
        .client
        .share_patient_grant(&grant, &s.patient.enc, &s.store)
        .await
        .unwrap_err();
    assert_not_permitted(&refused, "revoked");
    assert_eq!(s.opens(&lab, &s.specialist.enc).await, None);
    assert_eq!(
        s.opens(&lab, &s.patient.enc).await.unwrap(),
        OBSERVATION.as_bytes()
    );
    let after: Grant = s.client.get(&grant).await.unwrap();
    assert_eq!(
        (after.revoked_at, after.expires_at),
        (revoked.revoked_at, revoked.expires_at)
    );

    // An expired grant: a medication issued after it expired is not
    // wrapped to the former grantee, and handing the grant's keys is
    // refused.
    let short = s
        .client
        .grant_patient_access(
            &s.patient.key,
            &patient,
            &s.colleague.pubkey(),
            RecordKind::Medication.bit(),
            AccessTerms {
                permissions: permissions::READ,
                purpose: Purpose::Treatment,
                duration: 60,
            },
            &s.patient.enc,
            &s.store,
        )
        .await
        .unwrap()
        .address("grant")
        .unwrap();
    s.client.backend().advance_clock(61);
    let medication = s.issue(RecordKind::Medication).await;
    assert_eq!(s.opens(&medication, &s.colleague.enc).await, None);
    let refused = s
        .client
        .share_patient_grant(&short, &s.patient.enc, &s.store)
        .await
        .unwrap_err();
    assert_not_permitted(&refused, "expired");
    assert_eq!(s.opens(&medication, &s.colleague.enc).await, None);
    assert_eq!(
        s.opens(&medication, &s.patient.enc).await.unwrap(),
        MEDICATION.as_bytes()
    );
}

#[tokio::test]
async fn a_suspended_grantee_is_handed_no_new_key_until_it_is_reinstated() {
    let s = scene().await;
    let grant = s
        .patient_wide_grant(
            &s.patient.key,
            &s.patient.enc,
            &s.specialist,
            RecordKind::LabResult.bit(),
        )
        .await;
    let before = s.issue(RecordKind::LabResult).await;
    assert!(s.opens(&before, &s.specialist.enc).await.is_some());

    // Suspended, its grant reads nothing on chain: a record issued now is
    // not wrapped to it (a key is a capability).
    s.client
        .set_entity_status(&s.admin, &s.specialist.pubkey(), EntityStatus::Suspended)
        .await
        .unwrap();
    let during = s.issue(RecordKind::LabResult).await;
    assert_eq!(s.opens(&during, &s.specialist.enc).await, None);
    assert!(s.opens(&during, &s.patient.enc).await.is_some());

    // Reinstated, the patient hands it what it missed.
    s.client
        .set_entity_status(&s.admin, &s.specialist.pubkey(), EntityStatus::Active)
        .await
        .unwrap();
    s.client
        .share_patient_grant(&grant, &s.patient.enc, &s.store)
        .await
        .unwrap();
    assert!(s.opens(&during, &s.specialist.enc).await.is_some());
}
