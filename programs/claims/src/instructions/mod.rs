//! One file per instruction, grouped by the actor that signs it: arguments,
//! accounts, `validate()`, handler. Shared escrow mechanics live here.

pub mod adjudicator;
pub mod anyone;
pub mod insurer;
pub mod provider;

// Each module has a `handler`; lib.rs calls them by path.
#[allow(ambiguous_glob_reexports)]
pub use {adjudicator::*, anyone::*, insurer::*, provider::*};

use {
    crate::{constants::*, errors::ClaimsError, events::EscrowTotals, state::*},
    anchor_lang::prelude::*,
    anchor_spl::token_interface::{self, TransferChecked},
};

pub(crate) fn now() -> Result<i64> {
    Ok(Clock::get()?.unix_timestamp)
}

pub(crate) fn totals(policy: &Policy) -> EscrowTotals {
    EscrowTotals {
        deposited: policy.deposited,
        reserved: policy.reserved,
        paid: policy.paid,
        withdrawn: policy.withdrawn,
        deductible_met: policy.deductible_met,
        open_claims: policy.open_claims,
    }
}

/// An entity acts only while Active and unexpired.
pub(crate) fn require_active(entity: &records::state::Entity, now: i64) -> Result<()> {
    require!(entity.is_active(now), ClaimsError::EntityNotActive);
    Ok(())
}

pub(crate) fn checked_add(a: u64, b: u64) -> Result<u64> {
    a.checked_add(b).ok_or(error!(ClaimsError::Overflow))
}

pub(crate) fn checked_sub(a: u64, b: u64) -> Result<u64> {
    a.checked_sub(b)
        .ok_or(error!(ClaimsError::EscrowInvariantViolated))
}

/// Moves `amount` out of the policy's vault, signed by the policy PDA.
pub(crate) fn pay_out<'info>(
    policy: &Account<'info, Policy>,
    vault: &AccountInfo<'info>,
    mint: &AccountInfo<'info>,
    destination: &AccountInfo<'info>,
    token_program: &AccountInfo<'info>,
    amount: u64,
    decimals: u8,
) -> Result<()> {
    if amount == 0 {
        return Ok(());
    }
    let seeds: &[&[u8]] = &[
        POLICY_SEED,
        policy.insurer.as_ref(),
        &policy.policy_id,
        &[policy.bump],
    ];
    token_interface::transfer_checked(
        CpiContext::new_with_signer(
            token_program.key(),
            TransferChecked {
                from: vault.clone(),
                mint: mint.clone(),
                to: destination.clone(),
                authority: policy.to_account_info(),
            },
            &[seeds],
        ),
        amount,
        decimals,
    )
}

/// Releases a claim's reservation as it leaves the open states.
pub(crate) fn release(policy: &mut Policy, claim: &Claim) -> Result<()> {
    policy.reserved = checked_sub(policy.reserved, claim.reservation())?;
    policy.open_claims = policy
        .open_claims
        .checked_sub(1)
        .ok_or(ClaimsError::EscrowInvariantViolated)?;
    Ok(())
}

/// A claim submitted before its policy's account was (re)created belongs to
/// an earlier policy that lived at the same address.
pub(crate) fn require_current_policy(policy: &Policy, claim: &Claim) -> Result<()> {
    require!(
        claim.submitted_at >= policy.created_at,
        ClaimsError::StaleClaim
    );
    Ok(())
}

/// Records that a decision can be appealed until `until`.
pub(crate) fn hold_for_appeal(policy: &mut Policy, until: i64) {
    policy.appealable_until = policy.appealable_until.max(until);
}

/// The event announcing a claim's move from `old_status` to its status now.
pub(crate) fn status_changed(
    actor: Pubkey,
    policy_key: Pubkey,
    policy: &Policy,
    claim: &Account<Claim>,
    old_status: ClaimStatus,
) -> crate::events::ClaimStatusChanged {
    crate::events::ClaimStatusChanged {
        actor,
        policy: policy_key,
        claim: claim.key(),
        old_status,
        new_status: claim.status,
        amount_payable: claim.amount_payable,
        settle_after: claim.settle_after,
        totals: totals(policy),
    }
}

pub(crate) fn check_claim(claim: &Claim) -> Result<()> {
    require!(claim.invariant(), ClaimsError::EscrowInvariantViolated);
    Ok(())
}
