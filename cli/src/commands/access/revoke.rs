//! `panacea access revoke GRANT`

use {
    crate::{
        context::Ctx,
        output::{Nothing, Report},
        parse,
    },
    anyhow::Result,
    panacea_sdk::{
        records_program::{
            pda,
            state::{Grant, Patient},
        },
        Pubkey,
    },
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
    // The patient or the guardian re-keys what the grant reached, with the
    // signer's encryption key file (any signer: a hardware wallet too);
    // anyone else (the grantee giving a grant up) revokes only.
    let signer = authority.pubkey();
    let rekeys = match client.fetch::<Grant>(&args.grant).await? {
        Some(grant) if grant.patient == signer => true,
        Some(grant) => client
            .fetch::<Patient>(&pda::patient(&grant.patient).0)
            .await?
            .is_some_and(|profile| profile.guardian == Some(signer)),
        None => false,
    };
    let keys = if rekeys {
        Some(ctx.encryption_keys(&signer)?)
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
        format!(
            "Grant {} revoked; the records it reached were re-keyed",
            args.grant
        )
    } else {
        format!(
            "Grant {} revoked (nothing re-keyed: it carried no keys, or the signer is neither the patient nor the guardian)",
            args.grant
        )
    };
    Ok(Report::outcome(title, &outcome, &Nothing {}))
}
