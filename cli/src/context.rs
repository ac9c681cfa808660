//! What every command needs: the cluster URL, commitment and signers from
//! the flags or the Solana CLI config, an SDK client, the blob store.

use {
    crate::{
        global::{Commitment, GlobalArgs, Output},
        parse,
        signer::{self, Offline},
    },
    anyhow::{anyhow, bail, Context as _, Result},
    panacea_sdk::{
        backend::rpc::RpcBackend,
        client::AnySigner,
        offchain::{BlobStore, EncryptionKeypair},
        PanaceaClient, Pubkey, TxConfig,
    },
    solana_commitment_config::CommitmentConfig,
    solana_keypair::Keypair,
    std::{path::PathBuf, str::FromStr, sync::Arc},
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
    tx_config: TxConfig,
    offline: Offline,
    /// Print the message of a transaction signed offline.
    pub dump_message: bool,
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
        let blockhash = args
            .blockhash
            .as_deref()
            .map(|b| {
                solana_hash::Hash::from_str(b)
                    .map_err(|_| anyhow!("--blockhash {b} is not a base58 blockhash"))
            })
            .transpose()?;
        let tx_config = TxConfig {
            priority_fee_micro_lamports: args.with_compute_unit_price,
            compute_unit_limit: args.with_compute_unit_limit,
            blockhash,
            sign_only: args.sign_only,
            ..TxConfig::default()
        };
        PanaceaClient::<RpcBackend>::check_config(&tx_config)?;
        // A signer file given on the command line must be there, even for a
        // command that only reads.
        for (given, what) in [(&args.keypair, "keypair"), (&args.fee_payer, "fee payer")] {
            if let Some(source) = given {
                if let signer::Source::File(path) = signer::Source::parse(source)? {
                    if !expand(&path).exists() {
                        bail!("{what} file {} not found", expand(&path).display());
                    }
                }
            }
        }
        Ok(Self {
            url,
            url_given: args.url.is_some(),
            keypair_path: args.keypair.clone().unwrap_or(config.keypair_path),
            fee_payer_path: args.fee_payer.clone(),
            commitment,
            tx_config,
            offline: Offline {
                sign_only: args.sign_only,
                presigned: args.signers.clone(),
            },
            dump_message: args.dump_transaction_message,
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

    /// The signer: `-k` (or the config's keypair), any signer source.
    pub fn signer(&self) -> Result<Arc<AnySigner>> {
        signer::resolve(&self.keypair_path, "keypair", &self.offline)
    }

    /// The signer as a keypair, for the commands that derive an encryption
    /// key from it (a file, a seed phrase or stdin).
    pub fn keypair(&self) -> Result<Keypair> {
        signer::resolve_keypair(&self.keypair_path, "keypair")
    }

    /// Another role's signer (`--guardian`, `--entity`, ...), any source.
    pub fn role_signer(&self, source: &str, what: &str) -> Result<Arc<AnySigner>> {
        signer::resolve(source, what, &self.offline)
    }

    /// Another role's signer, and its keypair when the source holds one (a
    /// file, a seed phrase or stdin: read once), for the commands that
    /// derive that role's encryption key from it.
    pub fn role_signer_with_keypair(
        &self,
        source: &str,
        what: &str,
    ) -> Result<(Arc<AnySigner>, Option<Arc<Keypair>>)> {
        match signer::Source::parse(source)? {
            signer::Source::Usb(_) | signer::Source::Pubkey(_) => {
                Ok((self.role_signer(source, what)?, None))
            }
            _ => {
                let keypair = Arc::new(signer::resolve_keypair(source, what)?);
                Ok((keypair.clone(), Some(keypair)))
            }
        }
    }

    /// The signer's address (a public key source needs no signature).
    pub fn signer_address(&self) -> Result<Pubkey> {
        match signer::Source::parse(&self.keypair_path)? {
            signer::Source::Pubkey(pubkey) => Ok(pubkey),
            _ => Ok(self.signer()?.pubkey()),
        }
    }

    /// `address` if given, else the signer's address.
    pub fn or_signer(&self, address: Option<Pubkey>) -> Result<Pubkey> {
        match address {
            Some(address) => Ok(address),
            None => self.signer_address(),
        }
    }

    pub fn fee_payer(&self) -> Result<Arc<AnySigner>> {
        match &self.fee_payer_path {
            Some(source) => signer::resolve(source, "fee payer", &self.offline),
            None => self.signer(),
        }
    }

    pub fn backend(&self) -> Arc<RpcBackend> {
        Arc::new(RpcBackend::new(self.url.clone(), self.commitment))
    }

    pub fn tx_config(&self) -> TxConfig {
        self.tx_config.clone()
    }

    /// A client whose fee payer is `--fee-payer` (or the signer).
    pub fn client(&self) -> Result<Client> {
        Ok(PanaceaClient::with_payer(self.backend(), self.fee_payer()?)
            .with_config(self.tx_config()))
    }

    /// A client for reading only: it never signs.
    pub fn reader(&self) -> Client {
        PanaceaClient::reader(self.backend())
    }

    /// The blob store for encrypted payloads and key envelopes, for
    /// commands that only read it or whose writes need not outlive them.
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

    /// Refuses `--sign-only` for a command that writes or shreds payloads
    /// in the store before its transaction lands: signed offline, the
    /// store would change while the chain does not (an erase would shred a
    /// record that stays on chain), and a second run would seal afresh and
    /// build another message.
    pub fn online_only(&self, command: &str) -> Result<()> {
        if self.offline.sign_only {
            bail!(
                "{command} cannot be signed offline (--sign-only): it changes the payload store before its transaction lands; sign it in one run (a keypair, prompt:// or usb://ledger)"
            );
        }
        Ok(())
    }

    /// The blob store for a command that writes what must outlive it (a
    /// payload a record points at): an in-memory store is refused, since
    /// what it holds dies with the process.
    pub fn lasting_store(&self) -> Result<BlobStore> {
        if self.store.starts_with("memory:") {
            bail!(
                "--store {} keeps nothing after this command exits: the record would point at a payload nobody can read; use a directory, file:// or s3:// store",
                self.store
            );
        }
        self.store()
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
