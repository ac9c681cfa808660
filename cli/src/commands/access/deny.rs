//! `panacea access deny --requester ADDRESS [--record RECORD]`

use {
    super::RequestRef,
    crate::{
        context::Ctx,
        output::{Nothing, Report},
    },
    anyhow::Result,
    solana_signer::Signer,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub request: RequestRef,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let client = ctx.client()?;
    let authority = ctx.signer()?;
    let (patient, target) = args.request.resolve(&authority.pubkey());
    let outcome = client
        .deny_access_request(&*authority, &patient, &args.request.requester, &target)
        .await?;
    Ok(Report::outcome(
        format!("Request of {} denied", args.request.requester),
        &outcome,
        &Nothing {},
    ))
}
