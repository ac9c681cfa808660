//! `panacea access`: who may read a patient's records.

mod approve;
mod authorize;
mod cancel;
mod deny;
mod emergency;
mod grant;
mod list;
mod log;
mod request;
mod revoke;

use {
    crate::{context::Ctx, output::Report},
    anyhow::Result,
    clap::Subcommand,
};

#[derive(Subcommand, Debug)]
pub enum AccessCommand {
    /// Grant an entity access to one record, or to the patient's records of some kinds, handing it their keys (the patient or guardian)
    Grant(grant::Args),
    /// Make an entity your care link: it may issue records of these kinds to you (the patient)
    Authorize(authorize::Args),
    /// Withdraw your unanswered access request, or close anyone's expired one
    Cancel(cancel::Args),
    /// Revoke a grant; the records it reached are then re-keyed (the patient or guardian)
    Revoke(revoke::Args),
    /// Ask a patient for access to a record or to their records (an entity)
    Request(request::Args),
    /// Approve an access request; one over the patient's records hands the keys of the records it covers (the patient or guardian)
    Approve(approve::Args),
    /// Deny an access request (the patient)
    Deny(deny::Args),
    /// Break-glass access to a patient's records, flagged and time-boxed (a provider)
    Emergency(emergency::Args),
    /// Record an access under a grant (the grantee)
    Log(log::Args),
    /// List a patient's grants and pending requests
    List(list::Args),
}

pub async fn run(ctx: &Ctx, command: AccessCommand) -> Result<Report> {
    match command {
        AccessCommand::Grant(args) => grant::run(ctx, args).await,
        AccessCommand::Authorize(args) => authorize::run(ctx, args).await,
        AccessCommand::Cancel(args) => cancel::run(ctx, args).await,
        AccessCommand::Revoke(args) => revoke::run(ctx, args).await,
        AccessCommand::Request(args) => request::run(ctx, args).await,
        AccessCommand::Approve(args) => approve::run(ctx, args).await,
        AccessCommand::Deny(args) => deny::run(ctx, args).await,
        AccessCommand::Emergency(args) => emergency::run(ctx, args).await,
        AccessCommand::Log(args) => log::run(ctx, args).await,
        AccessCommand::List(args) => list::run(ctx, args).await,
    }
}

/// Which access request: who asked, for what, of which patient.
#[derive(clap::Args, Debug)]
pub struct RequestRef {
    /// Who asked
    #[arg(long, value_parser = crate::parse::address)]
    pub requester: panacea_sdk::Pubkey,
    /// The record asked for: an address, or TREE:INDEX for a compressed record [default: a request over the patient's records]
    #[arg(long, value_parser = crate::parse::record)]
    pub record: Option<panacea_sdk::compression::RecordRef>,
    /// The patient, when a guardian signs [default: the signer]
    #[arg(long, value_parser = crate::parse::address)]
    pub patient: Option<panacea_sdk::Pubkey>,
}

impl RequestRef {
    /// The patient (`--patient`, or the signer's address) and the
    /// request's target.
    pub fn resolve(
        &self,
        signer: &panacea_sdk::Pubkey,
    ) -> (panacea_sdk::Pubkey, panacea_sdk::Pubkey) {
        let patient = self.patient.unwrap_or(*signer);
        let record = self.record.as_ref().map(|r| r.address());
        let target = panacea_sdk::records::request_target(&patient, record.as_ref());
        (patient, target)
    }
}
