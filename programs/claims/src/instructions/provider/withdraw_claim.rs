use {
    super::super::{act_before_others, now, require_current_policy, status_changed},
    crate::{errors::ClaimsError, pda, state::*},
    anchor_lang::{prelude::*, system_program},
    anchor_spl::token_interface::TokenAccount,
    records::{
        acting::{Actor, EntityAt},
        state::roles,
    },
};

/// The provider withdraws a claim before any decision: its reservation is
/// released and its records may be billed again. (No deductible comes back:
/// the deductible is applied only when a claim is paid.) A claim the
/// adjudicator disputed is not withdrawn: it ends by a decision or the
/// review timeout, so that billing its records again cannot shed the
/// dispute. Remaining accounts: the claim's `ClaimedRecord` markers (one
/// per record); they are closed and their rent returned to `rent_payer`.
#[event_cpi]
#[derive(Accounts)]
pub struct WithdrawClaim<'info> {
    pub provider: Signer<'info>,
    #[account(mut, address = claim.policy)]
    pub policy: Box<Account<'info, Policy>>,
    #[account(address = policy.vault @ ClaimsError::InvalidTokenAccount)]
    pub vault: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(
        mut,
        has_one = rent_payer @ ClaimsError::RentPayerMismatch,
    )]
    pub claim: Box<Account<'info, Claim>>,
    /// CHECK: receives the markers' rent; the claim's recorded payer.
    #[account(mut)]
    pub rent_payer: UncheckedAccount<'info>,
}

impl WithdrawClaim<'_> {
    /// The provider's authority, or a Billing member of it (its `Member`
    /// and `Entity` accounts first in the remaining accounts).
    fn actor(&self, remaining: &[AccountInfo], now: i64) -> Result<(Actor, usize)> {
        let signer = self.provider.key;
        let provider = &self.claim.provider;
        act_before_others(
            signer,
            provider,
            EntityAt::Remaining,
            remaining,
            roles::BILL,
            now,
            ClaimsError::NotClaimProvider,
        )
    }

    pub fn validate(&self, remaining: &[AccountInfo], now: i64) -> Result<(Actor, usize)> {
        let acting = self.actor(remaining, now)?;
        let claim = &self.claim;
        require_current_policy(&self.policy, claim)?;
        require!(claim.decided_by.is_none(), ClaimsError::AlreadyDecided);
        require!(!claim.disputed, ClaimsError::ClaimDisputed);
        require!(
            matches!(
                claim.status,
                ClaimStatus::PendingReview | ClaimStatus::Approved
            ),
            ClaimsError::InvalidClaimStatus
        );
        Ok(acting)
    }
}

/// Closes a program-owned account, moving its lamports to `destination`.
fn close_marker<'info>(
    marker: &AccountInfo<'info>,
    destination: &AccountInfo<'info>,
) -> Result<()> {
    let lamports = marker.lamports();
    **destination.try_borrow_mut_lamports()? = destination
        .lamports()
        .checked_add(lamports)
        .ok_or(ClaimsError::Overflow)?;
    **marker.try_borrow_mut_lamports()? = 0;
    marker.assign(&system_program::ID);
    marker.resize(0)?;
    Ok(())
}

pub fn handler<'info>(mut ctx: Context<'info, WithdrawClaim<'info>>) -> Result<()> {
    let (actor, used) = ctx.accounts.validate(ctx.remaining_accounts, now()?)?;
    let accounts = &mut ctx.accounts;
    let markers = &ctx.remaining_accounts[used..];
    require!(
        markers.len() == accounts.claim.records.len(),
        ClaimsError::InvalidRecordList
    );
    let policy_key = accounts.policy.key();
    for (i, marker) in markers.iter().enumerate() {
        require!(
            !markers[..i].iter().any(|m| m.key == marker.key),
            ClaimsError::ClaimedRecordMismatch
        );
        require_keys_eq!(*marker.owner, crate::ID, ClaimsError::ClaimedRecordMismatch);
        let state = ClaimedRecord::try_deserialize(&mut &marker.try_borrow_data()?[..])?;
        require_keys_eq!(
            marker.key(),
            pda::claimed_record(&policy_key, state.origin).0,
            ClaimsError::ClaimedRecordMismatch
        );
        require_keys_eq!(
            state.claim,
            accounts.claim.key(),
            ClaimsError::ClaimedRecordMismatch
        );
        require!(marker.is_writable, ClaimsError::ClaimedRecordMismatch);
        close_marker(marker, accounts.rent_payer.as_ref())?;
    }

    let policy = &mut accounts.policy;
    let claim = &mut accounts.claim;
    policy.absorb_donations(accounts.vault.amount)?;
    let old_status = claim.status;
    policy.withdraw_claim(claim)?;
    policy.check_escrow(accounts.vault.amount)?;
    let event = status_changed(
        actor.entity,
        actor.member,
        policy_key,
        policy,
        claim,
        old_status,
    );
    emit_cpi!(event);
    Ok(())
}
