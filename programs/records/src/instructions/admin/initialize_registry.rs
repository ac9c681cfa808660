use {
    crate::{constants::*, errors::RecordsError, events::RegistryInitialized, pda, state::*},
    anchor_lang::prelude::*,
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct InitializeRegistryArgs {
    /// The first registry admin (in production a multisig).
    pub admin: Pubkey,
    /// Longest emergency grant, in seconds (at most 72 hours).
    pub max_emergency_duration: i64,
    /// The deployment's name, named in every wallet-signed consent message
    /// ("mainnet-beta", "devnet", "localnet"): 1 to 32 visible ASCII
    /// characters. Set once; no instruction changes it.
    pub deployment: String,
}

/// Creates the registry. Only the program's upgrade authority may call it,
/// so nobody can front-run the deployment and make themselves admin.
#[event_cpi]
#[derive(Accounts)]
pub struct InitializeRegistry<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub upgrade_authority: Signer<'info>,
    #[account(
        address = pda::program_data().0,
        constraint = program_data.upgrade_authority_address == Some(upgrade_authority.key())
            @ RecordsError::NotUpgradeAuthority,
    )]
    pub program_data: Account<'info, ProgramData>,
    #[account(
        init,
        payer = payer,
        space = RegistryConfig::DISCRIMINATOR.len() + RegistryConfig::INIT_SPACE,
        seeds = [CONFIG_SEED],
        bump,
    )]
    pub config: Account<'info, RegistryConfig>,
    pub system_program: Program<'info, System>,
}

impl InitializeRegistry<'_> {
    pub fn validate(&self, args: &InitializeRegistryArgs) -> Result<()> {
        validate_emergency_duration(args.max_emergency_duration)?;
        require!(
            is_valid_deployment(&args.deployment),
            RecordsError::InvalidDeploymentName
        );
        Ok(())
    }
}

pub(crate) fn validate_emergency_duration(duration: i64) -> Result<()> {
    require!(
        duration > 0 && duration <= MAX_EMERGENCY_DURATION_CEILING,
        RecordsError::InvalidEmergencyDuration
    );
    Ok(())
}

pub fn handler(ctx: Context<InitializeRegistry>, args: InitializeRegistryArgs) -> Result<()> {
    ctx.accounts.validate(&args)?;
    let config = &mut ctx.accounts.config;
    config.set_inner(RegistryConfig {
        version: ACCOUNT_VERSION,
        bump: ctx.bumps.config,
        admin: args.admin,
        max_emergency_duration: args.max_emergency_duration,
        deployment: args.deployment.clone(),
    });
    config.check_invariant()?;
    emit_cpi!(RegistryInitialized {
        admin: args.admin,
        max_emergency_duration: args.max_emergency_duration,
        deployment: args.deployment,
    });
    Ok(())
}
