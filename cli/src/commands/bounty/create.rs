//! `panacea bounty create --mint M --reward 25 --kinds lab-result --max-contributions 100
//! --max-per-patient 3 --intake 30d --review 7d --study STUDY.json --consent-text FILE [--algorithm HEX64]`

use {
    crate::{
        context::Ctx,
        output::Report,
        parse::{self, KindsArg},
        view::hex,
    },
    anyhow::{anyhow, Result},
    panacea_sdk::{
        bounties_program::instructions::CreateBountyArgs,
        offchain::study_commitment,
        ops::{bounty::algorithm_statement, provider::random_id},
        Pubkey,
    },
    serde::Serialize,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The reward mint (SPL Token or Token-2022; the token program is found from it)
    #[arg(long, value_parser = parse::address)]
    pub mint: Pubkey,
    /// Paid per accepted record, in mint units
    #[arg(long)]
    pub reward: String,
    /// Record kinds wanted
    #[arg(long, value_enum, value_delimiter = ',', required = true)]
    pub kinds: Vec<KindsArg>,
    /// Most records pending or rewarded in total
    #[arg(long)]
    pub max_contributions: u32,
    /// Most records per patient (1 to 64)
    #[arg(long, default_value_t = 1)]
    pub max_per_patient: u16,
    /// How long offers are taken, from now (at most 366d)
    #[arg(long, value_parser = parse::duration, default_value = "30d")]
    pub intake: i64,
    /// Time the researcher has to review an offer before anyone may settle it in full (1d to 90d)
    #[arg(long, value_parser = parse::duration, default_value = "7d")]
    pub review: i64,
    /// The study: a FHIR R4 ResearchStudy JSON file (its canonical JSON's SHA-256 is committed)
    #[arg(long)]
    pub study: String,
    /// The consent text patients agree to (its SHA-256 must be their Research consent's policy commitment)
    #[arg(long)]
    pub consent_text: String,
    /// SHA-256 (64 hex digits) of the only algorithm the researcher commits to run on the data (compute-to-data) [default: none, raw access]
    #[arg(long, value_parser = algorithm)]
    pub algorithm: Option<[u8; 32]>,
}

fn algorithm(value: &str) -> Result<[u8; 32], String> {
    parse::hex32(&value.trim().to_ascii_lowercase())
        .ok_or_else(|| format!("'{value}' is not a SHA-256 hash (64 hex digits)"))
}

/// `bounty create`'s fields (the bounty's address is `bounty`, its escrow `vault`).
#[derive(Serialize)]
pub struct Created {
    pub reward: u64,
    pub study_commitment: String,
    pub consent_text: String,
    pub algorithm: Option<String>,
    pub access: String,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let study =
        std::fs::read(&args.study).map_err(|e| anyhow!("cannot read {}: {e}", args.study))?;
    let study_commitment =
        study_commitment(&study).map_err(|e| anyhow!("--study {}: {e}", args.study))?;
    let consent_text = parse::file_commitment(&args.consent_text)?;
    let researcher = ctx.signer()?;
    let client = ctx.client()?;
    let panacea_sdk::ops::token::MintInfo {
        decimals,
        token_program,
        ..
    } = client.mint_info(&args.mint).await?;
    let reward = parse::token_amount(&args.reward, decimals)?;
    let create = CreateBountyArgs {
        bounty_id: random_id(),
        kinds: parse::kinds_mask(&args.kinds),
        reward,
        max_contributions: args.max_contributions,
        max_per_patient: args.max_per_patient,
        intake_period: args.intake,
        review_window: args.review,
        study_commitment,
        consent_text,
        algorithm: args.algorithm,
    };
    let outcome = client
        .create_bounty(&researcher, &args.mint, &token_program, create)
        .await?;
    let access = algorithm_statement(args.algorithm.as_ref());
    Ok(Report::outcome(
        format!("Bounty created: {} per record. {access}", args.reward),
        &outcome,
        &Created {
            reward,
            study_commitment: hex(&study_commitment),
            consent_text: hex(&consent_text),
            algorithm: args.algorithm.map(|a| hex(&a)),
            access,
        },
    ))
}
