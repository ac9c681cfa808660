//! `panacea tree close TREE`

use {
    crate::{context::Ctx, output::Report, parse},
    anyhow::Result,
    panacea_sdk::Pubkey,
    serde::Serialize,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The tree (empty, or every record erased), signed by its authority
    #[arg(value_parser = parse::address)]
    pub tree: Pubkey,
}

/// `tree close`'s fields.
#[derive(Serialize)]
pub struct Closed {
    pub refunded_to: String,
    pub lamports: u64,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let authority = ctx.signer()?;
    let client = ctx.client()?;
    let lamports = client.record_tree(&args.tree).await?.lamports;
    let outcome = client.close_record_tree(&*authority, &args.tree).await?;
    let refunded_to = outcome.address("rent_payer").expect("named");
    Ok(Report::outcome(
        format!(
            "Record tree {} closed: {lamports} lamports of rent back to {refunded_to}",
            args.tree
        ),
        &outcome,
        &Closed {
            refunded_to: refunded_to.to_string(),
            lamports,
        },
    ))
}
