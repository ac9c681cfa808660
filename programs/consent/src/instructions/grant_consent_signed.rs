use {
    super::{apply_grant, now, open_epoch, validate_grant, verify_signed_message, Change},
    crate::{constants::*, message::ConsentMessage, state::*},
    anchor_lang::{compat::solana_instructions_sysvar as ix_sysvar, prelude::*},
    records::state::{Entity, Patient, RegistryConfig},
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
/// verifying the patient's signature over the canonical consent message,
/// which names this cluster's deployment (from the `records` registry) and
/// the patient's consent epoch.
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
    /// The patient's consent epoch (created with the first consent, never closed).
    #[account(
        init_if_needed,
        payer = payer,
        space = ConsentEpoch::DISCRIMINATOR.len() + ConsentEpoch::INIT_SPACE,
        seeds = [CONSENT_EPOCH_SEED, patient.authority.as_ref()],
        bump,
    )]
    pub consent_epoch: Account<'info, ConsentEpoch>,
    /// The `records` registry (owner `records`, its `["config"]` address):
    /// its deployment name is part of the message.
    #[account(
        seeds = [records::constants::CONFIG_SEED],
        bump = registry.bump,
        seeds::program = records::ID,
    )]
    pub registry: Account<'info, RegistryConfig>,
    /// CHECK: the instructions sysvar (address checked).
    #[account(address = ix_sysvar::ID)]
    pub instructions: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

impl GrantConsentSigned<'_> {
    /// The preceding Ed25519 instruction verified the patient's signature
    /// over exactly this grant's off-chain message envelope (naming this
    /// deployment, the consent's epoch and version, unexpired), and the
    /// grant is acceptable (`validate_grant`). Returns the change, relayed
    /// by the payer.
    pub fn validate(&self, args: &GrantConsentSignedArgs, now: i64) -> Result<Change> {
        let patient = self.patient.authority;
        let expected = ConsentMessage {
            deployment: self.registry.deployment.clone(),
            program_id: crate::ID,
            patient,
            grantee: self.grantee.authority,
            purpose: args.purpose,
            terms: Some(args.terms),
            consent_epoch: self.consent_epoch.epoch,
            consent_version: self.consent.consent_version,
            issued_at: args.issued_at,
            expires_at: args.expires_at,
        };
        let mut change = verify_signed_message(&self.instructions, &patient, &expected, now)?;
        validate_grant(&args.terms, patient, &self.grantee, now)?;
        change.relayer = Some(self.payer.key());
        Ok(change)
    }
}

pub fn handler(mut ctx: Context<GrantConsentSigned>, args: GrantConsentSignedArgs) -> Result<()> {
    let now = now()?;
    let change = ctx.accounts.validate(&args, now)?;
    let accounts = &mut ctx.accounts;
    let patient = accounts.patient.authority;
    let opened = open_epoch(
        &mut accounts.consent_epoch,
        ctx.bumps.consent_epoch,
        patient,
        change.actor,
    )?;
    let event = apply_grant(
        &mut accounts.consent,
        ctx.bumps.consent,
        patient,
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
