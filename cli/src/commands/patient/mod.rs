//! `panacea patient`: a patient's profile and guardian.

mod register;
mod set_guardian;
mod show;

use {
    crate::{context::Ctx, output::Report},
    anyhow::Result,
    clap::Subcommand,
};

#[derive(Subcommand, Debug)]
pub enum PatientCommand {
    /// Register the signer as a patient (encryption key derived from the wallet)
    Register(register::Args),
    /// Name a guardian (who co-signs) or remove the guardian
    SetGuardian(set_guardian::Args),
    /// Show a patient's profile
    Show(show::Args),
}

pub async fn run(ctx: &Ctx, command: PatientCommand) -> Result<Report> {
    match command {
        PatientCommand::Register(args) => register::run(ctx, args).await,
        PatientCommand::SetGuardian(args) => set_guardian::run(ctx, args).await,
        PatientCommand::Show(args) => show::run(ctx, args).await,
    }
}
