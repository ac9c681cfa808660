//! `panacea access deny --requester ADDRESS [--record RECORD]`

use {
    crate::{commands::load, context::Ctx, output::Report, parse},
    anyhow::Result,
    panacea_sdk::{
        records_program::{pda, state::AccessRequest},
        Pubkey,
    },
    serde_json::json,
    solana_signer::Signer,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Who asked
    #[arg(long, value_parser = parse::address)]
    pub requester: Pubkey,
    /// The record asked for [default: a request over the patient's records]
    #[arg(long, value_parser = parse::address)]
    pub record: Option<Pubkey>,
    /// The patient, when a guardian signs [default: the signer]
    #[arg(long, value_parser = parse::address)]
    pub patient: Option<Pubkey>,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let authority = ctx.signer()?;
    let patient = args.patient.unwrap_or(authority.pubkey());
    let client = ctx.client()?;
    let target = super::target(&patient, args.record.as_ref());
    let address = pda::access_request(&patient, &args.requester, &target).0;
    let request: AccessRequest = load(&client, &address, "access request").await?;
    let outcome = client
        .deny_request(
            &authority,
            &patient,
            &args.requester,
            &target,
            &request.rent_payer,
        )
        .await?;
    Ok(Report::outcome(
        format!("Request of {} denied", args.requester),
        &outcome,
        json!({ "request": address.to_string() }),
    ))
}
