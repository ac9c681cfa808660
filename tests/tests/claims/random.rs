//! A long, seeded, reproducible random sequence of claim operations
//! (including voiding and reinstating while the provider's status changes,
//! review timeouts and a per-provider auto-approve cap). After every step
//! the escrow invariants hold against the real vault balance, token balances
//! match the policy's totals, no claim is paid twice, the deductible met is
//! what paid claims applied, and a failed step changes nothing.

use {
    super::setup::*,
    claims::state::*,
    panacea_sdk::claims as cl,
    panacea_tests::*,
    records::state::{EntityStatus, RecordKind},
    solana_signer::Signer,
};

/// splitmix64: small, seedable, good enough to pick operations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn run(seed: u64, steps: usize, token_program: anchor_lang::prelude::Pubkey) {
    let mut rng = Rng(seed);
    // Short review windows and a per-provider cap, so that timeouts and
    // capped claims happen within the sequence.
    let mut s = insured_with(token_program, |terms| {
        terms.review_window = 2 * DAY;
        terms.provider_auto_approve_cap = 4_000_000;
        terms.auto_approve_period = 3 * DAY;
    });
    let insurer = s.insurer.insecure_clone();
    let provider = s.provider.insecure_clone();
    let adjudicator = s.adjudicator.insecure_clone();
    // Enough in the insurer's account for every funding step to land.
    let (mint, insurer_tokens) = (s.mint, s.insurer_tokens);
    s.world
        .mint_to(&mint, &insurer_tokens, 1_000 * FUNDING, &token_program);
    let insurer_start = s.world.token_amount(&s.insurer_tokens) + FUNDING;
    let mut claims: Vec<anchor_lang::prelude::Pubkey> = Vec::new();
    let mut paid_once = std::collections::HashSet::new();
    let mut landed = 0usize;
    let mut provider_active = true;
    let mut landed_ops = std::collections::BTreeMap::<&str, usize>::new();

    for step in 0..steps {
        let before_policy = s.world.raw(&s.policy).unwrap().data;
        let mut submitted = None;
        let before_vault = s.world.token_amount(&s.vault);
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
        use ClaimStatus::*;
        let (op, ix, signer) = match rng.below(13) {
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
                    Some(&insurer),
                )
            }
            1 | 2 => {
                if !provider_active {
                    // A suspended provider issues no records to bill.
                    continue;
                }
                let record = s.record(RecordKind::Procedure);
                let args = Insured::claim_args(1 + rng.below(1_500_000));
                submitted = Some(cl::claim_address(&s.policy, &args.claim_id));
                (
                    "submit",
                    cl::submit_claim(
                        &s.world.payer.pubkey(),
                        &provider.pubkey(),
                        &s.policy,
                        &insurer.pubkey(),
                        &s.patient.pubkey(),
                        &[s.billed(&record)],
                        args,
                    ),
                    Some(&provider),
                )
            }
            3 => match pick(&mut rng, &claims, &[Approved]) {
                Some(c) => (
                    "dispute",
                    cl::dispute_claim(&adjudicator.pubkey(), &s.policy, &c),
                    Some(&adjudicator),
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
                        Some(&adjudicator),
                    )
                }
                None => continue,
            },
            5 => match pick(&mut rng, &claims, &[Denied, Approved]) {
                Some(c) => (
                    "appeal",
                    cl::appeal_claim(&provider.pubkey(), &s.policy, &c),
                    Some(&provider),
                ),
                None => continue,
            },
            6 => match pick(&mut rng, &claims, &[Approved]) {
                Some(c) => (
                    "settle",
                    cl::settle_claim(
                        &s.world.payer.pubkey(),
                        &s.policy,
                        &c,
                        &s.provider.pubkey(),
                        &s.mint,
                        &s.provider_tokens,
                        &s.token_program,
                    ),
                    None,
                ),
                None => continue,
            },
            7 => match pick(&mut rng, &claims, &[PendingReview, Approved]) {
                Some(c) if s.world.exists(&c) => {
                    let records = s.claim_records(&c);
                    (
                        "withdraw claim",
                        cl::withdraw_claim(
                            &provider.pubkey(),
                            &s.policy,
                            &c,
                            &s.origins(&records),
                            &s.world.payer.pubkey(),
                        ),
                        Some(&provider),
                    )
                }
                _ => continue,
            },
            9 => {
                // The admin suspends the provider now and then, and
                // reinstates it at the next chance.
                if provider_active && rng.below(3) > 0 {
                    continue;
                }
                provider_active = !provider_active;
                let status = if provider_active {
                    EntityStatus::Active
                } else {
                    EntityStatus::Suspended
                };
                s.world.set_status(&provider.pubkey(), status);
                continue;
            }
            10 => match pick(&mut rng, &claims, &[Approved]) {
                Some(c) => {
                    let by = if rng.below(2) == 0 {
                        &insurer
                    } else {
                        &adjudicator
                    };
                    (
                        "void",
                        cl::void_claim(&by.pubkey(), &s.policy, &c, &provider.pubkey()),
                        Some(by),
                    )
                }
                None => continue,
            },
            11 => match pick(&mut rng, &claims, &[Voided]) {
                Some(c) => (
                    "reinstate",
                    cl::reinstate_claim(&provider.pubkey(), &s.policy, &c),
                    Some(&provider),
                ),
                None => continue,
            },
            12 => match pick(&mut rng, &claims, &[PendingReview, Appealed]) {
                Some(c) => (
                    "expire",
                    cl::expire_claim(&s.world.payer.pubkey(), &s.policy, &c),
                    None,
                ),
                None => continue,
            },
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
                    Some(&insurer),
                )
            }
        };
        let signers: Vec<&solana_keypair::Keypair> = signer.into_iter().collect();
        let settled_claim = (op == "settle").then(|| ix.accounts[4].pubkey);
        match s.world.send(&[ix], &signers) {
            Ok(_) => {
                landed += 1;
                *landed_ops.entry(op).or_default() += 1;
                claims.extend(submitted.take());
                if let Some(c) = settled_claim {
                    assert!(paid_once.insert(c), "step {step}: claim {c} paid twice");
                }
            }
            Err(failed) => {
                if std::env::var("PANACEA_DEBUG").is_ok() {
                    eprintln!("step {step} {op}: {:?}", failed.err);
                }
                assert_eq!(
                    s.world.raw(&s.policy).unwrap().data,
                    before_policy,
                    "step {step}: failed {op} changed the policy"
                );
                assert_eq!(
                    s.world.token_amount(&s.vault),
                    before_vault,
                    "step {step}: failed {op} moved money"
                );
            }
        }

        s.assert_escrow();
        let policy = s.policy();
        // Money in = money out: the provider holds exactly what was paid,
        // the insurer what it started with minus deposits plus withdrawals.
        assert_eq!(
            s.world.token_amount(&s.provider_tokens),
            policy.paid,
            "step {step} ({op})"
        );
        assert_eq!(
            s.world.token_amount(&s.insurer_tokens) + policy.deposited,
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
        assert_eq!(policy.paid, paid, "step {step} ({op})");
        let deductible: u64 = live
            .iter()
            .filter(|c| c.status == ClaimStatus::Paid)
            .map(|c| c.deductible_applied)
            .sum();
        assert_eq!(policy.deductible_met, deductible, "step {step} ({op})");
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
    for op in ["settle", "void", "reinstate", "expire", "appeal"] {
        assert!(
            landed_ops.get(op).is_some_and(|n| *n > 0),
            "no {op} landed: {landed_ops:?}"
        );
    }
}

#[test]
fn a_long_random_sequence_keeps_the_escrow_whole_with_spl_token() {
    run(0x5EED_0001, 300, anchor_spl::token::ID);
}

#[test]
fn a_long_random_sequence_keeps_the_escrow_whole_with_token_2022() {
    run(0x5EED_2022, 300, anchor_spl::token_2022::ID);
}
