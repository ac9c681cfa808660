//! `panacea registry register --entity SIGNER --kind provider`

use {
    crate::{
        context::Ctx,
        output::Report,
        parse::{self, EntityKindArg},
        signer,
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
    // Its id is the global `--entity`'s (acting as a member), which this
    // option replaces here: clap allows one `--entity` per command.
    #[arg(long, id = "acting_entity", value_name = "SIGNER")]
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
    /// The entity's X25519 encryption public key, 64 hex digits [default: the public key of the entity's encryption key file on this machine, created on first use; needed when the entity is given as a public key]
    #[arg(long, value_name = "HEX", value_parser = parse::encryption_key)]
    pub entity_encryption_key: Option<[u8; 32]>,
}

/// `registry register`'s fields.
#[derive(Serialize)]
pub struct Registered {
    pub authority: String,
    pub kind: String,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let admin = ctx.signer()?;
    let entity = ctx.role_signer(&args.entity, "entity")?;
    let encryption_key = match args.entity_encryption_key {
        Some(key) => key,
        // An entity given as a public key signs elsewhere: its key file is
        // there too, and only its public key can be given here.
        None if matches!(signer::Source::parse(&args.entity)?, signer::Source::Pubkey(_)) => {
            return Err(anyhow!(
                "entity {}: an entity given as a public key keeps its encryption key file on its own machine; give its X25519 public key with --entity-encryption-key HEX",
                args.entity
            ))
        }
        None => ctx
            .role_encryption_keys(&args.entity, "entity", &entity.pubkey())?
            .public_key_bytes(),
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
