//! The Panacea story end to end on the in-process runtime, with nothing to
//! install or start: a registry and credentialed lab, specialist, ER and
//! insurer; a patient; a lab result issued as a record token; access
//! requested, approved and logged; break-glass access revoked; consent for
//! payment signed in the patient's wallet and relayed; a funded policy; a
//! claim approved by rule and settled after its challenge window; a larger
//! claim decided by the adjudicator; and what each step cost in rent.
//!
//! `cargo run -p panacea-tests --example story`

use {
    claims::{events::ClaimSubmitted, instructions::*, state::Policy},
    consent::state::ConsentPurpose,
    panacea_sdk::{claims as cl, consent as cx, records as rx},
    panacea_tests::*,
    records::{events::*, instructions::*, pda, state::*},
    solana_keypair::Keypair,
    solana_signer::Signer,
    solana_transaction::Transaction,
};

const SOL: f64 = 1_000_000_000.0;

fn main() {
    let mut world = World::new();
    let payer = world.payer.pubkey();
    println!(
        "1. registry initialized by the upgrade authority; admin {}",
        world.admin.pubkey()
    );

    let lab = world.lab();
    let specialist = world.provider();
    let er = world.provider();
    let insurer = world.insurer();
    println!("2. credentialed: lab, specialist, ER (providers) and an insurer");

    let patient = world.patient();
    println!(
        "3. patient {} registered (holds no SOL: a relayer pays)",
        patient.pubkey()
    );

    let before = world.lamports(&payer);
    let args = World::issue_args(RecordKind::LabResult);
    let at = rx::RecordAddresses::new(&patient.pubkey(), &args.record_id);
    let meta = world
        .try_issue(&lab, &patient.pubkey(), args)
        .expect("issue record");
    let issued = &World::events::<RecordIssued>(&meta)[0];
    println!(
        "4. lab result issued: record {}, token supply {} in the patient's wallet, cost {:.5} SOL",
        issued.record,
        world.mint(&at.mint).supply,
        (before - world.lamports(&payer)) as f64 / SOL
    );

    let ask = RequestAccessArgs {
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
        ask,
    );
    world.send(&[ix], &[&specialist]).expect("request access");
    let approve = ApproveAccessRequestArgs {
        wrapped_key: vec![0; 80],
    };
    let ix = rx::approve_access_request(
        &payer,
        &patient.pubkey(),
        &patient.pubkey(),
        &specialist.pubkey(),
        &at.record,
        &payer,
        approve,
    );
    world.send(&[ix], &[&patient]).expect("approve");
    let grant = pda::grant(&patient.pubkey(), &specialist.pubkey(), &at.record).0;
    let ix = rx::log_access(&specialist.pubkey(), &grant, &at.record);
    let meta = world.send(&[ix], &[&specialist]).expect("log access");
    let logged = &World::events::<AccessLogged>(&meta)[0];
    println!(
        "5. specialist asked, patient approved, specialist logged access #{}",
        logged.access_count
    );

    let glass = EmergencyAccessArgs {
        reason_code: 911,
        duration: 3600,
    };
    let ix = rx::emergency_access(&payer, &er.pubkey(), &patient.pubkey(), glass);
    let meta = world.send(&[ix], &[&er]).expect("emergency access");
    let granted = &World::events::<AccessGranted>(&meta)[0];
    let ix = rx::log_access(&er.pubkey(), &granted.grant, &at.record);
    world.send(&[ix], &[&er]).expect("emergency read");
    let ix = rx::revoke_access(&patient.pubkey(), &patient.pubkey(), &granted.grant);
    world.send(&[ix], &[&patient]).expect("revoke");
    println!(
        "6. ER broke the glass (flagged emergency={}), read once; the patient revoked it",
        granted.emergency
    );

    let relayer = world.wallet();
    let message = cx::grant_message(
        &patient.pubkey(),
        &insurer.pubkey(),
        ConsentPurpose::Payment,
        world.consent_terms(),
        0,
        world.now(),
        world.now() + 600,
    );
    let signature = World::sign(&patient, &message);
    let ixs = cx::grant_consent_signed(&relayer.pubkey(), &message, &signature);
    let tx = Transaction::new_signed_with_payer(
        &ixs,
        Some(&relayer.pubkey()),
        &[&relayer],
        world.svm.latest_blockhash(),
    );
    let size = transaction_size(&tx);
    world.svm.send_transaction(tx).expect("relayed consent");
    println!("7. patient signed consent for Payment in their wallet; a relayer submitted it ({size} bytes)");

    let mint = world.create_mint(&anchor_spl::token::ID);
    let adjudicator = Keypair::new();
    let policy_args = CreatePolicyArgs {
        policy_id: random_id(),
        adjudicator: adjudicator.pubkey(),
        coverage_limit: 10_000_000_000,
        deductible: 100_000_000,
        copay_bps: 2_000,
        auto_approve_limit: 500_000_000,
        challenge_window: 3 * DAY,
        appeal_window: 14 * DAY,
        valid_from: world.now(),
        valid_until: world.now() + 365 * DAY,
    };
    let policy = cl::policy_address(&insurer.pubkey(), &policy_args.policy_id);
    let token = anchor_spl::token::ID;
    let ix = cl::create_policy(
        &payer,
        &insurer.pubkey(),
        &patient.pubkey(),
        &mint,
        &token,
        policy_args,
    );
    world.send(&[ix], &[&insurer]).expect("create policy");
    let insurer_usdc = world.token_account(&insurer.pubkey(), &mint, &token);
    world.mint_to(&mint, &insurer_usdc, 5_000_000_000, &token);
    let ix = cl::fund_policy(
        &insurer.pubkey(),
        &policy,
        &mint,
        &insurer_usdc,
        &token,
        5_000_000_000,
    );
    world.send(&[ix], &[&insurer]).expect("fund");
    println!("8. insurer opened a policy and funded its escrow with 5,000 USDC (test mint)");

    let provider_usdc = world.token_account(&specialist.pubkey(), &mint, &token);
    let submit = |world: &mut World, amount: u64| {
        let id = world.issue(&specialist, &patient.pubkey(), RecordKind::Procedure);
        let record = World::record_address(&patient.pubkey(), &id);
        let args = SubmitClaimArgs {
            claim_id: random_id(),
            amount_billed: amount,
            service_commitment: [7; 32],
        };
        let claim = cl::claim_address(&policy, &args.claim_id);
        let ix = cl::submit_claim(
            &payer,
            &specialist.pubkey(),
            &policy,
            &insurer.pubkey(),
            &patient.pubkey(),
            &[cl::BilledRecord::original(record)],
            args,
        );
        let meta = world.send(&[ix], &[&specialist]).expect("submit claim");
        (claim, World::events::<ClaimSubmitted>(&meta).remove(0))
    };
    let (small, event) = submit(&mut world, 400_000_000);
    println!(
        "9. claim of 400 USDC: deductible {} then 20% co-pay, {} USDC payable, {:?}",
        event.deductible_applied / 1_000_000,
        event.amount_payable / 1_000_000,
        event.status
    );
    world.warp(3 * DAY);
    let ix = cl::settle_claim(
        &payer,
        &policy,
        &small,
        &specialist.pubkey(),
        &mint,
        &provider_usdc,
        &token,
    );
    world.send(&[ix], &[]).expect("settle");
    println!(
        "   settled after the 3-day challenge window: provider holds {} USDC",
        world.token_amount(&provider_usdc) / 1_000_000
    );

    let (large, event) = submit(&mut world, 2_000_000_000);
    println!(
        "10. claim of 2,000 USDC: {} USDC payable, above the auto-approve limit: {:?}",
        event.amount_payable / 1_000_000,
        event.status
    );
    let ix = cl::decide_claim(&adjudicator.pubkey(), &policy, &large, Some(1_200_000_000));
    world.send(&[ix], &[&adjudicator]).expect("decide");
    world.warp(14 * DAY);
    let ix = cl::settle_claim(
        &payer,
        &policy,
        &large,
        &specialist.pubkey(),
        &mint,
        &provider_usdc,
        &token,
    );
    world.send(&[ix], &[]).expect("settle decided");
    let totals: Policy = world.account(&policy);
    println!(
        "    adjudicator approved 1,200 USDC (partly); settled after the appeal window. Policy: paid {}, reserved {}, vault {} USDC",
        totals.paid / 1_000_000,
        totals.reserved / 1_000_000,
        world.token_amount(&cl::vault_address(&policy)) / 1_000_000
    );

    println!("11. rent paid for state (lamports, refundable on close):");
    for (name, address) in [
        ("record", at.record),
        ("record mint", at.mint),
        ("record token account", at.token_account),
        ("grant", grant),
        (
            "consent",
            cx::consent_address(
                &patient.pubkey(),
                &insurer.pubkey(),
                ConsentPurpose::Payment,
            ),
        ),
        ("policy", policy),
        ("claim", small),
    ] {
        println!("    {name:<22} {:>9}", world.lamports(&address));
    }
}
