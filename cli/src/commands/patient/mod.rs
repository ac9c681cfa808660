//! `panacea patient`: a patient's profile and guardian.

mod register;
mod rotate_key;
mod set_guardian;
mod show;

use {
    crate::{context::Ctx, output::Report},
    anyhow::Result,
    clap::Subcommand,
};

#[derive(Subcommand, Debug)]
pub enum PatientCommand {
    /// Register the signer as a patient, publishing the public key of their encryption key file
    Register(register::Args),
    /// Name a guardian (who co-signs) or remove the guardian
    SetGuardian(set_guardian::Args),
    /// Show a patient's profile
    Show(show::Args),
    /// Rotate the signer's encryption key: re-wrap their records to a new key file (the old one is kept as <file>.old-<unix time>)
    RotateKey(rotate_key::Args),
}

pub async fn run(ctx: &Ctx, command: PatientCommand) -> Result<Report> {
    match command {
        PatientCommand::Register(args) => register::run(ctx, args).await,
        PatientCommand::SetGuardian(args) => set_guardian::run(ctx, args).await,
        PatientCommand::Show(args) => show::run(ctx, args).await,
        PatientCommand::RotateKey(args) => rotate_key::run(ctx, args).await,
    }
}
