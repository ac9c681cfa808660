//! Research data bounties through the SDK, in process: a researcher's
//! bounty pays a patient for a lab result offered under Research consent
//! (the grant and the offer in one transaction, measured), the FHIR
//! ResearchStudy / ResearchSubject export, the plain access statement, the
//! study commitment, the audit trail, the rent table and the offer's
//! preflight.

use {
    anchor_lang::Space,
    bounties::{
        instructions::CreateBountyArgs,
        state::{Bounty, BountyStatus, Contribution, ContributionStatus, PatientTally},
    },
    consent::state::{actions, ConsentPurpose, ConsentTerms, Decision},
    panacea_sdk::{
        audit::{audit_trail, bounty_to_research_study, contribution_to_research_subject},
        backend::Backend,
        bounties as bx,
        compression::{RecordRef, PACKET_DATA_SIZE},
        events::{events_of, PanaceaEvent},
        local::{Actor, LocalDeployment, LOCAL_START},
        offchain::{canonical_json, study_commitment, validate_fhir, BlobStore},
        ops::bounty::{access_statement, SETTLEMENT_MARGIN},
        rent, Pubkey, SdkError,
    },
    records::state::{permissions, EntityKind, Grant, Purpose, RecordKind},
    solana_keypair::Keypair,
    solana_signer::Signer,
};

const DAY: i64 = 86_400;
const REWARD: u64 = 25_000_000;
const REVIEW: i64 = 7 * DAY;
const CONSENT_TEXT: &[u8] = b"Panacea sample research consent, v1";
const STUDY: &str = include_str!("../../cli/samples/research-study.json");
const OBSERVATION: &str = r#"{
  "resourceType": "Observation",
  "status": "final",
  "code": { "coding": [{ "system": "http://loinc.org", "code": "2345-7" }] },
  "valueQuantity": { "value": 95, "unit": "mg/dL" }
}"#;

fn sha256(bytes: &[u8]) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes).into()
}

struct Scene {
    d: LocalDeployment,
    store: BlobStore,
    researcher: Actor,
    lab: Actor,
    patient: Actor,
    mint: Pubkey,
    token_program: Pubkey,
    researcher_tokens: Pubkey,
    /// Lab results issued before the bounty opened.
    records: Vec<Pubkey>,
}

impl Scene {
    async fn new() -> Self {
        let d = LocalDeployment::with_record_book(LOCAL_START)
            .await
            .unwrap();
        let (researcher, lab, patient) = (Actor::new(), Actor::new(), Actor::new());
        let until = LOCAL_START + 365 * DAY;
        d.register_entity(&researcher, EntityKind::Researcher, until)
            .await
            .unwrap();
        d.register_entity(&lab, EntityKind::Laboratory, until)
            .await
            .unwrap();
        let c = &d.client;
        c.register_patient(&patient.key, &patient.enc, None)
            .await
            .unwrap();
        c.authorize_issuer(
            &patient.key,
            &patient.pubkey(),
            &lab.pubkey(),
            records::state::kinds::ALL,
            panacea_sdk::ops::patient::AccessTerms {
                permissions: 0,
                purpose: Purpose::Treatment,
                duration: 365 * DAY,
            },
        )
        .await
        .unwrap();
        let store = BlobStore::in_memory();
        let mut records = Vec::new();
        for _ in 0..3 {
            let (outcome, _, _) = c
                .issue_record(
                    &lab.key,
                    &patient.pubkey(),
                    RecordKind::LabResult,
                    OBSERVATION.as_bytes(),
                    &store,
                )
                .await
                .unwrap();
            records.push(outcome.address("record").unwrap());
        }
        // Issued strictly before any bounty opens.
        d.backend.advance_clock(60);
        let token_program = anchor_spl::token::ID;
        let mint = Keypair::new();
        let holders = c
            .create_funded_mint(
                &mint,
                6,
                &token_program,
                &[(researcher.pubkey(), 500_000_000)],
            )
            .await
            .unwrap();
        Self {
            d,
            store,
            researcher,
            lab,
            patient,
            mint: mint.pubkey(),
            token_program,
            researcher_tokens: holders[0],
            records,
        }
    }

    fn args(&self, algorithm: Option<[u8; 32]>) -> CreateBountyArgs {
        CreateBountyArgs {
            bounty_id: panacea_sdk::ops::provider::random_id(),
            kinds: RecordKind::LabResult.bit(),
            reward: REWARD,
            max_contributions: 100,
            max_per_patient: 3,
            intake_period: 30 * DAY,
            review_window: REVIEW,
            study_commitment: study_commitment(STUDY.as_bytes()).unwrap(),
            consent_text: sha256(CONSENT_TEXT),
            algorithm,
        }
    }

    /// A bounty funded with 10 rewards.
    async fn bounty(&self, algorithm: Option<[u8; 32]>) -> Pubkey {
        let c = &self.d.client;
        let outcome = c
            .create_bounty(
                &self.researcher.key,
                &self.mint,
                &self.token_program,
                self.args(algorithm),
            )
            .await
            .unwrap();
        let bounty = outcome.address("bounty").unwrap();
        assert_eq!(outcome.address("vault"), Some(bx::vault_address(&bounty)));
        c.fund_bounty(
            &self.researcher.key,
            &bounty,
            &self.researcher_tokens,
            10 * REWARD,
        )
        .await
        .unwrap();
        bounty
    }

    async fn now(&self) -> i64 {
        self.d.backend.unix_timestamp().await.unwrap()
    }

    /// The patient's Research consent to the researcher, naming `text`,
    /// for `days`.
    async fn consent(&self, text: &[u8], days: i64) -> Pubkey {
        let now = self.now().await;
        let outcome = self
            .d
            .client
            .grant_consent(
                &self.patient.key,
                &self.patient.pubkey(),
                &self.researcher.pubkey(),
                ConsentPurpose::Research,
                ConsentTerms {
                    decision: Decision::Permit,
                    kinds: RecordKind::LabResult.bit(),
                    actions: actions::ACCESS,
                    period_start: now,
                    period_end: now + days * DAY,
                    policy_commitment: sha256(text),
                },
            )
            .await
            .unwrap();
        outcome.address("consent").unwrap()
    }

    async fn offer(&self, bounty: &Pubkey, record: &Pubkey) -> panacea_sdk::Outcome {
        self.d
            .client
            .offer_contribution(
                &self.patient.key,
                &self.patient.pubkey(),
                bounty,
                &RecordRef::Account(*record),
                &self.patient.enc,
                &self.store,
                None,
            )
            .await
            .unwrap()
    }

    async fn tokens_of_patient(&self) -> u64 {
        let ata = anchor_spl::associated_token::get_associated_token_address_with_program_id(
            &self.patient.pubkey(),
            &self.mint,
            &self.token_program,
        );
        self.d.client.token_balance(&ata).await.unwrap_or(0)
    }

    async fn lamports(&self, key: &Pubkey) -> u64 {
        self.d
            .backend
            .get_account(key)
            .await
            .unwrap()
            .map_or(0, |a| a.lamports)
    }

    async fn absent(&self, key: &Pubkey) -> bool {
        self.d.backend.get_account(key).await.unwrap().is_none()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn offer_grant_and_offer_fit_one_packet() {
    let s = Scene::new().await;
    let bounty = s
        .bounty(Some(sha256(b"panacea-demo-cohort-statistics v1")))
        .await;
    s.consent(CONSENT_TEXT, 90).await;
    let c = &s.d.client;
    let record = RecordRef::Account(s.records[0]);
    // The client's payer is a relayer: it pays, the patient signs too.
    assert_ne!(c.payer(), s.patient.pubkey());
    let prepared = c
        .prepare_offer(
            &s.patient.pubkey(),
            &s.patient.pubkey(),
            &bounty,
            &record,
            &s.patient.enc,
            &s.store,
            None,
        )
        .await
        .unwrap();
    assert!(prepared.grant_ix.is_some(), "no grant yet: one is built");
    let accounts: std::collections::BTreeSet<Pubkey> = prepared
        .instructions()
        .iter()
        .flat_map(|ix| {
            ix.accounts
                .iter()
                .map(|m| m.pubkey)
                .chain(std::iter::once(ix.program_id))
        })
        .collect();
    let bytes = c
        .offer_transaction_size(
            &s.patient.pubkey(),
            &s.patient.pubkey(),
            &bounty,
            &record,
            &s.patient.enc,
            &s.store,
            None,
        )
        .await
        .unwrap();
    println!(
        "offer transaction (legacy; relayer + patient signatures; compute-unit limit, grant_access with an 80-byte wrapped key, offer_contribution; {} distinct accounts and programs in the two instructions): {bytes} bytes of {PACKET_DATA_SIZE}",
        accounts.len()
    );
    assert!(bytes <= PACKET_DATA_SIZE, "{bytes} bytes");
    // And it lands as one transaction: both events in it.
    let outcome = s.offer(&bounty, &s.records[0]).await;
    let tx =
        s.d.backend
            .transaction(&outcome.signature.unwrap())
            .await
            .unwrap()
            .unwrap();
    let names: Vec<&str> = events_of(&tx).iter().map(|e| e.name()).collect();
    assert_eq!(names, vec!["AccessGranted", "ContributionOffered"]);
    let grant: Grant = c.get(&outcome.address("grant").unwrap()).await.unwrap();
    assert_eq!(
        (grant.grantee, grant.purpose, grant.permissions),
        (s.researcher.pubkey(), Purpose::Research, permissions::READ)
    );
    assert_eq!(grant.expires_at, s.now().await + REVIEW + SETTLEMENT_MARGIN);
    // A retry finds the contribution.
    assert!(s.offer(&bounty, &s.records[0]).await.already_existed);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bounty_pays_a_patient_through_the_ops() {
    let s = Scene::new().await;
    let bounty = s.bounty(None).await;
    s.consent(CONSENT_TEXT, 90).await;
    let c = &s.d.client;
    let payer_before = s.lamports(&c.payer()).await;
    let bounty_rent = s.lamports(&bounty).await + s.lamports(&bx::vault_address(&bounty)).await;

    // Offer 1, accepted in part: 20 of 25, quality 90.
    let first = s.offer(&bounty, &s.records[0]).await;
    let contribution = first.address("contribution").unwrap();
    let tally = first.address("tally").unwrap();
    let state: Contribution = c.get(&contribution).await.unwrap();
    assert_eq!(
        (state.status, state.record, state.reward, state.patient),
        (
            ContributionStatus::Pending,
            s.records[0],
            REWARD,
            s.patient.pubkey()
        )
    );
    // The researcher reads the record under the grant the offer created.
    let plain = c
        .read_record(&state.grant, &s.records[0], &s.researcher.enc, &s.store)
        .await
        .unwrap();
    assert_eq!(plain, OBSERVATION.as_bytes());
    let accepted = c
        .accept_contribution(&s.researcher.key, &contribution, Some(20_000_000), 90)
        .await
        .unwrap();
    assert_eq!(s.tokens_of_patient().await, 20_000_000);
    let paid_to = accepted.address("paid to").unwrap();
    let account = c.backend().get_account(&paid_to).await.unwrap().unwrap();
    assert_eq!(account.owner, s.token_program);
    let state: Contribution = c.get(&contribution).await.unwrap();
    assert_eq!(
        (state.status, state.amount_paid, state.quality_score),
        (ContributionStatus::Paid, 20_000_000, Some(90))
    );

    // Offer 2, not reviewed: anyone settles the full reward after the window.
    let second = s.offer(&bounty, &s.records[1]).await;
    let second = second.address("contribution").unwrap();
    let early = c.settle_contribution(&second).await.unwrap_err();
    assert_eq!(
        early.program_error_name(),
        Some("ReviewWindowOpen"),
        "{early}"
    );
    s.d.backend.advance_clock(REVIEW);
    c.settle_contribution(&second).await.unwrap();
    assert_eq!(s.tokens_of_patient().await, 45_000_000);

    // Offer 3, then the patient revokes the consent: no payment; anyone
    // cancels and the reserve is released.
    let third = s.offer(&bounty, &s.records[2]).await;
    let third = third.address("contribution").unwrap();
    let before: Bounty = c.get(&bounty).await.unwrap();
    assert_eq!((before.pending, before.reserved), (1, REWARD));
    c.revoke_consent(
        &s.patient.key,
        &s.patient.pubkey(),
        &s.researcher.pubkey(),
        ConsentPurpose::Research,
    )
    .await
    .unwrap();
    let refused = c
        .accept_contribution(&s.researcher.key, &third, None, 50)
        .await
        .unwrap_err();
    assert_eq!(
        refused.program_error_name(),
        Some("ConsentRevoked"),
        "{refused}"
    );
    c.cancel_contribution(&third).await.unwrap();
    let after: Bounty = c.get(&bounty).await.unwrap();
    assert_eq!(
        (after.pending, after.reserved, after.rewarded, after.paid),
        (0, 0, 2, 45_000_000)
    );
    assert_eq!(s.tokens_of_patient().await, 45_000_000);

    // Listings.
    assert_eq!(c.contributions_of_bounty(&bounty).await.unwrap().len(), 3);
    assert_eq!(
        c.contributions_of_patient(&s.patient.pubkey())
            .await
            .unwrap()
            .len(),
        3
    );
    let mine = c
        .bounties_of_researcher(&s.researcher.pubkey())
        .await
        .unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].0, bounty);

    // The life of the bounty: a withdrawal, the intake closed, everything
    // closed, the rent back to whoever paid it (this client's payer).
    let researcher_before = c.token_balance(&s.researcher_tokens).await.unwrap();
    c.withdraw_bounty_funds(&s.researcher.key, &bounty, &s.researcher_tokens, REWARD)
        .await
        .unwrap();
    c.close_intake(&s.researcher.key, &bounty).await.unwrap();
    let closed: Bounty = c.get(&bounty).await.unwrap();
    assert_eq!(closed.status, BountyStatus::IntakeClosed);
    for contribution in [contribution, second, third] {
        c.close_contribution(&contribution).await.unwrap();
        assert!(s.absent(&contribution).await);
    }
    let _: PatientTally = c.get(&tally).await.unwrap();
    c.close_patient_tally(&tally).await.unwrap();
    c.close_bounty(&s.researcher.key, &bounty, &s.researcher_tokens)
        .await
        .unwrap();
    assert!(s.absent(&bounty).await && s.absent(&bx::vault_address(&bounty)).await);
    // 250 funded - 45 paid = 205 back (25 withdrawn, 180 at close).
    assert_eq!(
        c.token_balance(&s.researcher_tokens).await.unwrap() - researcher_before,
        205_000_000
    );
    // This client's payer (a relayer) paid the fees, the three research
    // grants' rent (they stay until the patient closes them) and the
    // patient's token account; the rent of the bounty, its vault, the
    // contributions and the tally came back to it.
    let grant_rent = s.lamports(&state.grant).await;
    let ata_rent = s.lamports(&paid_to).await;
    let spent = i128::from(payer_before) - i128::from(s.lamports(&c.payer()).await);
    let fees = spent - i128::from(3 * grant_rent + ata_rent) + i128::from(bounty_rent);
    assert!((0..1_000_000).contains(&fees), "fees {fees}");
}

#[tokio::test(flavor = "multi_thread")]
async fn research_study_and_subject_export_as_valid_fhir() {
    let s = Scene::new().await;
    let algorithm = sha256(b"panacea-demo-cohort-statistics v1");
    let bounty = s.bounty(Some(algorithm)).await;
    let consent = s.consent(CONSENT_TEXT, 90).await;
    let c = &s.d.client;
    let state: Bounty = c.get(&bounty).await.unwrap();
    let now = s.now().await;
    let study = bounty_to_research_study(&bounty, &state, now);
    let summary = validate_fhir(&serde_json::to_vec(&study).unwrap()).unwrap();
    assert_eq!(summary.resource_type, "ResearchStudy");
    assert_eq!(study["status"], "active");
    assert_eq!(study["id"], bounty.to_string());
    let hex = |b: &[u8; 32]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    assert_eq!(
        study["identifier"][1]["value"],
        format!(
            "urn:sha256:{}",
            hex(&study_commitment(STUDY.as_bytes()).unwrap())
        )
    );
    assert_eq!(
        study["identifier"][2]["value"],
        format!("urn:sha256:{}", hex(&sha256(CONSENT_TEXT)))
    );
    assert_eq!(study["keyword"][0]["coding"][0]["code"], "LabResult");
    assert_eq!(
        study["extension"][0]["valueString"],
        format!("urn:sha256:{}", hex(&algorithm))
    );
    assert_eq!(
        study["sponsor"]["identifier"]["value"],
        s.researcher.pubkey().to_string()
    );

    let outcome = s.offer(&bounty, &s.records[0]).await;
    let address = outcome.address("contribution").unwrap();
    let contribution: Contribution = c.get(&address).await.unwrap();
    let subject = contribution_to_research_subject(&address, &contribution, &consent);
    let summary = validate_fhir(&serde_json::to_vec(&subject).unwrap()).unwrap();
    assert_eq!(summary.resource_type, "ResearchSubject");
    assert_eq!(subject["status"], "pending-on-study");
    assert_eq!(
        subject["study"]["reference"],
        format!("ResearchStudy/{bounty}")
    );
    assert_eq!(
        subject["consent"]["reference"],
        format!("Consent/{consent}")
    );
    assert_eq!(
        subject["individual"]["identifier"]["value"],
        s.patient.pubkey().to_string()
    );
    assert!(subject["period"].get("end").is_none());
    c.accept_contribution(&s.researcher.key, &address, None, 100)
        .await
        .unwrap();
    let paid: Contribution = c.get(&address).await.unwrap();
    let subject = contribution_to_research_subject(&address, &paid, &consent);
    validate_fhir(&serde_json::to_vec(&subject).unwrap()).unwrap();
    assert_eq!(subject["status"], "on-study");
    assert!(subject["period"]["end"].is_string());

    // Intake over: closed to accrual; cancelled: withdrawn.
    c.close_intake(&s.researcher.key, &bounty).await.unwrap();
    let state: Bounty = c.get(&bounty).await.unwrap();
    assert_eq!(
        bounty_to_research_study(&bounty, &state, s.now().await)["status"],
        "closed-to-accrual"
    );
    c.cancel_bounty(&s.researcher.key, &bounty).await.unwrap();
    let state: Bounty = c.get(&bounty).await.unwrap();
    let withdrawn = bounty_to_research_study(&bounty, &state, s.now().await);
    validate_fhir(&serde_json::to_vec(&withdrawn).unwrap()).unwrap();
    assert_eq!(withdrawn["status"], "withdrawn");
}

#[tokio::test(flavor = "multi_thread")]
async fn raw_access_is_stated_plainly() {
    let s = Scene::new().await;
    let c = &s.d.client;
    let raw = s.bounty(None).await;
    let raw: Bounty = c.get(&raw).await.unwrap();
    assert_eq!(
        access_statement(&raw),
        "RAW ACCESS: no compute-to-data algorithm is set; the researcher receives the record's decryption key and can read and copy the whole record."
    );
    let study = bounty_to_research_study(&Pubkey::new_unique(), &raw, s.now().await);
    assert_eq!(study["extension"][0]["valueString"], "none (raw access)");

    let algorithm = sha256(b"panacea-demo-cohort-statistics v1");
    let committed = s.bounty(Some(algorithm)).await;
    let committed: Bounty = c.get(&committed).await.unwrap();
    let statement = access_statement(&committed);
    let hex: String = algorithm.iter().map(|b| format!("{b:02x}")).collect();
    assert!(statement.starts_with("Compute-to-data: "), "{statement}");
    assert!(statement.contains(&format!("sha256:{hex}")), "{statement}");
    assert!(statement.contains("cannot enforce it"), "{statement}");
    assert!(!statement.contains("RAW ACCESS"));

    // The offer carries the statement the patient must see.
    s.consent(CONSENT_TEXT, 90).await;
    let raw_address = c
        .bounties_of_researcher(&s.researcher.pubkey())
        .await
        .unwrap()
        .into_iter()
        .find(|(_, b)| b.algorithm.is_none())
        .unwrap()
        .0;
    let prepared = c
        .prepare_offer(
            &s.patient.pubkey(),
            &s.patient.pubkey(),
            &raw_address,
            &RecordRef::Account(s.records[0]),
            &s.patient.enc,
            &s.store,
            None,
        )
        .await
        .unwrap();
    assert!(prepared.statement.starts_with("RAW ACCESS: "));
}

#[test]
fn the_study_commitment_ignores_key_order() {
    let a = br#"{"resourceType":"ResearchStudy","status":"active","title":"T","period":{"start":"2026-11-20","end":"2027-11-20"}}"#;
    let b = br#"{
        "period": { "end": "2027-11-20", "start": "2026-11-20" },
        "title": "T",
        "status": "active",
        "resourceType": "ResearchStudy"
    }"#;
    assert_eq!(study_commitment(a).unwrap(), study_commitment(b).unwrap());
    let c = br#"{"resourceType":"ResearchStudy","status":"active","title":"U"}"#;
    assert_ne!(study_commitment(a).unwrap(), study_commitment(c).unwrap());
    // The canonical form: keys sorted at every depth, no whitespace.
    let value: serde_json::Value = serde_json::from_slice(b).unwrap();
    assert_eq!(
        canonical_json(&value),
        r#"{"period":{"end":"2027-11-20","start":"2026-11-20"},"resourceType":"ResearchStudy","status":"active","title":"T"}"#
    );
    assert_eq!(
        study_commitment(a).unwrap(),
        sha256(canonical_json(&value).as_bytes())
    );
    // The sample study is one; an Observation, or invalid FHIR, is not.
    study_commitment(STUDY.as_bytes()).unwrap();
    let not_a_study = study_commitment(OBSERVATION.as_bytes()).unwrap_err();
    assert!(
        not_a_study.to_string().contains("ResearchStudy"),
        "{not_a_study}"
    );
    assert!(study_commitment(br#"{"resourceType":"ResearchStudy"}"#).is_err());
    assert!(study_commitment(b"{").is_err());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_audit_trail_shows_the_bounty() {
    let s = Scene::new().await;
    let bounty = s.bounty(None).await;
    s.consent(CONSENT_TEXT, 90).await;
    let c = &s.d.client;
    let outcome = s.offer(&bounty, &s.records[0]).await;
    let contribution = outcome.address("contribution").unwrap();
    c.accept_contribution(&s.researcher.key, &contribution, None, 80)
        .await
        .unwrap();
    let trail = audit_trail(c, &s.patient.pubkey()).await.unwrap();
    let bounty_events: Vec<&PanaceaEvent> = trail
        .iter()
        .map(|e| &e.event)
        .filter(|e| e.bounty().is_some())
        .collect();
    let names: Vec<&str> = bounty_events.iter().map(|e| e.name()).collect();
    assert_eq!(names, vec!["ContributionOffered", "ContributionAccepted"]);
    for event in &bounty_events {
        assert_eq!(event.bounty(), Some(bounty));
        assert_eq!(event.patient(), Some(s.patient.pubkey()));
    }
    let PanaceaEvent::ContributionAccepted(accepted) = bounty_events[1] else {
        unreachable!()
    };
    assert_eq!((accepted.amount, accepted.quality_score), (REWARD, 80));
    assert_eq!(
        bounty_events[1].acting_entity(),
        Some(s.researcher.pubkey())
    );
    assert_eq!(bounty_events[1].actor_member(), None);
    // The research grant shows too, and the bounty's own events (funding)
    // are not about the patient.
    assert!(trail.iter().any(
        |e| matches!(&e.event, PanaceaEvent::AccessGranted(g) if g.grantee == s.researcher.pubkey())
    ));
    assert!(!trail
        .iter()
        .any(|e| matches!(e.event, PanaceaEvent::BountyFunded(_))));
    // Still there once the contribution is closed (found through the bounty).
    c.close_intake(&s.researcher.key, &bounty).await.unwrap();
    c.close_contribution(&contribution).await.unwrap();
    assert!(c
        .contributions_of_patient(&s.patient.pubkey())
        .await
        .unwrap()
        .is_empty());
    let trail = audit_trail(c, &s.patient.pubkey()).await.unwrap();
    let names: Vec<&str> = trail
        .iter()
        .filter(|e| e.event.bounty().is_some())
        .map(|e| e.event.name())
        .collect();
    assert_eq!(
        names,
        vec![
            "ContributionOffered",
            "ContributionAccepted",
            "ContributionClosed"
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn rent_table_has_the_bounty_accounts() {
    let s = Scene::new().await;
    let table = rent::account_rent(s.d.backend.as_ref()).await.unwrap();
    let row = |name: &str| table.iter().find(|r| r.name == name).unwrap().clone();
    assert_eq!(row("Bounty").bytes, 8 + Bounty::INIT_SPACE);
    assert_eq!(row("bounty vault").bytes, rent::TOKEN_ACCOUNT_LEN);
    assert_eq!(row("Contribution").bytes, 8 + Contribution::INIT_SPACE);
    assert_eq!(row("PatientTally").bytes, 8 + PatientTally::INIT_SPACE);
    // What the accounts on chain hold.
    let bounty = s.bounty(None).await;
    s.consent(CONSENT_TEXT, 90).await;
    let outcome = s.offer(&bounty, &s.records[0]).await;
    assert_eq!(s.lamports(&bounty).await, row("Bounty").lamports);
    assert_eq!(
        s.lamports(&bx::vault_address(&bounty)).await,
        row("bounty vault").lamports
    );
    assert_eq!(
        s.lamports(&outcome.address("contribution").unwrap()).await,
        row("Contribution").lamports
    );
    assert_eq!(
        s.lamports(&outcome.address("tally").unwrap()).await,
        row("PatientTally").lamports
    );
    let operations = rent::operation_rent(&table);
    let op = |name: &str| operations.iter().find(|(n, _)| *n == name).unwrap().1;
    assert_eq!(
        op("create a bounty"),
        row("Bounty").lamports + row("bounty vault").lamports
    );
    assert_eq!(
        op("offer a record to a bounty (grant + contribution)"),
        row("Grant").lamports + row("Contribution").lamports
    );
    assert_eq!(
        op("a patient's first offer to a bounty (once)"),
        row("PatientTally").lamports
    );
    for name in ["Bounty", "bounty vault", "Contribution", "PatientTally"] {
        let r = row(name);
        println!("{name}: {} bytes, {} lamports", r.bytes, r.lamports);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn offer_preflight_refuses_a_consent_ending_before_settlement() {
    let s = Scene::new().await;
    let bounty = s.bounty(None).await;
    let c = &s.d.client;
    let record = s.records[0];
    let grant = records::pda::grant(&s.patient.pubkey(), &s.researcher.pubkey(), &record).0;
    let offer = || async {
        c.offer_contribution(
            &s.patient.key,
            &s.patient.pubkey(),
            &bounty,
            &RecordRef::Account(record),
            &s.patient.enc,
            &s.store,
            None,
        )
        .await
        .unwrap_err()
    };
    let nothing_sent = || async {
        assert!(s.absent(&grant).await, "no grant was created");
        assert!(
            c.contributions_of_bounty(&bounty).await.unwrap().is_empty(),
            "no contribution"
        );
        let state: Bounty = c.get(&bounty).await.unwrap();
        assert_eq!((state.pending, state.reserved), (0, 0));
    };
    // No consent at all.
    let error = offer().await;
    assert!(
        matches!(&error, SdkError::InvalidInput(m) if m.contains("has no Research consent")),
        "{error}"
    );
    nothing_sent().await;
    // A consent ending inside the review window plus the margin (10 days <
    // 7 + 7).
    s.consent(CONSENT_TEXT, 10).await;
    let error = offer().await;
    assert!(
        matches!(&error, SdkError::InvalidInput(m) if m.contains("before the contribution could be settled")),
        "{error}"
    );
    nothing_sent().await;
    // Another study's consent text.
    s.consent(b"another study's consent", 90).await;
    let error = offer().await;
    assert!(
        matches!(&error, SdkError::InvalidInput(m) if m.contains("another consent text")),
        "{error}"
    );
    nothing_sent().await;
    // A grant asked for shorter than the window plus the margin.
    s.consent(CONSENT_TEXT, 90).await;
    let error = c
        .offer_contribution(
            &s.patient.key,
            &s.patient.pubkey(),
            &bounty,
            &RecordRef::Account(record),
            &s.patient.enc,
            &s.store,
            Some(REVIEW + DAY),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&error, SdkError::InvalidInput(m) if m.contains("would end before the contribution can be settled")),
        "{error}"
    );
    nothing_sent().await;
    // With 90 days it goes.
    let outcome = s.offer(&bounty, &record).await;
    assert_eq!(outcome.address("grant"), Some(grant));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_compressed_record_is_offered_in_two_transactions_and_paid() {
    let s = Scene::new().await;
    let c = &s.d.client;
    let tree = c
        .create_record_tree(&s.lab.key, 14, 64, 10, false)
        .await
        .unwrap()
        .address("tree")
        .unwrap();
    let (_, _, record) = c
        .issue_record_into(
            &s.lab.key,
            &s.patient.pubkey(),
            RecordKind::LabResult,
            OBSERVATION.as_bytes(),
            &s.store,
            Some(tree),
        )
        .await
        .unwrap();
    assert!(record.is_compressed());
    s.d.backend.advance_clock(60);
    let bounty = s.bounty(None).await;
    s.consent(CONSENT_TEXT, 90).await;
    let prepared = c
        .prepare_offer(
            &s.patient.pubkey(),
            &s.patient.pubkey(),
            &bounty,
            &record,
            &s.patient.enc,
            &s.store,
            None,
        )
        .await
        .unwrap();
    assert!(prepared.compressed && prepared.grant_ix.is_some());
    let bytes = prepared.transaction_size(&c.payer());
    println!(
        "compressed record: the offer alone (after the grant's own transaction) is {bytes} bytes"
    );
    assert!(bytes <= PACKET_DATA_SIZE, "{bytes}");
    let outcome = c
        .offer_contribution(
            &s.patient.key,
            &s.patient.pubkey(),
            &bounty,
            &record,
            &s.patient.enc,
            &s.store,
            None,
        )
        .await
        .unwrap();
    // The offer's transaction carries the offer alone: the grant went first.
    let tx =
        s.d.backend
            .transaction(&outcome.signature.unwrap())
            .await
            .unwrap()
            .unwrap();
    let names: Vec<&str> = events_of(&tx).iter().map(|e| e.name()).collect();
    assert_eq!(names, vec!["ContributionOffered"]);
    let contribution = outcome.address("contribution").unwrap();
    let state: Contribution = c.get(&contribution).await.unwrap();
    assert_eq!(state.record, record.address());
    assert_eq!(
        state.grant,
        records::pda::grant(
            &s.patient.pubkey(),
            &s.researcher.pubkey(),
            &record.address()
        )
        .0
    );
    // The researcher reads the leaf's record under that grant, and pays.
    let plain = c
        .read_granted(&state.grant, &record, &s.researcher.enc, &s.store)
        .await
        .unwrap();
    assert_eq!(plain, OBSERVATION.as_bytes());
    c.accept_contribution(&s.researcher.key, &contribution, None, 70)
        .await
        .unwrap();
    assert_eq!(s.tokens_of_patient().await, REWARD);
}
