//! `panacea access deny --requester ADDRESS [--record RECORD]`

use {
    super::RequestRef,
    crate::{
        context::Ctx,
        output::{none, Report},
    },
    anyhow::Result,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub request: RequestRef,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let client = ctx.client()?;
    let (authority, patient, target, request) = args.request.resolve(ctx, &client).await?;
    let outcome = client
        .deny_request(
            &authority,
            &patient,
            &args.request.requester,
            &target,
            &request.rent_payer,
        )
        .await?;
    Ok(Report::outcome(
        format!("Request of {} denied", args.request.requester),
        &outcome,
        none(),
    ))
}
