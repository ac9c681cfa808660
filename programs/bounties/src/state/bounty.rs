use {
    super::{Contribution, ContributionStatus, EscrowLedger, Invariant},
    crate::{constants::*, errors::BountiesError},
    anchor_lang::prelude::*,
    records::state::kinds,
};

/// Where a bounty stands. Intake is open while `Open` and before
/// `intake_ends_at`.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, PartialEq, Eq, Debug, InitSpace)]
pub enum BountyStatus {
    Open,
    /// The researcher closed intake early; pending offers are still reviewed.
    IntakeClosed,
    /// Cancelled with nothing pending: no offer, review or payment again.
    Cancelled,
}

/// A researcher's bounty: a reward per record of the kinds in `kinds`,
/// escrowed in a vault: `["bounty", researcher_authority, bounty_id]`.
#[account]
#[derive(InitSpace, Debug)]
pub struct Bounty {
    pub version: u8,
    pub bump: u8,
    pub vault_bump: u8,
    /// Authority of the Researcher entity.
    pub researcher: Pubkey,
    /// Random opaque 16 bytes.
    pub bounty_id: [u8; 16],
    pub mint: Pubkey,
    /// Token account holding the escrow, owned by this bounty's PDA.
    pub vault: Pubkey,
    /// SPL Token or Token-2022, whichever owns the mint.
    pub token_program: Pubkey,
    /// Record kinds wanted (a `records` kinds mask).
    pub kinds: u16,
    /// Paid per accepted record (at most; the researcher may accept part).
    pub reward: u64,
    /// Most records pending or rewarded at once.
    pub max_contributions: u32,
    /// Most records one patient may have pending or rewarded.
    pub max_per_patient: u16,
    /// SHA-256 of the canonical JSON of the FHIR ResearchStudy.
    pub study_commitment: [u8; 32],
    /// SHA-256 of the consent text the patient must have agreed to (the
    /// Research consent's `policy_commitment`).
    pub consent_text: [u8; 32],
    /// SHA-256 of the only algorithm the researcher commits to run on the
    /// data (compute-to-data); `None`: raw access. A commitment the chain
    /// cannot enforce.
    pub algorithm: Option<[u8; 32]>,
    /// `create_bounty` time: only records issued before it count.
    pub opened_at: i64,
    pub intake_ends_at: i64,
    /// Seconds the researcher has to review an offer.
    pub review_window: i64,
    pub status: BountyStatus,
    pub deposited: u64,
    /// Owed to pending contributions: `pending * reward`.
    pub reserved: u64,
    pub paid: u64,
    pub withdrawn: u64,
    /// Contributions waiting for review or settlement.
    pub pending: u32,
    /// Contributions paid.
    pub rewarded: u32,
    pub rent_payer: Pubkey,
}

impl Bounty {
    /// Whether a new contribution may be offered now.
    pub fn intake_open(&self, now: i64) -> bool {
        self.status == BountyStatus::Open && now < self.intake_ends_at
    }

    /// No new contribution can land any more.
    pub fn intake_over(&self, now: i64) -> bool {
        !self.intake_open(now)
    }

    /// The terms are within the program's bounds.
    pub fn terms_are_sane(&self) -> bool {
        kinds::is_valid(self.kinds)
            && self.reward > 0
            && self.max_contributions >= 1
            && (1..=MAX_PER_PATIENT).contains(&self.max_per_patient)
            && (MIN_REVIEW_WINDOW..=MAX_REVIEW_WINDOW).contains(&self.review_window)
            && self.opened_at <= self.intake_ends_at
    }

    // ----- the escrow ledger -----
    //
    // `deposited`, `reserved`, `paid`, `withdrawn`, `pending` and `rewarded`
    // change only through the methods below, and a contribution's status and
    // payment only through them. Each ends by checking the invariants of what
    // it changed; handlers end with `check_escrow` against the vault.

    fn checked(&self, contribution: Option<&Contribution>) -> Result<()> {
        self.check_invariant()?;
        match contribution {
            Some(contribution) => contribution.check_invariant(),
            None => Ok(()),
        }
    }

    /// Reserves one reward for a new offer, refusing a full bounty or an
    /// escrow that cannot cover it.
    pub fn reserve_offer(&mut self) -> Result<()> {
        let counted = self
            .pending
            .checked_add(self.rewarded)
            .ok_or(BountiesError::Overflow)?;
        require!(counted < self.max_contributions, BountiesError::BountyFull);
        require!(
            self.unreserved()? >= self.reward,
            BountiesError::InsufficientEscrow
        );
        self.reserved = self
            .reserved
            .checked_add(self.reward)
            .ok_or(BountiesError::Overflow)?;
        self.pending = self.pending.checked_add(1).ok_or(BountiesError::Overflow)?;
        self.checked(None)
    }

    /// Gives back a pending contribution's reservation.
    fn unreserve(&mut self, contribution: &Contribution) -> Result<()> {
        require!(
            contribution.status == ContributionStatus::Pending
                && contribution.reward == self.reward,
            BountiesError::EscrowInvariantViolated
        );
        self.reserved = self
            .reserved
            .checked_sub(contribution.reward)
            .ok_or(BountiesError::EscrowInvariantViolated)?;
        self.pending = self
            .pending
            .checked_sub(1)
            .ok_or(BountiesError::EscrowInvariantViolated)?;
        Ok(())
    }

    /// Books the payment of `amount` (1 to the reward) to a pending
    /// contribution: its reservation is released and it becomes Paid, once.
    pub fn pay(
        &mut self,
        contribution: &mut Contribution,
        amount: u64,
        quality_score: Option<u8>,
        now: i64,
    ) -> Result<()> {
        require!(
            amount > 0 && amount <= contribution.reward,
            BountiesError::InvalidAmount
        );
        self.unreserve(contribution)?;
        self.rewarded = self
            .rewarded
            .checked_add(1)
            .ok_or(BountiesError::Overflow)?;
        self.paid = self
            .paid
            .checked_add(amount)
            .ok_or(BountiesError::Overflow)?;
        contribution.status = ContributionStatus::Paid;
        contribution.amount_paid = amount;
        contribution.quality_score = quality_score;
        contribution.decided_at = Some(now);
        self.checked(Some(contribution))
    }

    /// A pending contribution is rejected (with `reason_code`) or cancelled
    /// (`reason_code` 0): its reservation is released and its slot freed.
    pub fn release(
        &mut self,
        contribution: &mut Contribution,
        status: ContributionStatus,
        reason_code: u16,
        now: i64,
    ) -> Result<()> {
        require!(
            matches!(
                status,
                ContributionStatus::Rejected | ContributionStatus::Cancelled
            ),
            BountiesError::EscrowInvariantViolated
        );
        self.unreserve(contribution)?;
        contribution.status = status;
        contribution.reason_code = reason_code;
        contribution.decided_at = Some(now);
        self.checked(Some(contribution))
    }
}

/// The escrow arithmetic shared with `claims` (`panacea_common`).
impl EscrowLedger for Bounty {
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
        error!(BountiesError::Overflow)
    }
    fn insufficient_escrow() -> anchor_lang::error::Error {
        error!(BountiesError::InsufficientEscrow)
    }
    fn ledger_violation() -> anchor_lang::error::Error {
        error!(BountiesError::EscrowInvariantViolated)
    }
}

/// The ledger's own consistency (what holds whatever the vault holds):
/// paid + withdrawn <= deposited, reserved <= what that leaves, reserved =
/// pending x reward, pending + rewarded <= max_contributions, paid <=
/// rewarded x reward, nothing pending once cancelled, and sane terms.
impl Invariant for Bounty {
    fn invariant(&self) -> bool {
        let reward = u128::from(self.reward);
        self.version == ACCOUNT_VERSION
            && self.terms_are_sane()
            && self
                .expected_vault_balance()
                .is_some_and(|balance| self.reserved <= balance)
            && u128::from(self.reserved) == u128::from(self.pending) * reward
            && u64::from(self.pending) + u64::from(self.rewarded)
                <= u64::from(self.max_contributions)
            && u128::from(self.paid) <= u128::from(self.rewarded) * reward
            && (self.status != BountyStatus::Cancelled || self.pending == 0)
    }

    fn violation() -> anchor_lang::error::Error {
        error!(BountiesError::EscrowInvariantViolated)
    }
}

/// Byte offsets (discriminator included) of the fields `Bounty` accounts
/// are listed by; tested against a serialized account.
pub mod bounty_offsets {
    /// `researcher`: after the discriminator, version, bump and vault_bump.
    pub const RESEARCHER: usize = 8 + 1 + 1 + 1;
}

#[cfg(test)]
mod tests {
    use {super::*, records::state::RecordKind};

    const REWARD: u64 = 100;

    fn bounty() -> Bounty {
        Bounty {
            version: ACCOUNT_VERSION,
            bump: 255,
            vault_bump: 254,
            researcher: Pubkey::new_unique(),
            bounty_id: [1; 16],
            mint: Pubkey::new_unique(),
            vault: Pubkey::new_unique(),
            token_program: Pubkey::new_unique(),
            kinds: RecordKind::LabResult.bit(),
            reward: REWARD,
            max_contributions: 3,
            max_per_patient: 2,
            study_commitment: [2; 32],
            consent_text: [3; 32],
            algorithm: None,
            opened_at: 0,
            intake_ends_at: 30 * DAY,
            review_window: DAY,
            status: BountyStatus::Open,
            deposited: 0,
            reserved: 0,
            paid: 0,
            withdrawn: 0,
            pending: 0,
            rewarded: 0,
            rent_payer: Pubkey::new_unique(),
        }
    }

    fn offer(bounty: &mut Bounty) -> Contribution {
        bounty.reserve_offer().unwrap();
        Contribution {
            version: ACCOUNT_VERSION,
            bump: 255,
            bounty: Pubkey::new_unique(),
            patient: Pubkey::new_unique(),
            origin: 7,
            record: Pubkey::new_unique(),
            grant: Pubkey::new_unique(),
            serial: 7,
            kind: RecordKind::LabResult,
            status: ContributionStatus::Pending,
            reward: bounty.reward,
            amount_paid: 0,
            quality_score: None,
            reason_code: 0,
            offered_at: 10,
            review_deadline: 10 + DAY,
            decided_at: None,
            bounty_opened_at: 0,
            rent_payer: Pubkey::new_unique(),
        }
    }

    fn vault(bounty: &Bounty) -> u64 {
        bounty.expected_vault_balance().unwrap()
    }

    #[test]
    fn the_ledger_moves_only_through_its_methods_and_stays_whole() {
        let mut b = bounty();
        b.deposit(250).unwrap();
        let mut paid = offer(&mut b);
        let mut rejected = offer(&mut b);
        assert_eq!((b.reserved, b.pending), (200, 2));
        // A third reward is not covered by what is left unreserved.
        assert_eq!(
            b.reserve_offer().unwrap_err(),
            error!(BountiesError::InsufficientEscrow)
        );
        b.check_escrow(vault(&b)).unwrap();
        b.pay(&mut paid, 60, Some(90), 20).unwrap();
        assert_eq!((b.paid, b.reserved, b.pending, b.rewarded), (60, 100, 1, 1));
        assert_eq!(paid.status, ContributionStatus::Paid);
        // Paid once: its reservation is gone.
        assert!(b.pay(&mut paid, 40, None, 21).is_err());
        b.release(&mut rejected, ContributionStatus::Rejected, 4, 22)
            .unwrap();
        assert_eq!((b.reserved, b.pending), (0, 0));
        b.check_escrow(vault(&b)).unwrap();
        let free = b.unreserved().unwrap();
        assert_eq!(free, 190);
        assert!(b.withdraw(free + 1).is_err());
        b.withdraw(free).unwrap();
        b.check_escrow(0).unwrap();
    }

    #[test]
    fn caps_and_bad_payments_leave_the_bounty_as_it_was() {
        let mut b = bounty();
        b.deposit(1_000).unwrap();
        let mut c = offer(&mut b);
        offer(&mut b);
        offer(&mut b);
        let before = format!("{b:?}");
        assert_eq!(
            b.reserve_offer().unwrap_err(),
            error!(BountiesError::BountyFull)
        );
        assert_eq!(format!("{b:?}"), before);
        assert_eq!(
            b.pay(&mut c, REWARD + 1, None, 20).unwrap_err(),
            error!(BountiesError::InvalidAmount)
        );
        assert_eq!(
            b.pay(&mut c, 0, None, 20).unwrap_err(),
            error!(BountiesError::InvalidAmount)
        );
        assert!(b.release(&mut c, ContributionStatus::Paid, 0, 20).is_err());
        assert_eq!(format!("{b:?}"), before);
        // A vault that does not hold what the ledger says.
        assert!(b.check_escrow(vault(&b) - 1).is_err());
        // Donations are absorbed as deposits.
        assert_eq!(b.absorb_donations(vault(&b) + 5).unwrap(), 5);
        b.check_escrow(1_005).unwrap();
    }

    #[test]
    fn a_cancelled_bounty_holds_nothing_pending() {
        let mut b = bounty();
        b.deposit(REWARD).unwrap();
        offer(&mut b);
        b.status = BountyStatus::Cancelled;
        assert!(!b.invariant());
    }
}
