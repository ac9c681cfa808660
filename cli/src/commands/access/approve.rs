//! `panacea access approve --requester ADDRESS [--record RECORD]`

use {
    super::RequestRef,
    crate::{context::Ctx, output::Report},
    anyhow::Result,
    serde::Serialize,
    solana_signer::Signer,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub request: RequestRef,
}

/// `access approve`'s fields.
#[derive(Serialize)]
pub struct Approved {
    pub scope: String,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let client = ctx.client()?;
    let authority = ctx.signer()?;
    let keys = ctx.encryption_keys(&authority.pubkey())?;
    let (patient, target) = args.request.resolve(&authority.pubkey());
    let requester = args.request.requester;
    let request = client.access_request(&patient, &requester, &target).await?;
    let outcome = match &args.request.record {
        Some(record @ panacea_sdk::compression::RecordRef::Compressed { .. }) => {
            client
                .approve_record_access_request(
                    &*authority,
                    &requester,
                    record,
                    &keys,
                    &ctx.store()?,
                )
                .await?
        }
        _ => {
            client
                .approve_access_request(
                    &*authority,
                    &patient,
                    &requester,
                    &target,
                    &keys,
                    &ctx.store()?,
                )
                .await?
        }
    };
    Ok(Report::outcome(
        format!("Request of {requester} approved"),
        &outcome,
        &Approved {
            scope: format!("{:?}", request.scope),
        },
    ))
}
