//! `panacea registry register --entity SIGNER --kind provider`

use {
    crate::{
        context::{encryption_keys, Ctx},
        output::Report,
        parse::{self, EntityKindArg},
    },
    anyhow::{anyhow, Result},
    panacea_sdk::{
        backend::Backend,
        records_program::{instructions::RegisterEntityArgs, state::EntityKind},
    },
    serde::Serialize,
    solana_signer::Signer,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The entity, who co-signs: a keypair file, prompt://, usb://ledger, stdin, or a public key (with --signer PUBKEY=SIGNATURE or --sign-only)
    #[arg(long, value_name = "SIGNER")]
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
    /// The entity's X25519 encryption public key, 64 hex digits [default: derived from the entity's keypair; needed when the entity signs with a hardware wallet or a public key]
    #[arg(long, value_name = "HEX", value_parser = parse::encryption_key)]
    pub encryption_key: Option<[u8; 32]>,
}

/// `registry register`'s fields.
#[derive(Serialize)]
pub struct Registered {
    pub authority: String,
    pub kind: String,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let admin = ctx.signer()?;
    let (entity, keypair) = ctx.role_signer_with_keypair(&args.entity, "entity")?;
    let encryption_key = match (args.encryption_key, &keypair) {
        (Some(key), _) => key,
        (None, Some(keypair)) => encryption_keys(keypair).public_key_bytes(),
        (None, None) => {
            return Err(anyhow!(
                "entity {}: its encryption key cannot be derived from a hardware wallet or a public key; give the entity's X25519 public key with --encryption-key HEX",
                args.entity
            ))
        }
    };
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
        encryption_key,
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
        &Registered {
            authority: entity.pubkey().to_string(),
            kind: format!("{:?}", EntityKind::from(args.kind)),
        },
    ))
}
