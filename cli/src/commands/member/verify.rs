//! `panacea member verify FILE [--credential FILE --commitment-key HEX]`:
//! what an outside verifier does with an exported credential, against the
//! chain as it is now.

use {
    crate::{context::Ctx, output::Report, parse},
    anyhow::{anyhow, Context as _, Result},
    panacea_sdk::{audit::iso8601, backend::Backend, credential},
    serde::Serialize,
    std::path::PathBuf,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The credential (W3C Verifiable Credential JSON, from `member credential`)
    pub file: PathBuf,
    /// The licence or document the commitment hashed: also check it (with --commitment-key)
    #[arg(long, value_name = "FILE", requires = "commitment_key")]
    pub credential: Option<PathBuf>,
    /// The key `member add --credential` printed, 64 hex digits
    #[arg(long, value_name = "HEX", value_parser = parse::commitment, requires = "credential")]
    pub commitment_key: Option<[u8; 32]>,
}

/// `member verify`'s fields.
#[derive(Serialize)]
pub struct Verified {
    pub entity: String,
    pub member: String,
    pub member_account: String,
    pub roles: String,
    pub valid_until: String,
    pub revision: u32,
    pub signed_by: String,
    /// Whether the document was checked against the commitment.
    pub document_matches: Option<bool>,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let text = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let vc: serde_json::Value = serde_json::from_slice(&text)
        .map_err(|e| anyhow!("{} is not JSON: {e}", args.file.display()))?;
    let client = ctx.reader();
    let now = client.backend().unix_timestamp().await?;
    let verified = credential::verify_member_credential(&client, &vc, now)
        .await
        .map_err(|e| anyhow!("credential {} refused: {e}", args.file.display()))?;
    let document_matches = match (&args.credential, &args.commitment_key) {
        (Some(path), Some(key)) => {
            let document =
                std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
            credential::check_commitment(&verified, key, &document)
                .map_err(|e| anyhow!("{}: {e}", path.display()))?;
            Some(true)
        }
        _ => None,
    };
    Ok(Report::object(
        format!(
            "Credential valid: {} is a member of {} ({})",
            verified.member,
            verified.entity,
            parse::roles_names(verified.roles).join(",")
        ),
        &Verified {
            entity: verified.entity.to_string(),
            member: verified.member.to_string(),
            member_account: verified.member_account.to_string(),
            roles: parse::roles_names(verified.roles).join(","),
            valid_until: iso8601(verified.valid_until),
            revision: verified.revision,
            signed_by: verified.signer.to_string(),
            document_matches,
        },
    ))
}
