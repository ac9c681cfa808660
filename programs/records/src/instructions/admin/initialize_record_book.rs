use {
    crate::{
        constants::*, errors::RecordsError, events::RecordBookInitialized, state::*,
        token::RecordBook,
    },
    anchor_lang::prelude::*,
    anchor_spl::token_2022::Token2022,
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct InitializeRecordBookArgs {
    /// Where wallets find the book's description (a JSON with name, symbol,
    /// image): printable ASCII, at most 200 characters. Nothing about any
    /// patient.
    pub uri: String,
}

/// The registry admin creates the deployment's record book: the one
/// Token-2022 mint that every patient's record count is held in. Once.
#[event_cpi]
#[derive(Accounts)]
pub struct InitializeRecordBook<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub admin: Signer<'info>,
    #[account(
        seeds = [CONFIG_SEED],
        bump = config.bump,
        has_one = admin @ RecordsError::NotRegistryAdmin,
    )]
    pub config: Account<'info, RegistryConfig>,
    /// CHECK: the record book mint PDA, created in the handler (refused by
    /// the system program if it exists).
    #[account(mut, seeds = [RECORD_BOOK_SEED], bump)]
    pub book_mint: UncheckedAccount<'info>,
    /// CHECK: program PDA, the book's authorities.
    #[account(seeds = [RECORD_AUTHORITY_SEED], bump)]
    pub record_authority: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token2022>,
    pub system_program: Program<'info, System>,
}

impl InitializeRecordBook<'_> {
    pub fn validate(&self, args: &InitializeRecordBookArgs) -> Result<()> {
        require!(
            !args.uri.is_empty()
                && args.uri.len() <= MAX_BOOK_URI_LEN
                && args.uri.bytes().all(|b| b.is_ascii_graphic()),
            RecordsError::InvalidUri
        );
        require!(
            self.book_mint.data_is_empty(),
            RecordsError::RecordBookExists
        );
        Ok(())
    }
}

pub fn handler(ctx: Context<InitializeRecordBook>, args: InitializeRecordBookArgs) -> Result<()> {
    ctx.accounts.validate(&args)?;
    let accounts = &ctx.accounts;
    RecordBook {
        mint: accounts.book_mint.as_ref(),
        authority: accounts.record_authority.as_ref(),
        authority_bump: ctx.bumps.record_authority,
        token_program: accounts.token_program.as_ref(),
    }
    .create(
        accounts.payer.as_ref(),
        accounts.system_program.as_ref(),
        ctx.bumps.book_mint,
        args.uri,
    )?;
    emit_cpi!(RecordBookInitialized {
        admin: accounts.admin.key(),
        mint: accounts.book_mint.key(),
    });
    Ok(())
}
