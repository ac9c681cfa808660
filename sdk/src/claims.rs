//! Instruction builders for the `claims` program.

use {
    crate::{acting::ActingKeys, build},
    ::claims::{accounts as acc, instruction as ix, instructions::*, pda, ID},
    anchor_lang::{prelude::AccountMeta, solana_program::instruction::Instruction, system_program},
};

pub use anchor_lang::prelude::Pubkey;

fn event_authority() -> Pubkey {
    pda::event_authority().0
}

pub fn policy_address(insurer: &Pubkey, policy_id: &[u8; 16]) -> Pubkey {
    pda::policy(insurer, policy_id).0
}

pub fn vault_address(policy: &Pubkey) -> Pubkey {
    pda::vault(policy).0
}

pub fn claim_address(policy: &Pubkey, claim_id: &[u8; 16]) -> Pubkey {
    pda::claim(policy, claim_id).0
}

/// A provider's auto-approval counter on a policy.
pub fn provider_usage_address(policy: &Pubkey, provider: &Pubkey) -> Pubkey {
    pda::provider_usage(policy, provider).0
}

/// A record listed in a claim: its address and the `origin` of its
/// amendment chain (`Record::origin`, the serial of the chain's first
/// version), on which the "billed at most once" marker is keyed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BilledRecord {
    pub record: Pubkey,
    pub origin: u64,
}

impl BilledRecord {
    /// From a decoded `Record` account at `record`.
    pub fn of(record: Pubkey, state: &records::state::Record) -> Self {
        Self {
            record,
            origin: state.origin,
        }
    }
}

/// `token_program` is the program that owns `payout_mint` (SPL Token or Token-2022).
pub fn create_policy(
    payer: &Pubkey,
    insurer: &Pubkey,
    patient: &Pubkey,
    payout_mint: &Pubkey,
    token_program: &Pubkey,
    args: CreatePolicyArgs,
) -> Instruction {
    let policy = policy_address(insurer, &args.policy_id);
    build(
        ID,
        acc::CreatePolicy {
            payer: *payer,
            insurer: *insurer,
            insurer_entity: records::pda::entity(insurer).0,
            patient: records::pda::patient(patient).0,
            policy,
            payout_mint: *payout_mint,
            vault: vault_address(&policy),
            token_program: *token_program,
            system_program: system_program::ID,
            event_authority: event_authority(),
            program: ID,
        },
        ix::CreatePolicy { args },
    )
}

pub fn fund_policy(
    funder: &Pubkey,
    policy: &Pubkey,
    payout_mint: &Pubkey,
    source: &Pubkey,
    token_program: &Pubkey,
    amount: u64,
) -> Instruction {
    build(
        ID,
        acc::FundPolicy {
            funder: *funder,
            policy: *policy,
            vault: vault_address(policy),
            payout_mint: *payout_mint,
            source: *source,
            token_program: *token_program,
            event_authority: event_authority(),
            program: ID,
        },
        ix::FundPolicy {
            args: FundPolicyArgs { amount },
        },
    )
}

pub fn withdraw_unreserved(
    insurer: &Pubkey,
    policy: &Pubkey,
    payout_mint: &Pubkey,
    destination: &Pubkey,
    token_program: &Pubkey,
    amount: u64,
) -> Instruction {
    build(
        ID,
        acc::WithdrawUnreserved {
            insurer: *insurer,
            policy: *policy,
            vault: vault_address(policy),
            payout_mint: *payout_mint,
            destination: *destination,
            token_program: *token_program,
            event_authority: event_authority(),
            program: ID,
        },
        ix::WithdrawUnreserved {
            args: WithdrawUnreservedArgs { amount },
        },
    )
}

pub fn close_policy(
    insurer: &Pubkey,
    policy: &Pubkey,
    payout_mint: &Pubkey,
    destination: &Pubkey,
    rent_payer: &Pubkey,
    token_program: &Pubkey,
) -> Instruction {
    build(
        ID,
        acc::ClosePolicy {
            insurer: *insurer,
            policy: *policy,
            vault: vault_address(policy),
            payout_mint: *payout_mint,
            destination: *destination,
            rent_payer: *rent_payer,
            token_program: *token_program,
            event_authority: event_authority(),
            program: ID,
        },
        ix::ClosePolicy {},
    )
}

/// `records` back the claim; each is followed by its `ClaimedRecord` marker
/// (keyed on the record's origin) in the remaining accounts.
/// `provider` is the provider entity's authority, or a Billing member
/// acting for it (its `Member` goes first in the remaining accounts, before
/// the pairs); the claim is the entity's.
pub fn submit_claim(
    payer: &Pubkey,
    provider: impl Into<ActingKeys>,
    policy: &Pubkey,
    insurer: &Pubkey,
    patient: &Pubkey,
    records: &[BilledRecord],
    args: SubmitClaimArgs,
) -> Instruction {
    let acting = provider.into();
    let consent =
        consent::pda::consent(patient, insurer, consent::state::ConsentPurpose::Payment).0;
    let mut instruction = build(
        ID,
        acc::SubmitClaim {
            payer: *payer,
            provider: acting.signer,
            provider_entity: acting.entity_account(),
            policy: *policy,
            vault: vault_address(policy),
            consent,
            claim: claim_address(policy, &args.claim_id),
            provider_usage: provider_usage_address(policy, &acting.entity),
            system_program: system_program::ID,
            event_authority: event_authority(),
            program: ID,
        },
        ix::SubmitClaim { args },
    );
    instruction.accounts.extend(acting.remaining(false));
    for billed in records {
        instruction
            .accounts
            .push(AccountMeta::new_readonly(billed.record, false));
        instruction.accounts.push(AccountMeta::new(
            pda::claimed_record(policy, billed.origin).0,
            false,
        ));
    }
    instruction
}

/// `adjudicator` is the policy's adjudicator, or a ClaimsAdjudicator member
/// of the entity whose authority it is (its `Member` and `Entity` follow).
pub fn dispute_claim(
    adjudicator: impl Into<ActingKeys>,
    policy: &Pubkey,
    claim: &Pubkey,
) -> Instruction {
    let acting = adjudicator.into();
    let mut ix = build(
        ID,
        acc::DisputeClaim {
            adjudicator: acting.signer,
            policy: *policy,
            claim: *claim,
            event_authority: event_authority(),
            program: ID,
        },
        ix::DisputeClaim {},
    );
    ix.accounts.extend(acting.remaining(true));
    ix
}

/// `approved_amount`: `Some` approves (all or part), `None` denies.
/// `adjudicator` as for [`dispute_claim`].
pub fn decide_claim(
    adjudicator: impl Into<ActingKeys>,
    policy: &Pubkey,
    claim: &Pubkey,
    approved_amount: Option<u64>,
) -> Instruction {
    let acting = adjudicator.into();
    let mut ix = build(
        ID,
        acc::DecideClaim {
            adjudicator: acting.signer,
            policy: *policy,
            vault: vault_address(policy),
            claim: *claim,
            event_authority: event_authority(),
            program: ID,
        },
        ix::DecideClaim {
            args: DecideClaimArgs { approved_amount },
        },
    );
    ix.accounts.extend(acting.remaining(true));
    ix
}

/// `provider` is the claim's provider, or a Billing member acting for it
/// (its `Member` and `Entity` follow).
pub fn appeal_claim(
    provider: impl Into<ActingKeys>,
    policy: &Pubkey,
    claim: &Pubkey,
) -> Instruction {
    let acting = provider.into();
    let mut ix = build(
        ID,
        acc::AppealClaim {
            provider: acting.signer,
            policy: *policy,
            vault: vault_address(policy),
            claim: *claim,
            event_authority: event_authority(),
            program: ID,
        },
        ix::AppealClaim {},
    );
    ix.accounts.extend(acting.remaining(true));
    ix
}

/// `provider` is the claim's provider (its entity must still be active).
#[allow(clippy::too_many_arguments)]
pub fn settle_claim(
    settler: &Pubkey,
    policy: &Pubkey,
    claim: &Pubkey,
    provider: &Pubkey,
    payout_mint: &Pubkey,
    provider_token_account: &Pubkey,
    token_program: &Pubkey,
) -> Instruction {
    build(
        ID,
        acc::SettleClaim {
            settler: *settler,
            policy: *policy,
            vault: vault_address(policy),
            payout_mint: *payout_mint,
            claim: *claim,
            provider_token_account: *provider_token_account,
            token_program: *token_program,
            provider_entity: records::pda::entity(provider).0,
            event_authority: event_authority(),
            program: ID,
        },
        ix::SettleClaim {},
    )
}

/// `origins` are the origins of the claim's records; their markers are closed.
/// `provider` as for [`appeal_claim`]; its accounts go before the markers.
pub fn withdraw_claim(
    provider: impl Into<ActingKeys>,
    policy: &Pubkey,
    claim: &Pubkey,
    origins: &[u64],
    rent_payer: &Pubkey,
) -> Instruction {
    let acting = provider.into();
    let mut instruction = build(
        ID,
        acc::WithdrawClaim {
            provider: acting.signer,
            policy: *policy,
            vault: vault_address(policy),
            claim: *claim,
            rent_payer: *rent_payer,
            event_authority: event_authority(),
            program: ID,
        },
        ix::WithdrawClaim {},
    );
    instruction.accounts.extend(acting.remaining(true));
    for origin in origins {
        instruction.accounts.push(AccountMeta::new(
            pda::claimed_record(policy, *origin).0,
            false,
        ));
    }
    instruction
}

/// `authority` is the policy's insurer or its adjudicator; `provider` the
/// claim's provider (whose entity must no longer be active).
/// A ClaimsAdjudicator member of the insurer's or the adjudicator's entity
/// may act for it (its `Member` and `Entity` follow).
pub fn void_claim(
    authority: impl Into<ActingKeys>,
    policy: &Pubkey,
    claim: &Pubkey,
    provider: &Pubkey,
) -> Instruction {
    let acting = authority.into();
    let mut ix = build(
        ID,
        acc::VoidClaim {
            authority: acting.signer,
            policy: *policy,
            vault: vault_address(policy),
            claim: *claim,
            provider_entity: records::pda::entity(provider).0,
            event_authority: event_authority(),
            program: ID,
        },
        ix::VoidClaim {},
    );
    ix.accounts.extend(acting.remaining(true));
    ix
}

/// `provider` is the claim's provider, active again.
pub fn reinstate_claim(
    provider: impl Into<ActingKeys>,
    policy: &Pubkey,
    claim: &Pubkey,
) -> Instruction {
    let acting = provider.into();
    let mut ix = build(
        ID,
        acc::ReinstateClaim {
            provider: acting.signer,
            policy: *policy,
            vault: vault_address(policy),
            claim: *claim,
            provider_entity: acting.entity_account(),
            event_authority: event_authority(),
            program: ID,
        },
        ix::ReinstateClaim {},
    );
    ix.accounts.extend(acting.remaining(false));
    ix
}

/// Times out a claim past its review deadline (anyone may).
pub fn expire_claim(actor: &Pubkey, policy: &Pubkey, claim: &Pubkey) -> Instruction {
    build(
        ID,
        acc::ExpireClaim {
            actor: *actor,
            policy: *policy,
            vault: vault_address(policy),
            claim: *claim,
            event_authority: event_authority(),
            program: ID,
        },
        ix::ExpireClaim {},
    )
}

/// Closes a provider's auto-approval counter once `policy` has ended (past
/// its `valid_until`) or is closed.
pub fn close_provider_usage(
    actor: &Pubkey,
    policy: &Pubkey,
    provider: &Pubkey,
    rent_payer: &Pubkey,
) -> Instruction {
    build(
        ID,
        acc::CloseProviderUsage {
            actor: *actor,
            policy: *policy,
            provider_usage: provider_usage_address(policy, provider),
            rent_payer: *rent_payer,
            event_authority: event_authority(),
            program: ID,
        },
        ix::CloseProviderUsage {},
    )
}

pub fn close_claim(
    actor: &Pubkey,
    policy: &Pubkey,
    claim: &Pubkey,
    rent_payer: &Pubkey,
) -> Instruction {
    build(
        ID,
        acc::CloseClaim {
            actor: *actor,
            policy: *policy,
            claim: *claim,
            rent_payer: *rent_payer,
            event_authority: event_authority(),
            program: ID,
        },
        ix::CloseClaim {},
    )
}

/// `origin` is the origin (serial) of the billed record.
pub fn close_claimed_record(
    actor: &Pubkey,
    policy: &Pubkey,
    origin: u64,
    rent_payer: &Pubkey,
) -> Instruction {
    build(
        ID,
        acc::CloseClaimedRecord {
            actor: *actor,
            policy: *policy,
            claimed_record: pda::claimed_record(policy, origin).0,
            rent_payer: *rent_payer,
            event_authority: event_authority(),
            program: ID,
        },
        ix::CloseClaimedRecord {},
    )
}

#[cfg(test)]
mod tests {
    use {super::*, anchor_lang::prelude::AccountMeta};

    #[test]
    fn member_accounts_go_before_the_pairs_and_markers() {
        let (hospital, biller, insurer, patient, policy, claim) = (
            Pubkey::new_unique(),
            Pubkey::new_unique(),
            Pubkey::new_unique(),
            Pubkey::new_unique(),
            Pubkey::new_unique(),
            Pubkey::new_unique(),
        );
        let acting = ActingKeys::member(biller, hospital);
        let member =
            AccountMeta::new_readonly(crate::acting::member_address(&hospital, &biller), false);
        let entity = AccountMeta::new_readonly(records::pda::entity(&hospital).0, false);
        let billed = [BilledRecord {
            record: Pubkey::new_unique(),
            origin: 7,
        }];
        let args = SubmitClaimArgs {
            claim_id: [4; 16],
            amount_billed: 100,
            service_commitment: [5; 32],
            leaves: Vec::new(),
        };
        let ix = submit_claim(
            &biller,
            acting,
            &policy,
            &insurer,
            &patient,
            &billed,
            args.clone(),
        );
        let by_authority = submit_claim(
            &hospital, &hospital, &policy, &insurer, &patient, &billed, args,
        );
        // Fixed accounts: 11; then the Member; then the (record, marker) pair.
        assert_eq!(ix.accounts[1].pubkey, biller);
        assert_eq!(ix.accounts[2].pubkey, records::pda::entity(&hospital).0);
        assert_eq!(
            ix.accounts[7].pubkey,
            provider_usage_address(&policy, &hospital)
        );
        assert_eq!(ix.accounts[11], member);
        assert_eq!(ix.accounts[12].pubkey, billed[0].record);
        assert_eq!(by_authority.accounts.len(), 13);
        assert_eq!(by_authority.accounts[11].pubkey, billed[0].record);

        let withdraw = withdraw_claim(acting, &policy, &claim, &[7], &biller);
        let n = withdraw.accounts.len();
        assert_eq!(
            &withdraw.accounts[n - 3..n - 1],
            &[member.clone(), entity.clone()]
        );
        assert_eq!(
            withdraw.accounts[n - 1].pubkey,
            pda::claimed_record(&policy, 7).0
        );

        let adjudicator = Pubkey::new_unique();
        let officer = Pubkey::new_unique();
        let decide = decide_claim(
            ActingKeys::member(officer, adjudicator),
            &policy,
            &claim,
            Some(50),
        );
        let n = decide.accounts.len();
        assert_eq!(decide.accounts[0].pubkey, officer);
        assert_eq!(
            decide.accounts[n - 2].pubkey,
            crate::acting::member_address(&adjudicator, &officer)
        );
        assert_eq!(
            decide.accounts[n - 1].pubkey,
            records::pda::entity(&adjudicator).0
        );
        assert_eq!(
            decide_claim(&adjudicator, &policy, &claim, None)
                .accounts
                .len(),
            n - 2
        );
    }
}
