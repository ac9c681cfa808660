//! `panacea access approve --requester ADDRESS [--record RECORD]`

use {
    super::RequestRef,
    crate::{
        context::{encryption_keys, Ctx},
        output::Report,
    },
    anyhow::Result,
    panacea_sdk::{
        records_program::{instructions::ApproveAccessRequestArgs, pda, state::GrantScope},
        Outcome,
    },
    serde_json::json,
    solana_signer::Signer,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub request: RequestRef,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let client = ctx.client()?;
    let (authority, patient, target, request) = args.request.resolve(ctx, &client).await?;
    let requester = args.request.requester;
    let outcome = if request.scope == GrantScope::Record {
        let store = ctx.store()?;
        client
            .approve_record_request(
                &authority,
                &patient,
                &requester,
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
            &requester,
            &target,
            &request.rent_payer,
            ApproveAccessRequestArgs {
                wrapped_key: Vec::new(),
            },
        );
        let signature = client.send(&[ix], &[&authority]).await?;
        Outcome {
            signature: Some(signature),
            addresses: vec![("grant", pda::grant(&patient, &requester, &target).0)],
            already_existed: false,
        }
    };
    Ok(Report::outcome(
        format!("Request of {requester} approved"),
        &outcome,
        json!({ "scope": format!("{:?}", request.scope) }),
    ))
}
