//! `panacea member add MEMBER_KEY --roles clinician,nurse (--valid-until YYYY-MM-DD | --days N) (--credential FILE | --credential-commitment HEX)`

use {
    super::{CommitmentSource, Validity},
    crate::{
        context::Ctx,
        output::Report,
        parse::{self, RoleArg},
        view,
    },
    anyhow::{anyhow, Result},
    panacea_sdk::{acting::member_address, audit::iso8601, Pubkey},
    serde::Serialize,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The member's own signing key (a clinician's wallet, a Ledger)
    #[arg(value_parser = parse::address, value_name = "MEMBER_KEY")]
    pub member: Pubkey,
    /// Roles, comma-separated (only the entity's authority gives entity-admin)
    #[arg(long, value_enum, value_delimiter = ',', required = true)]
    pub roles: Vec<RoleArg>,
    #[command(flatten)]
    pub validity: Validity,
    #[command(flatten)]
    pub commitment: CommitmentSource,
}

/// `member add`'s fields.
#[derive(Serialize)]
pub struct Added {
    pub entity: String,
    pub member: String,
    pub member_account: String,
    pub roles: String,
    pub valid_until: String,
    pub credential_commitment: String,
    /// The random key of `--credential`'s commitment, printed this once.
    pub commitment_key: Option<String>,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    args.validity.check(ctx)?;
    if args.validity.valid_until.is_none() && args.validity.days.is_none() {
        return Err(anyhow!(
            "give the member's validity: --valid-until YYYY-MM-DD or --days N"
        ));
    }
    if args.commitment.credential.is_none() && args.commitment.credential_commitment.is_none() {
        return Err(anyhow!(
            "give the member's credential: --credential FILE (its keyed hash goes on chain) or --credential-commitment HEX"
        ));
    }
    let (commitment, key) = args.commitment.resolve(ctx)?.expect("one of them is given");
    let roles = parse::roles_mask(&args.roles);
    let admin = ctx.signer()?;
    let acting = ctx.acting(&*admin)?;
    let client = ctx.client()?;
    let valid_until = args
        .validity
        .resolve(&client)
        .await?
        .expect("one of them is given");
    let outcome = client
        .add_member(acting, &args.member, roles, valid_until, commitment)
        .await?;
    let title = if outcome.already_existed {
        format!("Member {} already added to {}", args.member, acting.entity)
    } else {
        format!("Member {} added to {}", args.member, acting.entity)
    };
    Ok(Report::outcome(
        title,
        &outcome,
        &Added {
            entity: acting.entity.to_string(),
            member: args.member.to_string(),
            member_account: member_address(&acting.entity, &args.member).to_string(),
            roles: parse::roles_names(roles).join(","),
            valid_until: iso8601(valid_until),
            credential_commitment: view::hex(&commitment),
            commitment_key: key.map(|k| view::hex(&k)),
        },
    ))
}
