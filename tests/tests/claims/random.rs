//! A long, seeded, reproducible random sequence of claim operations by two
//! providers (including voiding and reinstating while the providers' status
//! changes, review timeouts, a per-provider auto-approve cap, tokens sent
//! straight to the vault and final claims closed along the way). After
//! every step the escrow invariants hold against the real vault balance,
//! tokens only move between the insurer, the vault and the providers, the
//! providers hold what was paid, no claim is paid twice, the deductible met
//! is what paid claims applied, no provider is approved by rule over its cap
//! in a period (and its counter says so), and a failed step changes no
//! account it could write. At the end every claim reaches a final state,
//! the policy closes, and every account the sequence created is closed.

use {
    super::setup::*,
    anchor_lang::prelude::Pubkey,
    anchor_spl::token_2022::spl_token_2022::instruction as token_ix,
    claims::state::*,
    panacea_sdk::claims as cl,
    panacea_tests::*,
    records::state::{EntityStatus, RecordKind},
    solana_instruction::Instruction,
    solana_keypair::Keypair,
    solana_signer::Signer,
    std::collections::{HashMap, HashSet},
};

/// A provider of the sequence: its keys, its token account, whether the
/// admin has it suspended now.
struct Biller {
    key: Keypair,
    tokens: Pubkey,
    active: bool,
}

/// Operations after which the policy has absorbed any tokens sent straight
/// to the vault (every one that reads the vault's balance).
const ABSORBING: [&str; 10] = [
    "fund",
    "submit",
    "decide",
    "appeal",
    "settle",
    "withdraw claim",
    "void",
    "reinstate",
    "expire",
    "withdraw funds",
];

fn run(seed: u64, steps: usize, token_program: Pubkey) {
    let mut rng = Rng(seed);
    // Short review windows and a per-provider cap, so that timeouts and
    // capped claims happen within the sequence.
    const CAP: u64 = 4_000_000;
    const PERIOD: i64 = 3 * DAY;
    let mut s = insured_with(token_program, |terms| {
        terms.review_window = 2 * DAY;
        terms.provider_auto_approve_cap = CAP;
        terms.auto_approve_period = PERIOD;
    });
    let insurer = s.insurer.insecure_clone();
    let adjudicator = s.adjudicator.insecure_clone();
    let payer = s.world.payer.pubkey();
    // Two billing providers, each capped on its own.
    let lab = s.world.lab();
    let lab_tokens = s
        .world
        .token_account(&lab.pubkey(), &s.mint, &token_program);
    let mut billers = vec![
        Biller {
            key: s.provider.insecure_clone(),
            tokens: s.provider_tokens,
            active: true,
        },
        Biller {
            key: lab,
            tokens: lab_tokens,
            active: true,
        },
    ];
    // Enough in the insurer's account for every funding step to land.
    let (mint, insurer_tokens) = (s.mint, s.insurer_tokens);
    s.world
        .mint_to(&mint, &insurer_tokens, 1_000 * FUNDING, &token_program);
    let insurer_start = s.world.token_amount(&s.insurer_tokens) + FUNDING;
    let total = s.world.token_amount(&s.insurer_tokens) + s.world.token_amount(&s.vault);
    let valid_from = s.policy().valid_from;
    let mut claims: Vec<Pubkey> = Vec::new();
    // Each claim's provider and the origins of its records.
    let mut billed: HashMap<Pubkey, (Pubkey, Vec<u64>)> = HashMap::new();
    let mut withdrawn_claims = HashSet::new();
    let mut paid_once = HashSet::new();
    // Paid amounts and deductibles of claims closed along the way.
    let (mut closed_paid, mut closed_deductible) = (0u64, 0u64);
    // Approved by rule, per provider and period, as the sequence saw it.
    let mut by_rule: HashMap<(Pubkey, u64), u64> = HashMap::new();
    // Tokens sent straight to the vault and not yet absorbed.
    let mut pending_donation = 0u64;
    let mut landed = 0usize;
    let mut landed_ops = std::collections::BTreeMap::<&str, usize>::new();

    for step in 0..steps {
        let mut submitted = None;
        // Mostly a claim in a status the operation applies to (so that
        // operations land), sometimes any claim (so that refusals are tried).
        let pick = |rng: &mut Rng, claims: &Vec<_>, fits: &[ClaimStatus]| {
            let fitting: Vec<_> = claims
                .iter()
                .filter(|c| s.world.exists(c) && fits.contains(&s.claim(c).status))
                .copied()
                .collect();
            let from = if fitting.is_empty() || rng.below(4) == 0 {
                claims
            } else {
                &fitting
            };
            from.get(rng.below(from.len() as u64) as usize).copied()
        };
        // The provider of a claim (the first provider for an unknown one).
        let biller_of = |c: &Pubkey| -> usize {
            let provider = billed.get(c).map(|b| b.0);
            billers
                .iter()
                .position(|b| Some(b.key.pubkey()) == provider)
                .unwrap_or(0)
        };
        use ClaimStatus::*;
        let (op, ix, signer): (&str, Instruction, Option<Keypair>) = match rng.below(16) {
            0 => {
                let amount = 1 + rng.below(2_000_000);
                (
                    "fund",
                    cl::fund_policy(
                        &insurer.pubkey(),
                        &s.policy,
                        &s.mint,
                        &s.insurer_tokens,
                        &s.token_program,
                        amount,
                    ),
                    Some(insurer.insecure_clone()),
                )
            }
            1 | 2 => {
                let b = rng.below(billers.len() as u64) as usize;
                if !billers[b].active {
                    // A suspended provider issues no records to bill.
                    continue;
                }
                let by = billers[b].key.insecure_clone();
                let id = s
                    .world
                    .issue(&by, &s.patient.pubkey(), RecordKind::Procedure);
                let record = World::record_address(&s.patient.pubkey(), &id);
                let args = Insured::claim_args(1 + rng.below(1_500_000));
                let claim = cl::claim_address(&s.policy, &args.claim_id);
                submitted = Some((claim, by.pubkey(), vec![s.origin(&record)]));
                (
                    "submit",
                    cl::submit_claim(
                        &payer,
                        &by.pubkey(),
                        &s.policy,
                        &insurer.pubkey(),
                        &s.patient.pubkey(),
                        &[s.billed(&record)],
                        args,
                    ),
                    Some(by),
                )
            }
            3 => match pick(&mut rng, &claims, &[Approved]) {
                Some(c) => (
                    "dispute",
                    cl::dispute_claim(&adjudicator.pubkey(), &s.policy, &c),
                    Some(adjudicator.insecure_clone()),
                ),
                None => continue,
            },
            4 => match pick(&mut rng, &claims, &[PendingReview, Appealed]) {
                Some(c) => {
                    let payable = s
                        .world
                        .raw(&c)
                        .map(|_| s.claim(&c).amount_payable)
                        .unwrap_or(1);
                    let approved = match rng.below(3) {
                        0 => None,
                        1 => Some(payable.max(1)),
                        _ => Some(1 + rng.below(payable.max(1))),
                    };
                    (
                        "decide",
                        cl::decide_claim(&adjudicator.pubkey(), &s.policy, &c, approved),
                        Some(adjudicator.insecure_clone()),
                    )
                }
                None => continue,
            },
            5 => match pick(&mut rng, &claims, &[Denied, Approved]) {
                Some(c) => {
                    let by = billers[biller_of(&c)].key.insecure_clone();
                    (
                        "appeal",
                        cl::appeal_claim(&by.pubkey(), &s.policy, &c),
                        Some(by),
                    )
                }
                None => continue,
            },
            6 => match pick(&mut rng, &claims, &[Approved]) {
                Some(c) => {
                    let b = &billers[biller_of(&c)];
                    (
                        "settle",
                        cl::settle_claim(
                            &payer,
                            &s.policy,
                            &c,
                            &b.key.pubkey(),
                            &s.mint,
                            &b.tokens,
                            &s.token_program,
                        ),
                        None,
                    )
                }
                None => continue,
            },
            7 => match pick(&mut rng, &claims, &[PendingReview, Approved]) {
                Some(c) if s.world.exists(&c) => {
                    let by = billers[biller_of(&c)].key.insecure_clone();
                    let records = s.claim_records(&c);
                    (
                        "withdraw claim",
                        cl::withdraw_claim(
                            &by.pubkey(),
                            &s.policy,
                            &c,
                            &s.origins(&records),
                            &payer,
                        ),
                        Some(by),
                    )
                }
                _ => continue,
            },
            9 => {
                // The admin suspends a provider now and then, and reinstates
                // it at the next chance.
                let b = rng.below(billers.len() as u64) as usize;
                if billers[b].active && rng.below(3) > 0 {
                    continue;
                }
                billers[b].active = !billers[b].active;
                let status = if billers[b].active {
                    EntityStatus::Active
                } else {
                    EntityStatus::Suspended
                };
                let key = billers[b].key.pubkey();
                s.world.set_status(&key, status);
                continue;
            }
            10 => match pick(&mut rng, &claims, &[Approved]) {
                Some(c) => {
                    let by = if rng.below(2) == 0 {
                        &insurer
                    } else {
                        &adjudicator
                    };
                    let provider = billers[biller_of(&c)].key.pubkey();
                    (
                        "void",
                        cl::void_claim(&by.pubkey(), &s.policy, &c, &provider),
                        Some(by.insecure_clone()),
                    )
                }
                None => continue,
            },
            11 => match pick(&mut rng, &claims, &[Voided]) {
                Some(c) => {
                    let by = billers[biller_of(&c)].key.insecure_clone();
                    (
                        "reinstate",
                        cl::reinstate_claim(&by.pubkey(), &s.policy, &c),
                        Some(by),
                    )
                }
                None => continue,
            },
            12 => match pick(&mut rng, &claims, &[PendingReview, Appealed]) {
                Some(c) => ("expire", cl::expire_claim(&payer, &s.policy, &c), None),
                None => continue,
            },
            13 => {
                // Tokens sent straight to the vault, outside fund_policy.
                let amount = 1 + rng.below(500_000);
                let ix = token_ix::transfer_checked(
                    &token_program,
                    &s.insurer_tokens,
                    &s.mint,
                    &s.vault,
                    &insurer.pubkey(),
                    &[],
                    amount,
                    6,
                )
                .expect("transfer");
                s.world.send(&[ix], &[&insurer]).expect("donate");
                pending_donation += amount;
                continue;
            }
            14 => match pick(&mut rng, &claims, &[Paid, Withdrawn, Denied, Voided]) {
                Some(c) if s.world.exists(&c) => {
                    let rent_payer = s.claim(&c).rent_payer;
                    (
                        "close claim",
                        cl::close_claim(&payer, &s.policy, &c, &rent_payer),
                        None,
                    )
                }
                _ => continue,
            },
            15 => {
                s.world.warp(rng.below(2 * DAY as u64) as i64);
                continue;
            }
            _ => {
                if rng.below(2) == 0 {
                    s.world.warp(rng.below(2 * DAY as u64) as i64);
                    continue;
                }
                let amount = 1 + rng.below(3_000_000);
                (
                    "withdraw funds",
                    cl::withdraw_unreserved(
                        &insurer.pubkey(),
                        &s.policy,
                        &s.mint,
                        &s.insurer_tokens,
                        &s.token_program,
                        amount,
                    ),
                    Some(insurer.insecure_clone()),
                )
            }
        };
        // What a failed step must leave as it was: every account it could
        // write (but the fee payer), and the vault's balance.
        let writable: Vec<Pubkey> = ix
            .accounts
            .iter()
            .filter(|a| a.is_writable && a.pubkey != payer)
            .map(|a| a.pubkey)
            .collect();
        let before = s.world.snapshot(&writable);
        let before_vault = s.world.token_amount(&s.vault);
        let settled_claim = (op == "settle").then(|| ix.accounts[4].pubkey);
        let closing = (op == "close claim").then(|| {
            let c = ix.accounts[2].pubkey;
            let state = s.claim(&c);
            (state.status, state.amount_payable, state.deductible_applied)
        });
        let withdrawing = (op == "withdraw claim").then(|| ix.accounts[3].pubkey);
        let signers: Vec<&Keypair> = signer.iter().collect();
        match s.world.send(&[ix], &signers) {
            Ok(_) => {
                landed += 1;
                *landed_ops.entry(op).or_default() += 1;
                if ABSORBING.contains(&op) {
                    pending_donation = 0;
                }
                if let Some(c) = settled_claim {
                    assert!(paid_once.insert(c), "step {step}: claim {c} paid twice");
                }
                if let Some((ClaimStatus::Paid, amount, deductible)) = closing {
                    closed_paid += amount;
                    closed_deductible += deductible;
                }
                withdrawn_claims.extend(withdrawing);
                if let Some((claim, provider, origins)) = submitted.take() {
                    let state = s.claim(&claim);
                    if state.status == ClaimStatus::Approved {
                        let period = ((state.submitted_at - valid_from) / PERIOD) as u64;
                        let used = by_rule.entry((provider, period)).or_default();
                        *used += state.amount_payable;
                        assert!(*used <= CAP, "step {step}: {provider} over its cap");
                        let usage: ProviderUsage = s
                            .world
                            .account(&cl::provider_usage_address(&s.policy, &provider));
                        assert_eq!(
                            (usage.period, usage.auto_approved),
                            (period, *used),
                            "step {step}: usage counter"
                        );
                    }
                    billed.insert(claim, (provider, origins));
                    claims.push(claim);
                }
            }
            Err(failed) => {
                if std::env::var("PANACEA_DEBUG").is_ok() {
                    eprintln!("step {step} {op}: {:?}", failed.err);
                }
                s.world.assert_unchanged(&before);
                assert_eq!(
                    s.world.token_amount(&s.vault),
                    before_vault,
                    "step {step}: failed {op} moved money"
                );
            }
        }

        let policy = s.policy();
        let vault = s.world.token_amount(&s.vault);
        let providers: u64 = billers
            .iter()
            .map(|b| s.world.token_amount(&b.tokens))
            .sum();
        let insurer_now = s.world.token_amount(&s.insurer_tokens);
        // Tokens only move between the insurer, the vault and the providers.
        assert_eq!(insurer_now + vault + providers, total, "step {step} ({op})");
        // vault = deposited - paid - withdrawn, once donations are absorbed.
        assert_eq!(
            vault,
            policy.deposited - policy.paid - policy.withdrawn + pending_donation,
            "step {step} ({op})"
        );
        assert!(policy.reserved <= vault, "step {step} ({op})");
        assert!(
            policy.paid + policy.reserved <= policy.coverage_limit,
            "step {step} ({op})"
        );
        // The providers hold exactly what was paid; the insurer what it
        // started with, less deposits and donations, plus withdrawals.
        assert_eq!(providers, policy.paid, "step {step} ({op})");
        assert_eq!(
            insurer_now + policy.deposited + pending_donation,
            insurer_start + policy.withdrawn,
            "step {step} ({op})"
        );
        let live: Vec<Claim> = claims
            .iter()
            .filter(|c| s.world.exists(c))
            .map(|c| s.claim(c))
            .collect();
        let open = live.iter().filter(|c| c.is_open()).count() as u32;
        let reserved: u64 = live.iter().map(Claim::reservation).sum();
        assert_eq!(
            (policy.open_claims, policy.reserved),
            (open, reserved),
            "step {step} ({op})"
        );
        let paid: u64 = live
            .iter()
            .filter(|c| c.status == ClaimStatus::Paid)
            .map(|c| c.amount_payable)
            .sum();
        assert_eq!(policy.paid, paid + closed_paid, "step {step} ({op})");
        let deductible: u64 = live
            .iter()
            .filter(|c| c.status == ClaimStatus::Paid)
            .map(|c| c.deductible_applied)
            .sum();
        assert_eq!(
            policy.deductible_met,
            deductible + closed_deductible,
            "step {step} ({op})"
        );
        assert!(policy.deductible_met <= policy.deductible);
        for claim in &live {
            assert!(claim.invariant(), "step {step} ({op}): {claim:?}");
        }
    }
    assert!(
        landed > steps / 4,
        "only {landed} of {steps} steps landed: the sequence tests little"
    );
    if std::env::var("PANACEA_DEBUG").is_ok() {
        eprintln!("landed: {landed_ops:?}");
    }
    for op in [
        "settle",
        "void",
        "reinstate",
        "expire",
        "appeal",
        "close claim",
    ] {
        assert!(
            landed_ops.get(op).is_some_and(|n| *n > 0),
            "no {op} landed: {landed_ops:?}"
        );
    }

    // Every claim reaches a final state: with the providers active again,
    // timeouts and settlements finish what is open.
    for b in billers.iter_mut().filter(|b| !b.active) {
        b.active = true;
        let key = b.key.pubkey();
        s.world.set_status(&key, EntityStatus::Active);
    }
    use ClaimStatus::*;
    for _ in 0..100 {
        if s.policy().open_claims == 0 {
            break;
        }
        let now = s.world.now();
        let mut next = i64::MAX;
        for c in &claims {
            if !s.world.exists(c) {
                continue;
            }
            let state = s.claim(c);
            let ix = match state.status {
                PendingReview | Appealed if now >= state.review_deadline => {
                    cl::expire_claim(&payer, &s.policy, c)
                }
                PendingReview | Appealed => {
                    next = next.min(state.review_deadline);
                    continue;
                }
                Approved if now >= state.settle_after => {
                    let b = &billers[biller_of_in(&billed, &billers, c)];
                    cl::settle_claim(
                        &payer,
                        &s.policy,
                        c,
                        &b.key.pubkey(),
                        &s.mint,
                        &b.tokens,
                        &s.token_program,
                    )
                }
                Approved => {
                    next = next.min(state.settle_after);
                    continue;
                }
                _ => continue,
            };
            s.world.send(&[ix], &[]).expect("a claim moves on");
            next = now;
        }
        assert_ne!(next, i64::MAX, "open claims with nothing to do");
        s.world.warp(next - now);
    }
    assert_eq!(s.policy().open_claims, 0, "claims left open");

    // The policy closes after its period and its appeal windows, and every
    // account the sequence created is closed with it, its rent returned.
    let policy = s.policy();
    let end = policy.valid_until.max(policy.appealable_until);
    let now = s.world.now();
    s.world.warp((end - now).max(0));
    s.close_policy().expect("the policy closes");
    for c in &claims {
        if !s.world.exists(c) {
            continue;
        }
        let rent_payer = s.claim(c).rent_payer;
        let ix = cl::close_claim(&payer, &s.policy, c, &rent_payer);
        s.world.send(&[ix], &[]).expect("every claim is final");
    }
    for (claim, (_, origins)) in &billed {
        if withdrawn_claims.contains(claim) {
            continue;
        }
        for origin in origins {
            let ix = cl::close_claimed_record(&payer, &s.policy, *origin, &payer);
            s.world.send(&[ix], &[]).expect("close a marker");
        }
    }
    for b in &billers {
        let usage = cl::provider_usage_address(&s.policy, &b.key.pubkey());
        if s.world.exists(&usage) {
            let ix = cl::close_provider_usage(&payer, &s.policy, &b.key.pubkey(), &payer);
            s.world.send(&[ix], &[]).expect("close a usage counter");
        }
    }
    let mut created: Vec<Pubkey> = vec![s.policy, s.vault];
    created.extend(claims.iter().copied());
    for (_, origins) in billed.values() {
        created.extend(
            origins
                .iter()
                .map(|o| claims::pda::claimed_record(&s.policy, *o).0),
        );
    }
    created.extend(
        billers
            .iter()
            .map(|b| cl::provider_usage_address(&s.policy, &b.key.pubkey())),
    );
    for address in created {
        assert!(!s.world.exists(&address), "{address} was left behind");
    }
    let providers: u64 = billers
        .iter()
        .map(|b| s.world.token_amount(&b.tokens))
        .sum();
    assert_eq!(
        s.world.token_amount(&s.insurer_tokens) + providers,
        total,
        "every token is with the insurer or a provider"
    );
}

/// The index in `billers` of the provider of claim `c`.
fn biller_of_in(
    billed: &HashMap<Pubkey, (Pubkey, Vec<u64>)>,
    billers: &[Biller],
    c: &Pubkey,
) -> usize {
    let provider = billed.get(c).map(|b| b.0);
    billers
        .iter()
        .position(|b| Some(b.key.pubkey()) == provider)
        .unwrap_or(0)
}

#[test]
fn a_long_random_sequence_keeps_the_escrow_whole_with_spl_token() {
    run(0x5EED_0001, 300, anchor_spl::token::ID);
}

#[test]
fn a_long_random_sequence_keeps_the_escrow_whole_with_token_2022() {
    run(0x5EED_2022, 300, anchor_spl::token_2022::ID);
}
