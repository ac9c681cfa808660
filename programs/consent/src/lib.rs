//! # Panacea `consent`
//!
//! Per-purpose, revocable patient consent in the spirit of HL7 FHIR Consent
//! (provision: actor, action, purpose, period, data class), kept to what fits
//! on chain without PHI. Patients (or their guardians) sign directly, or the
//! patient signs a canonical message off-chain, in the Solana off-chain
//! message format (so a Ledger can sign it), that a relayer submits
//! ([`message`]).
//! [`policy`] answers "is this grantee permitted?" for `claims` and the SDK.

use anchor_lang::prelude::*;

pub mod constants;
pub mod errors;
pub mod events;
pub mod instructions;
pub mod message;
pub mod pda;
pub mod policy;
pub mod signature;
pub mod state;

use instructions::*;

declare_id!("DUVKpvWuFrEmysjVdh3i2QoGnJqn3GHnB7HMGZePygJk");

panacea_common::security_txt!("Panacea consent");

#[program]
pub mod consent {
    use super::*;

    /// Creates or updates a consent; signed by the patient or guardian.
    pub fn grant_consent(ctx: Context<GrantConsent>, args: GrantConsentArgs) -> Result<()> {
        instructions::grant_consent::handler(ctx, args)
    }

    /// Revokes a consent; signed by the patient or guardian.
    pub fn revoke_consent(ctx: Context<RevokeConsent>) -> Result<()> {
        instructions::revoke_consent::handler(ctx)
    }

    /// Creates or updates a consent from a message the patient signed off-chain.
    pub fn grant_consent_signed(
        ctx: Context<GrantConsentSigned>,
        args: GrantConsentSignedArgs,
    ) -> Result<()> {
        instructions::grant_consent_signed::handler(ctx, args)
    }

    /// Revokes a consent from a message the patient signed off-chain.
    pub fn revoke_consent_signed(
        ctx: Context<RevokeConsentSigned>,
        args: RevokeConsentSignedArgs,
    ) -> Result<()> {
        instructions::revoke_consent_signed::handler(ctx, args)
    }

    /// Closes a revoked or ended consent.
    pub fn close_consent(ctx: Context<CloseConsent>) -> Result<()> {
        instructions::close_consent::handler(ctx)
    }
}

#[cfg(all(test, not(feature = "no-entrypoint")))]
mod security_txt_tests {
    #[test]
    fn the_program_carries_a_security_txt() {
        let txt = crate::SECURITY_TXT;
        assert!(txt.starts_with("=======BEGIN SECURITY.TXT V1=======\0"));
        assert!(txt.ends_with("=======END SECURITY.TXT V1=======\0"));
        assert!(txt.contains("\0name\0Panacea consent\0"));
        assert!(txt.contains("\0contacts\0link:https://"));
        assert!(txt.contains("/security/advisories/new\0"));
        assert!(txt.contains("/blob/main/README.md#security\0"));
    }
}
