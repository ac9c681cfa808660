//! `panacea registry`: the registry admin's commands.

mod book;
mod entity;
mod init;
mod register;
mod renew;
mod rotate_key;
mod set_status;
mod show;

use {
    crate::{context::Ctx, output::Report},
    anyhow::Result,
    clap::Subcommand,
};

#[derive(Subcommand, Debug)]
pub enum RegistryCommand {
    /// Create the registry (signed by the programs' upgrade authority)
    Init(init::Args),
    /// Create the deployment's record book (the admin; once, after init)
    Book(book::Args),
    /// Credential an entity: a provider, laboratory, pharmacy, insurer or researcher
    Register(register::Args),
    /// Suspend, revoke or reactivate an entity
    SetStatus(set_status::Args),
    /// Extend an entity's credential
    Renew(renew::Args),
    /// Show the registry configuration
    Show(show::Args),
    /// Show an entity
    Entity(entity::Args),
    /// Rotate the signing entity's encryption key to a new key file (the old one is kept as <file>.old-<unix time>)
    RotateKey(rotate_key::Args),
}

pub async fn run(ctx: &Ctx, command: RegistryCommand) -> Result<Report> {
    match command {
        RegistryCommand::Init(args) => init::run(ctx, args).await,
        RegistryCommand::Book(args) => book::run(ctx, args).await,
        RegistryCommand::Register(args) => register::run(ctx, args).await,
        RegistryCommand::SetStatus(args) => set_status::run(ctx, args).await,
        RegistryCommand::Renew(args) => renew::run(ctx, args).await,
        RegistryCommand::Show(args) => show::run(ctx, args).await,
        RegistryCommand::Entity(args) => entity::run(ctx, args).await,
        RegistryCommand::RotateKey(args) => rotate_key::run(ctx, args).await,
    }
}
