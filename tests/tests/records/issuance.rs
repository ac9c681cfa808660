//! Providers, laboratories and pharmacies issue record tokens to patients.

use {
    anchor_lang::error::ErrorCode as Anchor,
    anchor_spl::token_2022::spl_token_2022::{
        extension::{
            metadata_pointer::MetadataPointer, mint_close_authority::MintCloseAuthority,
            non_transferable::NonTransferable, permanent_delegate::PermanentDelegate,
            BaseStateWithExtensions, ExtensionType, StateWithExtensions,
        },
        state::{Account as TokenAccount, Mint},
    },
    panacea_sdk::records::{self as rx, RecordAddresses},
    panacea_tests::{assert::*, *},
    records::{errors::RecordsError, events::RecordIssued, pda, state::*},
    solana_keypair::Keypair,
    solana_signer::Signer,
};

#[test]
fn a_lab_result_becomes_a_non_transferable_token_in_the_patients_wallet() {
    let mut world = World::new();
    let lab = world.lab();
    let patient = world.patient();
    let args = World::issue_args(RecordKind::LabResult);
    let id = args.record_id;
    let meta = world
        .try_issue(&lab, &patient.pubkey(), args.clone())
        .expect("issue");
    let at = RecordAddresses::new(&patient.pubkey(), &id);

    let record: Record = world.account(&at.record);
    assert_eq!(record.patient, patient.pubkey());
    assert_eq!(record.issuer, lab.pubkey());
    assert_eq!(record.mint, at.mint);
    assert_eq!(record.record_id, id);
    assert_eq!(record.commitment, args.commitment);
    assert_eq!(record.uri, args.uri);
    assert_eq!(record.kind, RecordKind::LabResult);
    assert_eq!(record.status, RecordStatus::Active);
    assert_eq!(record.record_version, 1);
    assert_eq!((record.supersedes, record.superseded_by), (None, None));
    assert_eq!(record.issued_at, world.now());
    assert_eq!(record.rent_payer, world.payer.pubkey());
    assert_eq!(
        (record.version, record.bump),
        (1, pda::record(&patient.pubkey(), &id).1)
    );

    // The mint: Token-2022, decimals 0, supply exactly 1, no mint authority
    // left, and the four extensions pointing at the program's PDA / the record.
    let mint_account = world.raw(&at.mint).expect("mint");
    assert_eq!(mint_account.owner, anchor_spl::token_2022::ID);
    let mint = StateWithExtensions::<Mint>::unpack(&mint_account.data).unwrap();
    assert_eq!(mint.base.decimals, 0);
    assert_eq!(mint.base.supply, 1);
    assert!(
        mint.base.mint_authority.is_none(),
        "no second token can be minted"
    );
    assert!(mint.base.freeze_authority.is_none());
    let mut types = mint.get_extension_types().unwrap();
    types.sort_by_key(|t| *t as u16);
    assert_eq!(
        types,
        vec![
            ExtensionType::MintCloseAuthority,
            ExtensionType::NonTransferable,
            ExtensionType::PermanentDelegate,
            ExtensionType::MetadataPointer,
        ]
    );
    mint.get_extension::<NonTransferable>().unwrap();
    let authority = pda::record_authority().0;
    let pointer = mint.get_extension::<MetadataPointer>().unwrap();
    assert_eq!(Option::<_>::from(pointer.metadata_address), Some(at.record));
    assert_eq!(Option::<_>::from(pointer.authority), Some(authority));
    let delegate = mint.get_extension::<PermanentDelegate>().unwrap();
    assert_eq!(Option::<_>::from(delegate.delegate), Some(authority));
    let closer = mint.get_extension::<MintCloseAuthority>().unwrap();
    assert_eq!(Option::<_>::from(closer.close_authority), Some(authority));

    // The token sits in the patient's associated token account.
    let token = world.raw(&at.token_account).expect("token account");
    assert_eq!(token.owner, anchor_spl::token_2022::ID);
    let token = StateWithExtensions::<TokenAccount>::unpack(&token.data).unwrap();
    assert_eq!(token.base.owner, patient.pubkey());
    assert_eq!(token.base.mint, at.mint);
    assert_eq!(token.base.amount, 1);

    let events = World::events::<RecordIssued>(&meta);
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(
        (event.issuer, event.patient, event.record, event.mint),
        (lab.pubkey(), patient.pubkey(), at.record, at.mint)
    );
    assert_eq!(
        (event.kind, event.record_version, event.supersedes),
        (RecordKind::LabResult, 1, None)
    );
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
    let mut ix = rx::issue_record(
        &world.payer.pubkey(),
        &lab.pubkey(),
        &patient.pubkey(),
        World::issue_args(RecordKind::LabResult),
    );
    ix.accounts[1].is_signer = false;
    custom_error(world.send(&[ix], &[]), Anchor::AccountNotSigner);
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
    let bad: [(Mutation, RecordsError); 5] = [
        (|a| a.uri = String::new(), RecordsError::InvalidUri),
        (|a| a.uri = "x".repeat(97), RecordsError::InvalidUri),
        (
            |a| a.uri = "name with spaces".into(),
            RecordsError::InvalidUri,
        ),
        (|a| a.commitment = [0; 32], RecordsError::InvalidCommitment),
        (|a| a.record_id = [0; 16], RecordsError::InvalidRecordId),
    ];
    for (mutate, expected) in bad {
        let mut args = World::issue_args(RecordKind::LabResult);
        mutate(&mut args);
        custom_error(world.try_issue(&lab, &patient.pubkey(), args), expected);
    }
    let mut longest = World::issue_args(RecordKind::LabResult);
    longest.uri = "u".repeat(96);
    world
        .try_issue(&lab, &patient.pubkey(), longest)
        .expect("96-byte uri fits");
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
    let at = RecordAddresses::new(&patient.pubkey(), &args.record_id);
    let before: Record = world.account(&at.record);

    let mut again = args;
    again.commitment = [0xEE; 32];
    custom_error(world.try_issue(&lab, &patient.pubkey(), again), 0u32);
    let after: Record = world.account(&at.record);
    assert_eq!(after.commitment, before.commitment);
    assert_eq!(world.mint(&at.mint).supply, 1);
}
