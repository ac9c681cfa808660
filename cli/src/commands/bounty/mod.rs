//! `panacea bounty`: research data bounties. A researcher escrows a reward
//! per record; a patient offers a record under Research consent (the
//! research grant and the offer in one transaction); the researcher
//! accepts or rejects within the review window, after which anyone
//! settles. Amounts are in the mint's units (`25` USDC).

mod accept;
mod cancel;
mod close;
mod contribute;
mod create;
mod fund;
mod list;
mod reject;
mod settle;
mod show;
mod withdraw;

use {
    crate::{
        context::{Client, Ctx},
        output::Report,
        parse::{kinds_names, ui_amount},
        view::hex,
    },
    anyhow::Result,
    clap::Subcommand,
    panacea_sdk::{
        audit::iso8601,
        bounties_program::state::{Bounty, Contribution, EscrowLedger, PatientTally},
        ops::bounty::access_statement,
        Pubkey,
    },
    serde::Serialize,
};

#[derive(Subcommand, Debug)]
pub enum BountyCommand {
    /// Open a bounty: a reward per record of some kinds, escrowed (a Researcher entity)
    Create(create::Args),
    /// Deposit into a bounty's escrow (anyone)
    Fund(fund::Args),
    /// Withdraw escrow no pending offer holds (the researcher)
    Withdraw(withdraw::Args),
    /// Offer one of the patient's records to a bounty, granting the researcher Research read access (the patient or guardian)
    Contribute(contribute::Args),
    /// Accept a pending contribution within its review window, paying the patient (the researcher)
    Accept(accept::Args),
    /// Reject a pending contribution within its review window, with a reason (the researcher)
    Reject(reject::Args),
    /// Pay a contribution in full once its review window has passed (anyone)
    Settle(settle::Args),
    /// Cancel a bounty with nothing pending (the researcher), or a contribution whose consent or grant ended (anyone)
    Cancel(cancel::Args),
    /// Close a bounty (the researcher; --intake-only ends intake), or a final contribution or a tally (anyone), returning rent
    Close(close::Args),
    /// Show a bounty or a contribution (--fhir: ResearchStudy / ResearchSubject)
    Show(show::Args),
    /// List a researcher's bounties, or the contributions of a patient or to a bounty
    List(list::Args),
}

pub async fn run(ctx: &Ctx, command: BountyCommand) -> Result<Report> {
    match command {
        BountyCommand::Create(args) => create::run(ctx, args).await,
        BountyCommand::Fund(args) => fund::run(ctx, args).await,
        BountyCommand::Withdraw(args) => withdraw::run(ctx, args).await,
        BountyCommand::Contribute(args) => contribute::run(ctx, args).await,
        BountyCommand::Accept(args) => accept::run(ctx, args).await,
        BountyCommand::Reject(args) => reject::run(ctx, args).await,
        BountyCommand::Settle(args) => settle::run(ctx, args).await,
        BountyCommand::Cancel(args) => cancel::run(ctx, args).await,
        BountyCommand::Close(args) => close::run(ctx, args).await,
        BountyCommand::Show(args) => show::run(ctx, args).await,
        BountyCommand::List(args) => list::run(ctx, args).await,
    }
}

/// What a bounties address holds (typed reads, no raw bytes).
pub enum Held {
    Bounty(Box<Bounty>),
    Contribution(Box<Contribution>),
    Tally(PatientTally),
}

/// Reads `address` as a bounty, a contribution or a patient tally.
pub async fn held(client: &Client, address: &Pubkey) -> Result<Held> {
    if let Ok(Some(bounty)) = client.fetch::<Bounty>(address).await {
        return Ok(Held::Bounty(Box::new(bounty)));
    }
    if let Ok(Some(contribution)) = client.fetch::<Contribution>(address).await {
        return Ok(Held::Contribution(Box::new(contribution)));
    }
    if let Ok(Some(tally)) = client.fetch::<PatientTally>(address).await {
        return Ok(Held::Tally(tally));
    }
    anyhow::bail!("{address} is not a bounty, a contribution or a patient tally on this cluster")
}

/// A bounty's terms and escrow, as `show` and `list` print them.
#[derive(Serialize)]
pub struct BountyView {
    pub address: String,
    pub researcher: String,
    pub status: String,
    pub intake_open: bool,
    pub mint: String,
    pub kinds: Vec<String>,
    /// Per record, in mint units.
    pub reward: String,
    pub max_contributions: u32,
    pub max_per_patient: u16,
    pub opened_at: String,
    pub intake_ends_at: String,
    pub review_window_seconds: i64,
    pub study_commitment: String,
    pub consent_text: String,
    pub algorithm: Option<String>,
    pub access: String,
    pub deposited: String,
    pub reserved: String,
    pub paid: String,
    pub withdrawn: String,
    pub available: String,
    pub pending: u32,
    pub rewarded: u32,
}

pub fn bounty_view(address: &Pubkey, b: &Bounty, decimals: u8, now: i64) -> BountyView {
    let amount = |a: u64| ui_amount(a, decimals);
    BountyView {
        address: address.to_string(),
        researcher: b.researcher.to_string(),
        status: format!("{:?}", b.status),
        intake_open: b.intake_open(now),
        mint: b.mint.to_string(),
        kinds: kinds_names(b.kinds),
        reward: amount(b.reward),
        max_contributions: b.max_contributions,
        max_per_patient: b.max_per_patient,
        opened_at: iso8601(b.opened_at),
        intake_ends_at: iso8601(b.intake_ends_at),
        review_window_seconds: b.review_window,
        study_commitment: hex(&b.study_commitment),
        consent_text: hex(&b.consent_text),
        algorithm: b.algorithm.map(|a| hex(&a)),
        access: access_statement(b),
        deposited: amount(b.deposited),
        reserved: amount(b.reserved),
        paid: amount(b.paid),
        withdrawn: amount(b.withdrawn),
        available: amount(b.unreserved().unwrap_or_default()),
        pending: b.pending,
        rewarded: b.rewarded,
    }
}

/// A contribution, as `show` and `list` print it.
#[derive(Serialize)]
pub struct ContributionView {
    pub address: String,
    pub bounty: String,
    pub patient: String,
    pub record: String,
    pub grant: String,
    pub kind: String,
    pub status: String,
    /// Base units reserved at the offer.
    pub reward: u64,
    pub amount_paid: u64,
    pub quality_score: Option<u8>,
    pub reason_code: u16,
    pub offered_at: String,
    pub review_deadline: String,
    pub decided_at: Option<String>,
}

pub fn contribution_view(address: &Pubkey, c: &Contribution) -> ContributionView {
    ContributionView {
        address: address.to_string(),
        bounty: c.bounty.to_string(),
        patient: c.patient.to_string(),
        record: c.record.to_string(),
        grant: c.grant.to_string(),
        kind: format!("{:?}", c.kind),
        status: format!("{:?}", c.status),
        reward: c.reward,
        amount_paid: c.amount_paid,
        quality_score: c.quality_score,
        reason_code: c.reason_code,
        offered_at: iso8601(c.offered_at),
        review_deadline: iso8601(c.review_deadline),
        decided_at: c.decided_at.map(iso8601),
    }
}

/// A contribution action's fields: its status after the action.
#[derive(Serialize)]
pub struct ContributionAfter {
    pub contribution: String,
    pub status: String,
    pub amount_paid: u64,
}

/// Reports a contribution action: the contribution's status after it.
pub async fn after(
    client: &Client,
    contribution: &Pubkey,
    verb: &str,
    outcome: &panacea_sdk::Outcome,
) -> Result<Report> {
    let c: Contribution = client.get(contribution).await?;
    Ok(Report::outcome(
        format!("Contribution {contribution} {verb}: now {:?}", c.status),
        outcome,
        &ContributionAfter {
            contribution: contribution.to_string(),
            status: format!("{:?}", c.status),
            amount_paid: c.amount_paid,
        },
    ))
}
