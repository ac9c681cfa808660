//! The canonical consent message a patient's wallet signs off-chain.
//!
//! Defined once, here: the program rebuilds the message from the
//! instruction's arguments and the accounts' state and compares it byte for
//! byte with what the Ed25519 instruction verified; the SDK uses the same
//! encoder to produce the text the wallet shows and signs. The message is
//! UTF-8 text: a versioned header a wallet can display, then one
//! `field: value` per line.
//!
//! ```text
//! Panacea consent message v2
//! deployment: devnet
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
//! consent epoch: 0
//! consent version: 0
//! issued: 1795219300
//! expires: 1795222800
//! ```
//!
//! `deployment` is the name the `records` registry was initialized with
//! (`RegistryConfig::deployment`): devnet and mainnet share program ids, so
//! the name is what binds a message to one cluster. `program` binds it to
//! this program, `patient`, `grantee` and `purpose` to one consent.
//! `consent version` is the version the change applies to (0 for a consent
//! that does not exist yet); each change bumps it, so a message cannot be
//! replayed while the consent lives. `consent epoch` is the patient's
//! [`ConsentEpoch`](crate::state::ConsentEpoch) counter, which moves on each
//! time one of the patient's consents is closed: a consent re-created after
//! a close starts at version 0 again, but in a later epoch, so no message
//! signed before the close can be submitted after it, whatever its dates.
//! `issued` and `expires` bound how long a relayer may hold it (issued no
//! later than the submission, expires at most `MAX_MESSAGE_LIFETIME` after
//! issued).

use {
    crate::state::{ConsentPurpose, ConsentTerms},
    anchor_lang::prelude::*,
};

/// First line of every consent message; bump the version with the format.
pub const MESSAGE_HEADER: &str = "Panacea consent message v2";

/// Line prefixes the program reads back from a refused message to say why
/// it was refused (the message is only ever accepted byte for byte).
pub const DEPLOYMENT_LINE: &str = "deployment: ";
pub const EPOCH_LINE: &str = "consent epoch: ";
pub const VERSION_LINE: &str = "consent version: ";

/// What the patient signs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsentMessage {
    /// The registry's deployment name (`records::state::RegistryConfig`).
    pub deployment: String,
    pub program_id: Pubkey,
    pub patient: Pubkey,
    pub grantee: Pubkey,
    pub purpose: ConsentPurpose,
    /// `Some` to grant (or update) with these terms, `None` to revoke.
    pub terms: Option<ConsentTerms>,
    /// The patient's consent epoch now (0 before the first close).
    pub consent_epoch: u64,
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
        let mut text = String::with_capacity(560);
        let action = if self.terms.is_some() {
            "grant"
        } else {
            "revoke"
        };
        // Writing into a String cannot fail.
        let _ = write!(
            text,
            "{MESSAGE_HEADER}\n{DEPLOYMENT_LINE}{}\naction: {action}\nprogram: {}\npatient: {}\ngrantee: {}\npurpose: {}\n",
            self.deployment,
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
            "{EPOCH_LINE}{}\n{VERSION_LINE}{}\nissued: {}\nexpires: {}",
            self.consent_epoch, self.consent_version, self.issued_at, self.expires_at
        );
        text.into_bytes()
    }
}

/// The value of the first `prefix` line of a message, if it is UTF-8 text.
pub fn field<'a>(message: &'a [u8], prefix: &str) -> Option<&'a str> {
    core::str::from_utf8(message)
        .ok()?
        .lines()
        .find_map(|line| line.strip_prefix(prefix))
}

#[cfg(test)]
mod tests {
    use {
        super::*,
        crate::state::{actions, Decision},
    };

    #[test]
    fn the_message_is_one_readable_line_per_field() {
        let patient = Pubkey::new_from_array([1; 32]);
        let grantee = Pubkey::new_from_array([2; 32]);
        let grant = ConsentMessage {
            deployment: "devnet".to_string(),
            program_id: crate::ID,
            patient,
            grantee,
            purpose: ConsentPurpose::Payment,
            terms: Some(ConsentTerms {
                decision: Decision::Permit,
                kinds: 0x03ff,
                actions: actions::ACCESS,
                period_start: 1_795_219_200,
                period_end: 1_826_755_200,
                policy_commitment: [0xab; 32],
            }),
            consent_epoch: 3,
            consent_version: 0,
            issued_at: 1_795_219_300,
            expires_at: 1_795_222_800,
        };
        let expected = format!(
            "Panacea consent message v2\n\
             deployment: devnet\n\
             action: grant\n\
             program: {}\n\
             patient: {patient}\n\
             grantee: {grantee}\n\
             purpose: Payment\n\
             decision: Permit\n\
             record kinds: 0x03ff\n\
             actions: 0x01\n\
             period: 1795219200..1826755200\n\
             policy: {}\n\
             consent epoch: 3\n\
             consent version: 0\n\
             issued: 1795219300\n\
             expires: 1795222800",
            crate::ID,
            "ab".repeat(32),
        );
        assert_eq!(String::from_utf8(grant.encode()).unwrap(), expected);
        let revoke = ConsentMessage {
            terms: None,
            consent_version: 2,
            ..grant
        };
        let text = String::from_utf8(revoke.encode()).unwrap();
        assert!(text.contains("\naction: revoke\n"));
        assert!(!text.contains("decision"));
        assert_eq!(field(text.as_bytes(), DEPLOYMENT_LINE), Some("devnet"));
        assert_eq!(field(text.as_bytes(), EPOCH_LINE), Some("3"));
        assert_eq!(field(text.as_bytes(), VERSION_LINE), Some("2"));
    }
}
