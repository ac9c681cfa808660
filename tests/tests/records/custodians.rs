//! The registry admin names the emergency key custodians and their
//! threshold; nobody else can, and a set that could not rebuild a key (or
//! names a key twice, or a zero key) is refused and changes nothing.

use {
    panacea_sdk::records as rx,
    panacea_tests::{assert::*, *},
    records::{
        errors::RecordsError, events::EmergencyCustodiansSet, instructions::*, pda, state::*,
    },
    solana_keypair::Keypair,
    solana_signer::Signer,
};

fn custodian() -> Custodian {
    Custodian {
        authority: Keypair::new().pubkey(),
        encryption_key: *Keypair::new().pubkey().as_array(),
    }
}

fn set(world: &World, signer: &Keypair, threshold: u8, custodians: Vec<Custodian>) -> Instruction {
    rx::set_emergency_custodians(
        &world.payer.pubkey(),
        &signer.pubkey(),
        SetEmergencyCustodiansArgs {
            threshold,
            custodians,
        },
    )
}

type Instruction = anchor_lang::solana_program::instruction::Instruction;

#[test]
fn the_admin_names_two_of_three_custodians_and_replaces_them() {
    let mut world = World::new();
    let admin = world.admin.insecure_clone();
    let first = vec![custodian(), custodian(), custodian()];
    let ix = set(&world, &admin, 2, first.clone());
    let meta = world.send(&[ix], &[&admin]).expect("set custodians");
    let address = pda::custodians().0;
    let state: EmergencyCustodians = world.account(&address);
    assert_eq!(
        (state.version, state.threshold, state.generation),
        (1, 2, 1)
    );
    assert_eq!(state.custodians, first);
    assert_eq!(state.bump, pda::custodians().1);
    assert_eq!(state.rent_payer, world.payer.pubkey());
    assert_eq!(state.index_of(&first[2].authority), Some(2));
    let events = World::events::<EmergencyCustodiansSet>(&meta);
    assert_eq!(events.len(), 1);
    assert_eq!(
        (events[0].threshold, events[0].count, events[0].generation),
        (2, 3, 1)
    );
    assert_eq!(events[0].custodians, address);
    assert_eq!(events[0].admin, admin.pubkey());

    // Replacing the set bumps the generation.
    let second = vec![custodian(), custodian()];
    let ix = set(&world, &admin, 1, second.clone());
    world.send(&[ix], &[&admin]).expect("replace custodians");
    let state: EmergencyCustodians = world.account(&address);
    assert_eq!((state.threshold, state.generation), (1, 2));
    assert_eq!(state.custodians, second);
}

#[test]
fn a_bad_custodian_set_or_a_non_admin_is_refused_and_changes_nothing() {
    let mut world = World::new();
    let admin = world.admin.insecure_clone();
    let address = pda::custodians().0;

    // Before any set exists, a refused one creates nothing.
    let stranger = world.wallet();
    let ix = set(
        &world,
        &stranger,
        2,
        vec![custodian(), custodian(), custodian()],
    );
    custom_error(
        world.send(&[ix], &[&stranger]),
        RecordsError::NotRegistryAdmin,
    );
    assert!(!world.exists(&address));

    let good = vec![custodian(), custodian(), custodian()];
    let ix = set(&world, &admin, 2, good.clone());
    world.send(&[ix], &[&admin]).expect("set custodians");
    let before = world.snapshot(&[address, admin.pubkey(), stranger.pubkey()]);

    // Not the admin.
    let ix = set(&world, &stranger, 1, vec![custodian()]);
    custom_error(
        world.send(&[ix], &[&stranger]),
        RecordsError::NotRegistryAdmin,
    );
    world.assert_unchanged(&before);

    let zero_authority = Custodian {
        authority: Default::default(),
        ..custodian()
    };
    let zero_key = Custodian {
        encryption_key: [0; 32],
        ..custodian()
    };
    let twice = custodian();
    let same_key = Custodian {
        encryption_key: good[0].encryption_key,
        ..custodian()
    };
    let cases: Vec<(u8, Vec<Custodian>, RecordsError)> = vec![
        // t > n
        (4, good.clone(), RecordsError::InvalidCustodianThreshold),
        // t = 0
        (0, good.clone(), RecordsError::InvalidCustodianThreshold),
        // nobody
        (1, vec![], RecordsError::InvalidCustodianThreshold),
        // more than five
        (
            2,
            (0..6).map(|_| custodian()).collect(),
            RecordsError::InvalidCustodianThreshold,
        ),
        // a zero authority or a zero encryption key
        (
            1,
            vec![custodian(), zero_authority],
            RecordsError::ZeroCustodianKey,
        ),
        (
            1,
            vec![zero_key, custodian()],
            RecordsError::ZeroCustodianKey,
        ),
        // the same custodian twice, or two custodians sharing a key
        (2, vec![twice, twice], RecordsError::DuplicateCustodian),
        (
            2,
            vec![good[0], same_key, custodian()],
            RecordsError::DuplicateCustodian,
        ),
    ];
    for (threshold, custodians, error) in cases {
        let ix = set(&world, &admin, threshold, custodians);
        let before = world.snapshot(&[address, admin.pubkey(), stranger.pubkey()]);
        custom_error(world.send(&[ix], &[&admin]), error);
        world.assert_unchanged(&before);
    }
    let state: EmergencyCustodians = world.account(&address);
    assert_eq!((state.threshold, state.generation), (2, 1));
    assert_eq!(state.custodians, good);
}
