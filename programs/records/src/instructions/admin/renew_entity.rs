use {
    crate::{
        constants::*, errors::RecordsError, events::EntityRenewed, instructions::now, state::*,
    },
    anchor_lang::prelude::*,
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct RenewEntityArgs {
    pub valid_until: i64,
    /// Commitment to the renewed licence document.
    pub credential_commitment: [u8; 32],
}

/// Extends an entity's credential with a newly attested licence.
#[event_cpi]
#[derive(Accounts)]
pub struct RenewEntity<'info> {
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

impl RenewEntity<'_> {
    pub fn validate(&self, args: &RenewEntityArgs) -> Result<()> {
        require!(
            self.entity.status != EntityStatus::Revoked,
            RecordsError::EntityRevoked
        );
        require!(args.valid_until > now()?, RecordsError::InvalidValidity);
        Ok(())
    }
}

pub fn handler(ctx: Context<RenewEntity>, args: RenewEntityArgs) -> Result<()> {
    ctx.accounts.validate(&args)?;
    let entity = &mut ctx.accounts.entity;
    entity.valid_until = args.valid_until;
    entity.credential_commitment = args.credential_commitment;
    entity.attested_by = ctx.accounts.admin.key();
    entity.updated_at = now()?.max(entity.updated_at);
    entity.check_invariant()?;
    emit_cpi!(EntityRenewed {
        admin: ctx.accounts.admin.key(),
        entity: entity.authority,
        valid_until: entity.valid_until,
    });
    Ok(())
}
