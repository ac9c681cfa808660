//! `panacea access grant (RECORD | --kinds KINDS [--patient ADDRESS]) --to GRANTEE [--permissions read] [--purpose treatment] [--duration 30d]`

use {
    crate::{
        context::Ctx,
        output::Report,
        parse::{self, KindsArg, PermissionArg, PurposeArg},
    },
    anyhow::Result,
    panacea_sdk::{
        compression::RecordRef,
        ops::patient::AccessTerms,
        records_program::{pda, state::Entity},
        Pubkey,
    },
    serde::Serialize,
    solana_signer::Signer,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The record to share (an address, or TREE:INDEX for a compressed record) [default: the patient's records of --kinds]
    #[arg(value_parser = parse::record, required_unless_present = "kinds")]
    pub record: Option<RecordRef>,
    /// Record kinds, for a grant over the patient's records: the grantee gets the keys of those that exist and of those issued while it lives
    #[arg(long, value_enum, value_delimiter = ',', conflicts_with = "record")]
    pub kinds: Option<Vec<KindsArg>>,
    /// The patient, when a guardian signs a grant over the patient's records [default: the signer]
    #[arg(long, value_parser = parse::address, requires = "kinds")]
    pub patient: Option<Pubkey>,
    /// The grantee: a registered entity's wallet address
    #[arg(long, value_parser = parse::address)]
    pub to: Pubkey,
    #[arg(long, value_enum, value_delimiter = ',', default_value = "read")]
    pub permissions: Vec<PermissionArg>,
    #[arg(long, value_enum, default_value = "treatment")]
    pub purpose: PurposeArg,
    #[arg(long, value_parser = parse::duration, default_value = "30d")]
    pub duration: i64,
}

/// `access grant`'s fields.
#[derive(Serialize)]
pub struct Granted {
    pub grantee: String,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let authority = ctx.signer()?;
    let keys = ctx.encryption_keys(&authority.pubkey())?;
    let client = ctx.client()?;
    // A grant over the patient's records writes the grantee's envelopes:
    // the store must outlive the command.
    let store = if args.record.is_some() {
        ctx.store()?
    } else {
        ctx.lasting_store()?
    };
    let _: Entity = client.get(&pda::entity(&args.to).0).await?;
    let terms = AccessTerms {
        permissions: parse::permissions_mask(&args.permissions),
        purpose: args.purpose.into(),
        duration: args.duration,
    };
    let (title, outcome) = match (args.record, &args.kinds) {
        (Some(record), _) => {
            let state = client.resolve_record(&record).await?.record;
            let outcome = client
                .grant_record_access(
                    &*authority,
                    &state.patient,
                    &record,
                    &args.to,
                    terms,
                    &keys,
                    &store,
                )
                .await?;
            (
                format!("Access to record {record} granted to {}", args.to),
                outcome,
            )
        }
        (None, kinds) => {
            let patient = args.patient.unwrap_or(authority.pubkey());
            let kinds = parse::kinds_mask(kinds.as_deref().unwrap_or(&[]));
            let outcome = client
                .grant_patient_access(&*authority, &patient, &args.to, kinds, terms, &keys, &store)
                .await?;
            (
                format!(
                    "Access to the records of {patient} of kinds 0x{kinds:03x} granted to {}, with their keys",
                    args.to
                ),
                outcome,
            )
        }
    };
    Ok(Report::outcome(
        title,
        &outcome,
        &Granted {
            grantee: args.to.to_string(),
        },
    ))
}
