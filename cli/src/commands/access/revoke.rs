//! `panacea access revoke GRANT`

use {
    crate::{
        context::{encryption_keys, Ctx},
        output::{Nothing, Report},
        parse,
    },
    anyhow::Result,
    panacea_sdk::Pubkey,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The grant to revoke
    #[arg(value_parser = parse::address)]
    pub grant: Pubkey,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let client = ctx.client()?;
    // A keypair (the patient's or the guardian's) re-keys what the grant
    // reached; any other signer (a hardware wallet) revokes only.
    let (authority, keys) = match ctx.keypair() {
        Ok(keypair) => {
            let keys = encryption_keys(&keypair);
            (
                std::sync::Arc::new(keypair) as std::sync::Arc<panacea_sdk::client::AnySigner>,
                Some(keys),
            )
        }
        Err(_) => (ctx.signer()?, None),
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
            "Grant {} revoked (nothing re-keyed: it carried no keys, or no keypair of the patient or guardian was given)",
            args.grant
        )
    };
    Ok(Report::outcome(title, &outcome, &Nothing {}))
}
