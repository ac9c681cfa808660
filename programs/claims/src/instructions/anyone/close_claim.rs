use {
    super::super::now,
    crate::{errors::ClaimsError, events::ClaimClosed, state::*},
    anchor_lang::prelude::*,
};

/// Closes a final claim (Paid, Withdrawn, Denied with no appeal left, or
/// Voided with no reinstatement left),
/// returning its rent to whoever paid it. Its `ClaimedRecord` markers stay
/// until the policy is closed, so the records cannot be billed twice.
#[event_cpi]
#[derive(Accounts)]
pub struct CloseClaim<'info> {
    pub actor: Signer<'info>,
    /// CHECK: the claim's policy; read only for its appeal window when it still exists.
    #[account(address = claim.policy)]
    pub policy: UncheckedAccount<'info>,
    #[account(mut, close = rent_payer, has_one = rent_payer @ ClaimsError::RentPayerMismatch)]
    pub claim: Box<Account<'info, Claim>>,
    /// CHECK: receives the rent; the claim's recorded payer.
    #[account(mut)]
    pub rent_payer: UncheckedAccount<'info>,
}

impl CloseClaim<'_> {
    pub fn validate(&self) -> Result<()> {
        let claim = &self.claim;
        // No appeal or reinstatement left once the window has passed (or the
        // policy is gone).
        let window_passed = |since: Option<i64>| -> Result<bool> {
            let window = if self.policy.owner == &crate::ID && !self.policy.data_is_empty() {
                Policy::try_deserialize(&mut &self.policy.try_borrow_data()?[..])?.appeal_window
            } else {
                0
            };
            Ok(now()? >= since.unwrap_or(i64::MIN).saturating_add(window))
        };
        let is_final = match claim.status {
            ClaimStatus::Paid | ClaimStatus::Withdrawn => true,
            ClaimStatus::Denied => claim.appealed || window_passed(claim.decided_at)?,
            ClaimStatus::Voided => window_passed(claim.voided_at)?,
            _ => false,
        };
        require!(is_final, ClaimsError::ClaimNotFinal);
        Ok(())
    }
}

pub fn handler(ctx: Context<CloseClaim>) -> Result<()> {
    ctx.accounts.validate()?;
    let event = ClaimClosed {
        actor: ctx.accounts.actor.key(),
        policy: ctx.accounts.claim.policy,
        claim: ctx.accounts.claim.key(),
    };
    emit_cpi!(event);
    Ok(())
}
