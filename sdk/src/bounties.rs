//! Instruction builders for the `bounties` program (research data bounties).

use {
    crate::{acting::ActingKeys, build},
    ::bounties::{accounts as acc, instruction as ix, instructions::*, pda, state::Bounty, ID},
    anchor_lang::{solana_program::instruction::Instruction, system_program},
    consent::state::ConsentPurpose,
    records::compressed::LeafProof,
};

pub use anchor_lang::prelude::Pubkey;

fn event_authority() -> Pubkey {
    pda::event_authority().0
}

/// `["bounty", researcher_authority, bounty_id]`.
pub fn bounty_address(researcher: &Pubkey, bounty_id: &[u8; 16]) -> Pubkey {
    pda::bounty(researcher, bounty_id).0
}

/// The bounty's escrow token account, `["vault", bounty]`.
pub fn vault_address(bounty: &Pubkey) -> Pubkey {
    pda::vault(bounty).0
}

/// A record's contribution to a bounty: `origin` is the serial of the
/// record's amendment chain's first version (`Record::origin`).
pub fn contribution_address(bounty: &Pubkey, patient: &Pubkey, origin: u64) -> Pubkey {
    pda::contribution(bounty, patient, origin).0
}

/// A patient's tally on a bounty (the per-patient cap).
pub fn tally_address(bounty: &Pubkey, patient: &Pubkey) -> Pubkey {
    pda::tally(bounty, patient).0
}

/// The patient's Research consent to the researcher (`consent` program).
pub fn research_consent_address(patient: &Pubkey, researcher: &Pubkey) -> Pubkey {
    consent::pda::consent(patient, researcher, ConsentPurpose::Research).0
}

/// What most bounty instructions need to know of a bounty.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BountyKeys {
    pub bounty: Pubkey,
    /// The researcher entity's authority.
    pub researcher: Pubkey,
    pub mint: Pubkey,
    /// SPL Token or Token-2022 (whichever owns the mint).
    pub token_program: Pubkey,
}

impl BountyKeys {
    /// From a decoded `Bounty` account at `address`.
    pub fn of(address: Pubkey, bounty: &Bounty) -> Self {
        Self {
            bounty: address,
            researcher: bounty.researcher,
            mint: bounty.mint,
            token_program: bounty.token_program,
        }
    }

    pub fn vault(&self) -> Pubkey {
        vault_address(&self.bounty)
    }
}

/// `researcher` is the Researcher entity's authority; `token_program` owns `mint`.
pub fn create_bounty(
    payer: &Pubkey,
    researcher: &Pubkey,
    mint: &Pubkey,
    token_program: &Pubkey,
    args: CreateBountyArgs,
) -> Instruction {
    let bounty = bounty_address(researcher, &args.bounty_id);
    build(
        ID,
        acc::CreateBounty {
            payer: *payer,
            researcher: *researcher,
            researcher_entity: records::pda::entity(researcher).0,
            bounty,
            mint: *mint,
            vault: vault_address(&bounty),
            token_program: *token_program,
            system_program: system_program::ID,
            event_authority: event_authority(),
            program: ID,
        },
        ix::CreateBounty { args },
    )
}

/// `source` is a token account of the bounty's mint owned by `funder`.
pub fn fund_bounty(
    funder: &Pubkey,
    keys: &BountyKeys,
    source: &Pubkey,
    amount: u64,
) -> Instruction {
    build(
        ID,
        acc::FundBounty {
            funder: *funder,
            bounty: keys.bounty,
            vault: keys.vault(),
            mint: keys.mint,
            source: *source,
            token_program: keys.token_program,
            event_authority: event_authority(),
            program: ID,
        },
        ix::FundBounty {
            args: FundBountyArgs { amount },
        },
    )
}

pub fn close_intake(researcher: &Pubkey, bounty: &Pubkey) -> Instruction {
    build(
        ID,
        acc::CloseIntake {
            researcher: *researcher,
            bounty: *bounty,
            event_authority: event_authority(),
            program: ID,
        },
        ix::CloseIntake {},
    )
}

pub fn cancel_bounty(researcher: &Pubkey, bounty: &Pubkey) -> Instruction {
    build(
        ID,
        acc::CancelBounty {
            researcher: *researcher,
            bounty: *bounty,
            event_authority: event_authority(),
            program: ID,
        },
        ix::CancelBounty {},
    )
}

/// Signed by the researcher; `destination` is any token account of the mint.
pub fn withdraw_unreserved(keys: &BountyKeys, destination: &Pubkey, amount: u64) -> Instruction {
    build(
        ID,
        acc::WithdrawUnreserved {
            researcher: keys.researcher,
            bounty: keys.bounty,
            vault: keys.vault(),
            mint: keys.mint,
            destination: *destination,
            token_program: keys.token_program,
            event_authority: event_authority(),
            program: ID,
        },
        ix::WithdrawUnreserved {
            args: WithdrawUnreservedArgs { amount },
        },
    )
}

/// Signed by the researcher; the vault's balance goes to `destination`, the
/// rent of the bounty and the vault to `rent_payer` (the bounty's).
pub fn close_bounty(keys: &BountyKeys, destination: &Pubkey, rent_payer: &Pubkey) -> Instruction {
    build(
        ID,
        acc::CloseBounty {
            researcher: keys.researcher,
            bounty: keys.bounty,
            vault: keys.vault(),
            mint: keys.mint,
            destination: *destination,
            rent_payer: *rent_payer,
            token_program: keys.token_program,
            event_authority: event_authority(),
            program: ID,
        },
        ix::CloseBounty {},
    )
}

/// `authority` (the patient or the guardian) offers the record at
/// `record_slot` (its `Record` account, or the `RecordTree` of a compressed
/// record with its `leaf`) of the patient whose wallet is `patient`;
/// `payer` (a relayer, or the authority) pays fees and rent. `grant` is the
/// `records` grant giving the researcher Research read access to it: accept,
/// settle and cancel must name the same one (`Contribution::grant`).
#[allow(clippy::too_many_arguments)]
pub fn offer_contribution(
    payer: &Pubkey,
    authority: &Pubkey,
    patient: &Pubkey,
    keys: &BountyKeys,
    record_slot: &Pubkey,
    grant: &Pubkey,
    origin: u64,
    leaf: Option<LeafProof>,
) -> Instruction {
    build(
        ID,
        acc::OfferContribution {
            payer: *payer,
            authority: *authority,
            patient: records::pda::patient(patient).0,
            bounty: keys.bounty,
            vault: keys.vault(),
            researcher_entity: records::pda::entity(&keys.researcher).0,
            record: *record_slot,
            consent: research_consent_address(patient, &keys.researcher),
            grant: *grant,
            contribution: contribution_address(&keys.bounty, patient, origin),
            tally: tally_address(&keys.bounty, patient),
            system_program: system_program::ID,
            event_authority: event_authority(),
            program: ID,
        },
        ix::OfferContribution {
            args: OfferContributionArgs { origin, leaf },
        },
    )
}

/// `researcher` is the bounty's researcher, or a Researcher member acting
/// for it (its `Member` follows). `patient_tokens` must be a token account
/// of the mint owned by `patient` (the patient's wallet).
#[allow(clippy::too_many_arguments)]
pub fn accept_contribution(
    researcher: impl Into<ActingKeys>,
    keys: &BountyKeys,
    contribution: &Pubkey,
    patient: &Pubkey,
    grant: &Pubkey,
    patient_tokens: &Pubkey,
    amount: u64,
    quality_score: u8,
) -> Instruction {
    let acting = researcher.into();
    let mut instruction = build(
        ID,
        acc::AcceptContribution {
            researcher: acting.signer,
            researcher_entity: records::pda::entity(&keys.researcher).0,
            bounty: keys.bounty,
            vault: keys.vault(),
            mint: keys.mint,
            contribution: *contribution,
            tally: tally_address(&keys.bounty, patient),
            consent: research_consent_address(patient, &keys.researcher),
            grant: *grant,
            patient_tokens: *patient_tokens,
            token_program: keys.token_program,
            event_authority: event_authority(),
            program: ID,
        },
        ix::AcceptContribution {
            args: AcceptContributionArgs {
                amount,
                quality_score,
            },
        },
    );
    instruction.accounts.extend(acting.remaining(false));
    instruction
}

/// `researcher` as for [`accept_contribution`]; `reason_code` is not 0.
pub fn reject_contribution(
    researcher: impl Into<ActingKeys>,
    keys: &BountyKeys,
    contribution: &Pubkey,
    patient: &Pubkey,
    reason_code: u16,
) -> Instruction {
    let acting = researcher.into();
    let mut instruction = build(
        ID,
        acc::RejectContribution {
            researcher: acting.signer,
            researcher_entity: records::pda::entity(&keys.researcher).0,
            bounty: keys.bounty,
            vault: keys.vault(),
            contribution: *contribution,
            tally: tally_address(&keys.bounty, patient),
            event_authority: event_authority(),
            program: ID,
        },
        ix::RejectContribution {
            args: RejectContributionArgs { reason_code },
        },
    );
    instruction.accounts.extend(acting.remaining(false));
    instruction
}

/// Anyone, after the review window: the full reward to `patient_tokens`
/// (owned by `patient`).
pub fn settle_contribution(
    settler: &Pubkey,
    keys: &BountyKeys,
    contribution: &Pubkey,
    patient: &Pubkey,
    grant: &Pubkey,
    patient_tokens: &Pubkey,
) -> Instruction {
    build(
        ID,
        acc::SettleContribution {
            settler: *settler,
            bounty: keys.bounty,
            vault: keys.vault(),
            mint: keys.mint,
            contribution: *contribution,
            tally: tally_address(&keys.bounty, patient),
            consent: research_consent_address(patient, &keys.researcher),
            grant: *grant,
            patient_tokens: *patient_tokens,
            token_program: keys.token_program,
            event_authority: event_authority(),
            program: ID,
        },
        ix::SettleContribution {},
    )
}

/// Anyone, once the contribution's consent or grant no longer permits payment.
pub fn cancel_contribution(
    actor: &Pubkey,
    keys: &BountyKeys,
    contribution: &Pubkey,
    patient: &Pubkey,
    grant: &Pubkey,
) -> Instruction {
    build(
        ID,
        acc::CancelContribution {
            actor: *actor,
            bounty: keys.bounty,
            vault: keys.vault(),
            contribution: *contribution,
            tally: tally_address(&keys.bounty, patient),
            consent: research_consent_address(patient, &keys.researcher),
            grant: *grant,
            event_authority: event_authority(),
            program: ID,
        },
        ix::CancelContribution {},
    )
}

/// Anyone; the rent goes to `rent_payer` (the contribution's).
pub fn close_contribution(
    contribution: &Pubkey,
    bounty: &Pubkey,
    rent_payer: &Pubkey,
) -> Instruction {
    build(
        ID,
        acc::CloseContribution {
            contribution: *contribution,
            bounty: *bounty,
            rent_payer: *rent_payer,
            event_authority: event_authority(),
            program: ID,
        },
        ix::CloseContribution {},
    )
}

/// Anyone; the rent goes to `rent_payer` (the tally's).
pub fn close_patient_tally(tally: &Pubkey, bounty: &Pubkey, rent_payer: &Pubkey) -> Instruction {
    build(
        ID,
        acc::ClosePatientTally {
            tally: *tally,
            bounty: *bounty,
            rent_payer: *rent_payer,
            event_authority: event_authority(),
            program: ID,
        },
        ix::ClosePatientTally {},
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_come_from_the_program_seeds() {
        let researcher = Pubkey::new_unique();
        let patient = Pubkey::new_unique();
        let bounty = bounty_address(&researcher, &[7; 16]);
        assert_eq!(
            bounty,
            Pubkey::find_program_address(
                &[
                    ::bounties::constants::BOUNTY_SEED,
                    researcher.as_ref(),
                    &[7; 16]
                ],
                &ID
            )
            .0
        );
        assert_ne!(
            contribution_address(&bounty, &patient, 1),
            contribution_address(&bounty, &patient, 2)
        );
        assert_ne!(tally_address(&bounty, &patient), vault_address(&bounty));
    }

    #[test]
    fn a_member_review_carries_its_member_account_last() {
        let researcher = Pubkey::new_unique();
        let officer = Pubkey::new_unique();
        let keys = BountyKeys {
            bounty: Pubkey::new_unique(),
            researcher,
            mint: Pubkey::new_unique(),
            token_program: Pubkey::new_unique(),
        };
        let patient = Pubkey::new_unique();
        let ix = reject_contribution(
            ActingKeys::member(officer, researcher),
            &keys,
            &Pubkey::new_unique(),
            &patient,
            3,
        );
        assert_eq!(ix.accounts[0].pubkey, officer);
        assert_eq!(
            ix.accounts.last().unwrap().pubkey,
            crate::acting::member_address(&researcher, &officer)
        );
        let by_authority =
            reject_contribution(&researcher, &keys, &Pubkey::new_unique(), &patient, 3);
        assert_eq!(by_authority.accounts.len() + 1, ix.accounts.len());
    }
}
