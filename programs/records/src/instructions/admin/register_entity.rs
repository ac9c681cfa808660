use {
    crate::{
        constants::*, errors::RecordsError, events::EntityRegistered, instructions::now, state::*,
    },
    anchor_lang::prelude::*,
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct RegisterEntityArgs {
    pub kind: EntityKind,
    /// Keyed hash of the licence document.
    pub credential_commitment: [u8; 32],
    pub jurisdiction: [u8; JURISDICTION_LEN],
    pub valid_until: i64,
    /// X25519 public key to which data keys are wrapped.
    pub encryption_key: [u8; 32],
}

/// Credentials an entity. The admin attests; the entity signs too, proving
/// it controls the authority key it registers.
#[event_cpi]
#[derive(Accounts)]
pub struct RegisterEntity<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub admin: Signer<'info>,
    pub authority: Signer<'info>,
    #[account(
        seeds = [CONFIG_SEED],
        bump = config.bump,
        has_one = admin @ RecordsError::NotRegistryAdmin,
    )]
    pub config: Account<'info, RegistryConfig>,
    #[account(
        init,
        payer = payer,
        space = Entity::DISCRIMINATOR.len() + Entity::INIT_SPACE,
        seeds = [ENTITY_SEED, authority.key().as_ref()],
        bump,
    )]
    pub entity: Account<'info, Entity>,
    pub system_program: Program<'info, System>,
}

impl RegisterEntity<'_> {
    pub fn validate(&self, args: &RegisterEntityArgs) -> Result<()> {
        require!(args.valid_until > now()?, RecordsError::InvalidValidity);
        require!(
            is_valid_jurisdiction(&args.jurisdiction),
            RecordsError::InvalidJurisdiction
        );
        require!(
            args.encryption_key != [0; 32],
            RecordsError::ZeroEncryptionKey
        );
        Ok(())
    }
}

pub fn handler(ctx: Context<RegisterEntity>, args: RegisterEntityArgs) -> Result<()> {
    ctx.accounts.validate(&args)?;
    let now = now()?;
    let entity = &mut ctx.accounts.entity;
    entity.set_inner(Entity {
        version: ACCOUNT_VERSION,
        bump: ctx.bumps.entity,
        authority: ctx.accounts.authority.key(),
        kind: args.kind,
        status: EntityStatus::Active,
        credential_commitment: args.credential_commitment,
        jurisdiction: args.jurisdiction,
        valid_until: args.valid_until,
        encryption_key: args.encryption_key,
        attested_by: ctx.accounts.admin.key(),
        registered_at: now,
        updated_at: now,
        rent_payer: ctx.accounts.payer.key(),
    });
    entity.check_invariant()?;
    emit_cpi!(EntityRegistered {
        admin: ctx.accounts.admin.key(),
        entity: entity.authority,
        kind: entity.kind,
        status: entity.status,
        valid_until: entity.valid_until,
    });
    Ok(())
}
