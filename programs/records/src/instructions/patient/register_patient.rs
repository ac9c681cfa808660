use {
    crate::{
        constants::*,
        errors::RecordsError,
        events::PatientRegistered,
        instructions::{now, patient::set_guardian::validate_guardian_key},
        state::*,
        token::{open_book_account, RecordBook},
    },
    anchor_lang::prelude::*,
    anchor_spl::{associated_token::AssociatedToken, token_2022::Token2022},
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct RegisterPatientArgs {
    /// X25519 public key to which the patient's data keys are wrapped.
    pub encryption_key: [u8; 32],
    /// The guardian's X25519 public key when a guardian is named (non-zero),
    /// all zeroes otherwise.
    pub guardian_encryption_key: [u8; 32],
}

/// Creates a patient profile. A guardian named here must co-sign.
#[event_cpi]
#[derive(Accounts)]
pub struct RegisterPatient<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub authority: Signer<'info>,
    pub guardian: Option<Signer<'info>>,
    #[account(
        init,
        payer = payer,
        space = Patient::DISCRIMINATOR.len() + Patient::INIT_SPACE,
        seeds = [PATIENT_SEED, authority.key().as_ref()],
        bump,
    )]
    pub patient: Account<'info, Patient>,
    /// CHECK: the record book mint (address).
    #[account(seeds = [RECORD_BOOK_SEED], bump)]
    pub book_mint: UncheckedAccount<'info>,
    /// CHECK: program PDA, the book's freeze authority; becomes the book
    /// account's close authority.
    #[account(seeds = [RECORD_AUTHORITY_SEED], bump)]
    pub record_authority: UncheckedAccount<'info>,
    /// CHECK: the patient's record book account, created here (their
    /// associated token account of the book; the ATA program checks the
    /// address).
    #[account(mut)]
    pub patient_book: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token2022>,
    pub associated_token_program: Program<'info, AssociatedToken>,
    pub system_program: Program<'info, System>,
}

impl RegisterPatient<'_> {
    pub fn validate(&self, args: &RegisterPatientArgs) -> Result<()> {
        require!(
            args.encryption_key != [0; 32],
            RecordsError::ZeroEncryptionKey
        );
        validate_guardian_key(self.guardian.is_some(), &args.guardian_encryption_key)?;
        require!(
            self.book_mint.owner == &anchor_spl::token_2022::ID && !self.book_mint.data_is_empty(),
            RecordsError::RecordBookMissing
        );
        if let Some(guardian) = &self.guardian {
            require_keys_neq!(
                guardian.key(),
                self.authority.key(),
                RecordsError::GuardianIsPatient
            );
        }
        Ok(())
    }
}

pub fn handler(ctx: Context<RegisterPatient>, args: RegisterPatientArgs) -> Result<()> {
    ctx.accounts.validate(&args)?;
    let patient = &mut ctx.accounts.patient;
    patient.set_inner(Patient {
        version: ACCOUNT_VERSION,
        bump: ctx.bumps.patient,
        authority: ctx.accounts.authority.key(),
        guardian: ctx.accounts.guardian.as_ref().map(|g| g.key()),
        encryption_key: args.encryption_key,
        registered_at: now()?,
        rent_payer: ctx.accounts.payer.key(),
        next_record_serial: Patient::first_record_serial(Clock::get()?.slot)?,
        guardian_encryption_key: args.guardian_encryption_key,
    });
    patient.check_invariant()?;
    // The patient's record book account, paid by whoever pays for the
    // registration and refunded to it when the profile is closed.
    let accounts = &ctx.accounts;
    open_book_account(
        accounts.book_mint.as_ref(),
        accounts.patient_book.as_ref(),
        accounts.authority.as_ref(),
        accounts.payer.as_ref(),
        [
            accounts.system_program.as_ref(),
            accounts.token_program.as_ref(),
            accounts.associated_token_program.as_ref(),
        ],
    )?;
    // Only the program closes it (with the profile), and the rent goes back
    // to this registration's payer.
    RecordBook {
        mint: accounts.book_mint.as_ref(),
        authority: accounts.record_authority.as_ref(),
        authority_bump: ctx.bumps.record_authority,
        token_program: accounts.token_program.as_ref(),
    }
    .take_close_authority(accounts.patient_book.as_ref(), accounts.authority.as_ref())?;
    let patient = &ctx.accounts.patient;
    emit_cpi!(PatientRegistered {
        patient: patient.authority,
        guardian: patient.guardian,
    });
    Ok(())
}
