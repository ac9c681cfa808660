//! One module per command group, one file per command. Each command reads
//! and checks its inputs, acts through the SDK and returns a [`Report`].

pub mod access;
pub mod audit;
pub mod claim;
pub mod consent;
pub mod demo;
pub mod migrate;
pub mod patient;
pub mod policy;
pub mod record;
pub mod registry;
pub mod rent;

use {
    crate::{
        cli::{Cli, Command},
        context::Ctx,
        explain,
        output::Report,
    },
    anyhow::Result,
};

pub async fn run(cli: Cli) -> Result<()> {
    let ctx = Ctx::new(&cli.global)?;
    let report = match dispatch(&ctx, cli.command).await {
        Ok(report) => report,
        Err(error) => return Err(explain::in_context(error, &ctx).await),
    };
    let report = if ctx.dump_message {
        report
    } else {
        report.without_message()
    };
    report.print(ctx.output);
    Ok(())
}

async fn dispatch(ctx: &Ctx, command: Command) -> Result<Report> {
    match command {
        Command::Registry(c) => registry::run(ctx, c).await,
        Command::Patient(c) => patient::run(ctx, c).await,
        Command::Record(c) => record::run(ctx, c).await,
        Command::Access(c) => access::run(ctx, c).await,
        Command::Consent(c) => consent::run(ctx, c).await,
        Command::Policy(c) => policy::run(ctx, c).await,
        Command::Claim(c) => claim::run(ctx, c).await,
        Command::Audit(args) => audit::run(ctx, args).await,
        Command::Rent(args) => rent::run(ctx, args).await,
        Command::Demo(args) => demo::run(ctx, args).await,
        Command::Migrate(args) => migrate::run(ctx, args).await,
    }
}
