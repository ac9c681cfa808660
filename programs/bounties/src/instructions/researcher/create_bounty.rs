use {
    super::super::{check_payout_mint, now},
    crate::{constants::*, errors::BountiesError, events::BountyCreated, state::*},
    anchor_lang::prelude::*,
    anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface},
    records::state::{kinds, Entity, EntityKind},
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct CreateBountyArgs {
    /// Random opaque 16 bytes.
    pub bounty_id: [u8; 16],
    /// Record kinds wanted (a `records` kinds mask).
    pub kinds: u16,
    /// Paid per accepted record, in mint base units.
    pub reward: u64,
    /// Most records pending or rewarded (reward x max must fit a u64).
    pub max_contributions: u32,
    /// 1 to `MAX_PER_PATIENT`.
    pub max_per_patient: u16,
    /// Seconds from now during which records may be offered, 1 to `MAX_INTAKE_PERIOD`.
    pub intake_period: i64,
    /// `MIN_REVIEW_WINDOW` to `MAX_REVIEW_WINDOW` seconds.
    pub review_window: i64,
    /// SHA-256 of the canonical JSON of the FHIR ResearchStudy (not zero).
    pub study_commitment: [u8; 32],
    /// SHA-256 of the consent text patients agree to (not zero).
    pub consent_text: [u8; 32],
    /// SHA-256 of the only algorithm allowed to see the data; `None`: raw access.
    pub algorithm: Option<[u8; 32]>,
}

/// An active Researcher entity opens a bounty, with an escrow vault (a token
/// account of the mint owned by the bounty PDA). Records issued from now on
/// do not count.
#[event_cpi]
#[derive(Accounts)]
#[instruction(args: CreateBountyArgs)]
pub struct CreateBounty<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub researcher: Signer<'info>,
    #[account(
        constraint = researcher_entity.authority == researcher.key() @ BountiesError::NotResearcher,
    )]
    pub researcher_entity: Box<Account<'info, Entity>>,
    #[account(
        init,
        payer = payer,
        space = Bounty::DISCRIMINATOR.len() + Bounty::INIT_SPACE,
        seeds = [BOUNTY_SEED, researcher.key().as_ref(), args.bounty_id.as_ref()],
        bump,
    )]
    pub bounty: Box<Account<'info, Bounty>>,
    #[account(mint::token_program = token_program)]
    pub mint: Box<InterfaceAccount<'info, Mint>>,
    #[account(
        init,
        payer = payer,
        seeds = [VAULT_SEED, bounty.key().as_ref()],
        bump,
        token::mint = mint,
        token::authority = bounty,
        token::token_program = token_program,
    )]
    pub vault: Box<InterfaceAccount<'info, TokenAccount>>,
    pub token_program: Interface<'info, TokenInterface>,
    pub system_program: Program<'info, System>,
}

impl CreateBounty<'_> {
    pub fn validate(&self, args: &CreateBountyArgs, now: i64) -> Result<()> {
        check_payout_mint(&self.mint.to_account_info())?;
        require!(
            self.researcher_entity.is_active(now),
            BountiesError::EntityNotActive
        );
        require!(
            self.researcher_entity.kind == EntityKind::Researcher,
            BountiesError::EntityKindNotAllowed
        );
        require!(args.bounty_id != [0; 16], BountiesError::InvalidBountyId);
        require!(
            kinds::is_valid(args.kinds)
                && args.reward > 0
                && args.max_contributions >= 1
                && (1..=MAX_PER_PATIENT).contains(&args.max_per_patient)
                && (MIN_REVIEW_WINDOW..=MAX_REVIEW_WINDOW).contains(&args.review_window)
                && args.intake_period > 0
                && args.study_commitment != [0; 32]
                && args.consent_text != [0; 32]
                && args.algorithm != Some([0; 32])
                && args
                    .reward
                    .checked_mul(u64::from(args.max_contributions))
                    .is_some(),
            BountiesError::InvalidBountyTerms
        );
        require!(
            args.intake_period <= MAX_INTAKE_PERIOD,
            BountiesError::IntakePeriodTooLong
        );
        Ok(())
    }
}

pub fn handler(mut ctx: Context<CreateBounty>, args: CreateBountyArgs) -> Result<()> {
    let now = now()?;
    ctx.accounts.validate(&args, now)?;
    let intake_ends_at = now
        .checked_add(args.intake_period)
        .ok_or(BountiesError::Overflow)?;
    let accounts = &mut ctx.accounts;
    let bounty = &mut accounts.bounty;
    bounty.set_inner(Bounty {
        version: ACCOUNT_VERSION,
        bump: ctx.bumps.bounty,
        vault_bump: ctx.bumps.vault,
        researcher: accounts.researcher.key(),
        bounty_id: args.bounty_id,
        mint: accounts.mint.key(),
        vault: accounts.vault.key(),
        token_program: accounts.token_program.key(),
        kinds: args.kinds,
        reward: args.reward,
        max_contributions: args.max_contributions,
        max_per_patient: args.max_per_patient,
        study_commitment: args.study_commitment,
        consent_text: args.consent_text,
        algorithm: args.algorithm,
        opened_at: now,
        intake_ends_at,
        review_window: args.review_window,
        status: BountyStatus::Open,
        deposited: 0,
        reserved: 0,
        paid: 0,
        withdrawn: 0,
        pending: 0,
        rewarded: 0,
        rent_payer: accounts.payer.key(),
    });
    bounty.check_escrow(accounts.vault.amount)?;
    let event = BountyCreated {
        researcher: bounty.researcher,
        bounty: bounty.key(),
        mint: bounty.mint,
        vault: bounty.vault,
        kinds: bounty.kinds,
        reward: bounty.reward,
        max_contributions: bounty.max_contributions,
        max_per_patient: bounty.max_per_patient,
        opened_at: bounty.opened_at,
        intake_ends_at: bounty.intake_ends_at,
        review_window: bounty.review_window,
        study_commitment: bounty.study_commitment,
        consent_text: bounty.consent_text,
        algorithm: bounty.algorithm,
    };
    emit_cpi!(event);
    Ok(())
}
