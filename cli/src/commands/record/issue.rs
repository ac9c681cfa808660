//! `panacea record issue PATH --patient ADDRESS [--kind KIND]`
//!
//! PATH is a FHIR JSON file or a directory of them. Every file is checked
//! before anything is sent. Each record's id is derived from the issuer's
//! secret (its wallet's when the CLI holds it, else its encryption key
//! file's: a hardware wallet issues too), the patient and the file's
//! content, so re-running an interrupted batch finds the records that
//! landed and issues only the rest: no duplicates.
//!
//! With `--tree TREE` the records are compressed: each is appended to the
//! record tree as its next leaf (printed as `TREE:INDEX`). A leaf's
//! address is given by the tree, not by the issuer, so a re-run issues the
//! files again: resume a directory by moving the files issued out of it.

use {
    super::read_fhir,
    crate::{
        context::Ctx,
        global::Output,
        output::Report,
        parse::{self, KindArg},
    },
    anyhow::{bail, Context as _, Result},
    indicatif::{ProgressBar, ProgressStyle},
    panacea_sdk::{
        client::AnySigner,
        offchain::EncryptionKeypair,
        ops::provider::derived_record_id,
        records_program::{
            pda,
            state::{Patient, RecordKind},
        },
        Pubkey,
    },
    serde::Serialize,
    solana_signer::Signer,
    std::{
        path::{Path, PathBuf},
        sync::Arc,
    },
};

/// The secret a record id is keyed with: the id is public, and must not let
/// anyone test guesses about the payload.
enum IdKey {
    /// The issuer's wallet, when the CLI holds it (as before key files: a
    /// batch re-run finds the records issued then).
    Wallet(Arc<solana_keypair::Keypair>),
    /// The issuer's encryption key (a hardware wallet never shows its
    /// secret).
    EncryptionKey(EncryptionKeypair),
}

impl IdKey {
    fn record_id(&self, patient: &Pubkey, fhir_json: &[u8]) -> [u8; 16] {
        match self {
            IdKey::Wallet(wallet) => derived_record_id(wallet, patient, fhir_json),
            IdKey::EncryptionKey(keys) => {
                use sha2::{Digest, Sha256};
                let digest = Sha256::new()
                    .chain_update(b"panacea/record-id/encryption-key/v1")
                    .chain_update(keys.secret_bytes().as_ref())
                    .chain_update(patient.as_ref())
                    .chain_update(Sha256::digest(fhir_json))
                    .finalize();
                let mut id = [0; 16];
                id.copy_from_slice(&digest[..16]);
                id
            }
        }
    }
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A FHIR JSON file, or a directory whose *.json files are issued
    pub path: PathBuf,
    /// The patient's wallet address
    #[arg(long, value_parser = parse::address)]
    pub patient: Pubkey,
    /// Record kind [default: from each file's resourceType]
    #[arg(long, value_enum)]
    pub kind: Option<KindArg>,
    /// Issue as compressed records, appended to this record tree
    #[arg(long, value_parser = parse::address)]
    pub tree: Option<Pubkey>,
}

/// One file of `record issue`: what became of it.
#[derive(Serialize)]
pub struct Issued {
    pub file: String,
    /// `issued`, or `already issued` (found on chain: nothing sent).
    pub status: &'static str,
    pub kind: String,
    pub record: Option<String>,
    /// A compressed record: `TREE:INDEX`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leaf: Option<String>,
    pub signature: Option<String>,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    ctx.online_only("record issue")?;
    let files = files_of(&args.path)?;
    let mut payloads = Vec::with_capacity(files.len());
    for file in &files {
        let (bytes, summary) = read_fhir(file)?;
        let kind = match args.kind {
            Some(kind) => RecordKind::from(kind),
            None => parse::kind_of_resource(summary.resource_type),
        };
        payloads.push((file, bytes, kind));
    }
    let (issuer, id_key) = if ctx.signer_is_keypair()? {
        let wallet = std::sync::Arc::new(ctx.keypair()?);
        (wallet.clone() as Arc<AnySigner>, IdKey::Wallet(wallet))
    } else {
        let issuer = ctx.signer()?;
        let keys = ctx.encryption_keys(&issuer.pubkey())?;
        (issuer, IdKey::EncryptionKey(keys))
    };
    let acting = ctx.acting(&*issuer)?;
    let client = ctx.client()?;
    let store = ctx.lasting_store()?;
    let _: Patient = client.get(&pda::patient(&args.patient).0).await?;

    let progress = if files.len() > 1 && ctx.output == Output::Text {
        ProgressBar::new(files.len() as u64).with_style(
            ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}").expect("progress template"),
        )
    } else {
        ProgressBar::hidden()
    };
    let mut rows = Vec::with_capacity(files.len());
    for (done, (file, bytes, kind)) in payloads.iter().enumerate() {
        let name = file.display().to_string();
        progress.set_message(name.clone());
        if let Some(tree) = args.tree {
            let (outcome, _, leaf) = client
                .issue_record_into(acting, &args.patient, *kind, bytes, &store, Some(tree))
                .await
                .with_context(|| {
                    format!(
                        "issuing {name} into tree {tree} ({done} of {} done: the rest are not issued)",
                        files.len()
                    )
                })?;
            rows.push(Issued {
                file: name,
                status: "issued",
                kind: format!("{kind:?}"),
                record: Some(leaf.address().to_string()),
                leaf: Some(leaf.to_string()),
                signature: outcome.signature.map(|s| s.to_string()),
            });
            progress.inc(1);
            continue;
        }
        let record_id = id_key.record_id(&args.patient, bytes);
        let (outcome, _) = client
            .issue_record_with_id(acting, &args.patient, *kind, bytes, &store, record_id)
            .await
            .with_context(|| {
                format!(
                    "issuing {name} ({done} of {} done; run the same command again to resume)",
                    files.len()
                )
            })?;
        rows.push(Issued {
            file: name,
            status: if outcome.already_existed {
                "already issued"
            } else {
                "issued"
            },
            kind: format!("{kind:?}"),
            record: outcome.address("record").map(|a| a.to_string()),
            leaf: None,
            signature: outcome.signature.map(|s| s.to_string()),
        });
        progress.inc(1);
    }
    progress.finish_and_clear();
    if args.path.is_file() {
        let row = rows.remove(0);
        let title = format!("Record {} ({})", row.status, row.kind);
        return Ok(Report::object(title, &row));
    }
    let issued = rows.iter().filter(|r| r.status == "issued").count();
    Ok(Report::list(
        format!(
            "{} files: {issued} issued, {} already issued",
            rows.len(),
            rows.len() - issued
        ),
        &rows,
        &["status", "record", "file"],
    ))
}

/// The file, or the directory's *.json files in name order.
fn files_of(path: &Path) -> Result<Vec<PathBuf>> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    if !path.is_dir() {
        bail!("{} not found", path.display());
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)
        .with_context(|| format!("cannot read directory {}", path.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "json"))
        .collect();
    if files.is_empty() {
        bail!("no .json files in {}", path.display());
    }
    files.sort();
    Ok(files)
}
