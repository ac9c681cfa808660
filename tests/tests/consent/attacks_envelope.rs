//! A security review of the issue 13 changes to `consent`: the v3 text in
//! the Solana off-chain message envelope, verified byte for byte against
//! the preceding Ed25519 instruction, and consent periods bounded to five
//! years. Each attack is given a valid Ed25519 signature over whatever the
//! precompile verifies (the worst case: the patient's wallet signed those
//! bytes), so that it is the program, not the precompile, that must refuse.
//! Every refusal names its error and leaves the consent, the epoch and the
//! relayer's balance (less the fee) as they were.

use {
    ::consent::{
        constants::{MAX_CONSENT_DURATION, MAX_MESSAGE_LIFETIME},
        errors::ConsentError,
        message::{envelope, ConsentMessage},
        signature::ED25519_PROGRAM_ID,
        state::*,
    },
    anchor_lang::{error::ErrorCode as Anchor, prelude::Pubkey},
    panacea_sdk::consent as cx,
    panacea_tests::{assert::*, *},
    solana_instruction::Instruction,
    solana_keypair::Keypair,
    solana_signer::Signer,
    solana_transaction::Transaction,
};

/// Positions in `grant_consent_signed`'s accounts.
const G_PATIENT: usize = 1;
const G_GRANTEE: usize = 2;
const G_CONSENT: usize = 3;
const G_EPOCH: usize = 4;
const G_REGISTRY: usize = 5;
const G_INSTRUCTIONS: usize = 6;
/// Positions in `revoke_consent_signed`'s accounts.
const R_PATIENT: usize = 1;
const R_EPOCH: usize = 3;

struct Cast {
    world: World,
    relayer: Keypair,
    patient: Keypair,
    other_patient: Keypair,
    insurer: Keypair,
    lab: Keypair,
}

fn cast() -> Cast {
    let mut world = World::new();
    let relayer = world.wallet();
    let insurer = world.insurer();
    let lab = world.lab();
    let patient = world.patient();
    let other_patient = world.patient();
    Cast {
        world,
        relayer,
        patient,
        other_patient,
        insurer,
        lab,
    }
}

/// The offsets record of an Ed25519 instruction, field by field.
struct Offsets {
    signature: u16,
    signature_ix: u16,
    pubkey: u16,
    pubkey_ix: u16,
    message: u16,
    message_len: u16,
    message_ix: u16,
}

const THIS: u16 = u16::MAX;
/// Where the SDK's layout puts the key, the signature and the message.
const PUBKEY_AT: u16 = 16;
const SIGNATURE_AT: u16 = PUBKEY_AT + 32;
const MESSAGE_AT: u16 = SIGNATURE_AT + 64;

/// An Ed25519 instruction: count, padding, one offsets record, then the
/// key, the signature and `payload`.
fn ed25519(
    count: u8,
    offsets: Offsets,
    key: &Pubkey,
    signature: &[u8],
    payload: &[u8],
) -> Instruction {
    let mut data = vec![count, 0];
    for v in [
        offsets.signature,
        offsets.signature_ix,
        offsets.pubkey,
        offsets.pubkey_ix,
        offsets.message,
        offsets.message_len,
        offsets.message_ix,
    ] {
        data.extend_from_slice(&v.to_le_bytes());
    }
    data.extend_from_slice(key.as_ref());
    data.extend_from_slice(signature);
    data.extend_from_slice(payload);
    Instruction {
        program_id: ED25519_PROGRAM_ID,
        accounts: vec![],
        data,
    }
}

/// The SDK's layout, with the message slice at `message`/`len` of `payload`.
fn standard(message: u16, len: usize) -> Offsets {
    Offsets {
        signature: SIGNATURE_AT,
        signature_ix: THIS,
        pubkey: PUBKEY_AT,
        pubkey_ix: THIS,
        message: MESSAGE_AT + message,
        message_len: len as u16,
        message_ix: THIS,
    }
}

fn sign(key: &Keypair, bytes: &[u8]) -> [u8; 64] {
    <[u8; 64]>::try_from(key.sign_message(bytes).as_ref()).unwrap()
}

impl Cast {
    fn address(&self, patient: &Pubkey, grantee: &Pubkey) -> Pubkey {
        cx::consent_address(patient, grantee, ConsentPurpose::Payment)
    }

    fn insurer_consent(&self) -> Pubkey {
        self.address(&self.patient.pubkey(), &self.insurer.pubkey())
    }

    fn epoch_address(&self) -> Pubkey {
        cx::consent_epoch_address(&self.patient.pubkey())
    }

    fn grant_message_with(&self, grantee: &Pubkey, terms: ConsentTerms) -> ConsentMessage {
        let context =
            self.world
                .message_context(&self.patient.pubkey(), grantee, ConsentPurpose::Payment);
        cx::grant_message(
            &self.patient.pubkey(),
            grantee,
            ConsentPurpose::Payment,
            terms,
            &context,
            self.world.now(),
            self.world.now() + 600,
        )
    }

    fn grant_message(&self, grantee: &Pubkey) -> ConsentMessage {
        self.grant_message_with(grantee, self.world.consent_terms())
    }

    fn revoke_message(&self, grantee: &Pubkey) -> ConsentMessage {
        let context =
            self.world
                .message_context(&self.patient.pubkey(), grantee, ConsentPurpose::Payment);
        cx::revoke_message(
            &self.patient.pubkey(),
            grantee,
            ConsentPurpose::Payment,
            &context,
            self.world.now(),
            self.world.now() + 600,
        )
    }

    fn signed_grant(&self, message: &ConsentMessage) -> [Instruction; 2] {
        let signature = World::sign(&self.patient, message);
        cx::grant_consent_signed(&self.relayer.pubkey(), message, &signature)
    }

    fn signed_revoke(&self, message: &ConsentMessage) -> [Instruction; 2] {
        let signature = World::sign(&self.patient, message);
        cx::revoke_consent_signed(&self.relayer.pubkey(), message, &signature)
    }

    /// The grant of `message`, after an Ed25519 instruction in which the
    /// patient signed exactly what `verify` verifies.
    fn grant_after(&self, message: &ConsentMessage, verify: Instruction) -> Vec<Instruction> {
        let [_, grant] = self.signed_grant(message);
        vec![verify, grant]
    }

    /// Submits `ixs` paid and signed by the relayer alone.
    fn relay(&mut self, ixs: &[Instruction]) -> TxResult {
        let relayer = self.relayer.insecure_clone();
        self.world.svm.expire_blockhash();
        let tx = Transaction::new_signed_with_payer(
            ixs,
            Some(&relayer.pubkey()),
            &[&relayer],
            self.world.svm.latest_blockhash(),
        );
        self.world.svm.send_transaction(tx).map_err(Box::new)
    }

    /// Every account a relayed consent change could write or read for its
    /// decision, for both patients and both grantees.
    fn watched(&self) -> Vec<Pubkey> {
        let mut watched = vec![records::pda::config().0];
        for patient in [&self.patient, &self.other_patient] {
            let patient = patient.pubkey();
            watched.push(cx::consent_epoch_address(&patient));
            watched.push(records::pda::patient(&patient).0);
            for grantee in [&self.insurer, &self.lab] {
                watched.push(self.address(&patient, &grantee.pubkey()));
            }
        }
        watched
    }

    /// `ixs` are refused with `expected` (a custom error code); nothing
    /// changed but the fee the relayer paid.
    #[track_caller]
    fn refuse(&mut self, ixs: &[Instruction], expected: u32) {
        let snapshot = self.world.snapshot(&self.watched());
        let relayer = self.world.lamports(&self.relayer.pubkey());
        let result = self.relay(ixs);
        let fee = result.as_ref().err().map_or(0, |f| f.meta.fee);
        custom_error(result, expected);
        self.world.assert_unchanged(&snapshot);
        assert_eq!(
            self.world.lamports(&self.relayer.pubkey()),
            relayer - fee,
            "a refused change costs the relayer its fee only"
        );
    }
}

// ----- the Ed25519 instruction: what it verifies, and where -----

#[test]
fn offsets_pointing_at_partial_data_are_refused() {
    let mut c = cast();
    let insurer = c.insurer.pubkey();
    let message = c.grant_message(&insurer);
    let signed = message.signed_bytes();
    let n = signed.len();
    let key = c.patient.pubkey();

    // The whole envelope in the instruction, the last byte left out of
    // what is verified: the envelope's length no longer matches.
    let sig = sign(&c.patient, &signed[..n - 1]);
    let ixs = c.grant_after(
        &message,
        ed25519(1, standard(0, n - 1), &key, &sig, &signed),
    );
    c.refuse(&ixs, code(ConsentError::MalformedOffchainEnvelope));

    // The verified slice starts one byte in: no signing domain.
    let sig = sign(&c.patient, &signed[1..]);
    let ixs = c.grant_after(
        &message,
        ed25519(1, standard(1, n - 1), &key, &sig, &signed),
    );
    c.refuse(&ixs, code(ConsentError::NotOffchainMessage));

    // Only the envelope's header is verified.
    let sig = sign(&c.patient, &signed[..20]);
    let ixs = c.grant_after(&message, ed25519(1, standard(0, 20), &key, &sig, &signed));
    c.refuse(&ixs, code(ConsentError::MalformedOffchainEnvelope));

    // Nothing is verified (an empty message).
    let sig = sign(&c.patient, &[]);
    let ixs = c.grant_after(&message, ed25519(1, standard(0, 0), &key, &sig, &signed));
    c.refuse(&ixs, code(ConsentError::NotOffchainMessage));

    // The verified slice is the key that precedes the message in the
    // instruction: the program reads exactly the slice the precompile
    // verified, which is not the envelope.
    let sig = sign(&c.patient, key.as_ref());
    let offsets = Offsets {
        message: PUBKEY_AT,
        message_len: 32,
        ..standard(0, 0)
    };
    let ixs = c.grant_after(&message, ed25519(1, offsets, &key, &sig, &signed));
    c.refuse(&ixs, code(ConsentError::NotOffchainMessage));

    // The exact envelope still goes through.
    c.relay(&c.signed_grant(&message))
        .expect("the exact envelope");
    assert_eq!(
        c.world
            .account::<Consent>(&c.insurer_consent())
            .consent_version,
        1
    );
}

#[test]
fn offsets_pointing_at_another_instruction_are_refused() {
    let mut c = cast();
    let insurer = c.insurer.pubkey();
    let message = c.grant_message(&insurer);
    let signed = message.signed_bytes();
    let key = c.patient.pubkey();
    let [_, grant] = c.signed_grant(&message);

    // The message is the grant instruction's own data (index 1), which the
    // patient's wallet signed: the precompile accepts, the program refuses.
    let sig = sign(&c.patient, &grant.data);
    let offsets = Offsets {
        message: 0,
        message_len: grant.data.len() as u16,
        message_ix: 1,
        ..standard(0, 0)
    };
    let verify = ed25519(1, offsets, &key, &sig, &[]);
    c.refuse(
        &[verify, grant.clone()],
        code(ConsentError::MalformedSignatureInstruction),
    );

    // The signature named by its explicit index (0, the Ed25519
    // instruction itself) instead of "this instruction".
    let sig = sign(&c.patient, &signed);
    let offsets = Offsets {
        signature_ix: 0,
        ..standard(0, signed.len())
    };
    let verify = ed25519(1, offsets, &key, &sig, &signed);
    c.refuse(
        &[verify, grant.clone()],
        code(ConsentError::MalformedSignatureInstruction),
    );

    // The key and the message named by index 0 too.
    for which in 0..2 {
        let mut offsets = standard(0, signed.len());
        if which == 0 {
            offsets.pubkey_ix = 0;
        } else {
            offsets.message_ix = 0;
        }
        let verify = ed25519(1, offsets, &key, &sig, &signed);
        c.refuse(
            &[verify, grant.clone()],
            code(ConsentError::MalformedSignatureInstruction),
        );
    }
    assert!(!c.world.exists(&c.insurer_consent()));
}

#[test]
fn an_ed25519_instruction_verifying_nothing_or_lying_about_its_count_is_refused() {
    let mut c = cast();
    let insurer = c.insurer.pubkey();
    let message = c.grant_message(&insurer);
    let [verify, grant] = c.signed_grant(&message);

    // Count 0 and no offsets: the precompile verifies nothing and passes.
    let nothing = Instruction {
        program_id: ED25519_PROGRAM_ID,
        accounts: vec![],
        data: vec![0, 0],
    };
    c.refuse(
        &[nothing, grant.clone()],
        code(ConsentError::MalformedSignatureInstruction),
    );

    // Count 2, the second record naming the same (valid) entry: the
    // precompile verifies both, the program refuses more than one.
    let fields: Vec<u16> = verify.data[2..16]
        .chunks(2)
        .map(|b| u16::from_le_bytes([b[0], b[1]]))
        .collect();
    let mut data = vec![2u8, 0];
    for _ in 0..2 {
        for (i, v) in fields.iter().enumerate() {
            // The signature, key and message move by the added 14 bytes.
            let v = if matches!(i, 0 | 2 | 4) { v + 14 } else { *v };
            data.extend_from_slice(&v.to_le_bytes());
        }
    }
    data.extend_from_slice(&verify.data[16..]);
    let twice = Instruction {
        program_id: ED25519_PROGRAM_ID,
        accounts: vec![],
        data,
    };
    c.refuse(
        &[twice, grant.clone()],
        code(ConsentError::MalformedSignatureInstruction),
    );
    // Count 1 with the valid record second, after one pointing at the
    // key as message: only the first is verified and read.
    let sig = sign(&c.patient, c.patient.pubkey().as_ref());
    let first = Offsets {
        message: PUBKEY_AT,
        message_len: 32,
        ..standard(0, 0)
    };
    let mut decoy = ed25519(1, first, &c.patient.pubkey(), &sig, &message.signed_bytes());
    decoy
        .data
        .splice(16..16, verify.data[2..16].iter().copied());
    // (The second record is never read: its offsets are stale.)
    // The first record's offsets moved by 14 too.
    for (at, add) in [(2usize, 14u16), (6, 14), (10, 14)] {
        let v = u16::from_le_bytes([decoy.data[at], decoy.data[at + 1]]) + add;
        decoy.data[at..at + 2].copy_from_slice(&v.to_le_bytes());
    }
    c.refuse(
        &[decoy, grant.clone()],
        code(ConsentError::NotOffchainMessage),
    );
    assert!(!c.world.exists(&c.insurer_consent()));
    assert!(!c.world.exists(&c.epoch_address()));
}

#[test]
fn one_verification_serves_only_the_instruction_right_after_it() {
    let mut c = cast();
    let insurer = c.insurer.pubkey();
    let message = c.grant_message(&insurer);
    let [verify, grant] = c.signed_grant(&message);
    // The grant twice after one verification: the second has no Ed25519
    // instruction before it, and the whole transaction is undone.
    c.refuse(
        &[verify.clone(), grant.clone(), grant.clone()],
        code(ConsentError::MissingSignatureInstruction),
    );
    // The verification after the grant.
    c.refuse(
        &[grant.clone(), verify.clone()],
        code(ConsentError::MissingSignatureInstruction),
    );
    // A grant to the lab slipped in after the insurer's verified grant,
    // borrowing nothing: refused as a whole.
    let lab_message = c.grant_message(&c.lab.pubkey());
    let [_, lab_grant] = c.signed_grant(&lab_message);
    c.refuse(
        &[verify.clone(), grant.clone(), lab_grant],
        code(ConsentError::MissingSignatureInstruction),
    );
    c.relay(&[verify, grant])
        .expect("one verification, one grant");
}

// ----- the envelope: trailing bytes, lengths, formats -----

#[test]
fn an_envelope_with_trailing_bytes_a_lying_length_or_another_format_is_refused() {
    let mut c = cast();
    let insurer = c.insurer.pubkey();
    let message = c.grant_message(&insurer);
    let text = message.text();
    let signed = message.signed_bytes();
    let key = c.patient.pubkey();
    let try_signed = |c: &mut Cast, bytes: &[u8], expected: ConsentError| {
        let sig = sign(&c.patient, bytes);
        let ixs = c.grant_after(&message, cx::ed25519_instruction(&key, &sig, bytes));
        c.refuse(&ixs, code(expected));
    };

    // Trailing bytes after the text, the length left as it was.
    let mut trailing = signed.clone();
    trailing.extend_from_slice(b"; grantee: x");
    try_signed(&mut c, &trailing, ConsentError::MalformedOffchainEnvelope);
    // Trailing bytes covered by the length: a well-formed envelope of
    // another text, whose first fields are the expected ones.
    let longer = format!("{text}; grantee: {}", c.lab.pubkey());
    try_signed(
        &mut c,
        &envelope(longer.as_bytes()).unwrap(),
        ConsentError::MessageMismatch,
    );
    // The length says one byte less, one byte more, or 0.
    for length in [text.len() - 1, text.len() + 1, 0, u16::MAX as usize] {
        let mut lying = signed.clone();
        lying[18..20].copy_from_slice(&(length as u16).to_le_bytes());
        try_signed(&mut c, &lying, ConsentError::MalformedOffchainEnvelope);
    }
    // The header alone, with a length of 0.
    let mut empty = signed[..18].to_vec();
    empty.extend_from_slice(&[0, 0]);
    try_signed(&mut c, &empty, ConsentError::MalformedOffchainEnvelope);
    // The same text in format 1 (LimitedUtf8) and 2 (ExtendedUtf8), and in
    // envelope versions 1 and 255.
    for (at, value) in [(17usize, 1u8), (17, 2), (17, 3), (16, 1), (16, 255)] {
        let mut other = signed.clone();
        other[at] = value;
        try_signed(&mut c, &other, ConsentError::MalformedOffchainEnvelope);
    }
    // A format 1 envelope built by the crate around the same text.
    let mut utf8 = signed.clone();
    utf8[17] = solana_offchain_message::MessageFormat::LimitedUtf8 as u8;
    try_signed(&mut c, &utf8, ConsentError::MalformedOffchainEnvelope);
    // A RestrictedAscii envelope around a text with a control character.
    let mut tabbed = signed.clone();
    let at = 20 + text.find("; ").unwrap() + 1;
    tabbed[at] = b'\t';
    try_signed(&mut c, &tabbed, ConsentError::MalformedOffchainEnvelope);
    // Two envelopes, the expected one first.
    let mut doubled = signed.clone();
    doubled.extend_from_slice(&signed);
    try_signed(&mut c, &doubled, ConsentError::MalformedOffchainEnvelope);
    assert!(!c.world.exists(&c.insurer_consent()));
    // The exact envelope goes through.
    c.relay(&c.signed_grant(&message))
        .expect("the exact envelope");
}

// ----- whom and what the message is for; the relayer's accounts -----

#[test]
fn a_message_for_another_deployment_program_patient_grantee_or_purpose_is_refused() {
    let mut c = cast();
    let insurer = c.insurer.pubkey();
    let lab = c.lab.pubkey();
    let message = c.grant_message(&insurer);
    let key = c.patient.pubkey();
    // The patient signs `signed`; the relayer submits the grant of `message`.
    let cross = |c: &mut Cast, signed: &ConsentMessage, expected: ConsentError| {
        let sig = World::sign(&c.patient, signed);
        let ixs = c.grant_after(
            &message,
            cx::ed25519_instruction(&key, &sig, &signed.signed_bytes()),
        );
        c.refuse(&ixs, code(expected));
    };
    let with = |f: &dyn Fn(&mut ConsentMessage)| {
        let mut m = message.clone();
        f(&mut m);
        m
    };
    cross(
        &mut c,
        &with(&|m| m.deployment = "mainnet-beta".into()),
        ConsentError::WrongDeployment,
    );
    cross(
        &mut c,
        &with(&|m| m.program_id = records::ID),
        ConsentError::MessageMismatch,
    );
    let other = c.other_patient.pubkey();
    cross(
        &mut c,
        &with(&|m| m.patient = other),
        ConsentError::MessageMismatch,
    );
    cross(
        &mut c,
        &with(&|m| m.grantee = lab),
        ConsentError::MessageMismatch,
    );
    cross(
        &mut c,
        &with(&|m| m.purpose = ConsentPurpose::Treatment),
        ConsentError::MessageMismatch,
    );
    cross(
        &mut c,
        &with(&|m| m.consent_epoch = 1),
        ConsentError::StaleConsentEpoch,
    );
    cross(
        &mut c,
        &with(&|m| m.consent_version = 1),
        ConsentError::StaleConsentVersion,
    );
    // The other patient signs a message naming the patient.
    let sig = World::sign(&c.other_patient, &message);
    let ixs = c.grant_after(
        &message,
        cx::ed25519_instruction(&other, &sig, &message.signed_bytes()),
    );
    c.refuse(&ixs, code(ConsentError::SignerNotPatient));
}

#[test]
fn a_relayer_cannot_substitute_accounts_around_a_valid_signature() {
    let mut c = cast();
    let insurer = c.insurer.pubkey();
    let lab = c.lab.pubkey();
    let other = c.other_patient.pubkey();
    // The other patient has a consent epoch of its own.
    let other_kp = c.other_patient.insecure_clone();
    c.world
        .consent(&other_kp, &insurer, ConsentPurpose::Payment);
    let message = c.grant_message(&insurer);
    let ixs = c.signed_grant(&message);
    let swap = |changes: &[(usize, Pubkey)]| {
        let mut ixs = ixs.to_vec();
        for (at, key) in changes {
            ixs[1].accounts[*at].pubkey = *key;
        }
        ixs
    };
    let lab_entity = records::pda::entity(&lab).0;
    let other_patient = records::pda::patient(&other).0;
    // Another grantee's entity and consent: the signed text names the insurer.
    let lab_consent = c.address(&c.patient.pubkey(), &lab);
    c.refuse(
        &swap(&[(G_GRANTEE, lab_entity), (G_CONSENT, lab_consent)]),
        code(ConsentError::MessageMismatch),
    );
    // Another grantee's entity with the insurer's consent address.
    c.refuse(
        &swap(&[(G_GRANTEE, lab_entity)]),
        code(Anchor::ConstraintSeeds),
    );
    // The other patient's Patient, consent and epoch: the key that signed
    // is not that patient.
    c.refuse(
        &swap(&[
            (G_PATIENT, other_patient),
            (G_CONSENT, c.address(&other, &insurer)),
            (G_EPOCH, cx::consent_epoch_address(&other)),
        ]),
        code(ConsentError::SignerNotPatient),
    );
    // The other patient's epoch (whose counter the relayer might prefer).
    c.refuse(
        &swap(&[(G_EPOCH, cx::consent_epoch_address(&other))]),
        code(Anchor::ConstraintSeeds),
    );
    // A Patient account as the registry, or as the grantee (type cosplay).
    c.refuse(
        &swap(&[(G_REGISTRY, other_patient)]),
        code(Anchor::AccountDiscriminatorMismatch),
    );
    c.refuse(
        &swap(&[(G_GRANTEE, other_patient)]),
        code(Anchor::AccountDiscriminatorMismatch),
    );
    // Another sysvar in place of the instructions sysvar.
    c.refuse(
        &swap(&[(
            G_INSTRUCTIONS,
            anchor_lang::prelude::pubkey!("SysvarC1ock11111111111111111111111111111111"),
        )]),
        code(Anchor::ConstraintAddress),
    );
    // The consent's address given as the epoch too (duplicate mutable
    // accounts): the epoch's seeds are checked first.
    let consent = c.insurer_consent();
    c.refuse(&swap(&[(G_EPOCH, consent)]), code(Anchor::ConstraintSeeds));
    c.relay(&ixs).expect("the unaltered grant");

    // The revocation, relayed with the other patient's accounts.
    let revoke = c.revoke_message(&insurer);
    let ixs = c.signed_revoke(&revoke);
    let mut other_patient_ixs = ixs.to_vec();
    other_patient_ixs[1].accounts[R_PATIENT].pubkey = other_patient;
    c.refuse(&other_patient_ixs, code(ConsentError::NotPatientOrGuardian));
    let mut other_epoch = ixs.to_vec();
    other_epoch[1].accounts[R_EPOCH].pubkey = cx::consent_epoch_address(&other);
    c.refuse(&other_epoch, code(Anchor::ConstraintSeeds));
    // The patient's revocation of the lab used on the insurer's consent.
    // (It names the insurer consent's version, so only the grantee differs.)
    let lab_revoke = ConsentMessage {
        consent_version: revoke.consent_version,
        ..c.revoke_message(&lab)
    };
    let sig = World::sign(&c.patient, &lab_revoke);
    let mut ixs_lab = ixs.to_vec();
    ixs_lab[0] = cx::ed25519_instruction(&c.patient.pubkey(), &sig, &lab_revoke.signed_bytes());
    c.refuse(&ixs_lab, code(ConsentError::MessageMismatch));
    c.relay(&ixs).expect("the unaltered revocation");
}

#[test]
fn messages_are_not_replayed_after_a_revocation_or_a_close() {
    let mut c = cast();
    let insurer = c.insurer.pubkey();
    let grant = c.signed_grant(&c.grant_message(&insurer));
    c.relay(&grant).expect("grant v0");
    let revoke = c.signed_revoke(&c.revoke_message(&insurer));
    c.relay(&revoke).expect("revoke v1");
    // Both replayed, in either order.
    c.refuse(&grant, code(ConsentError::StaleConsentVersion));
    c.refuse(&revoke, code(ConsentError::StaleConsentVersion));
    // A re-grant (v2) lands once.
    let regrant = c.signed_grant(&c.grant_message(&insurer));
    c.relay(&regrant).expect("grant v2");
    c.refuse(&regrant, code(ConsentError::StaleConsentVersion));
    c.refuse(&grant, code(ConsentError::StaleConsentVersion));
    // Revoked, then closed a day later: a grant the patient signed ahead
    // (issued at the close time, so unexpired) for version 0 of the
    // re-created consent names the old epoch.
    let revoke = c.signed_revoke(&c.revoke_message(&insurer));
    c.relay(&revoke).expect("revoke v3");
    c.world.warp(86_400);
    let ahead = c.grant_message(&insurer);
    let ahead = ConsentMessage {
        consent_version: 0,
        ..ahead
    };
    let ahead = c.signed_grant(&ahead);
    let patient = c.patient.insecure_clone();
    let rent_payer = c.world.account::<Consent>(&c.insurer_consent()).rent_payer;
    let close = cx::close_consent(
        &patient.pubkey(),
        &patient.pubkey(),
        &insurer,
        ConsentPurpose::Payment,
        &rent_payer,
    );
    c.world.send(&[close], &[&patient]).expect("close");
    assert!(!c.world.exists(&c.insurer_consent()));
    c.refuse(&ahead, code(ConsentError::StaleConsentEpoch));
    c.refuse(&revoke, code(Anchor::AccountNotInitialized));
}

// ----- consent periods at and beyond the five-year bound -----

#[test]
fn signed_and_direct_consent_periods_are_bounded_at_five_years() {
    let mut c = cast();
    let insurer = c.insurer.pubkey();
    let now = c.world.now();
    let max = MAX_CONSENT_DURATION;
    assert_eq!(max, 5 * 365 * DAY);
    let base = c.world.consent_terms();
    let terms = |start: i64, end: i64| ConsentTerms {
        period_start: start,
        period_end: end,
        ..base
    };
    let refused = [
        (
            terms(now - 1, now + max),
            ConsentError::ConsentPeriodTooLong,
        ),
        (
            terms(now + 1, now + max + 1),
            ConsentError::ConsentPeriodEndsTooLate,
        ),
        (terms(now - 10, now), ConsentError::ConsentPeriodOver),
        (terms(i64::MIN, now + 1), ConsentError::ConsentPeriodTooLong),
        (
            terms(i64::MAX - 1, i64::MAX),
            ConsentError::ConsentPeriodEndsTooLate,
        ),
        (
            terms(i64::MIN, i64::MAX),
            ConsentError::ConsentPeriodTooLong,
        ),
        (terms(now, now), ConsentError::InvalidPeriod),
    ];
    for (terms, expected) in refused {
        let message = c.grant_message_with(&insurer, terms);
        let ixs = c.signed_grant(&message);
        c.refuse(&ixs, code(expected));
        // The same terms granted directly by the patient.
        let patient = c.patient.insecure_clone();
        let ix = cx::grant_consent(
            &c.world.payer.pubkey(),
            &patient.pubkey(),
            &patient.pubkey(),
            &insurer,
            ::consent::instructions::GrantConsentArgs {
                purpose: ConsentPurpose::Payment,
                terms,
            },
        );
        let snapshot = c.world.snapshot(&c.watched());
        custom_error(c.world.send(&[ix], &[&patient]), expected);
        c.world.assert_unchanged(&snapshot);
    }
    // Exactly five years, from now: accepted, relayed.
    let message = c.grant_message_with(&insurer, terms(now, now + max));
    c.relay(&c.signed_grant(&message)).expect("at the bound");
    let consent: Consent = c.world.account(&c.insurer_consent());
    assert_eq!((consent.period_start, consent.period_end), (now, now + max));
    // A message living exactly the longest lifetime, issued at i64::MIN or
    // expiring at i64::MAX, is refused by its lifetime.
    for (issued, expires) in [(i64::MIN, now + 1), (now, i64::MAX)] {
        let mut m = c.grant_message(&insurer);
        m.issued_at = issued;
        m.expires_at = expires;
        c.refuse(
            &c.signed_grant(&m),
            code(ConsentError::MessageLifetimeTooLong),
        );
    }
    let _ = MAX_MESSAGE_LIFETIME;
}
