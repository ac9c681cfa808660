use {
    super::super::{act_as_adjudicator, now, require_current_policy, status_changed},
    crate::{errors::ClaimsError, state::*},
    anchor_lang::prelude::*,
    anchor_spl::token_interface::TokenAccount,
    records::acting::Actor,
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct DecideClaimArgs {
    /// `Some(amount)` approves that much (all or part of the amount
    /// payable); `None` denies.
    pub approved_amount: Option<u64>,
}

/// The adjudicator decides a claim under review or on appeal (also after its
/// review deadline, until someone times it out). A partial approval settles
/// only after the appeal window, so the provider can appeal first; a full
/// approval (or one after appeal) settles at once. Amounts are before the
/// deductible, which is applied at settlement.
#[event_cpi]
#[derive(Accounts)]
pub struct DecideClaim<'info> {
    pub adjudicator: Signer<'info>,
    #[account(mut, address = claim.policy)]
    pub policy: Box<Account<'info, Policy>>,
    #[account(address = policy.vault @ ClaimsError::InvalidTokenAccount)]
    pub vault: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(mut)]
    pub claim: Box<Account<'info, Claim>>,
}

impl DecideClaim<'_> {
    /// The policy's adjudicator, or a ClaimsAdjudicator member of the entity
    /// whose authority it is (its `Member` and `Entity` accounts in the
    /// remaining accounts).
    fn actor(&self, remaining: &[AccountInfo], now: i64) -> Result<Actor> {
        act_as_adjudicator(self.adjudicator.key, &self.policy, remaining, now)
    }

    pub fn validate(
        &self,
        args: &DecideClaimArgs,
        remaining: &[AccountInfo],
        now: i64,
    ) -> Result<Actor> {
        let actor = self.actor(remaining, now)?;
        let claim = &self.claim;
        // A claims officer does not decide its own claim.
        require!(
            actor.member != Some(claim.patient),
            ClaimsError::MemberIsPatient
        );
        require_current_policy(&self.policy, claim)?;
        require!(
            matches!(
                claim.status,
                ClaimStatus::PendingReview | ClaimStatus::Appealed
            ),
            ClaimsError::InvalidClaimStatus
        );
        if let Some(amount) = args.approved_amount {
            require!(amount > 0, ClaimsError::InvalidAmount);
            require!(
                amount <= claim.amount_payable,
                ClaimsError::ApprovalExceedsPayable
            );
        }
        Ok(actor)
    }
}

pub fn handler(mut ctx: Context<DecideClaim>, args: DecideClaimArgs) -> Result<()> {
    let now = now()?;
    let actor = ctx.accounts.validate(&args, ctx.remaining_accounts, now)?;
    let accounts = &mut ctx.accounts;
    let policy = &mut accounts.policy;
    let claim = &mut accounts.claim;
    policy.absorb_donations(accounts.vault.amount)?;
    let old_status = claim.status;
    match args.approved_amount {
        Some(amount) => policy.approve(claim, amount, now)?,
        None => policy.deny(claim, now)?,
    }
    claim.decided(actor.entity, now);
    claim.check_invariant()?;
    policy.check_escrow(accounts.vault.amount)?;
    let event = status_changed(
        actor.entity,
        actor.member,
        policy.key(),
        policy,
        claim,
        old_status,
    );
    emit_cpi!(event);
    Ok(())
}
