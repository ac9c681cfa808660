//! `panacea access list [--patient ADDRESS]`

use {
    crate::{context::Ctx, output::Report, parse, view},
    anyhow::Result,
    panacea_sdk::Pubkey,
    serde_json::json,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The patient's wallet address [default: the signer]
    #[arg(long, value_parser = parse::address)]
    pub patient: Option<Pubkey>,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let patient = ctx.or_signer(args.patient)?;
    let client = ctx.reader();
    let mut grants = client.grants_of_patient(&patient).await?;
    grants.sort_by_key(|(_, g)| g.granted_at);
    let requests = client.requests_of_patient(&patient).await?;
    let mut items: Vec<_> = grants
        .iter()
        .map(|(a, g)| {
            let mut v = view::grant(a, g);
            v["type"] = json!(if g.emergency {
                "emergency grant"
            } else {
                "grant"
            });
            v["state"] = json!(if g.revoked_at.is_some() {
                "revoked"
            } else {
                "active"
            });
            v["who"] = json!(g.grantee.to_string());
            v
        })
        .collect();
    items.extend(requests.iter().map(|(a, r)| {
        let mut v = view::request(a, r);
        v["type"] = json!("request");
        v["state"] = json!("pending");
        v["who"] = json!(r.requester.to_string());
        v
    }));
    Ok(Report::list(
        format!(
            "{} grants and {} pending requests of {patient}",
            grants.len(),
            requests.len()
        ),
        items,
        &["type", "state", "address", "who", "purpose"],
    ))
}
