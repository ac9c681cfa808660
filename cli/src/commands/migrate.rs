//! `panacea migrate [--admin ADDRESS] [--max-emergency 24h] [--deployment NAME]`:
//! the post-deploy set-up of a cluster, safe to run again.
//!
//! 1. checks that the four programs are deployed (executable) at their ids;
//! 2. creates the registry with its first admin and the deployment's name,
//!    signed by the programs' upgrade authority (`-k`), unless it exists;
//! 3. when it exists: refuses another deployment name (it is set once),
//!    reports it unchanged if it matches, updates the emergency limit when
//!    the signer is its admin, and otherwise says who the admin is.

use {
    crate::{context::Ctx, output::Report, parse},
    anyhow::{bail, Result},
    panacea_sdk::{
        backend::Backend,
        bounties_program, claims_program, consent_program,
        records_program::{self, pda, state::RegistryConfig},
        Pubkey,
    },
    serde::Serialize,
    solana_signer::Signer,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The registry's first admin [default: the signer]
    #[arg(long, value_parser = parse::address)]
    pub admin: Option<Pubkey>,
    /// Longest break-glass grant a provider may give itself
    #[arg(long, value_parser = parse::duration, default_value = "24h")]
    pub max_emergency: i64,
    /// The deployment's name, set once and named in every wallet-signed
    /// consent message (mainnet-beta, devnet, localnet, ...) [default: from
    /// the URL, when it is a public cluster's endpoint or this machine]
    #[arg(long, value_parser = parse::deployment)]
    pub deployment: Option<String>,
}

/// One step of `migrate`: what it found or did.
#[derive(Serialize)]
pub struct Step {
    pub step: String,
    /// `deployed`, `created`, `updated` or `unchanged`.
    pub status: &'static str,
    pub address: String,
    /// The deployment's name, when the registry was created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deployment: Option<String>,
    /// The transaction, when the step sent one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

impl Step {
    fn new(step: impl Into<String>, status: &'static str, address: &Pubkey) -> Self {
        Self {
            step: step.into(),
            status,
            address: address.to_string(),
            deployment: None,
            signature: None,
        }
    }

    fn sent(mut self, outcome: &panacea_sdk::Outcome) -> Self {
        self.signature = outcome.signature.map(|s| s.to_string());
        self
    }
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let signer = ctx.signer()?;
    let admin = args.admin.unwrap_or(signer.pubkey());
    let client = ctx.client()?;
    let mut steps = Vec::new();
    for (name, id) in [
        ("records", records_program::ID),
        ("consent", consent_program::ID),
        ("claims", claims_program::ID),
        ("bounties", bounties_program::ID),
    ] {
        match client.backend().get_account(&id).await? {
            Some(account) if account.executable => {
                steps.push(Step::new(format!("program {name}"), "deployed", &id))
            }
            _ => bail!("program {name} is not deployed at {id} on {}", ctx.url),
        }
    }
    let config_address = pda::config().0;
    match client.fetch::<RegistryConfig>(&config_address).await? {
        None => {
            let deployment = ctx.deployment(args.deployment)?;
            let outcome = client
                .initialize_registry(&signer, admin, args.max_emergency, &deployment)
                .await?;
            steps.push(Step {
                deployment: Some(deployment),
                ..Step::new("registry", "created", &config_address).sent(&outcome)
            });
        }
        Some(config)
            if args
                .deployment
                .as_ref()
                .is_some_and(|d| *d != config.deployment) =>
        {
            bail!(
                "the registry exists as deployment '{}', not '{}': the name is set once and cannot change",
                config.deployment,
                args.deployment.unwrap_or_default()
            )
        }
        Some(config) if config.admin != admin => bail!(
            "the registry exists with admin {}, not {admin}; that admin must hand it over",
            config.admin
        ),
        Some(config) if config.max_emergency_duration == args.max_emergency => {
            steps.push(Step::new("registry", "unchanged", &config_address));
        }
        Some(config) => {
            if signer.pubkey() != config.admin {
                bail!(
                    "the registry's emergency limit is {}s, not {}s; run with the admin's keypair ({}) to change it",
                    config.max_emergency_duration,
                    args.max_emergency,
                    config.admin
                );
            }
            let outcome = client
                .update_registry(&*signer, None, Some(args.max_emergency))
                .await?;
            steps.push(Step::new("registry", "updated", &config_address).sent(&outcome));
        }
    }
    // The record book: created by the admin, once.
    let book = pda::record_book().0;
    if client.backend().get_account(&book).await?.is_some() {
        steps.push(Step::new("record book", "unchanged", &book));
    } else if signer.pubkey() == admin {
        let outcome = client
            .initialize_record_book(&signer, panacea_sdk::rent::RECORD_BOOK_URI)
            .await?;
        steps.push(Step::new("record book", "created", &book).sent(&outcome));
    } else {
        bail!("the record book does not exist: the registry admin {admin} creates it with `panacea registry book`");
    }
    Ok(Report::list(
        format!("Cluster {} set up; registry admin {admin}", ctx.url),
        &steps,
        &["step", "status", "address"],
    ))
}
