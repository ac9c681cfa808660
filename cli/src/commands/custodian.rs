//! `panacea custodian`: run an emergency key custodian service.
//!
//! `panacea custodian serve --listen 127.0.0.1:8700 --log releases.jsonl
//! [--encryption-key FILE]` serves over the `--url` cluster (JSON-RPC),
//! with the shares kept in `--store`, as the custodian `--keypair`;
//! `panacea custodian info` prints what the registry admin registers.

use {
    crate::{
        context::{encryption_keys, expand, Ctx},
        output::Report,
    },
    anyhow::{bail, Context as _, Result},
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
    Info(KeyArgs),
}

#[derive(clap::Args, Debug)]
pub struct KeyArgs {
    /// The custodian's X25519 secret: a file holding 64 hex digits or a
    /// JSON array of 32 bytes [default: derived from the keypair]
    #[arg(long)]
    pub encryption_key: Option<String>,
}

#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    #[command(flatten)]
    pub key: KeyArgs,
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

/// The custodian's encryption key pair: from `--encryption-key`, or
/// derived from the keypair.
fn custodian_keys(
    ctx: &Ctx,
    args: &KeyArgs,
) -> Result<(solana_keypair::Keypair, EncryptionKeypair)> {
    let wallet = ctx.keypair()?;
    let keys = match &args.encryption_key {
        None => encryption_keys(&wallet),
        Some(path) => {
            let path = expand(path);
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read the encryption key {}", path.display()))?;
            EncryptionKeypair::from_secret_bytes(
                parse_secret(text.trim())
                    .with_context(|| format!("{}: not an X25519 secret key", path.display()))?,
            )
        }
    };
    Ok((wallet, keys))
}

/// 64 hex digits, or a JSON array of 32 bytes.
fn parse_secret(text: &str) -> Result<[u8; 32]> {
    if text.starts_with('[') {
        let bytes: Vec<u8> = serde_json::from_str(text)?;
        return bytes
            .try_into()
            .map_err(|_| anyhow::anyhow!("the array does not hold 32 bytes"));
    }
    if text.len() != 64 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        bail!("expected 64 hex digits or a JSON array of 32 bytes");
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16)?;
    }
    Ok(out)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub async fn run(ctx: &Ctx, command: CustodianCommand) -> Result<Report> {
    match command {
        CustodianCommand::Info(args) => {
            let (wallet, keys) = custodian_keys(ctx, &args)?;
            Ok(Report::object(
                "Emergency key custodian (register with `panacea emergency custodians`)",
                &Info {
                    custodian: wallet.pubkey().to_string(),
                    encryption_key: hex(&keys.public_key_bytes()),
                },
            ))
        }
        CustodianCommand::Serve(args) => {
            let (wallet, keys) = custodian_keys(ctx, &args.key)?;
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

#[cfg(test)]
mod tests {
    #[test]
    fn a_secret_reads_as_hex_or_as_a_json_array() {
        let hex = "01".repeat(32);
        assert_eq!(super::parse_secret(&hex).unwrap(), [1; 32]);
        let json = serde_json::to_string(&[2u8; 32]).unwrap();
        assert_eq!(super::parse_secret(&json).unwrap(), [2; 32]);
        assert!(super::parse_secret("abc").is_err());
        assert!(super::parse_secret("[1,2]").is_err());
    }
}
