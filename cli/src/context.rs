//! What every command needs: the cluster URL, commitment and signers from
//! the flags or the Solana CLI config, an SDK client, the blob store.

use {
    crate::{
        cli::{Commitment, GlobalArgs, Output},
        parse,
    },
    anyhow::{anyhow, bail, Context as _, Result},
    panacea_sdk::{
        backend::rpc::RpcBackend,
        offchain::{BlobStore, EncryptionKeypair},
        PanaceaClient, Pubkey, TxConfig,
    },
    solana_commitment_config::CommitmentConfig,
    solana_keypair::Keypair,
    solana_signer::Signer,
    std::{path::PathBuf, sync::Arc},
};

pub type Client = PanaceaClient<RpcBackend>;

/// The resolved global options.
pub struct Ctx {
    pub url: String,
    /// Whether `--url` was given (the demo runs in-process otherwise).
    pub url_given: bool,
    keypair_path: String,
    fee_payer_path: Option<String>,
    pub commitment: CommitmentConfig,
    pub compute_unit_price: Option<u64>,
    pub output: Output,
    store: String,
}

impl Ctx {
    pub fn new(args: &GlobalArgs) -> Result<Self> {
        // An explicit --config must exist; the default one may be absent.
        // Either way, a file that is there must parse.
        let config = match (&args.config, solana_cli_config::CONFIG_FILE.as_ref()) {
            (Some(path), _) => load_config(&expand(path), true)?,
            (None, Some(path)) => load_config(std::path::Path::new(path), false)?,
            (None, None) => solana_cli_config::Config::default(),
        };
        let url = match &args.url {
            Some(url) => parse::cluster_url(url)?,
            None => config.json_rpc_url.clone(),
        };
        let commitment = match args.commitment {
            Some(Commitment::Processed) => CommitmentConfig::processed(),
            Some(Commitment::Confirmed) => CommitmentConfig::confirmed(),
            Some(Commitment::Finalized) => CommitmentConfig::finalized(),
            None => config
                .commitment
                .parse()
                .unwrap_or(CommitmentConfig::confirmed()),
        };
        Ok(Self {
            url,
            url_given: args.url.is_some(),
            keypair_path: args.keypair.clone().unwrap_or(config.keypair_path),
            fee_payer_path: args.fee_payer.clone(),
            commitment,
            compute_unit_price: args.with_compute_unit_price,
            output: args.output,
            store: args.store.clone(),
        })
    }

    /// The deployment name a new registry on this cluster gets: `given`, or
    /// the one the URL names (`parse::deployment_of_url`).
    pub fn deployment(&self, given: Option<String>) -> Result<String> {
        match given {
            Some(name) => Ok(name),
            None => parse::deployment_of_url(&self.url)
                .map(str::to_string)
                .ok_or_else(|| {
                    anyhow!(
                        "cannot tell which cluster {} is: name the deployment with --deployment (mainnet-beta, devnet, localnet, ...)",
                        self.url
                    )
                }),
        }
    }

    /// The signer: the `-k` keypair (or the config's).
    pub fn signer(&self) -> Result<Keypair> {
        read_keypair(&self.keypair_path, "keypair")
    }

    /// The signer's address, when its keypair file can be read.
    pub fn signer_address(&self) -> Result<Pubkey> {
        Ok(self.signer()?.pubkey())
    }

    /// `address` if given, else the signer's address.
    pub fn or_signer(&self, address: Option<Pubkey>) -> Result<Pubkey> {
        match address {
            Some(address) => Ok(address),
            None => self.signer_address(),
        }
    }

    pub fn fee_payer(&self) -> Result<Keypair> {
        match &self.fee_payer_path {
            Some(path) => read_keypair(path, "fee payer keypair"),
            None => self.signer(),
        }
    }

    pub fn backend(&self) -> Arc<RpcBackend> {
        Arc::new(RpcBackend::new(self.url.clone(), self.commitment))
    }

    pub fn tx_config(&self) -> TxConfig {
        TxConfig {
            priority_fee_micro_lamports: self.compute_unit_price,
            ..TxConfig::default()
        }
    }

    /// A client whose fee payer is `--fee-payer` (or the signer).
    pub fn client(&self) -> Result<Client> {
        Ok(PanaceaClient::new(self.backend(), self.fee_payer()?).with_config(self.tx_config()))
    }

    /// A client for reading only: it never signs.
    pub fn reader(&self) -> Client {
        PanaceaClient::new(self.backend(), Keypair::new())
    }

    /// The blob store for encrypted payloads and key envelopes.
    pub fn store(&self) -> Result<BlobStore> {
        let spec = self.store.as_str();
        if spec.contains("://") {
            return BlobStore::from_url(spec, std::iter::empty())
                .with_context(|| format!("store {spec}"));
        }
        let dir = expand(spec);
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create the store directory {}", dir.display()))?;
        BlobStore::local(&dir).with_context(|| format!("store {}", dir.display()))
    }
}

/// The Solana CLI config at `path`; its defaults when the file is absent
/// and not `required`.
fn load_config(path: &std::path::Path, required: bool) -> Result<solana_cli_config::Config> {
    if !path.exists() {
        if required {
            bail!("config file {} not found", path.display());
        }
        return Ok(solana_cli_config::Config::default());
    }
    solana_cli_config::Config::load(&path.to_string_lossy()).map_err(|e| {
        anyhow!(
            "config file {} is not a Solana CLI config: {e}",
            path.display()
        )
    })
}

/// The X25519 key a CLI user decrypts with, derived from their wallet.
pub fn encryption_keys(wallet: &Keypair) -> EncryptionKeypair {
    EncryptionKeypair::from_wallet_seed(wallet.secret_bytes())
}

/// `~/...` expanded to the home directory.
pub fn expand(path: &str) -> PathBuf {
    match path.strip_prefix("~/") {
        Some(rest) => std::env::var_os("HOME")
            .map(PathBuf::from)
            .unwrap_or_default()
            .join(rest),
        None => PathBuf::from(path),
    }
}

/// Reads a Solana keypair file (a JSON array of 64 bytes), naming what is
/// wrong with it.
pub fn read_keypair(path: &str, what: &str) -> Result<Keypair> {
    let file = expand(path);
    let text = std::fs::read_to_string(&file).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => anyhow!("{what} file {} not found", file.display()),
        _ => anyhow!("cannot read {what} file {}: {e}", file.display()),
    })?;
    let malformed = || {
        anyhow!(
            "{what} file {} is not a Solana keypair (expected a JSON array of 64 bytes)",
            file.display()
        )
    };
    let bytes: Vec<u8> = serde_json::from_str(&text).map_err(|_| malformed())?;
    if bytes.len() != 64 {
        return Err(malformed());
    }
    Keypair::try_from(bytes.as_slice()).map_err(|_| malformed())
}
