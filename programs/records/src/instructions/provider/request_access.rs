use {
    super::require_active,
    crate::acting::Actor,
    crate::{
        compressed::{target_seed, LeafProof},
        constants::*,
        errors::RecordsError,
        events::AccessRequested,
        instructions::{act, now, resolve_target, validate_duration, Target},
        state::*,
    },
    anchor_lang::prelude::*,
};

#[derive(AnchorSerialize, Clone, Debug)]
pub struct RequestAccessArgs {
    pub scope: GrantScope,
    /// Record kinds, for a request over the patient's records.
    pub kinds: u16,
    pub permissions: u8,
    pub purpose: Purpose,
    /// Requested grant duration, in seconds.
    pub duration: i64,
    /// Coded reason from the published reason list; never free text.
    pub reason_code: u16,
    /// For a compressed record (`target` is then its tree): the record and
    /// the proof of its leaf. The request names the record's address.
    pub leaf: Option<LeafProof>,
}

/// Borsh, except that the trailing `leaf` (added with compressed records)
/// may be left out, as clients built before it do: it then reads as
/// `None`, and those clients' instructions keep working.
impl AnchorDeserialize for RequestAccessArgs {
    fn deserialize_reader<R: std::io::Read>(reader: &mut R) -> std::io::Result<Self> {
        Ok(Self {
            scope: AnchorDeserialize::deserialize_reader(reader)?,
            kinds: AnchorDeserialize::deserialize_reader(reader)?,
            permissions: AnchorDeserialize::deserialize_reader(reader)?,
            purpose: AnchorDeserialize::deserialize_reader(reader)?,
            duration: AnchorDeserialize::deserialize_reader(reader)?,
            reason_code: AnchorDeserialize::deserialize_reader(reader)?,
            leaf: crate::compressed::trailing_option(reader)?,
        })
    }
}

/// An active entity asks a patient for access.
#[event_cpi]
#[derive(Accounts)]
#[instruction(args: RequestAccessArgs)]
pub struct RequestAccess<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    /// The entity's authority or a member of it with a role the purpose
    /// allows (`roles::for_purpose`; its `Member` account first in the
    /// remaining accounts).
    pub requester: Signer<'info>,
    #[account(seeds = [ENTITY_SEED, requester_entity.authority.as_ref()], bump = requester_entity.bump)]
    pub requester_entity: Account<'info, Entity>,
    #[account(seeds = [PATIENT_SEED, patient.authority.as_ref()], bump = patient.bump)]
    pub patient: Account<'info, Patient>,
    /// CHECK: a `Record` of this patient, a `RecordTree` holding one (with
    /// `args.leaf`), or the `Patient` account, checked in `validate`.
    pub target: UncheckedAccount<'info>,
    #[account(
        init,
        payer = payer,
        space = AccessRequest::DISCRIMINATOR.len() + AccessRequest::INIT_SPACE,
        seeds = [
            ACCESS_REQUEST_SEED,
            patient.authority.as_ref(),
            requester_entity.authority.as_ref(),
            &target_seed(target.key, args.leaf.as_ref()),
        ],
        bump,
    )]
    pub access_request: Account<'info, AccessRequest>,
    pub system_program: Program<'info, System>,
}

impl RequestAccess<'_> {
    pub fn validate(
        &self,
        args: &RequestAccessArgs,
        remaining: &[AccountInfo],
        now: i64,
    ) -> Result<(Actor, Target)> {
        let actor = act(
            self.requester.key,
            &self.requester_entity,
            remaining,
            roles::for_purpose(args.purpose),
            now,
        )?;
        require_active(&self.requester_entity, now)?;
        require!(
            args.purpose != Purpose::Emergency,
            RecordsError::EmergencyPurposeReserved
        );
        validate_duration(args.duration)?;
        let target = resolve_target(
            &self.patient.key(),
            &self.patient,
            &self.target,
            args.leaf.as_ref(),
            args.scope,
            args.kinds,
            args.permissions,
        )?;
        Ok((actor, target))
    }
}

pub fn handler(ctx: Context<RequestAccess>, args: RequestAccessArgs) -> Result<()> {
    let now = now()?;
    let (actor, target) = ctx.accounts.validate(&args, ctx.remaining_accounts, now)?;
    let request = &mut ctx.accounts.access_request;
    request.set_inner(AccessRequest {
        version: ACCOUNT_VERSION,
        bump: ctx.bumps.access_request,
        patient: ctx.accounts.patient.authority,
        requester: actor.entity,
        target: target.address,
        scope: args.scope,
        target_serial: target.serial,
        kinds: target.kinds,
        permissions: args.permissions,
        purpose: args.purpose,
        duration: args.duration,
        reason_code: args.reason_code,
        created_at: now,
        rent_payer: ctx.accounts.payer.key(),
    });
    request.check_invariant()?;
    emit_cpi!(AccessRequested {
        requester: request.requester,
        patient: request.patient,
        request: request.key(),
        target: request.target,
        permissions: request.permissions,
        purpose: request.purpose,
        duration: request.duration,
        reason_code: request.reason_code,
        actor_member: actor.member,
    });
    Ok(())
}
