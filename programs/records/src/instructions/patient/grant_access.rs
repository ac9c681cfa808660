use {
    crate::{
        compressed::{target_seed, LeafProof},
        constants::*,
        errors::RecordsError,
        instructions::{now, resolve_target, validate_duration, Target},
        state::*,
    },
    anchor_lang::prelude::*,
};

#[derive(AnchorSerialize, Clone, Debug)]
pub struct GrantAccessArgs {
    pub grantee: Pubkey,
    pub scope: GrantScope,
    /// Record kinds, for a grant over the patient's records; ignored for one record.
    pub kinds: u16,
    pub permissions: u8,
    pub purpose: Purpose,
    /// Seconds from now until the grant expires.
    pub duration: i64,
    /// The record's data key wrapped to the grantee's X25519 key.
    pub wrapped_key: Vec<u8>,
    /// For a compressed record (`target` is then its tree): the record and
    /// the proof of its leaf. The grant names the record's address.
    pub leaf: Option<LeafProof>,
}

/// Borsh, except that the trailing `leaf` (added with compressed records)
/// may be left out, as clients built before it do: it then reads as
/// `None`, and those clients' instructions keep working.
impl AnchorDeserialize for GrantAccessArgs {
    fn deserialize_reader<R: std::io::Read>(reader: &mut R) -> std::io::Result<Self> {
        Ok(Self {
            grantee: AnchorDeserialize::deserialize_reader(reader)?,
            scope: AnchorDeserialize::deserialize_reader(reader)?,
            kinds: AnchorDeserialize::deserialize_reader(reader)?,
            permissions: AnchorDeserialize::deserialize_reader(reader)?,
            purpose: AnchorDeserialize::deserialize_reader(reader)?,
            duration: AnchorDeserialize::deserialize_reader(reader)?,
            wrapped_key: AnchorDeserialize::deserialize_reader(reader)?,
            leaf: crate::compressed::trailing_option(reader)?,
        })
    }
}

/// The patient (or guardian) grants an entity access to one record or to
/// all records of some kinds.
#[event_cpi]
#[derive(Accounts)]
#[instruction(args: GrantAccessArgs)]
pub struct GrantAccess<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub authority: Signer<'info>,
    #[account(
        seeds = [PATIENT_SEED, patient.authority.as_ref()],
        bump = patient.bump,
        constraint = patient.is_patient_or_guardian(authority.key) @ RecordsError::NotPatientOrGuardian,
    )]
    pub patient: Account<'info, Patient>,
    /// CHECK: a `Record` of this patient, a `RecordTree` holding one (with
    /// `args.leaf`), or the `Patient` account, checked in `validate`.
    pub target: UncheckedAccount<'info>,
    #[account(
        init,
        payer = payer,
        space = Grant::DISCRIMINATOR.len() + Grant::INIT_SPACE,
        seeds = [
            GRANT_SEED,
            patient.authority.as_ref(),
            args.grantee.as_ref(),
            &target_seed(target.key, args.leaf.as_ref()),
        ],
        bump,
    )]
    pub grant: Account<'info, Grant>,
    pub system_program: Program<'info, System>,
}

impl GrantAccess<'_> {
    pub fn validate(&self, args: &GrantAccessArgs) -> Result<Target> {
        require!(
            args.purpose != Purpose::Emergency,
            RecordsError::EmergencyPurposeReserved
        );
        require_keys_neq!(
            args.grantee,
            self.patient.authority,
            RecordsError::GranteeIsPatient
        );
        require!(
            args.wrapped_key.len() <= MAX_WRAPPED_KEY_LEN,
            RecordsError::WrappedKeyTooLong
        );
        validate_duration(args.duration)?;
        resolve_target(
            &self.patient.key(),
            &self.patient,
            &self.target,
            args.leaf.as_ref(),
            args.scope,
            args.kinds,
            args.permissions,
        )
    }
}

pub fn handler(ctx: Context<GrantAccess>, args: GrantAccessArgs) -> Result<()> {
    let target = ctx.accounts.validate(&args)?;
    let now = now()?;
    let grant = &mut ctx.accounts.grant;
    grant.set_inner(Grant {
        version: ACCOUNT_VERSION,
        bump: ctx.bumps.grant,
        patient: ctx.accounts.patient.authority,
        grantee: args.grantee,
        target: target.address,
        scope: args.scope,
        target_serial: target.serial,
        kinds: target.kinds,
        permissions: args.permissions,
        purpose: args.purpose,
        emergency: false,
        reason_code: 0,
        granted_by: ctx.accounts.authority.key(),
        granted_at: now,
        expires_at: now
            .checked_add(args.duration)
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
