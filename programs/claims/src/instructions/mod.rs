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
    anchor_spl::token_2022::spl_token_2022::{
        extension::{
            mint_close_authority::MintCloseAuthority, BaseStateWithExtensions, ExtensionType,
            StateWithExtensions,
        },
        state::Mint as SplMint,
    },
    records::{
        acting::{authorize, ActingError, Actor, EntityAt},
        state::{roles, Entity},
    },
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
pub(crate) fn require_active(entity: &Entity, now: i64) -> Result<()> {
    require!(entity.is_active(now), ClaimsError::EntityNotActive);
    Ok(())
}

/// Whether the account at a provider's entity address holds an Active,
/// unexpired `Entity` of that provider. A closed (absent) entity, or
/// anything else at that address, is not active.
pub(crate) fn entity_is_active(info: &AccountInfo, authority: &Pubkey, now: i64) -> bool {
    if info.owner != &records::ID || info.data_is_empty() {
        return false;
    }
    let Ok(data) = info.try_borrow_data() else {
        return false;
    };
    match Entity::try_deserialize(&mut &data[..]) {
        Ok(entity) => entity.authority == *authority && entity.is_active(now),
        Err(_) => false,
    }
}

/// Token-2022 mint extensions that cannot take, hold back or block escrowed
/// money. Anything else (transfer fees, permanent delegate, transfer hook,
/// pausable, default-frozen accounts, confidential transfers, ...) would let
/// whoever controls the mint drain or freeze the escrow, so it is refused.
/// `MintCloseAuthority` is accepted only with no authority set: a mint that
/// can be closed can be created again at the same address with any of the
/// refused extensions.
const ALLOWED_MINT_EXTENSIONS: [ExtensionType; 5] = [
    ExtensionType::MetadataPointer,
    ExtensionType::TokenMetadata,
    ExtensionType::MintCloseAuthority,
    ExtensionType::GroupPointer,
    ExtensionType::GroupMemberPointer,
];

/// Why a payout mint is refused ([`payout_mint_refusal`]); `claims` and
/// `bounties` map it to their own errors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MintRefusal {
    /// A Token-2022 extension outside the allow-list.
    UnsupportedMint,
    /// A Token-2022 mint that can be closed (and created again).
    MintCloseAuthoritySet,
    /// The mint account could not be read.
    Unreadable(ProgramError),
}

/// Whether a payout mint has only properties that cannot take, hold back or
/// block escrowed money: any SPL Token mint, or a Token-2022 mint whose
/// extensions are all in the allow-list and that has no close authority.
pub fn payout_mint_refusal(mint: &AccountInfo) -> core::result::Result<(), MintRefusal> {
    if mint.owner != &anchor_spl::token_2022::ID {
        return Ok(());
    }
    let data = mint.try_borrow_data().map_err(MintRefusal::Unreadable)?;
    let state = StateWithExtensions::<SplMint>::unpack(&data).map_err(MintRefusal::Unreadable)?;
    let extensions = state
        .get_extension_types()
        .map_err(MintRefusal::Unreadable)?;
    if extensions
        .iter()
        .any(|extension| !ALLOWED_MINT_EXTENSIONS.contains(extension))
    {
        return Err(MintRefusal::UnsupportedMint);
    }
    if let Ok(close) = state.get_extension::<MintCloseAuthority>() {
        if Option::<Pubkey>::from(close.close_authority).is_some() {
            return Err(MintRefusal::MintCloseAuthoritySet);
        }
    }
    Ok(())
}

/// The payout mint still has the properties its policy was accepted for:
/// checked when a policy is created and wherever money moves (fund, settle,
/// withdraw, close). SPL Token mints cannot change; a Token-2022 mint can
/// change only by being closed and created again, which needs a close
/// authority.
pub(crate) fn check_payout_mint(mint: &AccountInfo) -> Result<()> {
    payout_mint_refusal(mint).map_err(|refusal| match refusal {
        MintRefusal::UnsupportedMint => error!(ClaimsError::UnsupportedMint),
        MintRefusal::MintCloseAuthoritySet => error!(ClaimsError::MintCloseAuthoritySet),
        MintRefusal::Unreadable(e) => e.into(),
    })
}

pub(crate) fn checked_add(a: u64, b: u64) -> Result<u64> {
    a.checked_add(b).ok_or(error!(ClaimsError::Overflow))
}

pub(crate) fn checked_sub(a: u64, b: u64) -> Result<u64> {
    a.checked_sub(b)
        .ok_or(error!(ClaimsError::EscrowInvariantViolated))
}

/// `now + window`, for windows bounded by the policy's terms.
pub(crate) fn after(now: i64, window: i64) -> Result<i64> {
    now.checked_add(window).ok_or(error!(ClaimsError::Overflow))
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
    let seeds: &[&[u8]] = &[
        POLICY_SEED,
        policy.insurer.as_ref(),
        &policy.policy_id,
        &[policy.bump],
    ];
    panacea_common::vault::pay_out(
        vault,
        mint,
        destination,
        policy.to_account_info(),
        token_program,
        seeds,
        amount,
        decimals,
    )
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

/// The event announcing a claim's move from `old_status` to its status now.
pub(crate) fn status_changed(
    actor: Pubkey,
    actor_member: Option<Pubkey>,
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
        review_deadline: claim.review_deadline,
        totals: totals(policy),
        actor_member,
    }
}

/// A `records::acting` refusal as a claims error: a signer that is neither
/// the entity's authority nor a member keeps the instruction's own error
/// (`not_signer`).
pub(crate) fn acting_error(e: ActingError, not_signer: ClaimsError) -> ClaimsError {
    match e {
        ActingError::NotEntityAuthorityOrMember => not_signer,
        ActingError::EntityNotActive => ClaimsError::EntityNotActive,
        ActingError::MemberNotFound => ClaimsError::MemberNotFound,
        ActingError::MemberOfAnotherEntity => ClaimsError::MemberOfAnotherEntity,
        ActingError::NotThisMember => ClaimsError::NotThisMember,
        ActingError::MemberSuspended => ClaimsError::MemberSuspended,
        ActingError::MemberRevoked => ClaimsError::MemberRevoked,
        ActingError::MemberExpired => ClaimsError::MemberExpired,
        ActingError::RoleNotAllowed => ClaimsError::RoleNotAllowed,
    }
}

/// May `signer` act for the entity whose authority is `authority` with one
/// of `roles` now (`records::acting::authorize`)? Refusals map through
/// [`acting_error`].
pub(crate) fn act(
    signer: &Pubkey,
    authority: &Pubkey,
    entity: EntityAt,
    remaining: &[AccountInfo],
    roles: u16,
    now: i64,
    not_signer: ClaimsError,
) -> Result<(Actor, usize)> {
    authorize(signer, authority, entity, remaining, roles, now)
        .map_err(|e| error!(acting_error(e, not_signer)))
}

/// The policy's adjudicator, or a ClaimsAdjudicator member of the entity
/// whose authority it is (its `Member` and `Entity` accounts first in the
/// remaining accounts); anyone else is `NotAdjudicator`.
pub(crate) fn act_as_adjudicator(
    signer: &Pubkey,
    policy: &Policy,
    remaining: &[AccountInfo],
    now: i64,
) -> Result<Actor> {
    let (actor, _) = act(
        signer,
        &policy.adjudicator,
        EntityAt::Remaining,
        remaining,
        roles::ADJUDICATE,
        now,
        ClaimsError::NotAdjudicator,
    )?;
    Ok(actor)
}

/// [`act`] where the remaining accounts also carry other accounts (records
/// and markers): an account first that is no `Member` means the signer did
/// not act as a member, so it keeps `not_signer`.
pub(crate) fn act_before_others(
    signer: &Pubkey,
    authority: &Pubkey,
    entity: EntityAt,
    remaining: &[AccountInfo],
    roles: u16,
    now: i64,
    not_signer: ClaimsError,
) -> Result<(Actor, usize)> {
    authorize(signer, authority, entity, remaining, roles, now).map_err(|e| {
        let e = match e {
            ActingError::MemberNotFound => ActingError::NotEntityAuthorityOrMember,
            e => e,
        };
        error!(acting_error(e, not_signer))
    })
}
