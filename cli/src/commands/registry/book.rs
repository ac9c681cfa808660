//! `panacea registry book [--uri URI]`: the admin creates the record book.

use {
    crate::{context::Ctx, output::Report},
    anyhow::Result,
    serde::Serialize,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Metadata URI wallets show for the record book (a JSON with name, symbol, image)
    #[arg(long, default_value = panacea_sdk::rent::RECORD_BOOK_URI)]
    pub uri: String,
}

/// `registry book`'s fields.
#[derive(Serialize)]
pub struct Book {
    pub uri: String,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let admin = ctx.signer()?;
    let client = ctx.client()?;
    let outcome = client.initialize_record_book(&admin, &args.uri).await?;
    let title = if outcome.already_existed {
        "Record book already exists"
    } else {
        "Record book created"
    };
    Ok(Report::outcome(title, &outcome, &Book { uri: args.uri }))
}
