use {
    crate::{constants::*, errors::ClaimsError, events::ProviderUsageClosed, state::*},
    anchor_lang::prelude::*,
};

/// Once its policy is closed, a provider's `ProviderUsage` counts nothing:
/// anyone may close it and its rent goes back to whoever paid it.
#[event_cpi]
#[derive(Accounts)]
pub struct CloseProviderUsage<'info> {
    pub actor: Signer<'info>,
    /// CHECK: the usage's policy, which must no longer exist.
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

pub fn handler(ctx: Context<CloseProviderUsage>) -> Result<()> {
    require!(
        ctx.accounts.policy.data_is_empty(),
        ClaimsError::PolicyStillOpen
    );
    let event = ProviderUsageClosed {
        policy: ctx.accounts.provider_usage.policy,
        provider: ctx.accounts.provider_usage.provider,
    };
    emit_cpi!(event);
    Ok(())
}
