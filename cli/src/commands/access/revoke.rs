//! `panacea access revoke GRANT`

use {
    crate::{
        commands::load,
        context::{encryption_keys, Ctx},
        output::{none, Report},
        parse,
    },
    anyhow::Result,
    panacea_sdk::{records_program::state::Grant, Pubkey},
    solana_signer::Signer,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The grant to revoke
    #[arg(value_parser = parse::address)]
    pub grant: Pubkey,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let authority = ctx.signer()?;
    let client = ctx.client()?;
    let grant: Grant = load(&client, &args.grant, "grant").await?;
    if authority.pubkey() != grant.patient {
        // A guardian revokes; only the patient's key can re-key the record.
        let ix =
            panacea_sdk::records::revoke_access(&authority.pubkey(), &grant.patient, &args.grant);
        let signature = client.send(&[ix], &[&authority]).await?;
        let outcome = panacea_sdk::Outcome {
            signature: Some(signature),
            ..Default::default()
        };
        return Ok(Report::outcome(
            format!(
                "Grant {} revoked (the record was not re-keyed: only the patient's key can)",
                args.grant
            ),
            &outcome,
            none(),
        ));
    }
    let store = ctx.store()?;
    let outcome = client
        .revoke_and_rekey(
            &authority,
            &grant.patient,
            &args.grant,
            &encryption_keys(&authority),
            &store,
        )
        .await?;
    Ok(Report::outcome(
        format!("Grant {} revoked; the record was re-keyed", args.grant),
        &outcome,
        none(),
    ))
}
