//! `panacea tree`: record trees, the concurrent Merkle trees compressed
//! records live in (`record issue --tree TREE` issues into one).

mod close;
mod create;
mod show;

use {
    crate::{context::Ctx, output::Report},
    anyhow::Result,
    clap::Subcommand,
};

#[derive(Subcommand, Debug)]
pub enum TreeCommand {
    /// Create a record tree: an issuing entity's own, or (--shared, the registry admin) any active issuer's
    Create(create::Args),
    /// Show a record tree: its capacity, counts, root and rent (and, with --leaves, its records)
    Show(show::Args),
    /// Close an empty or fully erased record tree, refunding its rent (its authority)
    Close(close::Args),
}

pub async fn run(ctx: &Ctx, command: TreeCommand) -> Result<Report> {
    match command {
        TreeCommand::Create(args) => create::run(ctx, args).await,
        TreeCommand::Show(args) => show::run(ctx, args).await,
        TreeCommand::Close(args) => close::run(ctx, args).await,
    }
}
