//! A security review of the record book and the compact record, told as
//! attacks: the accounts that move the book substituted or duplicated in
//! every instruction that takes them, every Token-2022 instruction a
//! patient or a stranger can send to a book account or the book mint,
//! extensions a patient adds to their own book account, addresses funded
//! or created before the program gets to them, a record counted twice,
//! rent refunded to someone else, retractions with another previous
//! version, live grants closed as dead ones, closes and registrations
//! within one transaction, version overflow and double billing of one
//! amendment chain. Each refused attack is a regression test: the exact
//! error, and nothing changed. A seeded random sequence mixes the program's
//! instructions with direct token instructions and checks, after every
//! step, that each book holds its patient's number of Active records and,
//! at the end, that every lamport of rent went back to whoever paid it.
//! The one attack that succeeds (registration serials wrap around at slot
//! 2^40) is an ignored test naming the finding.

use {
    crate::support::*,
    anchor_lang::{error::ErrorCode as Anchor, prelude::Pubkey, AccountSerialize},
    anchor_spl::{
        associated_token::spl_associated_token_account::instruction::create_associated_token_account,
        token_2022::{
            spl_token_2022::{
                error::TokenError,
                extension::{
                    cpi_guard::instruction::{disable_cpi_guard, enable_cpi_guard},
                    memo_transfer::instruction::enable_required_transfer_memos,
                    BaseStateWithExtensions, ExtensionType, StateWithExtensions,
                },
                instruction as token_ix,
                state::{Account as TokenAccount, AccountState},
            },
            ID as TOKEN_2022,
        },
    },
    claims::{
        errors::ClaimsError,
        instructions::{CreatePolicyArgs, SubmitClaimArgs},
    },
    consent::state::ConsentPurpose,
    panacea_sdk::{
        claims as cl,
        records::{self as rx, previous_version},
    },
    panacea_tests::{assert::*, *},
    records::{
        errors::RecordsError,
        events::*,
        instructions::*,
        pda,
        state::{permissions::*, *},
    },
    solana_instruction::{error::InstructionError, Instruction},
    solana_keypair::Keypair,
    solana_signer::Signer,
};

// ----- helpers -----

/// `ix` with every occurrence of the account `old` replaced by `new`.
fn substitute(mut ix: Instruction, old: &Pubkey, new: &Pubkey) -> Instruction {
    let mut found = false;
    for meta in &mut ix.accounts {
        if meta.pubkey == *old {
            meta.pubkey = *new;
            found = true;
        }
    }
    assert!(found, "{old} is not an account of the instruction");
    ix
}

/// `ix` with `key` no longer writable.
fn read_only(mut ix: Instruction, key: &Pubkey) -> Instruction {
    for meta in &mut ix.accounts {
        if meta.pubkey == *key {
            meta.is_writable = false;
        }
    }
    ix
}

fn amend_args(content: u8) -> AmendRecordArgs {
    AmendRecordArgs {
        record_id: random_id(),
        commitment: [0xA0 | (content & 0x0F); 32],
        content_commitment: [0xB0 | (content & 0x0F); 32],
    }
}

/// The record's original issuer amends `previous` (of `patient`); returns
/// the new version's id.
fn amend(world: &mut World, issuer: &Keypair, patient: &Pubkey, previous: &[u8; 16]) -> [u8; 16] {
    let args = amend_args(5);
    let id = args.record_id;
    let ix = rx::amend_record(
        &issuer.pubkey(),
        patient,
        &pda::record(patient, previous).0,
        None,
        args,
    );
    world.send(&[ix], &[issuer]).expect("amend");
    id
}

/// The retraction of `patient`'s record `id`, by its issuer, with the
/// previous version's address the SDK derives.
fn retract_ix(world: &World, issuer: &Keypair, patient: &Pubkey, id: &[u8; 16]) -> Instruction {
    let state: Record = world.account(&pda::record(patient, id).0);
    rx::retract_record(
        &issuer.pubkey(),
        patient,
        id,
        previous_version(&state).as_ref(),
    )
}

/// The erasure of `patient`'s record `id` signed by `authority`, refunding
/// the record's issuer.
fn erase_ix(world: &World, authority: &Pubkey, patient: &Pubkey, id: &[u8; 16]) -> Instruction {
    let issuer = world.account::<Record>(&pda::record(patient, id).0).issuer;
    rx::erase_record(authority, patient, id, &issuer)
}

/// `patient` registers with `payer` paying the rent (the fee payer is the
/// world's relayer).
fn register(world: &mut World, payer: &Keypair, patient: &Keypair) -> TxResult {
    let ix = rx::register_patient(
        &payer.pubkey(),
        &patient.pubkey(),
        None,
        RegisterPatientArgs {
            encryption_key: [3; 32],
            guardian_encryption_key: [0; 32],
        },
    );
    world.send(&[ix], &[payer, patient])
}

/// The patient's profile.
fn profile(world: &World, patient: &Pubkey) -> Patient {
    world.account(&pda::patient(patient).0)
}

/// The record book account's state (owner, amount, frozen, close authority).
fn book_state(world: &World, patient: &Pubkey) -> TokenAccount {
    let raw = world.raw(&book_account(patient)).expect("book account");
    StateWithExtensions::<TokenAccount>::unpack(&raw.data)
        .unwrap()
        .base
}

/// `state` written over the account at `address`.
fn overwrite<T: AccountSerialize>(world: &mut World, address: &Pubkey, state: &T) {
    let mut account = world.raw(address).unwrap();
    let mut data = Vec::new();
    state.try_serialize(&mut data).unwrap();
    data.resize(account.data.len(), 0);
    account.data = data;
    world.svm.set_account(*address, account).unwrap();
}

/// Moves the cluster to `slot` (the clock's time unchanged).
fn set_slot(world: &mut World, slot: u64) {
    let mut clock = world.svm.get_sysvar::<anchor_lang::prelude::Clock>();
    clock.slot = slot;
    world.svm.set_sysvar(&clock);
    world.svm.expire_blockhash();
}

fn current_slot(world: &World) -> u64 {
    world.svm.get_sysvar::<anchor_lang::prelude::Clock>().slot
}

// ----- the accounts that move the book, substituted -----

/// Every instruction that mints, burns or closes takes the book mint, the
/// record authority, the patient's book account and Token-2022: each
/// replaced by another patient's book, a look-alike Token-2022 mint, a
/// wallet, or SPL Token is refused before any CPI.
#[test]
fn every_book_account_is_checked_in_every_instruction_that_moves_the_book() {
    let mut world = World::new();
    let lab = world.lab();
    let alice = world.patient();
    let bob = world.patient();
    let (a, b) = (alice.pubkey(), bob.pubkey());
    let id = world.issue(&lab, &a, RecordKind::LabResult);
    world.issue(&lab, &b, RecordKind::LabResult);
    let fake_mint = world.create_mint(&TOKEN_2022);
    let attacker = world.wallet();
    let (alices, bobs) = (book_account(&a), book_account(&b));
    let authority = pda::record_authority().0;
    let watched = [
        alices,
        bobs,
        book_mint(),
        pda::patient(&a).0,
        pda::patient(&b).0,
        pda::record(&a, &id).0,
        lab.pubkey(),
    ];

    // issue_record to Alice.
    let args = World::issue_args(RecordKind::Imaging);
    let fresh = pda::record(&a, &args.record_id).0;
    let issue = rx::issue_record(&lab.pubkey(), &a, args);
    let mut attacks: Vec<(Instruction, &Keypair, u32)> = vec![
        (
            substitute(issue.clone(), &alices, &bobs),
            &lab,
            RecordsError::InvalidTokenAccount.into(),
        ),
        (
            substitute(issue.clone(), &book_mint(), &fake_mint),
            &lab,
            Anchor::ConstraintSeeds.into(),
        ),
        (
            substitute(issue.clone(), &book_mint(), &bobs),
            &lab,
            Anchor::ConstraintSeeds.into(),
        ),
        (
            substitute(issue.clone(), &authority, &attacker.pubkey()),
            &lab,
            Anchor::ConstraintSeeds.into(),
        ),
        (
            substitute(issue.clone(), &authority, &alices),
            &lab,
            Anchor::ConstraintSeeds.into(),
        ),
        (
            substitute(issue, &TOKEN_2022, &anchor_spl::token::ID),
            &lab,
            Anchor::InvalidProgramId.into(),
        ),
    ];
    // retract_record of Alice's record: Bob's book would lose his count.
    let retract = retract_ix(&world, &lab, &a, &id);
    attacks.extend([
        (
            substitute(retract.clone(), &alices, &bobs),
            &lab,
            RecordsError::InvalidTokenAccount.into(),
        ),
        (
            substitute(retract.clone(), &book_mint(), &fake_mint),
            &lab,
            Anchor::ConstraintSeeds.into(),
        ),
        (
            substitute(retract.clone(), &authority, &attacker.pubkey()),
            &lab,
            Anchor::ConstraintSeeds.into(),
        ),
        (
            substitute(retract, &TOKEN_2022, &anchor_spl::token::ID),
            &lab,
            Anchor::InvalidProgramId.into(),
        ),
    ]);
    // erase_record of Alice's record.
    let erase = erase_ix(&world, &a, &a, &id);
    attacks.extend([
        (
            substitute(erase.clone(), &alices, &bobs),
            &alice,
            RecordsError::InvalidTokenAccount.into(),
        ),
        (
            substitute(erase.clone(), &book_mint(), &fake_mint),
            &alice,
            Anchor::ConstraintSeeds.into(),
        ),
        (
            substitute(erase.clone(), &authority, &attacker.pubkey()),
            &alice,
            Anchor::ConstraintSeeds.into(),
        ),
        (
            substitute(erase, &TOKEN_2022, &anchor_spl::token::ID),
            &alice,
            Anchor::InvalidProgramId.into(),
        ),
    ]);
    world.warp(1);
    // close_patient: Alice (one Active record) shows an empty book
    // account: a stranger's, created for the book (frozen, balance 0).
    let create = create_associated_token_account(
        &world.payer.pubkey(),
        &attacker.pubkey(),
        &book_mint(),
        &TOKEN_2022,
    );
    world
        .send(&[create], &[])
        .expect("a stranger's book account");
    let empty = book_account(&attacker.pubkey());
    let close = rx::close_patient(&a, &world.payer.pubkey());
    attacks.extend([
        (
            substitute(close.clone(), &alices, &empty),
            &alice,
            RecordsError::InvalidTokenAccount.into(),
        ),
        (
            substitute(close.clone(), &book_mint(), &fake_mint),
            &alice,
            Anchor::ConstraintSeeds.into(),
        ),
        (
            substitute(close.clone(), &authority, &attacker.pubkey()),
            &alice,
            Anchor::ConstraintSeeds.into(),
        ),
        (
            substitute(close.clone(), &TOKEN_2022, &anchor_spl::token::ID),
            &alice,
            Anchor::InvalidProgramId.into(),
        ),
        // Duplicate: the book account as the rent payer.
        (
            substitute(close, &world.payer.pubkey(), &alices),
            &alice,
            RecordsError::RentPayerMismatch.into(),
        ),
    ]);
    let mut watched = watched.to_vec();
    watched.extend([fresh, empty]);
    let before_all = world.snapshot(&watched);
    for (ix, signer, expected) in attacks {
        custom_error(world.send(&[ix], &[signer]), expected);
        world.assert_unchanged(&before_all);
    }
    // Alice's close with her own book: she still has an Active record.
    let close = rx::close_patient(&a, &world.payer.pubkey());
    custom_error(
        world.send(&[close], &[&alice]),
        RecordsError::PatientHasActiveRecords,
    );
    world.assert_unchanged(&before_all);

    // register_patient: Bob's book account as the newcomer's (the ATA
    // instruction the program sends names the address derived from the
    // newcomer's wallet, which is then missing: refused before any
    // account is created), or a wallet as the record authority.
    let carol = Keypair::new();
    let register = rx::register_patient(
        &world.payer.pubkey(),
        &carol.pubkey(),
        None,
        RegisterPatientArgs {
            encryption_key: [3; 32],
            guardian_encryption_key: [0; 32],
        },
    );
    let carols = book_account(&carol.pubkey());
    let mut watched = watched.clone();
    watched.extend([carols, pda::patient(&carol.pubkey()).0]);
    let before_register = world.snapshot(&watched);
    instruction_error(
        world.send(&[substitute(register.clone(), &carols, &bobs)], &[&carol]),
        InstructionError::MissingAccount,
    );
    custom_error(
        world.send(
            &[substitute(register.clone(), &authority, &attacker.pubkey())],
            &[&carol],
        ),
        Anchor::ConstraintSeeds,
    );
    world.assert_unchanged(&before_register);
    assert_eq!(world.book_balance(&a), 1);
    assert_eq!(world.book_balance(&b), 1);
    assert_eq!(book_supply(&world), 2);
}

// ----- Token-2022 instructions sent directly -----

/// What a patient (the owner) or a stranger can send to Token-2022 about a
/// book account or the book mint: each is refused, with Token-2022's
/// exact error, and neither the book account nor the mint changes. The
/// account is frozen between the program's own mints and burns, the
/// program's PDA is its close authority, the mint's authorities are the
/// PDA. (Transfers, mint_to, thaw and a stranger's burn are in `tokens`.)
#[test]
fn no_token_instruction_of_the_patient_or_a_stranger_moves_a_book() {
    let mut world = World::new();
    let lab = world.lab();
    let patient = world.patient();
    let p = patient.pubkey();
    world.issue(&lab, &p, RecordKind::LabResult);
    let idle = world.patient();
    let idles = book_account(&idle.pubkey());
    let stranger = world.wallet();
    let admin = world.admin.insecure_clone();
    let book = book_account(&p);
    let mint = book_mint();
    let before = world.snapshot(&[book, idles, mint, p, idle.pubkey(), stranger.pubkey()]);
    let t = &TOKEN_2022;
    let (owner, other) = (&p, &stranger.pubkey());
    let attempts: Vec<(&str, Instruction, &Keypair, TokenError)> = vec![
        (
            "burn by the owner",
            token_ix::burn(t, &book, &mint, owner, &[], 1).unwrap(),
            &patient,
            TokenError::AccountFrozen,
        ),
        (
            "burn_checked by the owner",
            token_ix::burn_checked(t, &book, &mint, owner, &[], 1, 0).unwrap(),
            &patient,
            TokenError::AccountFrozen,
        ),
        (
            "close a book holding a record",
            token_ix::close_account(t, &book, owner, owner, &[]).unwrap(),
            &patient,
            TokenError::NonNativeHasBalance,
        ),
        (
            "close an empty book by its owner",
            token_ix::close_account(t, &idles, &idle.pubkey(), &idle.pubkey(), &[]).unwrap(),
            &idle,
            TokenError::OwnerMismatch,
        ),
        (
            "close an empty book by a stranger",
            token_ix::close_account(t, &idles, other, other, &[]).unwrap(),
            &stranger,
            TokenError::OwnerMismatch,
        ),
        (
            "withdraw an empty book's close authority",
            token_ix::set_authority(
                t,
                &idles,
                None,
                token_ix::AuthorityType::CloseAccount,
                &idle.pubkey(),
                &[],
            )
            .unwrap(),
            &idle,
            TokenError::AccountFrozen,
        ),
        (
            "approve",
            token_ix::approve(t, &book, other, owner, &[], 1).unwrap(),
            &patient,
            TokenError::AccountFrozen,
        ),
        (
            "revoke",
            token_ix::revoke(t, &book, owner, &[]).unwrap(),
            &patient,
            TokenError::AccountFrozen,
        ),
        (
            "take back the close authority",
            token_ix::set_authority(
                t,
                &book,
                Some(owner),
                token_ix::AuthorityType::CloseAccount,
                owner,
                &[],
            )
            .unwrap(),
            &patient,
            TokenError::AccountFrozen,
        ),
        (
            "hand the account to a stranger",
            token_ix::set_authority(
                t,
                &book,
                Some(other),
                token_ix::AuthorityType::AccountOwner,
                owner,
                &[],
            )
            .unwrap(),
            &patient,
            TokenError::AccountFrozen,
        ),
        (
            "freeze (already frozen)",
            token_ix::freeze_account(t, &book, &mint, owner, &[]).unwrap(),
            &patient,
            TokenError::InvalidState,
        ),
        (
            "a stranger's burn_checked",
            token_ix::burn_checked(t, &book, &mint, other, &[], 1, 0).unwrap(),
            &stranger,
            TokenError::AccountFrozen,
        ),
        (
            "the admin takes the freeze authority",
            token_ix::set_authority(
                t,
                &mint,
                Some(&admin.pubkey()),
                token_ix::AuthorityType::FreezeAccount,
                &admin.pubkey(),
                &[],
            )
            .unwrap(),
            &admin,
            TokenError::OwnerMismatch,
        ),
        (
            "the patient takes the book mint's excess lamports",
            token_ix::withdraw_excess_lamports(t, &mint, owner, owner, &[]).unwrap(),
            &patient,
            TokenError::OwnerMismatch,
        ),
        (
            "the patient mints as the book account's owner",
            token_ix::mint_to_checked(t, &mint, &book, owner, &[], 1, 0).unwrap(),
            &patient,
            TokenError::AccountFrozen,
        ),
    ];
    for (what, ix, signer, expected) in attempts {
        let result = world.send(&[ix], &[signer]);
        assert!(result.is_err(), "{what}: accepted");
        custom_error(result, expected as u32);
        world.assert_unchanged(&before);
    }
    // The owner may withdraw the account's excess lamports: there is none
    // (the registration paid exactly the rent), so nothing moves.
    let withdraw = token_ix::withdraw_excess_lamports(t, &book, owner, owner, &[]).unwrap();
    world
        .send(&[withdraw], &[&patient])
        .expect("nothing to withdraw");
    world.assert_unchanged(&before);
    let state = book_state(&world, &p);
    assert_eq!(state.state, AccountState::Frozen);
    assert_eq!(
        Option::<Pubkey>::from(state.close_authority),
        Some(pda::record_authority().0)
    );
    assert_eq!(world.book_balance(&p), 1);
    assert_eq!(book_supply(&world), 1);
}

/// Token-2022 lets the owner of a frozen account add extensions to it
/// (Reallocate, paying for the space) and turn on its CPI guard and
/// required memos. None of it stops the program, which mints, burns,
/// thaws and freezes as the mint's authority and permanent delegate
/// (never as the owner), nor fools it: the book still counts the Active
/// records. The CPI guard does stop `close_patient` from refunding a
/// sponsor (Token-2022 only lets a guarded account be closed by CPI to its
/// owner): a patient can keep their own profile open, as they can by not
/// closing it; turning the guard off again closes it, and the sponsor gets
/// back its rent and the lamports the patient added.
#[test]
fn extensions_a_patient_adds_to_their_book_neither_stop_nor_fool_the_program() {
    let mut world = World::new();
    let lab = world.lab();
    let sponsor = world.wallet();
    let patient = world.wallet();
    let p = patient.pubkey();
    register(&mut world, &sponsor, &patient).expect("register");
    let sponsor_start = world.lamports(&sponsor.pubkey());
    let book = book_account(&p);
    let rent = world.lamports(&book);
    let size = world.raw(&book).unwrap().data.len();

    let grow = token_ix::reallocate(
        &TOKEN_2022,
        &book,
        &p,
        &p,
        &[],
        &[ExtensionType::CpiGuard, ExtensionType::MemoTransfer],
    )
    .unwrap();
    let guard = enable_cpi_guard(&TOKEN_2022, &book, &p, &[]).unwrap();
    let memos = enable_required_transfer_memos(&TOKEN_2022, &book, &p, &[]).unwrap();
    world
        .send(&[grow, guard, memos], &[&patient])
        .expect("Token-2022 lets the owner extend a frozen account");
    let grown = world.raw(&book).unwrap();
    assert!(grown.data.len() > size);
    let added = grown.lamports - rent;
    assert!(added > 0, "the patient paid for the space");
    let state = StateWithExtensions::<TokenAccount>::unpack(&grown.data).unwrap();
    assert!(state
        .get_extension_types()
        .unwrap()
        .contains(&ExtensionType::CpiGuard));
    assert_eq!(state.base.state, AccountState::Frozen);

    // The program's mints and burns go on, counted.
    world.authorize_issuer(&patient, &lab.pubkey());
    let args = World::issue_args(RecordKind::LabResult);
    let r1 = args.record_id;
    world
        .send(&[rx::issue_record(&lab.pubkey(), &p, args)], &[&lab])
        .expect("issue to a guarded book");
    let r2 = world.issue(&lab, &p, RecordKind::Imaging);
    assert_eq!(world.book_balance(&p), 2);
    let v2 = amend(&mut world, &lab, &p, &r1);
    assert_eq!(world.book_balance(&p), 2);
    let ix = retract_ix(&world, &lab, &p, &v2);
    world.send(&[ix], &[&lab]).expect("retract, r1 restored");
    assert_eq!(world.book_balance(&p), 2);
    let ix = retract_ix(&world, &lab, &p, &r1);
    world
        .send(&[ix], &[&lab])
        .expect("retract burns from a guarded book");
    assert_eq!(world.book_balance(&p), 1);
    let ix = erase_ix(&world, &p, &p, &r2);
    world.send(&[ix], &[&patient]).expect("erase burns too");
    assert_eq!(world.book_balance(&p), 0);
    assert_eq!(book_supply(&world), 0);
    assert_eq!(book_state(&world, &p).state, AccountState::Frozen);

    // The guard refuses a CPI close to anyone but the owner.
    world.warp(1);
    let close = rx::close_patient(&p, &sponsor.pubkey());
    let watched = [book, pda::patient(&p).0, sponsor.pubkey()];
    let before = world.snapshot(&watched);
    custom_error(
        world.send(std::slice::from_ref(&close), &[&patient]),
        TokenError::CpiGuardCloseAccountBlocked as u32,
    );
    world.assert_unchanged(&before);
    let unguard = disable_cpi_guard(&TOKEN_2022, &book, &p, &[]).unwrap();
    let profile_rent = world.lamports(&pda::patient(&p).0);
    world
        .send(&[unguard, close], &[&patient])
        .expect("close once the guard is off");
    assert!(!world.exists(&book));
    assert_eq!(
        world.lamports(&sponsor.pubkey()),
        sponsor_start + profile_rent + rent + added,
        "the sponsor gets its rent back, and the lamports the patient added"
    );
}

// ----- addresses funded or created before the program gets to them -----

/// Lamports sent to the book mint's address before the admin creates it,
/// to a newcomer's profile, book account or record addresses, or the
/// newcomer's book account created by a stranger beforehand (the ATA
/// program lets anyone do it): nothing is blocked. A book account created
/// beforehand is adopted as it is (frozen, empty, no close authority until
/// the registration takes it): the registration payer pays only for the
/// profile, and `close_patient` returns to it every lamport of both,
/// the stranger's included (nothing records who created the account).
#[test]
fn addresses_funded_or_created_beforehand_block_nothing() {
    let mut world = World::without_registry();
    let stranger = world.wallet();
    let (mint, _) = pda::record_book();
    world
        .svm
        .airdrop(&mint, 1_000_000)
        .expect("lamports at the book's address");
    let ix = rx::initialize_registry(
        &world.payer.pubkey(),
        &world.upgrade_authority.pubkey(),
        InitializeRegistryArgs {
            admin: world.admin.pubkey(),
            max_emergency_duration: MAX_EMERGENCY,
            deployment: DEPLOYMENT.to_string(),
        },
    );
    let ua = world.upgrade_authority.insecure_clone();
    world.send(&[ix], &[&ua]).expect("registry");
    let payer_before = world.lamports(&world.payer.pubkey());
    let ix = rx::initialize_record_book(
        &world.payer.pubkey(),
        &world.admin.pubkey(),
        InitializeRecordBookArgs {
            uri: panacea_sdk::rent::RECORD_BOOK_URI.into(),
        },
    );
    let admin = world.admin.insecure_clone();
    world.send(&[ix], &[&admin]).expect("record book");
    let account = world.raw(&mint).unwrap();
    let needed = world
        .svm
        .minimum_balance_for_rent_exemption(account.data.len());
    assert_eq!(account.lamports, needed, "rent-exempt at its final size");
    assert_eq!(
        payer_before - world.lamports(&world.payer.pubkey()),
        needed - 1_000_000 + 5_000 * 2,
        "the payer paid the shortfall (and the fees of two signatures)"
    );

    // A newcomer whose profile address was funded and whose book account a
    // stranger created.
    let sponsor = world.wallet();
    let newcomer = Keypair::new();
    let n = newcomer.pubkey();
    world.svm.airdrop(&pda::patient(&n).0, 1_000_000).unwrap();
    let create = create_associated_token_account(&stranger.pubkey(), &n, &mint, &TOKEN_2022);
    world
        .send(&[create], &[&stranger])
        .expect("a stranger creates the newcomer's book account");
    let book = book_account(&n);
    let book_rent = world.lamports(&book);
    let state = book_state(&world, &n);
    assert_eq!(state.state, AccountState::Frozen);
    assert_eq!(Option::<Pubkey>::from(state.close_authority), None);
    let sponsor_start = world.lamports(&sponsor.pubkey());
    register(&mut world, &sponsor, &newcomer).expect("registration adopts the account");
    let state = book_state(&world, &n);
    assert_eq!(
        Option::<Pubkey>::from(state.close_authority),
        Some(pda::record_authority().0)
    );
    assert_eq!(state.state, AccountState::Frozen);
    let profile_rent = world.lamports(&pda::patient(&n).0);
    assert_eq!(
        sponsor_start - world.lamports(&sponsor.pubkey()),
        profile_rent - 1_000_000,
        "the sponsor paid the profile's shortfall only"
    );
    // A record whose address was funded beforehand: the issuer pays the
    // shortfall and gets every lamport back at the erasure.
    let lab = world.entity(EntityKind::Laboratory);
    world.authorize_issuer(&newcomer, &lab.pubkey());
    let args = World::issue_args(RecordKind::LabResult);
    let id = args.record_id;
    let record = pda::record(&n, &id).0;
    world.svm.airdrop(&record, 1_000_000).unwrap();
    let lab_start = world.lamports(&lab.pubkey());
    world
        .send(&[rx::issue_record(&lab.pubkey(), &n, args)], &[&lab])
        .expect("issue at a funded address");
    let record_rent = world.lamports(&record);
    assert_eq!(
        lab_start - world.lamports(&lab.pubkey()),
        record_rent - 1_000_000
    );
    let ix = erase_ix(&world, &n, &n, &id);
    world.send(&[ix], &[&newcomer]).expect("erase");
    assert_eq!(world.lamports(&lab.pubkey()), lab_start + 1_000_000);

    world.warp(1);
    let ix = rx::close_patient(&n, &sponsor.pubkey());
    world.send(&[ix], &[&newcomer]).expect("close");
    assert_eq!(
        world.lamports(&sponsor.pubkey()),
        sponsor_start + 1_000_000 + book_rent,
        "the registration payer gets the profile and the adopted book account"
    );

    // Lamports sent to a newcomer's book account address (not created):
    // the ATA program tops it up, the sponsor pays the shortfall only.
    let second = Keypair::new();
    let s2 = second.pubkey();
    world.svm.airdrop(&book_account(&s2), 1_000_000).unwrap();
    let sponsor_start = world.lamports(&sponsor.pubkey());
    register(&mut world, &sponsor, &second).expect("register over a funded address");
    let book_rent = world.lamports(&book_account(&s2));
    let profile_rent = world.lamports(&pda::patient(&s2).0);
    assert_eq!(
        sponsor_start - world.lamports(&sponsor.pubkey()),
        profile_rent + book_rent - 1_000_000
    );
    assert_eq!(book_state(&world, &s2).state, AccountState::Frozen);
}

// ----- one record, one token -----

/// No sequence counts a record twice: a retraction or an erasure sent
/// twice in one transaction fails as a whole, a retraction then an
/// erasure of the same record burns once, and an erasure followed by a
/// record issued at the same id in the same transaction is one record out
/// and one in, with a new serial and origin.
#[test]
fn no_record_is_counted_twice_even_within_one_transaction() {
    let mut world = World::new();
    let lab = world.lab();
    let patient = world.patient();
    let p = patient.pubkey();
    let r1 = world.issue(&lab, &p, RecordKind::LabResult);
    let v2 = amend(&mut world, &lab, &p, &r1);
    let r3 = world.issue(&lab, &p, RecordKind::Imaging);
    assert_eq!(world.book_balance(&p), 2);
    let watched = [
        book_account(&p),
        book_mint(),
        pda::record(&p, &r1).0,
        pda::record(&p, &v2).0,
        pda::record(&p, &r3).0,
        lab.pubkey(),
        pda::patient(&p).0,
    ];
    let before = world.snapshot(&watched);

    // The amendment retracted twice: the second finds it Retracted.
    let retract = retract_ix(&world, &lab, &p, &v2);
    custom_error(
        world.send(&[retract.clone(), retract], &[&lab]),
        RecordsError::RecordNotActive,
    );
    world.assert_unchanged(&before);
    // r3 retracted, then retracted without a previous version.
    let retract = retract_ix(&world, &lab, &p, &r3);
    custom_error(
        world.send(&[retract.clone(), retract], &[&lab]),
        RecordsError::RecordNotActive,
    );
    world.assert_unchanged(&before);
    // r3 erased twice: the second finds no record.
    let erase = erase_ix(&world, &p, &p, &r3);
    custom_error(
        world.send(&[erase.clone(), erase.clone()], &[&patient]),
        Anchor::AccountNotInitialized,
    );
    world.assert_unchanged(&before);

    // Retracted then erased in one transaction: one burn.
    let retract = retract_ix(&world, &lab, &p, &r3);
    world
        .send(&[retract, erase], &[&lab, &patient])
        .expect("retract and erase");
    assert_eq!(world.book_balance(&p), 1);
    assert_eq!(book_supply(&world), 1);

    // v2 erased and a record issued at its id in one transaction.
    let old = world.account::<Record>(&pda::record(&p, &v2).0);
    let erase = erase_ix(&world, &p, &p, &v2);
    let mut again = World::issue_args(RecordKind::Condition);
    again.record_id = v2;
    let issue = rx::issue_record(&lab.pubkey(), &p, again);
    world
        .send(&[erase, issue], &[&patient, &lab])
        .expect("erase and re-issue");
    let new = world.account::<Record>(&pda::record(&p, &v2).0);
    assert_eq!(world.book_balance(&p), 1);
    assert_eq!(book_supply(&world), 1);
    assert!(new.serial > old.serial && new.origin == new.serial);
    assert_ne!(new.origin, old.origin);
    // r1 is still Superseded by the erased version: retracting the new
    // record at v2's address restores nothing (it is an original).
    assert_eq!(
        world.account::<Record>(&pda::record(&p, &r1).0).status,
        RecordStatus::Superseded
    );
    let ix = retract_ix(&world, &lab, &p, &v2);
    let meta = world.send(&[ix], &[&lab]).expect("retract");
    assert_eq!(World::events::<RecordRetracted>(&meta)[0].restored, None);
    assert_eq!(world.book_balance(&p), 0);
    assert_eq!(
        active_records(&world, &p, &[r1, v2, r3]),
        0,
        "the book counts the Active records"
    );
}

// ----- rent refunded to someone else, erasure by someone else -----

/// The erasure refunds the issuer of that very version: any other account
/// in its place (an attacker, the patient, the chain's original issuer
/// for an amendment by another entity, the patient's book account) is
/// refused. Only the patient or their guardian erases; once the profile
/// is closed, only the patient's own wallet (not the former guardian).
#[test]
fn only_the_patient_erases_and_only_the_versions_issuer_is_refunded() {
    let mut world = World::new();
    let lab = world.lab();
    let specialist = world.provider();
    let (patient, guardian) = world.patient_with_guardian();
    let (other, other_guardian) = world.patient_with_guardian();
    let p = patient.pubkey();
    let r1 = world.issue(&lab, &p, RecordKind::LabResult);
    let r1_address = pda::record(&p, &r1).0;
    // The specialist amends under a grant with Amend permission.
    let grant = world.grant_record(&patient, &specialist.pubkey(), &r1_address, AMEND, DAY);
    let args = amend_args(3);
    let v2 = args.record_id;
    let ix = rx::amend_record(&specialist.pubkey(), &p, &r1_address, Some(&grant), args);
    world.send(&[ix], &[&specialist]).expect("amend by grant");
    let v2_address = pda::record(&p, &v2).0;
    assert_eq!(
        world.account::<Record>(&v2_address).issuer,
        specialist.pubkey()
    );
    let attacker = world.wallet();
    let watched = [
        r1_address,
        v2_address,
        book_account(&p),
        book_mint(),
        lab.pubkey(),
        specialist.pubkey(),
        attacker.pubkey(),
        p,
    ];
    let before = world.snapshot(&watched);

    for wrong in [attacker.pubkey(), p, lab.pubkey(), book_account(&p)] {
        let ix = rx::erase_record(&p, &p, &v2, &wrong);
        custom_error(
            world.send(&[ix], &[&patient]),
            RecordsError::RentPayerMismatch,
        );
        world.assert_unchanged(&before);
    }
    for signer in [&attacker, &lab, &specialist, &other, &other_guardian] {
        let ix = erase_ix(&world, &signer.pubkey(), &p, &v2);
        custom_error(
            world.send(&[ix], &[signer]),
            RecordsError::NotPatientOrGuardian,
        );
        world.assert_unchanged(&before);
    }
    // Another patient's profile in place of this patient's, its guardian
    // signing: the profile's seeds name the record's patient.
    let ix = substitute(
        erase_ix(&world, &other_guardian.pubkey(), &p, &v2),
        &pda::patient(&p).0,
        &pda::patient(&other.pubkey()).0,
    );
    custom_error(
        world.send(&[ix], &[&other_guardian]),
        Anchor::ConstraintSeeds,
    );
    world.assert_unchanged(&before);

    // The guardian erases the amendment: the specialist gets its rent.
    let specialist_start = world.lamports(&specialist.pubkey());
    let rent = world.lamports(&v2_address);
    let ix = erase_ix(&world, &guardian.pubkey(), &p, &v2);
    world.send(&[ix], &[&guardian]).expect("guardian erases");
    assert_eq!(
        world.lamports(&specialist.pubkey()),
        specialist_start + rent
    );
    assert_eq!(world.book_balance(&p), 0);

    // r1 (Superseded) outlives the profile; the former guardian can no
    // longer erase it, the patient's wallet can.
    world.warp(1);
    let ix = rx::close_patient(&p, &world.payer.pubkey());
    world.send(&[ix], &[&patient]).expect("close");
    let before = world.snapshot(&[r1_address, lab.pubkey()]);
    for signer in [&guardian, &attacker, &lab] {
        let ix = erase_ix(&world, &signer.pubkey(), &p, &r1);
        custom_error(
            world.send(&[ix], &[signer]),
            RecordsError::NotPatientOrGuardian,
        );
        world.assert_unchanged(&before);
    }
    let lab_start = world.lamports(&lab.pubkey());
    let rent = world.lamports(&r1_address);
    let ix = erase_ix(&world, &p, &p, &r1);
    world.send(&[ix], &[&patient]).expect("the patient erases");
    assert_eq!(world.lamports(&lab.pubkey()), lab_start + rent);
    assert!(!world.exists(&r1_address));
}

// ----- retract with another previous version -----

/// A retraction names exactly the address of the version amended: no
/// previous version, another record of the patient, another patient's
/// record at the same id, the amendment itself, the patient's book
/// account or profile are refused, and so is a previous version for an
/// original, or the right address passed read-only.
#[test]
fn a_retraction_takes_exactly_the_address_of_the_version_amended() {
    let mut world = World::new();
    let lab = world.lab();
    let alice = world.patient();
    let bob = world.patient();
    let (a, b) = (alice.pubkey(), bob.pubkey());
    let r1 = world.issue(&lab, &a, RecordKind::LabResult);
    let v2 = amend(&mut world, &lab, &a, &r1);
    // Another of Alice's records, Superseded too, and Bob's at r1's id.
    let o1 = world.issue(&lab, &a, RecordKind::Imaging);
    amend(&mut world, &lab, &a, &o1);
    let mut at_same_id = World::issue_args(RecordKind::LabResult);
    at_same_id.record_id = r1;
    world
        .try_issue(&lab, &b, at_same_id)
        .expect("Bob's record at r1's id");
    let r1_address = pda::record(&a, &r1).0;
    let v2_address = pda::record(&a, &v2).0;
    let o1_address = pda::record(&a, &o1).0;
    let watched = [
        r1_address,
        v2_address,
        o1_address,
        pda::record(&b, &r1).0,
        book_account(&a),
        book_account(&b),
        book_mint(),
    ];
    let before = world.snapshot(&watched);
    let wrong = [
        None,
        Some(o1_address),
        Some(pda::record(&b, &r1).0),
        Some(v2_address),
        Some(book_account(&a)),
        Some(pda::patient(&a).0),
    ];
    for previous in wrong {
        let ix = rx::retract_record(&lab.pubkey(), &a, &v2, previous.as_ref());
        custom_error(
            world.send(&[ix], &[&lab]),
            RecordsError::PreviousRecordMismatch,
        );
        world.assert_unchanged(&before);
    }
    let fresh = world.issue(&lab, &a, RecordKind::Condition);
    let before = world.snapshot(&[pda::record(&a, &fresh).0, r1_address, book_account(&a)]);
    let ix = rx::retract_record(&lab.pubkey(), &a, &fresh, Some(&r1_address));
    custom_error(
        world.send(&[ix], &[&lab]),
        RecordsError::PreviousRecordMismatch,
    );
    world.assert_unchanged(&before);
    let before = world.snapshot(&watched);
    let ix = read_only(
        rx::retract_record(&lab.pubkey(), &a, &v2, Some(&r1_address)),
        &r1_address,
    );
    custom_error(world.send(&[ix], &[&lab]), Anchor::ConstraintMut);
    world.assert_unchanged(&before);

    let ix = rx::retract_record(&lab.pubkey(), &a, &v2, Some(&r1_address));
    let meta = world.send(&[ix], &[&lab]).expect("retract");
    assert_eq!(
        World::events::<RecordRetracted>(&meta)[0].restored,
        Some(r1_address)
    );
    assert_eq!(
        world.account::<Record>(&r1_address).status,
        RecordStatus::Active
    );
    assert_eq!(world.book_balance(&a), 3);
    assert_eq!(active_records(&world, &a, &[r1, v2, o1, fresh]), 2);
}

// ----- live grants closed as dead ones -----

/// The rule that lets anyone close a grant of an ended registration never
/// reaches a live one: a stranger cannot close a live care link, a live
/// grant on one record (even one erased since, in the same registration),
/// nor an emergency grant; a grantee cannot close its live grant, nor a
/// revoked emergency grant; another profile or another rent payer is
/// refused. Once the registration ends, anyone closes them all and each
/// rent goes back to its payer.
#[test]
fn a_live_grant_is_never_closed_by_the_dead_grant_rule() {
    let mut world = World::new();
    let lab = world.lab();
    let er = world.provider();
    let reader = world.provider();
    let patient = world.patient();
    let other = world.patient();
    let p = patient.pubkey();
    let stranger = world.wallet();
    let kept = world.issue(&lab, &p, RecordKind::LabResult);
    let gone = world.issue(&lab, &p, RecordKind::Imaging);
    let care_link = rx::care_link_address(&p, &lab.pubkey());
    let on_kept = world.grant_record(
        &patient,
        &reader.pubkey(),
        &pda::record(&p, &kept).0,
        READ,
        DAY,
    );
    let on_gone = world.grant_record(
        &patient,
        &reader.pubkey(),
        &pda::record(&p, &gone).0,
        READ,
        DAY,
    );
    let ix = erase_ix(&world, &p, &p, &gone);
    world.send(&[ix], &[&patient]).expect("erase");
    let ix = rx::emergency_access(
        &world.payer.pubkey(),
        &er.pubkey(),
        &p,
        EmergencyAccessArgs {
            reason_code: 911,
            duration: MAX_EMERGENCY,
        },
    );
    world.send(&[ix], &[&er]).expect("break glass");
    let emergency = rx::emergency_grant_address(&p, &er.pubkey());
    let grants = [care_link, on_kept, on_gone, emergency];
    let payer = world.payer.pubkey();
    let before = world.snapshot(&grants);

    for grant in grants {
        let ix = rx::close_grant(&stranger.pubkey(), &p, &grant, &payer);
        custom_error(
            world.send(&[ix], &[&stranger]),
            RecordsError::NotPatientOrGuardian,
        );
        // Another patient's (or no) profile in place of the grant's patient's.
        let ix = substitute(
            rx::close_grant(&stranger.pubkey(), &p, &grant, &payer),
            &pda::patient(&p).0,
            &pda::patient(&other.pubkey()).0,
        );
        custom_error(world.send(&[ix], &[&stranger]), Anchor::ConstraintSeeds);
        let ix = substitute(
            rx::close_grant(&stranger.pubkey(), &p, &grant, &payer),
            &pda::patient(&p).0,
            &pda::patient(&stranger.pubkey()).0,
        );
        custom_error(world.send(&[ix], &[&stranger]), Anchor::ConstraintSeeds);
        let ix = rx::close_grant(&p, &p, &grant, &stranger.pubkey());
        custom_error(
            world.send(&[ix], &[&patient]),
            RecordsError::RentPayerMismatch,
        );
        world.assert_unchanged(&before);
    }
    let ix = rx::close_grant(&reader.pubkey(), &p, &on_kept, &payer);
    custom_error(
        world.send(&[ix], &[&reader]),
        RecordsError::GrantStillActive,
    );
    let ix = rx::revoke_access(&p, &p, &emergency);
    world
        .send(&[ix], &[&patient])
        .expect("revoke the emergency grant");
    let before = world.snapshot(&grants);
    let ix = rx::close_grant(&er.pubkey(), &p, &emergency, &payer);
    custom_error(
        world.send(&[ix], &[&er]),
        RecordsError::EmergencyGrantClosedByPatientOnly,
    );
    let ix = rx::close_grant(&stranger.pubkey(), &p, &emergency, &payer);
    custom_error(
        world.send(&[ix], &[&stranger]),
        RecordsError::NotPatientOrGuardian,
    );
    world.assert_unchanged(&before);

    // The registration ends: anyone closes every grant given under it,
    // each rent back to its payer.
    let ix = retract_ix(&world, &lab, &p, &kept);
    world.send(&[ix], &[&lab]).expect("retract");
    world.warp(1);
    let ix = rx::close_patient(&p, &payer);
    world.send(&[ix], &[&patient]).expect("close");
    for grant in grants {
        let rent = world.lamports(&grant);
        let start = world.lamports(&payer);
        let ix = rx::close_grant(&stranger.pubkey(), &p, &grant, &payer);
        world
            .send_paid_by(&stranger, &[ix], &[])
            .expect("a dead grant");
        assert_eq!(world.lamports(&payer), start + rent);
        assert!(!world.exists(&grant));
    }
}

// ----- close and registration within one transaction -----

/// A close and a registration in one transaction start a new registration:
/// the old care link issues nothing in that very transaction, the new
/// profile cannot be closed in it (nor in its slot), and the old grants
/// are dead (anyone closes them), while the old registration's retracted
/// record stays erasable by the patient with its rent back to its issuer.
#[test]
fn a_close_and_a_registration_in_one_transaction_revive_nothing() {
    let mut world = World::new();
    let lab = world.lab();
    let reader = world.provider();
    let patient = world.patient();
    let p = patient.pubkey();
    let id = world.issue(&lab, &p, RecordKind::LabResult);
    let record = pda::record(&p, &id).0;
    let grant = world.grant_record(&patient, &reader.pubkey(), &record, READ, DAY);
    let ix = retract_ix(&world, &lab, &p, &id);
    world.send(&[ix], &[&lab]).expect("retract");
    let care_link = rx::care_link_address(&p, &lab.pubkey());
    let old = profile(&world, &p).registration();
    world.warp(1);

    let payer = world.payer.pubkey();
    let close = rx::close_patient(&p, &payer);
    let register = rx::register_patient(
        &payer,
        &p,
        None,
        RegisterPatientArgs {
            encryption_key: [4; 32],
            guardian_encryption_key: [0; 32],
        },
    );
    let args = World::issue_args(RecordKind::Imaging);
    let fresh = pda::record(&p, &args.record_id).0;
    let issue = rx::issue_record(&lab.pubkey(), &p, args);
    let watched = [
        pda::patient(&p).0,
        book_account(&p),
        record,
        fresh,
        care_link,
        grant,
        lab.pubkey(),
    ];
    let before = world.snapshot(&watched);
    custom_error(
        world.send(&[close.clone(), register.clone(), issue], &[&patient, &lab]),
        RecordsError::IssueNotPermitted,
    );
    world.assert_unchanged(&before);
    custom_error(
        world.send(
            &[close.clone(), register.clone(), close.clone()],
            &[&patient],
        ),
        RecordsError::PatientCloseTooSoon,
    );
    world.assert_unchanged(&before);

    world
        .send(&[close.clone(), register], &[&patient])
        .expect("close and register again");
    let new = profile(&world, &p).registration();
    assert!(new > old);
    assert_eq!(world.book_balance(&p), 0);
    let before = world.snapshot(&watched);
    custom_error(
        world.send(&[close], &[&patient]),
        RecordsError::PatientCloseTooSoon,
    );
    world.assert_unchanged(&before);
    let stranger = world.wallet();
    for dead in [care_link, grant] {
        let ix = rx::close_grant(&stranger.pubkey(), &p, &dead, &payer);
        world.send(&[ix], &[&stranger]).expect("a dead grant");
    }
    let lab_start = world.lamports(&lab.pubkey());
    let rent = world.lamports(&record);
    let ix = erase_ix(&world, &p, &p, &id);
    world
        .send(&[ix], &[&patient])
        .expect("erase the old tombstone");
    assert_eq!(world.lamports(&lab.pubkey()), lab_start + rent);
    assert_eq!(world.book_balance(&p), 0);
}

// ----- overflow -----

/// An amendment of a version numbered 65535 is refused (the version is a
/// u16): nothing is created, nothing superseded.
#[test]
fn an_amendment_past_the_last_version_number_is_refused() {
    let mut world = World::new();
    let lab = world.lab();
    let patient = world.patient();
    let p = patient.pubkey();
    let r1 = world.issue(&lab, &p, RecordKind::LabResult);
    let v2 = amend(&mut world, &lab, &p, &r1);
    let v2_address = pda::record(&p, &v2).0;
    let mut state: Record = world.account(&v2_address);
    state.record_version = u16::MAX;
    overwrite(&mut world, &v2_address, &state);
    let args = amend_args(9);
    let next = pda::record(&p, &args.record_id).0;
    let watched = [
        v2_address,
        next,
        pda::patient(&p).0,
        lab.pubkey(),
        book_account(&p),
    ];
    let before = world.snapshot(&watched);
    let ix = rx::amend_record(&lab.pubkey(), &p, &v2_address, None, args);
    custom_error(world.send(&[ix], &[&lab]), RecordsError::Overflow);
    world.assert_unchanged(&before);
}

// ----- double billing of one chain -----

/// A provider bills a record once per policy, however the chain moves:
/// its amendment (same origin), the original restored by a retraction,
/// the amendment erased and the original restored... are refused as
/// already claimed. A record issued at an erased version's id is a new
/// record (its own origin): billable, like any other new record.
#[test]
fn a_chain_is_billed_once_per_policy_whatever_its_versions_do() {
    let mut world = World::new();
    let provider = world.provider();
    let insurer = world.insurer();
    let patient = world.patient();
    let p = patient.pubkey();
    world.consent(&patient, &insurer.pubkey(), ConsentPurpose::Payment);
    let mint = world.create_mint(&anchor_spl::token::ID);
    let args = CreatePolicyArgs {
        policy_id: random_id(),
        adjudicator: Keypair::new().pubkey(),
        coverage_limit: 10_000_000,
        deductible: 0,
        copay_bps: 0,
        auto_approve_limit: 1_000_000,
        provider_auto_approve_cap: 10_000_000,
        auto_approve_period: 30 * DAY,
        challenge_window: 3 * DAY,
        appeal_window: 14 * DAY,
        review_window: 30 * DAY,
        valid_from: world.now(),
        valid_until: world.now() + 365 * DAY,
    };
    let policy = cl::policy_address(&insurer.pubkey(), &args.policy_id);
    let ix = cl::create_policy(
        &world.payer.pubkey(),
        &insurer.pubkey(),
        &p,
        &mint,
        &anchor_spl::token::ID,
        args,
    );
    world.send(&[ix], &[&insurer]).expect("policy");
    let tokens = world.token_account(&insurer.pubkey(), &mint, &anchor_spl::token::ID);
    world.mint_to(&mint, &tokens, 5_000_000, &anchor_spl::token::ID);
    let ix = cl::fund_policy(
        &insurer.pubkey(),
        &policy,
        &mint,
        &tokens,
        &anchor_spl::token::ID,
        5_000_000,
    );
    world.send(&[ix], &[&insurer]).expect("fund");
    let bill = |world: &mut World, id: &[u8; 16]| {
        let address = pda::record(&p, id).0;
        let state: Record = world.account(&address);
        let ix = cl::submit_claim(
            &world.payer.pubkey(),
            &provider.pubkey(),
            &policy,
            &insurer.pubkey(),
            &p,
            &[cl::BilledRecord::of(address, &state)],
            SubmitClaimArgs {
                claim_id: random_id(),
                amount_billed: 100_000,
                service_commitment: [0x5E; 32],
                leaves: vec![],
            },
        );
        world.send(&[ix], &[&provider])
    };
    let r1 = world.issue(&provider, &p, RecordKind::Procedure);
    bill(&mut world, &r1).expect("first claim");
    let reserved = |world: &World| world.account::<claims::state::Policy>(&policy).reserved;
    let held = reserved(&world);
    let v2 = amend(&mut world, &provider, &p, &r1);
    custom_error(bill(&mut world, &v2), ClaimsError::RecordAlreadyClaimed);
    let ix = retract_ix(&world, &provider, &p, &v2);
    world
        .send(&[ix], &[&provider])
        .expect("retract, r1 restored");
    custom_error(bill(&mut world, &r1), ClaimsError::RecordAlreadyClaimed);
    let v3 = amend(&mut world, &provider, &p, &r1);
    let ix = erase_ix(&world, &p, &p, &r1);
    world
        .send(&[ix], &[&patient])
        .expect("erase the Superseded original");
    custom_error(bill(&mut world, &v3), ClaimsError::RecordAlreadyClaimed);
    assert_eq!(reserved(&world), held);
    // A record issued at r1's id since: a record of its own.
    let mut again = World::issue_args(RecordKind::Procedure);
    again.record_id = r1;
    world
        .try_issue(&provider, &p, again)
        .expect("re-issue at r1's id");
    let reissued: Record = world.account(&pda::record(&p, &r1).0);
    let v3_state: Record = world.account(&pda::record(&p, &v3).0);
    assert_ne!(reissued.origin, v3_state.origin);
    bill(&mut world, &r1).expect("a new record, billed once");
    custom_error(bill(&mut world, &r1), ClaimsError::RecordAlreadyClaimed);
}

// ----- registration serials wrap around at slot 2^40 -----

/// The review's finding, fixed: `Patient::first_record_serial` shifted
/// `slot + 1` left by 24 bits without checking that nothing was shifted
/// out (it now refuses with Overflow): from slot 2^40 on
/// (about 14,000 years of 400 ms slots; reachable at once on a validator
/// started with `--warp-slot`), a registration gets the very serial range
/// of one 2^40 slots earlier. The patient's old care link, dead since the
/// close, issues again without any new act of the patient, and a grant on
/// one record of the old registration reaches a record re-issued at its
/// address (same serial); a stranger can no longer close either.
#[test]
fn registration_serials_do_not_wrap_around() {
    let mut world = World::new();
    let lab = world.lab();
    let reader = world.provider();
    let patient = world.patient();
    let p = patient.pubkey();
    let first = profile(&world, &p).registration();
    let registered_slot = current_slot(&world);
    let id = world.issue(&lab, &p, RecordKind::LabResult);
    let record = pda::record(&p, &id).0;
    let grant = world.grant_record(&patient, &reader.pubkey(), &record, READ, 365 * DAY);
    let care_link = rx::care_link_address(&p, &lab.pubkey());
    let ix = erase_ix(&world, &p, &p, &id);
    world.send(&[ix], &[&patient]).expect("erase");
    world.warp(1);
    let ix = rx::close_patient(&p, &world.payer.pubkey());
    world.send(&[ix], &[&patient]).expect("close");

    set_slot(&mut world, registered_slot + (1 << 40));
    let payer = world.payer.insecure_clone();
    let registered = register(&mut world, &payer, &patient);
    if registered.is_ok() {
        let again = profile(&world, &p).registration();
        let mut args = World::issue_args(RecordKind::LabResult);
        args.record_id = id;
        let issued = world.send(&[rx::issue_record(&lab.pubkey(), &p, args)], &[&lab]);
        let read = world.send(
            &[rx::log_access(&reader.pubkey(), &grant, &record)],
            &[&reader],
        );
        assert!(
            again != first && issued.is_err() && read.is_err(),
            "the new registration repeats the old one's serials ({again:#x} == {first:#x}): \
             the old care link {care_link} issued again: {}; the old grant read the re-issued \
             record: {}",
            issued.is_ok(),
            read.is_ok()
        );
    }
}

// ----- a seeded random sequence -----

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A token instruction a patient or a stranger sends to a book: all of
/// them must fail. Returns the instruction and who signs it.
fn direct_token_op<'a>(
    rng: &mut Rng,
    patient: &'a Keypair,
    stranger: &'a Keypair,
    strangers_book: &Pubkey,
) -> (Instruction, &'a Keypair) {
    let t = &TOKEN_2022;
    let book = book_account(&patient.pubkey());
    let mint = book_mint();
    let (owner, other) = (&patient.pubkey(), &stranger.pubkey());
    match rng.below(12) {
        0 => (
            token_ix::transfer_checked(t, &book, &mint, strangers_book, owner, &[], 1, 0).unwrap(),
            patient,
        ),
        1 => (
            token_ix::burn(t, &book, &mint, owner, &[], 1).unwrap(),
            patient,
        ),
        2 => (
            token_ix::close_account(t, &book, owner, owner, &[]).unwrap(),
            patient,
        ),
        3 => (
            token_ix::approve(t, &book, other, owner, &[], 1).unwrap(),
            patient,
        ),
        4 => (token_ix::revoke(t, &book, owner, &[]).unwrap(), patient),
        5 => (
            token_ix::set_authority(
                t,
                &book,
                Some(owner),
                token_ix::AuthorityType::CloseAccount,
                owner,
                &[],
            )
            .unwrap(),
            patient,
        ),
        6 => (
            token_ix::thaw_account(t, &book, &mint, owner, &[]).unwrap(),
            patient,
        ),
        7 => (
            token_ix::freeze_account(t, &book, &mint, owner, &[]).unwrap(),
            patient,
        ),
        8 => (
            token_ix::burn(t, &book, &mint, other, &[], 1).unwrap(),
            stranger,
        ),
        9 => (
            token_ix::close_account(t, &book, other, other, &[]).unwrap(),
            stranger,
        ),
        10 => (
            token_ix::mint_to(t, &mint, &book, owner, &[], 1).unwrap(),
            patient,
        ),
        _ => (
            token_ix::thaw_account(t, &book, &mint, other, &[]).unwrap(),
            stranger,
        ),
    }
}

/// Random issues, amendments, retractions, erasures, closes and
/// re-registrations of two patients by two issuers, interleaved with
/// direct Token-2022 instructions from the patients and a stranger. After
/// every step each registered patient's book holds the number of their
/// Active records (a closed one has no book and no Active record), and the
/// supply is their sum; at the end, once everything is erased and closed,
/// each issuer and the registrations' sponsor hold exactly what they had:
/// every lamport of rent went back to whoever paid it.
#[test]
fn random_sequences_with_direct_token_instructions_keep_each_book_at_its_active_count() {
    let mut seen = Coverage::default();
    for seed in [0x5EED_0001_u64, 0xB00C_2026, 0xFACE_F00D, 0x1234_5678_9ABC] {
        run_random_sequence(seed, 90, &mut seen);
    }
    // The sequences went through every path this test is about.
    assert!(
        seen.issued > 0
            && seen.amended > 0
            && seen.restored > 0
            && seen.burned_by_retraction > 0
            && seen.erased_active > 0
            && seen.refused_closes > 0
            && seen.closes > 0
            && seen.re_registrations > 0
            && seen.token_attacks > 20,
        "{seen:?}"
    );
}

/// What the random sequences did, summed over the seeds.
#[derive(Default, Debug)]
struct Coverage {
    issued: usize,
    amended: usize,
    restored: usize,
    burned_by_retraction: usize,
    erased_active: usize,
    refused_closes: usize,
    closes: usize,
    re_registrations: usize,
    token_attacks: usize,
}

fn run_random_sequence(seed: u64, steps: usize, seen: &mut Coverage) {
    let mut rng = Rng(seed);
    let mut world = World::new();
    let issuers = [world.lab(), world.provider()];
    let sponsor = world.wallet();
    let stranger = world.wallet();
    let create = create_associated_token_account(
        &world.payer.pubkey(),
        &stranger.pubkey(),
        &book_mint(),
        &TOKEN_2022,
    );
    world.send(&[create], &[]).expect("stranger's book account");
    let strangers_book = book_account(&stranger.pubkey());
    let patients = [world.wallet(), world.wallet()];
    let issuer_start: Vec<u64> = issuers
        .iter()
        .map(|i| world.lamports(&i.pubkey()))
        .collect();
    let sponsor_start = world.lamports(&sponsor.pubkey());
    let mut registered = [false, false];
    // Every record id ever used, per patient.
    let mut ids: [Vec<[u8; 16]>; 2] = [Vec::new(), Vec::new()];

    let link_all = |world: &mut World, patient: &Keypair| {
        for issuer in &issuers {
            let link = rx::care_link_address(&patient.pubkey(), &issuer.pubkey());
            if let Some(state) = world.raw(&link).map(|_| world.account::<Grant>(&link)) {
                let ix = rx::close_grant(
                    &stranger.pubkey(),
                    &patient.pubkey(),
                    &link,
                    &state.rent_payer,
                );
                world
                    .send(&[ix], &[&stranger])
                    .expect("a dead care link, closed by anyone");
            }
            let ix = world.care_link_ix(patient, &issuer.pubkey(), kinds::ALL, ISSUE | READ);
            world.send(&[ix], &[patient]).expect("care link");
        }
    };
    let records_of = |world: &World, who: &Pubkey, ids: &[[u8; 16]]| -> Vec<([u8; 16], Record)> {
        let unique: std::collections::BTreeSet<[u8; 16]> = ids.iter().copied().collect();
        unique
            .into_iter()
            .filter_map(|id| record_at(world, who, &id).map(|r| (id, r)))
            .collect()
    };
    let check = |world: &World, registered: &[bool; 2], ids: &[Vec<[u8; 16]>; 2], step: &str| {
        let mut total = 0;
        for (k, patient) in patients.iter().enumerate() {
            let who = patient.pubkey();
            let active = active_records(world, &who, &ids[k]);
            if registered[k] {
                let state = book_state(world, &who);
                assert_eq!(
                    state.amount, active,
                    "seed {seed:#x}, {step}: patient {k}'s book"
                );
                assert_eq!(state.state, AccountState::Frozen, "{step}: frozen");
                assert_eq!(
                    Option::<Pubkey>::from(state.close_authority),
                    Some(pda::record_authority().0)
                );
                total += active;
            } else {
                assert!(
                    !world.exists(&book_account(&who)),
                    "{step}: no book when closed"
                );
                assert_eq!(
                    active, 0,
                    "seed {seed:#x}, {step}: Active records while closed"
                );
            }
        }
        assert_eq!(book_supply(world), total, "seed {seed:#x}, {step}: supply");
    };

    for k in 0..2 {
        register(&mut world, &sponsor, &patients[k]).expect("register");
        registered[k] = true;
        link_all(&mut world, &patients[k]);
    }
    check(&world, &registered, &ids, "start");

    for step in 0..steps {
        let k = rng.below(2);
        let patient = &patients[k];
        let who = patient.pubkey();
        let op = rng.below(10);
        let label = format!("step {step} op {op} patient {k}");
        let records = records_of(&world, &who, &ids[k]);
        let active: Vec<_> = records
            .iter()
            .filter(|(_, r)| r.status == RecordStatus::Active)
            .cloned()
            .collect();
        match op {
            0 | 1 if registered[k] => {
                let issuer = &issuers[rng.below(2)];
                let mut args = World::issue_args(RecordKind::LabResult);
                // Now and then at the id of an erased record.
                if rng.below(4) == 0 {
                    if let Some(id) = ids[k]
                        .iter()
                        .find(|id| record_at(&world, &who, id).is_none())
                    {
                        args.record_id = *id;
                    }
                }
                ids[k].push(args.record_id);
                let ix = rx::issue_record(&issuer.pubkey(), &who, args);
                world.send(&[ix], &[issuer]).expect("issue");
                seen.issued += 1;
            }
            2 if registered[k] && !active.is_empty() => {
                let (id, state) = &active[rng.below(active.len())];
                let issuer = issuers
                    .iter()
                    .find(|i| i.pubkey() == state.original_issuer)
                    .unwrap();
                let new = amend(&mut world, issuer, &who, id);
                ids[k].push(new);
                seen.amended += 1;
            }
            3 if !active.is_empty() => {
                let (id, state) = &active[rng.below(active.len())];
                let issuer = issuers.iter().find(|i| i.pubkey() == state.issuer).unwrap();
                let ix = retract_ix(&world, issuer, &who, id);
                let meta = world.send(&[ix], &[issuer]).expect("retract");
                match World::events::<RecordRetracted>(&meta)[0].restored {
                    Some(_) => seen.restored += 1,
                    None => seen.burned_by_retraction += 1,
                }
            }
            4 if !records.is_empty() => {
                let (id, _) = &records[rng.below(records.len())];
                let ix = erase_ix(&world, &who, &who, id);
                let meta = world.send(&[ix], &[patient]).expect("erase");
                if World::events::<RecordErased>(&meta)[0].was_active {
                    seen.erased_active += 1;
                }
            }
            5 if registered[k] => {
                world.warp(1);
                let ix = rx::close_patient(&who, &sponsor.pubkey());
                let result = world.send(&[ix], &[patient]);
                if active.is_empty() {
                    result.expect("close with no Active record");
                    registered[k] = false;
                    seen.closes += 1;
                } else {
                    custom_error(result, RecordsError::PatientHasActiveRecords);
                    seen.refused_closes += 1;
                }
            }
            5 | 6 if !registered[k] => {
                register(&mut world, &sponsor, patient).expect("register again");
                registered[k] = true;
                link_all(&mut world, patient);
                seen.re_registrations += 1;
            }
            7..=9 if registered[k] => {
                let (ix, signer) = direct_token_op(&mut rng, patient, &stranger, &strangers_book);
                let before = world.snapshot(&[book_account(&who), book_mint(), strangers_book]);
                assert!(
                    world.send(&[ix], &[signer]).is_err(),
                    "seed {seed:#x}, {label}: a direct token instruction was accepted"
                );
                world.assert_unchanged(&before);
                seen.token_attacks += 1;
            }
            _ => world.warp(1),
        }
        check(&world, &registered, &ids, &label);
    }

    // Everything retracted, erased and closed: each payer has its rent back.
    for k in 0..2 {
        let patient = &patients[k];
        let who = patient.pubkey();
        if !registered[k] {
            register(&mut world, &sponsor, patient).expect("register to close");
            registered[k] = true;
        }
        for (id, _) in records_of(&world, &who, &ids[k]) {
            let ix = erase_ix(&world, &who, &who, &id);
            world.send(&[ix], &[patient]).expect("erase all");
        }
        check(&world, &registered, &ids, "erased");
        world.warp(1);
        let ix = rx::close_patient(&who, &sponsor.pubkey());
        world.send(&[ix], &[patient]).expect("final close");
        registered[k] = false;
    }
    check(&world, &registered, &ids, "closed");
    for (issuer, start) in issuers.iter().zip(&issuer_start) {
        assert_eq!(
            world.lamports(&issuer.pubkey()),
            *start,
            "seed {seed:#x}: an issuer's rent was stranded"
        );
    }
    assert_eq!(
        world.lamports(&sponsor.pubkey()),
        sponsor_start,
        "seed {seed:#x}: the sponsor's rent was stranded"
    );
}
