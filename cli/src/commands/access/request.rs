//! `panacea access request --patient ADDRESS [--record RECORD] [--kinds all] ...`

use {
    crate::{
        context::Ctx,
        output::Report,
        parse::{self, KindsArg, PermissionArg, PurposeArg},
    },
    anyhow::Result,
    panacea_sdk::{
        compression::RecordRef,
        records_program::{instructions::RequestAccessArgs, state::GrantScope},
        Pubkey,
    },
    serde::Serialize,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The patient's wallet address
    #[arg(long, value_parser = parse::address)]
    pub patient: Pubkey,
    /// One record: an address, or TREE:INDEX for a compressed record [default: the patient's records of --kinds]
    #[arg(long, value_parser = parse::record)]
    pub record: Option<RecordRef>,
    /// Record kinds, for a request over the patient's records
    #[arg(long, value_enum, value_delimiter = ',', default_value = "all")]
    pub kinds: Vec<KindsArg>,
    #[arg(long, value_enum, value_delimiter = ',', default_value = "read")]
    pub permissions: Vec<PermissionArg>,
    #[arg(long, value_enum, default_value = "treatment")]
    pub purpose: PurposeArg,
    /// How long the grant would last once approved
    #[arg(long, value_parser = parse::duration, default_value = "30d")]
    pub duration: i64,
    /// A coded reason (no free text: nothing about the patient goes on chain)
    #[arg(long, default_value_t = 0)]
    pub reason: u16,
}

/// `access request`'s fields.
#[derive(Serialize)]
pub struct Requested {
    pub scope: String,
    pub target: String,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let requester = ctx.signer()?;
    let acting = ctx.acting(&*requester)?;
    let client = ctx.client()?;
    let (scope, kinds) = match args.record {
        Some(_) => (GrantScope::Record, 0),
        None => (GrantScope::Patient, parse::kinds_mask(&args.kinds)),
    };
    let record = args.record.as_ref().map(|r| r.address());
    let target = panacea_sdk::records::request_target(&args.patient, record.as_ref());
    let request = RequestAccessArgs {
        scope,
        kinds,
        permissions: parse::permissions_mask(&args.permissions),
        purpose: args.purpose.into(),
        duration: args.duration,
        reason_code: args.reason,
        leaf: None,
    };
    let outcome = match &args.record {
        Some(record @ RecordRef::Compressed { .. }) => {
            client
                .request_record_access(acting, record, request)
                .await?
        }
        _ => {
            client
                .request_access(acting, &args.patient, &target, request)
                .await?
        }
    };
    Ok(Report::outcome(
        format!("Access requested from {}", args.patient),
        &outcome,
        &Requested {
            scope: format!("{scope:?}"),
            target: target.to_string(),
        },
    ))
}
