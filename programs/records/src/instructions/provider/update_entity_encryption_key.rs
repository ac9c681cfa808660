use {
    crate::{
        constants::*,
        errors::RecordsError,
        events::EncryptionKeyRotated,
        instructions::{check_new_encryption_key, now},
        state::*,
    },
    anchor_lang::prelude::*,
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct UpdateEntityEncryptionKeyArgs {
    /// The entity's new X25519 public key.
    pub new_key: [u8; 32],
}

/// The entity's authority replaces the X25519 key to which data keys are
/// wrapped for it (a compromised or lost key, a scheduled rotation).
///
/// A suspended or expired entity may rotate (a compromise is a reason to
/// rotate, and a suspension must not keep a leaked key in place); a revoked
/// entity may not: revocation is final and nothing is wrapped to it again.
/// Keys already wrapped to the old key (in grants) stay as they are: the
/// patient re-grants to the new key.
#[event_cpi]
#[derive(Accounts)]
pub struct UpdateEntityEncryptionKey<'info> {
    pub authority: Signer<'info>,
    #[account(
        mut,
        seeds = [ENTITY_SEED, authority.key().as_ref()],
        bump = entity.bump,
        has_one = authority,
    )]
    pub entity: Account<'info, Entity>,
}

impl UpdateEntityEncryptionKey<'_> {
    pub fn validate(&self, args: &UpdateEntityEncryptionKeyArgs) -> Result<()> {
        require!(
            self.entity.status != EntityStatus::Revoked,
            RecordsError::EntityRevoked
        );
        check_new_encryption_key(&args.new_key, &self.entity.encryption_key)
    }
}

pub fn handler(
    ctx: Context<UpdateEntityEncryptionKey>,
    args: UpdateEntityEncryptionKeyArgs,
) -> Result<()> {
    ctx.accounts.validate(&args)?;
    let now = now()?;
    let entity = &mut ctx.accounts.entity;
    let old_key = entity.encryption_key;
    entity.encryption_key = args.new_key;
    entity.updated_at = now.max(entity.updated_at);
    entity.check_invariant()?;
    let event = EncryptionKeyRotated {
        authority: entity.authority,
        account: entity.key(),
        holder: KeyHolder::Entity,
        old_key,
        new_key: args.new_key,
    };
    emit_cpi!(event);
    Ok(())
}
