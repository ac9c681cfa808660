use {
    super::super::{act_before_others, after, checked_add, now, require_active, totals},
    crate::{constants::*, errors::ClaimsError, events::ClaimSubmitted, pda, state::*},
    anchor_lang::{prelude::*, system_program},
    anchor_spl::token_interface::TokenAccount,
    consent::{
        policy::{is_permitted, ConsentQuery},
        state::{actions, Consent, ConsentPurpose},
    },
    records::{
        acting::{Actor, EntityAt},
        compressed::{load_record, LeafProof, LoadedRecord, RecordLoadError},
        state::{roles, Entity, RecordStatus, RecordTree},
        tree::TreeError,
    },
};

#[derive(AnchorSerialize, Clone, Debug)]
pub struct SubmitClaimArgs {
    /// Random opaque 16 bytes.
    pub claim_id: [u8; 16],
    pub amount_billed: u64,
    /// SHA-256 of the coded services; the codes never go on chain.
    pub service_commitment: [u8; 32],
    /// The compressed records billed, in the order their trees are listed:
    /// each remaining-account pair whose record is a `RecordTree` takes the
    /// next one (fields and proof of the leaf).
    pub leaves: Vec<LeafProof>,
}

/// Borsh, except that the trailing `leaves` (added with compressed records)
/// may be left out, as clients built before it do: it then reads as
/// empty, and those clients' instructions keep working.
impl AnchorDeserialize for SubmitClaimArgs {
    fn deserialize_reader<R: std::io::Read>(reader: &mut R) -> std::io::Result<Self> {
        Ok(Self {
            claim_id: AnchorDeserialize::deserialize_reader(reader)?,
            amount_billed: AnchorDeserialize::deserialize_reader(reader)?,
            service_commitment: AnchorDeserialize::deserialize_reader(reader)?,
            leaves: records::compressed::trailing_vec(reader)?,
        })
    }
}

/// A provider bills a policy for services backed by records it issued to the
/// policy's patient. Remaining accounts: for each record (1 to 8), the
/// `Record` (or, for a compressed record, its `RecordTree`, with the next of
/// `args.leaves`) then its `ClaimedRecord` address `["claimed_record",
/// policy, record.origin (serial)]` (created here; a record, amended or not,
/// backs at most one claim per policy). The claim names each record by its
/// address (an account's, or a compressed record's). The provider's `ProviderUsage` on the
/// policy is created on its first claim.
#[event_cpi]
#[derive(Accounts)]
#[instruction(args: SubmitClaimArgs)]
pub struct SubmitClaim<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    /// The provider's authority, or a Billing member of it (its `Member`
    /// account first in the remaining accounts, before the record pairs).
    pub provider: Signer<'info>,
    pub provider_entity: Box<Account<'info, Entity>>,
    #[account(mut)]
    pub policy: Box<Account<'info, Policy>>,
    #[account(address = policy.vault @ ClaimsError::InvalidTokenAccount)]
    pub vault: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The patient's consent to the insurer for Payment (owner: `consent`).
    pub consent: Box<Account<'info, Consent>>,
    #[account(
        init,
        payer = payer,
        space = Claim::DISCRIMINATOR.len() + Claim::INIT_SPACE,
        seeds = [CLAIM_SEED, policy.key().as_ref(), args.claim_id.as_ref()],
        bump,
    )]
    pub claim: Box<Account<'info, Claim>>,
    /// What this provider was approved by rule on this policy this period.
    #[account(
        init_if_needed,
        payer = payer,
        space = ProviderUsage::SPACE,
        seeds = [PROVIDER_USAGE_SEED, policy.key().as_ref(), provider_entity.authority.as_ref()],
        bump,
    )]
    pub provider_usage: Box<Account<'info, ProviderUsage>>,
    pub system_program: Program<'info, System>,
}

impl SubmitClaim<'_> {
    /// The arguments, the provider (credentialed, active, of a kind that
    /// bills), the policy (within its period) and the shape of the record
    /// list (1 to 8 record and marker pairs). Each record, its marker and
    /// the consent are checked record by record in the handler.
    pub fn validate(
        &self,
        args: &SubmitClaimArgs,
        remaining: &[AccountInfo],
        now: i64,
    ) -> Result<(Actor, usize)> {
        let entity = &self.provider_entity;
        let (actor, used) = act_before_others(
            self.provider.key,
            &entity.authority,
            EntityAt::Given {
                address: &entity.key(),
                entity,
            },
            remaining,
            roles::BILL,
            now,
            ClaimsError::NotClaimProvider,
        )?;
        let remaining = &remaining[used..];
        require!(args.claim_id != [0; 16], ClaimsError::InvalidClaimId);
        require!(args.amount_billed > 0, ClaimsError::InvalidAmount);
        require_active(&self.provider_entity, now)?;
        require!(
            self.provider_entity.kind.issues_records(),
            ClaimsError::EntityKindNotAllowed
        );
        require!(self.policy.is_in_period(now), ClaimsError::PolicyNotActive);
        require!(
            !remaining.is_empty()
                && remaining.chunks_exact(2).remainder().is_empty()
                && remaining.len() / 2 <= MAX_RECORDS_PER_CLAIM,
            ClaimsError::InvalidRecordList
        );
        // One leaf proof per record tree listed, no more.
        let trees = remaining
            .chunks_exact(2)
            .filter(|pair| is_record_tree(&pair[0]))
            .count();
        require!(args.leaves.len() >= trees, ClaimsError::LeafProofMissing);
        require!(args.leaves.len() <= trees, ClaimsError::LeafProofUnexpected);
        Ok((actor, used))
    }
}

/// Whether a listed record account is a record tree (it then takes a leaf).
fn is_record_tree(info: &AccountInfo) -> bool {
    info.owner == &records::ID
        && info
            .try_borrow_data()
            .is_ok_and(|data| data.starts_with(RecordTree::DISCRIMINATOR))
}

/// The claims error for a record that could not be loaded.
fn load_error(error: RecordLoadError) -> ClaimsError {
    match error {
        RecordLoadError::NotARecord => ClaimsError::InvalidRecord,
        RecordLoadError::ProofMissing => ClaimsError::LeafProofMissing,
        RecordLoadError::ProofUnexpected => ClaimsError::LeafProofUnexpected,
        RecordLoadError::LeafOfAnotherTree => ClaimsError::LeafOfAnotherTree,
        RecordLoadError::Tree(TreeError::StaleProofNotInChangelog) => ClaimsError::StaleProof,
        RecordLoadError::Tree(TreeError::LeafModifiedSinceProof) => {
            ClaimsError::LeafModifiedSinceProof
        }
        RecordLoadError::Tree(_) => ClaimsError::LeafProofInvalid,
    }
}

/// Checks one listed record (an account, or a compressed record with its
/// leaf proof) and returns it.
fn check_record(
    info: &AccountInfo,
    leaf: Option<&LeafProof>,
    policy: &Policy,
    provider: &Pubkey,
) -> Result<LoadedRecord> {
    let loaded = load_record(info, leaf).map_err(|e| error!(load_error(e)))?;
    let record = &loaded.record;
    require_keys_eq!(
        record.patient,
        policy.patient,
        ClaimsError::RecordPatientMismatch
    );
    // The provider that performed the service: the first version's issuer.
    require_keys_eq!(
        record.original_issuer,
        *provider,
        ClaimsError::RecordIssuerMismatch
    );
    require!(
        record.status == RecordStatus::Active,
        ClaimsError::RecordNotActive
    );
    Ok(loaded)
}

/// Creates the `ClaimedRecord` marker, refusing a record already claimed.
fn claim_record<'info>(
    marker: &AccountInfo<'info>,
    (record, origin): (&Pubkey, u64),
    policy: &Pubkey,
    claim: &Pubkey,
    payer: &AccountInfo<'info>,
    system: &AccountInfo<'info>,
) -> Result<()> {
    let (address, bump) = pda::claimed_record(policy, origin);
    require_keys_eq!(marker.key(), address, ClaimsError::ClaimedRecordMismatch);
    require!(
        marker.owner != &crate::ID || marker.data_is_empty(),
        ClaimsError::RecordAlreadyClaimed
    );
    let seeds: &[&[u8]] = &[
        CLAIMED_RECORD_SEED,
        policy.as_ref(),
        &origin.to_le_bytes(),
        &[bump],
    ];
    let rent = Rent::get()?.minimum_balance(ClaimedRecord::SPACE);
    let shortfall = rent.saturating_sub(marker.lamports());
    if shortfall > 0 {
        system_program::transfer(
            CpiContext::new(
                system.key(),
                system_program::Transfer {
                    from: payer.clone(),
                    to: marker.clone(),
                },
            ),
            shortfall,
        )?;
    }
    system_program::allocate(
        CpiContext::new_with_signer(
            system.key(),
            system_program::Allocate {
                account_to_allocate: marker.clone(),
            },
            &[seeds],
        ),
        ClaimedRecord::SPACE as u64,
    )?;
    system_program::assign(
        CpiContext::new_with_signer(
            system.key(),
            system_program::Assign {
                account_to_assign: marker.clone(),
            },
            &[seeds],
        ),
        &crate::ID,
    )?;
    let marker_state = ClaimedRecord {
        version: ACCOUNT_VERSION,
        bump,
        policy: *policy,
        origin,
        record: *record,
        claim: *claim,
        rent_payer: payer.key(),
    };
    marker_state.try_serialize(&mut &mut marker.try_borrow_mut_data()?[..])?;
    Ok(())
}

pub fn handler<'info>(
    mut ctx: Context<'info, SubmitClaim<'info>>,
    args: SubmitClaimArgs,
) -> Result<()> {
    let now = now()?;
    let remaining = ctx.remaining_accounts;
    let (actor, used) = ctx.accounts.validate(&args, remaining, now)?;
    let remaining = &remaining[used..];
    let accounts = &mut ctx.accounts;

    // The records, each with its ClaimedRecord marker.
    let provider = actor.entity;
    let policy_key = accounts.policy.key();
    let claim_key = accounts.claim.key();
    let consent: &Consent = &accounts.consent;
    let mut listed = Vec::with_capacity(remaining.len() / 2);
    let mut leaves = args.leaves.iter();
    for pair in remaining.chunks_exact(2) {
        let (record_info, marker) = (&pair[0], &pair[1]);
        let leaf = if is_record_tree(record_info) {
            Some(leaves.next().ok_or(ClaimsError::LeafProofMissing)?)
        } else {
            None
        };
        let loaded = check_record(record_info, leaf, &accounts.policy, &provider)?;
        require!(
            !listed.contains(&loaded.address),
            ClaimsError::InvalidRecordList
        );
        let record = &loaded.record;
        // The patient's Payment consent to this insurer covers this record now.
        let query = ConsentQuery {
            patient: accounts.policy.patient,
            grantee: accounts.policy.insurer,
            purpose: ConsentPurpose::Payment,
            kind: record.kind,
            actions: actions::ACCESS,
            at: now,
        };
        require!(is_permitted([consent], &query), ClaimsError::ConsentMissing);
        claim_record(
            marker,
            (&loaded.address, record.origin),
            &policy_key,
            &claim_key,
            accounts.payer.as_ref(),
            accounts.system_program.as_ref(),
        )?;
        listed.push(loaded.address);
    }

    // Cost sharing, coverage and escrow. The claim reserves the most it can
    // cost: the insurer's share after the co-pay. The deductible is applied
    // when the claim is paid, to whatever paid claims left unmet.
    let policy = &mut accounts.policy;
    policy.absorb_donations(accounts.vault.amount)?;
    let payable = policy.insurer_share(args.amount_billed);
    policy.reserve_new_claim(payable)?;

    // Approved by rule at or under the auto-approve limit, while this
    // provider stays within its cap for the period; otherwise reviewed.
    let period = policy.auto_approve_period_at(now);
    let usage = &mut accounts.provider_usage;
    let used = usage.used_in(policy.created_at, period);
    let within_cap = checked_add(used, payable)? <= policy.provider_auto_approve_cap;
    let by_rule = payable <= policy.auto_approve_limit && within_cap;
    let (status, settle_after, review_deadline) = if by_rule {
        (
            ClaimStatus::Approved,
            after(now, policy.challenge_window)?,
            i64::MAX,
        )
    } else {
        (
            ClaimStatus::PendingReview,
            i64::MAX,
            after(now, policy.review_window)?,
        )
    };
    // Whoever paid for the account on the provider's first claim.
    let usage_rent_payer = if usage.version == 0 {
        accounts.payer.key()
    } else {
        usage.rent_payer
    };
    let auto_approved = if by_rule {
        checked_add(used, payable)?
    } else {
        used
    };
    usage.set_inner(ProviderUsage {
        version: ACCOUNT_VERSION,
        bump: ctx.bumps.provider_usage,
        policy: policy_key,
        provider,
        policy_created_at: policy.created_at,
        period,
        auto_approved,
        rent_payer: usage_rent_payer,
    });
    usage.check_invariant()?;
    policy.check_escrow(accounts.vault.amount)?;

    let claim = &mut accounts.claim;
    claim.set_inner(Claim {
        version: ACCOUNT_VERSION,
        bump: ctx.bumps.claim,
        policy: policy_key,
        claim_id: args.claim_id,
        provider,
        patient: policy.patient,
        amount_billed: args.amount_billed,
        deductible_applied: 0,
        amount_requested: payable,
        amount_payable: payable,
        service_commitment: args.service_commitment,
        records: listed,
        status,
        submitted_at: now,
        settle_after,
        review_deadline,
        decided_by: None,
        decided_at: None,
        appealed: false,
        disputed: false,
        paid_at: None,
        voided_at: None,
        rent_payer: accounts.payer.key(),
    });
    claim.check_invariant()?;
    let event = ClaimSubmitted {
        provider,
        policy: policy_key,
        claim: claim_key,
        patient: claim.patient,
        amount_billed: claim.amount_billed,
        amount_payable: payable,
        record_count: claim.records.len() as u8,
        status,
        settle_after,
        review_deadline,
        totals: totals(policy),
        actor_member: actor.member,
    };
    emit_cpi!(event);
    Ok(())
}
