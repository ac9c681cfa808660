//! `panacea bounty list (--researcher R | --patient P | --bounty B)`

use {
    crate::{context::Ctx, output::Report, parse},
    anyhow::Result,
    panacea_sdk::{backend::Backend, Pubkey},
};

#[derive(clap::Args, Debug)]
#[group(required = true, multiple = false, id = "whose")]
pub struct Args {
    /// A researcher's bounties
    #[arg(long, value_parser = parse::address)]
    pub researcher: Option<Pubkey>,
    /// A patient's contributions
    #[arg(long, value_parser = parse::address)]
    pub patient: Option<Pubkey>,
    /// The contributions to a bounty
    #[arg(long, value_parser = parse::address)]
    pub bounty: Option<Pubkey>,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let client = ctx.reader();
    if let Some(researcher) = args.researcher {
        let now = client.backend().unix_timestamp().await?;
        let mut bounties = client.bounties_of_researcher(&researcher).await?;
        bounties.sort_by_key(|(_, b)| b.opened_at);
        let mut views = Vec::with_capacity(bounties.len());
        for (address, bounty) in &bounties {
            let decimals = client.mint_info(&bounty.mint).await?.decimals;
            views.push(super::bounty_view(address, bounty, decimals, now));
        }
        return Ok(Report::list(
            format!("{} bounties of researcher {researcher}", views.len()),
            &views,
            &[
                "address",
                "status",
                "reward",
                "available",
                "pending",
                "rewarded",
            ],
        ));
    }
    let (contributions, whose) = match (args.patient, args.bounty) {
        (Some(patient), _) => (
            client.contributions_of_patient(&patient).await?,
            format!("patient {patient}"),
        ),
        (None, Some(bounty)) => (
            client.contributions_of_bounty(&bounty).await?,
            format!("bounty {bounty}"),
        ),
        (None, None) => anyhow::bail!("name --researcher, --patient or --bounty"),
    };
    let mut contributions = contributions;
    contributions.sort_by_key(|(_, c)| c.offered_at);
    Ok(Report::list(
        format!("{} contributions of {whose}", contributions.len()),
        &contributions
            .iter()
            .map(|(a, c)| super::contribution_view(a, c))
            .collect::<Vec<_>>(),
        &["address", "status", "kind", "amount_paid", "patient"],
    ))
}
