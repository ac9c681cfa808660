use {
    super::initialize_registry::validate_emergency_duration,
    crate::{constants::*, errors::RecordsError, events::RegistryUpdated, state::*},
    anchor_lang::prelude::*,
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct UpdateRegistryArgs {
    /// New longest emergency grant, in seconds; unchanged when `None`.
    pub max_emergency_duration: Option<i64>,
}

/// Changes the registry settings. Passing `new_admin` hands the registry to
/// that key, which must co-sign so that a typo cannot lock the registry.
#[event_cpi]
#[derive(Accounts)]
pub struct UpdateRegistry<'info> {
    pub admin: Signer<'info>,
    pub new_admin: Option<Signer<'info>>,
    #[account(
        mut,
        seeds = [CONFIG_SEED],
        bump = config.bump,
        has_one = admin @ RecordsError::NotRegistryAdmin,
    )]
    pub config: Account<'info, RegistryConfig>,
}

impl UpdateRegistry<'_> {
    pub fn validate(&self, args: &UpdateRegistryArgs) -> Result<()> {
        if let Some(duration) = args.max_emergency_duration {
            validate_emergency_duration(duration)?;
        }
        Ok(())
    }
}

pub fn handler(ctx: Context<UpdateRegistry>, args: UpdateRegistryArgs) -> Result<()> {
    ctx.accounts.validate(&args)?;
    let config = &mut ctx.accounts.config;
    if let Some(duration) = args.max_emergency_duration {
        config.max_emergency_duration = duration;
    }
    if let Some(new_admin) = &ctx.accounts.new_admin {
        config.admin = new_admin.key();
    }
    config.check_invariant()?;
    emit_cpi!(RegistryUpdated {
        admin: ctx.accounts.admin.key(),
        new_admin: config.admin,
        max_emergency_duration: config.max_emergency_duration,
    });
    Ok(())
}
