//! The lifecycle of a record token: a Token-2022 mint with supply exactly 1,
//! NonTransferable, MetadataPointer to the record, and the record authority
//! PDA as permanent delegate and mint close authority.

use {
    crate::constants::*,
    anchor_lang::{prelude::*, system_program},
    anchor_spl::{
        associated_token,
        token_2022::{
            self,
            spl_token_2022::{
                extension::{BaseStateWithExtensions, ExtensionType, StateWithExtensions},
                instruction::AuthorityType,
                state::{Account as SplTokenAccount, Mint as SplMint},
            },
        },
        token_2022_extensions as ext,
    },
};

/// Extensions of every record mint.
pub const RECORD_MINT_EXTENSIONS: [ExtensionType; 4] = [
    ExtensionType::NonTransferable,
    ExtensionType::MetadataPointer,
    ExtensionType::PermanentDelegate,
    ExtensionType::MintCloseAuthority,
];

/// Size in bytes of a record mint account.
pub fn record_mint_space() -> Result<usize> {
    Ok(ExtensionType::try_calculate_account_len::<SplMint>(
        &RECORD_MINT_EXTENSIONS,
    )?)
}

/// The accounts that take part in a record token's lifecycle.
pub struct RecordToken<'a, 'info> {
    pub record: Pubkey,
    pub mint: &'a AccountInfo<'info>,
    pub mint_bump: u8,
    pub authority: &'a AccountInfo<'info>,
    pub authority_bump: u8,
    pub token_account: &'a AccountInfo<'info>,
    pub token_program: &'a AccountInfo<'info>,
}

impl<'info> RecordToken<'_, 'info> {
    /// Creates the mint, the patient's associated token account, mints the
    /// single token and removes the mint authority so no second token can
    /// ever be minted.
    pub fn mint_to_patient(
        &self,
        payer: &AccountInfo<'info>,
        patient_authority: &AccountInfo<'info>,
        system_program: &AccountInfo<'info>,
        associated_token_program: &AccountInfo<'info>,
    ) -> Result<()> {
        let token_program_id = self.token_program.key();
        let mint_seeds: &[&[u8]] = &[RECORD_MINT_SEED, self.record.as_ref(), &[self.mint_bump]];
        let authority_seeds: &[&[u8]] = &[RECORD_AUTHORITY_SEED, &[self.authority_bump]];
        create_pda_account(
            payer,
            self.mint,
            record_mint_space()?,
            &token_program_id,
            system_program,
            mint_seeds,
        )?;

        let ext_accounts = || (self.token_program.clone(), self.mint.clone());
        let (program, mint) = ext_accounts();
        ext::non_transferable_mint_initialize(CpiContext::new(
            token_program_id,
            ext::NonTransferableMintInitialize {
                token_program_id: program,
                mint,
            },
        ))?;
        let (program, mint) = ext_accounts();
        ext::metadata_pointer_initialize(
            CpiContext::new(
                token_program_id,
                ext::MetadataPointerInitialize {
                    token_program_id: program,
                    mint,
                },
            ),
            Some(self.authority.key()),
            Some(self.record),
        )?;
        let (program, mint) = ext_accounts();
        ext::permanent_delegate_initialize(
            CpiContext::new(
                token_program_id,
                ext::PermanentDelegateInitialize {
                    token_program_id: program,
                    mint,
                },
            ),
            self.authority.key,
        )?;
        let (program, mint) = ext_accounts();
        ext::mint_close_authority_initialize(
            CpiContext::new(
                token_program_id,
                ext::MintCloseAuthorityInitialize {
                    token_program_id: program,
                    mint,
                },
            ),
            Some(self.authority.key),
        )?;
        token_2022::initialize_mint2(
            CpiContext::new(
                token_program_id,
                token_2022::InitializeMint2 {
                    mint: self.mint.clone(),
                },
            ),
            RECORD_MINT_DECIMALS,
            self.authority.key,
            None,
        )?;

        associated_token::create_idempotent(CpiContext::new(
            associated_token_program.key(),
            associated_token::Create {
                payer: payer.clone(),
                associated_token: self.token_account.clone(),
                authority: patient_authority.clone(),
                mint: self.mint.clone(),
                system_program: system_program.clone(),
                token_program: self.token_program.clone(),
            },
        ))?;

        let signer: &[&[&[u8]]] = &[authority_seeds];
        token_2022::mint_to(
            CpiContext::new_with_signer(
                token_program_id,
                token_2022::MintTo {
                    mint: self.mint.clone(),
                    to: self.token_account.clone(),
                    authority: self.authority.clone(),
                },
                signer,
            ),
            1,
        )?;
        token_2022::set_authority(
            CpiContext::new_with_signer(
                token_program_id,
                token_2022::SetAuthority {
                    current_authority: self.authority.clone(),
                    account_or_mint: self.mint.clone(),
                },
                signer,
            ),
            AuthorityType::MintTokens,
            None,
        )
    }

    /// Burns the patient's token, if it is still there, as permanent delegate.
    pub fn burn(&self) -> Result<()> {
        if token_balance(self.token_account)? == 0 {
            return Ok(());
        }
        let authority_seeds: &[&[u8]] = &[RECORD_AUTHORITY_SEED, &[self.authority_bump]];
        token_2022::burn(
            CpiContext::new_with_signer(
                self.token_program.key(),
                token_2022::Burn {
                    mint: self.mint.clone(),
                    from: self.token_account.clone(),
                    authority: self.authority.clone(),
                },
                &[authority_seeds],
            ),
            1,
        )
    }

    /// Closes the (empty) mint as its close authority, refunding `destination`.
    pub fn close_mint(&self, destination: &AccountInfo<'info>) -> Result<()> {
        let authority_seeds: &[&[u8]] = &[RECORD_AUTHORITY_SEED, &[self.authority_bump]];
        token_2022::close_account(CpiContext::new_with_signer(
            self.token_program.key(),
            token_2022::CloseAccount {
                account: self.mint.clone(),
                destination: destination.clone(),
                authority: self.authority.clone(),
            },
            &[authority_seeds],
        ))
    }
}

/// Balance of a record token account; 0 when the patient has closed it.
fn token_balance(token_account: &AccountInfo) -> Result<u64> {
    if token_account.owner != &token_2022::ID || token_account.data_is_empty() {
        return Ok(0);
    }
    let data = token_account.try_borrow_data()?;
    let account = StateWithExtensions::<SplTokenAccount>::unpack(&data)?;
    let _ = account.get_extension_types()?;
    Ok(account.base.amount)
}

/// Creates a PDA-owned account even when someone has sent lamports to the
/// address beforehand (plain `create_account` would fail and let anyone
/// block the address).
pub fn create_pda_account<'info>(
    payer: &AccountInfo<'info>,
    account: &AccountInfo<'info>,
    space: usize,
    owner: &Pubkey,
    system_program: &AccountInfo<'info>,
    seeds: &[&[u8]],
) -> Result<()> {
    let rent = Rent::get()?.minimum_balance(space);
    let signer: &[&[&[u8]]] = &[seeds];
    let program = system_program.key();
    if account.lamports() == 0 {
        return system_program::create_account(
            CpiContext::new_with_signer(
                program,
                system_program::CreateAccount {
                    from: payer.clone(),
                    to: account.clone(),
                },
                signer,
            ),
            rent,
            space as u64,
            owner,
        );
    }
    let shortfall = rent.saturating_sub(account.lamports());
    if shortfall > 0 {
        system_program::transfer(
            CpiContext::new(
                program,
                system_program::Transfer {
                    from: payer.clone(),
                    to: account.clone(),
                },
            ),
            shortfall,
        )?;
    }
    system_program::allocate(
        CpiContext::new_with_signer(
            program,
            system_program::Allocate {
                account_to_allocate: account.clone(),
            },
            signer,
        ),
        space as u64,
    )?;
    system_program::assign(
        CpiContext::new_with_signer(
            program,
            system_program::Assign {
                account_to_assign: account.clone(),
            },
            signer,
        ),
        owner,
    )
}
