use {
    super::{apply_revoke, now, validate_revoke, verify_signed_message, Change},
    crate::{constants::*, errors::ConsentError, message::ConsentMessage, state::*},
    anchor_lang::{compat::solana_instructions_sysvar as ix_sysvar, prelude::*},
    records::state::{Patient, RegistryConfig},
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct RevokeConsentSignedArgs {
    /// When the patient signed, as stated in the message.
    pub issued_at: i64,
    /// The expiry the patient signed.
    pub expires_at: i64,
}

/// Gasless revocation: a relayer submits a revocation the patient signed
/// off-chain (see `grant_consent_signed`).
#[event_cpi]
#[derive(Accounts)]
pub struct RevokeConsentSigned<'info> {
    /// The relayer; pays the fee.
    pub payer: Signer<'info>,
    pub patient: Account<'info, Patient>,
    #[account(
        mut,
        seeds = [CONSENT_SEED, consent.patient.as_ref(), consent.grantee.as_ref(), &[consent.purpose as u8]],
        bump = consent.bump,
        constraint = consent.patient == patient.authority @ ConsentError::NotPatientOrGuardian,
    )]
    pub consent: Account<'info, Consent>,
    /// The patient's consent epoch (it exists: it was created with the consent).
    #[account(
        seeds = [CONSENT_EPOCH_SEED, consent.patient.as_ref()],
        bump = consent_epoch.bump,
    )]
    pub consent_epoch: Account<'info, ConsentEpoch>,
    /// The `records` registry: its deployment name is part of the message.
    #[account(
        seeds = [records::constants::CONFIG_SEED],
        bump = registry.bump,
        seeds::program = records::ID,
    )]
    pub registry: Account<'info, RegistryConfig>,
    /// CHECK: the instructions sysvar (address checked).
    #[account(address = ix_sysvar::ID)]
    pub instructions: UncheckedAccount<'info>,
}

impl RevokeConsentSigned<'_> {
    /// The preceding Ed25519 instruction verified the patient's signature
    /// over exactly this revocation's off-chain message envelope, and the
    /// consent is Active. Returns the change, relayed by the payer.
    pub fn validate(&self, args: &RevokeConsentSignedArgs, now: i64) -> Result<Change> {
        let consent = &self.consent;
        let expected = ConsentMessage {
            deployment: self.registry.deployment.clone(),
            program_id: crate::ID,
            patient: consent.patient,
            grantee: consent.grantee,
            purpose: consent.purpose,
            terms: None,
            consent_epoch: self.consent_epoch.epoch,
            consent_version: consent.consent_version,
            issued_at: args.issued_at,
            expires_at: args.expires_at,
        };
        let mut change =
            verify_signed_message(&self.instructions, &self.patient.authority, &expected, now)?;
        validate_revoke(consent)?;
        change.relayer = Some(self.payer.key());
        Ok(change)
    }
}

pub fn handler(ctx: Context<RevokeConsentSigned>, args: RevokeConsentSignedArgs) -> Result<()> {
    let now = now()?;
    let change = ctx.accounts.validate(&args, now)?;
    let event = apply_revoke(&mut ctx.accounts.consent, change, now)?;
    emit_cpi!(event);
    Ok(())
}
