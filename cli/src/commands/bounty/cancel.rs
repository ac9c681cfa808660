//! `panacea bounty cancel ADDRESS`: a bounty (the researcher) or a
//! contribution whose consent or grant ended (anyone).

use {
    super::Held,
    crate::{
        context::Ctx,
        output::{Nothing, Report},
        parse,
    },
    anyhow::Result,
    panacea_sdk::Pubkey,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A bounty or a contribution
    #[arg(value_parser = parse::address)]
    pub address: Pubkey,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let client = ctx.client()?;
    match super::held(&client, &args.address).await? {
        Held::Bounty(_) => {
            let researcher = ctx.signer()?;
            let outcome = client.cancel_bounty(&researcher, &args.address).await?;
            Ok(Report::outcome(
                format!("Bounty {} cancelled", args.address),
                &outcome,
                &Nothing {},
            ))
        }
        Held::Contribution(_) => {
            let outcome = client.cancel_contribution(&args.address).await?;
            super::after(&client, &args.address, "cancelled", &outcome).await
        }
        Held::Tally(_) => anyhow::bail!(
            "{} is a patient tally: it is not cancelled but closed (bounty close)",
            args.address
        ),
    }
}
