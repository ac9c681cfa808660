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
        constants::ACCOUNT_VERSION, errors::ConsentError, events::ConsentChanged,
        message::ConsentMessage, signature::verified_message, state::*,
    },
    anchor_lang::prelude::*,
};

pub(crate) fn now() -> Result<i64> {
    Ok(Clock::get()?.unix_timestamp)
}

/// Who asks for a change, and how they proved it.
pub(crate) struct Change {
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

/// Creates or updates a consent with `terms`, bumping its version.
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
) -> Result<ConsentChanged> {
    terms.validate()?;
    require_keys_neq!(grantee, patient, ConsentError::GranteeIsPatient);
    let now = now()?;
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

/// Revokes an active consent, bumping its version.
pub(crate) fn apply_revoke(
    consent: &mut Account<Consent>,
    change: Change,
) -> Result<ConsentChanged> {
    require!(
        consent.status == ConsentStatus::Active,
        ConsentError::AlreadyRevoked
    );
    let now = now()?.max(consent.updated_at);
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
/// patient's signature over exactly `expected` (which names this program,
/// this consent, its current version and an unexpired expiry).
pub(crate) fn verify_signed_message(
    instructions_sysvar: &AccountInfo,
    patient: &Pubkey,
    expected: &ConsentMessage,
) -> Result<Change> {
    let now = now()?;
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
    if verified.message != expected.encode() {
        // A well-formed message for another version is a replay or stale.
        let version_line = core::str::from_utf8(&verified.message)
            .ok()
            .and_then(|text| {
                text.lines()
                    .find_map(|l| l.strip_prefix("consent version: "))
            })
            .and_then(|v| v.parse::<u32>().ok());
        return match version_line {
            Some(v) if v != expected.consent_version => err!(ConsentError::StaleConsentVersion),
            _ => err!(ConsentError::MessageMismatch),
        };
    }
    Ok(Change {
        actor: *patient,
        relayer: None,
        signed_via: SignedVia::OffchainSignature,
    })
}
