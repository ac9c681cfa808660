use {
    super::{actions, ConsentPurpose, ConsentStatus, Decision, Invariant, SignedVia},
    crate::{
        constants::{ACCOUNT_VERSION, MAX_CONSENT_DURATION},
        errors::ConsentError,
    },
    anchor_lang::prelude::*,
    records::state::kinds,
};

/// A patient's consent to one entity for one purpose:
/// `["consent", patient_authority, grantee, [purpose]]`.
#[account]
#[derive(InitSpace, Debug)]
pub struct Consent {
    /// Account layout version (see `consent_version` for the change counter).
    pub version: u8,
    pub bump: u8,
    /// The patient's wallet.
    pub patient: Pubkey,
    /// Authority of the entity the consent is given to.
    pub grantee: Pubkey,
    pub purpose: ConsentPurpose,
    pub decision: Decision,
    /// Record kinds covered (`records::state::kinds`).
    pub kinds: u16,
    /// Actions covered (`actions`).
    pub actions: u8,
    /// The consent applies from `period_start` (inclusive) to `period_end` (exclusive).
    pub period_start: i64,
    pub period_end: i64,
    /// SHA-256 of the consent text the patient saw.
    pub policy_commitment: [u8; 32],
    pub status: ConsentStatus,
    /// Bumped on every change; a signed message names the version it changes.
    pub consent_version: u32,
    pub signed_via: SignedVia,
    pub granted_at: i64,
    pub revoked_at: Option<i64>,
    pub updated_at: i64,
    pub rent_payer: Pubkey,
}

/// What a grant sets: the terms of a consent.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, PartialEq, Eq, Debug, InitSpace)]
pub struct ConsentTerms {
    pub decision: Decision,
    pub kinds: u16,
    pub actions: u8,
    pub period_start: i64,
    pub period_end: i64,
    pub policy_commitment: [u8; 32],
}

impl ConsentTerms {
    /// The terms are well formed and their period is bounded: it has not
    /// ended at `now`, lasts at most [`MAX_CONSENT_DURATION`] and ends at
    /// most that long after `now`. (So every time in an accepted signed
    /// message lies within five years of now, which keeps the relayed
    /// transaction inside one packet.)
    pub fn validate(&self, now: i64) -> Result<()> {
        require!(kinds::is_valid(self.kinds), ConsentError::InvalidKinds);
        require!(
            actions::is_valid(self.actions),
            ConsentError::InvalidActions
        );
        require!(
            self.period_end > self.period_start,
            ConsentError::InvalidPeriod
        );
        require!(self.period_end > now, ConsentError::ConsentPeriodOver);
        require!(
            self.period_end
                .checked_sub(self.period_start)
                .is_some_and(|d| d <= MAX_CONSENT_DURATION),
            ConsentError::ConsentPeriodTooLong
        );
        require!(
            self.period_end
                .checked_sub(now)
                .is_some_and(|d| d <= MAX_CONSENT_DURATION),
            ConsentError::ConsentPeriodEndsTooLate
        );
        Ok(())
    }
}

/// A consent's state, as events report it before and after a change.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, PartialEq, Eq, Debug)]
pub struct ConsentState {
    pub terms: ConsentTerms,
    pub status: ConsentStatus,
    pub consent_version: u32,
    pub signed_via: SignedVia,
}

impl Consent {
    pub fn terms(&self) -> ConsentTerms {
        ConsentTerms {
            decision: self.decision,
            kinds: self.kinds,
            actions: self.actions,
            period_start: self.period_start,
            period_end: self.period_end,
            policy_commitment: self.policy_commitment,
        }
    }

    pub fn state(&self) -> ConsentState {
        ConsentState {
            terms: self.terms(),
            status: self.status,
            consent_version: self.consent_version,
            signed_via: self.signed_via,
        }
    }

    /// A freshly created account, before its first grant.
    pub fn is_new(&self) -> bool {
        self.version == 0
    }
}

impl Invariant for Consent {
    fn invariant(&self) -> bool {
        self.version == ACCOUNT_VERSION
            && self.consent_version >= 1
            && kinds::is_valid(self.kinds)
            && actions::is_valid(self.actions)
            && self.period_end > self.period_start
            && (self.status == ConsentStatus::Revoked) == self.revoked_at.is_some()
            && self.updated_at >= self.granted_at
            && self.grantee != self.patient
    }

    fn violation() -> anchor_lang::error::Error {
        error!(ConsentError::InvariantViolated)
    }
}

/// Byte offsets (discriminator included) of the fields `Consent` accounts
/// are listed by; tested against a serialized account.
pub mod consent_offsets {
    /// `patient`: after the discriminator, version and bump.
    pub const PATIENT: usize = 8 + 1 + 1;
    /// `grantee`.
    pub const GRANTEE: usize = PATIENT + 32;
}
