use {
    super::{apply_grant, verify_signed_message},
    crate::{constants::*, message::ConsentMessage, state::*},
    anchor_lang::{compat::solana_instructions_sysvar as ix_sysvar, prelude::*},
    records::state::{Entity, Patient},
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct GrantConsentSignedArgs {
    pub purpose: ConsentPurpose,
    pub terms: ConsentTerms,
    /// When the patient signed, as stated in the message.
    pub issued_at: i64,
    /// The expiry the patient signed.
    pub expires_at: i64,
}

/// Gasless consent: a relayer pays and submits a grant the patient signed
/// off-chain. The transaction's previous instruction is the Ed25519 program
/// verifying the patient's signature over the canonical consent message.
#[event_cpi]
#[derive(Accounts)]
#[instruction(args: GrantConsentSignedArgs)]
pub struct GrantConsentSigned<'info> {
    /// The relayer.
    #[account(mut)]
    pub payer: Signer<'info>,
    pub patient: Account<'info, Patient>,
    pub grantee: Account<'info, Entity>,
    #[account(
        init_if_needed,
        payer = payer,
        space = Consent::DISCRIMINATOR.len() + Consent::INIT_SPACE,
        seeds = [CONSENT_SEED, patient.authority.as_ref(), grantee.authority.as_ref(), &[args.purpose as u8]],
        bump,
    )]
    pub consent: Account<'info, Consent>,
    /// CHECK: the instructions sysvar (address checked).
    #[account(address = ix_sysvar::ID)]
    pub instructions: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

pub fn handler(mut ctx: Context<GrantConsentSigned>, args: GrantConsentSignedArgs) -> Result<()> {
    let accounts = &mut ctx.accounts;
    let expected = ConsentMessage {
        program_id: crate::ID,
        patient: accounts.patient.authority,
        grantee: accounts.grantee.authority,
        purpose: args.purpose,
        terms: Some(args.terms),
        consent_version: accounts.consent.consent_version,
        issued_at: args.issued_at,
        expires_at: args.expires_at,
    };
    let mut change = verify_signed_message(
        &accounts.instructions,
        &accounts.patient.authority,
        &expected,
    )?;
    change.relayer = Some(accounts.payer.key());
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
