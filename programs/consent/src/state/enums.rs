use anchor_lang::prelude::*;

/// Why the grantee may use the records (FHIR Consent `provision.purpose`).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, PartialEq, Eq, Debug, InitSpace)]
pub enum ConsentPurpose {
    Treatment,
    Payment,
    Research,
    Operations,
}

impl ConsentPurpose {
    pub fn name(self) -> &'static str {
        match self {
            Self::Treatment => "Treatment",
            Self::Payment => "Payment",
            Self::Research => "Research",
            Self::Operations => "Operations",
        }
    }
}

/// FHIR Consent `provision.type`: what the consent says about the purpose.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, PartialEq, Eq, Debug, InitSpace)]
pub enum Decision {
    Permit,
    /// Overrides any Permit that would otherwise apply.
    Deny,
}

impl Decision {
    pub fn name(self) -> &'static str {
        match self {
            Self::Permit => "Permit",
            Self::Deny => "Deny",
        }
    }
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, PartialEq, Eq, Debug, InitSpace)]
pub enum ConsentStatus {
    Active,
    Revoked,
}

/// How the latest change was authorised.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, PartialEq, Eq, Debug, InitSpace)]
pub enum SignedVia {
    /// The patient signed the transaction.
    Patient,
    /// The patient's guardian signed the transaction.
    Guardian,
    /// The patient signed the canonical message off-chain; a relayer submitted it.
    OffchainSignature,
}

/// FHIR Consent `provision.action` mask.
pub mod actions {
    /// Use the records (read them).
    pub const ACCESS: u8 = 1;
    /// Pass them on to a third party.
    pub const DISCLOSE: u8 = 1 << 1;
    pub const ALL: u8 = ACCESS | DISCLOSE;

    pub fn is_valid(mask: u8) -> bool {
        mask != 0 && mask & !ALL == 0
    }
}
