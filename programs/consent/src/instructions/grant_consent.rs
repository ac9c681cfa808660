use {
    super::{apply_grant, Change},
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
/// purpose, or updates that consent; every change bumps its version.
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
    pub system_program: Program<'info, System>,
}

pub fn handler(mut ctx: Context<GrantConsent>, args: GrantConsentArgs) -> Result<()> {
    let accounts = &mut ctx.accounts;
    let change = Change::by_signer(&accounts.patient, accounts.authority.key)?;
    let event = apply_grant(
        &mut accounts.consent,
        ctx.bumps.consent,
        accounts.patient.authority,
        accounts.grantee.authority,
        args.purpose,
        args.terms,
        change,
        accounts.payer.key(),
    )?;
    emit_cpi!(event);
    Ok(())
}
