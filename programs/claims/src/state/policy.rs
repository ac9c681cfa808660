use {
    super::{Claim, ClaimStatus, EscrowLedger, Invariant},
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

    // ----- the escrow ledger -----
    //
    // `deposited`, `reserved`, `paid`, `withdrawn`, `deductible_met`,
    // `open_claims` and `appealable_until` change only through the methods
    // below, and a claim's amounts and status only through them and the
    // `Claim` methods they call. Each ends by checking the invariants of
    // what it changed; handlers end with `check_escrow` against the vault.

    /// Sets `amount` aside for a claim, refusing what exceeds the coverage
    /// left or the unreserved escrow.
    fn reserve(&mut self, amount: u64) -> Result<()> {
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
    fn unreserve(&mut self, amount: u64) -> Result<()> {
        self.reserved = self
            .reserved
            .checked_sub(amount)
            .ok_or(ClaimsError::EscrowInvariantViolated)?;
        Ok(())
    }

    /// Counts a claim entering the open states.
    fn open_claim(&mut self) -> Result<()> {
        self.open_claims = self
            .open_claims
            .checked_add(1)
            .ok_or(ClaimsError::Overflow)?;
        Ok(())
    }

    /// Releases an open claim's whole reservation as it leaves the open states.
    fn release(&mut self, claim: &Claim) -> Result<()> {
        self.unreserve(claim.reservation())?;
        self.open_claims = self
            .open_claims
            .checked_sub(1)
            .ok_or(ClaimsError::EscrowInvariantViolated)?;
        Ok(())
    }

    /// Holds the escrow for an appeal (or a reinstatement) that may come until
    /// the appeal window from `now` has passed: the insurer neither
    /// withdraws nor closes before. Returns that time.
    fn hold_for_appeal(&mut self, now: i64) -> Result<i64> {
        let until = now
            .checked_add(self.appeal_window)
            .ok_or(ClaimsError::Overflow)?;
        self.appealable_until = self.appealable_until.max(until);
        Ok(until)
    }

    /// Checks the ledger's invariant and, when given, the claim's.
    fn checked(&self, claim: Option<&Claim>) -> Result<()> {
        self.check_invariant()?;
        match claim {
            Some(claim) => claim.check_invariant(),
            None => Ok(()),
        }
    }

    /// Reserves `amount` for a new claim and counts it open (the claim is
    /// written next, by `submit_claim`, and checked there).
    pub fn reserve_new_claim(&mut self, amount: u64) -> Result<()> {
        self.reserve(amount)?;
        self.open_claim()?;
        self.checked(None)
    }

    /// The provider appeals `claim` (denied, or approved in part): the
    /// whole requested amount is reserved again and the claim waits for the
    /// adjudicator until `deadline`.
    pub fn appeal(&mut self, claim: &mut Claim, deadline: i64) -> Result<()> {
        let extra = claim
            .amount_requested
            .checked_sub(claim.reservation())
            .ok_or(ClaimsError::EscrowInvariantViolated)?;
        self.reserve(extra)?;
        if !claim.is_open() {
            self.open_claim()?;
        }
        claim.appealed = true;
        claim.amount_payable = claim.amount_requested;
        claim.await_review(ClaimStatus::Appealed, deadline);
        self.checked(Some(claim))
    }

    /// The adjudicator approves `amount` of `claim`, giving back the rest
    /// of its reservation. A partial approval of a claim not yet appealed
    /// holds the escrow and the settlement for the appeal window.
    pub fn approve(&mut self, claim: &mut Claim, amount: u64, now: i64) -> Result<()> {
        let returned = claim
            .amount_payable
            .checked_sub(amount)
            .ok_or(ClaimsError::EscrowInvariantViolated)?;
        self.unreserve(returned)?;
        let appealable = amount < claim.amount_requested && !claim.appealed;
        let settle_after = if appealable {
            self.hold_for_appeal(now)?
        } else {
            now
        };
        claim.approve(amount, settle_after);
        self.checked(Some(claim))
    }

    /// An unanswered appeal times out approved in full (already reserved).
    pub fn approve_on_timeout(&mut self, claim: &mut Claim, now: i64) -> Result<()> {
        let full = claim.amount_requested;
        require!(
            claim.status == ClaimStatus::Appealed && claim.reservation() == full,
            ClaimsError::EscrowInvariantViolated
        );
        claim.approve(full, now);
        self.checked(Some(claim))
    }

    /// Denies `claim` (by decision or at a review timeout): its reservation
    /// is released; unless it was already appealed, the escrow is held for
    /// the appeal window.
    pub fn deny(&mut self, claim: &mut Claim, now: i64) -> Result<()> {
        self.release(claim)?;
        if !claim.appealed {
            self.hold_for_appeal(now)?;
        }
        claim.deny();
        self.checked(Some(claim))
    }

    /// The provider withdraws its open claim: the reservation is released.
    pub fn withdraw_claim(&mut self, claim: &mut Claim) -> Result<()> {
        self.release(claim)?;
        claim.withdraw();
        self.checked(Some(claim))
    }

    /// Voids an approved claim whose provider is no longer active: the
    /// reservation is released and held for the reinstatement window.
    pub fn void(&mut self, claim: &mut Claim, now: i64) -> Result<()> {
        self.release(claim)?;
        self.hold_for_appeal(now)?;
        claim.void(now);
        self.checked(Some(claim))
    }

    /// Reinstates a voided claim: its approved amount is reserved again.
    pub fn reinstate(&mut self, claim: &mut Claim, now: i64) -> Result<()> {
        self.reserve(claim.amount_payable)?;
        self.open_claim()?;
        claim.reinstate(now)?;
        self.checked(Some(claim))
    }

    /// Books the settlement of an open claim: its reservation is released,
    /// `paid` of it was paid and `deductible` of the deductible used.
    pub fn pay(&mut self, claim: &mut Claim, paid: u64, deductible: u64, now: i64) -> Result<()> {
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
        claim.mark_paid(paid, deductible, now);
        self.checked(Some(claim))
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
}

/// The escrow arithmetic shared with `bounties` (`panacea_common`).
impl EscrowLedger for Policy {
    fn deposited(&self) -> u64 {
        self.deposited
    }
    fn reserved(&self) -> u64 {
        self.reserved
    }
    fn paid(&self) -> u64 {
        self.paid
    }
    fn withdrawn(&self) -> u64 {
        self.withdrawn
    }
    fn set_deposited(&mut self, deposited: u64) {
        self.deposited = deposited;
    }
    fn set_withdrawn(&mut self, withdrawn: u64) {
        self.withdrawn = withdrawn;
    }
    fn check_ledger(&self) -> Result<()> {
        self.checked(None)
    }
    fn overflow() -> anchor_lang::error::Error {
        error!(ClaimsError::Overflow)
    }
    fn insufficient_escrow() -> anchor_lang::error::Error {
        error!(ClaimsError::InsufficientEscrow)
    }
    fn ledger_violation() -> anchor_lang::error::Error {
        error!(ClaimsError::EscrowInvariantViolated)
    }
}

/// The ledger's own consistency (what holds whatever the vault holds):
/// paid + withdrawn <= deposited, reserved <= what that leaves, paid +
/// reserved <= coverage limit, deductible_met <= deductible, nothing
/// reserved without an open claim, and sane terms.
impl Invariant for Policy {
    fn invariant(&self) -> bool {
        self.version == ACCOUNT_VERSION
            && self
                .expected_vault_balance()
                .is_some_and(|balance| self.reserved <= balance)
            && self
                .paid
                .checked_add(self.reserved)
                .is_some_and(|owed| owed <= self.coverage_limit)
            && self.deductible_met <= self.deductible
            && (self.open_claims > 0 || self.reserved == 0)
            && self.terms_are_sane()
    }

    fn violation() -> anchor_lang::error::Error {
        error!(ClaimsError::EscrowInvariantViolated)
    }
}

#[cfg(test)]
mod tests {
    use {super::*, crate::state::Claim};

    const DAY: i64 = 86_400;

    fn policy() -> Policy {
        Policy {
            version: ACCOUNT_VERSION,
            bump: 255,
            vault_bump: 254,
            insurer: Pubkey::new_unique(),
            policy_id: [1; 16],
            patient: Pubkey::new_unique(),
            payout_mint: Pubkey::new_unique(),
            vault: Pubkey::new_unique(),
            token_program: Pubkey::new_unique(),
            adjudicator: Pubkey::new_unique(),
            coverage_limit: 1_000,
            deductible: 100,
            copay_bps: 2_000,
            auto_approve_limit: 500,
            provider_auto_approve_cap: 1_000,
            auto_approve_period: 30 * DAY,
            challenge_window: DAY,
            appeal_window: DAY,
            review_window: DAY,
            valid_from: 0,
            valid_until: 365 * DAY,
            deposited: 0,
            reserved: 0,
            paid: 0,
            withdrawn: 0,
            deductible_met: 0,
            open_claims: 0,
            appealable_until: 0,
            created_at: 0,
            rent_payer: Pubkey::new_unique(),
        }
    }

    fn claim(policy: &mut Policy, billed: u64) -> Claim {
        let payable = policy.insurer_share(billed);
        policy.reserve_new_claim(payable).unwrap();
        Claim {
            version: ACCOUNT_VERSION,
            bump: 255,
            policy: Pubkey::new_unique(),
            claim_id: [2; 16],
            provider: Pubkey::new_unique(),
            patient: policy.patient,
            amount_billed: billed,
            deductible_applied: 0,
            amount_requested: payable,
            amount_payable: payable,
            service_commitment: [3; 32],
            records: vec![Pubkey::new_unique()],
            status: ClaimStatus::PendingReview,
            submitted_at: 0,
            settle_after: i64::MAX,
            review_deadline: DAY,
            decided_by: None,
            decided_at: None,
            appealed: false,
            disputed: false,
            paid_at: None,
            voided_at: None,
            rent_payer: Pubkey::new_unique(),
        }
    }

    /// The escrow as the vault would hold it.
    fn vault(policy: &Policy) -> u64 {
        policy.expected_vault_balance().unwrap()
    }

    #[test]
    fn the_ledger_moves_only_through_its_methods_and_stays_whole() {
        let mut policy = policy();
        policy.deposit(800).unwrap();
        let mut c = claim(&mut policy, 500);
        assert_eq!((policy.reserved, policy.open_claims), (400, 1));
        c.check_invariant().unwrap();
        policy.check_escrow(vault(&policy)).unwrap();

        // A partial approval gives back the rest and holds for an appeal.
        policy.approve(&mut c, 300, 10).unwrap();
        assert_eq!((policy.reserved, c.status), (300, ClaimStatus::Approved));
        assert_eq!(policy.appealable_until, 10 + DAY);
        // The appeal reserves the full amount again.
        policy.appeal(&mut c, 20 + DAY).unwrap();
        assert_eq!((policy.reserved, c.status), (400, ClaimStatus::Appealed));
        // Unanswered, it is approved in full, then paid.
        policy.approve_on_timeout(&mut c, 30 + DAY).unwrap();
        let (deductible, paid) = policy.settlement(&c).unwrap();
        policy.pay(&mut c, paid, deductible, 40 + DAY).unwrap();
        assert_eq!(
            (policy.reserved, policy.open_claims, policy.paid, c.status),
            (0, 0, paid, ClaimStatus::Paid)
        );
        assert_eq!(deductible, 100);
        policy.check_escrow(vault(&policy)).unwrap();
        // What no claim holds can be withdrawn, no more.
        let free = policy.unreserved().unwrap();
        assert!(policy.withdraw(free + 1).is_err());
        policy.withdraw(free).unwrap();
        assert_eq!(vault(&policy), 0);
        policy.check_escrow(0).unwrap();
    }

    #[test]
    fn a_refused_ledger_change_leaves_the_policy_as_it_was() {
        let mut policy = policy();
        policy.deposit(300).unwrap();
        let before = format!("{policy:?}");
        // Over the escrow (the coverage would allow it).
        let err = policy.reserve_new_claim(301).unwrap_err();
        assert_eq!(err, error!(ClaimsError::InsufficientEscrow));
        assert_eq!(format!("{policy:?}"), before);
        // Over the coverage.
        policy.deposit(2_000).unwrap();
        let before = format!("{policy:?}");
        let err = policy.reserve_new_claim(1_001).unwrap_err();
        assert_eq!(err, error!(ClaimsError::CoverageExceeded));
        assert_eq!(format!("{policy:?}"), before);
        // A vault that does not hold what the ledger says.
        assert!(policy.check_escrow(vault(&policy) - 1).is_err());
    }

    #[test]
    fn denying_voiding_withdrawing_and_reinstating_release_and_restore() {
        let mut policy = policy();
        policy.deposit(1_000).unwrap();
        let mut denied = claim(&mut policy, 100);
        policy.deny(&mut denied, 5).unwrap();
        assert_eq!(
            (denied.status, denied.amount_payable),
            (ClaimStatus::Denied, 0)
        );
        let mut withdrawn = claim(&mut policy, 100);
        policy.withdraw_claim(&mut withdrawn).unwrap();
        assert_eq!(withdrawn.status, ClaimStatus::Withdrawn);
        let mut voided = claim(&mut policy, 100);
        policy.approve(&mut voided, 80, 5).unwrap();
        policy.void(&mut voided, 6).unwrap();
        assert_eq!((policy.reserved, policy.open_claims), (0, 0));
        policy.reinstate(&mut voided, 7).unwrap();
        assert_eq!(
            (policy.reserved, policy.open_claims, voided.status),
            (80, 1, ClaimStatus::Approved)
        );
        policy.check_escrow(vault(&policy)).unwrap();
    }
}

/// Byte offsets (discriminator included) of the fields `Policy` accounts
/// are listed by; tested against a serialized account.
pub mod policy_offsets {
    /// `insurer`: after the discriminator, version, bump and vault_bump.
    pub const INSURER: usize = 8 + 1 + 1 + 1;
    /// `patient`: after the insurer and the 16-byte policy id.
    pub const PATIENT: usize = INSURER + 32 + 16;
}
