//! `panacea bounty show ADDRESS [--fhir]`

use {
    super::Held,
    crate::{context::Ctx, output::Report, parse},
    anyhow::Result,
    panacea_sdk::{
        audit::{bounty_to_research_study, contribution_to_research_subject},
        backend::Backend,
        bounties::research_consent_address,
        bounties_program::state::Bounty,
        Pubkey,
    },
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A bounty or a contribution
    #[arg(value_parser = parse::address)]
    pub address: Pubkey,
    /// Print it as FHIR R4: a bounty as a ResearchStudy, a contribution as a ResearchSubject
    #[arg(long)]
    pub fhir: bool,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let client = ctx.reader();
    let now = client.backend().unix_timestamp().await?;
    match super::held(&client, &args.address).await? {
        Held::Bounty(bounty) => {
            if args.fhir {
                return Ok(Report::raw(&bounty_to_research_study(
                    &args.address,
                    &bounty,
                    now,
                )));
            }
            let decimals = client.mint_info(&bounty.mint).await?.decimals;
            let view = super::bounty_view(&args.address, &bounty, decimals, now);
            Ok(Report::object(
                format!(
                    "Bounty {:?}: {} per record, {} available, {} pending, {} rewarded. {}",
                    bounty.status,
                    view.reward,
                    view.available,
                    bounty.pending,
                    bounty.rewarded,
                    view.access
                ),
                &view,
            ))
        }
        Held::Contribution(c) => {
            let bounty: Option<Bounty> = client.fetch(&c.bounty).await.ok().flatten();
            let researcher = bounty.as_ref().map(|b| b.researcher);
            if args.fhir {
                let consent = match researcher {
                    Some(researcher) => research_consent_address(&c.patient, &researcher),
                    None => anyhow::bail!(
                        "contribution {}'s bounty {} is closed: its researcher, hence its consent, is unknown",
                        args.address,
                        c.bounty
                    ),
                };
                return Ok(Report::raw(&contribution_to_research_subject(
                    &args.address,
                    &c,
                    &consent,
                )));
            }
            Ok(Report::object(
                format!("Contribution {:?}", c.status),
                &super::contribution_view(&args.address, &c),
            ))
        }
        Held::Tally(t) => Ok(Report::object(
            format!(
                "Patient tally: {} counted, {} pending on bounty {}",
                t.counted, t.pending, t.bounty
            ),
            &Tally {
                bounty: t.bounty.to_string(),
                patient: t.patient.to_string(),
                counted: t.counted,
                pending: t.pending,
            },
        )),
    }
}

#[derive(serde::Serialize)]
pub struct Tally {
    pub bounty: String,
    pub patient: String,
    pub counted: u16,
    pub pending: u16,
}
