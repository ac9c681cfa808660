//! `panacea tree show TREE [--leaves]`

use {
    crate::{context::Ctx, output::Report, parse, view::hex},
    anyhow::Result,
    panacea_sdk::{
        compression::{compressed_address, proof_bytes},
        Pubkey,
    },
    serde::Serialize,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[arg(value_parser = parse::address)]
    pub tree: Pubkey,
    /// List its records too (rebuilt from the tree's events; cached)
    #[arg(long)]
    pub leaves: bool,
}

/// `tree show`: the account and, with `--leaves`, its records.
#[derive(Serialize)]
pub struct Shown {
    pub tree: String,
    pub authority: String,
    /// The only issuer that appends; none: any active issuer (a shared tree).
    pub issuer: Option<String>,
    pub rent_payer: String,
    pub max_depth: u8,
    pub max_buffer_size: u32,
    pub canopy_depth: u8,
    pub capacity: u64,
    pub records: u64,
    pub erased: u64,
    pub sequence: u64,
    pub root: String,
    pub proof_bytes: usize,
    pub space: usize,
    pub rent_lamports: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leaves: Option<Vec<Leaf>>,
}

/// One record of the tree.
#[derive(Serialize)]
pub struct Leaf {
    /// `TREE:INDEX`, as commands taking a record accept it.
    pub leaf: String,
    pub record: String,
    pub patient: Option<String>,
    pub kind: Option<String>,
    /// `Active`, `Superseded`, `Retracted`, or `Erased`.
    pub status: String,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let reader = ctx.reader();
    let state = reader.record_tree(&args.tree).await?;
    let account = &state.account;
    let leaves = if args.leaves {
        let index = reader.tree_index(&args.tree).await?;
        Some(
            index
                .leaves()
                .map(|(i, record)| Leaf {
                    leaf: format!("{}:{i}", args.tree),
                    record: compressed_address(&args.tree, i).to_string(),
                    patient: record.map(|r| r.patient.to_string()),
                    kind: record.map(|r| format!("{:?}", r.kind)),
                    status: record.map_or("Erased".into(), |r| format!("{:?}", r.status)),
                })
                .collect(),
        )
    } else {
        None
    };
    Ok(Report::object(
        format!(
            "Record tree {}: {} of {} records written, {} erased",
            args.tree,
            account.records,
            account.capacity(),
            account.erased
        ),
        &Shown {
            tree: args.tree.to_string(),
            authority: account.authority.to_string(),
            issuer: account.issuer.map(|i| i.to_string()),
            rent_payer: account.rent_payer.to_string(),
            max_depth: account.max_depth,
            max_buffer_size: account.max_buffer_size,
            canopy_depth: account.canopy_depth,
            capacity: account.capacity(),
            records: account.records,
            erased: account.erased,
            sequence: state.header.sequence_number,
            root: hex(&state.root),
            proof_bytes: proof_bytes(
                u32::from(account.max_depth),
                u32::from(account.canopy_depth),
            ),
            space: state.space,
            rent_lamports: state.lamports,
            leaves,
        },
    ))
}
