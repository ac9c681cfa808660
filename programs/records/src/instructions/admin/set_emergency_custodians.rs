use {
    crate::{
        constants::*, errors::RecordsError, events::EmergencyCustodiansSet, instructions::now,
        state::*,
    },
    anchor_lang::prelude::*,
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct SetEmergencyCustodiansArgs {
    /// Shares needed to rebuild an emergency summary key: 1 to the number of
    /// custodians.
    pub threshold: u8,
    /// 1 to 5 custodians, each named once, no zero key.
    pub custodians: Vec<Custodian>,
}

/// The registry admin names (or replaces) the emergency key custodians and
/// the threshold. Every change bumps the generation: patients' shares for
/// an earlier generation are stale and are written again.
#[event_cpi]
#[derive(Accounts)]
pub struct SetEmergencyCustodians<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub admin: Signer<'info>,
    #[account(
        seeds = [CONFIG_SEED],
        bump = config.bump,
        has_one = admin @ RecordsError::NotRegistryAdmin,
    )]
    pub config: Account<'info, RegistryConfig>,
    #[account(
        init_if_needed,
        payer = payer,
        space = EmergencyCustodians::DISCRIMINATOR.len() + EmergencyCustodians::INIT_SPACE,
        seeds = [CUSTODIANS_SEED],
        bump,
    )]
    pub custodians: Account<'info, EmergencyCustodians>,
    pub system_program: Program<'info, System>,
}

impl SetEmergencyCustodians<'_> {
    pub fn validate(&self, args: &SetEmergencyCustodiansArgs) -> Result<()> {
        let list = &args.custodians;
        require!(
            (1..=MAX_CUSTODIANS).contains(&list.len())
                && args.threshold >= 1
                && usize::from(args.threshold) <= list.len(),
            RecordsError::InvalidCustodianThreshold
        );
        require!(
            list.iter()
                .all(|c| c.authority != Pubkey::default() && c.encryption_key != [0; 32]),
            RecordsError::ZeroCustodianKey
        );
        require!(
            is_valid_custodian_set(args.threshold, list),
            RecordsError::DuplicateCustodian
        );
        Ok(())
    }
}

pub fn handler(
    ctx: Context<SetEmergencyCustodians>,
    args: SetEmergencyCustodiansArgs,
) -> Result<()> {
    ctx.accounts.validate(&args)?;
    let now = now()?;
    let custodians = &mut ctx.accounts.custodians;
    if custodians.version == 0 {
        custodians.version = ACCOUNT_VERSION;
        custodians.bump = ctx.bumps.custodians;
        custodians.rent_payer = ctx.accounts.payer.key();
    }
    custodians.generation = custodians
        .generation
        .checked_add(1)
        .ok_or(RecordsError::Overflow)?;
    custodians.threshold = args.threshold;
    custodians.custodians = args.custodians;
    custodians.updated_at = now;
    custodians.check_invariant()?;
    emit_cpi!(EmergencyCustodiansSet {
        admin: ctx.accounts.admin.key(),
        custodians: custodians.key(),
        threshold: custodians.threshold,
        count: u8::try_from(custodians.custodians.len()).map_err(|_| RecordsError::Overflow)?,
        generation: custodians.generation,
    });
    Ok(())
}
