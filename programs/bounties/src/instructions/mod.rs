//! One file per instruction, grouped by the actor that signs it: arguments,
//! accounts, `validate()`, handler. Shared checks and escrow mechanics live
//! here.

pub mod anyone;
pub mod patient;
pub mod researcher;

// Each module has a `handler`; lib.rs calls them by path.
#[allow(ambiguous_glob_reexports)]
pub use {anyone::*, patient::*, researcher::*};

use {
    crate::{constants::*, errors::BountiesError, events::BountyTotals, state::*},
    anchor_lang::{prelude::*, Discriminator},
    claims::instructions::{payout_mint_refusal, MintRefusal},
    consent::{
        policy::{is_permitted, ConsentQuery},
        state::{actions, Consent, ConsentPurpose, ConsentStatus, Decision},
    },
    records::{
        acting::{authorize, ActingError, Actor, EntityAt},
        compressed::RecordLoadError,
        state::{permissions, roles, Entity, Grant, GrantScope, Patient, Purpose, RecordKind},
        tree::TreeError,
    },
};

pub(crate) fn now() -> Result<i64> {
    Ok(Clock::get()?.unix_timestamp)
}

pub(crate) fn totals(bounty: &Bounty) -> BountyTotals {
    BountyTotals {
        deposited: bounty.deposited,
        reserved: bounty.reserved,
        paid: bounty.paid,
        withdrawn: bounty.withdrawn,
        pending: bounty.pending,
        rewarded: bounty.rewarded,
    }
}

/// The mint still has the properties the bounty was accepted for: the
/// `claims` rule (`claims::instructions::payout_mint_refusal`), checked when
/// a bounty is created and wherever money moves.
pub(crate) fn check_payout_mint(mint: &AccountInfo) -> Result<()> {
    payout_mint_refusal(mint).map_err(|refusal| match refusal {
        MintRefusal::UnsupportedMint => error!(BountiesError::UnsupportedMint),
        MintRefusal::MintCloseAuthoritySet => error!(BountiesError::MintCloseAuthoritySet),
        MintRefusal::Unreadable(e) => e.into(),
    })
}

/// `now + window`.
pub(crate) fn after(now: i64, window: i64) -> Result<i64> {
    now.checked_add(window)
        .ok_or(error!(BountiesError::Overflow))
}

pub(crate) fn checked_sub(a: u64, b: u64) -> Result<u64> {
    a.checked_sub(b)
        .ok_or(error!(BountiesError::EscrowInvariantViolated))
}

/// Moves `amount` out of the bounty's vault, signed by the bounty PDA.
pub(crate) fn pay_out<'info>(
    bounty: &Account<'info, Bounty>,
    vault: &AccountInfo<'info>,
    mint: &AccountInfo<'info>,
    destination: &AccountInfo<'info>,
    token_program: &AccountInfo<'info>,
    amount: u64,
    decimals: u8,
) -> Result<()> {
    let seeds: &[&[u8]] = &[
        BOUNTY_SEED,
        bounty.researcher.as_ref(),
        &bounty.bounty_id,
        &[bounty.bump],
    ];
    panacea_common::vault::pay_out(
        vault,
        mint,
        destination,
        bounty.to_account_info(),
        token_program,
        seeds,
        amount,
        decimals,
    )
}

/// A contribution or tally written for an earlier bounty that lived at the
/// same address is refused.
pub(crate) fn require_current(bounty: &Bounty, opened_at: i64) -> Result<()> {
    require!(opened_at == bounty.opened_at, BountiesError::StaleAccount);
    Ok(())
}

/// A `records::acting` refusal as a bounties error: a signer that is
/// neither the researcher's authority nor a member keeps `NotResearcher`.
pub(crate) fn acting_error(e: ActingError) -> BountiesError {
    match e {
        ActingError::NotEntityAuthorityOrMember => BountiesError::NotResearcher,
        ActingError::EntityNotActive => BountiesError::EntityNotActive,
        ActingError::MemberNotFound => BountiesError::MemberNotFound,
        ActingError::MemberOfAnotherEntity => BountiesError::MemberOfAnotherEntity,
        ActingError::NotThisMember => BountiesError::NotThisMember,
        ActingError::MemberSuspended => BountiesError::MemberSuspended,
        ActingError::MemberRevoked => BountiesError::MemberRevoked,
        ActingError::MemberExpired => BountiesError::MemberExpired,
        ActingError::RoleNotAllowed => BountiesError::RoleNotAllowed,
    }
}

/// May `signer` review for the researcher entity at `entity_address` (its
/// authority, or a member with the Researcher role whose `Member` account
/// is the first remaining account) now? The entity must be active either way.
pub(crate) fn act_as_researcher(
    signer: &Pubkey,
    bounty: &Bounty,
    entity_address: &Pubkey,
    entity: &Entity,
    remaining: &[AccountInfo],
    now: i64,
) -> Result<Actor> {
    let (actor, _) = authorize(
        signer,
        &bounty.researcher,
        EntityAt::Given {
            address: entity_address,
            entity,
        },
        remaining,
        roles::RESEARCHER,
        now,
    )
    .map_err(|e| error!(acting_error(e)))?;
    require!(entity.is_active(now), BountiesError::EntityNotActive);
    Ok(actor)
}

/// The bounties error for a record that could not be loaded.
pub(crate) fn load_error(error: RecordLoadError) -> BountiesError {
    match error {
        RecordLoadError::NotARecord => BountiesError::InvalidRecord,
        RecordLoadError::ProofMissing => BountiesError::LeafProofMissing,
        RecordLoadError::ProofUnexpected => BountiesError::LeafProofUnexpected,
        RecordLoadError::LeafOfAnotherTree => BountiesError::LeafOfAnotherTree,
        RecordLoadError::Tree(TreeError::StaleProofNotInChangelog) => BountiesError::StaleProof,
        RecordLoadError::Tree(TreeError::LeafModifiedSinceProof) => {
            BountiesError::LeafModifiedSinceProof
        }
        RecordLoadError::Tree(_) => BountiesError::LeafProofInvalid,
    }
}

/// The record a research permission is checked for.
#[derive(Clone, Copy, Debug)]
pub struct ResearchTarget<'a> {
    pub patient: &'a Pubkey,
    /// The version offered: an account address or a compressed record's address.
    pub record: &'a Pubkey,
    pub serial: u64,
    pub kind: RecordKind,
}

/// Does the patient's Research consent to the bounty's researcher permit
/// access to this record now, naming the bounty's consent text, and does the
/// grant give the researcher Research read access to it? Checks in a fixed
/// order and returns the first failure; on success, when the consent and
/// the grant end. Nothing is written.
#[inline(never)] // Consent + Grant locals live in this function's own SBF frame
pub fn research_permission(
    consent: &AccountInfo,
    grant: &AccountInfo,
    bounty: &Bounty,
    target: ResearchTarget,
    now: i64,
) -> core::result::Result<PermissionEnds, BountiesError> {
    let consent_ends_at = check_consent(consent, bounty, &target, now)?;
    let grant_expires_at = check_grant(grant, bounty, &target, now)?;
    Ok(PermissionEnds {
        consent_ends_at,
        grant_expires_at,
    })
}

/// When a research permission ends: the consent's `period_end` and the
/// grant's `expires_at`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PermissionEnds {
    pub consent_ends_at: i64,
    pub grant_expires_at: i64,
}

fn load<T: AccountDeserialize + Discriminator>(info: &AccountInfo, owner: &Pubkey) -> Option<T> {
    if info.owner != owner || info.data_is_empty() {
        return None;
    }
    let data = info.try_borrow_data().ok()?;
    if !data.starts_with(T::DISCRIMINATOR) {
        return None;
    }
    T::try_deserialize(&mut &data[..]).ok()
}

#[inline(never)]
fn check_consent(
    info: &AccountInfo,
    bounty: &Bounty,
    target: &ResearchTarget,
    now: i64,
) -> core::result::Result<i64, BountiesError> {
    use BountiesError::*;
    let c: Consent = load(info, &consent::ID).ok_or(ConsentMissing)?;
    if c.patient != *target.patient {
        return Err(ConsentOtherPatient);
    }
    if c.grantee != bounty.researcher {
        return Err(ConsentOtherResearcher);
    }
    if c.purpose != ConsentPurpose::Research {
        return Err(ConsentNotResearch);
    }
    let address = Pubkey::create_program_address(
        &[
            consent::constants::CONSENT_SEED,
            c.patient.as_ref(),
            c.grantee.as_ref(),
            &[ConsentPurpose::Research as u8],
            &[c.bump],
        ],
        &consent::ID,
    )
    .map_err(|_| ConsentMissing)?;
    if address != *info.key {
        return Err(ConsentMissing);
    }
    if c.status == ConsentStatus::Revoked {
        return Err(ConsentRevoked);
    }
    if c.decision == Decision::Deny {
        return Err(ConsentDenied);
    }
    if !(c.period_start <= now && now < c.period_end) {
        return Err(ConsentExpired);
    }
    if c.kinds & target.kind.bit() == 0 {
        return Err(ConsentKindNotCovered);
    }
    if c.actions & actions::ACCESS == 0 {
        return Err(ConsentActionNotCovered);
    }
    if c.policy_commitment != bounty.consent_text {
        return Err(ConsentOtherStudy);
    }
    let query = ConsentQuery {
        patient: *target.patient,
        grantee: bounty.researcher,
        purpose: ConsentPurpose::Research,
        kind: target.kind,
        actions: actions::ACCESS,
        at: now,
    };
    if !is_permitted([&c], &query) {
        return Err(ConsentMissing);
    }
    Ok(c.period_end)
}

#[inline(never)]
fn check_grant(
    info: &AccountInfo,
    bounty: &Bounty,
    target: &ResearchTarget,
    now: i64,
) -> core::result::Result<i64, BountiesError> {
    use BountiesError::*;
    let g: Grant = load(info, &records::ID).ok_or(GrantMissing)?;
    if g.grantee != bounty.researcher {
        return Err(GrantOtherResearcher);
    }
    if g.patient != *target.patient {
        return Err(GrantMissing);
    }
    let address = Pubkey::create_program_address(
        &[
            records::constants::GRANT_SEED,
            g.patient.as_ref(),
            g.grantee.as_ref(),
            g.target.as_ref(),
            &[g.bump],
        ],
        &records::ID,
    )
    .map_err(|_| GrantMissing)?;
    if address != *info.key {
        return Err(GrantMissing);
    }
    if g.is_revoked() {
        return Err(GrantRevoked);
    }
    if g.is_expired(now) {
        return Err(GrantExpired);
    }
    if g.permissions & permissions::READ == 0 {
        return Err(GrantWithoutRead);
    }
    if g.purpose != Purpose::Research {
        return Err(GrantNotResearch);
    }
    let reaches = match g.scope {
        GrantScope::Record => g.target == *target.record && g.target_serial == target.serial,
        GrantScope::Patient => {
            g.kinds & target.kind.bit() != 0
                && Patient::same_registration(target.serial, g.target_serial)
        }
    };
    if !reaches {
        return Err(GrantDoesNotCoverRecord);
    }
    Ok(g.expires_at)
}

/// A review (accept or reject) may take place: the contribution and its
/// tally belong to this bounty as it is now, the grant (when the review
/// pays) is the one the offer named, the contribution is Pending and its
/// review window is open.
pub(crate) fn require_reviewable(
    bounty: &Bounty,
    contribution: &Contribution,
    tally: &PatientTally,
    grant: Option<&Pubkey>,
    now: i64,
) -> Result<()> {
    match grant {
        Some(grant) => require_contribution_of(bounty, contribution, tally, grant)?,
        None => {
            require_current(bounty, contribution.bounty_opened_at)?;
            require_current(bounty, tally.bounty_opened_at)?;
        }
    }
    require!(
        contribution.status == ContributionStatus::Pending,
        BountiesError::InvalidContributionStatus
    );
    require!(
        now < contribution.review_deadline,
        BountiesError::ReviewWindowClosed
    );
    Ok(())
}

/// The contribution belongs to this bounty as it is now (not to an earlier
/// bounty at the same address), and so does the tally; the grant account
/// is the one the offer named.
pub(crate) fn require_contribution_of(
    bounty: &Bounty,
    contribution: &Contribution,
    tally: &PatientTally,
    grant: &Pubkey,
) -> Result<()> {
    require_current(bounty, contribution.bounty_opened_at)?;
    require_current(bounty, tally.bounty_opened_at)?;
    require_keys_eq!(
        *grant,
        contribution.grant,
        BountiesError::GrantAddressMismatch
    );
    Ok(())
}

/// [`research_permission`] for a contribution's record, as an error.
pub(crate) fn contribution_permission(
    consent: &AccountInfo,
    grant: &AccountInfo,
    bounty: &Bounty,
    contribution: &Contribution,
    now: i64,
) -> core::result::Result<PermissionEnds, BountiesError> {
    research_permission(
        consent,
        grant,
        bounty,
        ResearchTarget {
            patient: &contribution.patient,
            record: &contribution.record,
            serial: contribution.serial,
            kind: contribution.kind,
        },
        now,
    )
}

/// Whether the account at a contribution's or tally's bounty address no
/// longer takes offers for it: absent, not a `Bounty`, a later bounty at the
/// same address (another `opened_at`), or its intake is over.
pub(crate) fn intake_over_for(info: &AccountInfo, opened_at: i64, now: i64) -> bool {
    match load::<Bounty>(info, &crate::ID) {
        None => true,
        Some(bounty) => bounty.opened_at != opened_at || bounty.intake_over(now),
    }
}
