//! `panacea access approve --requester ADDRESS [--record RECORD]`

use {
    crate::{
        commands::load,
        context::{encryption_keys, Ctx},
        output::Report,
        parse,
    },
    anyhow::Result,
    panacea_sdk::{
        records_program::{
            instructions::ApproveAccessRequestArgs,
            pda,
            state::{AccessRequest, GrantScope},
        },
        Outcome, Pubkey,
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
    let outcome = if request.scope == GrantScope::Record {
        let store = ctx.store()?;
        client
            .approve_record_request(
                &authority,
                &patient,
                &args.requester,
                &target,
                &request.rent_payer,
                &encryption_keys(&authority),
                &store,
            )
            .await?
    } else {
        // A grant over the patient's records carries no single data key.
        let ix = panacea_sdk::records::approve_access_request(
            &client.payer(),
            &authority.pubkey(),
            &patient,
            &args.requester,
            &target,
            &request.rent_payer,
            ApproveAccessRequestArgs {
                wrapped_key: Vec::new(),
            },
        );
        let signature = client.send(&[ix], &[&authority]).await?;
        Outcome {
            signature: Some(signature),
            addresses: vec![("grant", pda::grant(&patient, &args.requester, &target).0)],
            already_existed: false,
        }
    };
    Ok(Report::outcome(
        format!("Request of {} approved", args.requester),
        &outcome,
        json!({ "request": address.to_string() }),
    ))
}
