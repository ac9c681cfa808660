use {
    super::super::{
        check_claim, checked_sub, hold_for_appeal, now, release, require_current_policy,
        status_changed,
    },
    crate::{errors::ClaimsError, state::*},
    anchor_lang::prelude::*,
    anchor_spl::token_interface::TokenAccount,
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct DecideClaimArgs {
    /// `Some(amount)` approves that much (all or part of the amount
    /// payable); `None` denies.
    pub approved_amount: Option<u64>,
}

/// The adjudicator decides a claim under review or on appeal. A partial
/// approval settles only after the appeal window, so the provider can
/// appeal first; a full approval (or one after appeal) settles at once.
#[event_cpi]
#[derive(Accounts)]
pub struct DecideClaim<'info> {
    pub adjudicator: Signer<'info>,
    #[account(mut, address = claim.policy, has_one = adjudicator @ ClaimsError::NotAdjudicator)]
    pub policy: Box<Account<'info, Policy>>,
    #[account(address = policy.vault @ ClaimsError::InvalidTokenAccount)]
    pub vault: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(mut)]
    pub claim: Box<Account<'info, Claim>>,
}

impl DecideClaim<'_> {
    pub fn validate(&self, args: &DecideClaimArgs) -> Result<()> {
        let claim = &self.claim;
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
        Ok(())
    }
}

pub fn handler(mut ctx: Context<DecideClaim>, args: DecideClaimArgs) -> Result<()> {
    ctx.accounts.validate(&args)?;
    let now = now()?;
    let accounts = &mut ctx.accounts;
    let policy = &mut accounts.policy;
    let claim = &mut accounts.claim;
    policy.absorb_donations(accounts.vault.amount)?;
    let old_status = claim.status;
    match args.approved_amount {
        Some(amount) => {
            let released = checked_sub(claim.amount_payable, amount)?;
            policy.reserved = checked_sub(policy.reserved, released)?;
            claim.amount_payable = amount;
            claim.status = ClaimStatus::Approved;
            let appealable = amount < claim.amount_requested && !claim.appealed;
            claim.settle_after = if appealable {
                let until = now
                    .checked_add(policy.appeal_window)
                    .ok_or(ClaimsError::Overflow)?;
                hold_for_appeal(policy, until);
                until
            } else {
                now
            };
        }
        None => {
            release(policy, claim)?;
            // A denied claim does not count toward the deductible.
            policy.deductible_met = checked_sub(policy.deductible_met, claim.deductible_applied)?;
            claim.deductible_applied = 0;
            if !claim.appealed {
                let until = now
                    .checked_add(policy.appeal_window)
                    .ok_or(ClaimsError::Overflow)?;
                hold_for_appeal(policy, until);
            }
            claim.amount_payable = 0;
            claim.status = ClaimStatus::Denied;
            claim.settle_after = i64::MAX;
        }
    }
    claim.decided_by = Some(accounts.adjudicator.key());
    claim.decided_at = Some(now);
    policy.check_invariant(accounts.vault.amount)?;
    check_claim(claim)?;
    let event = status_changed(
        accounts.adjudicator.key(),
        policy.key(),
        policy,
        claim,
        old_status,
    );
    emit_cpi!(event);
    Ok(())
}
