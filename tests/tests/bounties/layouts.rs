//! Account layouts: the listing offsets match serialized accounts, the exact
//! size and rent of every account the program creates (printed for the
//! README), and PDA vectors for the TypeScript client.

use {
    ::bounties::{pda, state::*},
    anchor_lang::{prelude::Pubkey, AccountSerialize, Discriminator, Space},
    panacea_tests::bounties::*,
    records::state::RecordKind,
};

fn bounty() -> Bounty {
    Bounty {
        version: 1,
        bump: 255,
        vault_bump: 254,
        researcher: Pubkey::new_from_array([1; 32]),
        bounty_id: [2; 16],
        mint: Pubkey::new_from_array([3; 32]),
        vault: Pubkey::new_from_array([4; 32]),
        token_program: Pubkey::new_from_array([5; 32]),
        kinds: RecordKind::LabResult.bit(),
        reward: REWARD,
        max_contributions: 10,
        max_per_patient: 2,
        study_commitment: STUDY,
        consent_text: CONSENT_TEXT,
        algorithm: Some([6; 32]),
        opened_at: 100,
        intake_ends_at: 200,
        review_window: REVIEW,
        status: BountyStatus::Open,
        deposited: 0,
        reserved: 0,
        paid: 0,
        withdrawn: 0,
        pending: 0,
        rewarded: 0,
        rent_payer: Pubkey::new_from_array([7; 32]),
    }
}

fn contribution() -> Contribution {
    Contribution {
        version: 1,
        bump: 250,
        bounty: Pubkey::new_from_array([8; 32]),
        patient: Pubkey::new_from_array([9; 32]),
        origin: 42,
        record: Pubkey::new_from_array([10; 32]),
        grant: Pubkey::new_from_array([11; 32]),
        serial: 43,
        kind: RecordKind::LabResult,
        status: ContributionStatus::Pending,
        reward: REWARD,
        amount_paid: 0,
        quality_score: None,
        reason_code: 0,
        offered_at: 100,
        review_deadline: 200,
        decided_at: None,
        bounty_opened_at: 50,
        rent_payer: Pubkey::new_from_array([12; 32]),
    }
}

fn serialized<T: AccountSerialize>(account: &T) -> Vec<u8> {
    let mut data = vec![];
    account.try_serialize(&mut data).unwrap();
    data
}

#[test]
fn offsets_match() {
    let b = serialized(&bounty());
    let at = bounty_offsets::RESEARCHER;
    assert_eq!(&b[at..at + 32], bounty().researcher.as_ref());
    let c = serialized(&contribution());
    let at = contribution_offsets::BOUNTY;
    assert_eq!(&c[at..at + 32], contribution().bounty.as_ref());
    let at = contribution_offsets::PATIENT;
    assert_eq!(&c[at..at + 32], contribution().patient.as_ref());
    // The largest serialization (every Option set) fits the space allocated.
    let mut full = contribution();
    full.quality_score = Some(100);
    full.decided_at = Some(300);
    assert!(
        serialized(&full).len() <= Contribution::DISCRIMINATOR.len() + Contribution::INIT_SPACE
    );
    assert!(serialized(&bounty()).len() <= Bounty::DISCRIMINATOR.len() + Bounty::INIT_SPACE);
}

#[test]
fn rent_of_every_bounties_account() {
    let world = panacea_tests::World::new();
    let sizes = [
        ("Bounty", 8 + Bounty::INIT_SPACE, 365),
        ("bounty vault (SPL Token account)", 165, 165),
        ("Contribution", 8 + Contribution::INIT_SPACE, 241),
        ("PatientTally", 8 + PatientTally::INIT_SPACE, 118),
    ];
    println!("| account | bytes | rent (lamports) | rent (SOL) |");
    println!("|---|---:|---:|---:|");
    for (name, size, expected) in sizes {
        assert_eq!(size, expected, "{name} size");
        let rent = world.svm.minimum_balance_for_rent_exemption(size);
        println!("| {name} | {size} | {rent} | {:.6} |", rent as f64 / 1e9);
    }
}

#[test]
fn pda_vectors() {
    let researcher = Pubkey::new_from_array([1; 32]);
    let patient = Pubkey::new_from_array([2; 32]);
    let (bounty, bump) = pda::bounty(&researcher, &[3; 16]);
    println!("bounty(researcher=[1;32], id=[3;16]) = {bounty} bump {bump}");
    let (vault, bump) = pda::vault(&bounty);
    println!("vault(bounty) = {vault} bump {bump}");
    let (contribution, bump) = pda::contribution(&bounty, &patient, 0x0102_0304_0506_0708);
    println!(
        "contribution(bounty, patient=[2;32], origin=0x0102030405060708) = {contribution} bump {bump}"
    );
    let (tally, bump) = pda::tally(&bounty, &patient);
    println!("tally(bounty, patient=[2;32]) = {tally} bump {bump}");
    assert_eq!(
        contribution,
        Pubkey::find_program_address(
            &[
                b"contribution",
                bounty.as_ref(),
                patient.as_ref(),
                &0x0102_0304_0506_0708u64.to_le_bytes()
            ],
            &::bounties::ID
        )
        .0
    );
    assert_eq!(
        tally,
        Pubkey::find_program_address(
            &[b"tally", bounty.as_ref(), patient.as_ref()],
            &::bounties::ID
        )
        .0
    );
}

#[test]
fn the_vault_is_a_plain_token_account_on_both_token_programs() {
    for token_program in [anchor_spl::token::ID, anchor_spl::token_2022::ID] {
        let s = study(token_program);
        let vault = s.world.raw(&s.vault).unwrap();
        let bounty = s.world.raw(&s.bounty).unwrap();
        println!(
            "{token_program}: vault {} bytes, {} lamports; bounty {} bytes, {} lamports",
            vault.data.len(),
            vault.lamports,
            bounty.data.len(),
            bounty.lamports
        );
        assert_eq!(vault.owner, token_program);
        assert_eq!(
            vault.lamports,
            s.world
                .svm
                .minimum_balance_for_rent_exemption(vault.data.len())
        );
        assert_eq!(bounty.data.len(), 365);
    }
}
