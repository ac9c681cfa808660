//! The canonical consent message a patient's wallet signs off-chain.
//!
//! Defined once, here: the program rebuilds the message from the
//! instruction's arguments and compares it byte for byte with what the
//! Ed25519 instruction verified; the SDK uses the same encoder to produce
//! the text the wallet shows and signs. The message is UTF-8 text: a
//! versioned header a wallet can display, then one `field: value` per line.
//!
//! ```text
//! Panacea consent message v1
//! action: grant
//! program: DUVKpvWuFrEmysjVdh3i2QoGnJqn3GHnB7HMGZePygJk
//! patient: <base58>
//! grantee: <base58>
//! purpose: Payment
//! decision: Permit
//! record kinds: 0x03ff
//! actions: 0x01
//! period: 1795219200..1826755200
//! policy: <64 hex digits>
//! consent version: 0
//! issued: 1795219300
//! expires: 1795222800
//! ```
//!
//! `consent version` is the version the change applies to (0 for a consent
//! that does not exist yet); each change bumps it, so a message cannot be
//! replayed. `program` binds it to this deployment, `patient`, `grantee` and
//! `purpose` to one consent. `issued` and `expires` bound how long a relayer
//! may hold it (at most `MAX_MESSAGE_LIFETIME`); a consent cannot be closed
//! (and its version reset by re-creation) until that long after its last
//! change, so no message signed for an earlier life of it is still valid.

use {
    crate::state::{ConsentPurpose, ConsentTerms},
    anchor_lang::prelude::*,
};

/// First line of every consent message; bump the version with the format.
pub const MESSAGE_HEADER: &str = "Panacea consent message v1";

/// What the patient signs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsentMessage {
    pub program_id: Pubkey,
    pub patient: Pubkey,
    pub grantee: Pubkey,
    pub purpose: ConsentPurpose,
    /// `Some` to grant (or update) with these terms, `None` to revoke.
    pub terms: Option<ConsentTerms>,
    /// The consent's current version (0 when it does not exist yet).
    pub consent_version: u32,
    /// Unix time at which the wallet signed.
    pub issued_at: i64,
    /// Unix time from which the message may no longer be submitted.
    pub expires_at: i64,
}

impl ConsentMessage {
    /// The exact bytes the wallet signs.
    pub fn encode(&self) -> Vec<u8> {
        use core::fmt::Write;
        let mut text = String::with_capacity(512);
        let action = if self.terms.is_some() {
            "grant"
        } else {
            "revoke"
        };
        // Writing into a String cannot fail.
        let _ = write!(
            text,
            "{MESSAGE_HEADER}\naction: {action}\nprogram: {}\npatient: {}\ngrantee: {}\npurpose: {}\n",
            self.program_id,
            self.patient,
            self.grantee,
            self.purpose.name(),
        );
        if let Some(terms) = &self.terms {
            let _ = write!(
                text,
                "decision: {}\nrecord kinds: 0x{:04x}\nactions: 0x{:02x}\nperiod: {}..{}\npolicy: ",
                terms.decision.name(),
                terms.kinds,
                terms.actions,
                terms.period_start,
                terms.period_end,
            );
            for byte in terms.policy_commitment {
                let _ = write!(text, "{byte:02x}");
            }
            text.push('\n');
        }
        let _ = write!(
            text,
            "consent version: {}\nissued: {}\nexpires: {}",
            self.consent_version, self.issued_at, self.expires_at
        );
        text.into_bytes()
    }
}
