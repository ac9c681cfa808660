//! A record token is bound to its patient: it cannot move, and no second
//! token can exist.

use {
    anchor_spl::{
        associated_token::spl_associated_token_account::instruction::create_associated_token_account,
        token_2022::{
            spl_token_2022::{error::TokenError, instruction as token_ix},
            ID as TOKEN_2022,
        },
    },
    panacea_sdk::records::RecordAddresses,
    panacea_tests::{assert::*, *},
    records::{pda, state::*},
    solana_signer::Signer,
};

fn issued(world: &mut World) -> (solana_keypair::Keypair, RecordAddresses) {
    let lab = world.lab();
    let patient = world.patient();
    let id = world.issue(&lab, &patient.pubkey(), RecordKind::LabResult);
    let at = RecordAddresses::new(&patient.pubkey(), &id);
    (patient, at)
}

#[test]
fn the_patient_cannot_transfer_a_record_token() {
    let mut world = World::new();
    let (patient, at) = issued(&mut world);
    let buyer = world.wallet();
    let create = create_associated_token_account(
        &world.payer.pubkey(),
        &buyer.pubkey(),
        &at.mint,
        &TOKEN_2022,
    );
    world.send(&[create], &[]).expect("buyer's token account");
    let buyer_account = pda::record_token_account(&buyer.pubkey(), &at.mint);

    let transfer = token_ix::transfer_checked(
        &TOKEN_2022,
        &at.token_account,
        &at.mint,
        &buyer_account,
        &patient.pubkey(),
        &[],
        1,
        0,
    )
    .unwrap();
    custom_error(
        world.send(&[transfer], &[&patient]),
        TokenError::NonTransferable as u32,
    );
    assert_eq!(world.token_amount(&at.token_account), 1);
    assert_eq!(world.token_amount(&buyer_account), 0);
}

#[test]
fn nobody_can_mint_a_second_token() {
    let mut world = World::new();
    let (patient, at) = issued(&mut world);
    let attacker = world.wallet();
    for authority in [&attacker, &patient] {
        let mint = token_ix::mint_to(
            &TOKEN_2022,
            &at.mint,
            &at.token_account,
            &authority.pubkey(),
            &[],
            1,
        )
        .unwrap();
        custom_error(
            world.send(&[mint], &[authority]),
            TokenError::FixedSupply as u32,
        );
    }
    assert_eq!(world.mint(&at.mint).supply, 1);
    assert_eq!(world.token_amount(&at.token_account), 1);
}

#[test]
fn strangers_cannot_burn_the_token_or_close_the_mint() {
    let mut world = World::new();
    let (patient, at) = issued(&mut world);
    // Only the program's PDA holds the permanent delegate: a stranger's burn fails.
    let stranger = world.wallet();
    let burn = token_ix::burn(
        &TOKEN_2022,
        &at.token_account,
        &at.mint,
        &stranger.pubkey(),
        &[],
        1,
    )
    .unwrap();
    custom_error(
        world.send(&[burn], &[&stranger]),
        TokenError::OwnerMismatch as u32,
    );
    // Closing the mint needs the close authority (the program PDA).
    let close = token_ix::close_account(
        &TOKEN_2022,
        &at.mint,
        &patient.pubkey(),
        &patient.pubkey(),
        &[],
    )
    .unwrap();
    custom_error(
        world.send(&[close], &[&patient]),
        TokenError::OwnerMismatch as u32,
    );
    assert_eq!(world.mint(&at.mint).supply, 1);
}
