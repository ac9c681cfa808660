//! `panacea registry show`

use {
    crate::{context::Ctx, output::Report, view},
    anyhow::Result,
    panacea_sdk::records_program::{pda, state::RegistryConfig},
};

#[derive(clap::Args, Debug)]
pub struct Args {}

pub async fn run(ctx: &Ctx, _args: Args) -> Result<Report> {
    let address = pda::config().0;
    let config: RegistryConfig = ctx.reader().get(&address).await?;
    Ok(Report::object("Registry", &view::config(&address, &config)))
}
