//! `panacea claim submit --policy POLICY --record RECORD... --amount AMOUNT [--service FILE]`

use {
    crate::{
        context::Ctx,
        output::Report,
        parse::{self, ui_amount},
    },
    anyhow::{bail, Result},
    panacea_sdk::{
        claims_program::{
            constants::MAX_RECORDS_PER_CLAIM,
            state::{Claim, Policy},
        },
        Pubkey,
    },
    serde_json::json,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[arg(long, value_parser = parse::address)]
    pub policy: Pubkey,
    /// A record backing the service (repeat for several)
    #[arg(long = "record", value_parser = parse::address, required = true)]
    pub records: Vec<Pubkey>,
    /// Amount billed, in mint units
    #[arg(long)]
    pub amount: String,
    /// The service document (e.g. a FHIR Claim); only a keyed hash (HMAC under a key derived from your wallet) goes on chain
    #[arg(long, value_name = "FILE")]
    pub service: Option<String>,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    if args.records.len() > MAX_RECORDS_PER_CLAIM {
        bail!(
            "a claim holds at most {MAX_RECORDS_PER_CLAIM} records, not {}",
            args.records.len()
        );
    }
    let provider = ctx.keypair()?;
    // Keyed with the provider's wallet: coded services are low-entropy.
    let service_commitment = match &args.service {
        Some(path) => parse::keyed_file_commitment(&provider, "service", path)?,
        None => {
            let records: Vec<u8> = args.records.iter().flat_map(|r| r.to_bytes()).collect();
            panacea_sdk::offchain::keyed_commitment(&provider, "service", &records)
        }
    };
    let client = ctx.client()?;
    let policy: Policy = client.get(&args.policy).await?;
    for record in &args.records {
        let _: panacea_sdk::records_program::state::Record = client.get(record).await?;
    }
    let decimals = client.mint_info(&policy.payout_mint).await?.decimals;
    let amount = parse::token_amount(&args.amount, decimals)?;
    let outcome = client
        .submit_claim(
            &provider,
            &args.policy,
            &args.records,
            amount,
            service_commitment,
        )
        .await?;
    let address = outcome.address("claim").expect("claim address");
    let claim: Claim = client.get(&address).await?;
    Ok(Report::outcome(
        format!(
            "Claim of {} submitted: {} reserved (before the deductible, applied at settlement), {:?}",
            args.amount,
            ui_amount(claim.amount_payable, decimals),
            claim.status
        ),
        &outcome,
        json!({
            "status": format!("{:?}", claim.status),
            "amount_billed": claim.amount_billed,
            "amount_payable": claim.amount_payable,
            "settle_after": panacea_sdk::audit::iso8601(claim.settle_after),
            "review_deadline": (claim.review_deadline != i64::MAX)
                .then(|| panacea_sdk::audit::iso8601(claim.review_deadline)),
        }),
    ))
}
