//! `panacea record amend RECORD FILE [--grant GRANT]` (RECORD: an address,
//! or `TREE:INDEX` for a compressed record, whose new version is appended
//! to the same tree)

use {
    super::read_fhir,
    crate::{context::Ctx, output::Report, parse},
    anyhow::Result,
    panacea_sdk::{compression::RecordRef, Pubkey},
    serde::Serialize,
    std::path::PathBuf,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The record to amend: its address, or TREE:INDEX for a compressed record
    #[arg(value_parser = parse::record)]
    pub record: RecordRef,
    /// The new version, a FHIR JSON file
    pub file: PathBuf,
    /// The signer's grant with amend permission, when it is not the original issuer
    #[arg(long, value_parser = parse::address)]
    pub grant: Option<Pubkey>,
}

/// `record amend`'s fields (the new version is `record`).
#[derive(Serialize)]
pub struct Amended {
    pub supersedes: String,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    ctx.online_only("record amend")?;
    let (bytes, _) = read_fhir(&args.file)?;
    let issuer = ctx.signer()?;
    let acting = ctx.acting(&*issuer)?;
    let client = ctx.client()?;
    // The new version's payload must outlive this command.
    let store = ctx.lasting_store()?;
    client.resolve_record(&args.record).await?;
    let outcome = match args.record {
        RecordRef::Account(record) => {
            client
                .amend_record(acting, &record, args.grant.as_ref(), &bytes, &store)
                .await?
                .0
        }
        RecordRef::Compressed { .. } => {
            client
                .amend_compressed_record(acting, &args.record, args.grant.as_ref(), &bytes, &store)
                .await?
                .0
        }
    };
    Ok(Report::outcome(
        "Record amended",
        &outcome,
        &Amended {
            supersedes: args.record.to_string(),
        },
    ))
}
