//! Claims backed by compressed records: the provider bills a record that is
//! a leaf of its tree, the claim names it by its address, and "billed at
//! most once" stays keyed on the amendment chain's origin, for account and
//! compressed chains alike. Then every way of passing a bad leaf, each with
//! its own claims error and nothing changed.

use {
    super::setup::*,
    anchor_lang::prelude::Pubkey,
    claims::{errors::ClaimsError, state::*},
    panacea_sdk::{claims as cl, records as rx},
    panacea_tests::{assert::*, compressed as cz, *},
    records::{
        compressed::LeafProof,
        instructions::*,
        pda,
        state::{RecordKind, RecordStatus},
    },
    solana_instruction::Instruction,
    solana_keypair::Keypair,
    solana_signer::Signer,
};

/// One record of a claim: an account, or a compressed record with its leaf.
enum Billed {
    Account(Pubkey),
    Leaf(Box<LeafProof>),
}

/// A compressed record as a claim lists it.
fn billed_leaf(leaf: LeafProof) -> Billed {
    Billed::Leaf(Box::new(leaf))
}

impl Insured {
    /// The submit_claim instruction of `by` for `records` (a compressed
    /// record lists its tree, and its leaf goes in `args.leaves`), plus any
    /// extra leaves an attacker appends.
    fn compressed_claim_ix(
        &self,
        by: &Keypair,
        records: &[Billed],
        extra: Vec<LeafProof>,
        amount: u64,
    ) -> (Pubkey, Instruction) {
        let mut args = Self::claim_args(amount);
        let mut billed = vec![];
        for record in records {
            match record {
                Billed::Account(address) => billed.push(self.billed(address)),
                Billed::Leaf(leaf) => {
                    let leaf = leaf.as_ref();
                    billed.push(cl::BilledRecord {
                        record: leaf.tree,
                        origin: leaf.record.origin,
                    });
                    args.leaves.push(leaf.clone());
                }
            }
        }
        args.leaves.extend(extra);
        let claim = cl::claim_address(&self.policy, &args.claim_id);
        let ix = cl::submit_claim(
            &self.world.payer.pubkey(),
            &by.pubkey(),
            &self.policy,
            &self.insurer.pubkey(),
            &self.patient.pubkey(),
            &billed,
            args,
        );
        (claim, ix)
    }

    fn try_submit_compressed(
        &mut self,
        records: &[Billed],
        extra: Vec<LeafProof>,
        amount: u64,
    ) -> (Pubkey, TxResult) {
        let provider = self.provider.insecure_clone();
        let (claim, ix) = self.compressed_claim_ix(&provider, records, extra, amount);
        (claim, self.world.send(&[ix], &[&provider]))
    }

    /// The provider's own record tree.
    fn provider_tree(&mut self, depth: u8, buffer: u32, canopy: u8) -> Pubkey {
        let provider = self.provider.insecure_clone();
        let (tree, result) = self.world.try_create_tree(
            &provider,
            CreateRecordTreeArgs {
                max_depth: depth,
                max_buffer_size: buffer,
                canopy_depth: canopy,
                shared: false,
            },
        );
        result.expect("the provider's tree");
        tree
    }

    /// The provider issues a compressed procedure record; returns its leaf index.
    fn compressed_record(&mut self, tree: &Pubkey) -> u32 {
        let provider = self.provider.insecure_clone();
        let patient = self.patient.pubkey();
        self.world
            .issue_compressed(&provider, &patient, tree, RecordKind::Procedure)
            .0
    }

    /// What a failed submission must leave as it was.
    fn watched(&self, claim: &Pubkey, origins: &[u64]) -> Vec<Pubkey> {
        let mut watched = vec![
            self.policy,
            self.vault,
            *claim,
            cl::provider_usage_address(&self.policy, &self.provider.pubkey()),
        ];
        watched.extend(
            origins
                .iter()
                .map(|o| claims::pda::claimed_record(&self.policy, *o).0),
        );
        watched
    }
}

fn amend_leaf(world: &mut World, issuer: &Keypair, previous: LeafProof) {
    let ix = cz::amend_compressed_record(
        &issuer.pubkey(),
        None,
        AmendCompressedRecordArgs {
            commitment: [0xA2; 32],
            content_commitment: [0xAC; 32],
            previous,
        },
    );
    world.send(&[ix], &[issuer]).expect("amend compressed");
}

#[test]
fn a_compressed_record_is_billed_once_and_named_by_its_address() {
    let mut s = insured(anchor_spl::token::ID);
    let tree = s.provider_tree(10, 64, 3);
    let index = s.compressed_record(&tree);
    let account = s.record(RecordKind::Procedure);
    let address = pda::compressed_record(&tree, index).0;
    let leaf = s.world.leaf(&tree, index);
    let origin = leaf.record.origin;

    // One account record and one compressed record in one claim.
    let (claim, result) = s.try_submit_compressed(
        &[Billed::Account(account), billed_leaf(leaf.clone())],
        vec![],
        300_000,
    );
    result.expect("submit with a compressed record");
    assert_eq!(s.claim(&claim).records, vec![account, address]);
    let marker: ClaimedRecord = s
        .world
        .account(&claims::pda::claimed_record(&s.policy, origin).0);
    assert_eq!(
        (marker.record, marker.origin, marker.claim),
        (address, origin, claim)
    );
    s.assert_escrow();

    // Its amendment is the same service: the chain's origin was billed.
    let provider = s.provider.insecure_clone();
    let current = s.world.leaf(&tree, index);
    amend_leaf(&mut s.world, &provider, current);
    let v2 = s.world.leaf(&tree, index + 1);
    assert_eq!(v2.record.origin, origin);
    let (claim2, ix) =
        s.compressed_claim_ix(&provider, &[billed_leaf(v2.clone())], vec![], 100_000);
    let before = s.world.snapshot(&s.watched(&claim2, &[origin]));
    custom_error(
        s.world.send(&[ix], &[&provider]),
        ClaimsError::RecordAlreadyClaimed,
    );
    s.world.assert_unchanged(&before);

    // The same for an account chain: amended, the new version is refused.
    let previous = s.world.account::<records::state::Record>(&account);
    let args = AmendRecordArgs {
        record_id: random_id(),
        commitment: [0xA3; 32],
        content_commitment: [0xAD; 32],
    };
    let amended = pda::record(&s.patient.pubkey(), &args.record_id).0;
    let ix = rx::amend_record(
        &provider.pubkey(),
        &s.patient.pubkey(),
        &account,
        None,
        args,
    );
    s.world
        .send(&[ix], &[&provider])
        .expect("amend the account record");
    assert_eq!(
        s.world.account::<records::state::Record>(&amended).origin,
        previous.origin
    );
    let (claim3, ix) =
        s.compressed_claim_ix(&provider, &[Billed::Account(amended)], vec![], 100_000);
    let before = s.world.snapshot(&s.watched(&claim3, &[previous.origin]));
    custom_error(
        s.world.send(&[ix], &[&provider]),
        ClaimsError::RecordAlreadyClaimed,
    );
    s.world.assert_unchanged(&before);

    // Listing one compressed record twice in one claim.
    let fresh = s.compressed_record(&tree);
    let leaf = s.world.leaf(&tree, fresh);
    let (claim4, ix) = s.compressed_claim_ix(
        &provider,
        &[billed_leaf(leaf.clone()), billed_leaf(leaf.clone())],
        vec![],
        100_000,
    );
    let before = s.world.snapshot(&s.watched(&claim4, &[leaf.record.origin]));
    custom_error(
        s.world.send(&[ix], &[&provider]),
        ClaimsError::InvalidRecordList,
    );
    s.world.assert_unchanged(&before);
    // Two compressed records of the same tree in one claim.
    let other = s.compressed_record(&tree);
    let (claim5, result) = s.try_submit_compressed(
        &[
            billed_leaf(s.world.leaf(&tree, fresh)),
            billed_leaf(s.world.leaf(&tree, other)),
        ],
        vec![],
        100_000,
    );
    result.expect("two leaves of one tree");
    assert_eq!(
        s.claim(&claim5).records,
        vec![
            pda::compressed_record(&tree, fresh).0,
            pda::compressed_record(&tree, other).0
        ]
    );

    // Withdrawn, its markers close (by origin, whatever kind of record).
    let origins: Vec<u64> = [fresh, other]
        .iter()
        .map(|i| s.world.compressed(&tree, *i).unwrap().origin)
        .collect();
    let ix = cl::withdraw_claim(
        &provider.pubkey(),
        &s.policy,
        &claim5,
        &origins,
        &s.world.payer.pubkey(),
    );
    s.world.send(&[ix], &[&provider]).expect("withdraw");
    for origin in origins {
        assert!(!s
            .world
            .exists(&claims::pda::claimed_record(&s.policy, origin).0));
    }
    s.assert_escrow();
}

#[test]
fn a_bad_leaf_is_refused_by_submit_claim_with_its_own_error() {
    let mut s = insured(anchor_spl::token::ID);
    // Buffer 8: a proof goes stale after 8 more writes.
    let tree = s.provider_tree(6, 8, 2);
    let index = s.compressed_record(&tree);
    let account = s.record(RecordKind::Procedure);
    let provider = s.provider.insecure_clone();
    let leaf = s.world.leaf(&tree, index);
    let origin = leaf.record.origin;
    let account_origin = s.origin(&account);

    let attempt =
        |s: &mut Insured, records: &[Billed], extra: Vec<LeafProof>, error: ClaimsError| {
            let (claim, ix) = s.compressed_claim_ix(&provider, records, extra, 100_000);
            let mut watched = s.watched(&claim, &[origin, account_origin]);
            watched.push(tree);
            let before = s.world.snapshot(&watched);
            custom_error(s.world.send(&[ix], &[&provider]), error);
            s.world.assert_unchanged(&before);
        };

    // The tree listed without its leaf; a leaf too many.
    let args = Insured::claim_args(100_000);
    let claim = cl::claim_address(&s.policy, &args.claim_id);
    let ix = cl::submit_claim(
        &s.world.payer.pubkey(),
        &provider.pubkey(),
        &s.policy,
        &s.insurer.pubkey(),
        &s.patient.pubkey(),
        &[cl::BilledRecord {
            record: tree,
            origin,
        }],
        args,
    );
    let before = s.world.snapshot(&s.watched(&claim, &[origin]));
    custom_error(
        s.world.send(&[ix], &[&provider]),
        ClaimsError::LeafProofMissing,
    );
    s.world.assert_unchanged(&before);
    attempt(
        &mut s,
        &[Billed::Account(account)],
        vec![leaf.clone()],
        ClaimsError::LeafProofUnexpected,
    );

    // Forged: a sibling flipped, or the record's fields changed.
    let mut forged = leaf.clone();
    forged.proof[0][0] ^= 1;
    attempt(
        &mut s,
        &[billed_leaf(forged)],
        vec![],
        ClaimsError::LeafProofInvalid,
    );
    let mut lying = leaf.clone();
    lying.record.kind = RecordKind::Imaging;
    attempt(
        &mut s,
        &[billed_leaf(lying)],
        vec![],
        ClaimsError::LeafProofInvalid,
    );

    // A leaf of another tree, listed with this tree.
    let other_tree = s.provider_tree(6, 8, 2);
    let other = s.compressed_record(&other_tree);
    let mut foreign = s.world.leaf(&other_tree, other);
    foreign.tree = tree;
    attempt(
        &mut s,
        &[billed_leaf(foreign)],
        vec![],
        ClaimsError::LeafProofInvalid,
    );
    let (claim, mut ix) = s.compressed_claim_ix(
        &provider,
        &[billed_leaf(s.world.leaf(&other_tree, other))],
        vec![],
        100_000,
    );
    ix.accounts
        .iter_mut()
        .filter(|m| m.pubkey == other_tree)
        .for_each(|m| m.pubkey = tree);
    let before = s.world.snapshot(&s.watched(&claim, &[origin]));
    custom_error(
        s.world.send(&[ix], &[&provider]),
        ClaimsError::LeafOfAnotherTree,
    );
    s.world.assert_unchanged(&before);

    // Another patient's compressed record.
    let stranger = s.world.patient();
    let (_, stranger_leaf) = {
        let i = s
            .world
            .issue_compressed(&provider, &stranger.pubkey(), &tree, RecordKind::Procedure)
            .0;
        (i, s.world.leaf(&tree, i))
    };
    attempt(
        &mut s,
        &[billed_leaf(stranger_leaf)],
        vec![],
        ClaimsError::RecordPatientMismatch,
    );

    // Modified since the proof: re-keyed by the patient.
    let old = s.world.leaf(&tree, index);
    let patient = s.patient.insecure_clone();
    let ix = cz::rekey_compressed_record(
        &patient.pubkey(),
        RekeyCompressedRecordArgs {
            commitment: [0xEE; 32],
            record: old.clone(),
        },
    );
    s.world.send(&[ix], &[&patient]).expect("rekey");
    attempt(
        &mut s,
        &[billed_leaf(old.clone())],
        vec![],
        ClaimsError::LeafModifiedSinceProof,
    );

    // Stale: 8 more writes, the proof's root left the changelog.
    for _ in 0..8 {
        s.compressed_record(&tree);
    }
    attempt(&mut s, &[billed_leaf(old)], vec![], ClaimsError::StaleProof);

    // Retracted, then erased (the proof from before the erasure).
    let retracted = s.compressed_record(&tree);
    let ix = cz::retract_compressed_record(
        &provider.pubkey(),
        RetractCompressedRecordArgs {
            record: s.world.leaf(&tree, retracted),
            previous: None,
        },
    );
    s.world.send(&[ix], &[&provider]).expect("retract");
    assert_eq!(
        s.world.compressed(&tree, retracted).unwrap().status,
        RecordStatus::Retracted
    );
    let retracted_leaf = s.world.leaf(&tree, retracted);
    attempt(
        &mut s,
        &[billed_leaf(retracted_leaf)],
        vec![],
        ClaimsError::RecordNotActive,
    );
    let before_erasure = s.world.leaf(&tree, index);
    let ix = cz::erase_compressed_record(
        &patient.pubkey(),
        EraseCompressedRecordArgs {
            record: before_erasure.clone(),
        },
    );
    s.world.send(&[ix], &[&patient]).expect("erase");
    attempt(
        &mut s,
        &[billed_leaf(before_erasure)],
        vec![],
        ClaimsError::LeafModifiedSinceProof,
    );

    // A tree-shaped account owned by another program: not a tree, so no
    // leaf goes with it, and it is no record either.
    let mut forged = s.world.raw(&tree).unwrap();
    forged.owner = anchor_spl::token_2022::ID;
    let fake = Keypair::new().pubkey();
    s.world.svm.set_account(fake, forged).unwrap();
    let mut leaf = s.world.leaf(&tree, index + 1);
    leaf.tree = fake;
    let (claim, ix) =
        s.compressed_claim_ix(&provider, &[billed_leaf(leaf.clone())], vec![], 100_000);
    let before = s.world.snapshot(&s.watched(&claim, &[leaf.record.origin]));
    custom_error(
        s.world.send(&[ix], &[&provider]),
        ClaimsError::LeafProofUnexpected,
    );
    let args = Insured::claim_args(100_000);
    let ix = cl::submit_claim(
        &s.world.payer.pubkey(),
        &provider.pubkey(),
        &s.policy,
        &s.insurer.pubkey(),
        &s.patient.pubkey(),
        &[cl::BilledRecord {
            record: fake,
            origin: leaf.record.origin,
        }],
        args,
    );
    custom_error(
        s.world.send(&[ix], &[&provider]),
        ClaimsError::InvalidRecord,
    );
    s.world.assert_unchanged(&before);
    assert_eq!(s.policy().open_claims, 0);
}

/// Transaction bytes of `submit_claim` with 1 to 3 compressed records (a
/// legacy transaction, no lookup table; the limit is 1,232), at depth 20
/// with canopy 10 and 14; printed with `--nocapture`. One compressed record
/// at canopy 10 does not fit a legacy transaction: a lookup table (or a
/// deeper canopy) is what makes a claim fit.
#[test]
fn submit_claim_transaction_bytes_with_compressed_records() {
    let mut s = insured(anchor_spl::token::ID);
    let provider = s.provider.insecure_clone();
    for canopy in [10u8, 14] {
        let tree = s.provider_tree(20, 64, canopy);
        let indices: Vec<u32> = (0..3).map(|_| s.compressed_record(&tree)).collect();
        for n in 1..=3 {
            let records: Vec<Billed> = indices[..n]
                .iter()
                .map(|i| billed_leaf(s.world.leaf(&tree, *i)))
                .collect();
            let (_, ix) = s.compressed_claim_ix(&provider, &records, vec![], 100_000);
            let accounts = ix.accounts.len();
            let data = ix.data.len();
            let message = solana_message::Message::new(&[ix], Some(&s.world.payer.pubkey()));
            let tx = solana_transaction::Transaction::new_unsigned(message);
            let size = transaction_size(&tx);
            println!(
                "submit_claim, depth 20 canopy {canopy}, {n} compressed: {size} B \
                 ({accounts} accounts, {data} B of instruction data)"
            );
            if canopy == 10 && n == 1 {
                assert!(size > 1232, "{size} B");
            }
        }
    }
}

/// A claim from a client built before compressed records (no trailing
/// `leaves`) is still taken.
#[test]
fn a_claim_without_the_trailing_leaves_is_still_taken() {
    let mut s = insured(anchor_spl::token::ID);
    let record = s.record(RecordKind::Procedure);
    let provider = s.provider.insecure_clone();
    let (claim, mut ix) =
        s.compressed_claim_ix(&provider, &[Billed::Account(record)], vec![], 100_000);
    let len = ix.data.len();
    assert_eq!(ix.data[len - 4..], [0, 0, 0, 0]);
    ix.data.truncate(len - 4);
    s.world
        .send(&[ix], &[&provider])
        .expect("an old submit_claim");
    assert_eq!(s.claim(&claim).records, vec![record]);
}
