//! A clinic, a lab, an insurer with a funded policy, and a patient who
//! consented to the insurer for Payment: the cast of every claims story.

use {
    anchor_lang::prelude::Pubkey,
    claims::{instructions::*, state::*},
    consent::state::ConsentPurpose,
    panacea_sdk::claims as cl,
    panacea_tests::*,
    records::state::RecordKind,
    solana_keypair::Keypair,
    solana_signer::Signer,
};

pub const COVERAGE: u64 = 10_000_000;
pub const DEDUCTIBLE: u64 = 500_000;
pub const COPAY_BPS: u16 = 2_000;
pub const AUTO_APPROVE: u64 = 1_000_000;
pub const CHALLENGE: i64 = 3 * DAY;
pub const APPEAL: i64 = 14 * DAY;
pub const FUNDING: u64 = 8_000_000;

pub struct Insured {
    pub world: World,
    pub provider: Keypair,
    pub insurer: Keypair,
    pub adjudicator: Keypair,
    pub patient: Keypair,
    pub mint: Pubkey,
    pub token_program: Pubkey,
    pub policy: Pubkey,
    pub vault: Pubkey,
    pub insurer_tokens: Pubkey,
    pub provider_tokens: Pubkey,
}

pub fn policy_args(world: &World, adjudicator: &Pubkey) -> CreatePolicyArgs {
    CreatePolicyArgs {
        policy_id: random_id(),
        adjudicator: *adjudicator,
        coverage_limit: COVERAGE,
        deductible: DEDUCTIBLE,
        copay_bps: COPAY_BPS,
        auto_approve_limit: AUTO_APPROVE,
        challenge_window: CHALLENGE,
        appeal_window: APPEAL,
        valid_from: world.now(),
        valid_until: world.now() + 365 * DAY,
    }
}

/// The whole cast, with the policy's vault holding `FUNDING` of a mint of
/// `token_program` (SPL Token or Token-2022).
pub fn insured(token_program: Pubkey) -> Insured {
    let mut world = World::new();
    let provider = world.provider();
    let insurer = world.insurer();
    let adjudicator = Keypair::new();
    let patient = world.patient();
    world.consent(&patient, &insurer.pubkey(), ConsentPurpose::Payment);
    let mint = world.create_mint(&token_program);
    let args = policy_args(&world, &adjudicator.pubkey());
    let policy = cl::policy_address(&insurer.pubkey(), &args.policy_id);
    let ix = cl::create_policy(
        &world.payer.pubkey(),
        &insurer.pubkey(),
        &patient.pubkey(),
        &mint,
        &token_program,
        args,
    );
    world.send(&[ix], &[&insurer]).expect("create policy");
    let insurer_tokens = world.token_account(&insurer.pubkey(), &mint, &token_program);
    let provider_tokens = world.token_account(&provider.pubkey(), &mint, &token_program);
    world.mint_to(&mint, &insurer_tokens, 2 * FUNDING, &token_program);
    let ix = cl::fund_policy(
        &insurer.pubkey(),
        &policy,
        &mint,
        &insurer_tokens,
        &token_program,
        FUNDING,
    );
    world.send(&[ix], &[&insurer]).expect("fund policy");
    Insured {
        world,
        provider,
        insurer,
        adjudicator,
        patient,
        mint,
        token_program,
        policy,
        vault: cl::vault_address(&policy),
        insurer_tokens,
        provider_tokens,
    }
}

impl Insured {
    /// The provider issues a record of `kind` to the patient; returns its address.
    pub fn record(&mut self, kind: RecordKind) -> Pubkey {
        let provider = self.provider.insecure_clone();
        let id = self.world.issue(&provider, &self.patient.pubkey(), kind);
        World::record_address(&self.patient.pubkey(), &id)
    }

    pub fn claim_args(amount: u64) -> SubmitClaimArgs {
        SubmitClaimArgs {
            claim_id: random_id(),
            amount_billed: amount,
            service_commitment: [0x5E; 32],
        }
    }

    /// `by` bills `amount` backed by `records`; returns the claim address.
    pub fn try_submit(
        &mut self,
        by: &Keypair,
        records: &[Pubkey],
        amount: u64,
    ) -> (Pubkey, TxResult) {
        let args = Self::claim_args(amount);
        let claim = cl::claim_address(&self.policy, &args.claim_id);
        let billed: Vec<_> = records.iter().map(|r| self.billed(r)).collect();
        let ix = cl::submit_claim(
            &self.world.payer.pubkey(),
            &by.pubkey(),
            &self.policy,
            &self.insurer.pubkey(),
            &self.patient.pubkey(),
            &billed,
            args,
        );
        (claim, self.world.send(&[ix], &[by]))
    }

    pub fn submit(&mut self, amount: u64) -> Pubkey {
        let record = self.record(RecordKind::Procedure);
        let provider = self.provider.insecure_clone();
        let (claim, result) = self.try_submit(&provider, &[record], amount);
        result.expect("submit claim");
        claim
    }

    /// A record as a claim lists it: with the origin of its amendment chain
    /// (the record itself when it does not exist, for attacks).
    pub fn billed(&self, record: &Pubkey) -> cl::BilledRecord {
        match self.world.raw(record) {
            Some(account) if account.owner == records::ID => {
                use anchor_lang::AccountDeserialize;
                match records::state::Record::try_deserialize(&mut account.data.as_slice()) {
                    Ok(state) => cl::BilledRecord::of(*record, &state),
                    Err(_) => cl::BilledRecord::original(*record),
                }
            }
            _ => cl::BilledRecord::original(*record),
        }
    }

    pub fn settle(&mut self, claim: &Pubkey) -> TxResult {
        let ix = cl::settle_claim(
            &self.world.payer.pubkey(),
            &self.policy,
            claim,
            &self.provider.pubkey(),
            &self.mint,
            &self.provider_tokens,
            &self.token_program,
        );
        self.world.send(&[ix], &[])
    }

    pub fn decide(&mut self, claim: &Pubkey, approved: Option<u64>) -> TxResult {
        let adjudicator = self.adjudicator.insecure_clone();
        let ix = cl::decide_claim(&adjudicator.pubkey(), &self.policy, claim, approved);
        self.world.send(&[ix], &[&adjudicator])
    }

    /// The admin extends the provider's credential by a year.
    pub fn renew_provider(&mut self) {
        let admin = self.world.admin.insecure_clone();
        let ix = panacea_sdk::records::renew_entity(
            &admin.pubkey(),
            &self.provider.pubkey(),
            records::instructions::RenewEntityArgs {
                valid_until: self.world.now() + 365 * DAY,
                credential_commitment: [1; 32],
            },
        );
        self.world.send(&[ix], &[&admin]).expect("renew provider");
    }

    pub fn policy(&self) -> Policy {
        self.world.account(&self.policy)
    }

    pub fn claim(&self, claim: &Pubkey) -> Claim {
        self.world.account(claim)
    }

    pub fn claim_records(&self, claim: &Pubkey) -> Vec<Pubkey> {
        self.claim(claim).records
    }

    /// The SPEC's escrow invariants, against the real vault balance.
    pub fn assert_escrow(&self) {
        let policy = self.policy();
        let vault = self.world.token_amount(&self.vault);
        assert_eq!(
            vault,
            policy.deposited - policy.paid - policy.withdrawn,
            "vault = deposited - paid - withdrawn"
        );
        assert!(policy.reserved <= vault, "reserved <= vault");
        assert!(
            policy.paid + policy.reserved <= policy.coverage_limit,
            "paid + reserved <= coverage"
        );
    }
}

/// Both token programs the payout mint may live in.
pub fn token_programs() -> [Pubkey; 2] {
    [anchor_spl::token::ID, anchor_spl::token_2022::ID]
}
