//! `panacea patient set-guardian (--guardian KEYPAIR | --none)`

use {
    crate::{context::Ctx, output::Report},
    anyhow::Result,
    serde_json::json,
    solana_signer::Signer,
};

#[derive(clap::Args, Debug)]
#[group(required = true, multiple = false)]
pub struct Args {
    /// Keypair file of the new guardian (they co-sign)
    #[arg(long, value_name = "KEYPAIR")]
    pub guardian: Option<String>,
    /// Remove the guardian
    #[arg(long)]
    pub none: bool,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let patient = ctx.signer()?;
    let guardian = match &args.guardian {
        Some(source) => Some(ctx.role_signer(source, "guardian")?),
        None => None,
    };
    let client = ctx.client()?;
    let outcome = client.set_guardian(&patient, guardian.as_deref()).await?;
    let named = guardian.as_ref().map(|g| g.pubkey().to_string());
    let title = match &named {
        Some(g) => format!("Guardian set to {g}"),
        None => "Guardian removed".to_string(),
    };
    Ok(Report::outcome(
        title,
        &outcome,
        json!({ "guardian": named }),
    ))
}
