//! `panacea access list [--patient ADDRESS]`

use {
    crate::{
        context::Ctx,
        output::Report,
        parse,
        view::{self, GrantView, RequestView},
    },
    anyhow::Result,
    panacea_sdk::Pubkey,
    serde::Serialize,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The patient's wallet address [default: the signer]
    #[arg(long, value_parser = parse::address)]
    pub patient: Option<Pubkey>,
}

/// One row of `access list`: a grant or a pending request, with what kind
/// of entry it is, its state and who holds or asked for it.
#[derive(Serialize)]
pub struct Entry<T: Serialize> {
    /// `grant`, `emergency grant` or `request`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// `active`, `revoked` or `pending`.
    pub state: &'static str,
    pub who: String,
    #[serde(flatten)]
    pub account: T,
}

#[derive(Serialize)]
#[serde(untagged)]
pub enum Listed {
    Grant(Entry<GrantView>),
    Request(Entry<RequestView>),
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let patient = ctx.or_signer(args.patient)?;
    let client = ctx.reader();
    let mut grants = client.grants_of_patient(&patient).await?;
    grants.sort_by_key(|(_, g)| g.granted_at);
    let requests = client.requests_of_patient(&patient).await?;
    let mut items: Vec<Listed> = grants
        .iter()
        .map(|(a, g)| {
            Listed::Grant(Entry {
                kind: if g.emergency {
                    "emergency grant"
                } else {
                    "grant"
                },
                state: if g.revoked_at.is_some() {
                    "revoked"
                } else {
                    "active"
                },
                who: g.grantee.to_string(),
                account: view::grant(a, g),
            })
        })
        .collect();
    items.extend(requests.iter().map(|(a, r)| {
        Listed::Request(Entry {
            kind: "request",
            state: "pending",
            who: r.requester.to_string(),
            account: view::request(a, r),
        })
    }));
    Ok(Report::list(
        format!(
            "{} grants and {} pending requests of {patient}",
            grants.len(),
            requests.len()
        ),
        &items,
        &["type", "state", "address", "who", "purpose"],
    ))
}
