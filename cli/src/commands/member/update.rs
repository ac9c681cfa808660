//! `panacea member update MEMBER_KEY [--roles ...] [--valid-until YYYY-MM-DD | --days N] [--credential FILE | --credential-commitment HEX]`

use {
    super::{CommitmentSource, Validity},
    crate::{
        context::Ctx,
        output::Report,
        parse::{self, RoleArg},
        view,
    },
    anyhow::Result,
    panacea_sdk::{records_program::instructions::UpdateMemberArgs, Pubkey},
    serde::Serialize,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The member's signing key
    #[arg(value_parser = parse::address, value_name = "MEMBER_KEY")]
    pub member: Pubkey,
    /// The new roles, comma-separated (replacing the old ones)
    #[arg(long, value_enum, value_delimiter = ',')]
    pub roles: Option<Vec<RoleArg>>,
    #[command(flatten)]
    pub validity: Validity,
    #[command(flatten)]
    pub commitment: CommitmentSource,
}

/// `member update`'s fields: the member after the change.
#[derive(Serialize)]
pub struct Updated {
    pub member: view::MemberView,
    /// The random key of `--credential`'s commitment, printed this once.
    pub commitment_key: Option<String>,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    args.validity.check(ctx)?;
    let commitment = args.commitment.resolve(ctx)?;
    let admin = ctx.signer()?;
    let acting = ctx.acting(&*admin)?;
    let client = ctx.client()?;
    // Named before anything is signed: no such member.
    super::show::fetch(&client, &acting.entity, &args.member).await?;
    let update = UpdateMemberArgs {
        roles: args.roles.as_deref().map(parse::roles_mask),
        valid_until: args.validity.resolve(&client).await?,
        credential_commitment: commitment.map(|(c, _)| c),
    };
    let outcome = client.update_member(acting, &args.member, update).await?;
    let member = super::show::fetch(&client, &acting.entity, &args.member).await?;
    Ok(Report::outcome(
        format!(
            "Member {} updated: revision {}",
            args.member, member.revision
        ),
        &outcome,
        &Updated {
            member,
            commitment_key: commitment.and_then(|(_, k)| k).map(|k| view::hex(&k)),
        },
    ))
}
