//! Consent signed in the transaction by the patient or the guardian.

use {
    ::consent::{
        constants::MAX_CONSENT_DURATION, errors::ConsentError, events::*, instructions::*, state::*,
    },
    anchor_lang::error::ErrorCode as Anchor,
    anchor_lang::prelude::Pubkey,
    panacea_sdk::{consent as cx, records as rx},
    panacea_tests::{assert::*, *},
    records::state::{kinds, EntityKind, EntityStatus},
    solana_keypair::Keypair,
    solana_signer::Signer,
};

#[test]
fn a_patient_consents_updates_and_revokes_and_each_change_bumps_the_version() {
    let mut world = World::new();
    let insurer = world.insurer();
    let patient = world.patient();
    let terms = world.consent_terms();
    let ix = cx::grant_consent(
        &world.payer.pubkey(),
        &patient.pubkey(),
        &patient.pubkey(),
        &insurer.pubkey(),
        GrantConsentArgs {
            purpose: ConsentPurpose::Payment,
            terms,
        },
    );
    let meta = world.send(&[ix], &[&patient]).expect("grant");
    let address = cx::consent_address(
        &patient.pubkey(),
        &insurer.pubkey(),
        ConsentPurpose::Payment,
    );
    let consent: Consent = world.account(&address);
    assert_eq!(
        (consent.patient, consent.grantee, consent.purpose),
        (patient.pubkey(), insurer.pubkey(), ConsentPurpose::Payment)
    );
    assert_eq!(consent.terms(), terms);
    assert_eq!(
        (consent.status, consent.consent_version, consent.signed_via),
        (ConsentStatus::Active, 1, SignedVia::Patient)
    );
    assert_eq!(
        (consent.version, consent.granted_at, consent.revoked_at),
        (1, world.now(), None)
    );
    let event = &World::events::<ConsentChanged>(&meta)[0];
    assert_eq!(
        (event.old, event.new.consent_version, event.actor),
        (None, 1, patient.pubkey())
    );

    // Updating narrows the kinds and bumps the version; the event shows both states.
    let narrower = ConsentTerms {
        kinds: records::state::RecordKind::LabResult.bit(),
        ..terms
    };
    let ix = cx::grant_consent(
        &world.payer.pubkey(),
        &patient.pubkey(),
        &patient.pubkey(),
        &insurer.pubkey(),
        GrantConsentArgs {
            purpose: ConsentPurpose::Payment,
            terms: narrower,
        },
    );
    let meta = world.send(&[ix], &[&patient]).expect("update");
    let event = &World::events::<ConsentChanged>(&meta)[0];
    assert_eq!(event.old.unwrap().terms.kinds, kinds::ALL);
    assert_eq!(
        (event.new.terms.kinds, event.new.consent_version),
        (narrower.kinds, 2)
    );
    assert_eq!(world.account::<Consent>(&address).consent_version, 2);

    let ix = cx::revoke_consent(
        &patient.pubkey(),
        &patient.pubkey(),
        &insurer.pubkey(),
        ConsentPurpose::Payment,
    );
    let meta = world.send(&[ix], &[&patient]).expect("revoke");
    let consent: Consent = world.account(&address);
    assert_eq!(
        (consent.status, consent.consent_version, consent.revoked_at),
        (ConsentStatus::Revoked, 3, Some(world.now()))
    );
    let event = &World::events::<ConsentChanged>(&meta)[0];
    assert_eq!(
        (event.old.unwrap().status, event.new.status),
        (ConsentStatus::Active, ConsentStatus::Revoked)
    );

    let ix = cx::revoke_consent(
        &patient.pubkey(),
        &patient.pubkey(),
        &insurer.pubkey(),
        ConsentPurpose::Payment,
    );
    custom_error(world.send(&[ix], &[&patient]), ConsentError::AlreadyRevoked);

    // Not within a day of the last change: messages signed for it may still be live.
    let ix = cx::close_consent(
        &patient.pubkey(),
        &patient.pubkey(),
        &insurer.pubkey(),
        ConsentPurpose::Payment,
        &world.payer.pubkey(),
    );
    custom_error(world.send(&[ix], &[&patient]), ConsentError::CloseTooEarly);
    world.warp(DAY);
    let payer = world.payer.pubkey();
    let rent = world.lamports(&address);
    let before = world.lamports(&payer);
    let ix = cx::close_consent(
        &patient.pubkey(),
        &patient.pubkey(),
        &insurer.pubkey(),
        ConsentPurpose::Payment,
        &payer,
    );
    let epoch = cx::consent_epoch_address(&patient.pubkey());
    assert_eq!(world.account::<ConsentEpoch>(&epoch).epoch, 0);
    let meta = world.send(&[ix], &[&patient]).expect("close");
    assert!(!world.exists(&address));
    assert_eq!(world.lamports(&payer), before + rent - meta.fee);
    // The close moved the patient's consent epoch on.
    assert_eq!(world.account::<ConsentEpoch>(&epoch).epoch, 1);
    let moved = &World::events::<ConsentEpochChanged>(&meta)[0];
    assert_eq!(
        (moved.patient, moved.old, moved.new),
        (patient.pubkey(), Some(0), 1)
    );
}

#[test]
fn consent_terms_are_checked() {
    let mut world = World::new();
    let insurer = world.insurer();
    let patient = world.patient();
    let base = world.consent_terms();
    let cases = [
        (
            ConsentTerms { kinds: 0, ..base },
            ConsentError::InvalidKinds,
        ),
        (
            ConsentTerms {
                kinds: 1 << 11,
                ..base
            },
            ConsentError::InvalidKinds,
        ),
        (
            ConsentTerms { actions: 0, ..base },
            ConsentError::InvalidActions,
        ),
        (
            ConsentTerms { actions: 4, ..base },
            ConsentError::InvalidActions,
        ),
        (
            ConsentTerms {
                period_end: base.period_start,
                ..base
            },
            ConsentError::InvalidPeriod,
        ),
        // Already over.
        (
            ConsentTerms {
                period_start: base.period_start - 10 * DAY,
                period_end: base.period_start,
                ..base
            },
            ConsentError::ConsentPeriodOver,
        ),
        (
            ConsentTerms {
                period_start: i64::MIN,
                period_end: i64::MIN + 1,
                ..base
            },
            ConsentError::ConsentPeriodOver,
        ),
        // Longer than five years, from now or from long ago.
        (
            ConsentTerms {
                period_end: base.period_start + MAX_CONSENT_DURATION + 1,
                ..base
            },
            ConsentError::ConsentPeriodTooLong,
        ),
        (
            ConsentTerms {
                period_start: i64::MIN,
                ..base
            },
            ConsentError::ConsentPeriodTooLong,
        ),
        // Practically forever (the black-box run had a policy accepted
        // until the year 273790702725).
        (
            ConsentTerms {
                period_end: i64::MAX,
                ..base
            },
            ConsentError::ConsentPeriodTooLong,
        ),
        // Five years long, but starting in a year: it would end too late.
        (
            ConsentTerms {
                period_start: base.period_start + 365 * DAY,
                period_end: base.period_start + 365 * DAY + MAX_CONSENT_DURATION,
                ..base
            },
            ConsentError::ConsentPeriodEndsTooLate,
        ),
    ];
    for (terms, expected) in cases {
        let ix = cx::grant_consent(
            &world.payer.pubkey(),
            &patient.pubkey(),
            &patient.pubkey(),
            &insurer.pubkey(),
            GrantConsentArgs {
                purpose: ConsentPurpose::Research,
                terms,
            },
        );
        custom_error(world.send(&[ix], &[&patient]), expected);
    }
    assert!(!world.exists(&cx::consent_address(
        &patient.pubkey(),
        &insurer.pubkey(),
        ConsentPurpose::Research
    )));
}

#[test]
fn a_consent_period_of_exactly_five_years_from_now_is_accepted() {
    let mut world = World::new();
    let insurer = world.insurer();
    let patient = world.patient();
    let now = world.now();
    let terms = ConsentTerms {
        period_start: now,
        period_end: now + MAX_CONSENT_DURATION,
        ..world.consent_terms()
    };
    let ix = cx::grant_consent(
        &world.payer.pubkey(),
        &patient.pubkey(),
        &patient.pubkey(),
        &insurer.pubkey(),
        GrantConsentArgs {
            purpose: ConsentPurpose::Research,
            terms,
        },
    );
    world.send(&[ix], &[&patient]).expect("five years");
    let consent: Consent = world.account(&cx::consent_address(
        &patient.pubkey(),
        &insurer.pubkey(),
        ConsentPurpose::Research,
    ));
    assert_eq!(consent.period_end - consent.period_start, 5 * 365 * DAY);
}

#[test]
fn consent_goes_only_to_registered_entities() {
    let mut world = World::new();
    let patient = world.patient();
    let stranger = world.wallet();
    let terms = world.consent_terms();
    let ix = cx::grant_consent(
        &world.payer.pubkey(),
        &patient.pubkey(),
        &patient.pubkey(),
        &stranger.pubkey(),
        GrantConsentArgs {
            purpose: ConsentPurpose::Treatment,
            terms,
        },
    );
    custom_error(
        world.send(&[ix], &[&patient]),
        Anchor::AccountNotInitialized,
    );
    // A Patient account passed as the grantee entity (type cosplay).
    let other = world.patient();
    let mut ix = cx::grant_consent(
        &world.payer.pubkey(),
        &patient.pubkey(),
        &patient.pubkey(),
        &other.pubkey(),
        GrantConsentArgs {
            purpose: ConsentPurpose::Treatment,
            terms,
        },
    );
    ix.accounts[3].pubkey = records::pda::patient(&other.pubkey()).0;
    custom_error(
        world.send(&[ix], &[&patient]),
        Anchor::AccountDiscriminatorMismatch,
    );
}

#[test]
fn a_guardian_consents_until_removed() {
    let mut world = World::new();
    let researcher = world.entity(EntityKind::Researcher);
    let (patient, guardian) = world.patient_with_guardian();
    let terms = world.consent_terms();
    let grant = |world: &World| {
        cx::grant_consent(
            &world.payer.pubkey(),
            &guardian.pubkey(),
            &patient.pubkey(),
            &researcher.pubkey(),
            GrantConsentArgs {
                purpose: ConsentPurpose::Research,
                terms,
            },
        )
    };
    let meta = world
        .send(&[grant(&world)], &[&guardian])
        .expect("guardian consents");
    assert_eq!(
        World::events::<ConsentChanged>(&meta)[0].new.signed_via,
        SignedVia::Guardian
    );

    let ix = rx::set_guardian(&patient.pubkey(), None, [0; 32]);
    world.send(&[ix], &[&patient]).expect("remove guardian");
    custom_error(
        world.send(&[grant(&world)], &[&guardian]),
        ConsentError::NotPatientOrGuardian,
    );
    let ix = cx::revoke_consent(
        &guardian.pubkey(),
        &patient.pubkey(),
        &researcher.pubkey(),
        ConsentPurpose::Research,
    );
    custom_error(
        world.send(&[ix], &[&guardian]),
        ConsentError::NotPatientOrGuardian,
    );
    let address = cx::consent_address(
        &patient.pubkey(),
        &researcher.pubkey(),
        ConsentPurpose::Research,
    );
    assert_eq!(world.account::<Consent>(&address).consent_version, 1);
}

#[test]
fn nobody_revokes_or_closes_someone_elses_consent() {
    let mut world = World::new();
    let insurer = world.insurer();
    let victim = world.patient();
    let attacker = world.patient();
    let address = world.consent(&victim, &insurer.pubkey(), ConsentPurpose::Payment);

    // The attacker signs for the victim's profile.
    let ix = cx::revoke_consent(
        &attacker.pubkey(),
        &victim.pubkey(),
        &insurer.pubkey(),
        ConsentPurpose::Payment,
    );
    custom_error(
        world.send(&[ix], &[&attacker]),
        ConsentError::NotPatientOrGuardian,
    );
    // The attacker passes their own profile with the victim's consent.
    let mut ix = cx::revoke_consent(
        &attacker.pubkey(),
        &attacker.pubkey(),
        &insurer.pubkey(),
        ConsentPurpose::Payment,
    );
    ix.accounts[2].pubkey = address;
    custom_error(
        world.send(&[ix], &[&attacker]),
        ConsentError::NotPatientOrGuardian,
    );
    let mut ix = cx::close_consent(
        &attacker.pubkey(),
        &attacker.pubkey(),
        &insurer.pubkey(),
        ConsentPurpose::Payment,
        &world.payer.pubkey(),
    );
    ix.accounts[2].pubkey = address;
    ix.accounts[3].pubkey = cx::consent_epoch_address(&victim.pubkey());
    custom_error(
        world.send(&[ix], &[&attacker]),
        ConsentError::NotPatientOrGuardian,
    );
    let consent: Consent = world.account(&address);
    assert_eq!(
        (consent.status, consent.consent_version),
        (ConsentStatus::Active, 1)
    );
}

#[test]
fn an_active_consent_is_closed_only_after_its_period() {
    let mut world = World::new();
    let insurer = world.insurer();
    let patient = world.patient();
    let address = world.consent(&patient, &insurer.pubkey(), ConsentPurpose::Payment);
    let payer = world.payer.pubkey();
    let close = |world: &World| {
        cx::close_consent(
            &patient.pubkey(),
            &patient.pubkey(),
            &insurer.pubkey(),
            ConsentPurpose::Payment,
            &world.payer.pubkey(),
        )
    };
    custom_error(
        world.send(&[close(&world)], &[&patient]),
        ConsentError::ConsentStillActive,
    );
    world.warp(365 * DAY);
    let ix = cx::close_consent(
        &patient.pubkey(),
        &patient.pubkey(),
        &insurer.pubkey(),
        ConsentPurpose::Payment,
        &patient.pubkey(),
    );
    custom_error(
        world.send(&[ix], &[&patient]),
        ConsentError::RentPayerMismatch,
    );
    world
        .send(&[close(&world)], &[&patient])
        .expect("close ended consent");
    assert!(!world.exists(&address));
    let _ = payer;
}

#[test]
fn a_consent_is_rent_exempt_at_its_exact_size() {
    use anchor_lang::Space;
    let mut world = World::new();
    let insurer = world.insurer();
    let patient = world.patient();
    let address = world.consent(&patient, &insurer.pubkey(), ConsentPurpose::Payment);
    let account = world.raw(&address).unwrap();
    assert_eq!(account.data.len(), 8 + Consent::INIT_SPACE);
    assert_eq!(
        account.lamports,
        world
            .svm
            .minimum_balance_for_rent_exemption(account.data.len())
    );
    println!(
        "| Consent | {} | {} |",
        account.data.len(),
        account.lamports
    );
    let epoch = world
        .raw(&cx::consent_epoch_address(&patient.pubkey()))
        .unwrap();
    assert_eq!(epoch.data.len(), 8 + ConsentEpoch::INIT_SPACE);
    assert_eq!(
        epoch.lamports,
        world
            .svm
            .minimum_balance_for_rent_exemption(epoch.data.len())
    );
    println!(
        "| ConsentEpoch | {} | {} |",
        epoch.data.len(),
        epoch.lamports
    );
}

#[test]
fn a_patient_cannot_consent_to_themselves() {
    let mut world = World::new();
    let patient = world.patient();
    // The patient's own key also registered as an entity.
    let admin = world.admin.insecure_clone();
    let args = world.entity_args(EntityKind::Researcher);
    let ix = rx::register_entity(
        &world.payer.pubkey(),
        &admin.pubkey(),
        &patient.pubkey(),
        args,
    );
    world.send(&[ix], &[&admin, &patient]).expect("register");
    let terms = world.consent_terms();
    let ix = cx::grant_consent(
        &world.payer.pubkey(),
        &patient.pubkey(),
        &patient.pubkey(),
        &patient.pubkey(),
        GrantConsentArgs {
            purpose: ConsentPurpose::Research,
            terms,
        },
    );
    custom_error(
        world.send(&[ix], &[&patient]),
        ConsentError::GranteeIsPatient,
    );
}

#[test]
fn neither_the_grantee_nor_a_relayer_closes_a_consent() {
    let mut world = World::new();
    let insurer = world.insurer();
    let patient = world.patient();
    world.consent(&patient, &insurer.pubkey(), ConsentPurpose::Payment);
    let ix = cx::revoke_consent(
        &patient.pubkey(),
        &patient.pubkey(),
        &insurer.pubkey(),
        ConsentPurpose::Payment,
    );
    world.send(&[ix], &[&patient]).expect("revoke");
    world.warp(DAY);
    let relayer = world.wallet();
    for actor in [&insurer, &relayer] {
        let ix = cx::close_consent(
            &actor.pubkey(),
            &patient.pubkey(),
            &insurer.pubkey(),
            ConsentPurpose::Payment,
            &world.payer.pubkey(),
        );
        custom_error(
            world.send(&[ix], &[actor]),
            ConsentError::NotPatientOrGuardian,
        );
    }
}

/// The patient grants `terms` to `grantee` for Payment, directly.
fn grant(world: &mut World, patient: &Keypair, grantee: &Pubkey, terms: ConsentTerms) -> TxResult {
    let ix = cx::grant_consent(
        &world.payer.pubkey(),
        &patient.pubkey(),
        &patient.pubkey(),
        grantee,
        GrantConsentArgs {
            purpose: ConsentPurpose::Payment,
            terms,
        },
    );
    world.send(&[ix], &[patient])
}

#[test]
fn a_permit_goes_only_to_an_active_unexpired_entity() {
    let mut world = World::new();
    let patient = world.patient();
    let terms = world.consent_terms();
    let suspended = world.insurer();
    world.set_status(&suspended.pubkey(), EntityStatus::Suspended);
    let revoked = world.insurer();
    world.set_status(&revoked.pubkey(), EntityStatus::Revoked);
    for grantee in [&suspended, &revoked] {
        custom_error(
            grant(&mut world, &patient, &grantee.pubkey(), terms),
            ConsentError::GranteeNotActive,
        );
        assert!(!world.exists(&cx::consent_address(
            &patient.pubkey(),
            &grantee.pubkey(),
            ConsentPurpose::Payment
        )));
    }
    // Nothing at all was created: not even the patient's consent epoch.
    assert!(!world.exists(&cx::consent_epoch_address(&patient.pubkey())));

    // A credential past its validity: expired, though its status is Active.
    let expiring = world.insurer();
    world.warp(365 * DAY);
    let terms = world.consent_terms();
    custom_error(
        grant(&mut world, &patient, &expiring.pubkey(), terms),
        ConsentError::GranteeNotActive,
    );
    assert!(!world.exists(&cx::consent_address(
        &patient.pubkey(),
        &expiring.pubkey(),
        ConsentPurpose::Payment
    )));

    // A Deny only protects the patient: it is accepted whatever the status.
    let deny = ConsentTerms {
        decision: Decision::Deny,
        ..terms
    };
    grant(&mut world, &patient, &suspended.pubkey(), deny).expect("deny a suspended entity");
    let address = cx::consent_address(
        &patient.pubkey(),
        &suspended.pubkey(),
        ConsentPurpose::Payment,
    );
    assert_eq!(world.account::<Consent>(&address).decision, Decision::Deny);
    // Turning that Deny into a Permit while the entity is suspended: refused.
    custom_error(
        grant(&mut world, &patient, &suspended.pubkey(), terms),
        ConsentError::GranteeNotActive,
    );
    let consent: Consent = world.account(&address);
    assert_eq!(
        (consent.decision, consent.consent_version),
        (Decision::Deny, 1)
    );
}

#[test]
fn a_permit_cannot_be_renewed_once_the_entity_is_suspended() {
    let mut world = World::new();
    let patient = world.patient();
    let insurer = world.insurer();
    let address = world.consent(&patient, &insurer.pubkey(), ConsentPurpose::Payment);
    world.set_status(&insurer.pubkey(), EntityStatus::Suspended);
    let wider = ConsentTerms {
        actions: actions::ALL,
        ..world.consent_terms()
    };
    custom_error(
        grant(&mut world, &patient, &insurer.pubkey(), wider),
        ConsentError::GranteeNotActive,
    );
    let consent: Consent = world.account(&address);
    assert_eq!(
        (consent.actions, consent.consent_version),
        (actions::ACCESS, 1)
    );
    // Revoking needs no active grantee.
    let ix = cx::revoke_consent(
        &patient.pubkey(),
        &patient.pubkey(),
        &insurer.pubkey(),
        ConsentPurpose::Payment,
    );
    world.send(&[ix], &[&patient]).expect("revoke");
    // Once reinstated, the patient may consent again.
    world.set_status(&insurer.pubkey(), EntityStatus::Active);
    let terms = world.consent_terms();
    grant(&mut world, &patient, &insurer.pubkey(), terms).expect("consent again");
    assert_eq!(
        world.account::<Consent>(&address).status,
        ConsentStatus::Active
    );
}

#[test]
fn the_first_consent_creates_the_patients_consent_epoch_once() {
    let mut world = World::new();
    let patient = world.patient();
    let insurer = world.insurer();
    let lab = world.lab();
    let epoch = cx::consent_epoch_address(&patient.pubkey());
    let terms = world.consent_terms();
    let meta = grant(&mut world, &patient, &insurer.pubkey(), terms).expect("first consent");
    let created = &World::events::<ConsentEpochChanged>(&meta)[0];
    assert_eq!(
        (
            created.patient,
            created.consent_epoch,
            created.old,
            created.new
        ),
        (patient.pubkey(), epoch, None, 0)
    );
    let account: ConsentEpoch = world.account(&epoch);
    assert_eq!((account.patient, account.epoch), (patient.pubkey(), 0));
    // A second consent reuses it and emits no epoch event.
    let meta = grant(&mut world, &patient, &lab.pubkey(), terms).expect("second consent");
    assert!(World::events::<ConsentEpochChanged>(&meta).is_empty());
    assert_eq!(world.account::<ConsentEpoch>(&epoch).epoch, 0);
}
