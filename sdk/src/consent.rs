//! Instruction builders for the `consent` program, and the off-chain half of
//! gasless consent: the canonical message a wallet signs and the Ed25519
//! instruction a relayer puts before the program's instruction.

use {
    crate::build,
    ::consent::{
        accounts as acc, instruction as ix, instructions::*, message::ConsentMessage, pda,
        signature::ED25519_PROGRAM_ID, state::*, ID,
    },
    anchor_lang::{
        compat::solana_instructions_sysvar, solana_program::instruction::Instruction,
        system_program,
    },
};

pub use {
    ::consent::message::{envelope, ConsentMessage as Message, MESSAGE_HEADER},
    anchor_lang::prelude::Pubkey,
};

fn event_authority() -> Pubkey {
    pda::event_authority().0
}

/// The `Consent` address of a patient's consent to `grantee` for `purpose`.
pub fn consent_address(patient: &Pubkey, grantee: &Pubkey, purpose: ConsentPurpose) -> Pubkey {
    pda::consent(patient, grantee, purpose).0
}

/// The patient's `ConsentEpoch` address: the counter every signed message
/// names, moved on when one of the patient's consents is closed.
pub fn consent_epoch_address(patient: &Pubkey) -> Pubkey {
    pda::consent_epoch(patient).0
}

/// `authority` is the patient or the guardian; `grantee` an entity authority.
pub fn grant_consent(
    payer: &Pubkey,
    authority: &Pubkey,
    patient: &Pubkey,
    grantee: &Pubkey,
    args: GrantConsentArgs,
) -> Instruction {
    build(
        ID,
        acc::GrantConsent {
            payer: *payer,
            authority: *authority,
            patient: records::pda::patient(patient).0,
            grantee: records::pda::entity(grantee).0,
            consent: consent_address(patient, grantee, args.purpose),
            consent_epoch: consent_epoch_address(patient),
            system_program: system_program::ID,
            event_authority: event_authority(),
            program: ID,
        },
        ix::GrantConsent { args },
    )
}

pub fn revoke_consent(
    authority: &Pubkey,
    patient: &Pubkey,
    grantee: &Pubkey,
    purpose: ConsentPurpose,
) -> Instruction {
    build(
        ID,
        acc::RevokeConsent {
            authority: *authority,
            patient: records::pda::patient(patient).0,
            consent: consent_address(patient, grantee, purpose),
            event_authority: event_authority(),
            program: ID,
        },
        ix::RevokeConsent {},
    )
}

pub fn close_consent(
    authority: &Pubkey,
    patient: &Pubkey,
    grantee: &Pubkey,
    purpose: ConsentPurpose,
    rent_payer: &Pubkey,
) -> Instruction {
    build(
        ID,
        acc::CloseConsent {
            authority: *authority,
            patient: records::pda::patient(patient).0,
            consent: consent_address(patient, grantee, purpose),
            consent_epoch: consent_epoch_address(patient),
            rent_payer: *rent_payer,
            event_authority: event_authority(),
            program: ID,
        },
        ix::CloseConsent {},
    )
}

/// What a signed message must name besides its terms, read from the
/// cluster it will be submitted to: the registry's deployment name, the
/// patient's consent epoch and the consent's current version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageContext {
    /// `records::state::RegistryConfig::deployment`.
    pub deployment: String,
    /// The patient's `ConsentEpoch::epoch` (0 if it does not exist yet).
    pub consent_epoch: u64,
    /// The consent's `consent_version` (0 if it does not exist yet).
    pub consent_version: u32,
}

/// The message a patient signs to grant (or update) consent in `context`.
pub fn grant_message(
    patient: &Pubkey,
    grantee: &Pubkey,
    purpose: ConsentPurpose,
    terms: ConsentTerms,
    context: &MessageContext,
    issued_at: i64,
    expires_at: i64,
) -> ConsentMessage {
    ConsentMessage {
        deployment: context.deployment.clone(),
        program_id: ID,
        patient: *patient,
        grantee: *grantee,
        purpose,
        terms: Some(terms),
        consent_epoch: context.consent_epoch,
        consent_version: context.consent_version,
        issued_at,
        expires_at,
    }
}

/// The message a patient signs to revoke consent in `context`.
pub fn revoke_message(
    patient: &Pubkey,
    grantee: &Pubkey,
    purpose: ConsentPurpose,
    context: &MessageContext,
    issued_at: i64,
    expires_at: i64,
) -> ConsentMessage {
    ConsentMessage {
        deployment: context.deployment.clone(),
        program_id: ID,
        patient: *patient,
        grantee: *grantee,
        purpose,
        terms: None,
        consent_epoch: context.consent_epoch,
        consent_version: context.consent_version,
        issued_at,
        expires_at,
    }
}

/// An Ed25519 program instruction verifying one signature whose key,
/// signature and message are all carried in its own data.
pub fn ed25519_instruction(signer: &Pubkey, signature: &[u8; 64], message: &[u8]) -> Instruction {
    const DATA_START: u16 = 2 + 14;
    let pubkey_offset = DATA_START;
    let signature_offset = pubkey_offset + 32;
    let message_offset = signature_offset + 64;
    let this = u16::MAX;
    let mut data = Vec::with_capacity(message_offset as usize + message.len());
    data.extend_from_slice(&[1, 0]);
    for field in [
        signature_offset,
        this,
        pubkey_offset,
        this,
        message_offset,
        u16::try_from(message.len()).expect("message fits an Ed25519 instruction"),
        this,
    ] {
        data.extend_from_slice(&field.to_le_bytes());
    }
    data.extend_from_slice(signer.as_ref());
    data.extend_from_slice(signature);
    data.extend_from_slice(message);
    Instruction {
        program_id: ED25519_PROGRAM_ID,
        accounts: vec![],
        data,
    }
}

/// The two instructions a relayer submits for a signed grant: the Ed25519
/// verification of the patient's signature over `message`, then the grant.
pub fn grant_consent_signed(
    relayer: &Pubkey,
    message: &ConsentMessage,
    signature: &[u8; 64],
) -> [Instruction; 2] {
    let terms = message.terms.expect("a grant message carries terms");
    let grant = build(
        ID,
        acc::GrantConsentSigned {
            payer: *relayer,
            patient: records::pda::patient(&message.patient).0,
            grantee: records::pda::entity(&message.grantee).0,
            consent: consent_address(&message.patient, &message.grantee, message.purpose),
            consent_epoch: consent_epoch_address(&message.patient),
            registry: records::pda::config().0,
            instructions: solana_instructions_sysvar::ID,
            system_program: system_program::ID,
            event_authority: event_authority(),
            program: ID,
        },
        ix::GrantConsentSigned {
            args: GrantConsentSignedArgs {
                purpose: message.purpose,
                terms,
                issued_at: message.issued_at,
                expires_at: message.expires_at,
            },
        },
    );
    [
        ed25519_instruction(&message.patient, signature, &message.signed_bytes()),
        grant,
    ]
}

/// The two instructions a relayer submits for a signed revocation.
pub fn revoke_consent_signed(
    relayer: &Pubkey,
    message: &ConsentMessage,
    signature: &[u8; 64],
) -> [Instruction; 2] {
    let revoke = build(
        ID,
        acc::RevokeConsentSigned {
            payer: *relayer,
            patient: records::pda::patient(&message.patient).0,
            consent: consent_address(&message.patient, &message.grantee, message.purpose),
            consent_epoch: consent_epoch_address(&message.patient),
            registry: records::pda::config().0,
            instructions: solana_instructions_sysvar::ID,
            event_authority: event_authority(),
            program: ID,
        },
        ix::RevokeConsentSigned {
            args: RevokeConsentSignedArgs {
                issued_at: message.issued_at,
                expires_at: message.expires_at,
            },
        },
    );
    [
        ed25519_instruction(&message.patient, signature, &message.signed_bytes()),
        revoke,
    ]
}
