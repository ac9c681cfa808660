//! `panacea custodian`: run an emergency key custodian service.
//!
//! `panacea custodian serve --listen 127.0.0.1:8700 --log releases.jsonl
//! [--encryption-key FILE]` (the global key file) serves over the `--url` cluster (JSON-RPC),
//! with the shares kept in `--store`, as the custodian `--keypair`;
//! `panacea custodian info` prints what the registry admin registers.

use {
    crate::{
        context::{expand, Ctx},
        output::Report,
        view::hex,
    },
    anyhow::{Context as _, Result},
    clap::Subcommand,
    panacea_custodian::Custodian,
    panacea_sdk::offchain::EncryptionKeypair,
    serde::Serialize,
    solana_signer::Signer,
    std::sync::Arc,
};

#[derive(Subcommand, Debug)]
pub enum CustodianCommand {
    /// Serve: release key shares to ERs with a live, logged emergency grant
    Serve(ServeArgs),
    /// The custodian's authority and encryption key, for the registry admin
    Info,
}

#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on
    #[arg(long, default_value = "127.0.0.1:8700")]
    pub listen: String,
    /// The append-only release log (one JSON line per answer)
    #[arg(long)]
    pub log: String,
}

/// `custodian info`'s fields.
#[derive(Serialize)]
pub struct Info {
    pub custodian: String,
    pub encryption_key: String,
}

/// The custodian's wallet and encryption key pair: its key file
/// (`--encryption-key`, or the default one created on first use), as for
/// every other role.
fn custodian_keys(ctx: &Ctx) -> Result<(solana_keypair::Keypair, EncryptionKeypair)> {
    let wallet = ctx.keypair()?;
    let keys = ctx.encryption_keys(&wallet.pubkey())?;
    Ok((wallet, keys))
}

pub async fn run(ctx: &Ctx, command: CustodianCommand) -> Result<Report> {
    match command {
        CustodianCommand::Info => {
            let (wallet, keys) = custodian_keys(ctx)?;
            Ok(Report::object(
                "Emergency key custodian (register with `panacea emergency custodians`)",
                &Info {
                    custodian: wallet.pubkey().to_string(),
                    encryption_key: hex(&keys.public_key_bytes()),
                },
            ))
        }
        CustodianCommand::Serve(args) => {
            let (wallet, keys) = custodian_keys(ctx)?;
            let store = ctx.lasting_store()?;
            let log = expand(&args.log);
            let service = Arc::new(
                Custodian::new(ctx.backend(), wallet.pubkey(), keys, store, &log)
                    .with_context(|| format!("cannot open the release log {}", log.display()))?,
            );
            let listener = tokio::net::TcpListener::bind(&args.listen)
                .await
                .with_context(|| format!("cannot listen on {}", args.listen))?;
            eprintln!(
                "custodian {} listening on http://{} (log {})",
                wallet.pubkey(),
                listener.local_addr()?,
                log.display()
            );
            service.serve(listener).await?;
            Ok(Report::object(
                "Custodian stopped",
                &crate::output::Nothing {},
            ))
        }
    }
}
