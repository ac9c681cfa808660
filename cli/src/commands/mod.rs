//! One module per command group, one file per command. Each command reads
//! and checks its inputs, acts through the SDK and returns a [`Report`].

pub mod access;
pub mod audit;
pub mod claim;
pub mod consent;
pub mod demo;
pub mod migrate;
pub mod patient;
pub mod policy;
pub mod record;
pub mod registry;
pub mod rent;

use {
    crate::{
        cli::{Cli, Command},
        context::{Client, Ctx},
        explain,
        output::Report,
    },
    anchor_lang::{AccountDeserialize, Discriminator},
    anyhow::{anyhow, bail, Result},
    panacea_sdk::{backend::Backend, Pubkey},
};

pub async fn run(cli: Cli) -> Result<()> {
    let ctx = Ctx::new(&cli.global)?;
    let report = match dispatch(&ctx, cli.command).await {
        Ok(report) => report,
        Err(error) => return Err(explain::in_context(error, &ctx).await),
    };
    report.print(ctx.output);
    Ok(())
}

async fn dispatch(ctx: &Ctx, command: Command) -> Result<Report> {
    match command {
        Command::Registry(c) => registry::run(ctx, c).await,
        Command::Patient(c) => patient::run(ctx, c).await,
        Command::Record(c) => record::run(ctx, c).await,
        Command::Access(c) => access::run(ctx, c).await,
        Command::Consent(c) => consent::run(ctx, c).await,
        Command::Policy(c) => policy::run(ctx, c).await,
        Command::Claim(c) => claim::run(ctx, c).await,
        Command::Audit(args) => audit::run(ctx, args).await,
        Command::Rent(args) => rent::run(ctx, args).await,
        Command::Demo(args) => demo::run(ctx, args).await,
        Command::Migrate(args) => migrate::run(ctx, args).await,
    }
}

/// The account of type `T` at `address`, or an error naming what was
/// expected there (`what`: "record", "grant", ...).
pub async fn load<T: AccountDeserialize + Discriminator>(
    client: &Client,
    address: &Pubkey,
    what: &str,
) -> Result<T> {
    match client.backend().get_account(address).await? {
        None => bail!("no {what} at {address}: the account does not exist"),
        Some(account) => {
            if account.data.len() < 8 || &account.data[..8] != T::DISCRIMINATOR {
                bail!("{address} is not a {what}");
            }
            T::try_deserialize(&mut account.data.as_slice())
                .map_err(|_| anyhow!("{address} is not a {what}"))
        }
    }
}

/// A payout mint's decimals and its token program (its owner).
pub async fn mint_info(client: &Client, mint: &Pubkey) -> Result<(u8, Pubkey)> {
    let account = client
        .backend()
        .get_account(mint)
        .await?
        .ok_or_else(|| anyhow!("no mint at {mint}"))?;
    let token_programs = [anchor_spl::token::ID, anchor_spl::token_2022::ID];
    if !token_programs.contains(&account.owner) || account.data.len() < 82 {
        bail!("{mint} is not a token mint");
    }
    Ok((account.data[44], account.owner))
}

/// `owner`'s associated token account for `mint`, created (paid by the fee
/// payer) when missing.
pub async fn associated_account(client: &Client, owner: &Pubkey, mint: &Pubkey) -> Result<Pubkey> {
    use anchor_spl::associated_token::{
        get_associated_token_address_with_program_id,
        spl_associated_token_account::instruction::create_associated_token_account_idempotent,
    };
    let (_, token_program) = mint_info(client, mint).await?;
    let address = get_associated_token_address_with_program_id(owner, mint, &token_program);
    if client.backend().get_account(&address).await?.is_none() {
        let ix = create_associated_token_account_idempotent(
            &client.payer(),
            owner,
            mint,
            &token_program,
        );
        client.send(&[ix], &[]).await?;
    }
    Ok(address)
}
