use {
    super::require_active,
    crate::{
        acting::Actor,
        constants::*,
        errors::RecordsError,
        instructions::{act, now},
        state::*,
    },
    anchor_lang::prelude::*,
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct EmergencyAccessArgs {
    /// Coded reason from the published break-glass list; must be non-zero.
    pub reason_code: u16,
    /// Seconds of access; at most the registry's maximum.
    pub duration: i64,
}

/// Break-glass: an active Provider reads all of a patient's records for a
/// short, capped time without asking. The grant is flagged as emergency in
/// its event, and the patient can revoke it like any other. It lives at its
/// own address (target `pda::emergency_target`), and only the patient or
/// guardian closes it: until they have, the provider cannot break the glass
/// again, so revocation and the duration cap hold.
#[event_cpi]
#[derive(Accounts)]
pub struct EmergencyAccess<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    /// The Provider's authority or a Clinician member of it (its `Member`
    /// account first in the remaining accounts): the person who breaks the
    /// glass, named in `Grant.granted_by`.
    pub provider: Signer<'info>,
    #[account(seeds = [ENTITY_SEED, provider_entity.authority.as_ref()], bump = provider_entity.bump)]
    pub provider_entity: Account<'info, Entity>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Account<'info, RegistryConfig>,
    #[account(seeds = [PATIENT_SEED, patient.authority.as_ref()], bump = patient.bump)]
    pub patient: Account<'info, Patient>,
    /// CHECK: no account lives here; its address is the emergency grant's target.
    #[account(seeds = [EMERGENCY_TARGET_SEED, patient.authority.as_ref()], bump)]
    pub emergency_target: UncheckedAccount<'info>,
    /// Created here; an emergency grant still at this address (until the
    /// patient closes it) is refused by `validate` with a named error.
    #[account(
        init_if_needed,
        payer = payer,
        space = Grant::DISCRIMINATOR.len() + Grant::INIT_SPACE,
        seeds = [
            GRANT_SEED,
            patient.authority.as_ref(),
            provider_entity.authority.as_ref(),
            emergency_target.key().as_ref(),
        ],
        bump,
    )]
    pub grant: Account<'info, Grant>,
    pub system_program: Program<'info, System>,
}

impl EmergencyAccess<'_> {
    pub fn validate(
        &self,
        args: &EmergencyAccessArgs,
        remaining: &[AccountInfo],
        now: i64,
    ) -> Result<Actor> {
        let actor = act(
            self.provider.key,
            &self.provider_entity,
            remaining,
            roles::BREAK_GLASS,
            now,
        )?;
        require!(self.grant.version == 0, RecordsError::EmergencyGrantOpen);
        require_active(&self.provider_entity, now)?;
        require!(
            self.provider_entity.kind == EntityKind::Provider,
            RecordsError::EntityKindNotAllowed
        );
        require!(args.reason_code != 0, RecordsError::InvalidReasonCode);
        require!(args.duration > 0, RecordsError::InvalidDuration);
        require!(
            args.duration <= self.config.max_emergency_duration,
            RecordsError::EmergencyDurationTooLong
        );
        require_keys_neq!(
            actor.entity,
            self.patient.authority,
            RecordsError::GranteeIsPatient
        );
        Ok(actor)
    }
}

pub fn handler(ctx: Context<EmergencyAccess>, args: EmergencyAccessArgs) -> Result<()> {
    let now = now()?;
    let actor = ctx.accounts.validate(&args, ctx.remaining_accounts, now)?;
    let grant = &mut ctx.accounts.grant;
    grant.set_inner(Grant {
        version: ACCOUNT_VERSION,
        bump: ctx.bumps.grant,
        patient: ctx.accounts.patient.authority,
        grantee: actor.entity,
        target: ctx.accounts.emergency_target.key(),
        scope: GrantScope::Patient,
        target_serial: ctx.accounts.patient.registration(),
        kinds: kinds::ALL,
        permissions: permissions::READ,
        purpose: Purpose::Emergency,
        emergency: true,
        reason_code: args.reason_code,
        granted_by: ctx.accounts.provider.key(),
        granted_at: now,
        expires_at: now
            .checked_add(args.duration)
            .ok_or(RecordsError::Overflow)?,
        revoked_at: None,
        access_count: 0,
        last_access_at: None,
        wrapped_key: Vec::new(),
        rent_payer: ctx.accounts.payer.key(),
    });
    grant.check_invariant()?;
    emit_cpi!(grant.granted_event(grant.key(), actor.member));
    Ok(())
}
