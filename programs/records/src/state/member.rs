use {
    super::{Invariant, MemberStatus, Purpose},
    crate::constants::*,
    anchor_lang::prelude::*,
};

/// A member of an entity's staff, who signs for the entity with its own key:
/// `["member", entity (the Entity account address), member key]`.
#[account]
#[derive(InitSpace, Debug)]
pub struct Member {
    pub version: u8,
    pub bump: u8,
    /// The `Entity` account address (offset 10: listing by memcmp).
    pub entity: Pubkey,
    /// The member's signing key (offset 42).
    pub member: Pubkey,
    /// The [`roles`] mask.
    pub roles: u16,
    pub status: MemberStatus,
    /// Keyed hash of the licence or of a W3C Verifiable Credential; never
    /// the document.
    pub credential_commitment: [u8; 32],
    /// The member acts strictly before this time.
    pub valid_until: i64,
    /// The signer of `add_member`: the entity's authority or an EntityAdmin member.
    pub added_by: Pubkey,
    pub added_at: i64,
    pub updated_at: i64,
    /// 1 at add, +1 on every change (update, suspend, reinstate, revoke).
    pub revision: u32,
    /// Gets the rent back on `close_member`.
    pub rent_payer: Pubkey,
}

impl Member {
    pub const SPACE: usize = 8 + Self::INIT_SPACE;

    /// A member acts only while Active and unexpired.
    pub fn is_active(&self, now: i64) -> bool {
        self.status == MemberStatus::Active && now < self.valid_until
    }
}

impl Invariant for Member {
    fn violation() -> anchor_lang::error::Error {
        error!(crate::errors::RecordsError::InvariantViolated)
    }

    fn invariant(&self) -> bool {
        self.version == ACCOUNT_VERSION
            && roles::is_valid(self.roles)
            && self.member != Pubkey::default()
            && self.credential_commitment != [0; 32]
            && self.valid_until > self.added_at
            && self.updated_at >= self.added_at
            && self.revision >= 1
    }
}

/// Byte offsets of a `Member` account's fields (discriminator included), for
/// `getProgramAccounts` filters.
pub mod member_offsets {
    /// The `Entity` account address.
    pub const ENTITY: usize = 8 + 1 + 1;
    /// The member's key.
    pub const MEMBER: usize = ENTITY + 32;
}

/// A member's role mask, and the roles each action needs (any one of them).
pub mod roles {
    use super::Purpose;

    pub const CLINICIAN: u16 = 1 << 0;
    pub const NURSE: u16 = 1 << 1;
    pub const PHARMACIST: u16 = 1 << 2;
    pub const LAB_TECHNICIAN: u16 = 1 << 3;
    pub const BILLING: u16 = 1 << 4;
    pub const CLAIMS_ADJUDICATOR: u16 = 1 << 5;
    pub const RESEARCHER: u16 = 1 << 6;
    pub const ENTITY_ADMIN: u16 = 1 << 7;
    pub const ALL: u16 = (1 << 8) - 1;

    /// At least one role, and only known ones.
    pub fn is_valid(mask: u16) -> bool {
        mask != 0 && mask & !ALL == 0
    }

    /// Issue, amend or retract a record (compressed too).
    pub const ISSUE: u16 = CLINICIAN | LAB_TECHNICIAN | PHARMACIST;
    /// Care purposes: treatment, operations, the patient's own request.
    pub const CARE: u16 = CLINICIAN | NURSE | PHARMACIST | LAB_TECHNICIAN;
    /// Break-glass access.
    pub const BREAK_GLASS: u16 = CLINICIAN;
    /// Submit, appeal, withdraw or reinstate a claim.
    pub const BILL: u16 = BILLING;
    /// Decide, dispute or void a claim.
    pub const ADJUDICATE: u16 = CLAIMS_ADJUDICATOR;

    /// `request_access` / `cancel_access_request` (the request's purpose) and
    /// `log_access` (the grant's purpose).
    pub fn for_purpose(purpose: Purpose) -> u16 {
        match purpose {
            Purpose::Treatment | Purpose::Operations | Purpose::PatientRequest => CARE,
            Purpose::Emergency => CLINICIAN | NURSE,
            Purpose::Payment => BILLING | CLAIMS_ADJUDICATOR,
            Purpose::Research => RESEARCHER,
        }
    }

    /// Display names of the roles, in bit order.
    pub const NAMES: [(u16, &str); 8] = [
        (CLINICIAN, "Clinician"),
        (NURSE, "Nurse"),
        (PHARMACIST, "Pharmacist"),
        (LAB_TECHNICIAN, "LabTechnician"),
        (BILLING, "Billing"),
        (CLAIMS_ADJUDICATOR, "ClaimsAdjudicator"),
        (RESEARCHER, "Researcher"),
        (ENTITY_ADMIN, "EntityAdmin"),
    ];
}

#[cfg(test)]
mod tests {
    use {super::*, anchor_lang::AccountSerialize};

    fn sample() -> Member {
        Member {
            version: ACCOUNT_VERSION,
            bump: 254,
            entity: Pubkey::new_unique(),
            member: Pubkey::new_unique(),
            roles: roles::CLINICIAN,
            status: MemberStatus::Active,
            credential_commitment: [7; 32],
            valid_until: 2_000,
            added_by: Pubkey::new_unique(),
            added_at: 1_000,
            updated_at: 1_000,
            revision: 1,
            rent_payer: Pubkey::new_unique(),
        }
    }

    #[test]
    fn a_member_account_is_201_bytes() {
        assert_eq!(Member::INIT_SPACE, 193);
        assert_eq!(Member::SPACE, 201);
        let mut data = Vec::new();
        sample().try_serialize(&mut data).unwrap();
        assert_eq!(data.len(), Member::SPACE);
    }

    #[test]
    fn offsets_match_a_serialized_member() {
        let m = sample();
        let mut data = Vec::new();
        m.try_serialize(&mut data).unwrap();
        let at = member_offsets::ENTITY;
        assert_eq!(&data[at..at + 32], m.entity.as_ref());
        let at = member_offsets::MEMBER;
        assert_eq!(&data[at..at + 32], m.member.as_ref());
    }

    #[test]
    fn roles_masks() {
        assert!(roles::is_valid(roles::CLINICIAN));
        assert!(roles::is_valid(roles::ALL));
        assert!(!roles::is_valid(0));
        assert!(!roles::is_valid(1 << 8));
        assert_eq!(roles::ALL.count_ones(), 8);
        assert_eq!(
            roles::NAMES.iter().fold(0, |m, (bit, _)| m | bit),
            roles::ALL
        );
        assert_eq!(roles::for_purpose(Purpose::Research), roles::RESEARCHER);
        assert_eq!(roles::for_purpose(Purpose::Payment) & roles::CLINICIAN, 0);
    }

    #[test]
    fn invariant_holds_and_catches_bad_fields() {
        assert!(sample().invariant());
        let mut m = sample();
        m.roles = 0;
        assert!(!m.invariant());
        let mut m = sample();
        m.credential_commitment = [0; 32];
        assert!(!m.invariant());
        let mut m = sample();
        m.revision = 0;
        assert!(!m.invariant());
        let mut m = sample();
        m.valid_until = m.added_at;
        assert!(!m.invariant());
        let mut m = sample();
        m.member = Pubkey::default();
        assert!(!m.invariant());
    }
}
