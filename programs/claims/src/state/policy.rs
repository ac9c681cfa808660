use {
    super::Claim,
    crate::{constants::*, errors::ClaimsError},
    anchor_lang::prelude::*,
};

/// An insurer's policy for one patient, with its escrow vault:
/// `["policy", insurer_authority, policy_id]`.
#[account]
#[derive(InitSpace, Debug)]
pub struct Policy {
    pub version: u8,
    pub bump: u8,
    pub vault_bump: u8,
    /// Authority of the insurer entity.
    pub insurer: Pubkey,
    /// Random opaque 16 bytes.
    pub policy_id: [u8; 16],
    /// The patient's wallet.
    pub patient: Pubkey,
    pub payout_mint: Pubkey,
    /// Token account holding the escrow, owned by this policy's PDA.
    pub vault: Pubkey,
    /// SPL Token or Token-2022, whichever owns the payout mint.
    pub token_program: Pubkey,
    /// Key that disputes and decides claims (in production a multisig).
    pub adjudicator: Pubkey,
    /// Most the policy ever pays, in payout-mint base units.
    pub coverage_limit: u64,
    pub deductible: u64,
    /// Share of the amount after deductible the patient pays, in basis points.
    pub copay_bps: u16,
    /// Payable amounts at or under this are approved by rule.
    pub auto_approve_limit: u64,
    /// Most one provider is approved by rule within one auto-approve period;
    /// a claim that would go over it waits for the adjudicator.
    pub provider_auto_approve_cap: u64,
    /// Seconds in each auto-approve period, counted from `valid_from`.
    pub auto_approve_period: i64,
    /// Seconds an auto-approved claim waits, disputable, before settlement.
    pub challenge_window: i64,
    /// Seconds after a decision during which the provider may appeal (and
    /// after a voiding, during which it may reinstate the claim).
    pub appeal_window: i64,
    /// Seconds the adjudicator has to decide a claim under review or on
    /// appeal; after that the claim times out (see `expire_claim`).
    pub review_window: i64,
    pub valid_from: i64,
    pub valid_until: i64,
    pub deposited: u64,
    /// Owed to claims not yet paid.
    pub reserved: u64,
    pub paid: u64,
    pub withdrawn: u64,
    /// Deductible used by paid claims (applied at settlement).
    pub deductible_met: u64,
    pub open_claims: u32,
    /// Until this time a denial or partial approval may still be appealed:
    /// the insurer neither withdraws nor closes before it.
    pub appealable_until: i64,
    pub created_at: i64,
    pub rent_payer: Pubkey,
}

impl Policy {
    /// What the vault must hold: deposited - paid - withdrawn.
    pub fn expected_vault_balance(&self) -> Option<u64> {
        self.deposited
            .checked_sub(self.paid)?
            .checked_sub(self.withdrawn)
    }

    /// Money in the vault not owed to any claim.
    pub fn unreserved(&self) -> Result<u64> {
        self.expected_vault_balance()
            .and_then(|b| b.checked_sub(self.reserved))
            .ok_or(error!(ClaimsError::EscrowInvariantViolated))
    }

    /// Coverage not yet paid or promised.
    pub fn remaining_coverage(&self) -> Result<u64> {
        self.coverage_limit
            .checked_sub(self.paid)
            .and_then(|c| c.checked_sub(self.reserved))
            .ok_or(error!(ClaimsError::EscrowInvariantViolated))
    }

    pub fn is_in_period(&self, now: i64) -> bool {
        self.valid_from <= now && now < self.valid_until
    }

    /// The index of the auto-approve period `now` falls in.
    pub fn auto_approve_period_at(&self, now: i64) -> u64 {
        let elapsed = now.saturating_sub(self.valid_from).max(0);
        (elapsed / self.auto_approve_period.max(1)) as u64
    }

    /// The insurer's share of `amount` after the co-pay. The insurer's share
    /// is rounded down (the patient's co-pay up), so rounding never makes the
    /// policy pay more than its terms.
    pub fn insurer_share(&self, amount: u64) -> u64 {
        let share_bps = BPS.saturating_sub(u64::from(self.copay_bps));
        (u128::from(amount) * u128::from(share_bps) / u128::from(BPS)) as u64
    }

    /// Deductible not yet used by paid claims.
    pub fn deductible_unmet(&self) -> Result<u64> {
        self.deductible
            .checked_sub(self.deductible_met)
            .ok_or(error!(ClaimsError::EscrowInvariantViolated))
    }

    /// What settling `claim` now applies and pays: (deductible applied,
    /// amount paid). The deductible is applied when money moves, in the order
    /// claims are paid: the claim takes what paid claims left unmet, up to its
    /// billed amount, and its payment (the approved amount) drops by the
    /// insurer's share of that deductible. A partial approval takes only the
    /// deductible its approved amount can absorb (the deductible applies to
    /// what was allowed, not to what was disallowed), so the order in which
    /// claims are settled does not change what they pay together (beyond
    /// rounding, which favours the insurer).
    pub fn settlement(&self, claim: &Claim) -> Result<(u64, u64)> {
        let billed = claim.amount_billed;
        let full = claim.amount_requested;
        let approved = claim.amount_payable;
        // The insurer's share of the deductible `d`: full - share(billed - d).
        let reduction = |d: u64| -> Result<u64> {
            full.checked_sub(self.insurer_share(billed.saturating_sub(d)))
                .ok_or(error!(ClaimsError::EscrowInvariantViolated))
        };
        let deductible = billed.min(self.deductible_unmet()?);
        let saved = reduction(deductible)?;
        if saved <= approved {
            return Ok((deductible, approved - saved));
        }
        // The approval absorbs less than that: take the deductible down to the
        // smallest billed remainder whose share still covers the disallowed
        // part, and pay what (if anything) rounding leaves.
        let disallowed = full - approved;
        let share_bps = BPS.saturating_sub(u64::from(self.copay_bps));
        let remainder = (u128::from(disallowed) * u128::from(BPS)).div_ceil(u128::from(share_bps));
        let remainder =
            u64::try_from(remainder).map_err(|_| error!(ClaimsError::EscrowInvariantViolated))?;
        let absorbed = billed
            .checked_sub(remainder)
            .filter(|d| *d <= deductible)
            .ok_or(ClaimsError::EscrowInvariantViolated)?;
        let paid = approved
            .checked_sub(reduction(absorbed)?)
            .ok_or(ClaimsError::EscrowInvariantViolated)?;
        Ok((absorbed, paid))
    }

    /// Sets `amount` aside for a claim, refusing what exceeds the coverage
    /// left or the unreserved escrow.
    pub fn reserve(&mut self, amount: u64) -> Result<()> {
        require!(
            amount <= self.remaining_coverage()?,
            ClaimsError::CoverageExceeded
        );
        require!(
            amount <= self.unreserved()?,
            ClaimsError::InsufficientEscrow
        );
        self.reserved = self
            .reserved
            .checked_add(amount)
            .ok_or(ClaimsError::Overflow)?;
        Ok(())
    }

    /// Gives back `amount` of a claim's reservation.
    pub fn unreserve(&mut self, amount: u64) -> Result<()> {
        self.reserved = self
            .reserved
            .checked_sub(amount)
            .ok_or(ClaimsError::EscrowInvariantViolated)?;
        Ok(())
    }

    /// Counts a claim entering the open states.
    pub fn open_claim(&mut self) -> Result<()> {
        self.open_claims = self
            .open_claims
            .checked_add(1)
            .ok_or(ClaimsError::Overflow)?;
        Ok(())
    }

    /// Releases an open claim's whole reservation as it leaves the open states.
    pub fn release(&mut self, claim: &Claim) -> Result<()> {
        self.unreserve(claim.reservation())?;
        self.open_claims = self
            .open_claims
            .checked_sub(1)
            .ok_or(ClaimsError::EscrowInvariantViolated)?;
        Ok(())
    }

    /// Books the settlement of an open claim: its reservation is released,
    /// `paid` of it was paid and `deductible` of the deductible used.
    pub fn book_payment(&mut self, claim: &Claim, paid: u64, deductible: u64) -> Result<()> {
        require!(
            paid <= claim.reservation(),
            ClaimsError::EscrowInvariantViolated
        );
        self.release(claim)?;
        self.paid = self.paid.checked_add(paid).ok_or(ClaimsError::Overflow)?;
        self.deductible_met = self
            .deductible_met
            .checked_add(deductible)
            .ok_or(ClaimsError::Overflow)?;
        Ok(())
    }

    /// Holds the escrow for an appeal (or a reinstatement) that may come until
    /// the appeal window from `now` has passed: the insurer neither
    /// withdraws nor closes before. Returns that time.
    pub fn hold_for_appeal(&mut self, now: i64) -> Result<i64> {
        let until = now
            .checked_add(self.appeal_window)
            .ok_or(ClaimsError::Overflow)?;
        self.appealable_until = self.appealable_until.max(until);
        Ok(until)
    }

    /// The policy's terms are within the program's bounds.
    pub fn terms_are_sane(&self) -> bool {
        self.coverage_limit > 0
            && self.deductible <= self.coverage_limit
            && u64::from(self.copay_bps) <= BPS
            && self.auto_approve_limit <= self.coverage_limit
            && (1..=MAX_CHALLENGE_WINDOW).contains(&self.challenge_window)
            && (MIN_APPEAL_WINDOW..=MAX_APPEAL_WINDOW).contains(&self.appeal_window)
            && (MIN_REVIEW_WINDOW..=MAX_REVIEW_WINDOW).contains(&self.review_window)
            && (1..=MAX_AUTO_APPROVE_PERIOD).contains(&self.auto_approve_period)
            && self.valid_from < self.valid_until
            && self
                .valid_until
                .checked_sub(self.valid_from)
                .is_some_and(|d| d <= MAX_POLICY_DURATION)
    }

    /// The escrow invariants of the SPEC, against the vault's actual balance.
    pub fn invariant(&self, vault_balance: u64) -> bool {
        self.version == ACCOUNT_VERSION
            && self.expected_vault_balance() == Some(vault_balance)
            && self.reserved <= vault_balance
            && self
                .paid
                .checked_add(self.reserved)
                .is_some_and(|owed| owed <= self.coverage_limit)
            && self.deductible_met <= self.deductible
            && (self.open_claims > 0 || self.reserved == 0)
            && self.terms_are_sane()
    }

    pub fn check_invariant(&self, vault_balance: u64) -> Result<()> {
        require!(
            self.invariant(vault_balance),
            ClaimsError::EscrowInvariantViolated
        );
        Ok(())
    }

    /// Counts as a deposit anything sent to the vault outside `fund_policy`,
    /// so that the vault balance equals deposited - paid - withdrawn again.
    /// Returns the amount absorbed.
    pub fn absorb_donations(&mut self, vault_balance: u64) -> Result<u64> {
        let expected = self
            .expected_vault_balance()
            .ok_or(ClaimsError::EscrowInvariantViolated)?;
        let surplus = vault_balance
            .checked_sub(expected)
            .ok_or(ClaimsError::EscrowInvariantViolated)?;
        self.deposited = self
            .deposited
            .checked_add(surplus)
            .ok_or(ClaimsError::Overflow)?;
        Ok(surplus)
    }
}

/// Byte offsets in a serialized `Policy`.
pub mod policy_offsets {
    /// `insurer`: after the discriminator, version, bump and vault bump.
    pub const INSURER: usize = 8 + 1 + 1 + 1;
    /// `patient`: after the insurer and the 16-byte policy id.
    pub const PATIENT: usize = INSURER + 32 + 16;
}
