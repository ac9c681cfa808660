//! Payout tokens for development and demos: a mint whose authority is the
//! fee payer, with associated token accounts funded for some holders. On a
//! real cluster the payout mint is USDC's or the insurer's own.

use {
    crate::{backend::Backend, client::PanaceaClient, error::Result},
    anchor_lang::prelude::Pubkey,
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
const MINT_LEN: usize = 82;

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
}

/// The amount held by a token account (SPL Token or Token-2022, with or
/// without extensions), read through Token-2022's own decoder.
pub fn token_account_amount(data: &[u8]) -> Result<u64> {
    use anchor_spl::token_2022::spl_token_2022::{extension::StateWithExtensions, state::Account};
    StateWithExtensions::<Account>::unpack(data)
        .map(|state| state.base.amount)
        .map_err(|e| crate::SdkError::InvalidInput(format!("not a token account: {e}")))
}
