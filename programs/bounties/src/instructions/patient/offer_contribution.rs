use {
    super::super::{after, load_error, now, research_permission, totals, ResearchTarget},
    crate::{constants::*, errors::BountiesError, events::ContributionOffered, state::*},
    anchor_lang::prelude::*,
    anchor_spl::token_interface::TokenAccount,
    records::{
        compressed::{load_record, LeafProof},
        constants::{ENTITY_SEED, PATIENT_SEED},
        state::{Entity, Patient, RecordKind, RecordStatus},
    },
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct OfferContributionArgs {
    /// The record's amendment-chain origin (`Record::origin`): the
    /// contribution's address is derived from it.
    pub origin: u64,
    /// For a compressed record (`record` is then its `RecordTree`): the
    /// leaf's fields and proof. `None` for a `Record` account.
    pub leaf: Option<LeafProof>,
}

/// The patient (or guardian) offers one of the patient's Active records of a
/// kind the bounty wants, issued before the bounty opened, under the
/// patient's Research consent to the researcher naming the bounty's consent
/// text, with a grant that gives the researcher Research read access to the
/// record at least until the review window ends. The reward is reserved.
/// A relayer may pay the fees and the rent of the new accounts.
#[event_cpi]
#[derive(Accounts)]
#[instruction(args: OfferContributionArgs)]
pub struct OfferContribution<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    /// The patient or the patient's guardian.
    pub authority: Signer<'info>,
    #[account(
        seeds = [PATIENT_SEED, patient.authority.as_ref()],
        seeds::program = records::ID,
        bump = patient.bump,
        constraint = patient.is_patient_or_guardian(authority.key) @ BountiesError::NotPatientOrGuardian,
    )]
    pub patient: Box<Account<'info, Patient>>,
    #[account(mut)]
    pub bounty: Box<Account<'info, Bounty>>,
    #[account(address = bounty.vault @ BountiesError::InvalidTokenAccount)]
    pub vault: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(
        seeds = [ENTITY_SEED, bounty.researcher.as_ref()],
        seeds::program = records::ID,
        bump = researcher_entity.bump,
    )]
    pub researcher_entity: Box<Account<'info, Entity>>,
    /// CHECK: a `Record`, or the `RecordTree` of a compressed record with
    /// `args.leaf`; loaded by `records::compressed::load_record`.
    pub record: UncheckedAccount<'info>,
    /// CHECK: the patient's Research consent to the researcher; checked by
    /// owner, discriminator, address and content (`research_permission`).
    pub consent: UncheckedAccount<'info>,
    /// CHECK: the `records` grant to the researcher reaching the record;
    /// checked as the consent is.
    pub grant: UncheckedAccount<'info>,
    #[account(
        init_if_needed,
        payer = payer,
        space = Contribution::DISCRIMINATOR.len() + Contribution::INIT_SPACE,
        seeds = [
            CONTRIBUTION_SEED,
            bounty.key().as_ref(),
            patient.authority.as_ref(),
            &args.origin.to_le_bytes(),
        ],
        bump,
    )]
    pub contribution: Box<Account<'info, Contribution>>,
    #[account(
        init_if_needed,
        payer = payer,
        space = PatientTally::DISCRIMINATOR.len() + PatientTally::INIT_SPACE,
        seeds = [TALLY_SEED, bounty.key().as_ref(), patient.authority.as_ref()],
        bump,
    )]
    pub tally: Box<Account<'info, PatientTally>>,
    pub system_program: Program<'info, System>,
}

/// What the offer needs of the record, once checked.
#[derive(Clone, Copy, Debug)]
pub struct OfferedRecord {
    pub address: Pubkey,
    pub serial: u64,
    pub kind: RecordKind,
    /// When the grant named expires.
    pub grant_expires_at: i64,
}

/// Loads the record (an account, or a compressed record with its leaf) and
/// checks it against the patient, the origin and the bounty's rules.
#[inline(never)] // the Record stays out of the handler's SBF frame
fn check_record(
    info: &AccountInfo,
    leaf: Option<&LeafProof>,
    patient: &Pubkey,
    origin: u64,
    contribution: &Contribution,
    bounty: &Bounty,
) -> Result<(Pubkey, u64, RecordKind)> {
    let loaded = load_record(info, leaf).map_err(|e| error!(load_error(e)))?;
    let record = &loaded.record;
    require_keys_eq!(
        record.patient,
        *patient,
        BountiesError::RecordPatientMismatch
    );
    require!(record.origin == origin, BountiesError::ContributionMismatch);
    require!(
        contribution.version == 0,
        BountiesError::RecordAlreadyContributed
    );
    require!(
        record.status == RecordStatus::Active,
        BountiesError::RecordNotActive
    );
    require!(
        bounty.kinds & record.kind.bit() != 0,
        BountiesError::KindNotWanted
    );
    require!(
        record.issued_at < bounty.opened_at,
        BountiesError::RecordIssuedAfterOpening
    );
    Ok((loaded.address, record.serial, record.kind))
}

impl OfferContribution<'_> {
    pub fn validate(&self, args: &OfferContributionArgs, now: i64) -> Result<OfferedRecord> {
        let bounty = &self.bounty;
        require!(bounty.intake_open(now), BountiesError::IntakeClosed);
        require!(
            self.researcher_entity.is_active(now),
            BountiesError::EntityNotActive
        );
        let patient = self.patient.authority;
        let (address, serial, kind) = check_record(
            &self.record,
            args.leaf.as_ref(),
            &patient,
            args.origin,
            &self.contribution,
            bounty,
        )?;
        let tally = &self.tally;
        if tally.version != 0 {
            require!(
                tally.bounty_opened_at == bounty.opened_at,
                BountiesError::StaleAccount
            );
        }
        let ends = research_permission(
            &self.consent,
            &self.grant,
            bounty,
            ResearchTarget {
                patient: &patient,
                record: &address,
                serial,
                kind,
            },
            now,
        )
        .map_err(|e| error!(e))?;
        // The grant and the consent outlive the review window by a
        // settlement period, so the patient can be paid without the
        // researcher's acceptance.
        let settle_until = after(after(now, bounty.review_window)?, SETTLEMENT_PERIOD)?;
        require!(
            ends.grant_expires_at >= settle_until,
            BountiesError::GrantEndsInsideWindow
        );
        require!(
            ends.consent_ends_at >= settle_until,
            BountiesError::ConsentEndsInsideWindow
        );
        require!(
            tally.counted < bounty.max_per_patient,
            BountiesError::PatientCapReached
        );
        Ok(OfferedRecord {
            address,
            serial,
            kind,
            grant_expires_at: ends.grant_expires_at,
        })
    }
}

pub fn handler(mut ctx: Context<OfferContribution>, args: OfferContributionArgs) -> Result<()> {
    let now = now()?;
    let offered = ctx.accounts.validate(&args, now)?;
    let accounts = &mut ctx.accounts;
    let bounty = &mut accounts.bounty;
    bounty.absorb_donations(accounts.vault.amount)?;
    bounty.reserve_offer()?;
    let bounty_key = bounty.key();
    let patient = accounts.patient.authority;
    let review_deadline = after(now, bounty.review_window)?;

    let tally = &mut accounts.tally;
    if tally.version == 0 {
        tally.set_inner(PatientTally {
            version: ACCOUNT_VERSION,
            bump: ctx.bumps.tally,
            bounty: bounty_key,
            patient,
            counted: 0,
            pending: 0,
            bounty_opened_at: bounty.opened_at,
            rent_payer: accounts.payer.key(),
        });
    }
    tally.offered()?;

    let contribution = &mut accounts.contribution;
    contribution.set_inner(Contribution {
        version: ACCOUNT_VERSION,
        bump: ctx.bumps.contribution,
        bounty: bounty_key,
        patient,
        origin: args.origin,
        record: offered.address,
        grant: accounts.grant.key(),
        serial: offered.serial,
        kind: offered.kind,
        status: ContributionStatus::Pending,
        reward: bounty.reward,
        amount_paid: 0,
        quality_score: None,
        reason_code: 0,
        offered_at: now,
        review_deadline,
        decided_at: None,
        bounty_opened_at: bounty.opened_at,
        rent_payer: accounts.payer.key(),
    });
    contribution.check_invariant()?;
    bounty.check_escrow(accounts.vault.amount)?;
    let event = ContributionOffered {
        actor: accounts.authority.key(),
        payer: accounts.payer.key(),
        bounty: bounty_key,
        researcher: bounty.researcher,
        contribution: contribution.key(),
        patient,
        record: offered.address,
        kind: offered.kind,
        reward: bounty.reward,
        review_deadline,
        totals: totals(bounty),
    };
    emit_cpi!(event);
    Ok(())
}
