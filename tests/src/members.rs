//! Small builders for the `records` member instructions (`add_member`,
//! `update_member`, `suspend_member`, `reinstate_member`, `revoke_member`,
//! `close_member`) and the member-mode remaining accounts, so the stories
//! can drive them before the SDK's own builders exist.

use {
    crate::World,
    anchor_lang::{prelude::Pubkey, system_program, InstructionData, ToAccountMetas},
    records::{
        accounts as acc, instruction as ix,
        instructions::{AddMemberArgs, UpdateMemberArgs},
        pda,
        state::roles,
        ID,
    },
    solana_instruction::{AccountMeta, Instruction},
    solana_keypair::Keypair,
    solana_signer::Signer,
};

fn build(accounts: impl ToAccountMetas, data: impl InstructionData) -> Instruction {
    Instruction {
        program_id: ID,
        accounts: accounts.to_account_metas(None),
        data: data.data(),
    }
}

/// The `Member` address of `member` under the entity whose authority is
/// `entity_authority`.
pub fn member_address(entity_authority: &Pubkey, member: &Pubkey) -> Pubkey {
    pda::member(&pda::entity(entity_authority).0, member).0
}

/// The remaining accounts a member passes: its `Member` account, and the
/// entity's `Entity` account when `with_entity`. Empty when `signer` is the
/// entity's authority.
pub fn acting_accounts(
    signer: &Pubkey,
    entity_authority: &Pubkey,
    with_entity: bool,
) -> Vec<AccountMeta> {
    if signer == entity_authority {
        return Vec::new();
    }
    let mut metas = vec![AccountMeta::new_readonly(
        member_address(entity_authority, signer),
        false,
    )];
    if with_entity {
        metas.push(AccountMeta::new_readonly(
            pda::entity(entity_authority).0,
            false,
        ));
    }
    metas
}

/// `ix` with the member-mode remaining accounts of `signer` appended.
pub fn acting(
    mut ix: Instruction,
    signer: &Pubkey,
    entity_authority: &Pubkey,
    with_entity: bool,
) -> Instruction {
    ix.accounts
        .extend(acting_accounts(signer, entity_authority, with_entity));
    ix
}

/// `add_member`: `admin` is the entity's authority or an EntityAdmin member.
pub fn add_member(
    payer: &Pubkey,
    admin: &Pubkey,
    entity_authority: &Pubkey,
    args: AddMemberArgs,
) -> Instruction {
    let entity = pda::entity(entity_authority).0;
    let ix = build(
        acc::AddMember {
            payer: *payer,
            admin: *admin,
            entity,
            member: pda::member(&entity, &args.member).0,
            system_program: system_program::ID,
            event_authority: pda::event_authority().0,
            program: ID,
        },
        ix::AddMember { args },
    );
    acting(ix, admin, entity_authority, false)
}

/// `update_member`.
pub fn update_member(
    admin: &Pubkey,
    entity_authority: &Pubkey,
    member: &Pubkey,
    args: UpdateMemberArgs,
) -> Instruction {
    let ix = build(
        acc::UpdateMember {
            admin: *admin,
            entity: pda::entity(entity_authority).0,
            member: member_address(entity_authority, member),
            event_authority: pda::event_authority().0,
            program: ID,
        },
        ix::UpdateMember { args },
    );
    acting(ix, admin, entity_authority, false)
}

/// The move of `suspend_member`, `reinstate_member` or `revoke_member`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusMove {
    Suspend,
    Reinstate,
    Revoke,
}

/// `suspend_member`, `reinstate_member` or `revoke_member`.
pub fn change_member_status(
    admin: &Pubkey,
    entity_authority: &Pubkey,
    member: &Pubkey,
    to: StatusMove,
) -> Instruction {
    let accounts = acc::ChangeMemberStatus {
        admin: *admin,
        entity: pda::entity(entity_authority).0,
        member: member_address(entity_authority, member),
        event_authority: pda::event_authority().0,
        program: ID,
    };
    let ix = match to {
        StatusMove::Suspend => build(accounts, ix::SuspendMember {}),
        StatusMove::Reinstate => build(accounts, ix::ReinstateMember {}),
        StatusMove::Revoke => build(accounts, ix::RevokeMember {}),
    };
    acting(ix, admin, entity_authority, false)
}

/// `close_member`: the rent goes back to `rent_payer`.
pub fn close_member(
    admin: &Pubkey,
    entity_authority: &Pubkey,
    member: &Pubkey,
    rent_payer: &Pubkey,
) -> Instruction {
    let ix = build(
        acc::CloseMember {
            admin: *admin,
            entity: pda::entity(entity_authority).0,
            member: member_address(entity_authority, member),
            rent_payer: *rent_payer,
            event_authority: pda::event_authority().0,
            program: ID,
        },
        ix::CloseMember {},
    );
    acting(ix, admin, entity_authority, false)
}

impl World {
    /// The arguments of a 90-day member with `roles` and a fixed commitment.
    pub fn member_args(&self, member: &Pubkey, roles: u16) -> AddMemberArgs {
        AddMemberArgs {
            member: *member,
            roles,
            valid_until: self.now() + 90 * crate::DAY,
            credential_commitment: [5; 32],
        }
    }

    /// Adds a new member with `roles` to `entity` (its authority signs);
    /// the member's wallet is funded.
    pub fn member(&mut self, entity: &Keypair, roles: u16) -> Keypair {
        let member = self.wallet();
        let args = self.member_args(&member.pubkey(), roles);
        let ix = add_member(
            &self.payer.pubkey(),
            &entity.pubkey(),
            &entity.pubkey(),
            args,
        );
        self.send(&[ix], &[entity]).expect("add member");
        member
    }

    /// Suspends, reinstates or revokes `member` of `entity` (its authority signs).
    pub fn set_member_status(&mut self, entity: &Keypair, member: &Pubkey, to: StatusMove) {
        let ix = change_member_status(&entity.pubkey(), &entity.pubkey(), member, to);
        self.send(&[ix], &[entity]).expect("member status");
    }
}

/// Every role but EntityAdmin.
pub const STAFF_ROLES: u16 = roles::ALL & !roles::ENTITY_ADMIN;

/// `ix`, built for the entity's authority by an SDK builder, signed instead
/// by `member` (slot `slot` is the entity's signer) with the member-mode
/// remaining accounts appended.
pub fn by_member(
    mut ix: Instruction,
    slot: usize,
    member: &Pubkey,
    entity_authority: &Pubkey,
    with_entity: bool,
) -> Instruction {
    ix.accounts[slot].pubkey = *member;
    acting(ix, member, entity_authority, with_entity)
}
