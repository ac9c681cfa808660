//! Payout tokens for development and demos: a mint whose authority is the
//! fee payer, with associated token accounts funded for some holders. On a
//! real cluster the payout mint is USDC's or the insurer's own.

use {
    crate::{
        backend::Backend,
        client::{Outcome, PanaceaClient},
        error::Result,
    },
    anchor_lang::prelude::Pubkey,
    anchor_lang::solana_program::program_pack::Pack,
    anchor_spl::token_2022::spl_token_2022::{extension::StateWithExtensions, state::Mint},
    anchor_spl::{
        associated_token::{
            get_associated_token_address_with_program_id,
            spl_associated_token_account::instruction::create_associated_token_account_idempotent,
        },
        token_2022::spl_token_2022::instruction as token_ix,
    },
    solana_keypair::Keypair,
    solana_signer::Signer,
};

/// Size of a mint without extensions.
const MINT_LEN: usize = <Mint as Pack>::LEN;

/// What a payout mint is: its decimals and the token program that owns it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MintInfo {
    pub decimals: u8,
    pub token_program: Pubkey,
    pub supply: u64,
}

impl<B: Backend> PanaceaClient<B> {
    /// Creates `mint` (`decimals`, owned by `token_program`, mint authority
    /// the fee payer) and, in the same transaction, each holder's
    /// associated token account holding its amount. Returns the holders'
    /// token accounts, in order.
    pub async fn create_funded_mint(
        &self,
        mint: &Keypair,
        decimals: u8,
        token_program: &Pubkey,
        holders: &[(Pubkey, u64)],
    ) -> Result<Vec<Pubkey>> {
        let payer = self.payer();
        let rent = self
            .backend()
            .minimum_balance_for_rent_exemption(MINT_LEN)
            .await?;
        let invalid =
            |e: anchor_lang::prelude::ProgramError| crate::SdkError::InvalidInput(e.to_string());
        let mut ixs = vec![
            anchor_lang::solana_program::system_instruction::create_account(
                &payer,
                &mint.pubkey(),
                rent,
                MINT_LEN as u64,
                token_program,
            ),
            token_ix::initialize_mint2(token_program, &mint.pubkey(), &payer, None, decimals)
                .map_err(invalid)?,
        ];
        let mut accounts = Vec::with_capacity(holders.len());
        for (holder, amount) in holders {
            let account =
                get_associated_token_address_with_program_id(holder, &mint.pubkey(), token_program);
            ixs.push(create_associated_token_account_idempotent(
                &payer,
                holder,
                &mint.pubkey(),
                token_program,
            ));
            if *amount > 0 {
                ixs.push(
                    token_ix::mint_to(
                        token_program,
                        &mint.pubkey(),
                        &account,
                        &payer,
                        &[],
                        *amount,
                    )
                    .map_err(invalid)?,
                );
            }
            accounts.push(account);
        }
        self.send(&ixs, &[mint]).await?;
        Ok(accounts)
    }

    /// The mint at `mint`, read through Token-2022's own decoder (SPL Token
    /// and Token-2022 mints, with or without extensions).
    pub async fn mint_info(&self, mint: &Pubkey) -> Result<MintInfo> {
        let account =
            self.backend()
                .get_account(mint)
                .await?
                .ok_or(crate::SdkError::AccountNotFound {
                    address: *mint,
                    expected: "token mint",
                })?;
        let not_a_mint = || crate::SdkError::Decode {
            address: *mint,
            expected: "token mint",
        };
        if ![anchor_spl::token::ID, anchor_spl::token_2022::ID].contains(&account.owner) {
            return Err(not_a_mint());
        }
        let state = StateWithExtensions::<Mint>::unpack(&account.data).map_err(|_| not_a_mint())?;
        Ok(MintInfo {
            decimals: state.base.decimals,
            token_program: account.owner,
            supply: state.base.supply,
        })
    }

    /// Moves `lamports` from the fee payer to each of `recipients` (an
    /// issuer funded to pay its records' rent, a demo's actors).
    pub async fn transfer_lamports(&self, recipients: &[Pubkey], lamports: u64) -> Result<Outcome> {
        let ixs: Vec<_> = recipients
            .iter()
            .map(|to| {
                anchor_lang::solana_program::system_instruction::transfer(
                    &self.payer(),
                    to,
                    lamports,
                )
            })
            .collect();
        self.act(&ixs, &[]).await
    }

    /// The amount a token account holds (`AccountNotFound` when absent).
    pub async fn token_balance(&self, account: &Pubkey) -> Result<u64> {
        let state =
            self.backend()
                .get_account(account)
                .await?
                .ok_or(crate::SdkError::AccountNotFound {
                    address: *account,
                    expected: "token account",
                })?;
        token_account_amount(&state.data)
    }

    /// `owner`'s associated token account for `mint`, created (paid by the
    /// fee payer) when missing.
    pub async fn create_associated_token_account(
        &self,
        owner: &Pubkey,
        mint: &Pubkey,
    ) -> Result<Outcome> {
        let info = self.mint_info(mint).await?;
        let address =
            get_associated_token_address_with_program_id(owner, mint, &info.token_program);
        let ix = create_associated_token_account_idempotent(
            &self.payer(),
            owner,
            mint,
            &info.token_program,
        );
        self.create(
            self.exists(&address).await?,
            &[ix],
            &[],
            vec![("token account", address)],
        )
        .await
    }
}

/// The amount held by a token account (SPL Token or Token-2022, with or
/// without extensions), read through Token-2022's own decoder.
pub fn token_account_amount(data: &[u8]) -> Result<u64> {
    use anchor_spl::token_2022::spl_token_2022::{extension::StateWithExtensions, state::Account};
    StateWithExtensions::<Account>::unpack(data)
        .map(|state| state.base.amount)
        .map_err(|e| crate::SdkError::InvalidInput(format!("not a token account: {e}")))
}
