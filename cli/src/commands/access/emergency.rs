//! `panacea access emergency --patient ADDRESS --reason CODE [--duration 1h]`

use {
    crate::{context::Ctx, output::Report, parse},
    anyhow::Result,
    panacea_sdk::Pubkey,
    serde::Serialize,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The patient's wallet address
    #[arg(long, value_parser = parse::address)]
    pub patient: Pubkey,
    /// A coded reason (no free text)
    #[arg(long)]
    pub reason: u16,
    /// How long the break-glass grant lasts (at most the registry's limit)
    #[arg(long, value_parser = parse::duration, default_value = "1h")]
    pub duration: i64,
}

/// `access emergency`'s fields.
#[derive(Serialize)]
pub struct Emergency {
    pub reason_code: u16,
    pub duration: i64,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let provider = ctx.signer()?;
    let acting = ctx.acting(&*provider)?;
    let client = ctx.client()?;
    let outcome = client
        .emergency_access(acting, &args.patient, args.reason, args.duration)
        .await?;
    Ok(Report::outcome(
        format!(
            "Emergency access to {}'s records (flagged, the patient is notified)",
            args.patient
        ),
        &outcome,
        &Emergency {
            reason_code: args.reason,
            duration: args.duration,
        },
    ))
}
