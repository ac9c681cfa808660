//! What every command needs: the cluster URL, commitment and signers from
//! the flags or the Solana CLI config, an SDK client, the blob store.

use {
    crate::{
        global::{Commitment, GlobalArgs, Output},
        keyfile, parse,
        signer::{self, Offline},
    },
    anyhow::{anyhow, bail, Context as _, Result},
    panacea_sdk::{
        backend::rpc::RpcBackend,
        client::AnySigner,
        offchain::{BlobStore, EncryptionKeypair},
        Acting, PanaceaClient, Pubkey, TxConfig,
    },
    solana_commitment_config::CommitmentConfig,
    solana_signer::Signer,
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
    /// `--encryption-key`: the signer's key file.
    encryption_key: Option<String>,
    /// `--derive-encryption-key-from-seed`.
    derive_from_seed: bool,
    /// `--entity`: the entity a member signer acts for (parsed when an
    /// entity command uses it: `registry register` has its own `--entity`).
    acting_entity: Option<String>,
    /// The key files this command created (announced when it ends: errors
    /// stay one line).
    created_key_files: std::sync::Mutex<Vec<std::path::PathBuf>>,
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
            encryption_key: args.encryption_key.clone(),
            derive_from_seed: args.derive_encryption_key_from_seed,
            acting_entity: args.entity.clone(),
            created_key_files: std::sync::Mutex::default(),
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

    /// The signer as a keypair, for the commands whose keyed commitments
    /// are derived from it (a file, a seed phrase or stdin).
    pub fn keypair(&self) -> Result<solana_keypair::Keypair> {
        signer::resolve_keypair(&self.keypair_path, "keypair")
    }

    /// Whether the signer is a keypair the CLI holds (a file, a seed
    /// phrase, stdin), not a hardware wallet or a public key.
    pub fn signer_is_keypair(&self) -> Result<bool> {
        Ok(!matches!(
            signer::Source::parse(&self.keypair_path)?,
            signer::Source::Usb(_) | signer::Source::Pubkey(_)
        ))
    }

    /// Another role's signer (`--guardian`, `--entity`, ...), any source.
    pub fn role_signer(&self, source: &str, what: &str) -> Result<Arc<AnySigner>> {
        signer::resolve(source, what, &self.offline)
    }

    /// `--entity`: the authority of the entity the signer acts for as a
    /// member, when given.
    pub fn member_of(&self) -> Result<Option<Pubkey>> {
        self.acting_entity
            .as_deref()
            .map(|value| {
                parse::address(value).map_err(|e| {
                    anyhow!("--entity {value}: {e} (give the entity's authority address)")
                })
            })
            .transpose()
    }

    /// The entity an entity command acts for: `--entity`, or the signer
    /// (its authority).
    pub fn acting_entity(&self) -> Result<Pubkey> {
        match self.member_of()? {
            Some(entity) => Ok(entity),
            None => self.signer_address(),
        }
    }

    /// Who signs an entity's operation and for which entity: `-k` as the
    /// entity's authority, or with `--entity` as a member of that entity.
    pub fn acting<'a>(&self, signer: &'a AnySigner) -> Result<Acting<'a>> {
        Ok(match self.member_of()? {
            Some(entity) => Acting::member(signer, entity),
            None => Acting::entity(signer),
        })
    }

    /// The encryption key a read through the entity's grant decrypts with:
    /// the signer's, or under `--entity` the entity's key file
    /// (`--encryption-key`, or the default file named after the entity's
    /// authority), which the organisation holds.
    pub fn reading_keys(&self, signer: &Pubkey) -> Result<EncryptionKeypair> {
        match self.member_of()? {
            Some(entity) => {
                if self.derive_from_seed {
                    bail!("--derive-encryption-key-from-seed derives the signer's key, and with --entity the entity's key file decrypts: drop the flag (give the entity's key file with --encryption-key PATH)");
                }
                let path = keyfile::path_of(&entity, self.encryption_key.as_deref());
                if path.symlink_metadata().is_err() {
                    bail!(
                        "no encryption key file of entity {entity} at {}: a member reads with the entity's key file (give it with --encryption-key PATH)",
                        path.display()
                    );
                }
                keyfile::load(&path)
            }
            None => self.encryption_keys(signer),
        }
    }

    /// The signer's encryption key (`owner` is the signer's address): its
    /// key file, created on first use, or with
    /// `--derive-encryption-key-from-seed` the key derived from its keypair
    /// file.
    pub fn encryption_keys(&self, owner: &Pubkey) -> Result<EncryptionKeypair> {
        self.keys_of(
            &self.keypair_path,
            "keypair",
            owner,
            self.encryption_key.as_deref(),
        )
    }

    /// Another role's encryption key (the entity registered by an admin):
    /// its key file in the default directory, created on first use, or
    /// derived from its keypair file with
    /// `--derive-encryption-key-from-seed`.
    pub fn role_encryption_keys(
        &self,
        source: &str,
        what: &str,
        owner: &Pubkey,
    ) -> Result<EncryptionKeypair> {
        self.keys_of(source, what, owner, None)
    }

    /// For a rotation: the signer's current encryption key (never created
    /// here: a rotation starts from the key that is registered) and the key
    /// file the new key goes to. With `--derive-encryption-key-from-seed`
    /// the current key is the one derived from the keypair file, and the new
    /// key goes to the default key file.
    pub fn rotation_keys(&self, owner: &Pubkey) -> Result<(EncryptionKeypair, std::path::PathBuf)> {
        let path = keyfile::path_of(owner, self.encryption_key.as_deref());
        if self.derive_from_seed {
            return Ok((self.encryption_keys(owner)?, path));
        }
        if path.symlink_metadata().is_err() {
            bail!(
                "no encryption key file at {}: there is no key to rotate from (if you registered with a key derived from your wallet, add --derive-encryption-key-from-seed; if the file is elsewhere, give it with --encryption-key PATH)",
                path.display()
            );
        }
        Ok((keyfile::load(&path)?, path))
    }

    /// What to tell the user about the key files this command created: one
    /// line, or nothing.
    pub fn created_key_files_note(&self) -> Option<String> {
        let created = self.created_key_files.lock().ok()?;
        if created.is_empty() {
            return None;
        }
        let files: Vec<String> = created.iter().map(|p| p.display().to_string()).collect();
        Some(format!(
            "created the encryption key file {} (0600) on first use: back it up; without it, records wrapped to its key cannot be read",
            files.join(", ")
        ))
    }

    /// Whether the transaction is built over a given `--blockhash` (signed
    /// offline, or submitting what was signed offline): its message must be
    /// the same in every run.
    pub fn over_blockhash(&self) -> bool {
        self.tx_config.blockhash.is_some()
    }

    /// Whether the command is signed offline (`--sign-only`).
    pub fn sign_only(&self) -> bool {
        self.offline.sign_only
    }

    fn keys_of(
        &self,
        source: &str,
        what: &str,
        owner: &Pubkey,
        given: Option<&str>,
    ) -> Result<EncryptionKeypair> {
        if self.derive_from_seed {
            let signer::Source::File(path) = signer::Source::parse(source)? else {
                bail!(
                    "--derive-encryption-key-from-seed needs a keypair file, and the {what} is {source}: a hardware wallet, prompt://, stdin or a public key uses its encryption key file (drop the flag)"
                );
            };
            let wallet = signer::read_keypair(&path, what)?;
            if wallet.pubkey() != *owner {
                bail!("{what} file {path} holds {}, not {owner}", wallet.pubkey());
            }
            return Ok(EncryptionKeypair::from_wallet_seed(wallet.secret_bytes()));
        }
        let path = keyfile::path_of(owner, given);
        let (keys, created) = keyfile::load_or_create(&path)?;
        if created {
            self.created_key_files
                .lock()
                .map_err(|_| anyhow!("key file list poisoned"))?
                .push(path);
        }
        Ok(keys)
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
            .with_config(self.tx_config())
            .with_tree_cache(tree_cache_dir()))
    }

    /// A client for reading only: it never signs.
    pub fn reader(&self) -> Client {
        PanaceaClient::reader(self.backend()).with_tree_cache(tree_cache_dir())
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

/// `~/...` expanded to the home directory.
/// Where the indexes of record trees are cached between runs
/// (`<tree>.json`, resumed from the tree's newer transactions).
pub fn tree_cache_dir() -> PathBuf {
    expand("~/.config/panacea/trees")
}

pub fn expand(path: &str) -> PathBuf {
    match path.strip_prefix("~/") {
        Some(rest) => std::env::var_os("HOME")
            .map(PathBuf::from)
            .unwrap_or_default()
            .join(rest),
        None => PathBuf::from(path),
    }
}

#[cfg(test)]
mod tests {
    use {super::*, crate::cli::Cli, clap::Parser, std::os::unix::fs::PermissionsExt};

    fn ctx(args: &[&str]) -> Ctx {
        let line = std::iter::once("panacea")
            .chain(args.iter().copied())
            .chain(["rent"]);
        Ctx::new(&Cli::try_parse_from(line).unwrap().global).unwrap()
    }

    #[test]
    fn the_signers_key_file_is_created_on_first_use_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let wallet = solana_keypair::Keypair::new();
        let wallet_file = dir.path().join("id.json");
        solana_keypair::write_keypair_file(&wallet, &wallet_file).unwrap();
        let key_file = dir.path().join("keys").join("mine.json");
        let ctx = ctx(&[
            "-k",
            wallet_file.to_str().unwrap(),
            "--encryption-key",
            key_file.to_str().unwrap(),
        ]);
        let keys = ctx.encryption_keys(&wallet.pubkey()).unwrap();
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        // Not the key derived from the wallet: independent of it.
        assert_ne!(
            keys.public_key_bytes(),
            EncryptionKeypair::from_wallet_seed(wallet.secret_bytes()).public_key_bytes()
        );
        assert_eq!(
            ctx.encryption_keys(&wallet.pubkey())
                .unwrap()
                .public_key_bytes(),
            keys.public_key_bytes()
        );
    }

    #[test]
    fn deriving_from_the_seed_is_for_keypair_files_only() {
        let dir = tempfile::tempdir().unwrap();
        let wallet = solana_keypair::Keypair::new();
        let wallet_file = dir.path().join("id.json");
        solana_keypair::write_keypair_file(&wallet, &wallet_file).unwrap();
        let derived = ctx(&[
            "-k",
            wallet_file.to_str().unwrap(),
            "--derive-encryption-key-from-seed",
        ])
        .encryption_keys(&wallet.pubkey())
        .unwrap();
        assert_eq!(
            derived.public_key_bytes(),
            EncryptionKeypair::from_wallet_seed(wallet.secret_bytes()).public_key_bytes()
        );
        // No key file was written for it.
        assert!(!keyfile::path_of(&wallet.pubkey(), None).exists());

        for source in [
            "usb://ledger",
            "prompt://",
            "stdin",
            &wallet.pubkey().to_string(),
        ] {
            let refused = ctx(&["-k", source, "--derive-encryption-key-from-seed"])
                .encryption_keys(&wallet.pubkey())
                .err()
                .unwrap()
                .to_string();
            assert!(
                refused.contains("--derive-encryption-key-from-seed needs a keypair file"),
                "{source}: {refused}"
            );
            assert!(refused.contains(source), "{refused}");
        }
        // And it cannot be combined with a key file.
        assert!(Cli::try_parse_from([
            "panacea",
            "--derive-encryption-key-from-seed",
            "--encryption-key",
            "k.json",
            "rent"
        ])
        .is_err());
    }

    #[test]
    fn a_rotation_starts_from_an_existing_key_only() {
        let dir = tempfile::tempdir().unwrap();
        let owner = Pubkey::new_unique();
        let key_file = dir.path().join("absent.json");
        let refused = ctx(&[
            "-k",
            &owner.to_string(),
            "--encryption-key",
            key_file.to_str().unwrap(),
        ])
        .rotation_keys(&owner)
        .err()
        .unwrap()
        .to_string();
        assert!(refused.contains("no encryption key file at"), "{refused}");
        assert!(
            refused.contains("--derive-encryption-key-from-seed"),
            "{refused}"
        );
        assert!(!key_file.exists(), "nothing created");
    }
}
