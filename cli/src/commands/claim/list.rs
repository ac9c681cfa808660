//! `panacea claim list --policy POLICY`

use {
    crate::{context::Ctx, output::Report, parse, view},
    anyhow::Result,
    panacea_sdk::Pubkey,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[arg(long, value_parser = parse::address)]
    pub policy: Pubkey,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let mut claims = ctx.reader().claims_of_policy(&args.policy).await?;
    claims.sort_by_key(|(_, c)| c.submitted_at);
    Ok(Report::list(
        format!("{} claims on policy {}", claims.len(), args.policy),
        &claims
            .iter()
            .map(|(a, c)| view::claim(a, c))
            .collect::<Vec<_>>(),
        &[
            "address",
            "status",
            "amount_billed",
            "amount_payable",
            "provider",
        ],
    ))
}
