use {
    crate::{
        compressed::{target_address, LeafProof},
        constants::*,
        errors::RecordsError,
        instructions::{now, resolve_target, Target},
        state::*,
    },
    anchor_lang::prelude::*,
};

#[derive(AnchorSerialize, Clone, Debug)]
pub struct ApproveAccessRequestArgs {
    /// The record's data key wrapped to the requester's X25519 key.
    pub wrapped_key: Vec<u8>,
    /// For a request over a compressed record (`target` is then its tree):
    /// the record and the proof of its leaf.
    pub leaf: Option<LeafProof>,
}

/// Borsh, except that the trailing `leaf` (added with compressed records)
/// may be left out, as clients built before it do: it then reads as
/// `None`, and those clients' instructions keep working.
impl AnchorDeserialize for ApproveAccessRequestArgs {
    fn deserialize_reader<R: std::io::Read>(reader: &mut R) -> std::io::Result<Self> {
        Ok(Self {
            wrapped_key: AnchorDeserialize::deserialize_reader(reader)?,
            leaf: crate::compressed::trailing_option(reader)?,
        })
    }
}

/// The patient (or guardian) approves a request: a grant is created as
/// requested and the request is closed, its rent returned to the requester.
#[event_cpi]
#[derive(Accounts)]
pub struct ApproveAccessRequest<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub authority: Signer<'info>,
    #[account(
        seeds = [PATIENT_SEED, patient.authority.as_ref()],
        bump = patient.bump,
        constraint = patient.is_patient_or_guardian(authority.key) @ RecordsError::NotPatientOrGuardian,
    )]
    pub patient: Account<'info, Patient>,
    #[account(
        mut,
        close = rent_payer,
        seeds = [
            ACCESS_REQUEST_SEED,
            patient.authority.as_ref(),
            access_request.requester.as_ref(),
            access_request.target.as_ref(),
        ],
        bump = access_request.bump,
        has_one = rent_payer @ RecordsError::RentPayerMismatch,
    )]
    pub access_request: Account<'info, AccessRequest>,
    /// CHECK: receives the request's rent; must be its recorded payer.
    #[account(mut)]
    pub rent_payer: UncheckedAccount<'info>,
    /// The requester must still be an active entity when the patient approves.
    #[account(
        seeds = [ENTITY_SEED, access_request.requester.as_ref()],
        bump = requester_entity.bump,
    )]
    pub requester_entity: Account<'info, Entity>,
    /// CHECK: the request's target (for a compressed record, its tree with
    /// `args.leaf`), checked again in `validate` (a record may have been
    /// retracted since the request).
    pub target: UncheckedAccount<'info>,
    #[account(
        init,
        payer = payer,
        space = Grant::DISCRIMINATOR.len() + Grant::INIT_SPACE,
        seeds = [
            GRANT_SEED,
            patient.authority.as_ref(),
            access_request.requester.as_ref(),
            access_request.target.as_ref(),
        ],
        bump,
    )]
    pub grant: Account<'info, Grant>,
    pub system_program: Program<'info, System>,
}

impl ApproveAccessRequest<'_> {
    pub fn validate(&self, args: &ApproveAccessRequestArgs, now: i64) -> Result<Target> {
        require_keys_eq!(
            target_address(self.target.key, args.leaf.as_ref()),
            self.access_request.target,
            RecordsError::InvalidTarget
        );
        require!(
            args.wrapped_key.len() <= MAX_WRAPPED_KEY_LEN,
            RecordsError::WrappedKeyTooLong
        );
        require!(
            self.requester_entity.is_active(now),
            RecordsError::EntityNotActive
        );
        let request = &self.access_request;
        require!(!request.is_expired(now), RecordsError::AccessRequestExpired);
        let target = resolve_target(
            &self.patient.key(),
            &self.patient,
            &self.target,
            args.leaf.as_ref(),
            request.scope,
            request.kinds,
            request.permissions,
        )?;
        // The record requested may have been erased and another issued at
        // its address since: the patient approves only what was asked for.
        require!(
            target.serial == request.target_serial,
            RecordsError::RequestTargetChanged
        );
        Ok(target)
    }
}

pub fn handler(ctx: Context<ApproveAccessRequest>, args: ApproveAccessRequestArgs) -> Result<()> {
    let now = now()?;
    let target = ctx.accounts.validate(&args, now)?;
    let request = &ctx.accounts.access_request;
    let grant = &mut ctx.accounts.grant;
    grant.set_inner(Grant {
        version: ACCOUNT_VERSION,
        bump: ctx.bumps.grant,
        patient: request.patient,
        grantee: request.requester,
        target: request.target,
        scope: request.scope,
        target_serial: target.serial,
        kinds: target.kinds,
        permissions: request.permissions,
        purpose: request.purpose,
        emergency: false,
        reason_code: request.reason_code,
        granted_by: ctx.accounts.authority.key(),
        granted_at: now,
        expires_at: now
            .checked_add(request.duration)
            .ok_or(RecordsError::Overflow)?,
        revoked_at: None,
        access_count: 0,
        last_access_at: None,
        wrapped_key: args.wrapped_key,
        rent_payer: ctx.accounts.payer.key(),
    });
    grant.check_invariant()?;
    emit_cpi!(grant.granted_event(grant.key(), None));
    Ok(())
}
