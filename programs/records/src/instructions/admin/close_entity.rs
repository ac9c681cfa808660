use {
    crate::{constants::*, errors::RecordsError, events::EntityClosed, state::*},
    anchor_lang::prelude::*,
};

/// Closes a revoked entity's account, returning its rent to whoever paid it.
#[event_cpi]
#[derive(Accounts)]
pub struct CloseEntity<'info> {
    pub admin: Signer<'info>,
    #[account(
        seeds = [CONFIG_SEED],
        bump = config.bump,
        has_one = admin @ RecordsError::NotRegistryAdmin,
    )]
    pub config: Account<'info, RegistryConfig>,
    #[account(
        mut,
        close = rent_payer,
        seeds = [ENTITY_SEED, entity.authority.as_ref()],
        bump = entity.bump,
        has_one = rent_payer @ RecordsError::RentPayerMismatch,
    )]
    pub entity: Account<'info, Entity>,
    /// CHECK: receives the rent; must be the payer recorded in the entity.
    #[account(mut)]
    pub rent_payer: UncheckedAccount<'info>,
}

impl CloseEntity<'_> {
    pub fn validate(&self) -> Result<()> {
        require!(
            self.entity.status == EntityStatus::Revoked,
            RecordsError::EntityNotRevoked
        );
        Ok(())
    }
}

pub fn handler(ctx: Context<CloseEntity>) -> Result<()> {
    ctx.accounts.validate()?;
    emit_cpi!(EntityClosed {
        admin: ctx.accounts.admin.key(),
        entity: ctx.accounts.entity.authority,
    });
    Ok(())
}
