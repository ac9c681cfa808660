//! The signed-consent file: what `consent sign` writes (the canonical
//! message, its fields and the patient's signature) and `consent submit`
//! reads back, as one typed struct.

use {
    crate::{parse, view::hex},
    anyhow::{anyhow, bail, Result},
    panacea_sdk::{
        consent_program::{
            message::ConsentMessage,
            state::{ConsentPurpose, ConsentTerms, Decision},
        },
        Pubkey,
    },
    serde::{Deserialize, Serialize},
    std::str::FromStr,
};

#[derive(Serialize, Deserialize)]
pub struct SignedConsent {
    /// The text the wallet signed.
    pub message: String,
    /// The patient's Ed25519 signature, base58.
    pub signature: String,
    pub deployment: String,
    pub program_id: String,
    pub patient: String,
    pub grantee: String,
    pub purpose: String,
    pub consent_epoch: u64,
    pub consent_version: u32,
    pub issued_at: i64,
    pub expires_at: i64,
    /// The terms granted; absent (`null`) for a revocation.
    pub terms: Option<SignedTerms>,
}

#[derive(Serialize, Deserialize)]
pub struct SignedTerms {
    pub decision: String,
    pub kinds: u16,
    pub actions: u8,
    pub period_start: i64,
    pub period_end: i64,
    /// SHA-256 of the consent document, hex.
    pub policy_commitment: String,
}

impl SignedConsent {
    pub fn new(message: &ConsentMessage, signature: &[u8; 64]) -> Self {
        Self {
            message: String::from_utf8_lossy(&message.encode()).into_owned(),
            signature: bs58::encode(signature).into_string(),
            deployment: message.deployment.clone(),
            program_id: message.program_id.to_string(),
            patient: message.patient.to_string(),
            grantee: message.grantee.to_string(),
            purpose: message.purpose.name().to_string(),
            consent_epoch: message.consent_epoch,
            consent_version: message.consent_version,
            issued_at: message.issued_at,
            expires_at: message.expires_at,
            terms: message.terms.map(|t| SignedTerms {
                decision: t.decision.name().to_string(),
                kinds: t.kinds,
                actions: t.actions,
                period_start: t.period_start,
                period_end: t.period_end,
                policy_commitment: hex(&t.policy_commitment),
            }),
        }
    }

    /// The consent message the fields describe, and the signature.
    pub fn decode(&self) -> Result<(ConsentMessage, [u8; 64])> {
        let key = |name: &str, text: &str| -> Result<Pubkey> {
            Pubkey::from_str(text).map_err(|_| anyhow!("'{name}' is not an address"))
        };
        let purpose = match self.purpose.as_str() {
            "Treatment" => ConsentPurpose::Treatment,
            "Payment" => ConsentPurpose::Payment,
            "Research" => ConsentPurpose::Research,
            "Operations" => ConsentPurpose::Operations,
            other => bail!("unknown purpose '{other}'"),
        };
        let terms = match &self.terms {
            None => None,
            Some(t) => Some(ConsentTerms {
                decision: match t.decision.as_str() {
                    "Permit" => Decision::Permit,
                    "Deny" => Decision::Deny,
                    other => bail!("unknown decision '{other}'"),
                },
                kinds: t.kinds,
                actions: t.actions,
                period_start: t.period_start,
                period_end: t.period_end,
                policy_commitment: parse::hex32(&t.policy_commitment)
                    .ok_or_else(|| anyhow!("'policy_commitment' is not 32 bytes of hex"))?,
            }),
        };
        let message = ConsentMessage {
            deployment: self.deployment.clone(),
            program_id: key("program_id", &self.program_id)?,
            patient: key("patient", &self.patient)?,
            grantee: key("grantee", &self.grantee)?,
            purpose,
            terms,
            consent_epoch: self.consent_epoch,
            consent_version: self.consent_version,
            issued_at: self.issued_at,
            expires_at: self.expires_at,
        };
        let signature = bs58::decode(&self.signature)
            .into_vec()
            .ok()
            .and_then(|s| <[u8; 64]>::try_from(s).ok())
            .ok_or_else(|| anyhow!("'signature' is not a base58 Ed25519 signature"))?;
        Ok((message, signature))
    }
}
