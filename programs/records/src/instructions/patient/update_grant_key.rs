use {
    crate::{constants::*, errors::RecordsError, events::GrantKeyUpdated, state::*},
    anchor_lang::prelude::*,
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct UpdateGrantKeyArgs {
    /// The record's new data key wrapped to the grantee's X25519 key.
    pub wrapped_key: Vec<u8>,
}

/// The patient (or guardian) hands a remaining grantee the data key of a
/// re-keyed record.
#[event_cpi]
#[derive(Accounts)]
pub struct UpdateGrantKey<'info> {
    pub authority: Signer<'info>,
    #[account(
        seeds = [PATIENT_SEED, patient.authority.as_ref()],
        bump = patient.bump,
        constraint = patient.is_patient_or_guardian(authority.key) @ RecordsError::NotPatientOrGuardian,
    )]
    pub patient: Account<'info, Patient>,
    #[account(
        mut,
        seeds = [GRANT_SEED, patient.authority.as_ref(), grant.grantee.as_ref(), grant.target.as_ref()],
        bump = grant.bump,
    )]
    pub grant: Account<'info, Grant>,
}

impl UpdateGrantKey<'_> {
    pub fn validate(&self, args: &UpdateGrantKeyArgs) -> Result<()> {
        require!(!self.grant.is_revoked(), RecordsError::GrantRevoked);
        require!(
            args.wrapped_key.len() <= MAX_WRAPPED_KEY_LEN,
            RecordsError::WrappedKeyTooLong
        );
        Ok(())
    }
}

pub fn handler(ctx: Context<UpdateGrantKey>, args: UpdateGrantKeyArgs) -> Result<()> {
    ctx.accounts.validate(&args)?;
    let grant = &mut ctx.accounts.grant;
    grant.wrapped_key = args.wrapped_key;
    grant.check_invariant()?;
    let event = GrantKeyUpdated {
        actor: ctx.accounts.authority.key(),
        patient: grant.patient,
        grant: grant.key(),
    };
    emit_cpi!(event);
    Ok(())
}
