//! A security review of the issue 11 changes to `consent`: messages bound
//! to the deployment (the `records` registry's name, set once) and to the
//! patient's consent epoch (`ConsentEpoch`, created with the first consent,
//! moved on by every close, never closed), issue times not in the future,
//! and Permits only to active, unexpired grantees. Each refused attack is a
//! regression test asserting its exact error and that nothing changed.

use {
    ::consent::{errors::ConsentError, message::ConsentMessage, state::*},
    anchor_lang::{error::ErrorCode as Anchor, prelude::Pubkey},
    panacea_sdk::{consent as cx, records as rx},
    panacea_tests::{assert::*, *},
    records::state::{EntityStatus, RegistryConfig},
    solana_instruction::Instruction,
    solana_keypair::Keypair,
    solana_signer::Signer,
    solana_transaction::Transaction,
};

/// Position of `consent` and `consent_epoch` in `close_consent`'s accounts.
const CLOSE_CONSENT: usize = 2;
const CLOSE_EPOCH: usize = 3;

struct Cast {
    world: World,
    relayer: Keypair,
    patient: Keypair,
    insurer: Keypair,
    lab: Keypair,
}

fn cast() -> Cast {
    let mut world = World::new();
    let relayer = world.wallet();
    let insurer = world.insurer();
    let lab = world.lab();
    let patient = world.patient();
    Cast {
        world,
        relayer,
        patient,
        insurer,
        lab,
    }
}

impl Cast {
    fn address(&self, grantee: &Pubkey) -> Pubkey {
        cx::consent_address(&self.patient.pubkey(), grantee, ConsentPurpose::Payment)
    }

    fn epoch_address(&self) -> Pubkey {
        cx::consent_epoch_address(&self.patient.pubkey())
    }

    fn epoch(&self) -> u64 {
        self.world
            .account::<ConsentEpoch>(&self.epoch_address())
            .epoch
    }

    /// A grant message to `grantee` as the cluster stands now, valid ten
    /// minutes.
    fn grant_message(&self, grantee: &Pubkey) -> ConsentMessage {
        let context =
            self.world
                .message_context(&self.patient.pubkey(), grantee, ConsentPurpose::Payment);
        cx::grant_message(
            &self.patient.pubkey(),
            grantee,
            ConsentPurpose::Payment,
            self.world.consent_terms(),
            &context,
            self.world.now(),
            self.world.now() + 600,
        )
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

    /// The patient consents to `grantee` directly.
    fn consent(&mut self, grantee: &Pubkey) -> Pubkey {
        let patient = self.patient.insecure_clone();
        self.world
            .consent(&patient, grantee, ConsentPurpose::Payment)
    }

    fn revoke(&mut self, grantee: &Pubkey) {
        let patient = self.patient.insecure_clone();
        let ix = cx::revoke_consent(
            &patient.pubkey(),
            &patient.pubkey(),
            grantee,
            ConsentPurpose::Payment,
        );
        self.world.send(&[ix], &[&patient]).expect("revoke");
    }

    fn close_ix(&self, grantee: &Pubkey) -> Instruction {
        let rent_payer = self
            .world
            .account::<Consent>(&self.address(grantee))
            .rent_payer;
        cx::close_consent(
            &self.patient.pubkey(),
            &self.patient.pubkey(),
            grantee,
            ConsentPurpose::Payment,
            &rent_payer,
        )
    }

    fn close(&mut self, grantee: &Pubkey) -> TxResult {
        let patient = self.patient.insecure_clone();
        let ix = self.close_ix(grantee);
        self.world.send(&[ix], &[&patient])
    }
}

// ----- the consent epoch: created by the patient only, never reset -----

#[test]
fn nobody_creates_a_patients_consent_epoch_but_the_patient_or_guardian() {
    let mut c = cast();
    let stranger = c.world.wallet();
    let insurer = c.insurer.pubkey();
    // The grantee itself, and a stranger, signing as the authority.
    let grantee = c.insurer.insecure_clone();
    for impostor in [&stranger, &grantee] {
        let ix = cx::grant_consent(
            &c.world.payer.pubkey(),
            &impostor.pubkey(),
            &c.patient.pubkey(),
            &insurer,
            ::consent::instructions::GrantConsentArgs {
                purpose: ConsentPurpose::Payment,
                terms: c.world.consent_terms(),
            },
        );
        custom_error(
            c.world.send(&[ix], &[impostor]),
            ConsentError::NotPatientOrGuardian,
        );
    }
    // Another patient's guardian.
    let (_, guardian) = c.world.patient_with_guardian();
    let ix = cx::grant_consent(
        &c.world.payer.pubkey(),
        &guardian.pubkey(),
        &c.patient.pubkey(),
        &insurer,
        ::consent::instructions::GrantConsentArgs {
            purpose: ConsentPurpose::Payment,
            terms: c.world.consent_terms(),
        },
    );
    custom_error(
        c.world.send(&[ix], &[&guardian]),
        ConsentError::NotPatientOrGuardian,
    );
    // A relayed message signed by the stranger for the patient.
    let message = c.grant_message(&insurer);
    let signature = World::sign(&stranger, &message);
    let mut ixs = cx::grant_consent_signed(&c.relayer.pubkey(), &message, &signature);
    ixs[0] = cx::ed25519_instruction(&stranger.pubkey(), &signature, &message.signed_bytes());
    let relayer_before = c.world.lamports(&c.relayer.pubkey());
    let failed = c.relay(&ixs);
    let fee = failed.as_ref().err().map_or(0, |f| f.meta.fee);
    custom_error(failed, ConsentError::SignerNotPatient);
    assert_eq!(c.world.lamports(&c.relayer.pubkey()), relayer_before - fee);
    assert!(!c.world.exists(&c.epoch_address()));
    assert!(!c.world.exists(&c.address(&insurer)));
}

#[test]
fn another_patients_epoch_or_a_consent_does_not_stand_in_for_the_epoch() {
    let mut c = cast();
    let insurer = c.insurer.pubkey();
    c.consent(&insurer);
    c.revoke(&insurer);
    // Another patient with a consent epoch of its own.
    let other = c.world.patient();
    c.world.consent(&other, &insurer, ConsentPurpose::Payment);
    let others_epoch = cx::consent_epoch_address(&other.pubkey());
    c.world.warp(DAY);
    let watched = [
        c.epoch_address(),
        others_epoch,
        c.address(&insurer),
        cx::consent_address(&other.pubkey(), &insurer, ConsentPurpose::Payment),
    ];
    let snapshot = c.world.snapshot(&watched);
    let patient = c.patient.insecure_clone();

    let mut ix = c.close_ix(&insurer);
    ix.accounts[CLOSE_EPOCH].pubkey = others_epoch;
    custom_error(c.world.send(&[ix], &[&patient]), Anchor::ConstraintSeeds);
    // The consent being closed, passed as the epoch too.
    let mut ix = c.close_ix(&insurer);
    ix.accounts[CLOSE_EPOCH].pubkey = c.address(&insurer);
    custom_error(
        c.world.send(&[ix], &[&patient]),
        Anchor::AccountDiscriminatorMismatch,
    );
    // The epoch passed as the consent to close (it is never closed).
    let mut ix = c.close_ix(&insurer);
    ix.accounts[CLOSE_CONSENT].pubkey = c.epoch_address();
    custom_error(
        c.world.send(&[ix], &[&patient]),
        Anchor::AccountDiscriminatorMismatch,
    );
    // A relayed revocation with another patient's epoch (at epoch 0 too).
    let lab = c.lab.pubkey();
    c.consent(&lab);
    let snapshot_lab = c.world.snapshot(&[c.address(&lab)]);
    let mut ixs = c.signed_revoke(&c.revoke_message(&lab));
    let at = ixs[1]
        .accounts
        .iter()
        .position(|a| a.pubkey == c.epoch_address())
        .expect("the epoch is an account of the revocation");
    ixs[1].accounts[at].pubkey = others_epoch;
    custom_error(c.relay(&ixs), Anchor::ConstraintSeeds);
    c.world.assert_unchanged(&snapshot);
    c.world.assert_unchanged(&snapshot_lab);
}

#[test]
fn the_epoch_only_moves_on_and_outlives_every_consent() {
    let mut c = cast();
    let (insurer, lab) = (c.insurer.pubkey(), c.lab.pubkey());
    c.consent(&insurer);
    c.consent(&lab);
    let epoch_rent = c.world.lamports(&c.epoch_address());
    for grantee in [insurer, lab] {
        c.revoke(&grantee);
    }
    c.world.warp(DAY);
    for grantee in [insurer, lab] {
        c.close(&grantee).expect("close");
    }
    assert_eq!(c.epoch(), 2);
    // Every consent is gone; the epoch stays, with its rent (README, Known
    // limits: never refunded).
    assert!(!c.world.exists(&c.address(&insurer)) && !c.world.exists(&c.address(&lab)));
    assert_eq!(c.world.lamports(&c.epoch_address()), epoch_rent);
    // Consenting again does not start it over.
    let meta = {
        let patient = c.patient.insecure_clone();
        let ix = cx::grant_consent(
            &c.world.payer.pubkey(),
            &patient.pubkey(),
            &patient.pubkey(),
            &insurer,
            ::consent::instructions::GrantConsentArgs {
                purpose: ConsentPurpose::Payment,
                terms: c.world.consent_terms(),
            },
        );
        c.world.send(&[ix], &[&patient]).expect("consent again")
    };
    assert!(World::events::<::consent::events::ConsentEpochChanged>(&meta).is_empty());
    let epoch: ConsentEpoch = c.world.account(&c.epoch_address());
    assert_eq!(
        (epoch.epoch, epoch.patient, epoch.version),
        (2, c.patient.pubkey(), 1)
    );
    assert_eq!(
        c.world
            .account::<Consent>(&c.address(&insurer))
            .consent_version,
        1
    );
}

// ----- replay across epochs, versions, actions and formats -----

#[test]
fn closing_any_consent_voids_every_message_signed_before_it() {
    let mut c = cast();
    let (insurer, lab) = (c.insurer.pubkey(), c.lab.pubkey());
    let researcher = c.world.entity(records::state::EntityKind::Researcher);
    c.consent(&insurer);
    c.revoke(&insurer);
    c.consent(&researcher.pubkey());
    // Signed in epoch 0: a new consent to the lab, and a revocation of the
    // (active) consent to the researcher.
    let grant = c.signed_grant(&c.grant_message(&lab));
    let revoke = c.signed_revoke(&c.revoke_message(&researcher.pubkey()));
    // The patient closes the (unrelated) consent to the insurer.
    c.world.warp(DAY);
    c.close(&insurer).expect("close");
    assert_eq!(c.epoch(), 1);
    // Re-dated so that they are live: signed a minute ago, for ten minutes.
    let watched = [c.address(&lab), c.address(&researcher.pubkey())];
    let snapshot = c.world.snapshot(&watched);
    let now = c.world.now();
    let mut live_grant = c.grant_message(&lab);
    live_grant.consent_epoch = 0;
    live_grant.issued_at = now - 60;
    live_grant.expires_at = now + 540;
    custom_error(
        c.relay(&c.signed_grant(&live_grant)),
        ConsentError::StaleConsentEpoch,
    );
    let mut live_revoke = c.revoke_message(&researcher.pubkey());
    live_revoke.consent_epoch = 0;
    live_revoke.issued_at = now - 60;
    live_revoke.expires_at = now + 540;
    custom_error(
        c.relay(&c.signed_revoke(&live_revoke)),
        ConsentError::StaleConsentEpoch,
    );
    // The originals have expired besides.
    custom_error(c.relay(&grant), ConsentError::MessageExpired);
    custom_error(c.relay(&revoke), ConsentError::MessageExpired);
    c.world.assert_unchanged(&snapshot);
    // The same messages in the current epoch go through.
    c.relay(&c.signed_revoke(&c.revoke_message(&researcher.pubkey())))
        .expect("a fresh revocation");
}

#[test]
fn a_relayed_revocation_cannot_be_replayed_against_a_re_granted_consent() {
    let mut c = cast();
    let insurer = c.insurer.pubkey();
    c.consent(&insurer);
    let revoke = c.signed_revoke(&c.revoke_message(&insurer));
    c.relay(&revoke).expect("relayed revocation");
    // The patient consents again (version 3) within the message's life.
    c.consent(&insurer);
    let before: Consent = c.world.account(&c.address(&insurer));
    assert_eq!(
        (before.status, before.consent_version),
        (ConsentStatus::Active, 3)
    );
    let snapshot = c.world.snapshot(&[c.address(&insurer), c.epoch_address()]);
    custom_error(c.relay(&revoke), ConsentError::StaleConsentVersion);
    c.world.assert_unchanged(&snapshot);
    // A revocation signed for version 1 and held back: stale as well.
    let mut held = c.revoke_message(&insurer);
    held.consent_version = 1;
    custom_error(
        c.relay(&c.signed_revoke(&held)),
        ConsentError::StaleConsentVersion,
    );
    c.world.assert_unchanged(&snapshot);
}

#[test]
fn a_message_of_the_previous_format_or_the_other_action_is_refused() {
    let mut c = cast();
    let insurer = c.insurer.pubkey();
    // What a wallet signed under the v1 format (no deployment, no epoch)
    // and the v2 format (one field per line), raw bytes, no envelope, for
    // the same consent: refused as not an off-chain message.
    let message = c.grant_message(&insurer);
    let v2 = message
        .text()
        .replace("Panacea consent message v3", "Panacea consent message v2")
        .replace("; ", "\n");
    let v1 = v2
        .replace("Panacea consent message v2", "Panacea consent message v1")
        .lines()
        .filter(|l| !l.starts_with("deployment: ") && !l.starts_with("consent epoch: "))
        .collect::<Vec<_>>()
        .join("\n");
    let relayer_before = c.world.lamports(&c.relayer.pubkey());
    let mut fees = 0;
    for old in [v1, v2] {
        let signature = c.patient.sign_message(old.as_bytes());
        let signature = <[u8; 64]>::try_from(signature.as_ref()).unwrap();
        let mut ixs = cx::grant_consent_signed(&c.relayer.pubkey(), &message, &signature);
        ixs[0] = cx::ed25519_instruction(&c.patient.pubkey(), &signature, old.as_bytes());
        let failed = c.relay(&ixs);
        fees += failed.as_ref().err().map_or(0, |f| f.meta.fee);
        custom_error(failed, ConsentError::NotOffchainMessage);
    }
    assert!(!c.world.exists(&c.address(&insurer)));
    assert!(!c.world.exists(&c.epoch_address()));
    assert_eq!(c.world.lamports(&c.relayer.pubkey()), relayer_before - fees);
    // A grant message presented as a revocation of the consent it created.
    let message = c.grant_message(&insurer);
    c.relay(&c.signed_grant(&message)).expect("grant");
    let grant_now = c.grant_message(&insurer);
    let signature = World::sign(&c.patient, &grant_now);
    let revoke_claimed = c.revoke_message(&insurer);
    let mut ixs = cx::revoke_consent_signed(&c.relayer.pubkey(), &revoke_claimed, &signature);
    ixs[0] = cx::ed25519_instruction(&c.patient.pubkey(), &signature, &grant_now.signed_bytes());
    let snapshot = c.world.snapshot(&[c.address(&insurer)]);
    custom_error(c.relay(&ixs), ConsentError::MessageMismatch);
    c.world.assert_unchanged(&snapshot);
}

#[test]
fn deployment_names_must_match_exactly() {
    let mut c = cast();
    let insurer = c.insurer.pubkey();
    for name in ["Localnet", "localnet-2", "localne", "mainnet-beta"] {
        let mut message = c.grant_message(&insurer);
        message.deployment = name.to_string();
        custom_error(
            c.relay(&c.signed_grant(&message)),
            ConsentError::WrongDeployment,
        );
    }
    assert!(!c.world.exists(&c.address(&insurer)));
    assert!(!c.world.exists(&c.epoch_address()));
}

#[test]
fn the_deployment_name_is_set_once() {
    let mut world = World::new();
    let config = records::pda::config().0;
    let before = world.snapshot(&[config]);
    // The upgrade authority initializing again, under another name.
    let ix = rx::initialize_registry(
        &world.payer.pubkey(),
        &world.upgrade_authority.pubkey(),
        records::instructions::InitializeRegistryArgs {
            admin: world.admin.pubkey(),
            max_emergency_duration: MAX_EMERGENCY,
            deployment: "mainnet-beta".to_string(),
        },
    );
    let ua = world.upgrade_authority.insecure_clone();
    // The system program refuses to create an account that exists.
    custom_error(world.send(&[ix], &[&ua]), 0u32);
    world.assert_unchanged(&before);
    // The admin's update cannot name it (it has no such argument) and
    // leaves it as it was.
    let admin = world.admin.insecure_clone();
    let ix = rx::update_registry(
        &admin.pubkey(),
        None,
        records::instructions::UpdateRegistryArgs {
            max_emergency_duration: Some(MAX_EMERGENCY / 2),
        },
    );
    world.send(&[ix], &[&admin]).expect("update the registry");
    let registry: RegistryConfig = world.account(&config);
    assert_eq!(registry.deployment, DEPLOYMENT);
}

// ----- dates -----

#[test]
fn message_dates_are_checked_at_their_bounds() {
    let mut c = cast();
    let insurer = c.insurer.pubkey();
    let now = c.world.now();
    let with = |issued: i64, expires: i64| {
        let mut m = c.grant_message(&insurer);
        m.issued_at = issued;
        m.expires_at = expires;
        m
    };
    // Issued this second and living exactly the longest lifetime.
    let longest = with(now, now + MAX_LIFETIME);
    let refused = [
        (
            with(now + 1, now + 600),
            ConsentError::MessageIssuedInFuture,
        ),
        (with(now - 600, now), ConsentError::MessageExpired),
        (
            with(now - 1, now + MAX_LIFETIME),
            ConsentError::MessageLifetimeTooLong,
        ),
    ];
    for (message, error) in refused {
        custom_error(c.relay(&c.signed_grant(&message)), error);
        assert!(!c.world.exists(&c.address(&insurer)));
    }
    c.relay(&c.signed_grant(&longest)).expect("at the bounds");
}

const MAX_LIFETIME: i64 = ::consent::constants::MAX_MESSAGE_LIFETIME;

#[test]
fn a_consent_is_closed_no_sooner_than_a_day_after_its_last_change() {
    let mut c = cast();
    let insurer = c.insurer.pubkey();
    c.consent(&insurer);
    // A relayed revocation (its `updated_at` is when it landed).
    c.relay(&c.signed_revoke(&c.revoke_message(&insurer)))
        .expect("revoke");
    c.world.warp(DAY - 1);
    let snapshot = c.world.snapshot(&[c.address(&insurer), c.epoch_address()]);
    custom_error(c.close(&insurer), ConsentError::CloseTooEarly);
    c.world.assert_unchanged(&snapshot);
    c.world.warp(1);
    c.close(&insurer).expect("a day after");
    assert_eq!(c.epoch(), 1);
}

// ----- Permits only to active, unexpired entities -----

#[test]
fn a_relayed_update_to_a_suspended_or_lapsed_grantee_is_refused_unless_a_deny() {
    let mut c = cast();
    let insurer = c.insurer.pubkey();
    c.consent(&insurer);
    c.world.set_status(&insurer, EntityStatus::Suspended);
    // The patient signs a wider Permit while the insurer is suspended.
    let mut wider = c.grant_message(&insurer);
    wider.terms = Some(ConsentTerms {
        actions: actions::ALL,
        ..wider.terms.unwrap()
    });
    let snapshot = c.world.snapshot(&[c.address(&insurer), c.epoch_address()]);
    custom_error(
        c.relay(&c.signed_grant(&wider)),
        ConsentError::GranteeNotActive,
    );
    c.world.assert_unchanged(&snapshot);
    // A relayed Deny is accepted whatever the grantee's status.
    let mut deny = c.grant_message(&insurer);
    deny.terms = Some(ConsentTerms {
        decision: Decision::Deny,
        ..deny.terms.unwrap()
    });
    c.relay(&c.signed_grant(&deny)).expect("deny");
    assert_eq!(
        c.world.account::<Consent>(&c.address(&insurer)).decision,
        Decision::Deny
    );
    // Active again, but its credential lapses: a Permit is refused.
    c.world.set_status(&insurer, EntityStatus::Active);
    let entity: records::state::Entity = c.world.account(&records::pda::entity(&insurer).0);
    let now = c.world.now();
    c.world.warp(entity.valid_until - now);
    let permit = c.grant_message(&insurer);
    let snapshot = c.world.snapshot(&[c.address(&insurer)]);
    custom_error(
        c.relay(&c.signed_grant(&permit)),
        ConsentError::GranteeNotActive,
    );
    c.world.assert_unchanged(&snapshot);
}

#[test]
fn a_grantee_that_is_not_an_entity_gets_no_permit() {
    let mut c = cast();
    // Another patient's profile (a records `Patient`) in the grantee's place.
    let other = c.world.patient();
    let message = c.grant_message(&other.pubkey());
    let mut ixs = c.signed_grant(&message);
    let entity = records::pda::entity(&other.pubkey()).0;
    let at = ixs[1]
        .accounts
        .iter()
        .position(|a| a.pubkey == entity)
        .expect("the grantee is an account of the grant");
    ixs[1].accounts[at].pubkey = records::pda::patient(&other.pubkey()).0;
    custom_error(c.relay(&ixs), Anchor::AccountDiscriminatorMismatch);
    assert!(!c.world.exists(&c.epoch_address()));
}

#[test]
fn closing_and_so_moving_the_epoch_on_needs_the_patients_signature() {
    let mut c = cast();
    let insurer = c.insurer.pubkey();
    c.consent(&insurer);
    c.revoke(&insurer);
    c.world.warp(DAY);
    let mut ix = c.close_ix(&insurer);
    for meta in ix.accounts.iter_mut() {
        meta.is_signer = false;
    }
    let snapshot = c.world.snapshot(&[c.address(&insurer), c.epoch_address()]);
    custom_error(c.world.send(&[ix], &[]), Anchor::AccountNotSigner);
    // The relayer (who paid the consent's rent) signing in the patient's place.
    let relayer = c.relayer.insecure_clone();
    let mut ix = c.close_ix(&insurer);
    ix.accounts[0].pubkey = relayer.pubkey();
    custom_error(
        c.world.send(&[ix], &[&relayer]),
        ConsentError::NotPatientOrGuardian,
    );
    c.world.assert_unchanged(&snapshot);
    assert_eq!(c.epoch(), 0);
}

/// An Ed25519 verification of the patient's signature over `signed`, put
/// before a relayed grant of `message`.
fn relayed_over(c: &Cast, message: &ConsentMessage, signed: &[u8]) -> Vec<Instruction> {
    let signature = c.patient.sign_message(signed);
    let signature = <[u8; 64]>::try_from(signature.as_ref()).unwrap();
    let mut ixs = cx::grant_consent_signed(&c.relayer.pubkey(), message, &signature).to_vec();
    ixs[0] = cx::ed25519_instruction(&c.patient.pubkey(), &signature, signed);
    ixs
}

#[test]
fn a_consent_signed_in_the_offchain_message_format_is_accepted() {
    let mut c = cast();
    let insurer = c.insurer.pubkey();
    let message = c.grant_message(&insurer);
    // Signed by `solana-offchain-message` itself, as a wallet implementing
    // the off-chain signing standard (or a Ledger) does: version 0, the
    // text, RestrictedAscii.
    let offchain =
        solana_offchain_message::OffchainMessage::new(0, message.text().as_bytes()).unwrap();
    assert_eq!(
        offchain.get_format(),
        solana_offchain_message::MessageFormat::RestrictedAscii
    );
    let signature = offchain.sign(&c.patient).unwrap();
    let signature = <[u8; 64]>::try_from(signature.as_ref()).unwrap();
    // The SDK's helper signs the same bytes (Ed25519 is deterministic).
    assert_eq!(
        panacea_sdk::ops::patient::sign_consent_message(&c.patient, &message).unwrap(),
        signature
    );
    assert!(panacea_sdk::ops::patient::verify_consent_message(
        &c.patient.pubkey(),
        &message,
        &signature
    ));
    let ixs = cx::grant_consent_signed(&c.relayer.pubkey(), &message, &signature);
    assert_eq!(
        &ixs[0].data[ixs[0].data.len() - message.signed_bytes().len()..],
        offchain.serialize().unwrap().as_slice(),
        "the Ed25519 instruction verifies the envelope"
    );
    c.relay(&ixs)
        .expect("a consent signed as an off-chain message");
    let consent: Consent = c.world.account(&c.address(&insurer));
    assert_eq!(
        (consent.status, consent.consent_version, consent.signed_via),
        (ConsentStatus::Active, 1, SignedVia::OffchainSignature)
    );
}

#[test]
fn only_the_exact_offchain_envelope_is_accepted() {
    let mut c = cast();
    let insurer = c.insurer.pubkey();
    let message = c.grant_message(&insurer);
    let text = message.text();
    let envelope = message.signed_bytes();
    let relayer_before = c.world.lamports(&c.relayer.pubkey());
    let mut fees = 0;
    let mut refuse = |c: &mut Cast, signed: &[u8], expected: ConsentError| {
        let ixs = relayed_over(c, &message, signed);
        let failed = c.relay(&ixs);
        fees += failed.as_ref().err().map_or(0, |f| f.meta.fee);
        custom_error(failed, expected);
        assert!(!c.world.exists(&c.address(&insurer)));
        assert!(!c.world.exists(&c.epoch_address()));
    };
    // The bare v3 text, without the envelope.
    refuse(&mut c, text.as_bytes(), ConsentError::NotOffchainMessage);
    // The envelope with its version, its format (LimitedUtf8,
    // ExtendedUtf8) or its length altered.
    for (at, value) in [(16usize, 1u8), (17, 1), (17, 2), (18, envelope[18] ^ 1)] {
        let mut altered = envelope.clone();
        altered[at] = value;
        refuse(&mut c, &altered, ConsentError::MalformedOffchainEnvelope);
    }
    // The envelope with a byte of the signing domain altered.
    let mut altered = envelope.clone();
    altered[1] = b'S';
    refuse(&mut c, &altered, ConsentError::NotOffchainMessage);
    // The v2 text (lines) in an envelope the crate builds: LimitedUtf8.
    let v2 = text
        .replace("Panacea consent message v3", "Panacea consent message v2")
        .replace("; ", "\n");
    let v2_envelope = solana_offchain_message::OffchainMessage::new(0, v2.as_bytes())
        .unwrap()
        .serialize()
        .unwrap();
    refuse(
        &mut c,
        &v2_envelope,
        ConsentError::MalformedOffchainEnvelope,
    );
    // A well-formed envelope around the v2 header in the v3 layout.
    let v2_header = text.replace("Panacea consent message v3", "Panacea consent message v2");
    let other = ::consent::message::envelope(v2_header.as_bytes()).unwrap();
    refuse(&mut c, &other, ConsentError::MessageMismatch);
    assert_eq!(c.world.lamports(&c.relayer.pubkey()), relayer_before - fees);

    // The exact envelope goes through.
    c.relay(&relayed_over(&c, &message, &envelope))
        .expect("the exact envelope");
    assert_eq!(
        c.world.account::<Consent>(&c.address(&insurer)).status,
        ConsentStatus::Active
    );
}
