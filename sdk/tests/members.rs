//! An entity's staff through the SDK, in process: members added, listed,
//! suspended, reinstated, updated, revoked and closed by the authority and
//! by an EntityAdmin member; a member's W3C Verifiable Credential exported,
//! verified against the chain, and refused once stale, tampered or signed
//! by someone else.

use {
    panacea_sdk::{
        acting::{member_address, Acting},
        backend::Backend,
        credential::{
            check_commitment, export_member_credential, member_commitment, sign_credential,
            verify_member_credential, CredentialError,
        },
        error::{InstructionError, TransactionError},
        local::{Actor, LocalDeployment, LOCAL_START},
        rent, Pubkey, SdkError,
    },
    records::{
        errors::RecordsError,
        instructions::UpdateMemberArgs,
        state::{roles, EntityKind, MemberStatus},
    },
    serde_json::json,
    solana_keypair::Keypair,
    solana_signer::Signer,
};

const DAY: i64 = 86_400;
/// A `Member` account: 201 bytes, (201 + 128) * 6960 lamports.
const MEMBER_RENT: u64 = 2_289_840;
const LICENCE: &[u8] = b"synthetic licence: Dr. Rivera, MD-0001, valid 2026-2027";

/// The program refused with `expected` (by name when the committed IDL
/// knows it, else by its code).
fn assert_refused(error: SdkError, expected: RecordsError) {
    let code = u32::from(expected);
    match &error {
        SdkError::Program { code: got, .. } => assert_eq!(*got, code, "{error}"),
        SdkError::Transaction {
            error: TransactionError::InstructionError(_, InstructionError::Custom(got)),
            ..
        } => assert_eq!(*got, code, "{error}"),
        other => panic!("expected {expected:?}, got {other}"),
    }
}

async fn deployment_with_hospital() -> (LocalDeployment, Actor) {
    let d = LocalDeployment::start(LOCAL_START).await.unwrap();
    let hospital = Actor::new();
    d.register_entity(&hospital, EntityKind::Provider, LOCAL_START + 365 * DAY)
        .await
        .unwrap();
    (d, hospital)
}

async fn balance(d: &LocalDeployment, key: &Pubkey) -> u64 {
    d.backend
        .get_account(key)
        .await
        .unwrap()
        .map_or(0, |a| a.lamports)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_authority_and_an_entity_admin_manage_the_staff() {
    let (d, hospital) = deployment_with_hospital().await;
    let c = &d.client;
    let h = hospital.pubkey();
    let (admin, clinician, nurse) = (Keypair::new(), Keypair::new(), Keypair::new());
    let until = LOCAL_START + 90 * DAY;
    let key = [7u8; 32];
    let commitment = member_commitment(&key, LICENCE);

    // The authority adds an EntityAdmin and a clinician.
    let payer_before = balance(&d, &c.payer()).await;
    c.add_member(
        &hospital.key,
        &admin.pubkey(),
        roles::ENTITY_ADMIN,
        until,
        commitment,
    )
    .await
    .unwrap();
    let added = c
        .add_member(
            &hospital.key,
            &clinician.pubkey(),
            roles::CLINICIAN,
            until,
            commitment,
        )
        .await
        .unwrap();
    assert_eq!(
        added.addresses,
        vec![("member", member_address(&h, &clinician.pubkey()))]
    );
    // A retry finds it.
    let retry = c
        .add_member(
            &hospital.key,
            &clinician.pubkey(),
            roles::CLINICIAN,
            until,
            commitment,
        )
        .await
        .unwrap();
    assert!(retry.already_existed);
    let spent = payer_before - balance(&d, &c.payer()).await;
    assert!(spent >= 2 * MEMBER_RENT, "the payer paid both rents");
    // The account holds the rent the SDK's table gives.
    let table = rent::account_rent(d.backend.as_ref()).await.unwrap();
    let row = table.iter().find(|r| r.name == "Member").unwrap();
    assert_eq!((row.bytes, row.lamports), (201, MEMBER_RENT));
    assert_eq!(
        balance(&d, &member_address(&h, &clinician.pubkey())).await,
        MEMBER_RENT
    );
    assert!(rent::operation_rent(&table).contains(&("add a member (staff)", MEMBER_RENT)));

    // The EntityAdmin member adds a nurse, but no EntityAdmin.
    let as_admin = Acting::member(&admin, h);
    c.add_member(as_admin, &nurse.pubkey(), roles::NURSE, until, commitment)
        .await
        .unwrap();
    let other_admin = Keypair::new();
    assert_refused(
        c.add_member(
            as_admin,
            &other_admin.pubkey(),
            roles::ENTITY_ADMIN,
            until,
            commitment,
        )
        .await
        .unwrap_err(),
        RecordsError::AdminRoleReservedToAuthority,
    );
    assert!(c.member(&h, &other_admin.pubkey()).await.unwrap().is_none());

    let mut listed: Vec<Pubkey> = c
        .members_of_entity(&h)
        .await
        .unwrap()
        .into_iter()
        .map(|(_, m)| m.member)
        .collect();
    listed.sort();
    let mut expected = vec![admin.pubkey(), clinician.pubkey(), nurse.pubkey()];
    expected.sort();
    assert_eq!(listed, expected);

    // Suspend, reinstate, update: the revision counts every change.
    c.suspend_member(as_admin, &nurse.pubkey()).await.unwrap();
    let m = c.member(&h, &nurse.pubkey()).await.unwrap().unwrap();
    assert_eq!((m.status, m.revision), (MemberStatus::Suspended, 2));
    c.reinstate_member(as_admin, &nurse.pubkey()).await.unwrap();
    c.update_member(
        as_admin,
        &nurse.pubkey(),
        UpdateMemberArgs {
            roles: Some(roles::NURSE | roles::CLINICIAN),
            valid_until: None,
            credential_commitment: None,
        },
    )
    .await
    .unwrap();
    let m = c.member(&h, &nurse.pubkey()).await.unwrap().unwrap();
    assert_eq!(
        (m.status, m.roles, m.revision),
        (MemberStatus::Active, roles::NURSE | roles::CLINICIAN, 4)
    );
    // An empty update is refused before anything is sent.
    assert!(matches!(
        c.update_member(
            as_admin,
            &nurse.pubkey(),
            UpdateMemberArgs {
                roles: None,
                valid_until: None,
                credential_commitment: None
            }
        )
        .await,
        Err(SdkError::InvalidInput(_))
    ));
    // The authority suspends the EntityAdmin member: at once, it manages
    // no one; reinstated, it does again.
    c.suspend_member(&hospital.key, &admin.pubkey())
        .await
        .unwrap();
    assert_refused(
        c.suspend_member(as_admin, &clinician.pubkey())
            .await
            .unwrap_err(),
        RecordsError::MemberSuspended,
    );
    c.reinstate_member(&hospital.key, &admin.pubkey())
        .await
        .unwrap();

    // Revoked is final: the key cannot be added again.
    c.revoke_member(as_admin, &nurse.pubkey()).await.unwrap();
    assert_refused(
        c.add_member(as_admin, &nurse.pubkey(), roles::NURSE, until, commitment)
            .await
            .unwrap_err(),
        RecordsError::MemberRevoked,
    );
    assert_refused(
        c.close_member(&hospital.key, &nurse.pubkey())
            .await
            .unwrap_err(),
        RecordsError::MemberRevoked,
    );

    // Closing returns the rent to whoever paid it; the key may come back.
    let before = balance(&d, &c.payer()).await;
    c.close_member(as_admin, &clinician.pubkey()).await.unwrap();
    let after = balance(&d, &c.payer()).await;
    assert!(after > before && after - before <= MEMBER_RENT);
    assert!(
        after - before + 100_000 >= MEMBER_RENT,
        "rent back, less fees"
    );
    assert!(c.member(&h, &clinician.pubkey()).await.unwrap().is_none());
    // (A new blockhash: the same transaction as the first add otherwise.)
    d.backend.advance_clock(1);
    c.add_member(
        &hospital.key,
        &clinician.pubkey(),
        roles::CLINICIAN,
        until,
        commitment,
    )
    .await
    .unwrap();
    let back = c.member(&h, &clinician.pubkey()).await.unwrap().unwrap();
    assert_eq!((back.revision, back.status), (1, MemberStatus::Active));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_verifiable_credential_verifies_against_the_chain_and_goes_stale() {
    let (d, hospital) = deployment_with_hospital().await;
    let c = &d.client;
    let h = hospital.pubkey();
    let (admin, clinician) = (Keypair::new(), Keypair::new());
    let key = [9u8; 32];
    let until = LOCAL_START + 90 * DAY;
    c.add_member(
        &hospital.key,
        &admin.pubkey(),
        roles::ENTITY_ADMIN,
        until,
        [3; 32],
    )
    .await
    .unwrap();
    c.add_member(
        &hospital.key,
        &clinician.pubkey(),
        roles::CLINICIAN,
        until,
        member_commitment(&key, LICENCE),
    )
    .await
    .unwrap();
    let now = d.backend.unix_timestamp().await.unwrap();

    // Exported by the authority, and by the EntityAdmin member.
    let vc = export_member_credential(c, &hospital.key, &h, &clinician.pubkey(), now)
        .await
        .unwrap();
    assert_eq!(vc["credentialSubject"]["panacea"]["deployment"], "localnet");
    let verified = verify_member_credential(c, &vc, now).await.unwrap();
    assert_eq!(
        (
            verified.entity,
            verified.member,
            verified.signer,
            verified.revision
        ),
        (h, clinician.pubkey(), h, 1)
    );
    check_commitment(&verified, &key, LICENCE).unwrap();
    assert!(check_commitment(&verified, &key, b"another licence").is_err());
    let by_admin = export_member_credential(c, &admin, &h, &clinician.pubkey(), now)
        .await
        .unwrap();
    assert_eq!(
        verify_member_credential(c, &by_admin, now)
            .await
            .unwrap()
            .signer,
        admin.pubkey()
    );

    // Signed by the clinician itself, or a stranger: refused.
    let by_self = sign_credential(&vc, &clinician, now).unwrap();
    assert!(matches!(
        verify_member_credential(c, &by_self, now).await,
        Err(SdkError::Credential(
            CredentialError::SignerNotAuthorized { .. }
        ))
    ));
    // Tampered roles: the proof breaks.
    let mut tampered = vc.clone();
    tampered["credentialSubject"]["roles"] = json!(["Clinician", "EntityAdmin"]);
    tampered["credentialSubject"]["panacea"]["rolesMask"] =
        json!(roles::CLINICIAN | roles::ENTITY_ADMIN);
    assert!(matches!(
        verify_member_credential(c, &tampered, now).await,
        Err(SdkError::Credential(CredentialError::BadProof { .. }))
    ));

    // Suspended: stale; reinstated: still stale; a fresh export verifies.
    c.suspend_member(&hospital.key, &clinician.pubkey())
        .await
        .unwrap();
    assert!(matches!(
        verify_member_credential(c, &vc, now).await,
        Err(SdkError::Credential(CredentialError::StaleRevision {
            credential: 1,
            chain: 2
        }))
    ));
    assert!(matches!(
        export_member_credential(c, &hospital.key, &h, &clinician.pubkey(), now).await,
        Err(SdkError::InvalidInput(_))
    ));
    c.reinstate_member(&hospital.key, &clinician.pubkey())
        .await
        .unwrap();
    assert!(verify_member_credential(c, &vc, now).await.is_err());
    let fresh = export_member_credential(c, &hospital.key, &h, &clinician.pubkey(), now)
        .await
        .unwrap();
    assert_eq!(
        verify_member_credential(c, &fresh, now)
            .await
            .unwrap()
            .revision,
        3
    );

    // An update (new validity) makes it stale again.
    c.update_member(
        &hospital.key,
        &clinician.pubkey(),
        UpdateMemberArgs {
            roles: None,
            valid_until: Some(until + DAY),
            credential_commitment: None,
        },
    )
    .await
    .unwrap();
    assert!(matches!(
        verify_member_credential(c, &fresh, now).await,
        Err(SdkError::Credential(CredentialError::StaleRevision {
            chain: 4,
            ..
        }))
    ));

    // Closed: not found; the entity suspended: the issuer is refused.
    let current = export_member_credential(c, &hospital.key, &h, &clinician.pubkey(), now)
        .await
        .unwrap();
    c.set_entity_status(&d.admin, &h, records::state::EntityStatus::Suspended)
        .await
        .unwrap();
    assert!(matches!(
        verify_member_credential(c, &current, now).await,
        Err(SdkError::Credential(
            CredentialError::IssuerNotActive { .. }
        ))
    ));
    c.close_member(&hospital.key, &clinician.pubkey())
        .await
        .unwrap();
    assert!(matches!(
        verify_member_credential(c, &current, now).await,
        Err(SdkError::Credential(
            CredentialError::IssuerNotActive { .. } | CredentialError::MemberNotFound { .. }
        ))
    ));
}

const OBSERVATION: &str = r#"{"resourceType": "Observation", "status": "final", "code": {"coding": [{"system": "http://loinc.org", "code": "2339-0"}]}, "valueQuantity": {"value": 6.3, "unit": "mmol/L"}}"#;

#[tokio::test(flavor = "multi_thread")]
async fn members_act_for_the_hospital_and_the_trail_names_them() {
    use {
        panacea_sdk::{
            audit::{audit_event_to_fhir, audit_trail},
            events::PanaceaEvent,
            offchain::BlobStore,
            ops::patient::AccessTerms,
        },
        records::{
            instructions::RequestAccessArgs,
            state::{kinds, permissions, GrantScope, Purpose, RecordKind},
        },
    };
    let d = LocalDeployment::with_record_book(LOCAL_START)
        .await
        .unwrap();
    let c = &d.client;
    let hospital = Actor::new();
    d.register_entity(&hospital, EntityKind::Provider, LOCAL_START + 365 * DAY)
        .await
        .unwrap();
    let h = hospital.pubkey();
    let patient = Actor::new();
    let store = BlobStore::in_memory();
    c.register_patient(&patient.key, &patient.enc, None)
        .await
        .unwrap();
    c.authorize_issuer(
        &patient.key,
        &patient.pubkey(),
        &h,
        kinds::ALL,
        AccessTerms {
            permissions: 0,
            purpose: Purpose::Treatment,
            duration: 365 * DAY,
        },
    )
    .await
    .unwrap();
    let (clinician, nurse, lab) = (Keypair::new(), Keypair::new(), Keypair::new());
    let until = LOCAL_START + 90 * DAY;
    for (key, role) in [
        (&clinician, roles::CLINICIAN),
        (&nurse, roles::NURSE),
        (&lab, roles::LAB_TECHNICIAN),
    ] {
        c.add_member(&hospital.key, &key.pubkey(), role, until, [6; 32])
            .await
            .unwrap();
        // A member pays the rent of what it creates.
        d.backend
            .svm()
            .airdrop(&key.pubkey(), 1_000_000_000)
            .unwrap();
    }

    // The lab technician issues for the hospital: the record is the
    // hospital's.
    let (outcome, _, _) = c
        .issue_record(
            Acting::member(&lab, h),
            &patient.pubkey(),
            RecordKind::LabResult,
            OBSERVATION.as_bytes(),
            &store,
        )
        .await
        .unwrap();
    let record = outcome.address("record").unwrap();
    let state: records::state::Record = c.get(&record).await.unwrap();
    assert_eq!(state.issuer, h);
    // A nurse may not issue.
    assert_refused(
        c.issue_record(
            Acting::member(&nurse, h),
            &patient.pubkey(),
            RecordKind::LabResult,
            OBSERVATION.as_bytes(),
            &store,
        )
        .await
        .unwrap_err(),
        RecordsError::RoleNotAllowed,
    );

    // The clinician asks; the patient approves (to the hospital); the
    // clinician reads with the hospital's key and the nurse logs the read.
    let ask = RequestAccessArgs {
        scope: GrantScope::Record,
        kinds: 0,
        permissions: permissions::READ,
        purpose: Purpose::Treatment,
        duration: 7 * DAY,
        reason_code: 4,
        leaf: None,
    };
    c.request_access(
        Acting::member(&clinician, h),
        &patient.pubkey(),
        &record,
        ask,
    )
    .await
    .unwrap();
    let approved = c
        .approve_access_request(
            &patient.key,
            &patient.pubkey(),
            &h,
            &record,
            &patient.enc,
            &store,
        )
        .await
        .unwrap();
    let grant = approved.address("grant").unwrap();
    assert_eq!(
        c.read_record(&grant, &record, &hospital.enc, &store)
            .await
            .unwrap(),
        OBSERVATION.as_bytes()
    );
    c.log_access(Acting::member(&nurse, h), &grant, &record)
        .await
        .unwrap();

    // Suspended, the nurse is stopped at once; the clinician keeps working.
    c.suspend_member(&hospital.key, &nurse.pubkey())
        .await
        .unwrap();
    let count = c
        .get::<records::state::Grant>(&grant)
        .await
        .unwrap()
        .access_count;
    assert_refused(
        c.log_access(Acting::member(&nurse, h), &grant, &record)
            .await
            .unwrap_err(),
        RecordsError::MemberSuspended,
    );
    assert_eq!(
        c.get::<records::state::Grant>(&grant)
            .await
            .unwrap()
            .access_count,
        count
    );
    c.log_access(Acting::member(&clinician, h), &grant, &record)
        .await
        .unwrap();
    assert_eq!(
        c.get::<records::state::Grant>(&grant)
            .await
            .unwrap()
            .access_count,
        count + 1
    );

    // The trail names each person beside the hospital.
    let trail = audit_trail(c, &patient.pubkey()).await.unwrap();
    let issued = trail
        .iter()
        .find(|e| matches!(&e.event, PanaceaEvent::RecordIssued(_)))
        .unwrap();
    assert_eq!(issued.event.actor_member(), Some(lab.pubkey()));
    assert_eq!(issued.event.acting_entity(), Some(h));
    let reads: Vec<_> = trail
        .iter()
        .filter(|e| matches!(&e.event, PanaceaEvent::AccessLogged(_)))
        .collect();
    assert_eq!(
        reads
            .iter()
            .map(|e| e.event.actor_member())
            .collect::<Vec<_>>(),
        vec![Some(nurse.pubkey()), Some(clinician.pubkey())]
    );
    assert!(trail.iter().any(|e| matches!(&e.event,
        PanaceaEvent::AccessRequested(r) if r.requester == h && r.actor_member == Some(clinician.pubkey()))));
    let fhir = audit_event_to_fhir(reads[0]).unwrap();
    assert_eq!(fhir["agent"][0]["who"]["type"], "Practitioner");
    assert_eq!(
        fhir["agent"][0]["who"]["identifier"]["value"],
        nurse.pubkey().to_string()
    );
    assert_eq!(
        fhir["agent"][0]["extension"][0]["valueReference"]["identifier"]["value"],
        h.to_string()
    );
    assert_eq!(fhir["agent"][1]["who"]["type"], "Organization");
    let fhir = audit_event_to_fhir(issued).unwrap();
    assert_eq!(
        fhir["agent"][0]["who"]["identifier"]["value"],
        lab.pubkey().to_string()
    );
}

/// The custom program error code of a refused transaction.
fn refused_code(error: &SdkError) -> Option<u32> {
    match error {
        SdkError::Program { code, .. } => Some(*code),
        SdkError::Transaction {
            error: TransactionError::InstructionError(_, InstructionError::Custom(code)),
            ..
        } => Some(*code),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_billing_member_submits_and_an_adjudicator_member_decides() {
    use {
        anchor_spl::{
            associated_token::{
                get_associated_token_address_with_program_id,
                spl_associated_token_account::instruction::create_associated_token_account,
            },
            token_2022::spl_token_2022::instruction as token_ix,
        },
        claims::{
            errors::ClaimsError,
            instructions::CreatePolicyArgs,
            state::{Claim, ClaimStatus},
        },
        consent::state::{actions, ConsentPurpose, ConsentTerms, Decision},
        panacea_sdk::{
            audit::audit_trail,
            events::PanaceaEvent,
            offchain::BlobStore,
            ops::{
                patient::{sign_consent_message, AccessTerms},
                provider::random_id,
            },
        },
        records::state::{kinds, Purpose, RecordKind},
    };
    let d = LocalDeployment::with_record_book(LOCAL_START)
        .await
        .unwrap();
    let c = &d.client;
    let (hospital, insurer, patient) = (Actor::new(), Actor::new(), Actor::new());
    let year = LOCAL_START + 365 * DAY;
    d.register_entity(&hospital, EntityKind::Provider, year)
        .await
        .unwrap();
    d.register_entity(&insurer, EntityKind::Insurer, year)
        .await
        .unwrap();
    let (h, i) = (hospital.pubkey(), insurer.pubkey());
    let store = BlobStore::in_memory();
    c.register_patient(&patient.key, &patient.enc, None)
        .await
        .unwrap();
    c.authorize_issuer(
        &patient.key,
        &patient.pubkey(),
        &h,
        kinds::ALL,
        AccessTerms {
            permissions: 0,
            purpose: Purpose::Treatment,
            duration: 365 * DAY,
        },
    )
    .await
    .unwrap();
    let (lab, biller, clinician, officer) = (
        Keypair::new(),
        Keypair::new(),
        Keypair::new(),
        Keypair::new(),
    );
    let until = LOCAL_START + 90 * DAY;
    for (admin, key, role) in [
        (&hospital.key, &lab, roles::LAB_TECHNICIAN),
        (&hospital.key, &biller, roles::BILLING),
        (&hospital.key, &clinician, roles::CLINICIAN),
        (&insurer.key, &officer, roles::CLAIMS_ADJUDICATOR),
    ] {
        c.add_member(admin, &key.pubkey(), role, until, [6; 32])
            .await
            .unwrap();
        d.backend
            .svm()
            .airdrop(&key.pubkey(), 1_000_000_000)
            .unwrap();
    }
    let (outcome, _, _) = c
        .issue_record(
            Acting::member(&lab, h),
            &patient.pubkey(),
            RecordKind::LabResult,
            OBSERVATION.as_bytes(),
            &store,
        )
        .await
        .unwrap();
    let record = outcome.address("record").unwrap();

    // Consent to the insurer for payment; a funded policy whose adjudicator
    // is the insurer's authority.
    let terms = ConsentTerms {
        decision: Decision::Permit,
        kinds: kinds::ALL,
        actions: actions::ACCESS,
        period_start: LOCAL_START,
        period_end: year,
        policy_commitment: [5; 32],
    };
    let message = c
        .consent_message(&patient.pubkey(), &i, ConsentPurpose::Payment, Some(terms))
        .await
        .unwrap();
    let signature = sign_consent_message(&patient.key, &message).unwrap();
    c.relay_consent(&message, &signature).await.unwrap();
    let token = anchor_spl::token::ID;
    let mint = Keypair::new();
    let insurer_tokens = {
        let mut svm = d.backend.svm();
        let rent = svm.minimum_balance_for_rent_exemption(82);
        let create = anchor_lang::solana_program::system_instruction::create_account(
            &i,
            &mint.pubkey(),
            rent,
            82,
            &token,
        );
        let init = token_ix::initialize_mint2(&token, &mint.pubkey(), &i, None, 6).unwrap();
        let ata = get_associated_token_address_with_program_id(&i, &mint.pubkey(), &token);
        let create_ata = create_associated_token_account(&i, &i, &mint.pubkey(), &token);
        let mint_to = token_ix::mint_to(&token, &mint.pubkey(), &ata, &i, &[], 10_000_000).unwrap();
        let tx = solana_transaction::Transaction::new_signed_with_payer(
            &[create, init, create_ata, mint_to],
            Some(&i),
            &[&insurer.key, &mint],
            svm.latest_blockhash(),
        );
        svm.send_transaction(tx).unwrap();
        ata
    };
    let args = CreatePolicyArgs {
        policy_id: random_id(),
        adjudicator: i,
        coverage_limit: 5_000_000,
        deductible: 0,
        copay_bps: 0,
        auto_approve_limit: 1_000_000,
        provider_auto_approve_cap: 5_000_000,
        auto_approve_period: 30 * DAY,
        challenge_window: DAY,
        appeal_window: DAY,
        review_window: 30 * DAY,
        valid_from: LOCAL_START,
        valid_until: year,
    };
    let policy = c
        .create_policy(
            &insurer.key,
            &patient.pubkey(),
            &mint.pubkey(),
            &token,
            args,
        )
        .await
        .unwrap()
        .address("policy")
        .unwrap();
    c.fund_policy(&insurer.key, &policy, &insurer_tokens, 4_000_000)
        .await
        .unwrap();

    // A clinician may not bill.
    let refused = c
        .submit_claim(
            Acting::member(&clinician, h),
            &policy,
            &[record],
            2_000_000,
            [7; 32],
        )
        .await
        .unwrap_err();
    assert_eq!(
        refused_code(&refused),
        Some(u32::from(ClaimsError::RoleNotAllowed)),
        "{refused}"
    );
    // The billing member bills for the hospital (above the auto-approve
    // limit: it waits for the adjudicator).
    let claim = c
        .submit_claim(
            Acting::member(&biller, h),
            &policy,
            &[record],
            2_000_000,
            [7; 32],
        )
        .await
        .unwrap()
        .address("claim")
        .unwrap();
    let state: Claim = c.get(&claim).await.unwrap();
    assert_eq!(
        (state.provider, state.status),
        (h, ClaimStatus::PendingReview)
    );
    // The insurer's ClaimsAdjudicator member decides for the insurer.
    c.decide_claim(Acting::member(&officer, i), &claim, Some(1_500_000))
        .await
        .unwrap();
    let state: Claim = c.get(&claim).await.unwrap();
    assert_eq!(state.status, ClaimStatus::Approved);
    assert_eq!(state.decided_by, Some(i));
    // The billing member appeals; the adjudicator member grants it in full.
    c.appeal_claim(Acting::member(&biller, h), &claim)
        .await
        .unwrap();
    c.decide_claim(Acting::member(&officer, i), &claim, Some(2_000_000))
        .await
        .unwrap();
    assert_eq!(
        c.get::<Claim>(&claim).await.unwrap().amount_payable,
        2_000_000
    );

    // The trail names the members beside the entities.
    let trail = audit_trail(c, &patient.pubkey()).await.unwrap();
    assert!(trail.iter().any(|e| matches!(&e.event,
        PanaceaEvent::ClaimSubmitted(s) if s.provider == h && s.actor_member == Some(biller.pubkey()))));
    let decisions: Vec<_> = trail
        .iter()
        .filter_map(|e| match &e.event {
            PanaceaEvent::ClaimStatusChanged(s) if s.actor == i => Some(s.actor_member),
            _ => None,
        })
        .collect();
    assert_eq!(decisions, vec![Some(officer.pubkey()); 2]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_member_issues_and_retracts_a_compressed_record_in_its_entitys_tree() {
    use {
        panacea_sdk::{offchain::BlobStore, ops::patient::AccessTerms},
        records::state::{kinds, Purpose, RecordKind},
    };
    let d = LocalDeployment::with_record_book(LOCAL_START)
        .await
        .unwrap();
    let c = &d.client;
    let lab_entity = Actor::new();
    d.register_entity(&lab_entity, EntityKind::Laboratory, LOCAL_START + 365 * DAY)
        .await
        .unwrap();
    let l = lab_entity.pubkey();
    let patient = Actor::new();
    let store = BlobStore::in_memory();
    c.register_patient(&patient.key, &patient.enc, None)
        .await
        .unwrap();
    c.authorize_issuer(
        &patient.key,
        &patient.pubkey(),
        &l,
        kinds::ALL,
        AccessTerms {
            permissions: 0,
            purpose: Purpose::Treatment,
            duration: 365 * DAY,
        },
    )
    .await
    .unwrap();
    // The entity's own tree (its authority creates it).
    let tree = c
        .create_record_tree(&lab_entity.key, 10, 16, 4, false)
        .await
        .unwrap()
        .address("tree")
        .unwrap();
    let (tech, nurse) = (Keypair::new(), Keypair::new());
    for (key, role) in [(&tech, roles::LAB_TECHNICIAN), (&nurse, roles::NURSE)] {
        c.add_member(
            &lab_entity.key,
            &key.pubkey(),
            role,
            LOCAL_START + 90 * DAY,
            [6; 32],
        )
        .await
        .unwrap();
        d.backend
            .svm()
            .airdrop(&key.pubkey(), 1_000_000_000)
            .unwrap();
    }
    // The technician appends for the lab: the tree takes the lab's records.
    let (_, _, record) = c
        .issue_compressed_record(
            Acting::member(&tech, l),
            &patient.pubkey(),
            RecordKind::LabResult,
            OBSERVATION.as_bytes(),
            &store,
            &tree,
        )
        .await
        .unwrap();
    let resolved = c.resolve_record(&record).await.unwrap();
    assert_eq!(resolved.record.issuer, l);
    // A nurse may not retract it; the technician may.
    assert_refused(
        c.retract_any_record(Acting::member(&nurse, l), &record)
            .await
            .unwrap_err(),
        RecordsError::RoleNotAllowed,
    );
    c.retract_any_record(Acting::member(&tech, l), &record)
        .await
        .unwrap();
}

/// A byte-identical transaction in the same blockhash is dropped by the
/// cluster as a duplicate and reported as landed: add, close and add again
/// of the same member with the same arguments would "succeed" with no
/// member on chain. The SDK checks the account after sending and says so;
/// with a new blockhash the same add lands.
#[tokio::test(flavor = "multi_thread")]
async fn an_add_dropped_as_a_duplicate_is_reported_not_taken_for_landed() {
    let (d, hospital) = deployment_with_hospital().await;
    let c = &d.client;
    let h = hospital.pubkey();
    let clinician = Keypair::new();
    let until = LOCAL_START + 90 * DAY;
    let commitment = member_commitment(&[9u8; 32], LICENCE);
    let key = clinician.pubkey();
    let add = || c.add_member(&hospital.key, &key, roles::CLINICIAN, until, commitment);
    add().await.unwrap();
    c.close_member(&hospital.key, &clinician.pubkey())
        .await
        .unwrap();
    let refused = add().await.unwrap_err();
    assert!(
        matches!(&refused, SdkError::WithoutEffect { operation, account, found }
            if operation == "add_member" && *account == member_address(&h, &clinician.pubkey())
                && found.starts_with("no Member account")),
        "{refused}"
    );
    assert!(c.member(&h, &clinician.pubkey()).await.unwrap().is_none());
    // A new blockhash: the same add lands. Then suspend, reinstate and
    // suspend again in one blockhash: the second suspend is the first one's
    // bytes, dropped, and reported.
    d.backend.advance_clock(1);
    add().await.unwrap();
    let back = c.member(&h, &clinician.pubkey()).await.unwrap().unwrap();
    assert_eq!((back.revision, back.status), (1, MemberStatus::Active));
    c.suspend_member(&hospital.key, &clinician.pubkey())
        .await
        .unwrap();
    c.reinstate_member(&hospital.key, &clinician.pubkey())
        .await
        .unwrap();
    let refused = c
        .suspend_member(&hospital.key, &clinician.pubkey())
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, SdkError::WithoutEffect { operation, found, .. }
            if operation == "suspend_member" && found.starts_with("a member that is Active")),
        "{refused}"
    );
    let now = c.member(&h, &clinician.pubkey()).await.unwrap().unwrap();
    assert_eq!((now.revision, now.status), (3, MemberStatus::Active));
}

const MEDICATION: &str = r#"{"resourceType": "MedicationStatement", "status": "active", "medicationCodeableConcept": {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "860975"}]}, "subject": {"reference": "Patient/synthetic"}}"#;

/// The two roles the hospital story does not cover: a pharmacy's pharmacist
/// records a dispensed medication for the pharmacy, and a research
/// institute's researcher asks for it for Research and logs the read it was
/// granted. Each role stays inside its own purposes.
#[tokio::test(flavor = "multi_thread")]
async fn a_pharmacist_issues_and_a_researcher_reads_for_research_each_for_its_entity() {
    use {
        panacea_sdk::{
            audit::audit_trail, events::PanaceaEvent, offchain::BlobStore,
            ops::patient::AccessTerms,
        },
        records::{
            instructions::RequestAccessArgs,
            state::{kinds, permissions, GrantScope, Purpose, RecordKind},
        },
    };
    let d = LocalDeployment::with_record_book(LOCAL_START)
        .await
        .unwrap();
    let c = &d.client;
    let (pharmacy, institute) = (Actor::new(), Actor::new());
    d.register_entity(&pharmacy, EntityKind::Pharmacy, LOCAL_START + 365 * DAY)
        .await
        .unwrap();
    d.register_entity(&institute, EntityKind::Researcher, LOCAL_START + 365 * DAY)
        .await
        .unwrap();
    let (p, r) = (pharmacy.pubkey(), institute.pubkey());
    let patient = Actor::new();
    let store = BlobStore::in_memory();
    c.register_patient(&patient.key, &patient.enc, None)
        .await
        .unwrap();
    c.authorize_issuer(
        &patient.key,
        &patient.pubkey(),
        &p,
        kinds::ALL,
        AccessTerms {
            permissions: 0,
            purpose: Purpose::Treatment,
            duration: 365 * DAY,
        },
    )
    .await
    .unwrap();
    let (pharmacist, researcher) = (Keypair::new(), Keypair::new());
    let until = LOCAL_START + 90 * DAY;
    c.add_member(
        &pharmacy.key,
        &pharmacist.pubkey(),
        roles::PHARMACIST,
        until,
        [7; 32],
    )
    .await
    .unwrap();
    c.add_member(
        &institute.key,
        &researcher.pubkey(),
        roles::RESEARCHER,
        until,
        [8; 32],
    )
    .await
    .unwrap();
    for key in [&pharmacist, &researcher] {
        d.backend
            .svm()
            .airdrop(&key.pubkey(), 1_000_000_000)
            .unwrap();
    }

    // The pharmacist records the dispensed medication: the pharmacy's record,
    // paid for by the pharmacist.
    let before = balance(&d, &pharmacist.pubkey()).await;
    let (outcome, _, _) = c
        .issue_record(
            Acting::member(&pharmacist, p),
            &patient.pubkey(),
            RecordKind::Medication,
            MEDICATION.as_bytes(),
            &store,
        )
        .await
        .unwrap();
    let record = outcome.address("record").unwrap();
    let state: records::state::Record = c.get(&record).await.unwrap();
    assert_eq!(state.issuer, p);
    assert!(balance(&d, &pharmacist.pubkey()).await < before);

    let ask = |purpose| RequestAccessArgs {
        scope: GrantScope::Record,
        kinds: 0,
        permissions: permissions::READ,
        purpose,
        duration: 30 * DAY,
        reason_code: 9,
        leaf: None,
    };
    // A researcher asks for Research only; a pharmacist may not ask for
    // Research. Neither refusal leaves a request behind.
    assert_refused(
        c.request_access(
            Acting::member(&researcher, r),
            &patient.pubkey(),
            &record,
            ask(Purpose::Treatment),
        )
        .await
        .unwrap_err(),
        RecordsError::RoleNotAllowed,
    );
    assert_refused(
        c.request_access(
            Acting::member(&pharmacist, p),
            &patient.pubkey(),
            &record,
            ask(Purpose::Research),
        )
        .await
        .unwrap_err(),
        RecordsError::RoleNotAllowed,
    );
    c.request_access(
        Acting::member(&researcher, r),
        &patient.pubkey(),
        &record,
        ask(Purpose::Research),
    )
    .await
    .unwrap();
    let approved = c
        .approve_access_request(
            &patient.key,
            &patient.pubkey(),
            &r,
            &record,
            &patient.enc,
            &store,
        )
        .await
        .unwrap();
    let grant = approved.address("grant").unwrap();
    assert_eq!(
        c.read_record(&grant, &record, &institute.enc, &store)
            .await
            .unwrap(),
        MEDICATION.as_bytes()
    );
    c.log_access(Acting::member(&researcher, r), &grant, &record)
        .await
        .unwrap();
    let logged = c
        .get::<records::state::Grant>(&grant)
        .await
        .unwrap()
        .access_count;
    // The pharmacist cannot log a read under the institute's grant: it has
    // no Member account under the institute.
    assert_refused(
        c.log_access(Acting::member(&pharmacist, r), &grant, &record)
            .await
            .unwrap_err(),
        RecordsError::MemberNotFound,
    );
    assert_eq!(
        c.get::<records::state::Grant>(&grant)
            .await
            .unwrap()
            .access_count,
        logged
    );

    let trail = audit_trail(c, &patient.pubkey()).await.unwrap();
    assert!(trail
        .iter()
        .any(|e| matches!(&e.event, PanaceaEvent::RecordIssued(_))
            && e.event.actor_member() == Some(pharmacist.pubkey())
            && e.event.acting_entity() == Some(p)));
    assert!(trail
        .iter()
        .any(|e| matches!(&e.event, PanaceaEvent::AccessLogged(_))
            && e.event.actor_member() == Some(researcher.pubkey())
            && e.event.acting_entity() == Some(r)));
}
