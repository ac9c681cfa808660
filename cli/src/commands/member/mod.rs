//! `panacea member`: an entity's staff. Its authority, or an EntityAdmin
//! member acting for it (`--entity`), adds, updates, suspends, reinstates,
//! revokes and closes `Member` accounts; anyone lists and shows them, and
//! checks an exported W3C Verifiable Credential against the chain.

mod add;
mod close;
mod credential;
mod list;
mod show;
mod status;
mod update;
mod verify;

use {
    crate::{context::Ctx, output::Report, parse},
    anyhow::{bail, Result},
    panacea_sdk::{backend::Backend, Pubkey},
    std::path::PathBuf,
};

#[derive(clap::Subcommand, Debug)]
pub enum MemberCommand {
    /// Add a member (a staff key) with roles, a validity and a credential commitment (the entity's authority, or an EntityAdmin member with --entity)
    Add(add::Args),
    /// Change a member's roles, validity or credential commitment (an admin)
    Update(update::Args),
    /// Suspend a member: refused at once, in every program (an admin)
    Suspend(status::Args),
    /// Reinstate a suspended member (an admin)
    Reinstate(status::Args),
    /// Revoke a member for good: the account stays as a tombstone and the key cannot be added again (an admin)
    Revoke(status::Args),
    /// Close an active or suspended member (an ordinary departure), refunding its rent (an admin)
    Close(close::Args),
    /// List an entity's members
    List(list::Args),
    /// Show one member
    Show(show::Args),
    /// Export a member's credential as a signed W3C Verifiable Credential (a keypair signer: the authority or an EntityAdmin member)
    Credential(credential::Args),
    /// Verify an exported credential against the chain (anyone)
    Verify(verify::Args),
}

pub async fn run(ctx: &Ctx, command: MemberCommand) -> Result<Report> {
    match command {
        MemberCommand::Add(args) => add::run(ctx, args).await,
        MemberCommand::Update(args) => update::run(ctx, args).await,
        MemberCommand::Suspend(args) => status::run(ctx, args, status::Move::Suspend).await,
        MemberCommand::Reinstate(args) => status::run(ctx, args, status::Move::Reinstate).await,
        MemberCommand::Revoke(args) => status::run(ctx, args, status::Move::Revoke).await,
        MemberCommand::Close(args) => close::run(ctx, args).await,
        MemberCommand::List(args) => list::run(ctx, args).await,
        MemberCommand::Show(args) => show::run(ctx, args).await,
        MemberCommand::Credential(args) => credential::run(ctx, args).await,
        MemberCommand::Verify(args) => verify::run(ctx, args).await,
    }
}

/// Until when a member may act.
#[derive(clap::Args, Debug)]
pub struct Validity {
    /// The member acts until 00:00 UTC of this date (at most 5 years ahead)
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse::date, conflicts_with = "days")]
    pub valid_until: Option<i64>,
    /// The member acts for this many days from now (reads the cluster's clock, so not with --sign-only: give --valid-until)
    #[arg(long, value_name = "N")]
    pub days: Option<u32>,
}

impl Validity {
    /// Refuses `--days` offline, before anything is read or signed.
    pub fn check(&self, ctx: &Ctx) -> Result<()> {
        if self.days.is_some() && ctx.over_blockhash() {
            bail!("--days counts from the cluster's clock, which a transaction built over --blockhash (--sign-only) must not read: give --valid-until YYYY-MM-DD");
        }
        Ok(())
    }

    /// The Unix time the member acts until, when given.
    pub async fn resolve(&self, client: &crate::context::Client) -> Result<Option<i64>> {
        Ok(match (self.valid_until, self.days) {
            (Some(until), _) => Some(until),
            (None, Some(days)) => {
                let now = client.backend().unix_timestamp().await?;
                Some(now + i64::from(days) * 86_400)
            }
            (None, None) => None,
        })
    }
}

/// A credential commitment, and the key `--credential` drew for it.
pub type Commitment = ([u8; 32], Option<[u8; 32]>);

/// The member's credential commitment.
#[derive(clap::Args, Debug)]
pub struct CommitmentSource {
    /// The licence or credential document: a fresh random key hashes it (HMAC-SHA256) and is printed once as commitment_key (keep it with the document); only the hash goes on chain
    #[arg(long, value_name = "FILE", conflicts_with = "credential_commitment")]
    pub credential: Option<PathBuf>,
    /// The credential commitment itself, 64 hex digits (computed elsewhere; `--commitment` is the Solana CLI's commitment level)
    #[arg(long, value_name = "HEX", value_parser = parse::commitment)]
    pub credential_commitment: Option<[u8; 32]>,
}

impl CommitmentSource {
    /// The commitment and, for `--credential`, the key drawn for it.
    pub fn resolve(&self, ctx: &Ctx) -> Result<Option<Commitment>> {
        if let Some(commitment) = self.credential_commitment {
            return Ok(Some((commitment, None)));
        }
        let Some(path) = &self.credential else {
            return Ok(None);
        };
        if ctx.over_blockhash() {
            bail!("--credential draws a new random key on every run, so the message signed offline (--blockhash) could not be rebuilt: hash it once and give --credential-commitment HEX");
        }
        let document = std::fs::read(path)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        let key = panacea_sdk::ops::members::new_commitment_key();
        Ok(Some((
            panacea_sdk::credential::member_commitment(&key, &document),
            Some(key),
        )))
    }
}

/// The member named on the command line, under the entity the signer acts
/// for (`--entity`, else the signer).
#[derive(clap::Args, Debug)]
pub struct Which {
    /// The member's signing key
    #[arg(value_parser = parse::address, value_name = "MEMBER_KEY")]
    pub member: Pubkey,
}

#[cfg(test)]
mod tests {
    use {
        crate::cli::{Cli, Command},
        clap::Parser,
    };

    const KEY: &str = "11111111111111111111111111111111";

    fn parse(line: &str) -> Cli {
        Cli::try_parse_from(std::iter::once("panacea").chain(line.split_whitespace()))
            .unwrap_or_else(|e| panic!("{line}: {e}"))
    }

    /// A subcommand option with the id of a global one would be read back
    /// as the global's type (a panic): every member option parses beside
    /// every global it could collide with.
    #[test]
    fn member_options_parse_beside_the_global_ones() {
        let hex = "ab".repeat(32);
        let cli = parse(&format!(
            "--commitment finalized --entity {KEY} member add {KEY} --roles clinician,lab-technician --days 30 --credential-commitment {hex}"
        ));
        assert_eq!(cli.global.entity.as_deref(), Some(KEY));
        let Command::Member(super::MemberCommand::Add(add)) = cli.command else {
            panic!("member add");
        };
        assert_eq!(add.commitment.credential_commitment, Some([0xab; 32]));
        assert_eq!(
            crate::parse::roles_mask(&add.roles),
            panacea_sdk::records_program::state::roles::CLINICIAN
                | panacea_sdk::records_program::state::roles::LAB_TECHNICIAN
        );
        parse(&format!("member update {KEY} --valid-until 2030-01-01"));
        parse(&format!("member credential {KEY} -o vc.json"));
        parse(&format!(
            "member verify vc.json --credential l.pdf --commitment-key {hex}"
        ));
        parse(&format!("--entity {KEY} access log {KEY} --record {KEY}"));
        // `registry register --entity` is the entity's signer there.
        let cli = parse("registry register --entity lab.json --kind provider");
        assert!(matches!(cli.command, Command::Registry(_)));
        // Both validities, or both commitments: refused by clap.
        assert!(Cli::try_parse_from([
            "panacea",
            "member",
            "add",
            KEY,
            "--roles",
            "nurse",
            "--days",
            "3",
            "--valid-until",
            "2030-01-01"
        ])
        .is_err());
    }
}
