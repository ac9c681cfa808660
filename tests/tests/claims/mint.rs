//! Issue 11, item 3: a payout mint must keep, for the policy's life, the
//! properties it was accepted for. A Token-2022 mint with a close authority
//! can be closed while its supply is zero and created again at the same
//! address with a permanent delegate, which can then move the vault's
//! tokens: such a mint is refused, and the mint is checked again wherever
//! money moves.

use {
    super::setup::*,
    anchor_spl::token_2022::spl_token_2022::{
        extension::{ExtensionType, StateWithExtensionsMut},
        instruction as token_ix,
        state::Mint,
    },
    claims::errors::ClaimsError,
    panacea_sdk::claims as cl,
    panacea_tests::{assert::*, *},
    solana_keypair::Keypair,
    solana_signer::Signer,
};

/// Creates, at `mint`'s address, a Token-2022 mint (6 decimals, minted by
/// the payer) with one extension initialized by `init`.
fn create_mint_at(
    world: &mut World,
    mint: &Keypair,
    extension: ExtensionType,
    init: solana_instruction::Instruction,
) -> TxResult {
    let token = anchor_spl::token_2022::ID;
    let space = ExtensionType::try_calculate_account_len::<Mint>(&[extension]).unwrap();
    let lamports = world.svm.minimum_balance_for_rent_exemption(space);
    let create = anchor_lang::solana_program::system_instruction::create_account(
        &world.payer.pubkey(),
        &mint.pubkey(),
        lamports,
        space as u64,
        &token,
    );
    let init_mint =
        token_ix::initialize_mint2(&token, &mint.pubkey(), &world.payer.pubkey(), None, 6).unwrap();
    world.send(&[create, init, init_mint], &[mint])
}

#[test]
fn a_payout_mint_that_can_be_closed_and_recreated_is_refused() {
    let mut world = World::new();
    let insurer = world.insurer();
    let patient = world.patient();
    let token = anchor_spl::token_2022::ID;
    let mint = Keypair::new();
    let close_authority = insurer.pubkey();
    let ix =
        token_ix::initialize_mint_close_authority(&token, &mint.pubkey(), Some(&close_authority))
            .unwrap();
    create_mint_at(&mut world, &mint, ExtensionType::MintCloseAuthority, ix)
        .expect("a closable mint");

    let create = |world: &World| {
        let args = policy_args(world, &insurer.pubkey());
        let policy = cl::policy_address(&insurer.pubkey(), &args.policy_id);
        let ix = cl::create_policy(
            &world.payer.pubkey(),
            &insurer.pubkey(),
            &patient.pubkey(),
            &mint.pubkey(),
            &token,
            args,
        );
        (policy, ix)
    };
    let (policy, ix) = create(&world);
    custom_error(
        world.send(&[ix], &[&insurer]),
        ClaimsError::MintCloseAuthoritySet,
    );
    assert!(!world.exists(&policy));
    assert!(!world.exists(&cl::vault_address(&policy)));

    // Why: with no supply, the close authority closes the mint...
    let ix = token_ix::close_account(
        &token,
        &mint.pubkey(),
        &insurer.pubkey(),
        &insurer.pubkey(),
        &[],
    )
    .unwrap();
    world.send(&[ix], &[&insurer]).expect("close the mint");
    assert!(!world.exists(&mint.pubkey()));
    // ...and creates it again at the same address with a permanent delegate,
    // which the program refuses at once.
    let ix =
        token_ix::initialize_permanent_delegate(&token, &mint.pubkey(), &insurer.pubkey()).unwrap();
    create_mint_at(&mut world, &mint, ExtensionType::PermanentDelegate, ix)
        .expect("re-created with a permanent delegate");
    let (policy, ix) = create(&world);
    custom_error(world.send(&[ix], &[&insurer]), ClaimsError::UnsupportedMint);
    assert!(!world.exists(&policy));

    // The close-authority extension with no authority set cannot close the
    // mint: accepted.
    let sealed = Keypair::new();
    let ix = token_ix::initialize_mint_close_authority(&token, &sealed.pubkey(), None).unwrap();
    create_mint_at(&mut world, &sealed, ExtensionType::MintCloseAuthority, ix)
        .expect("a mint that cannot be closed");
    let args = policy_args(&world, &insurer.pubkey());
    let policy = cl::policy_address(&insurer.pubkey(), &args.policy_id);
    let ix = cl::create_policy(
        &world.payer.pubkey(),
        &insurer.pubkey(),
        &patient.pubkey(),
        &sealed.pubkey(),
        &token,
        args,
    );
    world
        .send(&[ix], &[&insurer])
        .expect("no close authority: accepted");
    assert!(world.exists(&policy));
}

#[test]
fn no_money_moves_through_a_payout_mint_that_changed_underneath_its_policy() {
    let mut s = insured(anchor_spl::token_2022::ID);
    let claim = s.submit(600_000);
    s.world.warp(CHALLENGE);

    // Stage what a close-and-recreate would leave: the payout mint's account
    // now holds the same mint (same supply, decimals and authority) with a
    // permanent delegate (the insurer). The vault is untouched.
    let token = anchor_spl::token_2022::ID;
    let delegate = s.insurer.pubkey();
    let template = mint_with(&mut s.world, ExtensionType::PermanentDelegate, |m| {
        token_ix::initialize_permanent_delegate(&token, m, &delegate).unwrap()
    });
    let supply = s.world.mint(&s.mint).supply;
    let mut changed = s.world.raw(&template).unwrap();
    {
        let mut state = StateWithExtensionsMut::<Mint>::unpack(&mut changed.data).unwrap();
        state.base.supply = supply;
        state.pack_base();
    }
    s.world.svm.set_account(s.mint, changed).unwrap();
    assert_eq!(s.world.mint(&s.mint).supply, supply);

    let before = s.snapshot(&[claim]);
    custom_error(s.fund(1_000_000), ClaimsError::UnsupportedMint);
    assert_eq!(
        s.snapshot(&[claim]),
        before,
        "a refused funding moved nothing"
    );
    custom_error(s.settle(&claim), ClaimsError::UnsupportedMint);
    assert_eq!(
        s.snapshot(&[claim]),
        before,
        "a refused settlement paid nothing"
    );
    custom_error(s.withdraw_funds(1_000_000), ClaimsError::UnsupportedMint);
    assert_eq!(
        s.snapshot(&[claim]),
        before,
        "a refused withdrawal moved nothing"
    );

    // The staging is real: Token-2022 honours the new permanent delegate,
    // which is why a mint must never be able to change.
    let ix = token_ix::transfer_checked(
        &token,
        &s.vault,
        &s.mint,
        &s.insurer_tokens,
        &delegate,
        &[],
        1,
        6,
    )
    .unwrap();
    let insurer = s.insurer.insecure_clone();
    s.world
        .send(&[ix], &[&insurer])
        .expect("the delegate moves vault tokens");
    assert_eq!(s.world.token_amount(&s.vault), FUNDING - 1);
}
