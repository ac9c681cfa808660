//! `panacea emergency`: the emergency summary and its custodians.
//!
//! - `emergency custodians --threshold 2 --custodian AUTHORITY=ENCRYPTION_KEY_HEX ...`
//!   (the registry admin);
//! - `emergency summary mark|unmark RECORD...`, `emergency summary show`
//!   (the patient);
//! - `emergency read --patient ADDRESS --custodian URL ... [--out DIR]`
//!   (an emergency room: breaks the glass if needed, logs, asks the
//!   custodians, decrypts).

use {
    crate::{context::Ctx, output::Report, parse},
    anyhow::{anyhow, bail, Context as _, Result},
    clap::Subcommand,
    panacea_sdk::{records_program::state::Custodian, Pubkey},
    serde::Serialize,
    solana_signer::Signer,
    std::path::PathBuf,
};

#[derive(Subcommand, Debug)]
pub enum EmergencyCommand {
    /// Name the registry's emergency key custodians and their threshold (the admin)
    Custodians(CustodiansArgs),
    /// Your emergency summary: mark, unmark, show (the patient)
    #[command(subcommand)]
    Summary(SummaryCommand),
    /// Read a patient's emergency summary: break the glass, log, ask the custodians (an ER)
    Read(ReadArgs),
}

#[derive(clap::Args, Debug)]
pub struct CustodiansArgs {
    /// Shares needed to rebuild a key
    #[arg(long)]
    pub threshold: u8,
    /// AUTHORITY=ENCRYPTION_KEY_HEX (as `panacea custodian info` prints), 1 to 5 times
    #[arg(long = "custodian", required = true, value_parser = parse_custodian)]
    pub custodians: Vec<Custodian>,
}

#[derive(Subcommand, Debug)]
pub enum SummaryCommand {
    /// Add records to your emergency summary (their keys are split among the custodians)
    Mark(RecordsArgs),
    /// Take records out of your emergency summary (their shares are deleted)
    Unmark(RecordsArgs),
    /// The records of your emergency summary
    Show,
}

#[derive(clap::Args, Debug)]
pub struct RecordsArgs {
    /// Record addresses
    #[arg(required = true, value_parser = parse::address)]
    pub records: Vec<Pubkey>,
}

#[derive(clap::Args, Debug)]
pub struct ReadArgs {
    /// The patient's wallet address
    #[arg(long, value_parser = parse::address)]
    pub patient: Pubkey,
    /// A custodian's URL (http://host:port), once per custodian
    #[arg(long = "custodian", required = true)]
    pub custodians: Vec<String>,
    /// Break-glass reason code, when the glass must be broken
    #[arg(long, default_value_t = 911)]
    pub reason: u16,
    /// Break-glass duration, when the glass must be broken
    #[arg(long, value_parser = parse::duration, default_value = "1h")]
    pub duration: i64,
    /// Write each decrypted FHIR resource to this directory (else only
    /// what it is, not its content, is printed)
    #[arg(long)]
    pub out: Option<PathBuf>,
}

fn parse_custodian(value: &str) -> Result<Custodian, String> {
    let (authority, key) = value
        .split_once('=')
        .ok_or_else(|| format!("'{value}': expected AUTHORITY=ENCRYPTION_KEY_HEX"))?;
    let authority = parse::address(authority)?;
    if key.len() != 64 || !key.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("'{key}': an encryption key is 64 hex digits"));
    }
    let mut encryption_key = [0u8; 32];
    for (i, byte) in encryption_key.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&key[2 * i..2 * i + 2], 16).map_err(|e| e.to_string())?;
    }
    Ok(Custodian {
        authority,
        encryption_key,
    })
}

/// `emergency custodians`' fields.
#[derive(Serialize)]
pub struct CustodianSet {
    pub threshold: u8,
    pub custodians: Vec<String>,
}

/// `emergency summary`'s fields.
#[derive(Serialize)]
pub struct Summary {
    pub generation: u64,
    pub records: Vec<String>,
}

/// One record read by `emergency read` (what it is, not what it says).
#[derive(Serialize)]
pub struct ReadRecord {
    pub record: String,
    pub kind: String,
    pub resource_type: String,
    pub bytes: usize,
    pub written_to: Option<String>,
}

pub async fn run(ctx: &Ctx, command: EmergencyCommand) -> Result<Report> {
    match command {
        EmergencyCommand::Custodians(args) => {
            let admin = ctx.signer()?;
            let client = ctx.client()?;
            let names = args
                .custodians
                .iter()
                .map(|c| c.authority.to_string())
                .collect();
            let outcome = client
                .set_emergency_custodians(&admin, args.threshold, args.custodians)
                .await?;
            Ok(Report::outcome(
                "Emergency key custodians set",
                &outcome,
                &CustodianSet {
                    threshold: args.threshold,
                    custodians: names,
                },
            ))
        }
        EmergencyCommand::Summary(command) => {
            let patient = ctx.keypair()?;
            let keys = ctx.encryption_keys(&patient.pubkey())?;
            let client = ctx.reader();
            let (title, index) = match command {
                SummaryCommand::Mark(args) => {
                    let store = ctx.lasting_store()?;
                    let index = client
                        .mark_emergency_summary(&patient.pubkey(), &keys, &args.records, &store)
                        .await?;
                    ("Emergency summary: records marked", index)
                }
                SummaryCommand::Unmark(args) => {
                    let store = ctx.lasting_store()?;
                    let index = client
                        .unmark_emergency_summary(&patient.pubkey(), &keys, &args.records, &store)
                        .await?;
                    ("Emergency summary: records unmarked", index)
                }
                SummaryCommand::Show => {
                    let store = ctx.store()?;
                    let index = client
                        .emergency_summary(&patient.pubkey(), &keys, &store)
                        .await?;
                    ("Emergency summary", index)
                }
            };
            Ok(Report::object(
                title,
                &Summary {
                    generation: index.generation,
                    records: index.records.iter().map(Pubkey::to_string).collect(),
                },
            ))
        }
        EmergencyCommand::Read(args) => {
            if ctx.member_of()?.is_some() {
                bail!("emergency read breaks the glass as the emergency room's authority only: a member (--entity) breaks the glass with `access emergency` and reads with `record fetch`");
            }
            let er = ctx.keypair()?;
            let keys = ctx.encryption_keys(&er.pubkey())?;
            let client = ctx.client()?;
            let store = ctx.store()?;
            let read = client
                .read_emergency_summary(
                    &er,
                    &keys,
                    &args.patient,
                    &args.custodians,
                    &store,
                    args.reason,
                    args.duration,
                )
                .await?;
            if let Some(dir) = &args.out {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
            }
            let mut rows = Vec::with_capacity(read.len());
            for entry in read {
                let written_to = match &args.out {
                    None => None,
                    Some(dir) => {
                        let path = dir.join(format!("{}.json", entry.record));
                        std::fs::write(&path, &entry.fhir_json)
                            .with_context(|| format!("cannot write {}", path.display()))?;
                        Some(path.display().to_string())
                    }
                };
                rows.push(ReadRecord {
                    record: entry.record.to_string(),
                    kind: format!("{:?}", entry.kind),
                    resource_type: entry.summary.resource_type.to_string(),
                    bytes: entry.fhir_json.len(),
                    written_to,
                });
            }
            if rows.is_empty() {
                return Err(anyhow!("the patient's emergency summary is empty"));
            }
            Ok(Report::list(
                format!(
                    "Emergency summary of {} ({} records, decrypted under a logged emergency grant)",
                    args.patient,
                    rows.len()
                ),
                &rows,
                &["record", "kind", "resource_type", "bytes"],
            ))
        }
    }
}
