//! The registry admin (and, once, the program's upgrade authority).

use {
    crate::client::AnySigner,
    crate::{
        backend::Backend,
        client::{Outcome, PanaceaClient},
        error::{Result, SdkError},
        records as rx,
    },
    anchor_lang::prelude::Pubkey,
    records::{instructions::*, pda, state::EntityStatus},
};

impl<B: Backend> PanaceaClient<B> {
    /// Creates the registry; signed by the program's upgrade authority.
    /// `deployment` names the cluster ("mainnet-beta", "devnet",
    /// "localnet") in every wallet-signed consent message; it is set once.
    pub async fn initialize_registry(
        &self,
        upgrade_authority: &AnySigner,
        admin: Pubkey,
        max_emergency_duration: i64,
        deployment: &str,
    ) -> Result<Outcome> {
        let config = pda::config().0;
        let ix = rx::initialize_registry(
            &self.payer(),
            &upgrade_authority.pubkey(),
            InitializeRegistryArgs {
                admin,
                max_emergency_duration,
                deployment: deployment.to_string(),
            },
        );
        self.create(
            self.exists(&config).await?,
            &[ix],
            &[upgrade_authority],
            vec![("config", config)],
        )
        .await
    }

    /// Creates the deployment's record book (once; the admin signs), with
    /// `uri` as the metadata wallets show ([`crate::rent::RECORD_BOOK_URI`]
    /// by default). Patients can only register once it exists.
    pub async fn initialize_record_book(&self, admin: &AnySigner, uri: &str) -> Result<Outcome> {
        let book = pda::record_book().0;
        let ix = rx::initialize_record_book(
            &self.payer(),
            &admin.pubkey(),
            InitializeRecordBookArgs {
                uri: uri.to_string(),
            },
        );
        self.create(
            self.exists(&book).await?,
            &[ix],
            &[admin],
            vec![("record_book", book)],
        )
        .await
    }

    /// The number of Active records in `patient`'s record book (the balance
    /// of their book account), `None` when they have none (not registered).
    pub async fn record_book_balance(&self, patient: &Pubkey) -> Result<Option<u64>> {
        let address = pda::record_book_account(patient);
        self.backend()
            .get_account(&address)
            .await?
            .map(|account| crate::ops::token::token_account_amount(&account.data))
            .transpose()
    }

    /// Credentials an entity; the admin and the entity both sign.
    pub async fn register_entity(
        &self,
        admin: &AnySigner,
        entity: &AnySigner,
        args: RegisterEntityArgs,
    ) -> Result<Outcome> {
        let address = pda::entity(&entity.pubkey()).0;
        // A retry finds the entity; anything else that differs is refused,
        // naming what is on chain (an entity's kind and key never change
        // by registering again).
        let existing: Option<records::state::Entity> = self.fetch(&address).await?;
        if let Some(existing) = &existing {
            if existing.kind != args.kind {
                return Err(SdkError::InvalidInput(format!(
                    "entity {} is registered as {:?}, not {:?}: its kind cannot change",
                    entity.pubkey(),
                    existing.kind,
                    args.kind
                )));
            }
            if existing.encryption_key != args.encryption_key {
                return Err(SdkError::InvalidInput(format!(
                    "entity {} is registered with another encryption key",
                    entity.pubkey()
                )));
            }
        }
        let ix = rx::register_entity(&self.payer(), &admin.pubkey(), &entity.pubkey(), args);
        self.create(
            existing.is_some(),
            &[ix],
            &[admin, entity],
            vec![("entity", address)],
        )
        .await
    }

    pub async fn set_entity_status(
        &self,
        admin: &AnySigner,
        entity: &Pubkey,
        status: EntityStatus,
    ) -> Result<Outcome> {
        let ix = rx::set_entity_status(&admin.pubkey(), entity, SetEntityStatusArgs { status });
        self.act(&[ix], &[admin]).await
    }

    pub async fn renew_entity(
        &self,
        admin: &AnySigner,
        entity: &Pubkey,
        args: RenewEntityArgs,
    ) -> Result<Outcome> {
        let ix = rx::renew_entity(&admin.pubkey(), entity, args);
        self.act(&[ix], &[admin]).await
    }

    /// Changes the registry: hands it to `new_admin` and/or sets the
    /// longest break-glass access. Only the current admin signs.
    pub async fn update_registry(
        &self,
        admin: &AnySigner,
        new_admin: Option<&Pubkey>,
        max_emergency_duration: Option<i64>,
    ) -> Result<Outcome> {
        let ix = rx::update_registry(
            &admin.pubkey(),
            new_admin,
            records::instructions::UpdateRegistryArgs {
                max_emergency_duration,
            },
        );
        self.act(&[ix], &[admin]).await
    }

    /// Names (or replaces) the registry's emergency key custodians and the
    /// threshold of their shares. Only the admin signs.
    pub async fn set_emergency_custodians(
        &self,
        admin: &AnySigner,
        threshold: u8,
        custodians: Vec<records::state::Custodian>,
    ) -> Result<Outcome> {
        let address = records::pda::custodians().0;
        let ix = rx::set_emergency_custodians(
            &self.payer(),
            &admin.pubkey(),
            records::instructions::SetEmergencyCustodiansArgs {
                threshold,
                custodians,
            },
        );
        Ok(Outcome {
            addresses: vec![("custodians", address)],
            ..self.act(&[ix], &[admin]).await?
        })
    }
}
