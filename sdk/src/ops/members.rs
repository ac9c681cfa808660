//! An entity's staff: its authority (or an EntityAdmin member acting for
//! it) adds, updates, suspends, reinstates, revokes and closes `Member`
//! accounts; anyone lists them.

use {
    crate::{
        acting::{member_address, Acting},
        backend::Backend,
        client::{Outcome, PanaceaClient},
        error::{Result, SdkError},
        records as rx,
    },
    anchor_lang::prelude::Pubkey,
    records::{
        instructions::{AddMemberArgs, UpdateMemberArgs},
        pda,
        state::{member_offsets, Member, MemberStatus},
    },
};

/// A fresh random 32-byte key for [`crate::credential::member_commitment`]:
/// the entity keeps it with the licence (or the credential) it hashed.
pub fn new_commitment_key() -> [u8; 32] {
    use chacha20poly1305::aead::{rand_core::RngCore, OsRng};
    let mut key = [0u8; 32];
    OsRng.fill_bytes(&mut key);
    key
}

impl<B: Backend> PanaceaClient<B> {
    /// Adds `member` (a signing key) to the staff of `admin.entity` with
    /// `roles` (a `records::state::roles` mask) until `valid_until`, under
    /// the keyed `credential_commitment` of its licence
    /// ([`crate::credential::member_commitment`]). The client's payer pays
    /// the rent. A retry that finds the same Active member reports it as
    /// already existing; any other existing account is left to the program
    /// to refuse (`MemberAlreadyExists`, `MemberRevoked`).
    pub async fn add_member<'a>(
        &self,
        admin: impl Into<Acting<'a>>,
        member: &Pubkey,
        roles: u16,
        valid_until: i64,
        credential_commitment: [u8; 32],
    ) -> Result<Outcome> {
        let admin = admin.into();
        let address = member_address(&admin.entity, member);
        let same = self.member(&admin.entity, member).await?.is_some_and(|m| {
            m.status == MemberStatus::Active
                && m.roles == roles
                && m.valid_until == valid_until
                && m.credential_commitment == credential_commitment
        });
        let ix = rx::add_member(
            &self.payer(),
            admin.keys(),
            AddMemberArgs {
                member: *member,
                roles,
                valid_until,
                credential_commitment,
            },
        );
        let outcome = self
            .create(same, &[ix], &[admin.signer], vec![("member", address)])
            .await?;
        self.landed_as(&outcome, "add_member", &admin.entity, member, |m| {
            m.status == MemberStatus::Active
                && m.roles == roles
                && m.valid_until == valid_until
                && m.credential_commitment == credential_commitment
        })
        .await?;
        Ok(outcome)
    }

    /// After a transaction reported landed, checks that the `Member` account
    /// of `member` under `entity` is what the operation made it: a
    /// byte-identical transaction sent earlier in the same blockhash (an
    /// add, close and add again of the same member with the same arguments)
    /// is deduplicated by the cluster and reported as landed without having
    /// had any effect. Nothing to check for a transaction signed offline.
    async fn landed_as(
        &self,
        outcome: &Outcome,
        operation: &str,
        entity: &Pubkey,
        member: &Pubkey,
        expected: impl Fn(&Member) -> bool,
    ) -> Result<()> {
        if outcome.signed_only.is_some() {
            return Ok(());
        }
        let account = self.member(entity, member).await?;
        if account.as_ref().is_some_and(&expected) {
            return Ok(());
        }
        let found = match account {
            None => "no Member account".to_string(),
            Some(m) => format!(
                "a member that is {:?}, with roles {:#06x}, valid until {}, revision {}",
                m.status, m.roles, m.valid_until, m.revision
            ),
        };
        Err(SdkError::WithoutEffect {
            operation: operation.to_string(),
            account: member_address(entity, member),
            found: format!("{found} (member {member} of entity {entity})"),
        })
    }

    /// Changes a member's roles, validity or credential commitment (each
    /// `None` keeps it). Every change bumps the account's revision, so a
    /// credential exported before it no longer verifies.
    pub async fn update_member<'a>(
        &self,
        admin: impl Into<Acting<'a>>,
        member: &Pubkey,
        args: UpdateMemberArgs,
    ) -> Result<Outcome> {
        if args.roles.is_none()
            && args.valid_until.is_none()
            && args.credential_commitment.is_none()
        {
            return Err(SdkError::InvalidInput(
                "update_member: give new roles, a new validity or a new credential commitment"
                    .into(),
            ));
        }
        let admin = admin.into();
        let ix = rx::update_member(admin.keys(), member, args.clone());
        let outcome = self.act(&[ix], &[admin.signer]).await?;
        self.landed_as(&outcome, "update_member", &admin.entity, member, |m| {
            args.roles.is_none_or(|r| m.roles == r)
                && args.valid_until.is_none_or(|v| m.valid_until == v)
                && args
                    .credential_commitment
                    .is_none_or(|c| m.credential_commitment == c)
        })
        .await?;
        Ok(outcome)
    }

    /// Suspends an Active member: it is refused at once, everywhere.
    pub async fn suspend_member<'a>(
        &self,
        admin: impl Into<Acting<'a>>,
        member: &Pubkey,
    ) -> Result<Outcome> {
        let admin = admin.into();
        let ix = rx::suspend_member(admin.keys(), member);
        let outcome = self.act(&[ix], &[admin.signer]).await?;
        self.landed_as(&outcome, "suspend_member", &admin.entity, member, |m| {
            m.status == MemberStatus::Suspended
        })
        .await?;
        Ok(outcome)
    }

    /// Reinstates a Suspended member.
    pub async fn reinstate_member<'a>(
        &self,
        admin: impl Into<Acting<'a>>,
        member: &Pubkey,
    ) -> Result<Outcome> {
        let admin = admin.into();
        let ix = rx::reinstate_member(admin.keys(), member);
        let outcome = self.act(&[ix], &[admin.signer]).await?;
        self.landed_as(&outcome, "reinstate_member", &admin.entity, member, |m| {
            m.status == MemberStatus::Active
        })
        .await?;
        Ok(outcome)
    }

    /// Revokes a member, finally (the account stays as a tombstone).
    pub async fn revoke_member<'a>(
        &self,
        admin: impl Into<Acting<'a>>,
        member: &Pubkey,
    ) -> Result<Outcome> {
        let admin = admin.into();
        let ix = rx::revoke_member(admin.keys(), member);
        let outcome = self.act(&[ix], &[admin.signer]).await?;
        self.landed_as(&outcome, "revoke_member", &admin.entity, member, |m| {
            m.status == MemberStatus::Revoked
        })
        .await?;
        Ok(outcome)
    }

    /// Closes an Active or Suspended member (the ordinary departure); its
    /// rent goes back to whoever paid it. The key may be added again later.
    pub async fn close_member<'a>(
        &self,
        admin: impl Into<Acting<'a>>,
        member: &Pubkey,
    ) -> Result<Outcome> {
        let admin = admin.into();
        let address = member_address(&admin.entity, member);
        let account =
            self.member(&admin.entity, member)
                .await?
                .ok_or(SdkError::AccountNotFound {
                    address,
                    expected: "Member",
                })?;
        let ix = rx::close_member(admin.keys(), member, &account.rent_payer);
        let outcome = self.act(&[ix], &[admin.signer]).await?;
        if outcome.signed_only.is_none() && self.member(&admin.entity, member).await?.is_some() {
            return Err(SdkError::InvalidInput(format!(
                "close_member: the transaction was reported landed, but the Member account of {member} under entity {} is still there (the cluster dropped it as a duplicate of an identical transaction in the same blockhash, or the member was added again since): check the member and send it again",
                admin.entity
            )));
        }
        Ok(outcome)
    }

    /// Every `Member` account of the entity whose authority is
    /// `entity_authority` (any status), by address.
    pub async fn members_of_entity(
        &self,
        entity_authority: &Pubkey,
    ) -> Result<Vec<(Pubkey, Member)>> {
        let entity = pda::entity(entity_authority).0;
        self.list(&records::ID, member_offsets::ENTITY, &entity)
            .await
    }

    /// The `Member` account of `member` under the entity whose authority is
    /// `entity_authority`, when there is one.
    pub async fn member(
        &self,
        entity_authority: &Pubkey,
        member: &Pubkey,
    ) -> Result<Option<Member>> {
        self.fetch(&member_address(entity_authority, member)).await
    }
}
