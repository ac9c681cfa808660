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
    serde::Serialize,
    serde_json::Value,
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

/// One event of a patient's audit trail.
#[derive(Serialize)]
pub struct Event {
    pub time: Option<String>,
    pub event: &'static str,
    pub slot: u64,
    pub signature: String,
    /// `by <member> for <entity>` when a member acted for an entity.
    pub by: Option<String>,
    pub details: String,
}

/// `audit --fhir`: a FHIR R4 Bundle of AuditEvents.
#[derive(Serialize)]
pub struct Bundle {
    #[serde(rename = "resourceType")]
    pub resource_type: &'static str,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub total: usize,
    pub entry: Vec<BundleEntry>,
}

#[derive(Serialize)]
pub struct BundleEntry {
    pub resource: Value,
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
            .map(|resource| BundleEntry { resource })
            .collect();
        return Ok(Report::raw(&Bundle {
            resource_type: "Bundle",
            kind: "collection",
            total: entries.len(),
            entry: entries,
        }));
    }
    let items = trail
        .iter()
        .map(|entry| Event {
            time: entry.time.map(iso8601),
            event: entry.event.name(),
            slot: entry.slot,
            signature: entry.signature.to_string(),
            by: entry
                .event
                .actor_member()
                .map(|member| match entry.event.acting_entity() {
                    Some(entity) => format!("by {member} for {entity}"),
                    None => format!("by {member}"),
                }),
            details: format!("{:?}", entry.event),
        })
        .collect::<Vec<_>>();
    Ok(Report::list(
        format!("{} events about {patient} (finalized)", items.len()),
        &items,
        &["time", "event", "signature", "by"],
    ))
}
