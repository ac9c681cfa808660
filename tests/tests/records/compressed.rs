//! Compressed records: a lab keeps its records as leaves of its own record
//! tree; every write emits what rebuilds the leaf, the record book moves as
//! for account records, and every reader takes a leaf with its proof. Then
//! the attacks: stale, forged and outdated proofs, leaves of another tree or
//! patient, retracted and superseded leaves, a tree without a proof and a
//! proof without a tree, a fake tree, each with its own error and nothing
//! changed. The must-hold concurrency (32 writers in one slot against one
//! root) and a seeded random sequence against a model close it.

use {
    super::support::*,
    anchor_lang::{error::ErrorCode as Anchor, prelude::Pubkey},
    panacea_sdk::records as rx,
    panacea_tests::{assert::*, compressed as cz, *},
    records::{
        compressed::{leaf_hash, LeafProof, PreviousLeaf},
        errors::RecordsError,
        events::*,
        instructions::*,
        pda,
        state::{permissions::*, *},
        tree::EMPTY_LEAF,
    },
    solana_instruction::Instruction,
    solana_keypair::Keypair,
    solana_message::Message,
    solana_signer::Signer,
    solana_transaction::Transaction,
};

/// A lab with its own record tree, a specialist and a patient.
struct Ward {
    world: World,
    lab: Keypair,
    specialist: Keypair,
    patient: Keypair,
    tree: Pubkey,
}

fn ward_with(depth: u8, buffer: u32, canopy: u8) -> Ward {
    let mut world = World::new();
    let lab = world.lab();
    let specialist = world.provider();
    let patient = world.patient();
    let (tree, result) = world.try_create_tree(&lab, tree_args(depth, buffer, canopy, false));
    result.expect("create the lab's tree");
    Ward {
        world,
        lab,
        specialist,
        patient,
        tree,
    }
}

fn ward() -> Ward {
    ward_with(10, 64, 3)
}

fn tree_args(depth: u8, buffer: u32, canopy: u8, shared: bool) -> CreateRecordTreeArgs {
    CreateRecordTreeArgs {
        max_depth: depth,
        max_buffer_size: buffer,
        canopy_depth: canopy,
        shared,
    }
}

/// The patient grants `grantee` `permissions` on the compressed record
/// `leaf`; returns the grant (named by the record's address).
fn grant_leaf(
    world: &mut World,
    patient: &Keypair,
    grantee: &Pubkey,
    leaf: LeafProof,
    permissions: u8,
) -> Pubkey {
    let address = pda::compressed_record(&leaf.tree, leaf.index).0;
    let ix = grant_leaf_ix(world, patient, grantee, leaf, permissions);
    world
        .send(&[ix], &[patient])
        .expect("grant on a compressed record");
    pda::grant(&patient.pubkey(), grantee, &address).0
}

fn grant_leaf_ix(
    world: &World,
    patient: &Keypair,
    grantee: &Pubkey,
    leaf: LeafProof,
    permissions: u8,
) -> Instruction {
    grant_ix(
        world,
        patient,
        grantee,
        &leaf.tree.clone(),
        GrantScope::Record,
        Some(leaf),
        permissions,
    )
}

fn grant_ix(
    world: &World,
    patient: &Keypair,
    grantee: &Pubkey,
    target: &Pubkey,
    scope: GrantScope,
    leaf: Option<LeafProof>,
    permissions: u8,
) -> Instruction {
    cz::grant_access(
        &world.payer.pubkey(),
        &patient.pubkey(),
        &patient.pubkey(),
        target,
        GrantAccessArgs {
            grantee: *grantee,
            scope,
            kinds: if scope == GrantScope::Patient {
                kinds::ALL
            } else {
                0
            },
            permissions,
            purpose: Purpose::Treatment,
            duration: 30 * DAY,
            wrapped_key: vec![1; 80],
            leaf,
        },
    )
}

fn request_args(leaf: Option<LeafProof>) -> RequestAccessArgs {
    RequestAccessArgs {
        scope: GrantScope::Record,
        kinds: 0,
        permissions: READ,
        purpose: Purpose::Treatment,
        duration: DAY,
        reason_code: 4,
        leaf,
    }
}

fn erase_ix(patient: &Keypair, leaf: LeafProof) -> Instruction {
    cz::erase_compressed_record(
        &patient.pubkey(),
        EraseCompressedRecordArgs { record: leaf },
    )
}

fn retract_ix(issuer: &Keypair, leaf: LeafProof, previous: Option<PreviousLeaf>) -> Instruction {
    cz::retract_compressed_record(
        &issuer.pubkey(),
        RetractCompressedRecordArgs {
            record: leaf,
            previous,
        },
    )
}

fn amend_ix(issuer: &Keypair, grant: Option<Pubkey>, previous: LeafProof) -> Instruction {
    cz::amend_compressed_record(
        &issuer.pubkey(),
        grant,
        AmendCompressedRecordArgs {
            commitment: [0xA2; 32],
            content_commitment: [0xAC; 32],
            previous,
        },
    )
}

fn rekey_ix(patient: &Keypair, leaf: LeafProof, commitment: [u8; 32]) -> Instruction {
    cz::rekey_compressed_record(
        &patient.pubkey(),
        RekeyCompressedRecordArgs {
            commitment,
            record: leaf,
        },
    )
}

/// The proof that the slot at `index` is empty (an erased version).
fn erased_slot(world: &World, tree: &Pubkey, index: u32) -> PreviousLeaf {
    let model = world.tree_model(tree);
    PreviousLeaf {
        index,
        record: None,
        root: model.root(),
        proof: model.proof(index),
    }
}

/// The superseded version at `index`, as a retraction restores it.
fn superseded_slot(world: &World, tree: &Pubkey, index: u32) -> PreviousLeaf {
    let leaf = world.leaf(tree, index);
    PreviousLeaf {
        index,
        record: Some(leaf.record),
        root: leaf.root,
        proof: leaf.proof,
    }
}

/// `ix` with every mention of `from` replaced by `to` (an account swapped
/// by an attacker).
fn swapped(mut ix: Instruction, from: &Pubkey, to: &Pubkey) -> Instruction {
    for meta in ix.accounts.iter_mut() {
        if meta.pubkey == *from {
            meta.pubkey = *to;
        }
    }
    ix
}

/// The model (rebuilt from events) and the account agree on the root.
#[track_caller]
fn assert_root(world: &World, tree: &Pubkey) {
    assert_eq!(
        world.tree_model(tree).root(),
        world.tree_root(tree),
        "the tree rebuilt from events has the account's root"
    );
}

// ----- trees -----

#[test]
fn an_issuer_creates_its_tree_within_the_limits_and_closes_it_empty_with_its_rent_back() {
    let mut world = World::new();
    let lab = world.lab();
    let insurer = world.insurer();
    let stranger = world.wallet();

    // Out of limits, each refused with nothing created.
    for args in [
        tree_args(2, 64, 0, false),
        tree_args(31, 64, 0, false),
        tree_args(10, 7, 3, false),
        tree_args(10, 2049, 3, false),
        tree_args(10, 64, 10, false),
    ] {
        let space = RecordTree::TREE_OFFSET + 4096;
        let tree = Keypair::new();
        let lamports = world.svm.minimum_balance_for_rent_exemption(space);
        let ixs = cz::create_record_tree_sized(
            &world.payer.pubkey(),
            &lab.pubkey(),
            &tree.pubkey(),
            lamports,
            space,
            args,
        );
        custom_error(
            world.send(&ixs, &[&lab, &tree]),
            RecordsError::InvalidTreeConfig,
        );
        assert!(!world.exists(&tree.pubkey()));
    }
    // The account must be exactly the tree's size.
    let args = tree_args(10, 64, 3, false);
    let space = RecordTree::space(10, 64, 3).unwrap() + 8;
    let tree = Keypair::new();
    let lamports = world.svm.minimum_balance_for_rent_exemption(space);
    let ixs = cz::create_record_tree_sized(
        &world.payer.pubkey(),
        &lab.pubkey(),
        &tree.pubkey(),
        lamports,
        space,
        args.clone(),
    );
    custom_error(
        world.send(&ixs, &[&lab, &tree]),
        RecordsError::InvalidTreeConfig,
    );
    // An insurer issues no records: no tree of its own; nobody but the
    // admin creates a shared tree; a key without an entity creates none.
    let (_, result) = world.try_create_tree(&insurer, args.clone());
    custom_error(result, RecordsError::EntityKindNotAllowed);
    let (_, result) = world.try_create_tree(&lab, tree_args(10, 64, 3, true));
    custom_error(result, RecordsError::NotRegistryAdmin);
    let (_, result) = world.try_create_tree(&stranger, args.clone());
    custom_error(result, Anchor::AccountNotInitialized);

    // The lab's own tree and a shared tree of the admin.
    let (tree, result) = world.try_create_tree(&lab, args);
    let meta = result.expect("the lab's tree");
    let created = World::events::<RecordTreeCreated>(&meta);
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].issuer, Some(lab.pubkey()));
    let state = world.record_tree(&tree);
    assert_eq!(state.authority, lab.pubkey());
    assert_eq!(state.issuer, Some(lab.pubkey()));
    assert_eq!(state.rent_payer, world.payer.pubkey());
    assert_eq!(
        (state.max_depth, state.max_buffer_size, state.canopy_depth),
        (10, 64, 3)
    );
    assert_eq!((state.records, state.erased), (0, 0));
    assert_root(&world, &tree);
    let admin = world.admin.insecure_clone();
    let shared = world.create_tree(&admin, 12, 4, true);
    assert_eq!(world.record_tree(&shared).issuer, None);
    assert_eq!(world.record_tree(&shared).authority, admin.pubkey());

    // Only the authority closes, and the rent goes to the payer recorded.
    let payer = world.payer.pubkey();
    let fee_payer = world.wallet();
    let before = world.snapshot(&[tree, payer, stranger.pubkey()]);
    let ix = cz::close_record_tree(&stranger.pubkey(), &tree, &payer);
    custom_error(
        world.send_paid_by(&fee_payer, &[ix], &[&stranger]),
        RecordsError::NotTreeAuthority,
    );
    let ix = cz::close_record_tree(&lab.pubkey(), &tree, &stranger.pubkey());
    custom_error(
        world.send_paid_by(&fee_payer, &[ix], &[&lab]),
        RecordsError::RentPayerMismatch,
    );
    world.assert_unchanged(&before);

    let rent = world.lamports(&tree);
    let payer_before = world.lamports(&payer);
    let ix = cz::close_record_tree(&lab.pubkey(), &tree, &payer);
    let meta = world
        .send_paid_by(&fee_payer, &[ix], &[&lab])
        .expect("close the empty tree");
    assert_eq!(
        world.lamports(&payer),
        payer_before + rent,
        "rent refunded exactly"
    );
    assert!(!world.exists(&tree));
    let closed = World::events::<RecordTreeClosed>(&meta);
    assert_eq!((closed[0].tree, closed[0].refunded), (tree, rent));
}

#[test]
fn a_tree_with_records_stays_and_a_fully_erased_tree_closes_with_its_rent_back() {
    let Ward {
        mut world,
        lab,
        patient,
        tree,
        ..
    } = ward();
    let p = patient.pubkey();
    world.issue_compressed(&lab, &p, &tree, RecordKind::LabResult);
    world.issue_compressed(&lab, &p, &tree, RecordKind::Imaging);
    assert_eq!(world.book_balance(&p), 2);

    let payer = world.payer.pubkey();
    let fee_payer = world.wallet();
    let before = world.snapshot(&[tree, payer]);
    let ix = cz::close_record_tree(&lab.pubkey(), &tree, &payer);
    custom_error(
        world.send_paid_by(&fee_payer, &[ix], &[&lab]),
        RecordsError::TreeNotEmpty,
    );
    world.assert_unchanged(&before);

    let ix = erase_ix(&patient, world.leaf(&tree, 0));
    world.send(&[ix], &[&patient]).expect("erase the first");
    let ix = cz::close_record_tree(&lab.pubkey(), &tree, &payer);
    custom_error(
        world.send_paid_by(&fee_payer, &[ix], &[&lab]),
        RecordsError::TreeNotEmpty,
    );
    let ix = erase_ix(&patient, world.leaf(&tree, 1));
    world.send(&[ix], &[&patient]).expect("erase the second");
    assert_eq!(world.book_balance(&p), 0);
    let state = world.record_tree(&tree);
    assert_eq!((state.records, state.erased), (2, 2));

    let rent = world.lamports(&tree);
    let payer_before = world.lamports(&payer);
    let ix = cz::close_record_tree(&lab.pubkey(), &tree, &payer);
    world
        .send_paid_by(&fee_payer, &[ix], &[&lab])
        .expect("close the erased tree");
    assert_eq!(world.lamports(&payer), payer_before + rent);
    assert!(!world.exists(&tree));
}

/// Rent of a tree at depth 14, 20 and 24 (buffer 64, canopy 10), per record
/// at capacity, printed with `--nocapture`, with the proof bytes and the
/// compute units of an issue and a read. Must hold: at most 1,000 lamports a
/// record at depth 20.
#[test]
fn record_tree_rent_at_depth_14_20_24() {
    let mut world = World::new();
    let lab = world.lab();
    let patient = world.patient();
    let p = patient.pubkey();
    world.authorize_issuer(&patient, &lab.pubkey());
    let reader = world.provider();
    let ix = world.care_link_ix(&patient, &reader.pubkey(), kinds::ALL, READ);
    world.send(&[ix], &[&patient]).expect("reader");
    let wide = rx::care_link_address(&p, &reader.pubkey());
    for depth in [14u8, 20, 24] {
        let space = RecordTree::space(depth, 64, 10).unwrap();
        let rent = world.svm.minimum_balance_for_rent_exemption(space);
        let per_record = rent / (1u64 << depth);
        let tree = world.create_tree(&lab, depth, 10, false);
        assert_eq!(world.lamports(&tree), rent);
        let ix = world.issue_compressed_ix(
            &lab,
            &p,
            &tree,
            World::compressed_args(RecordKind::LabResult),
        );
        let issue = world.send(&[ix], &[&lab]).expect("issue");
        let leaf = world.leaf(&tree, 0);
        let proof_bytes = 32 * leaf.proof.len();
        let ix = cz::log_access(&reader.pubkey(), &wide, &tree, Some(leaf));
        let read = world.send(&[ix], &[&reader]).expect("read");
        println!(
            "depth {depth}: account {space} B, rent {rent} lamports, {per_record} lamports/record \
             at capacity, proof {proof_bytes} B, issue {} CU, log_access {} CU",
            issue.compute_units_consumed, read.compute_units_consumed
        );
        if depth == 20 {
            assert!(
                per_record <= 1_000,
                "{per_record} lamports a record at depth 20"
            );
        }
    }
}

// ----- issue, amend, retract, erase -----

#[test]
fn a_compressed_record_is_a_leaf_its_events_rebuild_and_the_book_counts() {
    let Ward {
        mut world,
        lab,
        specialist,
        patient,
        tree,
    } = ward();
    let p = patient.pubkey();
    let ix = world.issue_compressed_ix(
        &lab,
        &p,
        &tree,
        World::compressed_args(RecordKind::LabResult),
    );
    let meta = world.send(&[ix], &[&lab]).expect("issue compressed");
    assert_eq!(world.book_balance(&p), 1, "one more in the book");
    let address = pda::compressed_record(&tree, 0).0;
    assert!(!world.exists(&address), "no account at the address");
    let issued = World::events::<RecordIssued>(&meta);
    assert_eq!(issued.len(), 1);
    assert_eq!(issued[0].record, address);
    let written = World::events::<CompressedRecordWritten>(&meta);
    assert_eq!(written.len(), 1);
    assert_eq!(
        (
            written[0].tree,
            written[0].index,
            written[0].sequence,
            written[0].address
        ),
        (tree, 0, 1, address)
    );
    let record = written[0].record.clone().expect("the record");
    assert_eq!(record.record_id[..], address.as_ref()[..16]);
    assert_eq!((record.bump, record.status), (0, RecordStatus::Active));
    assert_eq!(
        (record.patient, record.issuer, record.original_issuer),
        (p, lab.pubkey(), lab.pubkey())
    );
    assert_eq!(record.serial, issued[0].serial);
    assert_eq!(record.origin, record.serial);
    assert_eq!(record.commitment, [0xC0; 32]);
    // The leaf the event describes is the tree's only leaf.
    let mut model = cz::ModelTree::new(10, 64, 3);
    model.leaves.push(leaf_hash(&tree, 0, &record));
    assert_eq!(model.root(), world.tree_root(&tree));
    assert_root(&world, &tree);
    assert_eq!(world.record_tree(&tree).records, 1);

    // The lab's tree takes only the lab's records; a shared one anyone's.
    let book = book_account(&p);
    let before = world.snapshot(&[tree, book, pda::patient(&p).0]);
    let ix = world.issue_compressed_ix(
        &specialist,
        &p,
        &tree,
        World::compressed_args(RecordKind::Condition),
    );
    custom_error(
        world.send(&[ix], &[&specialist]),
        RecordsError::TreeIssuerMismatch,
    );
    world.assert_unchanged(&before);
    let admin = world.admin.insecure_clone();
    let shared = world.create_tree(&admin, 8, 2, true);
    world.issue_compressed(&specialist, &p, &shared, RecordKind::Condition);
    world.issue_compressed(&lab, &p, &shared, RecordKind::LabResult);
    assert_eq!(world.book_balance(&p), 3);
    assert_root(&world, &shared);

    // No care link, no record; a zero commitment is refused.
    let stranger = world.patient();
    let before = world.snapshot(&[tree, book]);
    let ix = cz::issue_compressed_record(
        &lab.pubkey(),
        &stranger.pubkey(),
        &tree,
        World::compressed_args(RecordKind::LabResult),
    );
    custom_error(world.send(&[ix], &[&lab]), RecordsError::IssueNotPermitted);
    let mut args = World::compressed_args(RecordKind::LabResult);
    args.commitment = [0; 32];
    let ix = world.issue_compressed_ix(&lab, &p, &tree, args);
    custom_error(world.send(&[ix], &[&lab]), RecordsError::InvalidCommitment);
    world.assert_unchanged(&before);

    // A full tree takes no more.
    let small = world.create_tree(&lab, 3, 0, false);
    for _ in 0..8 {
        world.issue_compressed(&lab, &p, &small, RecordKind::Other);
    }
    let before = world.snapshot(&[small, book]);
    let ix = world.issue_compressed_ix(&lab, &p, &small, World::compressed_args(RecordKind::Other));
    custom_error(world.send(&[ix], &[&lab]), RecordsError::TreeFull);
    world.assert_unchanged(&before);
    assert_root(&world, &small);
}

#[test]
fn an_amendment_supersedes_its_leaf_and_its_retraction_restores_it() {
    let Ward {
        mut world,
        lab,
        patient,
        tree,
        ..
    } = ward();
    let p = patient.pubkey();
    world.issue_compressed(&lab, &p, &tree, RecordKind::LabResult);
    let v1 = world.compressed(&tree, 0).unwrap();

    let ix = amend_ix(&lab, None, world.leaf(&tree, 0));
    let meta = world.send(&[ix], &[&lab]).expect("amend");
    assert_eq!(world.book_balance(&p), 1, "one Active version for another");
    let old = world.compressed(&tree, 0).unwrap();
    let new = world.compressed(&tree, 1).unwrap();
    assert_eq!(old.status, RecordStatus::Superseded);
    assert_eq!(old.superseded_by, new.serial);
    assert_eq!((new.status, new.record_version), (RecordStatus::Active, 2));
    assert_eq!(new.supersedes, v1.record_id);
    assert_eq!((new.origin, new.original_issuer), (v1.serial, lab.pubkey()));
    let superseded = World::events::<RecordSuperseded>(&meta);
    assert_eq!(superseded[0].record, pda::compressed_record(&tree, 0).0);
    assert_eq!(
        superseded[0].superseded_by,
        pda::compressed_record(&tree, 1).0
    );
    assert_eq!(World::events::<CompressedRecordWritten>(&meta).len(), 2);
    assert_root(&world, &tree);

    // A superseded version is amended by nobody.
    let before = world.snapshot(&[tree, book_account(&p), pda::patient(&p).0]);
    let ix = amend_ix(&lab, None, world.leaf(&tree, 0));
    custom_error(world.send(&[ix], &[&lab]), RecordsError::RecordNotActive);

    // The retraction must name the version superseded, and restores it.
    let ix = retract_ix(&lab, world.leaf(&tree, 1), None);
    custom_error(
        world.send(&[ix], &[&lab]),
        RecordsError::PreviousRecordMismatch,
    );
    let mut wrong = superseded_slot(&world, &tree, 0);
    wrong.index = 1;
    let ix = retract_ix(&lab, world.leaf(&tree, 1), Some(wrong));
    custom_error(
        world.send(&[ix], &[&lab]),
        RecordsError::PreviousRecordMismatch,
    );
    world.assert_unchanged(&before);
    let ix = retract_ix(
        &lab,
        world.leaf(&tree, 1),
        Some(superseded_slot(&world, &tree, 0)),
    );
    let meta = world.send(&[ix], &[&lab]).expect("retract the amendment");
    assert_eq!(
        world.book_balance(&p),
        1,
        "the version it replaced is Active again"
    );
    let restored = world.compressed(&tree, 0).unwrap();
    assert_eq!(
        (restored.status, restored.superseded_by),
        (RecordStatus::Active, 0)
    );
    assert_eq!(
        world.compressed(&tree, 1).unwrap().status,
        RecordStatus::Retracted
    );
    let retracted = World::events::<RecordRetracted>(&meta);
    assert_eq!(
        retracted[0].restored,
        Some(pda::compressed_record(&tree, 0).0)
    );
    assert_root(&world, &tree);

    // Retracting the original: the book loses one; twice is refused.
    let ix = retract_ix(&lab, world.leaf(&tree, 0), None);
    world.send(&[ix], &[&lab]).expect("retract the original");
    assert_eq!(world.book_balance(&p), 0);
    let ix = retract_ix(&lab, world.leaf(&tree, 0), None);
    custom_error(world.send(&[ix], &[&lab]), RecordsError::RecordNotActive);
    assert_root(&world, &tree);
}

#[test]
fn retracting_an_amendment_whose_previous_version_was_erased_burns() {
    let Ward {
        mut world,
        lab,
        patient,
        tree,
        ..
    } = ward();
    let p = patient.pubkey();
    world.issue_compressed(&lab, &p, &tree, RecordKind::LabResult);
    let ix = amend_ix(&lab, None, world.leaf(&tree, 0));
    world.send(&[ix], &[&lab]).expect("amend");
    // A live slot cannot be passed off as erased.
    let before = world.snapshot(&[tree, book_account(&p)]);
    let ix = retract_ix(
        &lab,
        world.leaf(&tree, 1),
        Some(erased_slot(&world, &tree, 0)),
    );
    custom_error(world.send(&[ix], &[&lab]), RecordsError::LeafProofInvalid);
    world.assert_unchanged(&before);

    // Erasing the superseded version: not Active, the book does not move.
    let ix = erase_ix(&patient, world.leaf(&tree, 0));
    let meta = world.send(&[ix], &[&patient]).expect("erase v1");
    assert!(!World::events::<RecordErased>(&meta)[0].was_active);
    assert_eq!(world.book_balance(&p), 1);

    let ix = retract_ix(
        &lab,
        world.leaf(&tree, 1),
        Some(erased_slot(&world, &tree, 0)),
    );
    let meta = world
        .send(&[ix], &[&lab])
        .expect("retract v2 over an erased v1");
    assert_eq!(World::events::<RecordRetracted>(&meta)[0].restored, None);
    assert_eq!(
        world.book_balance(&p),
        0,
        "nothing left Active: the book loses one"
    );
    assert_eq!(
        world.tree_model(&tree).leaves[0],
        EMPTY_LEAF,
        "v1 stays erased"
    );
    assert_root(&world, &tree);
}

#[test]
fn erasure_empties_the_leaf_and_no_instruction_accepts_the_old_proof() {
    let Ward {
        mut world,
        lab,
        specialist,
        patient,
        tree,
    } = ward();
    let p = patient.pubkey();
    world.issue_compressed(&lab, &p, &tree, RecordKind::LabResult);
    world.issue_compressed(&lab, &p, &tree, RecordKind::Imaging);
    let leaf = world.leaf(&tree, 0);
    let grant = grant_leaf(
        &mut world,
        &patient,
        &specialist.pubkey(),
        leaf,
        READ | AMEND,
    );
    let ix = cz::log_access(
        &specialist.pubkey(),
        &grant,
        &tree,
        Some(world.leaf(&tree, 0)),
    );
    world
        .send(&[ix], &[&specialist])
        .expect("reads before erasure");

    let old = world.leaf(&tree, 0);
    let ix = erase_ix(&patient, old.clone());
    let meta = world.send(&[ix], &[&patient]).expect("erase");
    assert_eq!(world.book_balance(&p), 1, "the book loses one");
    let erased = World::events::<RecordErased>(&meta);
    assert_eq!(erased[0].record, pda::compressed_record(&tree, 0).0);
    assert!(erased[0].was_active);
    let written = World::events::<CompressedRecordWritten>(&meta);
    assert_eq!(written[0].record, None);
    assert_eq!(world.tree_model(&tree).leaves[0], EMPTY_LEAF);
    assert_eq!(world.record_tree(&tree).erased, 1);
    assert_root(&world, &tree);

    // Every reader and writer refuses the old leaf: its proof's root is in
    // the changelog, and the leaf was changed since.
    let other = world.provider();
    let book = book_account(&p);
    let before = world.snapshot(&[tree, book, grant, pda::patient(&p).0]);
    let modified = RecordsError::LeafModifiedSinceProof;
    let ix = cz::log_access(&specialist.pubkey(), &grant, &tree, Some(old.clone()));
    custom_error(world.send(&[ix], &[&specialist]), modified);
    let ix = grant_leaf_ix(&world, &patient, &other.pubkey(), old.clone(), READ);
    custom_error(world.send(&[ix], &[&patient]), modified);
    let ix = cz::request_access(
        &world.payer.pubkey(),
        &other.pubkey(),
        &p,
        &tree,
        request_args(Some(old.clone())),
    );
    custom_error(world.send(&[ix], &[&other]), modified);
    let ix = amend_ix(&lab, None, old.clone());
    custom_error(world.send(&[ix], &[&lab]), modified);
    let ix = amend_ix(&specialist, Some(grant), old.clone());
    custom_error(world.send(&[ix], &[&specialist]), modified);
    let ix = retract_ix(&lab, old.clone(), None);
    custom_error(world.send(&[ix], &[&lab]), modified);
    let ix = erase_ix(&patient, old.clone());
    custom_error(world.send(&[ix], &[&patient]), modified);
    let ix = rekey_ix(&patient, old.clone(), [0xEE; 32]);
    custom_error(world.send(&[ix], &[&patient]), modified);
    // Against the current root, the old record is no leaf of the tree.
    let mut current = old.clone();
    current.root = world.tree_model(&tree).root();
    current.proof = world.tree_model(&tree).proof(0);
    let ix = cz::log_access(&specialist.pubkey(), &grant, &tree, Some(current.clone()));
    custom_error(
        world.send(&[ix], &[&specialist]),
        RecordsError::LeafProofInvalid,
    );
    let ix = erase_ix(&patient, current);
    custom_error(
        world.send(&[ix], &[&patient]),
        RecordsError::LeafProofInvalid,
    );
    world.assert_unchanged(&before);
}

// ----- readers -----

#[test]
fn every_reader_takes_a_compressed_record_named_by_its_address() {
    let Ward {
        mut world,
        lab,
        specialist,
        patient,
        tree,
    } = ward();
    let p = patient.pubkey();
    let (_, address) = world.issue_compressed(&lab, &p, &tree, RecordKind::LabResult);

    // A grant on one compressed record names its address.
    let leaf = world.leaf(&tree, 0);
    let grant = grant_leaf(
        &mut world,
        &patient,
        &specialist.pubkey(),
        leaf,
        READ | AMEND,
    );
    let state = world.account::<Grant>(&grant);
    assert_eq!((state.target, state.scope), (address, GrantScope::Record));
    assert_eq!(
        state.target_serial,
        world.compressed(&tree, 0).unwrap().serial
    );

    // log_access with the leaf.
    let ix = cz::log_access(
        &specialist.pubkey(),
        &grant,
        &tree,
        Some(world.leaf(&tree, 0)),
    );
    let meta = world.send(&[ix], &[&specialist]).expect("log access");
    assert_eq!(World::events::<AccessLogged>(&meta)[0].record, address);
    assert_eq!(world.account::<Grant>(&grant).access_count, 1);

    // An access request over the record, approved with the leaf.
    let requester = world.provider();
    let ix = cz::request_access(
        &world.payer.pubkey(),
        &requester.pubkey(),
        &p,
        &tree,
        request_args(Some(world.leaf(&tree, 0))),
    );
    world.send(&[ix], &[&requester]).expect("request");
    let request = pda::access_request(&p, &requester.pubkey(), &address).0;
    assert_eq!(world.account::<AccessRequest>(&request).target, address);
    let approve = |world: &World, leaf: Option<LeafProof>| {
        let mut ix = cz::approve_access_request(
            &world.payer.pubkey(),
            &p,
            &p,
            &requester.pubkey(),
            &tree,
            &world.payer.pubkey(),
            ApproveAccessRequestArgs {
                wrapped_key: vec![],
                leaf: leaf.clone(),
            },
        );
        if leaf.is_none() {
            // The request and grant at the record's address, the tree as target.
            ix.accounts[3].pubkey = request;
            ix.accounts[7].pubkey = pda::grant(&p, &requester.pubkey(), &address).0;
        }
        ix
    };
    // Without the leaf, the tree is not what was requested.
    let before = world.snapshot(&[request, tree]);
    let ix = approve(&world, None);
    custom_error(world.send(&[ix], &[&patient]), RecordsError::InvalidTarget);
    world.assert_unchanged(&before);
    let ix = approve(&world, Some(world.leaf(&tree, 0)));
    world.send(&[ix], &[&patient]).expect("approve");
    assert!(!world.exists(&request));
    let granted = pda::grant(&p, &requester.pubkey(), &address).0;
    assert_eq!(world.account::<Grant>(&granted).target, address);

    // Amendment through a grant with Amend over the record.
    let ix = amend_ix(&specialist, Some(grant), world.leaf(&tree, 0));
    let meta = world
        .send(&[ix], &[&specialist])
        .expect("amend through the grant");
    let v2 = world.compressed(&tree, 1).unwrap();
    assert_eq!(
        (v2.issuer, v2.original_issuer),
        (specialist.pubkey(), lab.pubkey())
    );
    assert_eq!(
        World::events::<RecordIssued>(&meta)[0].record,
        pda::compressed_record(&tree, 1).0
    );
    // The grant named v1: it does not reach v2.
    let ix = cz::log_access(
        &specialist.pubkey(),
        &grant,
        &tree,
        Some(world.leaf(&tree, 1)),
    );
    custom_error(
        world.send(&[ix], &[&specialist]),
        RecordsError::GrantDoesNotCoverRecord,
    );

    // A grant over the patient's records covers compressed ones of its kinds.
    let wide_reader = world.provider();
    let ix = world.care_link_ix(&patient, &wide_reader.pubkey(), kinds::ALL, READ);
    world.send(&[ix], &[&patient]).expect("wide grant");
    let wide = rx::care_link_address(&p, &wide_reader.pubkey());
    let ix = cz::log_access(
        &wide_reader.pubkey(),
        &wide,
        &tree,
        Some(world.leaf(&tree, 1)),
    );
    world
        .send(&[ix], &[&wide_reader])
        .expect("read v2 under the wide grant");

    // Re-key: only the commitment changes.
    let before = world.compressed(&tree, 1).unwrap();
    let ix = rekey_ix(&patient, world.leaf(&tree, 1), [0xEE; 32]);
    let meta = world.send(&[ix], &[&patient]).expect("rekey");
    let after = world.compressed(&tree, 1).unwrap();
    assert_eq!(after.commitment, [0xEE; 32]);
    assert_eq!(after.content_commitment, before.content_commitment);
    assert_eq!(
        World::events::<RecordRekeyed>(&meta)[0].record,
        pda::compressed_record(&tree, 1).0
    );
    assert_root(&world, &tree);
}

// ----- attacks -----

#[test]
fn stale_forged_and_outdated_proofs_are_refused_each_with_its_error() {
    // Buffer 8: the changelog remembers the current root and 7 before it.
    let Ward {
        mut world,
        lab,
        specialist,
        patient,
        tree,
    } = ward_with(6, 8, 2);
    let p = patient.pubkey();
    world.issue_compressed(&lab, &p, &tree, RecordKind::LabResult);
    let leaf = world.leaf(&tree, 0);
    let grant = grant_leaf(&mut world, &patient, &specialist.pubkey(), leaf, READ);
    let book = book_account(&p);
    let watched = [tree, book, grant, pda::patient(&p).0];

    // Forged: a sibling flipped, the fields changed, a proof cut short.
    let mut forged = world.leaf(&tree, 0);
    forged.proof[1][0] ^= 1;
    let before = world.snapshot(&watched);
    let ix = cz::log_access(&specialist.pubkey(), &grant, &tree, Some(forged.clone()));
    custom_error(
        world.send(&[ix], &[&specialist]),
        RecordsError::LeafProofInvalid,
    );
    let ix = erase_ix(&patient, forged);
    custom_error(
        world.send(&[ix], &[&patient]),
        RecordsError::LeafProofInvalid,
    );
    let mut lying = world.leaf(&tree, 0);
    lying.record.commitment = [0x01; 32];
    let ix = cz::log_access(&specialist.pubkey(), &grant, &tree, Some(lying.clone()));
    custom_error(
        world.send(&[ix], &[&specialist]),
        RecordsError::LeafProofInvalid,
    );
    let ix = retract_ix(&lab, lying, None);
    custom_error(world.send(&[ix], &[&lab]), RecordsError::LeafProofInvalid);
    let mut short = world.leaf(&tree, 0);
    short.proof.pop();
    let ix = cz::log_access(&specialist.pubkey(), &grant, &tree, Some(short));
    custom_error(
        world.send(&[ix], &[&specialist]),
        RecordsError::ProofLengthInvalid,
    );
    world.assert_unchanged(&before);

    // A proof built before 7 more writes still lands (fast-forwarded)...
    let old = world.leaf(&tree, 0);
    for _ in 0..7 {
        world.issue_compressed(&lab, &p, &tree, RecordKind::Other);
    }
    let ix = cz::log_access(&specialist.pubkey(), &grant, &tree, Some(old.clone()));
    world
        .send(&[ix], &[&specialist])
        .expect("a proof 7 writes old is fast-forwarded");
    // ...but not after an 8th: its root left the changelog.
    world.issue_compressed(&lab, &p, &tree, RecordKind::Other);
    let before = world.snapshot(&watched);
    let ix = cz::log_access(&specialist.pubkey(), &grant, &tree, Some(old.clone()));
    custom_error(world.send(&[ix], &[&specialist]), RecordsError::StaleProof);
    let ix = erase_ix(&patient, old.clone());
    custom_error(world.send(&[ix], &[&patient]), RecordsError::StaleProof);
    let ix = grant_leaf_ix(&world, &patient, &lab.pubkey(), old, READ);
    custom_error(world.send(&[ix], &[&patient]), RecordsError::StaleProof);
    world.assert_unchanged(&before);

    // Modified since: re-keyed after the proof was built.
    let old = world.leaf(&tree, 0);
    let ix = rekey_ix(&patient, old.clone(), [0xEE; 32]);
    world.send(&[ix], &[&patient]).expect("rekey");
    let before = world.snapshot(&watched);
    let ix = cz::log_access(&specialist.pubkey(), &grant, &tree, Some(old.clone()));
    custom_error(
        world.send(&[ix], &[&specialist]),
        RecordsError::LeafModifiedSinceProof,
    );
    let ix = erase_ix(&patient, old);
    custom_error(
        world.send(&[ix], &[&patient]),
        RecordsError::LeafModifiedSinceProof,
    );
    world.assert_unchanged(&before);
    // The current proof reads.
    let ix = cz::log_access(
        &specialist.pubkey(),
        &grant,
        &tree,
        Some(world.leaf(&tree, 0)),
    );
    world.send(&[ix], &[&specialist]).expect("current proof");
}

#[test]
fn leaves_of_another_tree_or_patient_and_inactive_leaves_are_refused() {
    let Ward {
        mut world,
        lab,
        specialist,
        patient,
        tree,
    } = ward();
    let p = patient.pubkey();
    let other_patient = world.patient();
    let q = other_patient.pubkey();
    let other_tree = world.create_tree(&lab, 10, 3, false);
    world.issue_compressed(&lab, &p, &tree, RecordKind::LabResult);
    world.issue_compressed(&lab, &q, &other_tree, RecordKind::LabResult);
    let leaf = world.leaf(&tree, 0);
    let grant = grant_leaf(&mut world, &patient, &specialist.pubkey(), leaf, READ);
    let watched = [tree, other_tree, book_account(&p), book_account(&q), grant];
    let before = world.snapshot(&watched);

    // A leaf of the other tree passed with this tree's account.
    let foreign = world.leaf(&other_tree, 0);
    let ix = cz::log_access(&specialist.pubkey(), &grant, &tree, Some(foreign.clone()));
    custom_error(
        world.send(&[ix], &[&specialist]),
        RecordsError::LeafOfAnotherTree,
    );
    let ix = swapped(
        erase_ix(&other_patient, foreign.clone()),
        &other_tree,
        &tree,
    );
    custom_error(
        world.send(&[ix], &[&other_patient]),
        RecordsError::LeafOfAnotherTree,
    );
    let ix = swapped(amend_ix(&lab, None, foreign.clone()), &other_tree, &tree);
    custom_error(world.send(&[ix], &[&lab]), RecordsError::LeafOfAnotherTree);
    let mut moved = world.leaf(&tree, 0);
    moved.tree = other_tree;
    let ix = swapped(
        grant_leaf_ix(&world, &patient, &lab.pubkey(), moved, READ),
        &other_tree,
        &tree,
    );
    custom_error(
        world.send(&[ix], &[&patient]),
        RecordsError::LeafOfAnotherTree,
    );

    // Another patient's record: not this patient's to grant, nor covered.
    let ix = grant_leaf_ix(&world, &patient, &lab.pubkey(), foreign.clone(), READ);
    custom_error(
        world.send(&[ix], &[&patient]),
        RecordsError::RecordPatientMismatch,
    );
    let ix = cz::request_access(
        &world.payer.pubkey(),
        &specialist.pubkey(),
        &p,
        &other_tree,
        request_args(Some(foreign.clone())),
    );
    custom_error(
        world.send(&[ix], &[&specialist]),
        RecordsError::RecordPatientMismatch,
    );
    let ix = cz::log_access(
        &specialist.pubkey(),
        &grant,
        &other_tree,
        Some(foreign.clone()),
    );
    custom_error(
        world.send(&[ix], &[&specialist]),
        RecordsError::GrantDoesNotCoverRecord,
    );
    let ix = swapped(
        rekey_ix(&patient, foreign.clone(), [0xEE; 32]),
        &pda::patient(&q).0,
        &pda::patient(&p).0,
    );
    custom_error(
        world.send(&[ix], &[&patient]),
        RecordsError::RecordPatientMismatch,
    );
    // Amending another patient's leaf under this patient's profile.
    let ix = swapped(
        swapped(
            amend_ix(&lab, None, foreign),
            &pda::patient(&q).0,
            &pda::patient(&p).0,
        ),
        &q,
        &p,
    );
    custom_error(
        world.send(&[ix], &[&lab]),
        RecordsError::RecordPatientMismatch,
    );
    world.assert_unchanged(&before);

    // Retracted (leaf 1) and superseded (leaf 0) leaves.
    world.issue_compressed(&lab, &p, &tree, RecordKind::Imaging);
    let ix = retract_ix(&lab, world.leaf(&tree, 1), None);
    world.send(&[ix], &[&lab]).expect("retract");
    let ix = amend_ix(&lab, None, world.leaf(&tree, 0));
    world.send(&[ix], &[&lab]).expect("amend");
    let before = world.snapshot(&[tree, book_account(&p), grant]);
    for index in [0, 1] {
        let leaf = world.leaf(&tree, index);
        let ix = grant_leaf_ix(&world, &patient, &lab.pubkey(), leaf.clone(), READ);
        custom_error(
            world.send(&[ix], &[&patient]),
            RecordsError::RecordNotActive,
        );
        let ix = cz::request_access(
            &world.payer.pubkey(),
            &specialist.pubkey(),
            &p,
            &tree,
            request_args(Some(leaf.clone())),
        );
        custom_error(
            world.send(&[ix], &[&specialist]),
            RecordsError::RecordNotActive,
        );
        let ix = amend_ix(&lab, None, leaf.clone());
        custom_error(world.send(&[ix], &[&lab]), RecordsError::RecordNotActive);
        let ix = retract_ix(&lab, leaf, None);
        custom_error(world.send(&[ix], &[&lab]), RecordsError::RecordNotActive);
    }
    let ix = cz::log_access(
        &specialist.pubkey(),
        &grant,
        &tree,
        Some(world.leaf(&tree, 0)),
    );
    custom_error(
        world.send(&[ix], &[&specialist]),
        RecordsError::GrantDoesNotCoverRecord,
    );
    let ix = rekey_ix(&patient, world.leaf(&tree, 1), [0xEE; 32]);
    custom_error(
        world.send(&[ix], &[&patient]),
        RecordsError::RecordNotActive,
    );
    world.assert_unchanged(&before);
}

#[test]
fn a_tree_needs_its_proof_an_account_takes_none_and_a_fake_tree_is_refused() {
    let Ward {
        mut world,
        lab,
        specialist,
        patient,
        tree,
    } = ward();
    let p = patient.pubkey();
    world.issue_compressed(&lab, &p, &tree, RecordKind::LabResult);
    let id = world.issue(&lab, &p, RecordKind::LabResult);
    let account = World::record_address(&p, &id);
    let leaf = world.leaf(&tree, 0);
    let grant = grant_leaf(&mut world, &patient, &specialist.pubkey(), leaf, READ);
    let account_grant = world.grant_record(&patient, &specialist.pubkey(), &account, READ, DAY);
    let watched = [tree, account, grant, account_grant, book_account(&p)];
    let before = world.snapshot(&watched);

    // The tree in the record slot without a proof.
    let ix = cz::log_access(&specialist.pubkey(), &grant, &tree, None);
    custom_error(
        world.send(&[ix], &[&specialist]),
        RecordsError::LeafProofMissing,
    );
    let ix = grant_ix(
        &world,
        &patient,
        &lab.pubkey(),
        &tree,
        GrantScope::Record,
        None,
        READ,
    );
    custom_error(
        world.send(&[ix], &[&patient]),
        RecordsError::LeafProofMissing,
    );
    let ix = cz::request_access(
        &world.payer.pubkey(),
        &lab.pubkey(),
        &p,
        &tree,
        request_args(None),
    );
    custom_error(world.send(&[ix], &[&lab]), RecordsError::LeafProofMissing);
    // A proof with a record account, or with the patient scope.
    let ix = cz::log_access(
        &specialist.pubkey(),
        &account_grant,
        &account,
        Some(world.leaf(&tree, 0)),
    );
    custom_error(
        world.send(&[ix], &[&specialist]),
        RecordsError::LeafProofUnexpected,
    );
    let ix = swapped(
        grant_leaf_ix(&world, &patient, &lab.pubkey(), world.leaf(&tree, 0), READ),
        &tree,
        &account,
    );
    custom_error(
        world.send(&[ix], &[&patient]),
        RecordsError::LeafProofUnexpected,
    );
    let ix = grant_ix(
        &world,
        &patient,
        &lab.pubkey(),
        &pda::patient(&p).0,
        GrantScope::Patient,
        Some(world.leaf(&tree, 0)),
        READ,
    );
    custom_error(
        world.send(&[ix], &[&patient]),
        RecordsError::LeafProofUnexpected,
    );
    world.assert_unchanged(&before);

    // A tree-shaped account owned by another program.
    let mut forged = world.raw(&tree).unwrap();
    forged.owner = anchor_spl::token_2022::ID;
    let fake = Keypair::new().pubkey();
    world.svm.set_account(fake, forged).unwrap();
    let mut leaf = world.leaf(&tree, 0);
    leaf.tree = fake;
    let ix = cz::log_access(&specialist.pubkey(), &grant, &fake, Some(leaf.clone()));
    custom_error(
        world.send(&[ix], &[&specialist]),
        Anchor::AccountOwnedByWrongProgram,
    );
    let ix = grant_leaf_ix(&world, &patient, &lab.pubkey(), leaf.clone(), READ);
    custom_error(world.send(&[ix], &[&patient]), RecordsError::InvalidTarget);
    let ix = erase_ix(&patient, leaf);
    custom_error(
        world.send(&[ix], &[&patient]),
        Anchor::AccountOwnedByWrongProgram,
    );
    let ix = world.issue_compressed_ix(&lab, &p, &fake, World::compressed_args(RecordKind::Other));
    custom_error(
        world.send(&[ix], &[&lab]),
        Anchor::AccountOwnedByWrongProgram,
    );
    world.assert_unchanged(&before);
}

// ----- must hold: concurrency -----

/// Signs `ixs` against the current blockhash without sending.
fn signed(world: &World, ixs: &[Instruction], signers: &[&Keypair]) -> Transaction {
    let mut all: Vec<&Keypair> = vec![&world.payer];
    all.extend(signers.iter().copied());
    let message = Message::new(ixs, Some(&world.payer.pubkey()));
    Transaction::new(&all, message, world.svm.latest_blockhash())
}

fn slot(world: &World) -> u64 {
    world.svm.get_sysvar::<anchor_lang::prelude::Clock>().slot
}

#[test]
fn thirty_two_writers_in_one_slot_against_one_root_all_land() {
    let Ward {
        mut world,
        lab,
        patient,
        tree,
        ..
    } = ward_with(8, 64, 2);
    let p = patient.pubkey();
    world.issue_compressed(&lab, &p, &tree, RecordKind::LabResult);
    world.svm.expire_blockhash();
    let start = slot(&world);
    let root = world.tree_root(&tree);

    // 32 issues, all signed before the first lands (same blockhash, same root).
    let txs: Vec<Transaction> = (0..32u8)
        .map(|i| {
            let mut args = World::compressed_args(RecordKind::LabResult);
            args.commitment = [i + 1; 32];
            let ix = cz::issue_compressed_record(&lab.pubkey(), &p, &tree, args);
            signed(&world, &[ix], &[&lab])
        })
        .collect();
    assert_eq!(world.tree_root(&tree), root);
    for tx in txs {
        world.send_transaction(tx).expect("every issue lands");
    }
    assert_eq!(slot(&world), start, "one slot");
    assert_eq!(world.record_tree(&tree).records, 33);
    assert_eq!(world.book_balance(&p), 33);
    assert_root(&world, &tree);

    // 16 retractions and 16 erasures of different leaves, every proof built
    // against the same root before any landed.
    let root = world.tree_root(&tree);
    let txs: Vec<Transaction> = (1..33u32)
        .map(|index| {
            let leaf = world.leaf(&tree, index);
            assert_eq!(leaf.root, root);
            if index % 2 == 0 {
                signed(&world, &[retract_ix(&lab, leaf, None)], &[&lab])
            } else {
                signed(&world, &[erase_ix(&patient, leaf)], &[&patient])
            }
        })
        .collect();
    for tx in txs {
        world
            .send_transaction(tx)
            .expect("every write against the old root lands");
    }
    assert_eq!(slot(&world), start, "one slot");
    assert_eq!(world.book_balance(&p), 1);
    let state = world.record_tree(&tree);
    assert_eq!((state.records, state.erased), (33, 16));
    let model = world.tree_model(&tree);
    for index in 1..33u32 {
        match model.records[index as usize].as_ref() {
            None => assert_eq!(index % 2, 1),
            Some(r) => assert_eq!((index % 2, r.status), (0, RecordStatus::Retracted)),
        }
    }
    assert_root(&world, &tree);
}

// ----- seeded random sequence against a model -----

#[test]
fn a_seeded_random_sequence_keeps_the_root_and_the_book_with_the_model() {
    let Ward {
        mut world,
        lab,
        specialist,
        patient,
        tree,
    } = ward_with(7, 8, 2);
    let p = patient.pubkey();
    // A reader of all the patient's records.
    let ix = world.care_link_ix(&patient, &specialist.pubkey(), kinds::ALL, READ);
    world.send(&[ix], &[&patient]).expect("wide grant");
    let wide = rx::care_link_address(&p, &specialist.pubkey());
    let mut rng = Rng(0x16_C0_4D);
    // The model: each leaf's status (None: erased) and the sequence number
    // of its last write; proofs kept with the sequence they were built at.
    let mut status: Vec<Option<RecordStatus>> = vec![];
    let mut last_write: Vec<u64> = vec![];
    let mut kept: Vec<(u64, LeafProof)> = vec![];
    let buffer = 8u64;
    let (mut stale, mut modified, mut forwarded) = (0, 0, 0);

    for step in 0..200 {
        let n = status.len() as u32;
        let seq = world.tree_model(&tree).sequence;
        let pick = |rng: &mut Rng,
                    status: &[Option<RecordStatus>],
                    want: &dyn Fn(&Option<RecordStatus>) -> bool| {
            let candidates: Vec<u32> = (0..n).filter(|i| want(&status[*i as usize])).collect();
            (!candidates.is_empty())
                .then(|| candidates[rng.below(candidates.len() as u64) as usize])
        };
        match rng.below(8) {
            0 | 1 if n < 120 => {
                world.issue_compressed(&lab, &p, &tree, RecordKind::LabResult);
                status.push(Some(RecordStatus::Active));
                last_write.push(seq + 1);
            }
            2 => {
                if let Some(i) = pick(&mut rng, &status, &|s| *s == Some(RecordStatus::Active)) {
                    let ix = amend_ix(&lab, None, world.leaf(&tree, i));
                    world.send(&[ix], &[&lab]).expect("amend");
                    status[i as usize] = Some(RecordStatus::Superseded);
                    last_write[i as usize] = seq + 1;
                    status.push(Some(RecordStatus::Active));
                    last_write.push(seq + 2);
                }
            }
            3 => {
                if let Some(i) = pick(&mut rng, &status, &|s| *s == Some(RecordStatus::Active)) {
                    let record = world.compressed(&tree, i).unwrap();
                    let previous = (record.supersedes != [0; 16]).then(|| {
                        let index = (0..n)
                            .find(|j| {
                                pda::compressed_record(&tree, *j).0.as_ref()[..16]
                                    == record.supersedes
                            })
                            .expect("the previous version's leaf");
                        if status[index as usize].is_some() {
                            superseded_slot(&world, &tree, index)
                        } else {
                            erased_slot(&world, &tree, index)
                        }
                    });
                    let restores = previous
                        .as_ref()
                        .and_then(|prev| prev.record.as_ref().map(|_| prev.index));
                    let ix = retract_ix(&lab, world.leaf(&tree, i), previous);
                    world.send(&[ix], &[&lab]).expect("retract");
                    status[i as usize] = Some(RecordStatus::Retracted);
                    last_write[i as usize] = seq + 1;
                    if let Some(j) = restores {
                        status[j as usize] = Some(RecordStatus::Active);
                        last_write[j as usize] = seq + 2;
                    }
                }
            }
            4 => {
                if let Some(i) = pick(&mut rng, &status, &|s| s.is_some()) {
                    let ix = erase_ix(&patient, world.leaf(&tree, i));
                    world.send(&[ix], &[&patient]).expect("erase");
                    status[i as usize] = None;
                    last_write[i as usize] = seq + 1;
                }
            }
            5 => {
                // Read with a current proof, and keep it for later.
                if let Some(i) = pick(&mut rng, &status, &|s| s.is_some()) {
                    let leaf = world.leaf(&tree, i);
                    kept.push((seq, leaf.clone()));
                    let ix = cz::log_access(&specialist.pubkey(), &wide, &tree, Some(leaf));
                    let result = world.send(&[ix], &[&specialist]);
                    if status[i as usize] == Some(RecordStatus::Active) {
                        result.expect("read an Active record");
                    } else {
                        custom_error(result, RecordsError::GrantDoesNotCoverRecord);
                    }
                }
            }
            _ => {
                // An old proof: stale, modified since, or fast-forwarded.
                if !kept.is_empty() {
                    let (built, leaf) = kept[rng.below(kept.len() as u64) as usize].clone();
                    let i = leaf.index as usize;
                    let before = world.snapshot(&[tree, book_account(&p), wide]);
                    let ix = if rng.below(2) == 0 {
                        cz::log_access(&specialist.pubkey(), &wide, &tree, Some(leaf.clone()))
                    } else {
                        erase_ix(&patient, leaf.clone())
                    };
                    let erasing = ix.program_id == records::ID && ix.accounts[0].pubkey == p;
                    let signer = if erasing { &patient } else { &specialist };
                    let result = world.send(&[ix], &[signer]);
                    if seq - built >= buffer {
                        custom_error(result, RecordsError::StaleProof);
                        world.assert_unchanged(&before);
                        stale += 1;
                    } else if last_write[i] > built {
                        custom_error(result, RecordsError::LeafModifiedSinceProof);
                        world.assert_unchanged(&before);
                        modified += 1;
                    } else if erasing {
                        result.expect("an old proof of an unchanged leaf erases");
                        status[i] = None;
                        last_write[i] = seq + 1;
                        forwarded += 1;
                    } else if leaf.record.status == RecordStatus::Active {
                        result.expect("an old proof of an unchanged leaf reads");
                        forwarded += 1;
                    } else {
                        custom_error(result, RecordsError::GrantDoesNotCoverRecord);
                    }
                }
            }
        }
        let active = status
            .iter()
            .filter(|s| **s == Some(RecordStatus::Active))
            .count() as u64;
        assert_eq!(
            world.book_balance(&p),
            active,
            "step {step}: the book counts the Active leaves"
        );
        assert_root(&world, &tree);
        let model = world.tree_model(&tree);
        for (i, s) in status.iter().enumerate() {
            assert_eq!(
                model.records[i].as_ref().map(|r| r.status),
                *s,
                "step {step}: leaf {i}"
            );
        }
        let state = world.record_tree(&tree);
        assert_eq!(state.records, status.len() as u64);
        assert_eq!(
            state.erased,
            status.iter().filter(|s| s.is_none()).count() as u64
        );
    }
    assert!(status.len() > 20, "the sequence issued records");
    assert!(
        stale > 0 && modified > 0 && forwarded > 0,
        "old proofs tried: {stale} stale, {modified} modified, {forwarded} fast-forwarded"
    );
}

/// Transaction bytes of `log_access` with a compressed record at depth 14,
/// 20 and 24 (canopy 10), legacy, no lookup table; printed with
/// `--nocapture`. Each fits in 1,232 bytes.
#[test]
fn log_access_transaction_bytes_with_a_compressed_record() {
    let mut world = World::new();
    let lab = world.lab();
    let reader = world.provider();
    let patient = world.patient();
    let p = patient.pubkey();
    let ix = world.care_link_ix(&patient, &reader.pubkey(), kinds::ALL, READ);
    world.send(&[ix], &[&patient]).expect("reader");
    let wide = rx::care_link_address(&p, &reader.pubkey());
    for depth in [14u8, 20, 24] {
        let tree = world.create_tree(&lab, depth, 10, false);
        world.issue_compressed(&lab, &p, &tree, RecordKind::LabResult);
        let ix = cz::log_access(&reader.pubkey(), &wide, &tree, Some(world.leaf(&tree, 0)));
        let data = ix.data.len();
        let tx = signed(&world, &[ix], &[&reader]);
        let size = transaction_size(&tx);
        println!("log_access, depth {depth} canopy 10: {size} B ({data} B of instruction data)");
        assert!(size <= 1232, "{size} B");
        world.send_transaction(tx).expect("the read lands");
    }
}

/// Instructions from clients built before compressed records (no trailing
/// `leaf` in their arguments) still work on account records.
#[test]
fn instructions_without_the_trailing_leaf_still_work_on_account_records() {
    let mut world = World::new();
    let lab = world.lab();
    let specialist = world.provider();
    let requester = world.provider();
    let patient = world.patient();
    let p = patient.pubkey();
    let id = world.issue(&lab, &p, RecordKind::LabResult);
    let record = World::record_address(&p, &id);
    let strip = |mut ix: Instruction, bytes: usize| {
        assert!(ix.data[ix.data.len() - bytes..].iter().all(|b| *b == 0));
        ix.data.truncate(ix.data.len() - bytes);
        ix
    };

    let ix = rx::grant_access(
        &world.payer.pubkey(),
        &p,
        &p,
        &record,
        GrantAccessArgs {
            grantee: specialist.pubkey(),
            scope: GrantScope::Record,
            kinds: 0,
            permissions: READ,
            purpose: Purpose::Treatment,
            duration: DAY,
            wrapped_key: vec![1; 80],
            leaf: None,
        },
    );
    world
        .send(&[strip(ix, 1)], &[&patient])
        .expect("an old grant_access");
    let grant = pda::grant(&p, &specialist.pubkey(), &record).0;
    let ix = rx::log_access(&specialist.pubkey(), &grant, &record);
    assert_eq!(ix.data.len(), 9, "discriminator and the None tag");
    world
        .send(&[strip(ix, 1)], &[&specialist])
        .expect("an old log_access");
    assert_eq!(world.account::<Grant>(&grant).access_count, 1);

    let ix = rx::request_access(
        &world.payer.pubkey(),
        &requester.pubkey(),
        &p,
        &record,
        request_args(None),
    );
    world
        .send(&[strip(ix, 1)], &[&requester])
        .expect("an old request_access");
    let ix = rx::approve_access_request(
        &world.payer.pubkey(),
        &p,
        &p,
        &requester.pubkey(),
        &record,
        &world.payer.pubkey(),
        ApproveAccessRequestArgs {
            wrapped_key: vec![],
            leaf: None,
        },
    );
    world
        .send(&[strip(ix, 1)], &[&patient])
        .expect("an old approve_access_request");
    assert!(world.exists(&pda::grant(&p, &requester.pubkey(), &record).0));
}

/// The patient or the guardian erases; nobody else, not even the issuer.
/// Once the profile is closed, the patient's wallet still erases what is
/// left (a retracted record), so the tree can be emptied and closed.
#[test]
fn only_the_patient_or_guardian_erases_and_the_wallet_after_the_profile_closes() {
    let mut world = World::new();
    let lab = world.lab();
    let (patient, guardian) = world.patient_with_guardian();
    let p = patient.pubkey();
    let tree = world.create_tree(&lab, 6, 2, false);
    for _ in 0..3 {
        world.issue_compressed(&lab, &p, &tree, RecordKind::LabResult);
    }
    let stranger = world.wallet();
    let before = world.snapshot(&[tree, book_account(&p)]);
    for intruder in [&stranger, &lab] {
        let ix = cz::erase_compressed_record(
            &intruder.pubkey(),
            EraseCompressedRecordArgs {
                record: world.leaf(&tree, 0),
            },
        );
        custom_error(
            world.send(&[ix], &[intruder]),
            RecordsError::NotPatientOrGuardian,
        );
    }
    world.assert_unchanged(&before);
    let ix = cz::erase_compressed_record(
        &guardian.pubkey(),
        EraseCompressedRecordArgs {
            record: world.leaf(&tree, 0),
        },
    );
    world
        .send(&[ix], &[&guardian])
        .expect("the guardian erases");
    let ix = erase_ix(&patient, world.leaf(&tree, 1));
    world.send(&[ix], &[&patient]).expect("the patient erases");
    // The last one retracted: nothing Active, the profile closes.
    let ix = retract_ix(&lab, world.leaf(&tree, 2), None);
    world.send(&[ix], &[&lab]).expect("retract");
    assert_eq!(world.book_balance(&p), 0);
    world.warp(1);
    let ix = rx::close_patient(&p, &world.payer.pubkey());
    world.send(&[ix], &[&patient]).expect("close the profile");
    assert!(!world.exists(&pda::patient(&p).0));
    let ix = cz::erase_compressed_record(
        &guardian.pubkey(),
        EraseCompressedRecordArgs {
            record: world.leaf(&tree, 2),
        },
    );
    custom_error(
        world.send(&[ix], &[&guardian]),
        RecordsError::NotPatientOrGuardian,
    );
    let ix = erase_ix(&patient, world.leaf(&tree, 2));
    world
        .send(&[ix], &[&patient])
        .expect("the wallet erases after the profile closed");
    let state = world.record_tree(&tree);
    assert_eq!((state.records, state.erased), (3, 3));
    let ix = cz::close_record_tree(&lab.pubkey(), &tree, &world.payer.pubkey());
    world.send(&[ix], &[&lab]).expect("the emptied tree closes");
}
