//! Staff of the provider and of the adjudicating entity act on claims for
//! them: a Billing member bills, a ClaimsAdjudicator member decides. Every
//! refusal names its error and moves no money.

use {
    super::setup::*,
    claims::{
        errors::ClaimsError,
        events::{ClaimStatusChanged, ClaimSubmitted},
        state::ClaimStatus,
    },
    panacea_sdk::{claims as cl, records as rx},
    panacea_tests::{assert::*, members::*, *},
    records::state::{roles, EntityKind},
    solana_instruction::{AccountMeta, Instruction},
    solana_keypair::Keypair,
    solana_signer::Signer,
};

/// Accounts of `submit_claim` before the remaining ones.
const SUBMIT_ACCOUNTS: usize = 11;

/// `member` of the provider submits a claim of `amount` over `record`.
fn submit_by_member(
    s: &mut Insured,
    member: &Keypair,
    record: &anchor_lang::prelude::Pubkey,
    amount: u64,
) -> (anchor_lang::prelude::Pubkey, TxResult) {
    let args = Insured::claim_args(amount);
    let claim = cl::claim_address(&s.policy, &args.claim_id);
    let mut ix = cl::submit_claim(
        &s.world.payer.pubkey(),
        &s.provider.pubkey(),
        &s.policy,
        &s.insurer.pubkey(),
        &s.patient.pubkey(),
        &[s.billed(record)],
        args,
    );
    ix.accounts[1].pubkey = member.pubkey();
    ix.accounts.insert(
        SUBMIT_ACCOUNTS,
        AccountMeta::new_readonly(
            member_address(&s.provider.pubkey(), &member.pubkey()),
            false,
        ),
    );
    (claim, s.world.send(&[ix], &[member]))
}

/// Registers the policy's adjudicator as an Insurer entity, so that it can
/// have staff.
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

fn decide_by_member(
    s: &mut Insured,
    member: &Keypair,
    entity: &anchor_lang::prelude::Pubkey,
    claim: &anchor_lang::prelude::Pubkey,
    approved: Option<u64>,
) -> TxResult {
    let ix: Instruction = cl::decide_claim(&s.adjudicator.pubkey(), &s.policy, claim, approved);
    let ix = by_member(ix, 0, &member.pubkey(), entity, true);
    s.world.send(&[ix], &[member])
}

#[test]
fn a_billing_member_submits_for_its_provider() {
    let mut s = insured(anchor_spl::token::ID);
    let provider = s.provider.insecure_clone();
    let billing = s.world.member(&provider, roles::BILLING);
    let record = s.record(records::state::RecordKind::Procedure);
    let (claim, result) = submit_by_member(&mut s, &billing, &record, 100_000);
    let meta = result.expect("billing member submits");
    let state = s.claim(&claim);
    assert_eq!(state.provider, provider.pubkey());
    assert_eq!(state.rent_payer, s.world.payer.pubkey());
    assert!(s
        .world
        .exists(&cl::provider_usage_address(&s.policy, &provider.pubkey())));
    let submitted = World::events::<ClaimSubmitted>(&meta);
    assert_eq!(submitted[0].provider, provider.pubkey());
    assert_eq!(submitted[0].actor_member, Some(billing.pubkey()));
    s.assert_escrow();
}

#[test]
fn a_clinician_or_a_suspended_billing_member_cannot_submit() {
    let mut s = insured(anchor_spl::token::ID);
    let provider = s.provider.insecure_clone();
    let clinician = s.world.member(&provider, roles::CLINICIAN);
    let billing = s.world.member(&provider, roles::BILLING);
    let record = s.record(records::state::RecordKind::Procedure);
    let usage = cl::provider_usage_address(&s.policy, &provider.pubkey());
    let before = s.snapshot(&[usage]);

    let (claim, result) = submit_by_member(&mut s, &clinician, &record, 100_000);
    custom_error(result, ClaimsError::RoleNotAllowed);
    assert!(!s.world.exists(&claim));
    assert_eq!(s.snapshot(&[usage]), before);

    s.world
        .set_member_status(&provider, &billing.pubkey(), StatusMove::Suspend);
    let (claim, result) = submit_by_member(&mut s, &billing, &record, 100_000);
    custom_error(result, ClaimsError::MemberSuspended);
    assert!(!s.world.exists(&claim));
    assert_eq!(s.snapshot(&[usage]), before);

    // A billing member of another provider.
    let clinic = s.world.provider();
    let foreign = s.world.member(&clinic, roles::BILLING);
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
    ix.accounts[1].pubkey = foreign.pubkey();
    ix.accounts.insert(
        SUBMIT_ACCOUNTS,
        AccountMeta::new_readonly(member_address(&clinic.pubkey(), &foreign.pubkey()), false),
    );
    custom_error(
        s.world.send(&[ix], &[&foreign]),
        ClaimsError::MemberOfAnotherEntity,
    );
    assert!(!s.world.exists(&claim));
    assert_eq!(s.snapshot(&[usage]), before);
}

#[test]
fn a_claims_adjudicator_member_decides_for_the_adjudicating_entity() {
    let mut s = insured(anchor_spl::token::ID);
    adjudicator_entity(&mut s);
    let adjudicator = s.adjudicator.insecure_clone();
    let officer = s.world.member(&adjudicator, roles::CLAIMS_ADJUDICATOR);
    let billing = s.world.member(&adjudicator, roles::BILLING);
    // Over the auto-approve limit: the claim waits for review.
    let claim = s.submit(2 * AUTO_APPROVE);
    assert_eq!(s.claim(&claim).status, ClaimStatus::PendingReview);
    let a = adjudicator.pubkey();

    // A Billing member of the adjudicator may not decide; nothing moves.
    let before = s.snapshot(&[claim]);
    custom_error(
        decide_by_member(&mut s, &billing, &a, &claim, None),
        ClaimsError::RoleNotAllowed,
    );
    assert_eq!(s.snapshot(&[claim]), before);
    // A provider's member naming the provider's entity: another entity.
    let provider = s.provider.insecure_clone();
    let provider_staff = s.world.member(&provider, roles::CLAIMS_ADJUDICATOR);
    custom_error(
        decide_by_member(&mut s, &provider_staff, &provider.pubkey(), &claim, None),
        ClaimsError::MemberOfAnotherEntity,
    );
    assert_eq!(s.snapshot(&[claim]), before);
    // A stranger keeps the old error.
    let stranger = s.world.wallet();
    let ix = cl::decide_claim(&stranger.pubkey(), &s.policy, &claim, None);
    custom_error(
        s.world.send(&[ix], &[&stranger]),
        ClaimsError::NotAdjudicator,
    );
    assert_eq!(s.snapshot(&[claim]), before);

    let meta = decide_by_member(&mut s, &officer, &a, &claim, None).expect("officer denies");
    let state = s.claim(&claim);
    assert_eq!(state.status, ClaimStatus::Denied);
    assert_eq!(state.decided_by, Some(a));
    let changed = World::events::<ClaimStatusChanged>(&meta);
    assert_eq!(changed[0].actor, a);
    assert_eq!(changed[0].actor_member, Some(officer.pubkey()));
    s.assert_escrow();
}
