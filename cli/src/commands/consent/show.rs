//! `panacea consent show (CONSENT | --patient ADDRESS --to ADDRESS --purpose PURPOSE)`

use {
    crate::{
        context::Ctx,
        output::Report,
        parse::{self, ConsentPurposeArg},
        view,
    },
    anyhow::{bail, Result},
    panacea_sdk::{consent as cx, consent_program::state::Consent, Pubkey},
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The consent's address
    #[arg(value_parser = parse::address)]
    pub consent: Option<Pubkey>,
    /// Or: the patient [default: the signer] ...
    #[arg(long, value_parser = parse::address)]
    pub patient: Option<Pubkey>,
    /// ... the grantee ...
    #[arg(long, value_parser = parse::address)]
    pub to: Option<Pubkey>,
    /// ... and the purpose
    #[arg(long, value_enum)]
    pub purpose: Option<ConsentPurposeArg>,
}

/// The consent's address from the arguments.
pub fn address(ctx: &Ctx, args: &Args) -> Result<Pubkey> {
    match (args.consent, args.to, args.purpose) {
        (Some(address), _, _) => Ok(address),
        (None, Some(to), Some(purpose)) => Ok(cx::consent_address(
            &ctx.or_signer(args.patient)?,
            &to,
            purpose.into(),
        )),
        _ => bail!("name the consent: its address, or --to and --purpose"),
    }
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let address = address(ctx, &args)?;
    let consent: Consent = ctx.reader().get(&address).await?;
    Ok(Report::object(
        format!(
            "{} consent for {}, {:?}",
            consent.decision.name(),
            consent.purpose.name(),
            consent.status
        ),
        &view::consent(&address, &consent),
    ))
}
