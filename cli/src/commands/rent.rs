//! `panacea rent`: what each account and each operation costs in rent on
//! the cluster (refunded when the account is closed).

use {
    crate::{context::Ctx, output::Report},
    anyhow::Result,
    panacea_sdk::rent::{account_rent, operation_rent},
    serde_json::json,
};

#[derive(clap::Args, Debug)]
pub struct Args {}

const SOL: f64 = 1e9;

pub async fn run(ctx: &Ctx, _args: Args) -> Result<Report> {
    let accounts = account_rent(ctx.backend().as_ref()).await?;
    let mut items: Vec<_> = accounts
        .iter()
        .map(|row| {
            json!({
                "item": row.name,
                "type": "account",
                "bytes": row.bytes,
                "lamports": row.lamports,
                "sol": format!("{:.6}", row.lamports as f64 / SOL),
            })
        })
        .collect();
    items.extend(
        operation_rent(&accounts)
            .into_iter()
            .map(|(name, lamports)| {
                json!({
                    "item": name,
                    "type": "operation",
                    "bytes": null,
                    "lamports": lamports,
                    "sol": format!("{:.6}", lamports as f64 / SOL),
                })
            }),
    );
    Ok(Report::list(
        format!("Rent on {} (lamports, SOL; refunded on close)", ctx.url),
        items,
        &["type", "lamports", "sol", "item"],
    ))
}
