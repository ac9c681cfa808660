//! `panacea record fetch RECORD [--grant GRANT] [--out FILE]`
//!
//! RECORD is an address, or `TREE:INDEX` for a compressed record.
//!
//! The patient decrypts with the key envelope kept for them; anyone else
//! with the data key wrapped in their grant. With `--entity`, a member
//! reads through its entity's grant with the entity's encryption key file
//! (`--encryption-key`), which the organisation holds.

use {
    crate::{context::Ctx, output::Report, parse},
    anyhow::{bail, Context as _, Result},
    panacea_sdk::{backend::Backend, compression::RecordRef, records_program::pda, Pubkey},
    serde::Serialize,
    serde_json::Value,
    std::path::PathBuf,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The record's address, or TREE:INDEX for a compressed record
    #[arg(value_parser = parse::record)]
    pub record: RecordRef,
    /// The grant to read under [default: the signer's grant on this record; with --entity, the entity's, decrypted with the entity's key file (--encryption-key)]
    #[arg(long, value_parser = parse::address)]
    pub grant: Option<Pubkey>,
    /// Write the FHIR JSON to this file instead of printing it
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// `record fetch --out`: where the decrypted record was written.
#[derive(Serialize)]
pub struct Written {
    pub record: String,
    pub out: String,
    pub bytes: usize,
}

/// `record fetch`: the decrypted FHIR resource.
#[derive(Serialize)]
pub struct Fetched {
    pub record: String,
    pub fhir: Value,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    // The grantee: the signer, or under --entity the entity it acts for
    // (whose key file decrypts).
    let reader = ctx.acting_entity()?;
    let keys = ctx.reading_keys(&ctx.signer_address()?)?;
    let client = ctx.reader();
    // A member reads for its entity while it may act for it (the key file
    // is the organisation's: this is the CLI's check, the chain has none
    // for a read).
    if let Some(entity) = ctx.member_of()? {
        let member = ctx.signer_address()?;
        let now = client.backend().unix_timestamp().await?;
        match client.member(&entity, &member).await? {
            None => bail!("{member} is not a member of entity {entity} (no Member account: never added, or closed): it cannot read for it"),
            Some(m) if !m.is_active(now) => bail!(
                "member {member} of entity {entity} is {:?}{}: it cannot read for it",
                m.status,
                if now >= m.valid_until { ", expired" } else { "" }
            ),
            Some(_) => {}
        }
    }
    let store = ctx.store()?;
    let record = client.resolve_record(&args.record).await?.record;
    let plaintext = if record.patient == reader && args.grant.is_none() {
        client.read_own(&args.record, &keys, &store).await?
    } else {
        let grant = args
            .grant
            .unwrap_or_else(|| pda::grant(&record.patient, &reader, &args.record.address()).0);
        if client.backend().get_account(&grant).await?.is_none() {
            bail!(
                "no grant at {grant}: {} holds no grant on record {}",
                reader,
                args.record
            );
        }
        client
            .read_granted(&grant, &args.record, &keys, &store)
            .await?
    };
    let fhir: Value =
        serde_json::from_slice(&plaintext).context("decrypted payload is not JSON")?;
    if let Some(path) = &args.out {
        // Health data: readable by its owner only (0600), even when the
        // file already existed with a wider mode.
        use std::{io::Write, os::unix::fs::OpenOptionsExt, os::unix::fs::PermissionsExt};
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(path)
            .with_context(|| format!("cannot write {}", path.display()))?;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .with_context(|| format!("cannot restrict {} to its owner", path.display()))?;
        file.write_all(&plaintext)
            .with_context(|| format!("cannot write {}", path.display()))?;
        return Ok(Report::object(
            format!("Record decrypted to {}", path.display()),
            &Written {
                record: args.record.to_string(),
                out: path.display().to_string(),
                bytes: plaintext.len(),
            },
        ));
    }
    Ok(Report::object(
        format!("Record {} ({:?})", args.record, record.kind),
        &Fetched {
            record: args.record.to_string(),
            fhir,
        },
    ))
}
