//! `panacea rent`: what each account and each operation costs in rent on
//! the cluster (refunded when the account is closed).

use {
    crate::{context::Ctx, output::Report},
    anyhow::Result,
    panacea_sdk::rent::{account_rent, operation_rent},
    serde::Serialize,
};

#[derive(clap::Args, Debug)]
pub struct Args {}

const SOL: f64 = 1e9;

/// What one account kind or one operation costs in rent.
#[derive(Serialize)]
pub struct Rent {
    pub item: String,
    /// `account` or `operation`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The account's size; `None` for an operation.
    pub bytes: Option<usize>,
    pub lamports: u64,
    pub sol: String,
}

pub async fn run(ctx: &Ctx, _args: Args) -> Result<Report> {
    let accounts = account_rent(ctx.backend().as_ref()).await?;
    let mut items: Vec<_> = accounts
        .iter()
        .map(|row| Rent {
            item: row.name.to_string(),
            kind: "account",
            bytes: Some(row.bytes),
            lamports: row.lamports,
            sol: format!("{:.6}", row.lamports as f64 / SOL),
        })
        .collect();
    items.extend(
        operation_rent(&accounts)
            .into_iter()
            .map(|(name, lamports)| Rent {
                item: name.to_string(),
                kind: "operation",
                bytes: None,
                lamports,
                sol: format!("{:.6}", lamports as f64 / SOL),
            }),
    );
    Ok(Report::list(
        format!("Rent on {} (lamports, SOL; refunded on close)", ctx.url),
        &items,
        &["type", "lamports", "sol", "item"],
    ))
}
