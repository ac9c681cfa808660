//! One file per instruction: arguments, accounts, `validate()`, handler.

pub mod close_consent;
pub mod grant_consent;
pub mod grant_consent_signed;
pub mod revoke_consent;
pub mod revoke_consent_signed;

// Each module has a `handler`; lib.rs calls them by path.
#[allow(ambiguous_glob_reexports)]
pub use {
    close_consent::*, grant_consent::*, grant_consent_signed::*, revoke_consent::*,
    revoke_consent_signed::*,
};

use {
    crate::{
        constants::ACCOUNT_VERSION,
        errors::ConsentError,
        events::{ConsentChanged, ConsentEpochChanged},
        message::{self, ConsentMessage},
        signature::verified_message,
        state::*,
    },
    anchor_lang::prelude::*,
    records::state::Entity,
};

pub(crate) fn now() -> Result<i64> {
    Ok(Clock::get()?.unix_timestamp)
}

/// Who asks for a change, and how they proved it.
pub struct Change {
    pub actor: Pubkey,
    pub relayer: Option<Pubkey>,
    pub signed_via: SignedVia,
}

impl Change {
    /// The patient or the guardian signed the transaction.
    pub fn by_signer(patient: &records::state::Patient, signer: &Pubkey) -> Result<Self> {
        require!(
            patient.is_patient_or_guardian(signer),
            ConsentError::NotPatientOrGuardian
        );
        Ok(Self {
            actor: *signer,
            relayer: None,
            signed_via: if patient.authority == *signer {
                SignedVia::Patient
            } else {
                SignedVia::Guardian
            },
        })
    }
}

/// Sets up the patient's consent epoch the first time one of the patient's
/// consents is granted; returns the event to emit when it was created.
pub(crate) fn open_epoch(
    epoch: &mut Account<ConsentEpoch>,
    bump: u8,
    patient: Pubkey,
    actor: Pubkey,
) -> Result<Option<ConsentEpochChanged>> {
    if !epoch.is_new() {
        return Ok(None);
    }
    epoch.version = ACCOUNT_VERSION;
    epoch.bump = bump;
    epoch.patient = patient;
    epoch.epoch = 0;
    epoch.check_invariant()?;
    Ok(Some(ConsentEpochChanged {
        actor,
        patient,
        consent_epoch: epoch.key(),
        old: None,
        new: epoch.epoch,
    }))
}

/// What a grant (direct or signed) must satisfy: well-formed, bounded
/// terms (`ConsentTerms::validate`), a grantee other than the patient, and
/// for a Permit a grantee that may act now (Active and unexpired): consent
/// given to a suspended, revoked or expired entity would come into force
/// the moment it is reinstated, without the patient deciding again. A Deny
/// only protects the patient and is accepted whatever the grantee's status.
pub(crate) fn validate_grant(
    terms: &ConsentTerms,
    patient: Pubkey,
    grantee_entity: &Entity,
    now: i64,
) -> Result<()> {
    terms.validate(now)?;
    require_keys_neq!(
        grantee_entity.authority,
        patient,
        ConsentError::GranteeIsPatient
    );
    require!(
        terms.decision == Decision::Deny || grantee_entity.is_active(now),
        ConsentError::GranteeNotActive
    );
    Ok(())
}

/// Creates or updates a consent with `terms` (checked by `validate_grant`
/// in the instruction's `validate`), bumping its version.
#[allow(clippy::too_many_arguments)]
pub(crate) fn apply_grant(
    consent: &mut Account<Consent>,
    bump: u8,
    patient: Pubkey,
    grantee: Pubkey,
    purpose: ConsentPurpose,
    terms: ConsentTerms,
    change: Change,
    payer: Pubkey,
    now: i64,
) -> Result<ConsentChanged> {
    let old = (!consent.is_new()).then(|| consent.state());
    if consent.is_new() {
        consent.version = ACCOUNT_VERSION;
        consent.bump = bump;
        consent.patient = patient;
        consent.grantee = grantee;
        consent.purpose = purpose;
        consent.rent_payer = payer;
    }
    consent.decision = terms.decision;
    consent.kinds = terms.kinds;
    consent.actions = terms.actions;
    consent.period_start = terms.period_start;
    consent.period_end = terms.period_end;
    consent.policy_commitment = terms.policy_commitment;
    consent.status = ConsentStatus::Active;
    consent.revoked_at = None;
    consent.consent_version = consent
        .consent_version
        .checked_add(1)
        .ok_or(ConsentError::Overflow)?;
    consent.signed_via = change.signed_via;
    consent.granted_at = now;
    consent.updated_at = now;
    consent.check_invariant()?;
    Ok(changed_event(consent, change, old))
}

/// A revocation needs an Active consent.
pub(crate) fn validate_revoke(consent: &Consent) -> Result<()> {
    require!(
        consent.status == ConsentStatus::Active,
        ConsentError::AlreadyRevoked
    );
    Ok(())
}

/// Revokes an active consent (checked by `validate_revoke`), bumping its
/// version.
pub(crate) fn apply_revoke(
    consent: &mut Account<Consent>,
    change: Change,
    now: i64,
) -> Result<ConsentChanged> {
    let now = now.max(consent.updated_at);
    let old = Some(consent.state());
    consent.status = ConsentStatus::Revoked;
    consent.revoked_at = Some(now);
    consent.updated_at = now;
    consent.signed_via = change.signed_via;
    consent.consent_version = consent
        .consent_version
        .checked_add(1)
        .ok_or(ConsentError::Overflow)?;
    consent.check_invariant()?;
    Ok(changed_event(consent, change, old))
}

fn changed_event(
    consent: &Account<Consent>,
    change: Change,
    old: Option<ConsentState>,
) -> ConsentChanged {
    ConsentChanged {
        actor: change.actor,
        relayer: change.relayer,
        patient: consent.patient,
        grantee: consent.grantee,
        purpose: consent.purpose,
        consent: consent.key(),
        old,
        new: consent.state(),
    }
}

/// Checks a relayed change: the preceding Ed25519 instruction verified the
/// patient's signature over exactly `expected`'s off-chain message envelope
/// (`ConsentMessage::signed_bytes`; the text names this cluster's
/// deployment, this program, this consent, the patient's consent epoch, the
/// consent's current version, an issue time not in the future and an
/// unexpired expiry).
pub(crate) fn verify_signed_message(
    instructions_sysvar: &AccountInfo,
    patient: &Pubkey,
    expected: &ConsentMessage,
    now: i64,
) -> Result<Change> {
    require!(
        expected.issued_at <= now,
        ConsentError::MessageIssuedInFuture
    );
    require!(now < expected.expires_at, ConsentError::MessageExpired);
    require!(
        expected.expires_at.saturating_sub(expected.issued_at)
            <= crate::constants::MAX_MESSAGE_LIFETIME,
        ConsentError::MessageLifetimeTooLong
    );
    let verified = verified_message(instructions_sysvar)?;
    require_keys_eq!(verified.signer, *patient, ConsentError::SignerNotPatient);
    if verified.message != expected.signed_bytes() {
        // Only the exact envelope is accepted; a refused one says why: not
        // an off-chain message (raw bytes, such as a bare or v2 text, were
        // signed), a malformed envelope, another cluster, a close since
        // signing, or a replay.
        let text = message::open_envelope(&verified.message).map_err(|e| match e {
            message::EnvelopeError::NotOffchainMessage => {
                error!(ConsentError::NotOffchainMessage)
            }
            message::EnvelopeError::MalformedEnvelope => {
                error!(ConsentError::MalformedOffchainEnvelope)
            }
        })?;
        let deployment = message::field(text, message::DEPLOYMENT_FIELD);
        let epoch = message::field(text, message::EPOCH_FIELD).and_then(|v| v.parse::<u64>().ok());
        let version =
            message::field(text, message::VERSION_FIELD).and_then(|v| v.parse::<u32>().ok());
        if deployment.is_some_and(|d| d != expected.deployment) {
            return err!(ConsentError::WrongDeployment);
        }
        if epoch.is_some_and(|e| e != expected.consent_epoch) {
            return err!(ConsentError::StaleConsentEpoch);
        }
        if version.is_some_and(|v| v != expected.consent_version) {
            return err!(ConsentError::StaleConsentVersion);
        }
        return err!(ConsentError::MessageMismatch);
    }
    Ok(Change {
        actor: *patient,
        relayer: None,
        signed_via: SignedVia::OffchainSignature,
    })
}
