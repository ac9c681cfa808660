use {
    crate::{
        compressed::tree_error,
        constants::*,
        errors::RecordsError,
        events::RecordTreeCreated,
        instructions::{now, provider::issue_record::validate_issuer},
        state::*,
        tree,
    },
    anchor_lang::prelude::*,
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct CreateRecordTreeArgs {
    /// Depth 3 to 30: 2^depth records.
    pub max_depth: u8,
    /// Changelog buffer, 8 to 2048: how many writes built against one root
    /// may land before the proofs built against it go stale.
    pub max_buffer_size: u32,
    /// Top levels kept on chain (below the depth): proofs leave them out.
    pub canopy_depth: u8,
    /// A tree of the registry admin that every active issuer appends to;
    /// otherwise the signing entity's own tree.
    pub shared: bool,
}

/// Initializes a record tree in an account the client created in the same
/// transaction (`system_program::create_account`, owner `records`, exactly
/// `RecordTree::space` bytes, rent exempt; its rent is `payer`'s and goes
/// back to it on close). An active issuing entity creates its own tree; the
/// registry admin creates shared trees.
#[event_cpi]
#[derive(Accounts)]
pub struct CreateRecordTree<'info> {
    /// Paid the account's rent (in `create_account`); gets it back on close.
    #[account(mut)]
    pub payer: Signer<'info>,
    /// The tree's authority: an issuing entity's authority, or the admin.
    pub authority: Signer<'info>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Account<'info, RegistryConfig>,
    /// The authority's entity, for a tree of its own (not shared).
    #[account(seeds = [ENTITY_SEED, authority.key().as_ref()], bump = entity.bump)]
    pub entity: Option<Account<'info, Entity>>,
    /// The new tree: allocated, owned by this program, all zeroes. Its
    /// keypair signs (it signed `create_account` already): an account
    /// allocated in an earlier transaction cannot be initialised by anyone
    /// else as their own tree (and its rent taken back to them on close).
    #[account(zero, signer)]
    pub tree: Account<'info, RecordTree>,
    pub system_program: Program<'info, System>,
}

impl CreateRecordTree<'_> {
    pub fn validate(&self, args: &CreateRecordTreeArgs, now: i64) -> Result<()> {
        // The rent goes back to the payer on close, and an account is never
        // closed into itself: a tree paying its own rent could never close.
        require_keys_neq!(
            self.payer.key(),
            self.tree.key(),
            RecordsError::TreeIsItsOwnRentPayer
        );
        let space = RecordTree::space(args.max_depth, args.max_buffer_size, args.canopy_depth)?;
        require!(
            self.tree.to_account_info().data_len() == space,
            RecordsError::InvalidTreeConfig
        );
        if args.shared {
            require_keys_eq!(
                self.authority.key(),
                self.config.admin,
                RecordsError::NotRegistryAdmin
            );
        } else {
            let entity = self
                .entity
                .as_ref()
                .ok_or(error!(RecordsError::EntityNotActive))?;
            validate_issuer(entity, now)?;
        }
        Ok(())
    }
}

pub fn handler(ctx: Context<CreateRecordTree>, args: CreateRecordTreeArgs) -> Result<()> {
    let now = now()?;
    ctx.accounts.validate(&args, now)?;
    let authority = ctx.accounts.authority.key();
    let tree = &mut ctx.accounts.tree;
    {
        let info = tree.to_account_info();
        let mut data = info.try_borrow_mut_data()?;
        tree::initialize(
            &mut data[RecordTree::TREE_OFFSET..],
            u32::from(args.max_depth),
            args.max_buffer_size,
            u32::from(args.canopy_depth),
        )
        .map_err(tree_error)?;
    }
    tree.set_inner(RecordTree {
        version: ACCOUNT_VERSION,
        authority,
        issuer: (!args.shared).then_some(authority),
        rent_payer: ctx.accounts.payer.key(),
        max_depth: args.max_depth,
        max_buffer_size: args.max_buffer_size,
        canopy_depth: args.canopy_depth,
        records: 0,
        erased: 0,
        created_at: now,
    });
    crate::compressed::check_tree(tree)?;
    emit_cpi!(RecordTreeCreated {
        tree: tree.key(),
        authority,
        issuer: tree.issuer,
        max_depth: tree.max_depth,
        max_buffer_size: tree.max_buffer_size,
        canopy_depth: tree.canopy_depth,
    });
    Ok(())
}
