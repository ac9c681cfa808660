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
pub const REVIEW: i64 = 30 * DAY;
pub const AUTO_PERIOD: i64 = 30 * DAY;
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
        // No cap per provider beyond the coverage.
        provider_auto_approve_cap: COVERAGE,
        auto_approve_period: AUTO_PERIOD,
        challenge_window: CHALLENGE,
        appeal_window: APPEAL,
        review_window: REVIEW,
        valid_from: world.now(),
        valid_until: world.now() + 365 * DAY,
    }
}

/// The whole cast, with the policy's vault holding `FUNDING` of a mint of
/// `token_program` (SPL Token or Token-2022).
pub fn insured(token_program: Pubkey) -> Insured {
    insured_with(token_program, |_| {})
}

/// The whole cast, with policy terms changed by `terms`.
pub fn insured_with(token_program: Pubkey, terms: impl FnOnce(&mut CreatePolicyArgs)) -> Insured {
    let mut world = World::new();
    let provider = world.provider();
    let insurer = world.insurer();
    let adjudicator = Keypair::new();
    let patient = world.patient();
    world.consent(&patient, &insurer.pubkey(), ConsentPurpose::Payment);
    let mint = world.create_mint(&token_program);
    let mut args = policy_args(&world, &adjudicator.pubkey());
    terms(&mut args);
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
            leaves: vec![],
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

    /// A record as a claim lists it: with the origin (serial) of its
    /// amendment chain (0 when it is not a record, for attacks).
    pub fn billed(&self, record: &Pubkey) -> cl::BilledRecord {
        cl::BilledRecord {
            record: *record,
            origin: self.origin(record),
        }
    }

    /// The origin serial of `record`'s amendment chain (0 when no record is
    /// there).
    pub fn origin(&self, record: &Pubkey) -> u64 {
        use anchor_lang::AccountDeserialize;
        self.world
            .raw(record)
            .filter(|account| account.owner == records::ID)
            .and_then(|account| {
                records::state::Record::try_deserialize(&mut account.data.as_slice()).ok()
            })
            .map_or(0, |state| state.origin)
    }

    /// The origins of `records`, as `withdraw_claim` takes them.
    pub fn origins(&self, records: &[Pubkey]) -> Vec<u64> {
        records.iter().map(|r| self.origin(r)).collect()
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

    /// The provider submits a claim of `amount` billed; returns its address.
    pub fn submit_by(&mut self, by: &Keypair, amount: u64) -> Pubkey {
        let provider = by.insecure_clone();
        let id = self
            .world
            .issue(&provider, &self.patient.pubkey(), RecordKind::Procedure);
        let record = World::record_address(&self.patient.pubkey(), &id);
        let (claim, result) = self.try_submit(&provider, &[record], amount);
        result.expect("submit claim");
        claim
    }

    pub fn withdraw(&mut self, claim: &Pubkey) -> TxResult {
        let provider = self.provider.insecure_clone();
        let records = self.claim_records(claim);
        let ix = cl::withdraw_claim(
            &provider.pubkey(),
            &self.policy,
            claim,
            &self.origins(&records),
            &self.world.payer.pubkey(),
        );
        self.world.send(&[ix], &[&provider])
    }

    pub fn dispute(&mut self, claim: &Pubkey) -> TxResult {
        let adjudicator = self.adjudicator.insecure_clone();
        let ix = cl::dispute_claim(&adjudicator.pubkey(), &self.policy, claim);
        self.world.send(&[ix], &[&adjudicator])
    }

    pub fn appeal(&mut self, claim: &Pubkey) -> TxResult {
        let provider = self.provider.insecure_clone();
        let ix = cl::appeal_claim(&provider.pubkey(), &self.policy, claim);
        self.world.send(&[ix], &[&provider])
    }

    /// `by` (the insurer or the adjudicator, or an impostor) voids `claim`.
    pub fn void(&mut self, by: &Keypair, claim: &Pubkey) -> TxResult {
        let provider = self.claim(claim).provider;
        let ix = cl::void_claim(&by.pubkey(), &self.policy, claim, &provider);
        self.world.send(&[ix], &[by])
    }

    /// `by` (the provider, or an impostor) reinstates `claim`.
    pub fn reinstate(&mut self, by: &Keypair, claim: &Pubkey) -> TxResult {
        let ix = cl::reinstate_claim(&by.pubkey(), &self.policy, claim);
        self.world.send(&[ix], &[by])
    }

    /// Anyone (here a fresh wallet) times out `claim`.
    pub fn expire(&mut self, claim: &Pubkey) -> TxResult {
        let anyone = self.world.wallet();
        let ix = cl::expire_claim(&anyone.pubkey(), &self.policy, claim);
        self.world.send(&[ix], &[&anyone])
    }

    pub fn withdraw_funds(&mut self, amount: u64) -> TxResult {
        let insurer = self.insurer.insecure_clone();
        let ix = cl::withdraw_unreserved(
            &insurer.pubkey(),
            &self.policy,
            &self.mint,
            &self.insurer_tokens,
            &self.token_program,
            amount,
        );
        self.world.send(&[ix], &[&insurer])
    }

    pub fn fund(&mut self, amount: u64) -> TxResult {
        let insurer = self.insurer.insecure_clone();
        let ix = cl::fund_policy(
            &insurer.pubkey(),
            &self.policy,
            &self.mint,
            &self.insurer_tokens,
            &self.token_program,
            amount,
        );
        self.world.send(&[ix], &[&insurer])
    }

    pub fn close_policy(&mut self) -> TxResult {
        let insurer = self.insurer.insecure_clone();
        let ix = cl::close_policy(
            &insurer.pubkey(),
            &self.policy,
            &self.mint,
            &self.insurer_tokens,
            &self.world.payer.pubkey(),
            &self.token_program,
        );
        self.world.send(&[ix], &[&insurer])
    }

    /// Everything a refused step must leave as it was: the policy and the
    /// claims' accounts, and the vault's, provider's and insurer's balances.
    pub fn snapshot(&self, claims: &[Pubkey]) -> Snapshot {
        Snapshot {
            accounts: std::iter::once(&self.policy)
                .chain(claims)
                .map(|a| self.world.raw(a).map(|a| a.data))
                .collect(),
            balances: [self.vault, self.provider_tokens, self.insurer_tokens]
                .iter()
                .map(|a| self.world.token_amount(a))
                .collect(),
        }
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

/// Account data and token balances, compared before and after a refused step.
#[derive(Debug, PartialEq, Eq)]
pub struct Snapshot {
    accounts: Vec<Option<Vec<u8>>>,
    balances: Vec<u64>,
}

/// A Token-2022 mint (6 decimals, minted by the payer) with one extension,
/// initialized by `init`.
pub fn mint_with(
    world: &mut World,
    extension: anchor_spl::token_2022::spl_token_2022::extension::ExtensionType,
    init: impl Fn(&Pubkey) -> solana_instruction::Instruction,
) -> Pubkey {
    use anchor_spl::token_2022::spl_token_2022::{instruction as token_ix, state::Mint};
    let mint = Keypair::new();
    let space = anchor_spl::token_2022::spl_token_2022::extension::ExtensionType::try_calculate_account_len::<Mint>(&[extension]).unwrap();
    let lamports = world.svm.minimum_balance_for_rent_exemption(space);
    let token = anchor_spl::token_2022::ID;
    let create = anchor_lang::solana_program::system_instruction::create_account(
        &world.payer.pubkey(),
        &mint.pubkey(),
        lamports,
        space as u64,
        &token,
    );
    let init_mint =
        token_ix::initialize_mint2(&token, &mint.pubkey(), &world.payer.pubkey(), None, 6).unwrap();
    world
        .send(&[create, init(&mint.pubkey()), init_mint], &[&mint])
        .expect("mint with extension");
    mint.pubkey()
}

/// Both token programs the payout mint may live in.
pub fn token_programs() -> [Pubkey; 2] {
    [anchor_spl::token::ID, anchor_spl::token_2022::ID]
}
