//! Providers, laboratories and pharmacies issue records to patients: a
//! compact `Record` (rent paid by the issuer) and one more in the patient's
//! record book.

use {
    crate::support::*,
    anchor_lang::error::ErrorCode as Anchor,
    anchor_spl::token_2022::spl_token_2022::{
        extension::{
            immutable_owner::ImmutableOwner, non_transferable::NonTransferableAccount,
            BaseStateWithExtensions, ExtensionType, StateWithExtensions,
        },
        state::Account as TokenAccount,
    },
    panacea_sdk::records as rx,
    panacea_tests::{assert::*, *},
    records::{errors::RecordsError, events::RecordIssued, pda, state::*},
    solana_keypair::Keypair,
    solana_signer::Signer,
};

#[test]
fn a_lab_result_becomes_a_compact_record_and_one_more_in_the_patients_book() {
    let mut world = World::new();
    let lab = world.lab();
    let patient = world.patient();
    let registration = world
        .account::<Patient>(&pda::patient(&patient.pubkey()).0)
        .registration();
    let args = World::issue_args(RecordKind::LabResult);
    let id = args.record_id;
    world.authorize_issuer(&patient, &lab.pubkey());
    let lab_before = world.lamports(&lab.pubkey());
    let meta = world
        .try_issue(&lab, &patient.pubkey(), args.clone())
        .expect("issue");
    let address = pda::record(&patient.pubkey(), &id).0;

    // A compact account, its rent paid by the issuer (not the fee payer).
    let account = world.raw(&address).unwrap();
    assert_eq!(account.owner, records::ID);
    assert_eq!(account.data.len(), Record::SPACE);
    assert_eq!(Record::SPACE, 238);
    assert_eq!(
        world.lamports(&lab.pubkey()),
        lab_before - account.lamports,
        "the issuer pays the record's rent, nothing else"
    );
    let record: Record = world.account(&address);
    assert_eq!(record.patient, patient.pubkey());
    assert_eq!(record.issuer, lab.pubkey());
    assert_eq!(record.original_issuer, lab.pubkey());
    assert_eq!(record.record_id, id);
    assert_eq!(record.commitment, args.commitment);
    assert_eq!(record.content_commitment, args.content_commitment);
    assert_eq!(record.kind, RecordKind::LabResult);
    assert_eq!(record.status, RecordStatus::Active);
    assert_eq!(record.record_version, 1);
    assert_eq!((record.supersedes, record.superseded_by), ([0; 16], 0));
    // The registration's first serial, and its own chain's origin.
    assert_eq!(record.serial, registration);
    assert_eq!(record.origin, record.serial);
    assert_eq!(record.issued_at, world.now());
    assert_eq!(
        (record.version, record.bump),
        (1, pda::record(&patient.pubkey(), &id).1)
    );
    assert_eq!(rx::previous_version(&record), None);

    // One more in the patient's book: their associated Token-2022 account
    // of the deployment's book, owned by them, bound to them.
    assert_eq!(world.book_balance(&patient.pubkey()), 1);
    assert_eq!(book_supply(&world), 1);
    let token = world
        .raw(&book_account(&patient.pubkey()))
        .expect("book account");
    assert_eq!(token.owner, anchor_spl::token_2022::ID);
    assert_eq!(
        token.data.len(),
        records::token::record_book_account_space().unwrap()
    );
    let token = StateWithExtensions::<TokenAccount>::unpack(&token.data).unwrap();
    assert_eq!(token.base.owner, patient.pubkey());
    assert_eq!(token.base.mint, book_mint());
    assert_eq!(token.base.amount, 1);
    assert!(token.base.delegate.is_none());
    // Closed only by the program (with the profile), frozen between the
    // program's own mints and burns.
    assert_eq!(
        Option::<anchor_lang::prelude::Pubkey>::from(token.base.close_authority),
        Some(pda::record_authority().0)
    );
    assert!(token.base.is_frozen());
    let mut types = token.get_extension_types().unwrap();
    types.sort_by_key(|t| *t as u16);
    assert_eq!(
        types,
        vec![
            ExtensionType::ImmutableOwner,
            ExtensionType::NonTransferableAccount
        ]
    );
    token.get_extension::<ImmutableOwner>().unwrap();
    token.get_extension::<NonTransferableAccount>().unwrap();

    let events = World::events::<RecordIssued>(&meta);
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(
        (event.issuer, event.patient, event.record),
        (lab.pubkey(), patient.pubkey(), address)
    );
    assert_eq!(
        (event.kind, event.record_version, event.supersedes),
        (RecordKind::LabResult, 1, [0; 16])
    );
    assert_eq!(
        (event.commitment, event.content_commitment),
        (args.commitment, args.content_commitment)
    );
    assert_eq!((event.serial, event.origin), (record.serial, record.serial));
}

#[test]
fn providers_and_pharmacies_issue_but_insurers_and_researchers_do_not() {
    let mut world = World::new();
    let patient = world.patient();
    for kind in [EntityKind::Provider, EntityKind::Pharmacy] {
        let issuer = world.entity(kind);
        world.issue(&issuer, &patient.pubkey(), RecordKind::Medication);
    }
    for kind in [EntityKind::Insurer, EntityKind::Researcher] {
        let issuer = world.entity(kind);
        let args = World::issue_args(RecordKind::Other);
        let record = World::record_address(&patient.pubkey(), &args.record_id);
        custom_error(
            world.try_issue(&issuer, &patient.pubkey(), args),
            RecordsError::EntityKindNotAllowed,
        );
        assert!(!world.exists(&record));
    }
}

#[test]
fn an_uncredentialed_key_cannot_issue() {
    let mut world = World::new();
    let patient = world.patient();
    let impostor = world.wallet();
    let args = World::issue_args(RecordKind::LabResult);
    let record = World::record_address(&patient.pubkey(), &args.record_id);
    custom_error(
        world.try_issue(&impostor, &patient.pubkey(), args),
        Anchor::AccountNotInitialized,
    );
    assert!(!world.exists(&record));
}

#[test]
fn an_issuer_that_does_not_sign_cannot_issue() {
    let mut world = World::new();
    let lab = world.lab();
    let patient = world.patient();
    world.authorize_issuer(&patient, &lab.pubkey());
    let args = World::issue_args(RecordKind::LabResult);
    let record = World::record_address(&patient.pubkey(), &args.record_id);
    let mut ix = rx::issue_record(&lab.pubkey(), &patient.pubkey(), args);
    assert_eq!(ix.accounts[0].pubkey, lab.pubkey());
    ix.accounts[0].is_signer = false;
    let before = world.snapshot(&[lab.pubkey(), book_account(&patient.pubkey())]);
    custom_error(world.send(&[ix], &[]), Anchor::AccountNotSigner);
    world.assert_unchanged(&before);
    assert!(!world.exists(&record));
}

#[test]
fn records_need_a_registered_patient_and_well_formed_content() {
    let mut world = World::new();
    let lab = world.lab();
    let patient = world.patient();

    let stranger = Keypair::new();
    let args = World::issue_args(RecordKind::LabResult);
    custom_error(
        world.try_issue(&lab, &stranger.pubkey(), args),
        Anchor::AccountNotInitialized,
    );

    type Mutation = fn(&mut records::instructions::IssueRecordArgs);
    let bad: [(Mutation, RecordsError); 3] = [
        (|a| a.commitment = [0; 32], RecordsError::InvalidCommitment),
        (
            |a| a.content_commitment = [0; 32],
            RecordsError::InvalidContentCommitment,
        ),
        (|a| a.record_id = [0; 16], RecordsError::InvalidRecordId),
    ];
    world.authorize_issuer(&patient, &lab.pubkey());
    let watched = [
        lab.pubkey(),
        pda::patient(&patient.pubkey()).0,
        book_account(&patient.pubkey()),
        book_mint(),
    ];
    for (mutate, expected) in bad {
        let mut args = World::issue_args(RecordKind::LabResult);
        mutate(&mut args);
        let record = World::record_address(&patient.pubkey(), &args.record_id);
        let before = world.snapshot(&watched);
        custom_error(world.try_issue(&lab, &patient.pubkey(), args), expected);
        world.assert_unchanged(&before);
        assert!(!world.exists(&record));
    }
}

#[test]
fn the_same_record_id_cannot_be_issued_twice() {
    let mut world = World::new();
    let lab = world.lab();
    let patient = world.patient();
    let args = World::issue_args(RecordKind::LabResult);
    world
        .try_issue(&lab, &patient.pubkey(), args.clone())
        .expect("first");
    let record = World::record_address(&patient.pubkey(), &args.record_id);
    let before = world.snapshot(&[
        record,
        lab.pubkey(),
        pda::patient(&patient.pubkey()).0,
        book_account(&patient.pubkey()),
        book_mint(),
    ]);

    // The record exists: SystemError::AccountAlreadyInUse, no second token.
    let mut again = args;
    again.commitment = [0xEE; 32];
    custom_error(world.try_issue(&lab, &patient.pubkey(), again), 0u32);
    world.assert_unchanged(&before);
    assert_eq!(world.book_balance(&patient.pubkey()), 1);
    assert_eq!(book_supply(&world), 1);
}
