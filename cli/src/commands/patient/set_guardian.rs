//! `panacea patient set-guardian (--guardian SIGNER | --none)`

use {
    crate::{context::Ctx, output::Report},
    anyhow::Result,
    serde::Serialize,
    solana_signer::Signer,
};

#[derive(clap::Args, Debug)]
#[group(required = true, multiple = false)]
pub struct Args {
    /// The new guardian, who co-signs: any signer source (a keypair file, prompt://, usb://ledger, stdin, or a public key with --signer / --sign-only)
    #[arg(long, value_name = "SIGNER")]
    pub guardian: Option<String>,
    /// Remove the guardian
    #[arg(long)]
    pub none: bool,
}

/// `patient set-guardian`'s fields.
#[derive(Serialize)]
pub struct GuardianSet {
    pub guardian: Option<String>,
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
        &GuardianSet { guardian: named },
    ))
}
