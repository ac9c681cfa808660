//! Gasless consent: the patient signs the canonical message off-chain, a
//! relayer pays and submits it with an Ed25519 verification instruction.

use {
    ::consent::{errors::ConsentError, events::ConsentChanged, message::ConsentMessage, state::*},
    panacea_sdk::{consent as cx, records as rx},
    panacea_tests::{assert::*, *},
    solana_instruction::Instruction,
    solana_keypair::Keypair,
    solana_signer::Signer,
    solana_transaction::Transaction,
};

struct Relay {
    world: World,
    relayer: Keypair,
    patient: Keypair,
    insurer: Keypair,
}

fn relay() -> Relay {
    let mut world = World::new();
    let relayer = world.wallet();
    let insurer = world.insurer();
    let patient = world.patient();
    Relay {
        world,
        relayer,
        patient,
        insurer,
    }
}

impl Relay {
    /// This cluster's deployment and the patient's consent epoch now, with
    /// `version` as the consent version.
    fn context(&self, version: u32) -> cx::MessageContext {
        cx::MessageContext {
            consent_version: version,
            ..self.world.message_context(
                &self.patient.pubkey(),
                &self.insurer.pubkey(),
                ConsentPurpose::Payment,
            )
        }
    }

    fn grant_message(&self, version: u32) -> ConsentMessage {
        cx::grant_message(
            &self.patient.pubkey(),
            &self.insurer.pubkey(),
            ConsentPurpose::Payment,
            self.world.consent_terms(),
            &self.context(version),
            self.world.now(),
            self.world.now() + 600,
        )
    }

    fn revoke_message(&self, version: u32) -> ConsentMessage {
        cx::revoke_message(
            &self.patient.pubkey(),
            &self.insurer.pubkey(),
            ConsentPurpose::Payment,
            &self.context(version),
            self.world.now(),
            self.world.now() + 600,
        )
    }

    fn address(&self) -> anchor_lang::prelude::Pubkey {
        cx::consent_address(
            &self.patient.pubkey(),
            &self.insurer.pubkey(),
            ConsentPurpose::Payment,
        )
    }

    /// Submits `ixs` paid and signed by the relayer alone: the patient holds no SOL.
    fn submit(&mut self, ixs: &[Instruction]) -> TxResult {
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
}

#[test]
fn a_relayer_submits_a_wallet_signed_consent_and_revocation() {
    let mut r = relay();
    assert_eq!(
        r.world.lamports(&r.patient.pubkey()),
        0,
        "the patient holds no SOL"
    );
    let message = r.grant_message(0);
    let text = message.text();
    assert!(
        text.starts_with("Panacea consent message v3; deployment: localnet; action: grant; "),
        "{text}"
    );
    assert!(message
        .signed_bytes()
        .starts_with(b"\xffsolana offchain\x00\x00"));
    let signature = World::sign(&r.patient, &message);
    let ixs = cx::grant_consent_signed(&r.relayer.pubkey(), &message, &signature);

    // The relayed transaction fits in one packet.
    let tx = Transaction::new_signed_with_payer(
        &ixs,
        Some(&r.relayer.pubkey()),
        &[&r.relayer],
        r.world.svm.latest_blockhash(),
    );
    let size = transaction_size(&tx);
    println!("relayed grant_consent_signed transaction: {size} bytes");
    assert!(size <= 1232, "{size} bytes");

    let meta = r.submit(&ixs).expect("relayed grant");
    let consent: Consent = r.world.account(&r.address());
    assert_eq!(
        (consent.status, consent.consent_version, consent.signed_via),
        (ConsentStatus::Active, 1, SignedVia::OffchainSignature)
    );
    assert_eq!(consent.rent_payer, r.relayer.pubkey());
    let event = &World::events::<ConsentChanged>(&meta)[0];
    assert_eq!(
        (event.actor, event.relayer),
        (r.patient.pubkey(), Some(r.relayer.pubkey()))
    );

    let revoke = r.revoke_message(1);
    let signature = World::sign(&r.patient, &revoke);
    let ixs = cx::revoke_consent_signed(&r.relayer.pubkey(), &revoke, &signature);
    let tx = Transaction::new_signed_with_payer(
        &ixs,
        Some(&r.relayer.pubkey()),
        &[&r.relayer],
        r.world.svm.latest_blockhash(),
    );
    println!(
        "relayed revoke_consent_signed transaction: {} bytes",
        transaction_size(&tx)
    );
    r.submit(&ixs).expect("relayed revocation");
    let consent: Consent = r.world.account(&r.address());
    assert_eq!(
        (consent.status, consent.consent_version),
        (ConsentStatus::Revoked, 2)
    );
}

#[test]
fn a_signed_message_cannot_be_replayed() {
    let mut r = relay();
    let message = r.grant_message(0);
    let signature = World::sign(&r.patient, &message);
    let ixs = cx::grant_consent_signed(&r.relayer.pubkey(), &message, &signature);
    r.submit(&ixs).expect("first submission");

    // The same signed message again.
    custom_error(r.submit(&ixs), ConsentError::StaleConsentVersion);

    // After an update, the message signed for the old version is stale too.
    let update = r.grant_message(1);
    let update_sig = World::sign(&r.patient, &update);
    r.submit(&cx::grant_consent_signed(
        &r.relayer.pubkey(),
        &update,
        &update_sig,
    ))
    .expect("update");
    custom_error(
        r.submit(&cx::grant_consent_signed(
            &r.relayer.pubkey(),
            &update,
            &update_sig,
        )),
        ConsentError::StaleConsentVersion,
    );
    custom_error(r.submit(&ixs), ConsentError::StaleConsentVersion);
    assert_eq!(r.world.account::<Consent>(&r.address()).consent_version, 2);
}

#[test]
fn a_message_signed_by_someone_else_is_refused() {
    let mut r = relay();
    let message = r.grant_message(0);
    let impostor = Keypair::new();
    let signature = World::sign(&impostor, &message);
    // A valid signature by the impostor over the exact message.
    let mut ixs = cx::grant_consent_signed(&r.relayer.pubkey(), &message, &signature);
    ixs[0] = cx::ed25519_instruction(&impostor.pubkey(), &signature, &message.signed_bytes());
    custom_error(r.submit(&ixs), ConsentError::SignerNotPatient);
    // The impostor's signature presented under the patient's key fails in the precompile.
    let ixs = cx::grant_consent_signed(&r.relayer.pubkey(), &message, &signature);
    assert!(r.submit(&ixs).is_err());
    assert!(!r.world.exists(&r.address()));
}

#[test]
fn the_verified_message_must_be_exactly_what_the_instruction_claims() {
    let mut r = relay();
    let signed = r.grant_message(0);
    let signature = World::sign(&r.patient, &signed);

    // The relayer swaps in broader terms than the patient signed.
    let mut claimed = signed.clone();
    claimed.terms = Some(ConsentTerms {
        actions: actions::ALL,
        ..signed.terms.unwrap()
    });
    let mut ixs = cx::grant_consent_signed(&r.relayer.pubkey(), &claimed, &signature);
    ixs[0] = cx::ed25519_instruction(&r.patient.pubkey(), &signature, &signed.signed_bytes());
    custom_error(r.submit(&ixs), ConsentError::MessageMismatch);

    // A message for another program.
    let mut other_program = signed.clone();
    other_program.program_id = Keypair::new().pubkey();
    let sig = World::sign(&r.patient, &other_program);
    let mut ixs = cx::grant_consent_signed(&r.relayer.pubkey(), &signed, &sig);
    ixs[0] = cx::ed25519_instruction(&r.patient.pubkey(), &sig, &other_program.signed_bytes());
    custom_error(r.submit(&ixs), ConsentError::MessageMismatch);

    // A message for another consent (another purpose) used for this one.
    let mut other_consent = signed.clone();
    other_consent.purpose = ConsentPurpose::Research;
    let sig = World::sign(&r.patient, &other_consent);
    let mut ixs = cx::grant_consent_signed(&r.relayer.pubkey(), &signed, &sig);
    ixs[0] = cx::ed25519_instruction(&r.patient.pubkey(), &sig, &other_consent.signed_bytes());
    custom_error(r.submit(&ixs), ConsentError::MessageMismatch);

    // A revocation message used to grant.
    let revoke = ConsentMessage {
        terms: None,
        ..signed.clone()
    };
    let sig = World::sign(&r.patient, &revoke);
    let mut ixs = cx::grant_consent_signed(&r.relayer.pubkey(), &signed, &sig);
    ixs[0] = cx::ed25519_instruction(&r.patient.pubkey(), &sig, &revoke.signed_bytes());
    custom_error(r.submit(&ixs), ConsentError::MessageMismatch);
    assert!(!r.world.exists(&r.address()));
}

#[test]
fn without_an_ed25519_instruction_nothing_happens() {
    let mut r = relay();
    let message = r.grant_message(0);
    let signature = World::sign(&r.patient, &message);
    let [_, grant] = cx::grant_consent_signed(&r.relayer.pubkey(), &message, &signature);
    custom_error(
        r.submit(std::slice::from_ref(&grant)),
        ConsentError::MissingSignatureInstruction,
    );
    // Another instruction in the Ed25519 instruction's place.
    let memo = anchor_lang::solana_program::system_instruction::transfer(
        &r.relayer.pubkey(),
        &r.relayer.pubkey(),
        0,
    );
    custom_error(
        r.submit(&[memo, grant]),
        ConsentError::MissingSignatureInstruction,
    );
    assert!(!r.world.exists(&r.address()));
}

/// An Ed25519 instruction verifying `entries` (key, signature, message), all
/// data inside the instruction.
fn multi_signature_instruction(entries: &[(&Keypair, &[u8])]) -> Instruction {
    let header = 2 + 14 * entries.len();
    let mut offsets = vec![entries.len() as u8, 0];
    let mut payload = Vec::new();
    for (key, message) in entries {
        let pubkey_at = (header + payload.len()) as u16;
        payload.extend_from_slice(key.pubkey().as_ref());
        let sig_at = (header + payload.len()) as u16;
        payload.extend_from_slice(key.sign_message(message).as_ref());
        let msg_at = (header + payload.len()) as u16;
        payload.extend_from_slice(message);
        for v in [
            sig_at,
            u16::MAX,
            pubkey_at,
            u16::MAX,
            msg_at,
            message.len() as u16,
            u16::MAX,
        ] {
            offsets.extend_from_slice(&v.to_le_bytes());
        }
    }
    offsets.extend_from_slice(&payload);
    Instruction {
        program_id: ::consent::signature::ED25519_PROGRAM_ID,
        accounts: vec![],
        data: offsets,
    }
}

#[test]
fn an_ed25519_instruction_with_several_signatures_is_refused() {
    let mut r = relay();
    let message = r.grant_message(0);
    let encoded = message.signed_bytes();
    let decoy = Keypair::new();
    let signature = World::sign(&r.patient, &message);
    let [_, grant] = cx::grant_consent_signed(&r.relayer.pubkey(), &message, &signature);
    // The first verified entry is the decoy's; the patient's is second.
    let both = multi_signature_instruction(&[(&decoy, b"harmless"), (&r.patient, &encoded)]);
    custom_error(
        r.submit(&[both, grant.clone()]),
        ConsentError::MalformedSignatureInstruction,
    );
    // Even with the patient's first, more than one signature is refused.
    let both = multi_signature_instruction(&[(&r.patient, &encoded), (&decoy, b"harmless")]);
    custom_error(
        r.submit(&[both, grant]),
        ConsentError::MalformedSignatureInstruction,
    );
    assert!(!r.world.exists(&r.address()));
}

#[test]
fn an_ed25519_instruction_that_takes_its_data_from_another_instruction_is_refused() {
    let mut r = relay();
    let message = r.grant_message(0);
    let signature = World::sign(&r.patient, &message);
    let [mut verify, grant] = cx::grant_consent_signed(&r.relayer.pubkey(), &message, &signature);
    // Point the public key at instruction 0 explicitly instead of "this instruction".
    verify.data[8..10].copy_from_slice(&0u16.to_le_bytes());
    custom_error(
        r.submit(&[verify, grant]),
        ConsentError::MalformedSignatureInstruction,
    );
}

#[test]
fn an_expired_or_overlong_message_is_refused() {
    let mut r = relay();
    let mut message = r.grant_message(0);
    let signature = World::sign(&r.patient, &message);
    let ixs = cx::grant_consent_signed(&r.relayer.pubkey(), &message, &signature);
    r.world.warp(600);
    custom_error(r.submit(&ixs), ConsentError::MessageExpired);

    message.expires_at = r.world.now() + 2 * DAY;
    let signature = World::sign(&r.patient, &message);
    custom_error(
        r.submit(&cx::grant_consent_signed(
            &r.relayer.pubkey(),
            &message,
            &signature,
        )),
        ConsentError::MessageLifetimeTooLong,
    );

    // A message claiming to be issued in the future.
    message.issued_at = r.world.now() + 60;
    message.expires_at = r.world.now() + 600;
    let signature = World::sign(&r.patient, &message);
    custom_error(
        r.submit(&cx::grant_consent_signed(
            &r.relayer.pubkey(),
            &message,
            &signature,
        )),
        ConsentError::MessageIssuedInFuture,
    );
    assert!(!r.world.exists(&r.address()));
}

#[test]
fn a_signed_revocation_needs_the_patients_signature_over_the_current_version() {
    let mut r = relay();
    r.world.consent(
        &r.patient.insecure_clone(),
        &r.insurer.pubkey(),
        ConsentPurpose::Payment,
    );
    // Signed by the guardian-less patient's neighbour.
    let neighbour = Keypair::new();
    let revoke = r.revoke_message(1);
    let sig = World::sign(&neighbour, &revoke);
    let mut ixs = cx::revoke_consent_signed(&r.relayer.pubkey(), &revoke, &sig);
    ixs[0] = cx::ed25519_instruction(&neighbour.pubkey(), &sig, &revoke.signed_bytes());
    custom_error(r.submit(&ixs), ConsentError::SignerNotPatient);
    // For a version that is not current.
    let stale = r.revoke_message(0);
    let sig = World::sign(&r.patient, &stale);
    custom_error(
        r.submit(&cx::revoke_consent_signed(
            &r.relayer.pubkey(),
            &stale,
            &sig,
        )),
        ConsentError::StaleConsentVersion,
    );
    assert_eq!(
        r.world.account::<Consent>(&r.address()).status,
        ConsentStatus::Active
    );
    let _ = rx::set_guardian;
}

#[test]
fn a_message_cannot_outlive_a_closed_consent() {
    let mut r = relay();
    let message = r.grant_message(0);
    let signature = World::sign(&r.patient, &message);
    let ixs = cx::grant_consent_signed(&r.relayer.pubkey(), &message, &signature);
    r.submit(&ixs).expect("grant");
    let patient = r.patient.insecure_clone();
    let insurer = r.insurer.pubkey();
    let ix = cx::revoke_consent(
        &patient.pubkey(),
        &patient.pubkey(),
        &insurer,
        ConsentPurpose::Payment,
    );
    r.world.send(&[ix], &[&patient]).expect("revoke");
    // The consent can only be closed a day after its last change, when every
    // message signed for its earlier versions has expired.
    r.world.warp(DAY);
    let ix = cx::close_consent(
        &patient.pubkey(),
        &patient.pubkey(),
        &insurer,
        ConsentPurpose::Payment,
        &r.relayer.pubkey(),
    );
    r.world.send(&[ix], &[&patient]).expect("close");
    assert!(!r.world.exists(&r.address()));
    custom_error(r.submit(&ixs), ConsentError::MessageExpired);
    assert!(!r.world.exists(&r.address()));
}

#[test]
fn signature_data_must_come_from_the_ed25519_instruction_itself() {
    let mut r = relay();
    let message = r.grant_message(0);
    let signature = World::sign(&r.patient, &message);
    // Offsets record: [sig_off, sig_ix, pk_off, pk_ix, msg_off, msg_len, msg_ix] after 2 header bytes.
    for field in [4usize, 14] {
        let [mut verify, grant] =
            cx::grant_consent_signed(&r.relayer.pubkey(), &message, &signature);
        // Index 0 is the Ed25519 instruction itself, named explicitly: the
        // precompile verifies it, our program still refuses anything but "this one".
        verify.data[field..field + 2].copy_from_slice(&0u16.to_le_bytes());
        custom_error(
            r.submit(&[verify, grant]),
            ConsentError::MalformedSignatureInstruction,
        );
    }
}

#[test]
fn a_signed_revocation_needs_a_revocation_message_and_a_signature_instruction() {
    let mut r = relay();
    r.world.consent(
        &r.patient.insecure_clone(),
        &r.insurer.pubkey(),
        ConsentPurpose::Payment,
    );
    // A grant message presented as a revocation.
    let grant = r.grant_message(1);
    let sig = World::sign(&r.patient, &grant);
    let revoke = ConsentMessage {
        terms: None,
        ..grant.clone()
    };
    let mut ixs = cx::revoke_consent_signed(&r.relayer.pubkey(), &revoke, &sig);
    ixs[0] = cx::ed25519_instruction(&r.patient.pubkey(), &sig, &grant.signed_bytes());
    custom_error(r.submit(&ixs), ConsentError::MessageMismatch);
    // No Ed25519 instruction.
    let sig = World::sign(&r.patient, &revoke);
    let [_, only] = cx::revoke_consent_signed(&r.relayer.pubkey(), &revoke, &sig);
    custom_error(
        r.submit(std::slice::from_ref(&only)),
        ConsentError::MissingSignatureInstruction,
    );
    assert_eq!(
        r.world.account::<Consent>(&r.address()).status,
        ConsentStatus::Active
    );
}

#[test]
fn the_guardian_cannot_sign_off_chain_for_the_patient() {
    let mut world = World::new();
    let relayer = world.wallet();
    let insurer = world.insurer();
    let (patient, guardian) = world.patient_with_guardian();
    let context = world.message_context(
        &patient.pubkey(),
        &insurer.pubkey(),
        ConsentPurpose::Payment,
    );
    let message = cx::grant_message(
        &patient.pubkey(),
        &insurer.pubkey(),
        ConsentPurpose::Payment,
        world.consent_terms(),
        &context,
        world.now(),
        world.now() + 600,
    );
    let sig = World::sign(&guardian, &message);
    let mut ixs = cx::grant_consent_signed(&relayer.pubkey(), &message, &sig);
    ixs[0] = cx::ed25519_instruction(&guardian.pubkey(), &sig, &message.signed_bytes());
    world.svm.expire_blockhash();
    let tx = Transaction::new_signed_with_payer(
        &ixs,
        Some(&relayer.pubkey()),
        &[&relayer],
        world.svm.latest_blockhash(),
    );
    custom_error(
        world.svm.send_transaction(tx).map_err(Box::new),
        ConsentError::SignerNotPatient,
    );
}

#[test]
fn an_update_keeps_the_original_rent_payer() {
    let mut r = relay();
    let message = r.grant_message(0);
    let signature = World::sign(&r.patient, &message);
    r.submit(&cx::grant_consent_signed(
        &r.relayer.pubkey(),
        &message,
        &signature,
    ))
    .expect("relayed grant");
    let patient = r.patient.insecure_clone();
    let terms = r.world.consent_terms();
    let ix = cx::grant_consent(
        &r.world.payer.pubkey(),
        &patient.pubkey(),
        &patient.pubkey(),
        &r.insurer.pubkey(),
        ::consent::instructions::GrantConsentArgs {
            purpose: ConsentPurpose::Payment,
            terms,
        },
    );
    r.world
        .send(&[ix], &[&patient])
        .expect("direct update paid by someone else");
    let consent: Consent = r.world.account(&r.address());
    assert_eq!(
        (consent.rent_payer, consent.consent_version),
        (r.relayer.pubkey(), 2)
    );
}

#[test]
fn a_message_signed_for_another_deployment_is_refused() {
    let mut r = relay();
    // The same program ids on another cluster: the patient signed for devnet.
    let mut message = r.grant_message(0);
    message.deployment = "devnet".to_string();
    assert!(message.text().contains("; deployment: devnet; "));
    let signature = World::sign(&r.patient, &message);
    let relayer_before = r.world.lamports(&r.relayer.pubkey());
    let failed = r.submit(&cx::grant_consent_signed(
        &r.relayer.pubkey(),
        &message,
        &signature,
    ));
    let fee = failed.as_ref().err().map_or(0, |f| f.meta.fee);
    custom_error(failed, ConsentError::WrongDeployment);
    assert!(!r.world.exists(&r.address()));
    assert!(!r
        .world
        .exists(&cx::consent_epoch_address(&r.patient.pubkey())));
    assert_eq!(
        r.world.lamports(&r.relayer.pubkey()),
        relayer_before - fee,
        "only the fee was spent"
    );

    // A revocation signed for mainnet-beta leaves this cluster's consent alone.
    let patient = r.patient.insecure_clone();
    r.world
        .consent(&patient, &r.insurer.pubkey(), ConsentPurpose::Payment);
    let mut revoke = r.revoke_message(1);
    revoke.deployment = "mainnet-beta".to_string();
    let signature = World::sign(&r.patient, &revoke);
    custom_error(
        r.submit(&cx::revoke_consent_signed(
            &r.relayer.pubkey(),
            &revoke,
            &signature,
        )),
        ConsentError::WrongDeployment,
    );
    let consent: Consent = r.world.account(&r.address());
    assert_eq!(
        (consent.status, consent.consent_version),
        (ConsentStatus::Active, 1)
    );
}

#[test]
fn the_deployment_name_comes_from_the_records_registry_only() {
    let mut r = relay();
    let message = r.grant_message(0);
    let signature = World::sign(&r.patient, &message);
    // Another account in the registry's place: the patient's records profile.
    let mut ixs = cx::grant_consent_signed(&r.relayer.pubkey(), &message, &signature);
    let registry = records::pda::config().0;
    let at = ixs[1]
        .accounts
        .iter()
        .position(|a| a.pubkey == registry)
        .expect("the registry is an account of the instruction");
    ixs[1].accounts[at].pubkey = records::pda::patient(&r.patient.pubkey()).0;
    custom_error(
        r.submit(&ixs),
        anchor_lang::error::ErrorCode::AccountDiscriminatorMismatch,
    );
    assert!(!r.world.exists(&r.address()));
}

/// The patient's direct revocation, then the close a day later.
fn revoke_and_close(r: &mut Relay) {
    let patient = r.patient.insecure_clone();
    let insurer = r.insurer.pubkey();
    let ix = cx::revoke_consent(
        &patient.pubkey(),
        &patient.pubkey(),
        &insurer,
        ConsentPurpose::Payment,
    );
    r.world.send(&[ix], &[&patient]).expect("revoke");
    r.world.warp(DAY);
    let rent_payer = r.world.account::<Consent>(&r.address()).rent_payer;
    let ix = cx::close_consent(
        &patient.pubkey(),
        &patient.pubkey(),
        &insurer,
        ConsentPurpose::Payment,
        &rent_payer,
    );
    r.world.send(&[ix], &[&patient]).expect("close");
    assert!(!r.world.exists(&r.address()));
}

#[test]
fn a_message_issued_in_the_future_does_not_survive_a_close() {
    let mut r = relay();
    // The patient's wallet signs a creation message dated two days ahead
    // (a wrong clock, or a dApp that asked for it): version 0, epoch 0.
    let issued = r.world.now() + 2 * DAY;
    let mut future = r.grant_message(0);
    future.issued_at = issued;
    future.expires_at = issued + 600;
    let signature = World::sign(&r.patient, &future);
    let replay = cx::grant_consent_signed(&r.relayer.pubkey(), &future, &signature);

    // The patient grants, revokes, waits out the close delay and closes.
    let patient = r.patient.insecure_clone();
    r.world
        .consent(&patient, &r.insurer.pubkey(), ConsentPurpose::Payment);
    revoke_and_close(&mut r);
    let epoch = cx::consent_epoch_address(&r.patient.pubkey());
    assert_eq!(r.world.account::<ConsentEpoch>(&epoch).epoch, 1);

    // Before its `issued` time the message is refused as from the future.
    custom_error(r.submit(&replay), ConsentError::MessageIssuedInFuture);
    assert!(!r.world.exists(&r.address()));

    // At its `issued` time it is well inside its dates, names version 0 as
    // the (absent) consent does, but an epoch before the close: refused,
    // and no consent is created again.
    let now = r.world.now();
    r.world.warp(issued - now);
    assert_eq!(r.world.now(), issued);
    let relayer_before = r.world.lamports(&r.relayer.pubkey());
    let failed = r.submit(&replay);
    let fee = failed.as_ref().err().map_or(0, |f| f.meta.fee);
    custom_error(failed, ConsentError::StaleConsentEpoch);
    assert!(!r.world.exists(&r.address()));
    assert_eq!(r.world.account::<ConsentEpoch>(&epoch).epoch, 1);
    assert_eq!(r.world.lamports(&r.relayer.pubkey()), relayer_before - fee);

    // A message signed now, in the current epoch, still works in one
    // relayed transaction.
    let fresh = r.grant_message(0);
    assert_eq!(fresh.consent_epoch, 1);
    let signature = World::sign(&r.patient, &fresh);
    r.submit(&cx::grant_consent_signed(
        &r.relayer.pubkey(),
        &fresh,
        &signature,
    ))
    .expect("a fresh message is relayed");
    let consent: Consent = r.world.account(&r.address());
    assert_eq!(
        (consent.status, consent.consent_version),
        (ConsentStatus::Active, 1)
    );
}

#[test]
fn an_update_signed_before_a_close_cannot_change_the_re_created_consent() {
    let mut r = relay();
    let patient = r.patient.insecure_clone();
    r.world
        .consent(&patient, &r.insurer.pubkey(), ConsentPurpose::Payment);
    // An update of version 1 (Access and Disclose), dated two days ahead.
    let issued = r.world.now() + 2 * DAY;
    let mut update = r.grant_message(1);
    update.terms = Some(ConsentTerms {
        actions: actions::ALL,
        ..update.terms.unwrap()
    });
    update.issued_at = issued;
    update.expires_at = issued + 600;
    let signature = World::sign(&r.patient, &update);
    let replay = cx::grant_consent_signed(&r.relayer.pubkey(), &update, &signature);

    revoke_and_close(&mut r);
    // The patient consents again: the new consent is at version 1 too.
    r.world
        .consent(&patient, &r.insurer.pubkey(), ConsentPurpose::Payment);
    let before: Consent = r.world.account(&r.address());
    assert_eq!(
        (before.consent_version, before.actions),
        (1, actions::ACCESS)
    );

    let now = r.world.now();
    r.world.warp(issued - now);
    custom_error(r.submit(&replay), ConsentError::StaleConsentEpoch);
    let after: Consent = r.world.account(&r.address());
    assert_eq!(
        (after.consent_version, after.actions, after.updated_at),
        (1, actions::ACCESS, before.updated_at)
    );
}

#[test]
fn a_signed_permit_goes_only_to_an_active_entity() {
    let mut r = relay();
    r.world
        .set_status(&r.insurer.pubkey(), records::state::EntityStatus::Suspended);
    let message = r.grant_message(0);
    let signature = World::sign(&r.patient, &message);
    custom_error(
        r.submit(&cx::grant_consent_signed(
            &r.relayer.pubkey(),
            &message,
            &signature,
        )),
        ConsentError::GranteeNotActive,
    );
    assert!(!r.world.exists(&r.address()));
    assert!(!r
        .world
        .exists(&cx::consent_epoch_address(&r.patient.pubkey())));

    r.world
        .set_status(&r.insurer.pubkey(), records::state::EntityStatus::Revoked);
    custom_error(
        r.submit(&cx::grant_consent_signed(
            &r.relayer.pubkey(),
            &message,
            &signature,
        )),
        ConsentError::GranteeNotActive,
    );
    assert!(!r.world.exists(&r.address()));
}

#[test]
fn the_largest_relayed_grant_fits_one_packet() {
    let r = relay();
    // Every variable-length field of the message at its longest the
    // program can accept: a 32-byte deployment name, the largest epoch and
    // version, and 10-digit times (until the year 2286). Every time of an
    // accepted message lies within five years of now: `issued` is at most
    // now and `expires` after it (at most a day apart), the period ends
    // after now and at most five years from it, and lasts at most five
    // years.
    let mut message = r.grant_message(0);
    message.deployment = "x".repeat(32);
    message.consent_epoch = u64::MAX;
    message.consent_version = u32::MAX;
    message.issued_at = 9_999_999_999;
    message.expires_at = 9_999_999_999;
    let mut terms = message.terms.unwrap();
    terms.period_start = 9_999_999_999;
    terms.period_end = 9_999_999_999;
    message.terms = Some(terms);
    let signature = World::sign(&r.patient, &message);
    for (name, ixs) in [
        (
            "grant_consent_signed",
            cx::grant_consent_signed(&r.relayer.pubkey(), &message, &signature),
        ),
        (
            "revoke_consent_signed",
            cx::revoke_consent_signed(
                &r.relayer.pubkey(),
                &ConsentMessage {
                    terms: None,
                    ..message.clone()
                },
                &signature,
            ),
        ),
    ] {
        let tx = Transaction::new_signed_with_payer(
            &ixs,
            Some(&r.relayer.pubkey()),
            &[&r.relayer],
            r.world.svm.latest_blockhash(),
        );
        let size = transaction_size(&tx);
        println!("largest relayed {name} transaction: {size} bytes");
        assert!(size <= 1232, "{name}: {size} bytes");
    }
}
