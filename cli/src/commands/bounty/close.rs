//! `panacea bounty close ADDRESS [--intake-only] [--to TOKEN_ACCOUNT]`: a
//! bounty (the researcher), a final contribution or a tally (anyone).

use {
    super::Held,
    crate::{
        context::Ctx,
        output::{Nothing, Report},
        parse,
    },
    anyhow::Result,
    panacea_sdk::Pubkey,
    serde::Serialize,
    solana_signer::Signer,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A bounty, a contribution or a patient tally
    #[arg(value_parser = parse::address)]
    pub address: Pubkey,
    /// Only end the bounty's intake now (pending offers are still reviewed)
    #[arg(long)]
    pub intake_only: bool,
    /// Where the bounty's remaining escrow goes [default: the signer's associated account]
    #[arg(long, value_parser = parse::address)]
    pub to: Option<Pubkey>,
}

/// `bounty close`'s fields, for a bounty.
#[derive(Serialize)]
pub struct Closed {
    pub destination: String,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let client = ctx.client()?;
    let held = super::held(&client, &args.address).await?;
    if args.intake_only && !matches!(held, Held::Bounty(_)) {
        anyhow::bail!(
            "--intake-only applies to a bounty; {} is not one",
            args.address
        );
    }
    let (title, outcome) = match held {
        Held::Bounty(bounty) => {
            let researcher = ctx.signer()?;
            if args.intake_only {
                let outcome = client.close_intake(&researcher, &args.address).await?;
                return Ok(Report::outcome(
                    format!("Bounty {} takes no more offers", args.address),
                    &outcome,
                    &Nothing {},
                ));
            }
            let destination = match args.to {
                Some(to) => to,
                None => client
                    .create_associated_token_account(&researcher.pubkey(), &bounty.mint)
                    .await?
                    .address("token account")
                    .expect("named"),
            };
            let outcome = client
                .close_bounty(&researcher, &args.address, &destination)
                .await?;
            return Ok(Report::outcome(
                format!(
                    "Bounty {} closed: its escrow went to {destination}, its rent to {}",
                    args.address, bounty.rent_payer
                ),
                &outcome,
                &Closed {
                    destination: destination.to_string(),
                },
            ));
        }
        Held::Contribution(c) => (
            format!(
                "Contribution {} closed: its rent went to {}",
                args.address, c.rent_payer
            ),
            client.close_contribution(&args.address).await?,
        ),
        Held::Tally(t) => (
            format!(
                "Patient tally {} closed: its rent went to {}",
                args.address, t.rent_payer
            ),
            client.close_patient_tally(&args.address).await?,
        ),
    };
    Ok(Report::outcome(title, &outcome, &Nothing {}))
}
