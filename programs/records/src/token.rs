//! The record book: one Token-2022 mint per deployment (`["record_book"]`),
//! decimals 0, NonTransferable, its metadata in the mint itself
//! (MetadataPointer to itself and TokenMetadata), and the record authority
//! PDA as mint authority, permanent delegate, metadata update authority and
//! mint close authority. Each patient holds one token account of it,
//! created at registration and closed with the profile; its balance is the
//! number of the patient's Active records: issuing mints one, an amendment
//! is net zero, a retraction or an erasure of an Active record burns one.
//! The program is the only minter and burner, so the balance can only move
//! with a record's status.

use {
    crate::{constants::*, errors::RecordsError},
    anchor_lang::{prelude::*, system_program},
    anchor_spl::{
        associated_token,
        token_2022::{
            self,
            spl_token_2022::{
                extension::{BaseStateWithExtensions, ExtensionType, StateWithExtensions},
                instruction::AuthorityType,
                state::{Account as SplTokenAccount, AccountState, Mint as SplMint},
            },
        },
        token_2022_extensions as ext,
    },
};

/// Fixed-size extensions of the record book mint (TokenMetadata, variable
/// in size, is appended by its own initialization).
pub const RECORD_BOOK_EXTENSIONS: [ExtensionType; 5] = [
    ExtensionType::NonTransferable,
    ExtensionType::PermanentDelegate,
    ExtensionType::MintCloseAuthority,
    ExtensionType::MetadataPointer,
    ExtensionType::DefaultAccountState,
];

/// Size in bytes of the record book mint before its metadata.
pub fn record_book_base_space() -> Result<usize> {
    Ok(ExtensionType::try_calculate_account_len::<SplMint>(
        &RECORD_BOOK_EXTENSIONS,
    )?)
}

/// Size in bytes of the record book mint with its metadata.
pub fn record_book_space(uri: &str) -> Result<usize> {
    Ok(record_book_base_space()? + token_metadata_space(RECORD_BOOK_NAME, RECORD_BOOK_SYMBOL, uri))
}

/// Size in bytes of a patient's record book account: a Token-2022 account
/// of a NonTransferable mint carries the NonTransferableAccount and
/// ImmutableOwner extensions.
pub fn record_book_account_space() -> Result<usize> {
    Ok(ExtensionType::try_calculate_account_len::<SplTokenAccount>(
        &[
            ExtensionType::ImmutableOwner,
            ExtensionType::NonTransferableAccount,
        ],
    )?)
}

/// Bytes the TokenMetadata entry adds to the mint: type and length (4),
/// update authority and mint (64), then name, symbol and URI (each a 4-byte
/// length and its bytes) and an empty list of additional fields (4).
pub fn token_metadata_space(name: &str, symbol: &str, uri: &str) -> usize {
    4 + 64 + (4 + name.len()) + (4 + symbol.len()) + (4 + uri.len()) + 4
}

/// The record book and the program authority over it.
pub struct RecordBook<'a, 'info> {
    pub mint: &'a AccountInfo<'info>,
    pub authority: &'a AccountInfo<'info>,
    pub authority_bump: u8,
    pub token_program: &'a AccountInfo<'info>,
}

impl<'info> RecordBook<'_, 'info> {
    fn authority_seeds(&self) -> [&[u8]; 2] {
        [
            RECORD_AUTHORITY_SEED,
            std::slice::from_ref(&self.authority_bump),
        ]
    }

    /// Creates the record book mint with its extensions and metadata. The
    /// account is funded for its final size (with metadata) at creation.
    pub fn create(
        &self,
        payer: &AccountInfo<'info>,
        system_program: &AccountInfo<'info>,
        mint_bump: u8,
        uri: String,
    ) -> Result<()> {
        let token_program_id = self.token_program.key();
        let base = record_book_base_space()?;
        let lamports = Rent::get()?.minimum_balance(record_book_space(&uri)?);
        create_pda_account(
            payer,
            self.mint,
            base,
            lamports,
            &token_program_id,
            system_program,
            &[RECORD_BOOK_SEED, &[mint_bump]],
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
        let (program, mint) = ext_accounts();
        ext::default_account_state_initialize(
            CpiContext::new(
                token_program_id,
                ext::DefaultAccountStateInitialize {
                    token_program_id: program,
                    mint,
                },
            ),
            &AccountState::Frozen,
        )?;
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
            Some(self.mint.key()),
        )?;
        token_2022::initialize_mint2(
            CpiContext::new(
                token_program_id,
                token_2022::InitializeMint2 {
                    mint: self.mint.clone(),
                },
            ),
            RECORD_BOOK_DECIMALS,
            self.authority.key,
            Some(self.authority.key),
        )?;
        let seeds = self.authority_seeds();
        ext::token_metadata_initialize(
            CpiContext::new_with_signer(
                token_program_id,
                ext::TokenMetadataInitialize {
                    program_id: self.token_program.clone(),
                    metadata: self.mint.clone(),
                    update_authority: self.authority.clone(),
                    mint_authority: self.authority.clone(),
                    mint: self.mint.clone(),
                },
                &[&seeds],
            ),
            RECORD_BOOK_NAME.to_string(),
            RECORD_BOOK_SYMBOL.to_string(),
            uri,
        )
    }

    /// One more Active record in `account`.
    pub fn mint_one(&self, account: &AccountInfo<'info>) -> Result<()> {
        self.thawed(account, |book, seeds| {
            token_2022::mint_to(
                CpiContext::new_with_signer(
                    book.token_program.key(),
                    token_2022::MintTo {
                        mint: book.mint.clone(),
                        to: account.clone(),
                        authority: book.authority.clone(),
                    },
                    &[seeds],
                ),
                1,
            )
        })
    }

    /// One fewer Active record in `account` (burned as permanent delegate).
    pub fn burn_one(&self, account: &AccountInfo<'info>) -> Result<()> {
        self.thawed(account, |book, seeds| {
            token_2022::burn(
                CpiContext::new_with_signer(
                    book.token_program.key(),
                    token_2022::Burn {
                        mint: book.mint.clone(),
                        from: account.clone(),
                        authority: book.authority.clone(),
                    },
                    &[seeds],
                ),
                1,
            )
        })
    }

    /// Makes the program's PDA the close authority of `owner`'s new book
    /// account (the owner signs): only `close_patient` can close it then,
    /// refunding whoever paid for it.
    pub fn take_close_authority(
        &self,
        account: &AccountInfo<'info>,
        owner: &AccountInfo<'info>,
    ) -> Result<()> {
        self.thawed(account, |book, _| {
            token_2022::set_authority(
                CpiContext::new(
                    book.token_program.key(),
                    token_2022::SetAuthority {
                        current_authority: owner.clone(),
                        account_or_mint: account.clone(),
                    },
                ),
                AuthorityType::CloseAccount,
                Some(book.authority.key()),
            )
        })
    }

    /// Closes `account` (empty) as its close authority, refunding
    /// `destination`.
    pub fn close_account(
        &self,
        account: &AccountInfo<'info>,
        destination: &AccountInfo<'info>,
    ) -> Result<()> {
        self.thaw(account)?;
        let seeds = self.authority_seeds();
        token_2022::close_account(CpiContext::new_with_signer(
            self.token_program.key(),
            token_2022::CloseAccount {
                account: account.clone(),
                destination: destination.clone(),
                authority: self.authority.clone(),
            },
            &[&seeds],
        ))
    }

    /// Thaws `account` for the program's own use.
    fn thaw(&self, account: &AccountInfo<'info>) -> Result<()> {
        let seeds = self.authority_seeds();
        token_2022::thaw_account(CpiContext::new_with_signer(
            self.token_program.key(),
            token_2022::ThawAccount {
                account: account.clone(),
                mint: self.mint.clone(),
                authority: self.authority.clone(),
            },
            &[&seeds],
        ))
    }

    /// Runs `op` on `account` thawed, then freezes it again.
    fn thawed(
        &self,
        account: &AccountInfo<'info>,
        op: impl FnOnce(&Self, &[&[u8]]) -> Result<()>,
    ) -> Result<()> {
        let seeds = self.authority_seeds();
        self.thaw(account)?;
        op(self, &seeds)?;
        token_2022::freeze_account(CpiContext::new_with_signer(
            self.token_program.key(),
            token_2022::FreezeAccount {
                account: account.clone(),
                mint: self.mint.clone(),
                authority: self.authority.clone(),
            },
            &[&seeds],
        ))
    }
}

/// Creates `patient_authority`'s record book account (their associated token
/// account of the book `mint`), paid by `payer`; an account someone created
/// there beforehand is accepted as is.
pub fn open_book_account<'info>(
    mint: &AccountInfo<'info>,
    account: &AccountInfo<'info>,
    patient_authority: &AccountInfo<'info>,
    payer: &AccountInfo<'info>,
    programs: [&AccountInfo<'info>; 3],
) -> Result<()> {
    let [system_program, token_program, associated_token_program] = programs;
    associated_token::create_idempotent(CpiContext::new(
        associated_token_program.key(),
        associated_token::Create {
            payer: payer.clone(),
            associated_token: account.clone(),
            authority: patient_authority.clone(),
            mint: mint.clone(),
            system_program: system_program.clone(),
            token_program: token_program.clone(),
        },
    ))
}

/// The number of Active records a book account holds (its balance); the
/// account must be a Token-2022 account.
pub fn book_balance(account: &AccountInfo) -> Result<u64> {
    require_keys_eq!(
        *account.owner,
        token_2022::ID,
        RecordsError::InvalidTokenAccount
    );
    let data = account.try_borrow_data()?;
    let state = StateWithExtensions::<SplTokenAccount>::unpack(&data)?;
    let _ = state.get_extension_types()?;
    Ok(state.base.amount)
}

/// Creates a PDA-owned account of `space` bytes holding `lamports`, even
/// when someone has sent lamports to the address beforehand (plain
/// `create_account` would fail and let anyone block the address).
pub fn create_pda_account<'info>(
    payer: &AccountInfo<'info>,
    account: &AccountInfo<'info>,
    space: usize,
    lamports: u64,
    owner: &Pubkey,
    system_program: &AccountInfo<'info>,
    seeds: &[&[u8]],
) -> Result<()> {
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
            lamports,
            space as u64,
            owner,
        );
    }
    let shortfall = lamports.saturating_sub(account.lamports());
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
