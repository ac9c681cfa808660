use {
    crate::{
        constants::*, errors::RecordsError, events::EntityStatusChanged, instructions::now,
        state::*,
    },
    anchor_lang::prelude::*,
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct SetEntityStatusArgs {
    pub status: EntityStatus,
}

/// Suspends, reinstates or revokes an entity. Revocation is final.
#[event_cpi]
#[derive(Accounts)]
pub struct SetEntityStatus<'info> {
    pub admin: Signer<'info>,
    #[account(
        seeds = [CONFIG_SEED],
        bump = config.bump,
        has_one = admin @ RecordsError::NotRegistryAdmin,
    )]
    pub config: Account<'info, RegistryConfig>,
    #[account(mut, seeds = [ENTITY_SEED, entity.authority.as_ref()], bump = entity.bump)]
    pub entity: Account<'info, Entity>,
}

impl SetEntityStatus<'_> {
    pub fn validate(&self, _args: &SetEntityStatusArgs) -> Result<()> {
        require!(
            self.entity.status != EntityStatus::Revoked,
            RecordsError::EntityRevoked
        );
        Ok(())
    }
}

pub fn handler(ctx: Context<SetEntityStatus>, args: SetEntityStatusArgs) -> Result<()> {
    ctx.accounts.validate(&args)?;
    let entity = &mut ctx.accounts.entity;
    let old_status = entity.status;
    entity.status = args.status;
    entity.updated_at = now()?.max(entity.updated_at);
    entity.check_invariant()?;
    emit_cpi!(EntityStatusChanged {
        admin: ctx.accounts.admin.key(),
        entity: entity.authority,
        old_status,
        new_status: entity.status,
    });
    Ok(())
}
