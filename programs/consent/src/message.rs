//! The canonical consent message a patient's wallet signs off-chain, in the
//! Solana off-chain message envelope.
//!
//! Defined once, here: the program rebuilds the signed bytes from the
//! instruction's arguments and the accounts' state and compares them byte
//! for byte with what the Ed25519 instruction verified; the SDK (and the
//! TypeScript client, which implements the same format) uses the same
//! encoder to produce the bytes the wallet signs.
//!
//! # The text (v3)
//!
//! Printable ASCII only (0x20..=0x7e), one line, fields joined by `"; "`,
//! so that the envelope's format is RestrictedAscii, which a Ledger shows
//! on its screen:
//!
//! ```text
//! Panacea consent message v3; deployment: devnet; action: grant; program: DUVKpvWuFrEmysjVdh3i2QoGnJqn3GHnB7HMGZePygJk; patient: <base58>; grantee: <base58>; purpose: Payment; decision: Permit; record kinds: 0x03ff; actions: 0x01; period: 1795219200..1826755200; policy: <64 hex digits>; consent epoch: 3; consent version: 0; issued: 1795219300; expires: 1795222800
//! ```
//!
//! A revocation says `action: revoke` and has no `decision`, `record
//! kinds`, `actions`, `period` or `policy` field.
//!
//! # The signed bytes (the envelope)
//!
//! What the wallet signs, and the Ed25519 instruction verifies, is the
//! text wrapped in the envelope of `solana-offchain-message` version 0
//! ([`envelope`]):
//!
//! ```text
//! b"\xffsolana offchain" (16) || 0x00 (envelope version) || 0x00 (format: RestrictedAscii)
//!   || u16 LE length of the text || text
//! ```
//!
//! which is exactly `OffchainMessage::new(0, text)?.serialize()` (a test
//! proves it), so a hardware wallet (`solana-remote-wallet`'s
//! `RemoteKeypair`) and any wallet implementing off-chain message signing
//! sign it. The program builds the header itself: the crate pulls in
//! hashing and signer crates that on-chain code does not need.
//!
//! # The fields
//!
//! `deployment` is the name the `records` registry was initialized with
//! (`RegistryConfig::deployment`, visible ASCII without `;`): devnet and
//! mainnet share program ids, so the name is what binds a message to one
//! cluster. `program` binds it to this program, `patient`, `grantee` and
//! `purpose` to one consent. `consent version` is the version the change
//! applies to (0 for a consent that does not exist yet); each change bumps
//! it, so a message cannot be replayed while the consent lives. `consent
//! epoch` is the patient's [`ConsentEpoch`](crate::state::ConsentEpoch)
//! counter, which moves on each time one of the patient's consents is
//! closed: a consent re-created after a close starts at version 0 again,
//! but in a later epoch, so no message signed before the close can be
//! submitted after it, whatever its dates. `issued` and `expires` bound how
//! long a relayer may hold it (issued no later than the submission, expires
//! at most `MAX_MESSAGE_LIFETIME` after issued).

use {
    crate::state::{ConsentPurpose, ConsentTerms},
    anchor_lang::prelude::*,
};

/// First field of every consent message; bump the version with the format.
pub const MESSAGE_HEADER: &str = "Panacea consent message v3";

/// Between two fields of the text.
pub const FIELD_SEPARATOR: &str = "; ";

/// Field prefixes the program reads back from a refused message to say why
/// it was refused (the message is only ever accepted byte for byte).
pub const DEPLOYMENT_FIELD: &str = "deployment: ";
pub const EPOCH_FIELD: &str = "consent epoch: ";
pub const VERSION_FIELD: &str = "consent version: ";

/// The off-chain message signing domain (`solana-offchain-message`'s
/// `OffchainMessage::SIGNING_DOMAIN`).
pub const SIGNING_DOMAIN: &[u8; 16] = b"\xffsolana offchain";
/// Envelope (header) version 0, the only one defined.
pub const ENVELOPE_VERSION: u8 = 0;
/// Message format 0: RestrictedAscii (printable ASCII, at most
/// [`MAX_TEXT_LEN`] bytes), the format a Ledger displays.
pub const FORMAT_RESTRICTED_ASCII: u8 = 0;
/// Signing domain, envelope version, format, u16 length.
pub const ENVELOPE_HEADER_LEN: usize = SIGNING_DOMAIN.len() + 1 + 1 + 2;
/// Longest RestrictedAscii message (`v0::OffchainMessage::MAX_LEN_LEDGER`):
/// a packet (1232) less the envelope's header.
pub const MAX_TEXT_LEN: usize = 1212;

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
    /// The v3 text a wallet shows: printable ASCII, fields joined by `"; "`.
    /// At most about 560 bytes (a test checks the longest possible one
    /// against [`MAX_TEXT_LEN`]).
    pub fn text(&self) -> String {
        use core::fmt::Write;
        let mut text = String::with_capacity(600);
        let action = if self.terms.is_some() {
            "grant"
        } else {
            "revoke"
        };
        let sep = FIELD_SEPARATOR;
        // Writing into a String cannot fail.
        let _ = write!(
            text,
            "{MESSAGE_HEADER}{sep}{DEPLOYMENT_FIELD}{}{sep}action: {action}{sep}program: {}{sep}patient: {}{sep}grantee: {}{sep}purpose: {}",
            self.deployment,
            self.program_id,
            self.patient,
            self.grantee,
            self.purpose.name(),
        );
        if let Some(terms) = &self.terms {
            let _ = write!(
                text,
                "{sep}decision: {}{sep}record kinds: 0x{:04x}{sep}actions: 0x{:02x}{sep}period: {}..{}{sep}policy: ",
                terms.decision.name(),
                terms.kinds,
                terms.actions,
                terms.period_start,
                terms.period_end,
            );
            for byte in terms.policy_commitment {
                let _ = write!(text, "{byte:02x}");
            }
        }
        let _ = write!(
            text,
            "{sep}{EPOCH_FIELD}{}{sep}{VERSION_FIELD}{}{sep}issued: {}{sep}expires: {}",
            self.consent_epoch, self.consent_version, self.issued_at, self.expires_at
        );
        text
    }

    /// The text's bytes: what a wallet displays, NOT what it signs (see
    /// [`Self::signed_bytes`]).
    pub fn encode(&self) -> Vec<u8> {
        self.text().into_bytes()
    }

    /// The exact bytes the wallet signs and the Ed25519 instruction
    /// verifies: the text in the off-chain message envelope.
    pub fn signed_bytes(&self) -> Vec<u8> {
        let text = self.text();
        let mut bytes = Vec::with_capacity(ENVELOPE_HEADER_LEN + text.len());
        write_envelope(&mut bytes, text.as_bytes());
        bytes
    }
}

fn write_envelope(out: &mut Vec<u8>, text: &[u8]) {
    out.extend_from_slice(SIGNING_DOMAIN);
    out.push(ENVELOPE_VERSION);
    out.push(FORMAT_RESTRICTED_ASCII);
    // The callers bound the length by MAX_TEXT_LEN (< u16::MAX).
    out.extend_from_slice(&(text.len() as u16).to_le_bytes());
    out.extend_from_slice(text);
}

/// Whether `text` is what a RestrictedAscii off-chain message may carry:
/// 1 to [`MAX_TEXT_LEN`] bytes of printable ASCII (0x20..=0x7e).
pub fn is_restricted_ascii(text: &[u8]) -> bool {
    (1..=MAX_TEXT_LEN).contains(&text.len()) && text.iter().all(|b| (0x20..=0x7e).contains(b))
}

/// Wraps `text` in the off-chain message envelope (version 0,
/// RestrictedAscii); `None` when the text is empty, longer than
/// [`MAX_TEXT_LEN`] or not printable ASCII.
pub fn envelope(text: &[u8]) -> Option<Vec<u8>> {
    if !is_restricted_ascii(text) {
        return None;
    }
    let mut bytes = Vec::with_capacity(ENVELOPE_HEADER_LEN + text.len());
    write_envelope(&mut bytes, text);
    Some(bytes)
}

/// Why signed bytes are not a consent message's envelope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnvelopeError {
    /// They do not start with the off-chain signing domain (raw bytes,
    /// such as a bare text, were signed).
    NotOffchainMessage,
    /// The envelope's version, format or length is not version 0,
    /// RestrictedAscii and the text's length, or the text is not printable
    /// ASCII.
    MalformedEnvelope,
}

/// The text inside an off-chain message envelope (version 0,
/// RestrictedAscii, length matching), or why there is none.
pub fn open_envelope(signed: &[u8]) -> core::result::Result<&[u8], EnvelopeError> {
    let rest = signed
        .strip_prefix(SIGNING_DOMAIN.as_slice())
        .ok_or(EnvelopeError::NotOffchainMessage)?;
    match rest {
        [ENVELOPE_VERSION, FORMAT_RESTRICTED_ASCII, lo, hi, text @ ..]
            if usize::from(u16::from_le_bytes([*lo, *hi])) == text.len()
                && is_restricted_ascii(text) =>
        {
            Ok(text)
        }
        _ => Err(EnvelopeError::MalformedEnvelope),
    }
}

/// The value of the first field of `text` that starts with `prefix`, if
/// the text is UTF-8.
pub fn field<'a>(text: &'a [u8], prefix: &str) -> Option<&'a str> {
    core::str::from_utf8(text)
        .ok()?
        .split(FIELD_SEPARATOR)
        .find_map(|field| field.strip_prefix(prefix))
}

#[cfg(test)]
mod tests {
    use {
        super::*,
        crate::state::{actions, Decision},
        solana_offchain_message::OffchainMessage,
    };

    fn grant() -> ConsentMessage {
        ConsentMessage {
            deployment: "devnet".to_string(),
            program_id: crate::ID,
            patient: Pubkey::new_from_array([1; 32]),
            grantee: Pubkey::new_from_array([2; 32]),
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
        }
    }

    #[test]
    fn the_text_is_one_readable_ascii_line() {
        let grant = grant();
        let expected = format!(
            "Panacea consent message v3; deployment: devnet; action: grant; program: {}; \
             patient: {}; grantee: {}; purpose: Payment; decision: Permit; \
             record kinds: 0x03ff; actions: 0x01; period: 1795219200..1826755200; \
             policy: {}; consent epoch: 3; consent version: 0; issued: 1795219300; \
             expires: 1795222800",
            crate::ID,
            grant.patient,
            grant.grantee,
            "ab".repeat(32),
        );
        assert_eq!(grant.text(), expected);
        assert!(is_restricted_ascii(grant.text().as_bytes()));
        let revoke = ConsentMessage {
            terms: None,
            consent_version: 2,
            ..grant
        };
        let text = revoke.text();
        assert!(text.contains("; action: revoke; "));
        assert!(!text.contains("decision"));
        assert!(!text.contains("policy"));
        assert_eq!(field(text.as_bytes(), DEPLOYMENT_FIELD), Some("devnet"));
        assert_eq!(field(text.as_bytes(), EPOCH_FIELD), Some("3"));
        assert_eq!(field(text.as_bytes(), VERSION_FIELD), Some("2"));
        assert_eq!(field(text.as_bytes(), "nothing: "), None);
    }

    #[test]
    fn the_signed_bytes_are_the_offchain_message_envelope() {
        for message in [
            grant(),
            ConsentMessage {
                terms: None,
                ..grant()
            },
        ] {
            let text = message.text();
            let ours = message.signed_bytes();
            let theirs = OffchainMessage::new(0, text.as_bytes())
                .unwrap()
                .serialize()
                .unwrap();
            assert_eq!(ours, theirs);
            assert_eq!(envelope(text.as_bytes()), Some(theirs.clone()));
            // The crate reads it back as a RestrictedAscii v0 message.
            let parsed = OffchainMessage::deserialize(&theirs).unwrap();
            assert_eq!(parsed.get_version(), 0);
            assert_eq!(
                parsed.get_format(),
                solana_offchain_message::MessageFormat::RestrictedAscii
            );
            assert_eq!(parsed.get_message().as_slice(), text.as_bytes());
            assert_eq!(open_envelope(&ours), Ok(text.as_bytes()));
            assert_eq!(&ours[..16], b"\xffsolana offchain");
            assert_eq!(ours.len(), ENVELOPE_HEADER_LEN + text.len());
        }
    }

    #[test]
    fn the_longest_message_fits_a_ledger_screen_format() {
        let longest = ConsentMessage {
            deployment: "x".repeat(32),
            program_id: Pubkey::new_from_array([255; 32]),
            patient: Pubkey::new_from_array([255; 32]),
            grantee: Pubkey::new_from_array([255; 32]),
            purpose: ConsentPurpose::Operations,
            terms: Some(ConsentTerms {
                decision: Decision::Permit,
                kinds: u16::MAX,
                actions: u8::MAX,
                period_start: i64::MIN,
                period_end: i64::MIN,
                policy_commitment: [255; 32],
            }),
            consent_epoch: u64::MAX,
            consent_version: u32::MAX,
            issued_at: i64::MIN,
            expires_at: i64::MIN,
        };
        let text = longest.text();
        assert!(
            text.len() < 700 && text.len() <= MAX_TEXT_LEN,
            "{}",
            text.len()
        );
        assert!(is_restricted_ascii(text.as_bytes()));
        assert_eq!(
            longest.signed_bytes(),
            OffchainMessage::new(0, text.as_bytes())
                .unwrap()
                .serialize()
                .unwrap()
        );
    }

    #[test]
    fn other_bytes_are_not_an_envelope() {
        let message = grant();
        let text = message.text();
        let signed = message.signed_bytes();
        assert_eq!(
            open_envelope(text.as_bytes()),
            Err(EnvelopeError::NotOffchainMessage)
        );
        // Envelope version 1, format LimitedUtf8, a wrong length.
        for (at, value) in [
            (16, 1u8),
            (17, 1),
            (18, signed[18] ^ 1),
            (19, signed[19] ^ 1),
        ] {
            let mut altered = signed.clone();
            altered[at] = value;
            assert_eq!(
                open_envelope(&altered),
                Err(EnvelopeError::MalformedEnvelope),
                "byte {at}"
            );
        }
        // A v2 text (lines) is not RestrictedAscii.
        assert_eq!(
            envelope(b"Panacea consent message v2\ndeployment: devnet"),
            None
        );
        assert_eq!(envelope(b""), None);
        assert_eq!(envelope(&[b'a'; MAX_TEXT_LEN + 1]), None);
        assert!(envelope(&[b'a'; MAX_TEXT_LEN]).is_some());
    }
}
