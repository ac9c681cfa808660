//! `panacea consent list [--patient ADDRESS]`

use {
    crate::{context::Ctx, output::Report, parse, view},
    anyhow::Result,
    panacea_sdk::Pubkey,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The patient's wallet address [default: the signer]
    #[arg(long, value_parser = parse::address)]
    pub patient: Option<Pubkey>,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let patient = ctx.or_signer(args.patient)?;
    let mut consents = ctx.reader().consents_of_patient(&patient).await?;
    consents.sort_by_key(|(_, c)| c.granted_at);
    Ok(Report::list(
        format!("{} consents of {patient}", consents.len()),
        &consents
            .iter()
            .map(|(a, c)| view::consent(a, c))
            .collect::<Vec<_>>(),
        &["address", "decision", "purpose", "status", "grantee"],
    ))
}
