//! `panacea member credential MEMBER_KEY [-o FILE]`: the member's W3C
//! Verifiable Credential (issuer = the entity, subject = the member key),
//! signed by `-k` (the entity's authority, or an EntityAdmin member with
//! `--entity`) with an eddsa-jcs-2022 proof.

use {
    super::Which,
    crate::{context::Ctx, output::Report},
    anyhow::{bail, Context as _, Result},
    panacea_sdk::{backend::Backend, records_program::state::roles},
    serde::Serialize,
    solana_signer::Signer,
    std::path::PathBuf,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub which: Which,
    /// Write the credential to this file instead of printing it
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// `member credential -o FILE`'s fields.
#[derive(Serialize)]
pub struct Written {
    pub id: String,
    pub out: String,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    if !ctx.signer_is_keypair()? {
        bail!("member credential signs the credential's proof with the signer's key, and a hardware wallet or a public key cannot sign raw bytes: sign with a keypair file, prompt:// or stdin (the entity's authority, or an EntityAdmin member with --entity)");
    }
    let signer = ctx.keypair()?;
    let entity = ctx.acting_entity()?;
    let client = ctx.reader();
    if signer.pubkey() != entity {
        let admin = client.member(&entity, &signer.pubkey()).await?;
        let now = client.backend().unix_timestamp().await?;
        if !admin.is_some_and(|m| m.is_active(now) && m.roles & roles::ENTITY_ADMIN != 0) {
            bail!(
                "{} is neither the authority of entity {entity} nor an active EntityAdmin member of it: a credential it signs would not verify",
                signer.pubkey()
            );
        }
    }
    let created = client.backend().unix_timestamp().await?;
    let vc = panacea_sdk::credential::export_member_credential(
        &client,
        &signer,
        &entity,
        &args.which.member,
        created,
    )
    .await?;
    let Some(path) = &args.out else {
        return Ok(Report::raw(&vc));
    };
    let text = serde_json::to_string_pretty(&vc).context("credential as JSON")?;
    std::fs::write(path, format!("{text}\n"))
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(Report::object(
        format!(
            "Credential of {} written to {}",
            args.which.member,
            path.display()
        ),
        &Written {
            id: vc["id"].as_str().unwrap_or_default().to_string(),
            out: path.display().to_string(),
        },
    ))
}
