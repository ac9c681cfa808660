//! `panacea bounty reject CONTRIBUTION --reason CODE`

use {
    crate::{context::Ctx, output::Report, parse},
    anyhow::Result,
    panacea_sdk::Pubkey,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[arg(value_parser = parse::address)]
    pub contribution: Pubkey,
    /// Why, as a code the study defines (1 to 65535)
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    pub reason: u16,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let researcher = ctx.signer()?;
    let client = ctx.client()?;
    let outcome = client
        .reject_contribution(ctx.acting(&*researcher)?, &args.contribution, args.reason)
        .await?;
    super::after(&client, &args.contribution, "rejected", &outcome).await
}
