//! The `records` story end to end on the in-process runtime: a registry, a
//! credentialed lab and specialist, a patient, a lab result issued as a
//! record token, access requested and approved, an access logged, an
//! emergency access by an ER, and the rent each step cost.
//!
//! `cargo run -p panacea-tests --example story`

use {
    panacea_sdk::records::{self as rx, RecordAddresses},
    panacea_tests::*,
    records::{events::*, instructions::*, pda, state::*},
    solana_signer::Signer,
};

fn main() {
    let mut world = World::new();
    println!("registry initialized; admin {}", world.admin.pubkey());

    let lab = world.lab();
    let specialist = world.provider();
    let er = world.provider();
    println!(
        "credentialed: lab {}, specialist {}, ER {}",
        lab.pubkey(),
        specialist.pubkey(),
        er.pubkey()
    );

    let patient = world.patient();
    println!("patient registered: {}", patient.pubkey());

    let payer = world.payer.pubkey();
    let before = world.lamports(&payer);
    let args = World::issue_args(RecordKind::LabResult);
    let at = RecordAddresses::new(&patient.pubkey(), &args.record_id);
    let meta = world
        .try_issue(&lab, &patient.pubkey(), args)
        .expect("issue record");
    let issued = &World::events::<RecordIssued>(&meta)[0];
    println!(
        "lab result issued: record {} mint {} (supply {}), token in {} ({} lamports incl. fee)",
        issued.record,
        issued.mint,
        world.mint(&at.mint).supply,
        at.token_account,
        before - world.lamports(&payer)
    );

    let request_args = RequestAccessArgs {
        scope: GrantScope::Record,
        kinds: 0,
        permissions: permissions::READ,
        purpose: Purpose::Treatment,
        duration: 30 * DAY,
        reason_code: 1,
    };
    let ix = rx::request_access(
        &payer,
        &specialist.pubkey(),
        &patient.pubkey(),
        &at.record,
        request_args,
    );
    world.send(&[ix], &[&specialist]).expect("request access");
    println!("specialist requested access to the lab result");
    let ix = rx::approve_access_request(
        &payer,
        &patient.pubkey(),
        &patient.pubkey(),
        &specialist.pubkey(),
        &at.record,
        &payer,
        ApproveAccessRequestArgs {
            wrapped_key: vec![0; 80],
        },
    );
    world.send(&[ix], &[&patient]).expect("approve");
    let grant = pda::grant(&patient.pubkey(), &specialist.pubkey(), &at.record).0;
    println!("patient approved: grant {grant}");

    let ix = rx::log_access(&specialist.pubkey(), &grant, &at.record);
    let meta = world.send(&[ix], &[&specialist]).expect("log access");
    let logged = &World::events::<AccessLogged>(&meta)[0];
    println!(
        "specialist logged access #{} at {}",
        logged.access_count, logged.accessed_at
    );

    let ix = rx::emergency_access(
        &payer,
        &er.pubkey(),
        &patient.pubkey(),
        EmergencyAccessArgs {
            reason_code: 911,
            duration: 3600,
        },
    );
    let meta = world.send(&[ix], &[&er]).expect("emergency access");
    let granted = &World::events::<AccessGranted>(&meta)[0];
    println!(
        "ER broke the glass: emergency={} until {}",
        granted.emergency, granted.expires_at
    );
    let ix = rx::revoke_access(&patient.pubkey(), &patient.pubkey(), &granted.grant);
    world.send(&[ix], &[&patient]).expect("revoke");
    println!("patient revoked the emergency grant");
}
