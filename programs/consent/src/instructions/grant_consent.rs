use {
    super::{apply_grant, now, open_epoch, validate_grant, Change},
    crate::{constants::*, state::*},
    anchor_lang::prelude::*,
    records::state::{Entity, Patient},
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct GrantConsentArgs {
    pub purpose: ConsentPurpose,
    pub terms: ConsentTerms,
}

/// The patient (or guardian) consents to a registered entity for one
/// purpose, or updates that consent; every change bumps its version. A
/// Permit needs the entity Active and unexpired. The patient's consent
/// epoch is created with the first consent.
#[event_cpi]
#[derive(Accounts)]
#[instruction(args: GrantConsentArgs)]
pub struct GrantConsent<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub authority: Signer<'info>,
    /// The patient's `records` profile (owner checked: `records`).
    pub patient: Account<'info, Patient>,
    /// The grantee's `records` entity (owner checked: `records`).
    pub grantee: Account<'info, Entity>,
    #[account(
        init_if_needed,
        payer = payer,
        space = Consent::DISCRIMINATOR.len() + Consent::INIT_SPACE,
        seeds = [CONSENT_SEED, patient.authority.as_ref(), grantee.authority.as_ref(), &[args.purpose as u8]],
        bump,
    )]
    pub consent: Account<'info, Consent>,
    /// The patient's consent epoch (created with the first consent, never closed).
    #[account(
        init_if_needed,
        payer = payer,
        space = ConsentEpoch::DISCRIMINATOR.len() + ConsentEpoch::INIT_SPACE,
        seeds = [CONSENT_EPOCH_SEED, patient.authority.as_ref()],
        bump,
    )]
    pub consent_epoch: Account<'info, ConsentEpoch>,
    pub system_program: Program<'info, System>,
}

impl GrantConsent<'_> {
    /// The signer is the patient or the guardian (returned as the change's
    /// actor), and the grant is acceptable (`validate_grant`).
    pub fn validate(&self, args: &GrantConsentArgs, now: i64) -> Result<Change> {
        let change = Change::by_signer(&self.patient, self.authority.key)?;
        validate_grant(&args.terms, self.patient.authority, &self.grantee, now)?;
        Ok(change)
    }
}

pub fn handler(mut ctx: Context<GrantConsent>, args: GrantConsentArgs) -> Result<()> {
    let now = now()?;
    let change = ctx.accounts.validate(&args, now)?;
    let accounts = &mut ctx.accounts;
    let opened = open_epoch(
        &mut accounts.consent_epoch,
        ctx.bumps.consent_epoch,
        accounts.patient.authority,
        change.actor,
    )?;
    let event = apply_grant(
        &mut accounts.consent,
        ctx.bumps.consent,
        accounts.patient.authority,
        accounts.grantee.authority,
        args.purpose,
        args.terms,
        change,
        accounts.payer.key(),
        now,
    )?;
    if let Some(opened) = opened {
        emit_cpi!(opened);
    }
    emit_cpi!(event);
    Ok(())
}
