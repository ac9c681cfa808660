//! `panacea registry register --entity KEYPAIR --kind provider`

use {
    crate::{
        context::{encryption_keys, read_keypair, Ctx},
        output::Report,
        parse::{self, EntityKindArg},
    },
    anyhow::Result,
    panacea_sdk::{backend::Backend, records_program::instructions::RegisterEntityArgs},
    serde_json::json,
    solana_signer::Signer,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Keypair file of the entity (it co-signs; its encryption key is derived from it)
    #[arg(long, value_name = "KEYPAIR")]
    pub entity: String,
    #[arg(long, value_enum)]
    pub kind: EntityKindArg,
    /// Jurisdiction code (e.g. US, DE, US-CA)
    #[arg(long, value_parser = parse::jurisdiction, default_value = "US")]
    pub jurisdiction: [u8; 8],
    /// How long the credential is valid
    #[arg(long, value_parser = parse::duration, default_value = "365d")]
    pub valid_for: i64,
    /// The credential document (licence, accreditation); only a keyed hash (HMAC under a key derived from the admin's wallet) goes on chain
    #[arg(long, value_name = "FILE")]
    pub credential: Option<String>,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let admin = ctx.signer()?;
    let entity = read_keypair(&args.entity, "entity keypair")?;
    let credential_commitment = match &args.credential {
        Some(path) => parse::keyed_file_commitment(&ctx.keypair()?, "credential", path)?,
        None => [0; 32],
    };
    let client = ctx.client()?;
    let now = client.backend().unix_timestamp().await?;
    let register = RegisterEntityArgs {
        kind: args.kind.into(),
        credential_commitment,
        jurisdiction: args.jurisdiction,
        valid_until: now + args.valid_for,
        encryption_key: encryption_keys(&entity).public_key_bytes(),
    };
    let outcome = client.register_entity(&admin, &entity, register).await?;
    let title = if outcome.already_existed {
        "Entity already registered"
    } else {
        "Entity registered"
    };
    Ok(Report::outcome(
        title,
        &outcome,
        json!({
            "authority": entity.pubkey().to_string(),
            "kind": format!("{:?}", panacea_sdk::records_program::state::EntityKind::from(args.kind)),
        }),
    ))
}
