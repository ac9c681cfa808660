//! `panacea tree create --depth D --buffer B --canopy C [--shared]`
//!
//! The signer is the tree's authority: an issuing entity (only it appends
//! to the tree), or, with `--shared`, the registry admin (any active issuer
//! appends). The fee payer pays the rent, refunded when the tree closes.

use {
    crate::{context::Ctx, output::Report},
    anyhow::Result,
    panacea_sdk::{compression::proof_bytes, records as rx},
    serde::Serialize,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Depth: the tree holds 2^depth records (3 to 30)
    #[arg(long, default_value_t = 20)]
    pub depth: u8,
    /// Changelog buffer: writes built against the same root that all land (8 to 2048)
    #[arg(long, default_value_t = 64)]
    pub buffer: u32,
    /// Canopy: top levels kept on chain, so proofs carry depth - canopy nodes (below the depth)
    #[arg(long, default_value_t = 10)]
    pub canopy: u8,
    /// A tree any active issuer appends to (the registry admin creates it)
    #[arg(long)]
    pub shared: bool,
}

/// `tree create`'s fields.
#[derive(Serialize)]
pub struct Created {
    pub tree: String,
    pub capacity: u64,
    pub space: usize,
    pub proof_bytes: usize,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let space = rx::record_tree_space(args.depth, args.buffer, args.canopy).map_err(|e| {
        anyhow::anyhow!(
            "depth {}, buffer {}, canopy {}: {e}",
            args.depth,
            args.buffer,
            args.canopy
        )
    })?;
    let authority = ctx.signer()?;
    let client = ctx.client()?;
    let outcome = client
        .create_record_tree(
            &*authority,
            args.depth,
            args.buffer,
            args.canopy,
            args.shared,
        )
        .await?;
    let tree = outcome.address("tree").expect("named");
    Ok(Report::outcome(
        format!(
            "Record tree {tree} created ({} records, {})",
            1u64 << args.depth,
            if args.shared {
                "shared by every active issuer"
            } else {
                "for this issuer only"
            }
        ),
        &outcome,
        &Created {
            tree: tree.to_string(),
            capacity: 1u64 << args.depth,
            space,
            proof_bytes: proof_bytes(u32::from(args.depth), u32::from(args.canopy)),
        },
    ))
}
