use {
    super::super::{check_payout_mint, now, require_active},
    crate::{constants::*, errors::ClaimsError, events::PolicyCreated, state::*},
    anchor_lang::prelude::*,
    anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface},
    records::state::{Entity, EntityKind, Patient},
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct CreatePolicyArgs {
    /// Random opaque 16 bytes.
    pub policy_id: [u8; 16],
    pub adjudicator: Pubkey,
    pub coverage_limit: u64,
    pub deductible: u64,
    pub copay_bps: u16,
    pub auto_approve_limit: u64,
    /// Most one provider is approved by rule per auto-approve period
    /// (`coverage_limit` or more: no cap beyond the coverage).
    pub provider_auto_approve_cap: u64,
    /// Seconds per auto-approve period, 1 to `MAX_AUTO_APPROVE_PERIOD`.
    pub auto_approve_period: i64,
    /// 1 to `MAX_CHALLENGE_WINDOW` seconds.
    pub challenge_window: i64,
    /// `MIN_APPEAL_WINDOW` to `MAX_APPEAL_WINDOW` seconds.
    pub appeal_window: i64,
    /// `MIN_REVIEW_WINDOW` to `MAX_REVIEW_WINDOW` seconds.
    pub review_window: i64,
    pub valid_from: i64,
    /// After `valid_from` and `now`, at most `MAX_POLICY_DURATION` after
    /// either.
    pub valid_until: i64,
}

/// An active insurer opens a policy for a registered patient, with an escrow
/// vault (a token account of the payout mint owned by the policy PDA).
#[event_cpi]
#[derive(Accounts)]
#[instruction(args: CreatePolicyArgs)]
pub struct CreatePolicy<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub insurer: Signer<'info>,
    #[account(constraint = insurer_entity.authority == insurer.key() @ ClaimsError::NotInsurer)]
    pub insurer_entity: Box<Account<'info, Entity>>,
    pub patient: Box<Account<'info, Patient>>,
    #[account(
        init,
        payer = payer,
        space = Policy::DISCRIMINATOR.len() + Policy::INIT_SPACE,
        seeds = [POLICY_SEED, insurer.key().as_ref(), args.policy_id.as_ref()],
        bump,
    )]
    pub policy: Box<Account<'info, Policy>>,
    #[account(mint::token_program = token_program)]
    pub payout_mint: Box<InterfaceAccount<'info, Mint>>,
    #[account(
        init,
        payer = payer,
        seeds = [VAULT_SEED, policy.key().as_ref()],
        bump,
        token::mint = payout_mint,
        token::authority = policy,
        token::token_program = token_program,
    )]
    pub vault: Box<InterfaceAccount<'info, TokenAccount>>,
    pub token_program: Interface<'info, TokenInterface>,
    pub system_program: Program<'info, System>,
}

impl CreatePolicy<'_> {
    pub fn validate(&self, args: &CreatePolicyArgs, now: i64) -> Result<()> {
        check_payout_mint(&self.payout_mint.to_account_info())?;
        require_active(&self.insurer_entity, now)?;
        require!(
            self.insurer_entity.kind == EntityKind::Insurer,
            ClaimsError::EntityKindNotAllowed
        );
        require!(
            args.policy_id != [0; 16]
                && args.coverage_limit > 0
                && args.deductible <= args.coverage_limit
                && u64::from(args.copay_bps) <= BPS
                && args.auto_approve_limit <= args.coverage_limit
                && (1..=MAX_CHALLENGE_WINDOW).contains(&args.challenge_window)
                && (MIN_APPEAL_WINDOW..=MAX_APPEAL_WINDOW).contains(&args.appeal_window)
                && (MIN_REVIEW_WINDOW..=MAX_REVIEW_WINDOW).contains(&args.review_window)
                && (1..=MAX_AUTO_APPROVE_PERIOD).contains(&args.auto_approve_period)
                && args.valid_from < args.valid_until
                && args.valid_until > now,
            ClaimsError::InvalidPolicyTerms
        );
        require!(
            args.valid_until
                .checked_sub(args.valid_from)
                .is_some_and(|d| d <= MAX_POLICY_DURATION),
            ClaimsError::PolicyPeriodTooLong
        );
        require!(
            args.valid_until
                .checked_sub(now)
                .is_some_and(|d| d <= MAX_POLICY_DURATION),
            ClaimsError::PolicyEndsTooLate
        );
        Ok(())
    }
}

pub fn handler(mut ctx: Context<CreatePolicy>, args: CreatePolicyArgs) -> Result<()> {
    let now = now()?;
    ctx.accounts.validate(&args, now)?;
    let accounts = &mut ctx.accounts;
    let policy = &mut accounts.policy;
    policy.set_inner(Policy {
        version: ACCOUNT_VERSION,
        bump: ctx.bumps.policy,
        vault_bump: ctx.bumps.vault,
        insurer: accounts.insurer.key(),
        policy_id: args.policy_id,
        patient: accounts.patient.authority,
        payout_mint: accounts.payout_mint.key(),
        vault: accounts.vault.key(),
        token_program: accounts.token_program.key(),
        adjudicator: args.adjudicator,
        coverage_limit: args.coverage_limit,
        deductible: args.deductible,
        copay_bps: args.copay_bps,
        auto_approve_limit: args.auto_approve_limit,
        provider_auto_approve_cap: args.provider_auto_approve_cap,
        auto_approve_period: args.auto_approve_period,
        challenge_window: args.challenge_window,
        appeal_window: args.appeal_window,
        review_window: args.review_window,
        valid_from: args.valid_from,
        valid_until: args.valid_until,
        deposited: 0,
        reserved: 0,
        paid: 0,
        withdrawn: 0,
        deductible_met: 0,
        open_claims: 0,
        appealable_until: 0,
        created_at: now,
        rent_payer: accounts.payer.key(),
    });
    policy.check_escrow(accounts.vault.amount)?;
    let event = PolicyCreated {
        insurer: policy.insurer,
        policy: policy.key(),
        patient: policy.patient,
        payout_mint: policy.payout_mint,
        vault: policy.vault,
        adjudicator: policy.adjudicator,
        coverage_limit: policy.coverage_limit,
        valid_until: policy.valid_until,
    };
    emit_cpi!(event);
    Ok(())
}
