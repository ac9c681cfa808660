use {
    crate::{errors::RecordsError, events::RecordTreeClosed, state::*},
    anchor_lang::prelude::*,
};

/// The tree's authority closes a tree that holds no record any more (none
/// appended, or every one erased); every lamport of its rent goes back to
/// the payer of its creation.
#[event_cpi]
#[derive(Accounts)]
pub struct CloseRecordTree<'info> {
    pub authority: Signer<'info>,
    #[account(
        mut,
        close = rent_payer,
        has_one = authority @ RecordsError::NotTreeAuthority,
        has_one = rent_payer @ RecordsError::RentPayerMismatch,
    )]
    pub tree: Account<'info, RecordTree>,
    /// CHECK: receives the rent; must be the tree's recorded rent payer.
    #[account(mut)]
    pub rent_payer: UncheckedAccount<'info>,
}

impl CloseRecordTree<'_> {
    pub fn validate(&self) -> Result<()> {
        require!(
            self.tree.erased == self.tree.records,
            RecordsError::TreeNotEmpty
        );
        Ok(())
    }
}

pub fn handler(ctx: Context<CloseRecordTree>) -> Result<()> {
    ctx.accounts.validate()?;
    let tree = &ctx.accounts.tree;
    emit_cpi!(RecordTreeClosed {
        tree: tree.key(),
        refunded: tree.to_account_info().lamports(),
    });
    Ok(())
}
