//! The record book: one Token-2022 mint per deployment, and one account of
//! it per patient whose balance is the patient's number of Active records.
//! Nobody but the program mints or burns it, the patient cannot move it, a
//! stranger cannot burn from it nor close the mint, and it moves exactly
//! when a record starts or stops being Active.

use {
    crate::support::*,
    anchor_lang::prelude::Pubkey,
    anchor_spl::{
        associated_token::spl_associated_token_account::instruction::create_associated_token_account,
        token_2022::{
            spl_token_2022::{
                error::TokenError,
                extension::{
                    default_account_state::DefaultAccountState, metadata_pointer::MetadataPointer,
                    mint_close_authority::MintCloseAuthority, non_transferable::NonTransferable,
                    permanent_delegate::PermanentDelegate, BaseStateWithExtensions, ExtensionType,
                    StateWithExtensions,
                },
                instruction as token_ix,
                state::{Account as TokenAccount, AccountState, Mint},
            },
            ID as TOKEN_2022,
        },
        token_2022_extensions::spl_token_metadata_interface::{
            error::TokenMetadataError, instruction::update_field, state::Field,
            state::TokenMetadata,
        },
    },
    panacea_sdk::records::{self as rx, previous_version},
    panacea_tests::{assert::*, *},
    records::{
        constants::{RECORD_BOOK_NAME, RECORD_BOOK_SYMBOL},
        errors::RecordsError,
        events::*,
        instructions::*,
        pda,
        state::*,
    },
    solana_keypair::Keypair,
    solana_signer::Signer,
};

/// A lab and a patient with one Active record: (lab, patient, record id).
fn issued(world: &mut World) -> (Keypair, Keypair, [u8; 16]) {
    let lab = world.lab();
    let patient = world.patient();
    let id = world.issue(&lab, &patient.pubkey(), RecordKind::LabResult);
    (lab, patient, id)
}

#[test]
fn the_record_book_is_one_non_transferable_mint_with_its_metadata_in_the_mint() {
    let world = World::new();
    let book = book_mint();
    let authority = pda::record_authority().0;
    let account = world.raw(&book).expect("the record book exists");
    assert_eq!(account.owner, TOKEN_2022);
    assert_eq!(
        account.data.len(),
        records::token::record_book_space(panacea_sdk::rent::RECORD_BOOK_URI).unwrap()
    );
    assert_eq!(
        account.lamports,
        world
            .svm
            .minimum_balance_for_rent_exemption(account.data.len())
    );
    let mint = StateWithExtensions::<Mint>::unpack(&account.data).unwrap();
    assert_eq!(mint.base.decimals, 0);
    assert_eq!(mint.base.supply, 0, "no record issued yet");
    assert_eq!(
        Option::<Pubkey>::from(mint.base.mint_authority),
        Some(authority),
        "only the program's PDA mints"
    );
    assert_eq!(
        Option::<Pubkey>::from(mint.base.freeze_authority),
        Some(authority),
        "the program's PDA freezes every book account between its own mints and burns"
    );
    let mut types = mint.get_extension_types().unwrap();
    types.sort_by_key(|t| *t as u16);
    assert_eq!(
        types,
        vec![
            ExtensionType::MintCloseAuthority,
            ExtensionType::DefaultAccountState,
            ExtensionType::NonTransferable,
            ExtensionType::PermanentDelegate,
            ExtensionType::MetadataPointer,
            ExtensionType::TokenMetadata,
        ]
    );
    let default_state = mint.get_extension::<DefaultAccountState>().unwrap();
    assert_eq!(default_state.state, AccountState::Frozen as u8);
    mint.get_extension::<NonTransferable>().unwrap();
    let delegate = mint.get_extension::<PermanentDelegate>().unwrap();
    assert_eq!(Option::<Pubkey>::from(delegate.delegate), Some(authority));
    let closer = mint.get_extension::<MintCloseAuthority>().unwrap();
    assert_eq!(
        Option::<Pubkey>::from(closer.close_authority),
        Some(authority)
    );
    // The metadata lives in the mint itself.
    let pointer = mint.get_extension::<MetadataPointer>().unwrap();
    assert_eq!(Option::<Pubkey>::from(pointer.metadata_address), Some(book));
    assert_eq!(Option::<Pubkey>::from(pointer.authority), Some(authority));
    let metadata = mint.get_variable_len_extension::<TokenMetadata>().unwrap();
    assert_eq!(metadata.name, "Panacea health records");
    assert_eq!(metadata.name, RECORD_BOOK_NAME);
    assert_eq!(metadata.symbol, "PHR");
    assert_eq!(metadata.symbol, RECORD_BOOK_SYMBOL);
    assert_eq!(metadata.uri, panacea_sdk::rent::RECORD_BOOK_URI);
    assert_eq!(metadata.mint, book);
    assert_eq!(
        Option::<Pubkey>::from(metadata.update_authority),
        Some(authority)
    );
    assert!(metadata.additional_metadata.is_empty());
}

#[test]
fn only_the_admin_creates_the_record_book_once_and_registration_needs_it() {
    let mut world = World::without_registry();
    let ix = rx::initialize_registry(
        &world.payer.pubkey(),
        &world.upgrade_authority.pubkey(),
        InitializeRegistryArgs {
            admin: world.admin.pubkey(),
            max_emergency_duration: MAX_EMERGENCY,
            deployment: "localnet".into(),
        },
    );
    let ua = world.upgrade_authority.insecure_clone();
    world.send(&[ix], &[&ua]).expect("initialize registry");
    let book = book_mint();

    // No book yet: no patient can register.
    let patient = Keypair::new();
    let register = rx::register_patient(
        &world.payer.pubkey(),
        &patient.pubkey(),
        None,
        RegisterPatientArgs {
            encryption_key: [3; 32],
            guardian_encryption_key: [0; 32],
        },
    );
    let before = world.snapshot(&[
        book,
        pda::patient(&patient.pubkey()).0,
        book_account(&patient.pubkey()),
    ]);
    custom_error(
        world.send(std::slice::from_ref(&register), &[&patient]),
        RecordsError::RecordBookMissing,
    );
    world.assert_unchanged(&before);

    let book_args = |uri: &str| InitializeRecordBookArgs { uri: uri.into() };
    // A stranger is not the admin.
    let stranger = world.wallet();
    let ix = rx::initialize_record_book(
        &world.payer.pubkey(),
        &stranger.pubkey(),
        book_args(panacea_sdk::rent::RECORD_BOOK_URI),
    );
    custom_error(
        world.send(&[ix], &[&stranger]),
        RecordsError::NotRegistryAdmin,
    );
    // Bad URIs: empty, too long, not printable.
    let admin = world.admin.insecure_clone();
    for uri in [String::new(), "u".repeat(201), "with space".into()] {
        let ix =
            rx::initialize_record_book(&world.payer.pubkey(), &admin.pubkey(), book_args(&uri));
        custom_error(world.send(&[ix], &[&admin]), RecordsError::InvalidUri);
    }
    world.assert_unchanged(&before);

    // The admin creates it; the payer pays its rent (and the fee).
    let payer = world.payer.pubkey();
    let balance = world.lamports(&payer);
    let uri = "u".repeat(200);
    let ix = rx::initialize_record_book(&payer, &admin.pubkey(), book_args(&uri));
    let meta = world.send(&[ix], &[&admin]).expect("longest uri fits");
    let rent = world.lamports(&book);
    assert_eq!(
        world.raw(&book).unwrap().data.len(),
        records::token::record_book_space(&uri).unwrap()
    );
    assert_eq!(world.lamports(&payer), balance - rent - meta.fee);
    let event = &World::events::<RecordBookInitialized>(&meta)[0];
    assert_eq!((event.admin, event.mint), (admin.pubkey(), book));

    // Once.
    let before = world.snapshot(&[book, payer]);
    let ix = rx::initialize_record_book(
        &world.payer.pubkey(),
        &admin.pubkey(),
        book_args(panacea_sdk::rent::RECORD_BOOK_URI),
    );
    let fee_payer = world.wallet();
    let rent_payer = world.payer.insecure_clone();
    custom_error(
        world.send_paid_by(&fee_payer, &[ix], &[&admin, &rent_payer]),
        RecordsError::RecordBookExists,
    );
    world.assert_unchanged(&before);

    // Now a patient registers, with their (empty) book account.
    world
        .send(&[register], &[&patient])
        .expect("register patient");
    let account = world.raw(&book_account(&patient.pubkey())).unwrap();
    assert_eq!(account.owner, TOKEN_2022);
    let state = StateWithExtensions::<TokenAccount>::unpack(&account.data).unwrap();
    assert_eq!(
        (state.base.owner, state.base.mint, state.base.amount),
        (patient.pubkey(), book, 0)
    );
}

#[test]
fn the_patient_cannot_transfer_from_their_record_book() {
    let mut world = World::new();
    let (_, patient, _) = issued(&mut world);
    let buyer = world.wallet();
    let create = create_associated_token_account(
        &world.payer.pubkey(),
        &buyer.pubkey(),
        &book_mint(),
        &TOKEN_2022,
    );
    world.send(&[create], &[]).expect("buyer's book account");
    let buyers = book_account(&buyer.pubkey());
    let patients = book_account(&patient.pubkey());
    let before = world.snapshot(&[patients, buyers, book_mint()]);

    let transfer = token_ix::transfer_checked(
        &TOKEN_2022,
        &patients,
        &book_mint(),
        &buyers,
        &patient.pubkey(),
        &[],
        1,
        0,
    )
    .unwrap();
    // Every book account is frozen between the program's own mints and
    // burns (and NonTransferable besides): Token-2022 refuses it as frozen.
    custom_error(
        world.send(&[transfer], &[&patient]),
        TokenError::AccountFrozen as u32,
    );
    // Through a delegate the patient approved: still not transferable.
    let approve = token_ix::approve(
        &TOKEN_2022,
        &patients,
        &buyer.pubkey(),
        &patient.pubkey(),
        &[],
        1,
    )
    .unwrap();
    let transfer = token_ix::transfer_checked(
        &TOKEN_2022,
        &patients,
        &book_mint(),
        &buyers,
        &buyer.pubkey(),
        &[],
        1,
        0,
    )
    .unwrap();
    custom_error(
        world.send(&[approve, transfer], &[&patient, &buyer]),
        TokenError::AccountFrozen as u32,
    );
    world.assert_unchanged(&before);
    assert_eq!(world.book_balance(&patient.pubkey()), 1);
    assert_eq!(world.token_amount(&buyers), 0);
    assert_eq!(book_supply(&world), 1);
}

#[test]
fn nobody_but_the_program_mints_and_supply_is_the_number_of_active_records() {
    let mut world = World::new();
    let (lab, patient, id) = issued(&mut world);
    let other = world.patient();
    world.issue(&lab, &other.pubkey(), RecordKind::Imaging);
    let attacker = world.wallet();
    let admin = world.admin.insecure_clone();
    let patients = book_account(&patient.pubkey());
    let watched = [patients, book_account(&other.pubkey()), book_mint()];
    let before = world.snapshot(&watched);
    for authority in [&attacker, &patient, &admin, &lab] {
        let mint = token_ix::mint_to(
            &TOKEN_2022,
            &book_mint(),
            &patients,
            &authority.pubkey(),
            &[],
            1,
        )
        .unwrap();
        // The book account is frozen, and only the program's PDA mints.
        custom_error(
            world.send(&[mint], &[authority]),
            TokenError::AccountFrozen as u32,
        );
    }
    // The mint authority is the program's PDA: nobody can take it over.
    let take = token_ix::set_authority(
        &TOKEN_2022,
        &book_mint(),
        Some(&attacker.pubkey()),
        token_ix::AuthorityType::MintTokens,
        &attacker.pubkey(),
        &[],
    )
    .unwrap();
    custom_error(
        world.send(&[take], &[&attacker]),
        TokenError::OwnerMismatch as u32,
    );
    // A second token for one record: the same record id issued again is
    // refused (the record exists: SystemError::AccountAlreadyInUse).
    let mut again = World::issue_args(RecordKind::LabResult);
    again.record_id = id;
    custom_error(world.try_issue(&lab, &patient.pubkey(), again), 0u32);
    world.assert_unchanged(&before);

    // Two patients, one Active record each: the supply is two.
    assert_eq!(book_supply(&world), 2);
    assert_eq!(world.book_balance(&patient.pubkey()), 1);
    assert_eq!(world.book_balance(&other.pubkey()), 1);
    // An amendment replaces an Active version with another: nothing minted.
    let ix = rx::amend_record(
        &lab.pubkey(),
        &patient.pubkey(),
        &pda::record(&patient.pubkey(), &id).0,
        None,
        AmendRecordArgs {
            record_id: random_id(),
            commitment: [0xA2; 32],
            content_commitment: [0xCD; 32],
        },
    );
    let meta = world.send(&[ix], &[&lab]).expect("amend");
    assert!(
        !meta
            .logs
            .iter()
            .any(|l| l.contains(&format!("Program {TOKEN_2022} invoke"))),
        "an amendment never calls Token-2022"
    );
    assert_eq!(book_supply(&world), 2);
    assert_eq!(world.book_balance(&patient.pubkey()), 1);
}

#[test]
fn strangers_cannot_burn_from_a_book_nor_close_or_rewrite_the_book_mint() {
    let mut world = World::new();
    let (_, patient, _) = issued(&mut world);
    let patients = book_account(&patient.pubkey());
    let book = book_mint();
    let before = world.snapshot(&[patients, book]);
    // Only the program's PDA is permanent delegate: a stranger's burn fails.
    let stranger = world.wallet();
    let burn = token_ix::burn(&TOKEN_2022, &patients, &book, &stranger.pubkey(), &[], 1).unwrap();
    custom_error(
        world.send(&[burn], &[&stranger]),
        TokenError::AccountFrozen as u32,
    );
    // Closing the mint needs its close authority (the program's PDA): not
    // the patient, not the admin, not a stranger.
    let admin = world.admin.insecure_clone();
    for closer in [&patient, &admin, &stranger] {
        let close =
            token_ix::close_account(&TOKEN_2022, &book, &closer.pubkey(), &closer.pubkey(), &[])
                .unwrap();
        custom_error(
            world.send(&[close], &[closer]),
            TokenError::OwnerMismatch as u32,
        );
    }
    // Nor thaw a book account (the freeze authority is the program's PDA),
    // nor rewrite its metadata.
    for who in [&stranger, &patient] {
        let thaw =
            token_ix::thaw_account(&TOKEN_2022, &patients, &book, &who.pubkey(), &[]).unwrap();
        custom_error(
            world.send(&[thaw], &[who]),
            TokenError::OwnerMismatch as u32,
        );
    }
    let rename = update_field(
        &TOKEN_2022,
        &book,
        &stranger.pubkey(),
        Field::Name,
        "Stranger's records".into(),
    );
    custom_error(
        world.send(&[rename], &[&stranger]),
        TokenMetadataError::IncorrectUpdateAuthority as u32,
    );
    world.assert_unchanged(&before);
    assert_eq!(book_supply(&world), 1);
    assert_eq!(world.book_balance(&patient.pubkey()), 1);
}

#[test]
fn a_fresh_book_mint_is_not_closed_by_a_stranger_either() {
    // Supply 0 (no record issued): the close authority still decides.
    let mut world = World::new();
    let stranger = world.wallet();
    let book = book_mint();
    let before = world.snapshot(&[book]);
    let close = token_ix::close_account(
        &TOKEN_2022,
        &book,
        &stranger.pubkey(),
        &stranger.pubkey(),
        &[],
    )
    .unwrap();
    custom_error(
        world.send(&[close], &[&stranger]),
        TokenError::OwnerMismatch as u32,
    );
    world.assert_unchanged(&before);
}

/// The book moves by one exactly when a record starts or stops being
/// Active, and never otherwise: issue +1, amend 0, a retraction that
/// restores the version it replaced 0, any other retraction -1, erasing an
/// Active record -1, erasing a Retracted or Superseded one 0. Balances of two
/// patients and the supply are checked after every step, with the events.
#[test]
fn a_burn_happens_exactly_when_a_record_stops_being_active() {
    let mut world = World::new();
    let lab = world.lab();
    let alice = world.patient();
    let bob = world.patient();
    let (a, b) = (alice.pubkey(), bob.pubkey());
    let check = |world: &World, alice: u64, bob: u64, step: &str| {
        assert_eq!(world.book_balance(&a), alice, "{step}: Alice's book");
        assert_eq!(world.book_balance(&b), bob, "{step}: Bob's book");
        assert_eq!(book_supply(world), alice + bob, "{step}: supply");
        // The owner never changes.
        for (patient, account) in [(a, book_account(&a)), (b, book_account(&b))] {
            let raw = world.raw(&account).unwrap();
            let state = StateWithExtensions::<TokenAccount>::unpack(&raw.data).unwrap();
            assert_eq!(state.base.owner, patient, "{step}: owner");
        }
    };
    let amend = |world: &mut World, patient: &Pubkey, previous: &Pubkey| {
        let args = AmendRecordArgs {
            record_id: random_id(),
            commitment: [0xA2; 32],
            content_commitment: [0xCD; 32],
        };
        let id = args.record_id;
        let ix = rx::amend_record(&lab.pubkey(), patient, previous, None, args);
        world.send(&[ix], &[&lab]).expect("amend");
        id
    };
    let retract = |world: &mut World, patient: &Pubkey, id: &[u8; 16]| {
        let state: Record = world.account(&pda::record(patient, id).0);
        let previous = previous_version(&state);
        let ix = rx::retract_record(&lab.pubkey(), patient, id, previous.as_ref());
        let meta = world.send(&[ix], &[&lab]).expect("retract");
        World::events::<RecordRetracted>(&meta)[0].restored
    };
    let erase = |world: &mut World, patient: &Keypair, id: &[u8; 16]| {
        let ix = rx::erase_record(&patient.pubkey(), &patient.pubkey(), id, &lab.pubkey());
        let meta = world.send(&[ix], &[patient]).expect("erase");
        World::events::<RecordErased>(&meta)[0].was_active
    };
    check(&world, 0, 0, "registered");

    let r1 = world.issue(&lab, &a, RecordKind::LabResult);
    check(&world, 1, 0, "issue r1");
    let r2 = world.issue(&lab, &a, RecordKind::Imaging);
    check(&world, 2, 0, "issue r2");
    let b1 = world.issue(&lab, &b, RecordKind::Condition);
    check(&world, 2, 1, "issue b1");

    let r1_address = pda::record(&a, &r1).0;
    let r1v2 = amend(&mut world, &a, &r1_address);
    check(&world, 2, 1, "amend r1");
    assert_eq!(retract(&mut world, &a, &r1v2), Some(r1_address));
    check(&world, 2, 1, "retract r1 v2, r1 restored");
    assert_eq!(retract(&mut world, &a, &r1), None);
    check(&world, 1, 1, "retract r1");
    assert!(!erase(&mut world, &alice, &r1));
    check(&world, 1, 1, "erase r1 (Retracted)");
    assert!(!erase(&mut world, &alice, &r1v2));
    check(&world, 1, 1, "erase r1 v2 (Retracted)");
    assert!(erase(&mut world, &alice, &r2));
    check(&world, 0, 1, "erase r2 (Active)");

    let b1_address = pda::record(&b, &b1).0;
    let b2 = amend(&mut world, &b, &b1_address);
    check(&world, 0, 1, "amend b1");
    assert!(!erase(&mut world, &bob, &b1));
    check(&world, 0, 1, "erase b1 (Superseded)");
    // b2's previous version is gone: retracting it restores nothing.
    assert_eq!(retract(&mut world, &b, &b2), None);
    check(&world, 0, 0, "retract b2");
    assert!(!erase(&mut world, &bob, &b2));
    check(&world, 0, 0, "erase b2 (Retracted)");
}

/// Finding: Token-2022 lets the owner of an account burn from it, and the
/// record book was no exception (the review's finding): a patient burned their own book token. The
/// book then no longer counts the patient's Active records (the supply
/// neither), `close_patient` accepts a profile whose record is Active, and
/// the issuer can no longer retract its record (the program's burn finds
/// nothing to burn).
#[test]
fn a_patient_cannot_burn_their_own_book_token() {
    let mut world = World::new();
    let (lab, patient, id) = issued(&mut world);
    let patients = book_account(&patient.pubkey());
    let burn = token_ix::burn(
        &TOKEN_2022,
        &patients,
        &book_mint(),
        &patient.pubkey(),
        &[],
        1,
    )
    .unwrap();
    let burned = world.send(&[burn], &[&patient]).is_ok();
    let counts = world.book_balance(&patient.pubkey()) == 1 && book_supply(&world) == 1;
    world.warp(1);
    let ix = rx::close_patient(&patient.pubkey(), &world.payer.pubkey());
    let closed = world.send(&[ix], &[&patient]).is_ok();
    let ix = rx::retract_record(&lab.pubkey(), &patient.pubkey(), &id, None);
    let retracted = world.send(&[ix], &[&lab]);
    let retract_error = retracted.as_ref().err().map(|f| f.err.clone());
    assert!(
        !burned && counts && !closed && retracted.is_ok(),
        "the patient burned their book token: {burned}; the book still counts the Active \
         record: {counts}; the profile closed with the record Active: {closed}; the issuer's \
         retraction then: {retract_error:?}"
    );
}

/// The review's finding: the patient owns their book account, and Token-2022 lets the
/// owner close an empty account to any destination: a patient whose
/// registration a sponsor (or relayer) paid for takes the book account's
/// rent, `close_patient` then fails (no book account), and records can no
/// longer be issued to them until someone pays for the account again.
#[test]
fn a_patient_cannot_close_their_book_account_outside_close_patient() {
    let mut world = World::new();
    let sponsor = world.wallet();
    let patient = Keypair::new();
    let ix = rx::register_patient(
        &sponsor.pubkey(),
        &patient.pubkey(),
        None,
        RegisterPatientArgs {
            encryption_key: [3; 32],
            guardian_encryption_key: [0; 32],
        },
    );
    world.send(&[ix], &[&sponsor, &patient]).expect("register");
    let book = book_account(&patient.pubkey());
    let rent = world.lamports(&book);
    let close = token_ix::close_account(
        &TOKEN_2022,
        &book,
        &patient.pubkey(),
        &patient.pubkey(),
        &[],
    )
    .unwrap();
    let closed_directly = world.send(&[close], &[&patient]).is_ok();
    let taken = world.lamports(&patient.pubkey());
    world.warp(1);
    let ix = rx::close_patient(&patient.pubkey(), &sponsor.pubkey());
    let profile_closed = world.send(&[ix], &[&patient]).map_err(|f| f.err);
    assert!(
        !closed_directly && profile_closed.is_ok(),
        "the patient closed the book account themselves: {closed_directly}, taking {taken} of \
         its {rent} lamports of rent; close_patient then: {profile_closed:?}"
    );
}
