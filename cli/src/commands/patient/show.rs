//! `panacea patient show [PATIENT]`

use {
    crate::{context::Ctx, output::Report, parse, view},
    anyhow::Result,
    panacea_sdk::{
        records_program::{pda, state::Patient},
        Pubkey,
    },
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The patient's wallet address [default: the signer]
    #[arg(value_parser = parse::address)]
    pub patient: Option<Pubkey>,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let patient = ctx.or_signer(args.patient)?;
    let address = pda::patient(&patient).0;
    let profile: Patient = ctx.reader().get(&address).await?;
    Ok(Report::object(
        format!("Patient {patient}"),
        &view::patient(&address, &profile),
    ))
}
