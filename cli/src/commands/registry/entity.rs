//! `panacea registry entity ADDRESS`

use {
    crate::{context::Ctx, output::Report, parse, view},
    anyhow::Result,
    panacea_sdk::{
        records_program::{pda, state::Entity},
        Pubkey,
    },
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The entity's authority (its wallet address) [default: the signer]
    #[arg(value_parser = parse::address)]
    pub entity: Option<Pubkey>,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let authority = ctx.or_signer(args.entity)?;
    let address = pda::entity(&authority).0;
    let entity: Entity = ctx.reader().get(&address).await?;
    Ok(Report::object(
        format!("{:?} {authority}", entity.kind),
        &view::entity(&address, &entity),
    ))
}
