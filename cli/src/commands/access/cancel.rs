//! `panacea access cancel --patient ADDRESS [--record RECORD] [--requester ADDRESS]`

use {
    crate::{
        context::Ctx,
        output::{Nothing, Report},
        parse,
    },
    anyhow::Result,
    panacea_sdk::{
        records_program::{pda, state::AccessRequest},
        Pubkey,
    },
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The patient asked
    #[arg(long, value_parser = parse::address)]
    pub patient: Pubkey,
    /// The record asked for: an address, or TREE:INDEX for a compressed record [default: a request over the patient's records]
    #[arg(long, value_parser = parse::record)]
    pub record: Option<panacea_sdk::compression::RecordRef>,
    /// Who asked [default: the signer, or with --entity that entity]; anyone may close an expired request
    #[arg(long, value_parser = parse::address)]
    pub requester: Option<Pubkey>,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let closer = ctx.signer()?;
    let acting = ctx.acting(&*closer)?;
    let requester = args.requester.unwrap_or(acting.entity);
    let client = ctx.client()?;
    let record = args.record.as_ref().map(|r| r.address());
    let target = panacea_sdk::records::request_target(&args.patient, record.as_ref());
    let address = pda::access_request(&args.patient, &requester, &target).0;
    let request: AccessRequest = client.get(&address).await?;
    let outcome = client
        .cancel_access_request(
            acting,
            &args.patient,
            &requester,
            &target,
            &request.rent_payer,
        )
        .await?;
    Ok(Report::outcome(
        format!("Access request of {requester} to {} closed", args.patient),
        &outcome,
        &Nothing {},
    ))
}
