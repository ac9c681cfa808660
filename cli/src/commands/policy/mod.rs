//! `panacea policy`: an insurer's policies and their escrow. Amounts are
//! in the payout mint's units (`12.5` USDC), as spl-token shows them.

mod close;
mod create;
mod fund;
mod show;
mod withdraw;

use {
    crate::{context::Ctx, output::Report},
    anyhow::Result,
    clap::Subcommand,
};

#[derive(Subcommand, Debug)]
pub enum PolicyCommand {
    /// Open a policy for a patient, with its escrow vault (the insurer)
    Create(create::Args),
    /// Deposit into a policy's escrow
    Fund(fund::Args),
    /// Withdraw escrow not reserved for claims (the insurer)
    Withdraw(withdraw::Args),
    /// Close a policy with no open claims, recovering its escrow and rent (the insurer)
    Close(close::Args),
    /// Show a policy and its escrow totals
    Show(show::Args),
}

pub async fn run(ctx: &Ctx, command: PolicyCommand) -> Result<Report> {
    match command {
        PolicyCommand::Create(args) => create::run(ctx, args).await,
        PolicyCommand::Fund(args) => fund::run(ctx, args).await,
        PolicyCommand::Withdraw(args) => withdraw::run(ctx, args).await,
        PolicyCommand::Close(args) => close::run(ctx, args).await,
        PolicyCommand::Show(args) => show::run(ctx, args).await,
    }
}
