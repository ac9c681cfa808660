//! Security review of member mode in `claims` (issue 17): appeal, withdraw,
//! reinstate, dispute, decide and void by members; members of another
//! entity, of the wrong role, expired, revoked or closed; an adjudicator
//! that is no entity; and the transaction sizes of member mode. Every
//! refusal asserts its exact error and that no account byte or balance moved.

use {
    super::setup::*,
    anchor_lang::prelude::Pubkey,
    claims::{errors::ClaimsError, events::ClaimStatusChanged, state::ClaimStatus},
    panacea_sdk::{claims as cl, records as rx, ActingKeys},
    panacea_tests::{assert::*, members::*, *},
    records::{
        instructions::LogAccessArgs,
        pda,
        state::{kinds, permissions, roles, EntityKind, EntityStatus, RecordKind},
    },
    solana_instruction::{AccountMeta, Instruction},
    solana_keypair::Keypair,
    solana_message::Message,
    solana_signer::Signer,
    solana_transaction::Transaction,
};

fn m(member: &Keypair, entity: &Keypair) -> ActingKeys {
    ActingKeys::member(member.pubkey(), entity.pubkey())
}

/// Registers the policy's adjudicator as an Insurer entity (it then has staff).
fn adjudicator_entity(s: &mut Insured) {
    let adjudicator = s.adjudicator.insecure_clone();
    let args = s.world.entity_args(EntityKind::Insurer);
    let ix = rx::register_entity(
        &s.world.payer.pubkey(),
        &s.world.admin.pubkey(),
        &adjudicator.pubkey(),
        args,
    );
    let admin = s.world.admin.insecure_clone();
    s.world
        .send(&[ix], &[&admin, &adjudicator])
        .expect("register the adjudicator");
}

/// Every account a claim refusal must leave as it was.
fn watched(s: &Insured, claim: &Pubkey, extra: &[Pubkey]) -> Vec<Pubkey> {
    let mut all = vec![
        *claim,
        s.policy,
        s.vault,
        s.provider_tokens,
        s.insurer_tokens,
        cl::provider_usage_address(&s.policy, &s.provider.pubkey()),
    ];
    all.extend(
        s.claim_records(claim)
            .iter()
            .map(|r| claims::pda::claimed_record(&s.policy, s.origin(r)).0),
    );
    all.extend_from_slice(extra);
    all
}

fn withdraw_by(s: &Insured, by: ActingKeys, claim: &Pubkey) -> Instruction {
    let records = s.claim_records(claim);
    cl::withdraw_claim(
        by,
        &s.policy,
        claim,
        &s.origins(&records),
        &s.world.payer.pubkey(),
    )
}

#[test]
fn a_billing_member_withdraws_appeals_and_reinstates_for_its_provider() {
    let mut s = insured(anchor_spl::token::ID);
    let provider = s.provider.insecure_clone();
    let billing = s.world.member(&provider, roles::BILLING);
    let clinician = s.world.member(&provider, roles::CLINICIAN);
    let clinic = s.world.provider();
    let clinic_billing = s.world.member(&clinic, roles::BILLING);

    // ---- withdraw (the markers follow [Member, Entity]) ----
    let claim = s.submit(2 * AUTO_APPROVE);
    let snapshot = s.world.snapshot(&watched(&s, &claim, &[billing.pubkey()]));
    let ix = withdraw_by(&s, m(&clinician, &provider), &claim);
    custom_error(
        s.world.send(&[ix], &[&clinician]),
        ClaimsError::RoleNotAllowed,
    );
    s.world.assert_unchanged(&snapshot);
    // Entity omitted: the first marker stands where the Entity should.
    let mut ix = withdraw_by(&s, m(&billing, &provider), &claim);
    let entity_at = ix
        .accounts
        .iter()
        .position(|a| a.pubkey == pda::entity(&provider.pubkey()).0)
        .expect("entity");
    ix.accounts.remove(entity_at);
    custom_error(
        s.world.send(&[ix], &[&billing]),
        ClaimsError::MemberOfAnotherEntity,
    );
    s.world.assert_unchanged(&snapshot);
    // Another provider's billing member, with its own Member and Entity.
    let ix = withdraw_by(&s, m(&clinic_billing, &clinic), &claim);
    custom_error(
        s.world.send(&[ix], &[&clinic_billing]),
        ClaimsError::MemberOfAnotherEntity,
    );
    s.world.assert_unchanged(&snapshot);
    let ix = withdraw_by(&s, m(&billing, &provider), &claim);
    let meta = s.world.send(&[ix], &[&billing]).expect("withdraw");
    let changed = &World::events::<ClaimStatusChanged>(&meta)[0];
    assert_eq!(
        (changed.new_status, changed.actor, changed.actor_member),
        (
            ClaimStatus::Withdrawn,
            provider.pubkey(),
            Some(billing.pubkey())
        )
    );
    s.assert_escrow();

    // ---- appeal ----
    let claim = s.submit(2 * AUTO_APPROVE);
    s.decide(&claim, None).expect("deny");
    let snapshot = s.world.snapshot(&watched(&s, &claim, &[billing.pubkey()]));
    for (by, who, error) in [
        (
            m(&clinician, &provider),
            &clinician,
            ClaimsError::RoleNotAllowed,
        ),
        (
            m(&clinic_billing, &clinic),
            &clinic_billing,
            ClaimsError::MemberOfAnotherEntity,
        ),
    ] {
        let ix = cl::appeal_claim(by, &s.policy, &claim);
        custom_error(s.world.send(&[ix], &[who]), error);
        s.world.assert_unchanged(&snapshot);
    }
    // The hospital's Member beside the clinic's Entity.
    let mut ix = cl::appeal_claim(m(&billing, &provider), &s.policy, &claim);
    let last = ix.accounts.len() - 1;
    ix.accounts[last].pubkey = pda::entity(&clinic.pubkey()).0;
    custom_error(
        s.world.send(&[ix], &[&billing]),
        ClaimsError::MemberOfAnotherEntity,
    );
    s.world.assert_unchanged(&snapshot);
    let ix = cl::appeal_claim(m(&billing, &provider), &s.policy, &claim);
    let meta = s.world.send(&[ix], &[&billing]).expect("appeal");
    let changed = &World::events::<ClaimStatusChanged>(&meta)[0];
    assert_eq!(
        (changed.actor, changed.actor_member),
        (provider.pubkey(), Some(billing.pubkey()))
    );

    // ---- reinstate (after a void while the provider was suspended) ----
    let claim = s.submit(600_000);
    let insurer = s.insurer.insecure_clone();
    s.world
        .set_status(&provider.pubkey(), EntityStatus::Suspended);
    s.void(&insurer, &claim).expect("void");
    let snapshot = s.world.snapshot(&watched(&s, &claim, &[billing.pubkey()]));
    let ix = cl::reinstate_claim(m(&billing, &provider), &s.policy, &claim);
    custom_error(
        s.world.send(&[ix], &[&billing]),
        ClaimsError::EntityNotActive,
    );
    s.world.assert_unchanged(&snapshot);
    s.world.set_status(&provider.pubkey(), EntityStatus::Active);
    let ix = cl::reinstate_claim(m(&clinician, &provider), &s.policy, &claim);
    custom_error(
        s.world.send(&[ix], &[&clinician]),
        ClaimsError::RoleNotAllowed,
    );
    s.world.assert_unchanged(&snapshot);
    let ix = cl::reinstate_claim(m(&clinic_billing, &clinic), &s.policy, &claim);
    // The builder names the clinic's entity; the claim's provider's is required.
    custom_error(
        s.world.send(&[ix], &[&clinic_billing]),
        anchor_lang::error::ErrorCode::ConstraintSeeds,
    );
    let mut ix = cl::reinstate_claim(m(&clinic_billing, &clinic), &s.policy, &claim);
    ix.accounts[4].pubkey = pda::entity(&provider.pubkey()).0;
    custom_error(
        s.world.send(&[ix], &[&clinic_billing]),
        ClaimsError::MemberOfAnotherEntity,
    );
    s.world.assert_unchanged(&snapshot);
    let ix = cl::reinstate_claim(m(&billing, &provider), &s.policy, &claim);
    let meta = s.world.send(&[ix], &[&billing]).expect("reinstate");
    let changed = &World::events::<ClaimStatusChanged>(&meta)[0];
    assert_eq!(
        (changed.new_status, changed.actor_member),
        (ClaimStatus::Approved, Some(billing.pubkey()))
    );
    s.assert_escrow();
}

#[test]
fn claims_adjudicator_members_dispute_and_void_for_their_entity_only() {
    let mut s = insured(anchor_spl::token::ID);
    adjudicator_entity(&mut s);
    let adjudicator = s.adjudicator.insecure_clone();
    let insurer = s.insurer.insecure_clone();
    let provider = s.provider.insecure_clone();
    let officer = s.world.member(&adjudicator, roles::CLAIMS_ADJUDICATOR);
    let adj_billing = s.world.member(&adjudicator, roles::BILLING);
    let insurer_officer = s.world.member(&insurer, roles::CLAIMS_ADJUDICATOR);
    let insurer_billing = s.world.member(&insurer, roles::BILLING);
    let provider_officer = s.world.member(&provider, roles::CLAIMS_ADJUDICATOR);
    let third = s.world.insurer();
    let third_officer = s.world.member(&third, roles::CLAIMS_ADJUDICATOR);

    // ---- dispute: the adjudicator's officer only ----
    let auto = s.submit(100_000);
    assert_eq!(s.claim(&auto).status, ClaimStatus::Approved);
    let snapshot = s.world.snapshot(&watched(&s, &auto, &[]));
    for (by, who, error) in [
        (
            m(&adj_billing, &adjudicator),
            &adj_billing,
            ClaimsError::RoleNotAllowed,
        ),
        (
            m(&provider_officer, &provider),
            &provider_officer,
            ClaimsError::MemberOfAnotherEntity,
        ),
        // The insurer's officer may void, not dispute: the insurer is not
        // the adjudicator.
        (
            m(&insurer_officer, &insurer),
            &insurer_officer,
            ClaimsError::MemberOfAnotherEntity,
        ),
    ] {
        let ix = cl::dispute_claim(by, &s.policy, &auto);
        custom_error(s.world.send(&[ix], &[who]), error);
        s.world.assert_unchanged(&snapshot);
    }
    let ix = cl::dispute_claim(m(&officer, &adjudicator), &s.policy, &auto);
    let meta = s.world.send(&[ix], &[&officer]).expect("dispute");
    let changed = &World::events::<ClaimStatusChanged>(&meta)[0];
    assert_eq!(
        (changed.new_status, changed.actor, changed.actor_member),
        (
            ClaimStatus::PendingReview,
            adjudicator.pubkey(),
            Some(officer.pubkey())
        )
    );

    // ---- void: an officer of the insurer or of the adjudicator ----
    let first = s.submit(600_000);
    let second = s.submit(600_000);
    s.world
        .set_status(&provider.pubkey(), EntityStatus::Suspended);
    let snapshot = s.world.snapshot(&watched(&s, &first, &[]));
    let void = |s: &Insured, by: ActingKeys, claim: &Pubkey| {
        cl::void_claim(by, &s.policy, claim, &provider.pubkey())
    };
    for (by, who, error) in [
        (
            m(&insurer_billing, &insurer),
            &insurer_billing,
            ClaimsError::RoleNotAllowed,
        ),
        (
            m(&third_officer, &third),
            &third_officer,
            ClaimsError::MemberOfAnotherEntity,
        ),
        (
            m(&provider_officer, &provider),
            &provider_officer,
            ClaimsError::MemberOfAnotherEntity,
        ),
    ] {
        let ix = void(&s, by, &first);
        custom_error(s.world.send(&[ix], &[who]), error);
        s.world.assert_unchanged(&snapshot);
    }
    // The third insurer's officer naming the insurer's Entity.
    let mut ix = void(&s, m(&third_officer, &third), &first);
    let last = ix.accounts.len() - 1;
    ix.accounts[last].pubkey = pda::entity(&insurer.pubkey()).0;
    custom_error(
        s.world.send(&[ix], &[&third_officer]),
        ClaimsError::MemberOfAnotherEntity,
    );
    s.world.assert_unchanged(&snapshot);
    // A stranger with no Member keeps the old error.
    let stranger = s.world.wallet();
    let ix = void(&s, ActingKeys::authority(stranger.pubkey()), &first);
    custom_error(
        s.world.send(&[ix], &[&stranger]),
        ClaimsError::NotInsurerOrAdjudicator,
    );
    s.world.assert_unchanged(&snapshot);

    for (claim, by, who, entity) in [
        (
            &first,
            m(&insurer_officer, &insurer),
            &insurer_officer,
            &insurer,
        ),
        (&second, m(&officer, &adjudicator), &officer, &adjudicator),
    ] {
        let ix = void(&s, by, claim);
        let meta = s.world.send(&[ix], &[who]).expect("void");
        let changed = &World::events::<ClaimStatusChanged>(&meta)[0];
        assert_eq!(
            (changed.new_status, changed.actor, changed.actor_member),
            (ClaimStatus::Voided, entity.pubkey(), Some(who.pubkey()))
        );
    }
    s.assert_escrow();
}

#[test]
fn an_adjudicator_that_is_no_entity_has_no_members() {
    let mut s = insured(anchor_spl::token::ID);
    let claim = s.submit(2 * AUTO_APPROVE);
    // Someone registers an entity of its own and claims to decide for the
    // adjudicator through it.
    let rogue = s.world.insurer();
    let officer = s.world.member(&rogue, roles::CLAIMS_ADJUDICATOR);
    let snapshot = s.world.snapshot(&watched(&s, &claim, &[]));
    let mut ix = cl::decide_claim(m(&officer, &rogue), &s.policy, &claim, None);
    assert_eq!(ix.accounts[0].pubkey, officer.pubkey());
    custom_error(
        s.world.send(&[ix.clone()], &[&officer]),
        ClaimsError::MemberOfAnotherEntity,
    );
    s.world.assert_unchanged(&snapshot);
    // Without the Entity: nothing to tie the member to the adjudicator.
    ix.accounts.pop();
    custom_error(
        s.world.send(&[ix], &[&officer]),
        ClaimsError::MemberOfAnotherEntity,
    );
    s.world.assert_unchanged(&snapshot);
    s.decide(&claim, None)
        .expect("the adjudicator itself decides");
}

#[test]
fn expired_revoked_and_closed_members_cannot_act_on_claims() {
    let mut s = insured(anchor_spl::token::ID);
    let provider = s.provider.insecure_clone();
    let p = provider.pubkey();
    let expiring = s.world.member(&provider, roles::BILLING);
    let revoked = s.world.member(&provider, roles::BILLING);
    let closed = s.world.member(&provider, roles::BILLING);
    s.world
        .set_member_status(&provider, &revoked.pubkey(), StatusMove::Revoke);
    let ix = close_member(&p, &p, &closed.pubkey(), &s.world.payer.pubkey());
    s.world.send(&[ix], &[&provider]).expect("close");
    let claim = s.submit(2 * AUTO_APPROVE);
    s.decide(&claim, None).expect("deny");
    let valid_until: records::state::Member =
        s.world.account(&member_address(&p, &expiring.pubkey()));
    s.world.warp(valid_until.valid_until - s.world.now());
    let snapshot = s.world.snapshot(&watched(&s, &claim, &[]));
    for (who, error) in [
        (&expiring, ClaimsError::MemberExpired),
        (&revoked, ClaimsError::MemberRevoked),
        (&closed, ClaimsError::MemberNotFound),
    ] {
        let ix = cl::appeal_claim(m(who, &provider), &s.policy, &claim);
        custom_error(s.world.send(&[ix], &[who]), error);
        s.world.assert_unchanged(&snapshot);
    }
    // submit_claim: a closed Member in front of the pairs reads as "no
    // member", so the signer keeps NotClaimProvider; nothing is created.
    let record = s.record(RecordKind::Procedure);
    let usage = cl::provider_usage_address(&s.policy, &p);
    let before = s.world.snapshot(&[usage, s.policy, s.vault]);
    for (who, error) in [
        (&expiring, ClaimsError::MemberExpired),
        (&revoked, ClaimsError::MemberRevoked),
        (&closed, ClaimsError::NotClaimProvider),
    ] {
        let args = Insured::claim_args(100_000);
        let address = cl::claim_address(&s.policy, &args.claim_id);
        let ix = cl::submit_claim(
            &s.world.payer.pubkey(),
            m(who, &provider),
            &s.policy,
            &s.insurer.pubkey(),
            &s.patient.pubkey(),
            &[s.billed(&record)],
            args,
        );
        custom_error(s.world.send(&[ix], &[who]), error);
        assert!(!s.world.exists(&address));
        s.world.assert_unchanged(&before);
    }
}

#[test]
fn the_authority_with_a_member_injected_before_the_pairs_is_refused_whole() {
    // The authority consumes no remaining account: a Member in front of
    // the (record, marker) pairs leaves an odd list, refused before anything.
    let mut s = insured(anchor_spl::token::ID);
    let provider = s.provider.insecure_clone();
    let billing = s.world.member(&provider, roles::BILLING);
    let record = s.record(RecordKind::Procedure);
    let args = Insured::claim_args(100_000);
    let claim = cl::claim_address(&s.policy, &args.claim_id);
    let mut ix = cl::submit_claim(
        &s.world.payer.pubkey(),
        &provider.pubkey(),
        &s.policy,
        &s.insurer.pubkey(),
        &s.patient.pubkey(),
        &[s.billed(&record)],
        args,
    );
    ix.accounts.insert(
        11,
        AccountMeta::new_readonly(member_address(&provider.pubkey(), &billing.pubkey()), false),
    );
    let usage = cl::provider_usage_address(&s.policy, &provider.pubkey());
    let snapshot = s.world.snapshot(&[usage, s.policy, s.vault, record]);
    custom_error(
        s.world.send(&[ix], &[&provider]),
        ClaimsError::InvalidRecordList,
    );
    assert!(!s.world.exists(&claim));
    s.world.assert_unchanged(&snapshot);
}

/// Finding R17-2 (fixed, claims side): an adjudicator's claims officer who is
/// the policy's patient decided its own claim. Refused now; a colleague
/// decides it.
#[test]
fn a_claims_officer_does_not_decide_its_own_claim() {
    let mut s = insured(anchor_spl::token::ID);
    adjudicator_entity(&mut s);
    let adjudicator = s.adjudicator.insecure_clone();
    let a = adjudicator.pubkey();
    let patient = s.patient.insecure_clone();
    let args = s
        .world
        .member_args(&patient.pubkey(), roles::CLAIMS_ADJUDICATOR);
    let ix = add_member(&s.world.payer.pubkey(), &a, &a, args);
    s.world
        .send(&[ix], &[&adjudicator])
        .expect("the patient is a claims officer");
    let colleague = s.world.member(&adjudicator, roles::CLAIMS_ADJUDICATOR);
    let claim = s.submit(2 * AUTO_APPROVE);
    let snapshot = s.world.snapshot(&watched(&s, &claim, &[]));
    let payable = s.claim(&claim).amount_payable;
    let ix = cl::decide_claim(
        ActingKeys::member(patient.pubkey(), a),
        &s.policy,
        &claim,
        Some(payable),
    );
    custom_error(
        s.world.send(&[ix], &[&patient]),
        ClaimsError::MemberIsPatient,
    );
    s.world.assert_unchanged(&snapshot);
    let ix = cl::decide_claim(
        m(&colleague, &adjudicator),
        &s.policy,
        &claim,
        Some(payable),
    );
    s.world
        .send(&[ix], &[&colleague])
        .expect("a colleague decides");
    assert_eq!(s.claim(&claim).status, ClaimStatus::Approved);
    s.assert_escrow();
}

/// Bytes of a signed legacy transaction of `ixs`, paid by `payer`.
fn size(ixs: &[Instruction], payer: &Pubkey, signers: usize) -> usize {
    let message = Message::new(ixs, Some(payer));
    let mut tx = Transaction::new_unsigned(message);
    tx.signatures = vec![Default::default(); signers];
    transaction_size(&tx)
}

/// Member mode adds the `Member` account (33 bytes: a key and its index)
/// to `log_access` at depth 24 (canopy 10) and to an 8-record
/// `submit_claim`. Legacy transactions, no lookup table.
#[test]
fn member_transactions_fit() {
    // ---- log_access of a compressed record at depth 24, by a clinician ----
    let mut world = World::new();
    let lab = world.lab();
    let reader = world.provider();
    let patient = world.patient();
    let p = patient.pubkey();
    let ix = world.care_link_ix(&patient, &reader.pubkey(), kinds::ALL, permissions::READ);
    world.send(&[ix], &[&patient]).expect("reader");
    let wide = rx::care_link_address(&p, &reader.pubkey());
    let clinician = world.member(&reader, roles::CLINICIAN);
    let tree = world.create_tree(&lab, 24, 10, false);
    world.issue_compressed(&lab, &p, &tree, RecordKind::LabResult);
    let leaf = || LogAccessArgs {
        leaf: Some(world.leaf(&tree, 0)),
    };
    let by_authority = rx::log_access_with(&reader.pubkey(), &wide, &tree, leaf());
    let by_member = rx::log_access_with(m(&clinician, &reader), &wide, &tree, leaf());
    let authority_relayed = size(
        std::slice::from_ref(&by_authority),
        &world.payer.pubkey(),
        2,
    );
    let member_relayed = size(std::slice::from_ref(&by_member), &world.payer.pubkey(), 2);
    let member_pays = size(std::slice::from_ref(&by_member), &clinician.pubkey(), 1);
    println!(
        "log_access depth 24 canopy 10: authority + relayer {authority_relayed} B, \
         member + relayer {member_relayed} B, member paying {member_pays} B"
    );
    assert_eq!(
        (authority_relayed, member_relayed, member_pays),
        (1159, 1192, 1096)
    );
    assert_eq!(member_relayed, authority_relayed + 33);
    assert_eq!(member_pays, member_relayed - 64 - 32);
    assert!(member_relayed <= 1232, "{member_relayed} B");
    // It lands, relayed.
    world
        .send(&[by_member], &[&clinician])
        .expect("the member's read lands");

    // ---- submit_claim with 8 records, by a billing member ----
    let mut s = insured(anchor_spl::token::ID);
    let provider = s.provider.insecure_clone();
    let billing = s.world.member(&provider, roles::BILLING);
    let records: Vec<cl::BilledRecord> = (0..8u8)
        .map(|i| cl::BilledRecord {
            record: Pubkey::new_from_array([i + 1; 32]),
            origin: 1,
        })
        .collect();
    let build = |by: ActingKeys| {
        cl::submit_claim(
            &s.world.payer.pubkey(),
            by,
            &s.policy,
            &s.insurer.pubkey(),
            &s.patient.pubkey(),
            &records,
            Insured::claim_args(1),
        )
    };
    let payer = s.world.payer.pubkey();
    let authority = size(
        &[build(ActingKeys::authority(provider.pubkey()))],
        &payer,
        2,
    );
    let member = size(&[build(m(&billing, &provider))], &payer, 2);
    println!(
        "submit_claim, 8 records: authority {authority} B, billing member {member} B (relayed)"
    );
    assert_eq!((authority, member), (904, 937));
    assert_eq!(member, authority + 33);
    assert!(member <= 1232, "{member} B");
    // The Member sits before the pairs.
    let ix = build(m(&billing, &provider));
    assert_eq!(
        ix.accounts[11],
        AccountMeta::new_readonly(member_address(&provider.pubkey(), &billing.pubkey()), false)
    );
}
