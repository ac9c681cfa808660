//! The mint rule of `claims` (`claims::instructions::payout_mint_refusal`):
//! a Token-2022 mint that could move, withhold or freeze escrowed money, or
//! be closed and created again, is refused at creation and wherever money
//! moves.

use {
    ::bounties::errors::BountiesError,
    anchor_lang::prelude::Pubkey,
    anchor_spl::token_2022::spl_token_2022::{
        extension::{transfer_fee, ExtensionType, StateWithExtensionsMut},
        instruction as token_ix,
        state::Mint,
    },
    panacea_sdk::bounties as bx,
    panacea_tests::{assert::*, bounties::*, *},
    records::state::EntityKind,
    solana_instruction::Instruction,
    solana_keypair::Keypair,
    solana_signer::Signer,
};

const TOKEN_2022: Pubkey = anchor_spl::token_2022::ID;

/// A Token-2022 mint (6 decimals, minted by the payer) with one extension
/// initialized by `init`.
fn mint_with(
    world: &mut World,
    extension: ExtensionType,
    init: impl Fn(&Pubkey) -> Instruction,
) -> Pubkey {
    let mint = Keypair::new();
    let space = ExtensionType::try_calculate_account_len::<Mint>(&[extension]).unwrap();
    let lamports = world.svm.minimum_balance_for_rent_exemption(space);
    let create = anchor_lang::solana_program::system_instruction::create_account(
        &world.payer.pubkey(),
        &mint.pubkey(),
        lamports,
        space as u64,
        &TOKEN_2022,
    );
    let init_mint =
        token_ix::initialize_mint2(&TOKEN_2022, &mint.pubkey(), &world.payer.pubkey(), None, 6)
            .unwrap();
    world
        .send(&[create, init(&mint.pubkey()), init_mint], &[&mint])
        .expect("mint with extension");
    mint.pubkey()
}

/// A researcher tries to open a bounty in `mint`; returns the bounty's
/// address and the outcome.
fn try_create(world: &mut World, researcher: &Keypair, mint: &Pubkey) -> (Pubkey, TxResult) {
    let args = bounty_args();
    let bounty = bx::bounty_address(&researcher.pubkey(), &args.bounty_id);
    let ix = bx::create_bounty(
        &world.payer.pubkey(),
        &researcher.pubkey(),
        mint,
        &TOKEN_2022,
        args,
    );
    (bounty, world.send(&[ix], &[researcher]))
}

#[test]
fn a_bounty_mint_with_a_transfer_fee_or_permanent_delegate_is_refused() {
    let mut world = World::new();
    let researcher = world.entity(EntityKind::Researcher);
    let authority = world.payer.pubkey();
    let fee = mint_with(&mut world, ExtensionType::TransferFeeConfig, |m| {
        transfer_fee::instruction::initialize_transfer_fee_config(
            &TOKEN_2022,
            m,
            Some(&authority),
            Some(&authority),
            100,
            1_000,
        )
        .unwrap()
    });
    let (bounty, result) = try_create(&mut world, &researcher, &fee);
    custom_error(result, BountiesError::UnsupportedMint);
    assert!(!world.exists(&bounty));
    assert!(!world.exists(&bx::vault_address(&bounty)));

    let delegate = mint_with(&mut world, ExtensionType::PermanentDelegate, |m| {
        token_ix::initialize_permanent_delegate(&TOKEN_2022, m, &authority).unwrap()
    });
    let (bounty, result) = try_create(&mut world, &researcher, &delegate);
    custom_error(result, BountiesError::UnsupportedMint);
    assert!(!world.exists(&bounty));
}

#[test]
fn a_closable_mint_is_refused() {
    let mut world = World::new();
    let researcher = world.entity(EntityKind::Researcher);
    let authority = world.payer.pubkey();
    let closable = mint_with(&mut world, ExtensionType::MintCloseAuthority, |m| {
        token_ix::initialize_mint_close_authority(&TOKEN_2022, m, Some(&authority)).unwrap()
    });
    let (bounty, result) = try_create(&mut world, &researcher, &closable);
    custom_error(result, BountiesError::MintCloseAuthoritySet);
    assert!(!world.exists(&bounty));
    // With no close authority set, the mint cannot change: accepted.
    let sealed = mint_with(&mut world, ExtensionType::MintCloseAuthority, |m| {
        token_ix::initialize_mint_close_authority(&TOKEN_2022, m, None).unwrap()
    });
    let (bounty, result) = try_create(&mut world, &researcher, &sealed);
    result.expect("a mint that cannot be closed");
    assert!(world.exists(&bounty));
}

#[test]
fn no_money_moves_through_a_mint_that_changed_underneath_its_bounty() {
    let mut s = study(TOKEN_2022);
    let (r0, r1) = (s.records[0], s.records[1]);
    s.offered(&r0);
    s.offered(&r1);
    // Stage what a close-and-recreate would leave: the same mint with a
    // permanent delegate.
    let delegate = s.researcher.pubkey();
    let template = mint_with(&mut s.world, ExtensionType::PermanentDelegate, |m| {
        token_ix::initialize_permanent_delegate(&TOKEN_2022, m, &delegate).unwrap()
    });
    let supply = s.world.mint(&s.mint).supply;
    let mut changed = s.world.raw(&template).unwrap();
    {
        let mut state = StateWithExtensionsMut::<Mint>::unpack(&mut changed.data).unwrap();
        state.base.supply = supply;
        state.pack_base();
    }
    s.world.svm.set_account(s.mint, changed).unwrap();

    let before = s.snapshot();
    custom_error(s.fund(REWARD), BountiesError::UnsupportedMint);
    custom_error(s.accept(&r0, REWARD, 1), BountiesError::UnsupportedMint);
    custom_error(s.withdraw(REWARD), BountiesError::UnsupportedMint);
    s.world.warp(REVIEW);
    custom_error(s.settle(&r1), BountiesError::UnsupportedMint);
    s.world.assert_unchanged(&before);
}
