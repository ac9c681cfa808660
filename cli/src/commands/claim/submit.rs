//! `panacea claim submit --policy POLICY --record RECORD... --amount AMOUNT [--service FILE]`

use {
    crate::{
        context::Ctx,
        output::Report,
        parse::{self, ui_amount},
        view,
    },
    anyhow::{bail, Result},
    panacea_sdk::{
        claims_program::{
            constants::MAX_RECORDS_PER_CLAIM,
            state::{Claim, Policy},
        },
        compression::RecordRef,
        Pubkey,
    },
    serde::Serialize,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[arg(long, value_parser = parse::address)]
    pub policy: Pubkey,
    /// A record backing the service, or TREE:INDEX for a compressed record (repeat for several)
    #[arg(long = "record", value_parser = parse::record, required = true)]
    pub records: Vec<RecordRef>,
    /// Amount billed, in mint units
    #[arg(long)]
    pub amount: String,
    /// The service document (e.g. a FHIR Claim); only a keyed hash (HMAC under a key derived from your wallet) goes on chain
    #[arg(long, value_name = "FILE")]
    pub service: Option<String>,
}

/// `claim submit`'s fields: the claim as submitted.
#[derive(Serialize)]
pub struct Submitted {
    pub status: String,
    pub amount_billed: u64,
    pub amount_payable: u64,
    pub settle_after: String,
    pub review_deadline: Option<String>,
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
            let records: Vec<u8> = args
                .records
                .iter()
                .flat_map(|r| r.address().to_bytes())
                .collect();
            panacea_sdk::offchain::keyed_commitment(&provider, "service", &records)
        }
    };
    let client = ctx.client()?;
    let policy: Policy = client.get(&args.policy).await?;
    for record in &args.records {
        client.resolve_record(record).await?;
    }
    let decimals = client.mint_info(&policy.payout_mint).await?.decimals;
    let amount = parse::token_amount(&args.amount, decimals)?;
    let outcome = client
        .bill_records(
            ctx.acting(&provider)?,
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
        &Submitted {
            status: format!("{:?}", claim.status),
            amount_billed: claim.amount_billed,
            amount_payable: claim.amount_payable,
            settle_after: panacea_sdk::audit::iso8601(claim.settle_after),
            review_deadline: view::review_deadline(&claim),
        },
    ))
}
