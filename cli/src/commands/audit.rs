//! `panacea audit [PATIENT] [--fhir]`: every Panacea event about a
//! patient, oldest first, read from the cluster's transaction history.

use {
    crate::{context::Ctx, output::Report, parse},
    anyhow::Result,
    panacea_sdk::{
        audit::{audit_event_to_fhir, audit_trail, iso8601},
        backend::rpc::RpcBackend,
        PanaceaClient, Pubkey,
    },
    serde_json::json,
    solana_commitment_config::CommitmentConfig,
    solana_keypair::Keypair,
    std::sync::Arc,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The patient's wallet address [default: the signer]
    #[arg(value_parser = parse::address)]
    pub patient: Option<Pubkey>,
    /// Export the access events as a FHIR R4 Bundle of AuditEvents
    #[arg(long)]
    pub fhir: bool,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let patient = ctx.or_signer(args.patient)?;
    // History is indexed as slots are rooted: read it at `finalized`.
    let backend = Arc::new(RpcBackend::new(
        ctx.url.clone(),
        CommitmentConfig::finalized(),
    ));
    let client = PanaceaClient::new(backend, Keypair::new());
    let trail = audit_trail(&client, &patient).await?;
    if args.fhir {
        let entries: Vec<_> = trail
            .iter()
            .filter_map(audit_event_to_fhir)
            .map(|resource| json!({ "resource": resource }))
            .collect();
        return Ok(Report::raw(json!({
            "resourceType": "Bundle",
            "type": "collection",
            "total": entries.len(),
            "entry": entries,
        })));
    }
    let items = trail
        .iter()
        .map(|entry| {
            json!({
                "time": entry.time.map(iso8601),
                "event": entry.event.name(),
                "slot": entry.slot,
                "signature": entry.signature.to_string(),
                "details": format!("{:?}", entry.event),
            })
        })
        .collect::<Vec<_>>();
    Ok(Report::list(
        format!("{} events about {patient} (finalized)", items.len()),
        items,
        &["time", "event", "signature"],
    ))
}
