//! Who acts for an entity: its authority, or one of its members (staff).
//!
//! An entity (a hospital, a lab, an insurer) stays identified everywhere by
//! its **authority key**. A member acts *for* it: the member signs, and its
//! `Member` account (plus, where the instruction carries no entity account,
//! the `Entity` account) travels as the first remaining accounts. With the
//! authority signing nothing is added, so the instruction is exactly the one
//! an entity sent before members existed.

use {
    crate::client::AnySigner,
    anchor_lang::{prelude::Pubkey, solana_program::instruction::AccountMeta},
    solana_signer::Signer,
};

/// The address of the `Member` account of `member` (its signing key) under
/// the entity whose authority is `entity_authority`.
pub fn member_address(entity_authority: &Pubkey, member: &Pubkey) -> Pubkey {
    member_pda(&records::pda::entity(entity_authority).0, member)
}

/// `["member", entity account, member key]` under the records program.
fn member_pda(entity_account: &Pubkey, member: &Pubkey) -> Pubkey {
    records::pda::member(entity_account, member).0
}

/// The signer of an entity's operation and the entity it acts for.
#[derive(Clone, Copy)]
pub struct Acting<'a> {
    /// Who signs: the entity's authority, or a member's key.
    pub signer: &'a AnySigner,
    /// The entity's authority key (what records, grants and claims name).
    pub entity: Pubkey,
}

impl<'a> Acting<'a> {
    /// The entity's authority acts itself.
    pub fn entity(signer: &'a AnySigner) -> Self {
        Self {
            signer,
            entity: signer.pubkey(),
        }
    }

    /// `signer` acts as a member of the entity whose authority is `entity`.
    /// (When `signer` is that authority, this is [`Acting::entity`].)
    pub fn member(signer: &'a AnySigner, entity: Pubkey) -> Self {
        Self { signer, entity }
    }

    /// The keys an instruction builder needs.
    pub fn keys(&self) -> ActingKeys {
        ActingKeys {
            signer: self.signer.pubkey(),
            entity: self.entity,
        }
    }

    /// The member's key, when a member (not the authority) signs.
    pub fn member_key(&self) -> Option<Pubkey> {
        self.keys().member_key()
    }
}

impl std::fmt::Debug for Acting<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Acting")
            .field("signer", &self.signer.pubkey())
            .field("entity", &self.entity)
            .finish()
    }
}

/// Existing call sites pass `&keypair`: the signer is the entity's authority.
impl<'a, S: Signer + Send + Sync + 'static> From<&'a S> for Acting<'a> {
    fn from(signer: &'a S) -> Self {
        Acting::entity(signer)
    }
}

/// A `&dyn Signer` (an [`AnySigner`]) is the entity's authority too.
impl<'a> From<&'a AnySigner> for Acting<'a> {
    fn from(signer: &'a AnySigner) -> Self {
        Acting::entity(signer)
    }
}

/// The public half of [`Acting`]: what the instruction builders take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ActingKeys {
    /// The key that signs.
    pub signer: Pubkey,
    /// The entity's authority key.
    pub entity: Pubkey,
}

impl ActingKeys {
    /// The entity's authority signs.
    pub fn authority(entity: Pubkey) -> Self {
        Self {
            signer: entity,
            entity,
        }
    }

    /// `member` signs for the entity whose authority is `entity`.
    pub fn member(member: Pubkey, entity: Pubkey) -> Self {
        Self {
            signer: member,
            entity,
        }
    }

    /// True when a member (not the authority) signs.
    pub fn is_member(&self) -> bool {
        self.signer != self.entity
    }

    /// The member's key, when a member signs.
    pub fn member_key(&self) -> Option<Pubkey> {
        self.is_member().then_some(self.signer)
    }

    /// The entity's account (`["entity", authority]`).
    pub fn entity_account(&self) -> Pubkey {
        records::pda::entity(&self.entity).0
    }

    /// The signer's `Member` account, when a member signs.
    pub fn member_account(&self) -> Option<Pubkey> {
        self.is_member()
            .then(|| member_pda(&self.entity_account(), &self.signer))
    }

    /// The remaining accounts that say "a member acts": none for the
    /// authority; the `Member` account, then (`with_entity`, for the
    /// instructions that carry no entity account) the `Entity` account, both
    /// read-only.
    pub fn remaining(&self, with_entity: bool) -> Vec<AccountMeta> {
        let Some(member) = self.member_account() else {
            return Vec::new();
        };
        let mut metas = vec![AccountMeta::new_readonly(member, false)];
        if with_entity {
            metas.push(AccountMeta::new_readonly(self.entity_account(), false));
        }
        metas
    }
}

impl From<&Pubkey> for ActingKeys {
    fn from(authority: &Pubkey) -> Self {
        ActingKeys::authority(*authority)
    }
}

impl From<Acting<'_>> for ActingKeys {
    fn from(acting: Acting<'_>) -> Self {
        acting.keys()
    }
}

impl From<&Acting<'_>> for ActingKeys {
    fn from(acting: &Acting<'_>) -> Self {
        acting.keys()
    }
}

#[cfg(test)]
mod tests {
    use {super::*, solana_keypair::Keypair};

    #[test]
    fn the_authority_adds_no_remaining_accounts() {
        let authority = Keypair::new();
        let acting: Acting = (&authority).into();
        assert_eq!(acting.entity, authority.pubkey());
        assert_eq!(acting.member_key(), None);
        let keys = acting.keys();
        assert!(!keys.is_member());
        assert!(keys.remaining(true).is_empty());
        assert_eq!(keys, ActingKeys::from(&authority.pubkey()));
        // A member "of itself" is the authority.
        let same = Acting::member(&authority, authority.pubkey());
        assert_eq!(same.member_key(), None);
    }

    #[test]
    fn a_member_passes_its_member_account_then_the_entity() {
        let authority = Keypair::new();
        let clinician = Keypair::new();
        let acting = Acting::member(&clinician, authority.pubkey());
        assert_eq!(acting.member_key(), Some(clinician.pubkey()));
        let keys = ActingKeys::from(acting);
        let entity_account = records::pda::entity(&authority.pubkey()).0;
        let (member, _) = Pubkey::find_program_address(
            &[
                b"member",
                entity_account.as_ref(),
                clinician.pubkey().as_ref(),
            ],
            &records::ID,
        );
        assert_eq!(
            member_address(&authority.pubkey(), &clinician.pubkey()),
            member
        );
        assert_eq!(keys.member_account(), Some(member));
        assert_eq!(
            keys.remaining(false),
            vec![AccountMeta::new_readonly(member, false)]
        );
        assert_eq!(
            keys.remaining(true),
            vec![
                AccountMeta::new_readonly(member, false),
                AccountMeta::new_readonly(entity_account, false)
            ]
        );
        let dynamic: &AnySigner = &clinician;
        let as_authority: Acting = dynamic.into();
        assert_eq!(as_authority.entity, clinician.pubkey());
    }
}
