//! `panacea registry init --admin ADDRESS [--deployment NAME]`

use {
    crate::{context::Ctx, output::Report, parse},
    anyhow::Result,
    panacea_sdk::{
        records_program::{pda, state::RegistryConfig},
        Pubkey,
    },
    serde::Serialize,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The registry admin [default: the signer]
    #[arg(long, value_parser = parse::address)]
    pub admin: Option<Pubkey>,
    /// Longest break-glass grant a provider may give itself
    #[arg(long, value_parser = parse::duration, default_value = "24h")]
    pub max_emergency: i64,
    /// Metadata URI of the record book wallets show (when the signer is the admin)
    #[arg(long, default_value = panacea_sdk::rent::RECORD_BOOK_URI)]
    pub book_uri: String,
    /// The deployment's name, set once and named in every wallet-signed
    /// consent message (mainnet-beta, devnet, localnet, ...) [default: from
    /// the URL, when it is a public cluster's endpoint or this machine]
    #[arg(long, value_parser = parse::deployment)]
    pub deployment: Option<String>,
}

/// `registry init`'s fields.
#[derive(Serialize)]
pub struct Init {
    pub admin: String,
    pub deployment: String,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let authority = ctx.signer()?;
    let admin = ctx.or_signer(args.admin)?;
    let deployment = ctx.deployment(args.deployment)?;
    let client = ctx.client()?;
    let outcome = client
        .initialize_registry(&authority, admin, args.max_emergency, &deployment)
        .await?;
    // The admin creates the record book; when the signer is the admin it
    // happens here, otherwise with `panacea registry book` by the admin.
    if admin == solana_signer::Signer::pubkey(&authority) {
        client
            .initialize_record_book(&authority, &args.book_uri)
            .await?;
    }
    let (title, deployment) = if outcome.already_existed {
        let config: RegistryConfig = client.get(&pda::config().0).await?;
        ("Registry already initialized", config.deployment)
    } else {
        ("Registry initialized", deployment)
    };
    Ok(Report::outcome(
        title,
        &outcome,
        &Init {
            admin: admin.to_string(),
            deployment,
        },
    ))
}
