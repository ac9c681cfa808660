//! `panacea access revoke GRANT`

use {
    crate::{
        context::Ctx,
        output::{Nothing, Report},
        parse,
    },
    anyhow::Result,
    panacea_sdk::{
        records_program::state::{Grant, GrantScope},
        Pubkey,
    },
    solana_signer::Signer,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The grant to revoke
    #[arg(value_parser = parse::address)]
    pub grant: Pubkey,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let client = ctx.client()?;
    let authority = ctx.signer()?;
    // The patient's own revocation of a record grant re-keys the record,
    // with the patient's encryption key (any signer: the key file); a
    // guardian's, or one of another scope, revokes only.
    let rekeys = match client.fetch::<Grant>(&args.grant).await? {
        Some(grant) => grant.patient == authority.pubkey() && grant.scope == GrantScope::Record,
        None => false,
    };
    let keys = if rekeys {
        Some(ctx.encryption_keys(&authority.pubkey())?)
    } else {
        None
    };
    // Re-keying writes the record's payload anew: it must outlive this
    // command.
    let store = if keys.is_some() {
        ctx.online_only("access revoke (re-keying the record)")?;
        ctx.lasting_store()?
    } else {
        ctx.store()?
    };
    let (outcome, rekeyed) = client
        .revoke_grant(&*authority, &args.grant, keys.as_ref(), &store)
        .await?;
    let title = if rekeyed {
        format!("Grant {} revoked; the record was re-keyed", args.grant)
    } else {
        format!(
            "Grant {} revoked (no record re-keyed: only the patient's own revocation of a record grant re-keys its record)",
            args.grant
        )
    };
    Ok(Report::outcome(title, &outcome, &Nothing {}))
}
