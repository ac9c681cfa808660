//! A deployment in this process, for tests, demos and an integrator's CI:
//! the four programs in LiteSVM at a chosen time, a registry (deployment
//! name `localnet`) and, when asked, its record book; actors holding a
//! wallet and an encryption key; entities registered by the registry's
//! admin. Feature `in-process`.

use {
    crate::{
        backend::in_process::InProcessBackend,
        client::PanaceaClient,
        error::{Result, SdkError},
        offchain::EncryptionKeypair,
        Pubkey,
    },
    records::{instructions::RegisterEntityArgs, state::EntityKind},
    solana_keypair::Keypair,
    solana_signer::Signer,
    std::sync::Arc,
};

/// 2026-11-20T00:00:00Z: the clock a local deployment starts at unless told.
pub const LOCAL_START: i64 = 1_795_219_200;
/// The registry's re-authorisation window of a local deployment (4 h).
pub const LOCAL_EMERGENCY_WINDOW: i64 = 4 * 3600;
/// What each entity registered here is given to pay its records' rent.
pub const ENTITY_AIRDROP: u64 = 10_000_000_000;

/// Someone who signs and decrypts: a wallet and an X25519 key.
pub struct Actor {
    pub key: Keypair,
    pub enc: EncryptionKeypair,
}

impl Actor {
    /// A fresh wallet and encryption key.
    pub fn new() -> Self {
        Self {
            key: Keypair::new(),
            enc: EncryptionKeypair::generate(),
        }
    }

    pub fn pubkey(&self) -> Pubkey {
        self.key.pubkey()
    }
}

impl Default for Actor {
    fn default() -> Self {
        Self::new()
    }
}

/// The programs deployed in this process with a registry.
pub struct LocalDeployment {
    pub client: PanaceaClient<InProcessBackend>,
    pub backend: Arc<InProcessBackend>,
    pub admin: Keypair,
    pub upgrade_authority: Keypair,
}

impl LocalDeployment {
    /// Deploys at `unix_ts` and initialises the registry (admin: a fresh
    /// key), the payer funded with 100 SOL.
    pub async fn start(unix_ts: i64) -> Result<Self> {
        let upgrade_authority = Keypair::new();
        let payer = Keypair::new();
        let svm = panacea_runtime::deployment(
            &upgrade_authority.pubkey(),
            unix_ts,
            &[
                (payer.pubkey(), 100_000_000_000),
                (upgrade_authority.pubkey(), 1_000_000_000),
            ],
        )
        .map_err(|e| SdkError::InvalidInput(format!("local deployment: {e}")))?;
        let backend = Arc::new(InProcessBackend::new(svm));
        let client = PanaceaClient::new(backend.clone(), payer);
        let admin = Keypair::new();
        client
            .initialize_registry(
                &upgrade_authority,
                admin.pubkey(),
                LOCAL_EMERGENCY_WINDOW,
                "localnet",
            )
            .await?;
        Ok(Self {
            client,
            backend,
            admin,
            upgrade_authority,
        })
    }

    /// [`start`](Self::start), then the registry's record book.
    pub async fn with_record_book(unix_ts: i64) -> Result<Self> {
        let deployment = Self::start(unix_ts).await?;
        deployment
            .client
            .initialize_record_book(&deployment.admin, crate::rent::RECORD_BOOK_URI)
            .await?;
        Ok(deployment)
    }

    /// Funds `actor` ([`ENTITY_AIRDROP`]) and registers it as an entity of
    /// `kind` with its encryption key, valid until `valid_until`.
    pub async fn register_entity(
        &self,
        actor: &Actor,
        kind: EntityKind,
        valid_until: i64,
    ) -> Result<()> {
        self.backend
            .svm()
            .airdrop(&actor.pubkey(), ENTITY_AIRDROP)
            .map_err(|e| SdkError::InvalidInput(format!("airdrop: {e:?}")))?;
        let args = RegisterEntityArgs {
            kind,
            credential_commitment: [1; 32],
            jurisdiction: *b"US\0\0\0\0\0\0",
            valid_until,
            encryption_key: actor.enc.public_key_bytes(),
        };
        self.client
            .register_entity(&self.admin, &actor.key, args)
            .await?;
        Ok(())
    }
}
