//! A compressed record (a leaf of the lab's record tree) is offered with
//! its leaf proof, named by its compressed address, and paid; without its
//! leaf, or with a forged one, it is refused.

use {
    ::bounties::{errors::BountiesError, state::ContributionStatus},
    anchor_lang::prelude::Pubkey,
    panacea_sdk::{bounties as bx, records as rx},
    panacea_tests::{assert::*, bounties::*},
    records::{
        compressed::LeafProof,
        instructions::{CreateRecordTreeArgs, GrantAccessArgs},
        pda,
        state::{permissions, GrantScope, Purpose, RecordKind},
    },
    solana_signer::Signer,
};

/// A study whose bounty opened after the lab issued a compressed lab
/// result to the patient; returns it, the tree and the leaf index.
fn compressed_study() -> (Study, Pubkey, u32) {
    let mut s = study(anchor_spl::token::ID);
    let lab = s.lab.insecure_clone();
    let (tree, result) = s.world.try_create_tree(
        &lab,
        CreateRecordTreeArgs {
            max_depth: 10,
            max_buffer_size: 64,
            canopy_depth: 3,
            shared: false,
        },
    );
    result.expect("the lab's tree");
    let patient = s.patient.pubkey();
    let (index, _) = s
        .world
        .issue_compressed(&lab, &patient, &tree, RecordKind::LabResult);
    s.reopen(|_| {});
    (s, tree, index)
}

/// The patient grants the researcher Research read on the compressed
/// record; returns the grant.
fn grant_leaf(s: &mut Study, leaf: &LeafProof) -> Pubkey {
    let patient = s.patient.insecure_clone();
    let ix = rx::grant_access(
        &s.world.payer.pubkey(),
        &patient.pubkey(),
        &patient.pubkey(),
        &leaf.tree,
        GrantAccessArgs {
            grantee: s.researcher.pubkey(),
            scope: GrantScope::Record,
            kinds: 0,
            permissions: permissions::READ,
            purpose: Purpose::Research,
            duration: GRANT,
            wrapped_key: vec![1; 80],
            leaf: Some(leaf.clone()),
        },
    );
    s.world.send(&[ix], &[&patient]).expect("grant on the leaf");
    let address = pda::compressed_record(&leaf.tree, leaf.index).0;
    pda::grant(&patient.pubkey(), &s.researcher.pubkey(), &address).0
}

fn offer_leaf_ix(
    s: &Study,
    tree: &Pubkey,
    grant: &Pubkey,
    origin: u64,
    leaf: Option<LeafProof>,
) -> solana_instruction::Instruction {
    bx::offer_contribution(
        &s.relayer.pubkey(),
        &s.patient.pubkey(),
        &s.patient.pubkey(),
        &s.keys,
        tree,
        grant,
        origin,
        leaf,
    )
}

#[test]
fn a_compressed_record_is_offered_and_paid() {
    let (mut s, tree, index) = compressed_study();
    let leaf = s.world.leaf(&tree, index);
    let grant = grant_leaf(&mut s, &leaf);
    let origin = leaf.record.origin;
    let ix = offer_leaf_ix(&s, &tree, &grant, origin, Some(leaf));
    let patient = s.patient.insecure_clone();
    s.send_relayed(ix, &patient)
        .expect("offer a compressed record");
    let contribution = bx::contribution_address(&s.bounty, &patient.pubkey(), origin);
    let c = s
        .world
        .account::<::bounties::state::Contribution>(&contribution);
    assert_eq!(c.record, pda::compressed_record(&tree, index).0);
    assert_eq!(c.grant, grant);
    let ix = bx::accept_contribution(
        &s.researcher.pubkey(),
        &s.keys,
        &contribution,
        &patient.pubkey(),
        &grant,
        &s.patient_tokens,
        REWARD,
        88,
    );
    let researcher = s.researcher.insecure_clone();
    s.world.send(&[ix], &[&researcher]).expect("accept");
    let c = s
        .world
        .account::<::bounties::state::Contribution>(&contribution);
    assert_eq!(c.status, ContributionStatus::Paid);
    assert_eq!(s.world.token_amount(&s.patient_tokens), REWARD);
    s.check_escrow();
    // The same leaf again: refused.
    let leaf = s.world.leaf(&tree, index);
    let ix = offer_leaf_ix(&s, &tree, &grant, origin, Some(leaf));
    custom_error(
        s.send_relayed(ix, &patient),
        BountiesError::RecordAlreadyContributed,
    );
}

#[test]
fn without_its_leaf_it_is_refused() {
    let (mut s, tree, index) = compressed_study();
    let leaf = s.world.leaf(&tree, index);
    let grant = grant_leaf(&mut s, &leaf);
    let ix = offer_leaf_ix(&s, &tree, &grant, leaf.record.origin, None);
    let patient = s.patient.insecure_clone();
    let before = s.snapshot();
    custom_error(
        s.send_relayed(ix, &patient),
        BountiesError::LeafProofMissing,
    );
    s.world.assert_unchanged(&before);
    // A leaf with a record account: refused too.
    let record = s.record;
    let ix = offer_leaf_ix(
        &s,
        &record,
        &s.grant_address(&record),
        s.origin(&record),
        Some(leaf),
    );
    custom_error(
        s.send_relayed(ix, &patient),
        BountiesError::LeafProofUnexpected,
    );
    s.world.assert_unchanged(&before);
}

#[test]
fn a_forged_leaf_is_refused() {
    let (mut s, tree, index) = compressed_study();
    let leaf = s.world.leaf(&tree, index);
    let grant = grant_leaf(&mut s, &leaf);
    let origin = leaf.record.origin;
    let patient = s.patient.insecure_clone();
    let before = s.snapshot();
    // The leaf's fields changed (another kind): the proof no longer holds.
    let mut forged = leaf.clone();
    forged.record.kind = RecordKind::Imaging;
    let ix = offer_leaf_ix(&s, &tree, &grant, origin, Some(forged));
    custom_error(
        s.send_relayed(ix, &patient),
        BountiesError::LeafProofInvalid,
    );
    // A leaf of another tree.
    let mut other = leaf.clone();
    other.tree = Pubkey::new_unique();
    let ix = offer_leaf_ix(&s, &tree, &grant, origin, Some(other));
    custom_error(
        s.send_relayed(ix, &patient),
        BountiesError::LeafOfAnotherTree,
    );
    s.world.assert_unchanged(&before);
}
