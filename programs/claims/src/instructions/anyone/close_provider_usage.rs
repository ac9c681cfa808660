use {
    super::super::now,
    crate::{constants::*, errors::ClaimsError, events::ProviderUsageClosed, state::*},
    anchor_lang::prelude::*,
};

/// A provider's `ProviderUsage` is read only by `submit_claim`, which needs
/// its policy in its period: once the policy has ended (`valid_until` has
/// passed) or is closed, the counter counts nothing. Anyone may then close
/// it and its rent goes back to whoever paid it.
#[event_cpi]
#[derive(Accounts)]
pub struct CloseProviderUsage<'info> {
    pub actor: Signer<'info>,
    /// CHECK: the usage's policy: closed, or a `Policy` past its `valid_until`.
    #[account(address = provider_usage.policy)]
    pub policy: UncheckedAccount<'info>,
    #[account(
        mut,
        close = rent_payer,
        seeds = [PROVIDER_USAGE_SEED, provider_usage.policy.as_ref(), provider_usage.provider.as_ref()],
        bump = provider_usage.bump,
        has_one = rent_payer @ ClaimsError::RentPayerMismatch,
    )]
    pub provider_usage: Box<Account<'info, ProviderUsage>>,
    /// CHECK: receives the rent; the usage's recorded payer.
    #[account(mut)]
    pub rent_payer: UncheckedAccount<'info>,
}

impl CloseProviderUsage<'_> {
    pub fn validate(&self, now: i64) -> Result<()> {
        let info = self.policy.to_account_info();
        if info.data_is_empty() {
            return Ok(());
        }
        // Only this program writes data at a policy address (its PDA).
        require_keys_eq!(*info.owner, crate::ID, ClaimsError::PolicyStillRunning);
        let policy = Policy::try_deserialize(&mut &info.try_borrow_data()?[..])?;
        require!(now >= policy.valid_until, ClaimsError::PolicyStillRunning);
        Ok(())
    }
}

pub fn handler(ctx: Context<CloseProviderUsage>) -> Result<()> {
    ctx.accounts.validate(now()?)?;
    let event = ProviderUsageClosed {
        policy: ctx.accounts.provider_usage.policy,
        provider: ctx.accounts.provider_usage.provider,
    };
    emit_cpi!(event);
    Ok(())
}
