use {
    crate::acting::Actor,
    crate::instructions::book::*,
    crate::{
        compressed::{check_leaf, replace_record, tree_error, LeafProof, PreviousLeaf},
        constants::*,
        errors::RecordsError,
        events::RecordRetracted,
        instructions::{act, now},
        pda,
        state::*,
        tree::{self, EMPTY_LEAF},
    },
    anchor_lang::prelude::*,
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct RetractCompressedRecordArgs {
    /// The version retracted: its fields and the proof of its leaf.
    pub record: LeafProof,
    /// For an amendment (`supersedes` not zero), the version it superseded,
    /// in the same tree: its leaf (or the proof that it was erased). `None`
    /// for an original.
    pub previous: Option<PreviousLeaf>,
}

/// The issuer withdraws an active compressed record it issued: its leaf
/// becomes the Retracted form (a tombstone), as `retract_record` does for an
/// account. Retracting an amendment makes the version it superseded Active
/// again (the book does not move); if that version was erased, the book
/// loses one, as for an original.
#[event_cpi]
#[derive(Accounts)]
pub struct RetractCompressedRecord<'info> {
    /// The entity's authority or a member of it (see `issue_record`).
    pub issuer: Signer<'info>,
    #[account(seeds = [ENTITY_SEED, issuer_entity.authority.as_ref()], bump = issuer_entity.bump)]
    pub issuer_entity: Account<'info, Entity>,
    #[account(mut)]
    pub tree: Account<'info, RecordTree>,
    pub book: BookAccounts<'info>,
}

impl RetractCompressedRecord<'_> {
    /// Returns the superseded version's proof, when it is still a leaf.
    pub fn validate(
        &self,
        args: &RetractCompressedRecordArgs,
        remaining: &[AccountInfo],
    ) -> Result<(Actor, Option<LeafProof>)> {
        let actor = act(
            self.issuer.key,
            &self.issuer_entity,
            remaining,
            roles::ISSUE,
            now()?,
        )?;
        check_leaf(&self.tree, &args.record)?;
        let record = &args.record.record;
        require_keys_eq!(record.issuer, actor.entity, RecordsError::NotRecordIssuer);
        require!(
            record.status == RecordStatus::Active,
            RecordsError::RecordNotActive
        );
        require!(
            self.issuer_entity.status != EntityStatus::Revoked,
            RecordsError::EntityRevoked
        );
        self.book.check_patient(&record.patient)?;
        let previous = match &args.previous {
            None => {
                require!(
                    record.supersedes == [0; 16],
                    RecordsError::PreviousRecordMismatch
                );
                return Ok((actor, None));
            }
            Some(previous) => previous,
        };
        let address = pda::compressed_record(&self.tree.key(), previous.index).0;
        require!(
            record.supersedes != [0; 16] && address.as_ref()[..16] == record.supersedes,
            RecordsError::PreviousRecordMismatch
        );
        let Some(state) = &previous.record else {
            return Ok((actor, None));
        };
        require!(
            state.patient == record.patient
                && state.status == RecordStatus::Superseded
                && state.superseded_by == record.serial,
            RecordsError::PreviousRecordMismatch
        );
        let proof = LeafProof {
            tree: self.tree.key(),
            index: previous.index,
            record: state.clone(),
            root: previous.root,
            proof: previous.proof.clone(),
        };
        check_leaf(&self.tree, &proof)?;
        Ok((actor, Some(proof)))
    }
}

pub fn handler(
    mut ctx: Context<RetractCompressedRecord>,
    args: RetractCompressedRecordArgs,
) -> Result<()> {
    let (actor, previous) = ctx.accounts.validate(&args, ctx.remaining_accounts)?;
    let accounts = &mut ctx.accounts;
    let tree_key = accounts.tree.key();
    let mut retracted = args.record.record.clone();
    retracted.status = RecordStatus::Retracted;
    retracted.check_invariant()?;
    let written = replace_record(&mut accounts.tree, &args.record, Some(&retracted))?;
    let mut leaves = vec![written.event(tree_key, Some(retracted.clone()))];
    let restored = match previous {
        // The version it replaced is current again: one Active record for
        // another, the book does not move.
        Some(proof) => {
            let mut state = proof.record.clone();
            state.status = RecordStatus::Active;
            state.superseded_by = 0;
            state.check_invariant()?;
            let old = replace_record(&mut accounts.tree, &proof, Some(&state))?;
            leaves.push(old.event(tree_key, Some(state)));
            Some(old.address)
        }
        None => {
            if let Some(erased) = &args.previous {
                // The superseded version's slot must really be empty.
                let info = accounts.tree.to_account_info();
                let data = info.try_borrow_data()?;
                tree::verify_at(
                    &data[RecordTree::TREE_OFFSET..],
                    &erased.root,
                    &EMPTY_LEAF,
                    erased.index,
                    &erased.proof,
                )
                .map_err(tree_error)?;
            }
            accounts
                .book
                .book(&ctx.bumps.book)
                .burn_one(accounts.book.patient_book.as_ref())?;
            None
        }
    };
    let event = RecordRetracted {
        issuer: retracted.issuer,
        patient: retracted.patient,
        record: written.address,
        restored,
        actor_member: actor.member,
    };
    emit_cpi!(event);
    for leaf in leaves {
        emit_cpi!(leaf);
    }
    Ok(())
}
