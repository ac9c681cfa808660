//! Security review of entity staff (issue 17): every account, instruction
//! and rule of member mode is attacked. Each refusal asserts its exact error
//! and that no account byte or balance changed; a seeded random sequence
//! drives the member lifecycle and member actions against a model.

use {
    anchor_lang::{error::ErrorCode as Anchor, prelude::Pubkey, AccountSerialize},
    panacea_sdk::{records as rx, ActingKeys},
    panacea_tests::{assert::*, members::*, *},
    records::{
        errors::RecordsError,
        events::{AccessLogged, RecordIssued},
        instructions::*,
        pda,
        state::*,
    },
    solana_instruction::{AccountMeta, Instruction},
    solana_keypair::Keypair,
    solana_signer::Signer,
};

/// The rent of a 201-byte `Member` account.
const MEMBER_RENT: u64 = 2_289_840;

fn m(member: &Keypair, entity: &Keypair) -> ActingKeys {
    ActingKeys::member(member.pubkey(), entity.pubkey())
}

fn issue_by(by: ActingKeys, patient: &Pubkey) -> (Instruction, Pubkey) {
    let args = World::issue_args(RecordKind::LabResult);
    let address = World::record_address(patient, &args.record_id);
    (rx::issue_record(by, patient, args), address)
}

fn break_glass_by(world: &World, by: ActingKeys, patient: &Pubkey) -> Instruction {
    rx::emergency_access(
        &world.payer.pubkey(),
        by,
        patient,
        EmergencyAccessArgs {
            reason_code: 1,
            duration: 3600,
        },
    )
}

fn request_args(purpose: Purpose) -> RequestAccessArgs {
    RequestAccessArgs {
        scope: GrantScope::Patient,
        kinds: kinds::ALL,
        permissions: permissions::READ,
        purpose,
        duration: 7 * DAY,
        reason_code: 12,
        leaf: None,
    }
}

fn request_by(world: &World, by: ActingKeys, patient: &Pubkey, purpose: Purpose) -> Instruction {
    let target = pda::patient(patient).0;
    rx::request_access(
        &world.payer.pubkey(),
        by,
        patient,
        &target,
        request_args(purpose),
    )
}

/// The last remaining account of `ix` replaced by `with`.
fn replace_last(mut ix: Instruction, with: Pubkey) -> Instruction {
    let last = ix.accounts.len() - 1;
    ix.accounts[last].pubkey = with;
    ix
}

/// A forged `Member` (a copy of `real` with `owner`) at a fresh address.
fn forge(world: &mut World, real: &Pubkey, owner: Pubkey) -> Pubkey {
    let mut account = world.raw(real).expect("a real account to copy");
    account.owner = owner;
    let address = Keypair::new().pubkey();
    world.svm.set_account(address, account).expect("forge");
    address
}

/// One patient with the hospital as care link, and the hospital.
fn hospital_and_patient(world: &mut World) -> (Keypair, Keypair) {
    let hospital = world.provider();
    let patient = world.patient();
    world.authorize_issuer(&patient, &hospital.pubkey());
    (hospital, patient)
}

#[test]
fn member_accounts_of_the_wrong_type_owner_or_entity_are_refused() {
    let mut world = World::new();
    let (hospital, patient) = hospital_and_patient(&mut world);
    let (h, p) = (hospital.pubkey(), patient.pubkey());
    let clinician = world.member(&hospital, roles::CLINICIAN);
    let clinic = world.provider();
    let real = member_address(&h, &clinician.pubkey());
    let record = {
        let (ix, address) = issue_by(ActingKeys::authority(h), &p);
        world.send(&[ix], &[&hospital]).expect("issue");
        address
    };
    let system_owned = forge(&mut world, &real, anchor_lang::system_program::ID);
    let consent_owned = forge(&mut world, &real, consent::ID);
    let claims_owned = forge(&mut world, &real, claims::ID);
    let snapshot = world.snapshot(&[
        real,
        pda::entity(&h).0,
        pda::patient(&p).0,
        pda::record_book_account(&p),
        clinician.pubkey(),
    ]);
    // In the Member slot: the Entity, a Record, the member's own wallet,
    // copies of the Member owned by other programs, an empty address.
    let wrong = [
        pda::entity(&h).0,
        record,
        clinician.pubkey(),
        system_owned,
        consent_owned,
        claims_owned,
        Keypair::new().pubkey(),
    ];
    for account in wrong {
        let (ix, address) = issue_by(m(&clinician, &hospital), &p);
        let ix = replace_last(ix, account);
        custom_error(
            world.send(&[ix], &[&clinician]),
            RecordsError::MemberNotFound,
        );
        assert!(!world.exists(&address));
        world.assert_unchanged(&snapshot);
    }
    // The hospital's clinician acting for the clinic (which the patient
    // also chose): its Member is the hospital's.
    world.authorize_issuer(&patient, &clinic.pubkey());
    let (ix, _) = issue_by(ActingKeys::member(clinician.pubkey(), clinic.pubkey()), &p);
    let ix = replace_last(ix, real);
    custom_error(
        world.send(&[ix], &[&clinician]),
        RecordsError::MemberOfAnotherEntity,
    );
    world.assert_unchanged(&snapshot);
    // The clinic's Entity under the hospital's care link: the seeds say no.
    let (mut ix, _) = issue_by(m(&clinician, &hospital), &p);
    ix.accounts[1].pubkey = pda::entity(&clinic.pubkey()).0;
    custom_error(world.send(&[ix], &[&clinician]), Anchor::ConstraintSeeds);
    world.assert_unchanged(&snapshot);
}

#[test]
fn the_entity_slot_of_a_member_is_checked_for_type_owner_and_authority() {
    // cancel_access_request takes [Member, Entity]: every wrong Entity.
    let mut world = World::new();
    let hospital = world.provider();
    let clinic = world.provider();
    let (h, c) = (hospital.pubkey(), clinic.pubkey());
    let patient = world.patient();
    let p = patient.pubkey();
    let nurse = world.member(&hospital, roles::NURSE);
    let clinic_nurse = world.member(&clinic, roles::NURSE);
    let target = pda::patient(&p).0;
    let ix = request_by(&world, m(&nurse, &hospital), &p, Purpose::Treatment);
    world.send(&[ix], &[&nurse]).expect("request");
    let request = pda::access_request(&p, &h, &target).0;
    let entity = pda::entity(&h).0;
    let forged_entity = forge(&mut world, &entity, anchor_lang::system_program::ID);
    let payer = world.payer.pubkey();
    let snapshot = world.snapshot(&[request, entity, nurse.pubkey()]);
    let cancel = |closer: ActingKeys| rx::cancel_access_request(closer, &p, &h, &target, &payer);
    let with_entity = |entity_slot: Pubkey| replace_last(cancel(m(&nurse, &hospital)), entity_slot);
    // In the Entity slot: the Member itself, an Entity copy owned by the
    // system program, another entity, the patient's profile.
    for wrong in [
        member_address(&h, &nurse.pubkey()),
        forged_entity,
        pda::entity(&c).0,
        pda::patient(&p).0,
    ] {
        custom_error(
            world.send(&[with_entity(wrong)], &[&nurse]),
            RecordsError::MemberOfAnotherEntity,
        );
        world.assert_unchanged(&snapshot);
    }
    // Entity first, then Member: the order is part of the convention.
    let mut ix = cancel(ActingKeys::authority(h));
    ix.accounts[0].pubkey = nurse.pubkey();
    ix.accounts.push(AccountMeta::new_readonly(entity, false));
    ix.accounts.push(AccountMeta::new_readonly(
        member_address(&h, &nurse.pubkey()),
        false,
    ));
    custom_error(world.send(&[ix], &[&nurse]), RecordsError::MemberNotFound);
    world.assert_unchanged(&snapshot);
    // The clinic's nurse with its own Member and Entity: another entity.
    let mut ix = cancel(m(&clinic_nurse, &clinic));
    ix.accounts[0].pubkey = clinic_nurse.pubkey();
    custom_error(
        world.send(&[ix], &[&clinic_nurse]),
        RecordsError::MemberOfAnotherEntity,
    );
    world.assert_unchanged(&snapshot);
}

#[test]
fn the_authority_with_an_injected_member_account_acts_as_itself() {
    // actor_member cannot be forged: the authority path ignores a Member
    // passed beside it, and a signer never borrows another member's account.
    let mut world = World::new();
    let (hospital, patient) = hospital_and_patient(&mut world);
    let (h, p) = (hospital.pubkey(), patient.pubkey());
    let clinician = world.member(&hospital, roles::CLINICIAN);
    let (mut ix, address) = issue_by(ActingKeys::authority(h), &p);
    ix.accounts.push(AccountMeta::new_readonly(
        member_address(&h, &clinician.pubkey()),
        false,
    ));
    let meta = world.send(&[ix], &[&hospital]).expect("authority issues");
    let issued = World::events::<RecordIssued>(&meta);
    assert_eq!((issued[0].issuer, issued[0].actor_member), (h, None));
    assert_eq!(world.account::<Record>(&address).issuer, h);

    // The clinician's account under another signer: NotThisMember.
    let stranger = world.wallet();
    let snapshot = world.snapshot(&[pda::record_book_account(&p), stranger.pubkey()]);
    let (ix, _) = issue_by(ActingKeys::member(stranger.pubkey(), h), &p);
    let ix = replace_last(ix, member_address(&h, &clinician.pubkey()));
    custom_error(world.send(&[ix], &[&stranger]), RecordsError::NotThisMember);
    world.assert_unchanged(&snapshot);
}

#[test]
fn a_closed_member_revived_in_the_same_transaction_or_by_lamports_is_refused() {
    let mut world = World::new();
    let (hospital, patient) = hospital_and_patient(&mut world);
    let (h, p) = (hospital.pubkey(), patient.pubkey());
    let clinician = world.member(&hospital, roles::CLINICIAN);
    let address = member_address(&h, &clinician.pubkey());
    let payer = world.payer.pubkey();
    let snapshot = world.snapshot(&[address, pda::record_book_account(&p), clinician.pubkey()]);

    // close, refill the address, act: all in one transaction.
    let close = close_member(&h, &h, &clinician.pubkey(), &payer);
    let refill =
        anchor_lang::solana_program::system_instruction::transfer(&payer, &address, MEMBER_RENT);
    let (act, record) = issue_by(m(&clinician, &hospital), &p);
    custom_error(
        world.send(&[close, refill, act], &[&hospital, &clinician]),
        RecordsError::MemberNotFound,
    );
    assert!(!world.exists(&record));
    world.assert_unchanged(&snapshot);

    // Closed, then lamports sent to its address: a system account, no Member.
    let close = close_member(&h, &h, &clinician.pubkey(), &payer);
    world.send(&[close], &[&hospital]).expect("close");
    let refill =
        anchor_lang::solana_program::system_instruction::transfer(&payer, &address, MEMBER_RENT);
    world.send(&[refill], &[]).expect("refill");
    let snapshot = world.snapshot(&[address, pda::record_book_account(&p), clinician.pubkey()]);
    let (act, _) = issue_by(m(&clinician, &hospital), &p);
    custom_error(
        world.send(&[act], &[&clinician]),
        RecordsError::MemberNotFound,
    );
    world.assert_unchanged(&snapshot);
    // add_member still creates it at the refilled address (no griefing).
    let ix = add_member(
        &payer,
        &h,
        &h,
        world.member_args(&clinician.pubkey(), roles::NURSE),
    );
    world.send(&[ix], &[&hospital]).expect("re-added");
    let state: Member = world.account(&address);
    assert_eq!((state.roles, state.revision), (roles::NURSE, 1));
    assert_eq!(
        state.bump,
        pda::member(&pda::entity(&h).0, &clinician.pubkey()).1
    );
    // It acts as what it is now: a nurse does not issue.
    let (act, _) = issue_by(m(&clinician, &hospital), &p);
    custom_error(
        world.send(&[act], &[&clinician]),
        RecordsError::RoleNotAllowed,
    );
}

#[test]
fn add_member_never_reinitialises_an_existing_member() {
    let mut world = World::new();
    let hospital = world.provider();
    let h = hospital.pubkey();
    let admin = world.member(&hospital, roles::ENTITY_ADMIN);
    let suspended = world.member(&hospital, roles::NURSE);
    world.set_member_status(&hospital, &suspended.pubkey(), StatusMove::Suspend);
    let expired = world.member(&hospital, roles::NURSE);
    let revoked = world.member(&hospital, roles::NURSE);
    world.set_member_status(&hospital, &revoked.pubkey(), StatusMove::Revoke);
    let active = world.member(&hospital, roles::NURSE);
    world.warp(91 * DAY);
    // The authority re-validates the admin so that it may act now.
    let ix = update_member(
        &h,
        &h,
        &admin.pubkey(),
        UpdateMemberArgs {
            roles: None,
            valid_until: Some(world.now() + DAY),
            credential_commitment: None,
        },
    );
    world.send(&[ix], &[&hospital]).expect("renew admin");
    let ix = update_member(
        &h,
        &h,
        &active.pubkey(),
        UpdateMemberArgs {
            roles: None,
            valid_until: Some(world.now() + DAY),
            credential_commitment: None,
        },
    );
    world.send(&[ix], &[&hospital]).expect("renew active");
    let everyone: Vec<Pubkey> = [&admin, &suspended, &expired, &revoked, &active]
        .iter()
        .map(|k| member_address(&h, &k.pubkey()))
        .collect();
    let snapshot = world.snapshot(&everyone);
    let cases = [
        (&suspended, RecordsError::MemberAlreadyExists),
        (&expired, RecordsError::MemberAlreadyExists),
        (&active, RecordsError::MemberAlreadyExists),
        (&revoked, RecordsError::MemberRevoked),
    ];
    for (key, error) in cases {
        for by in [&hospital, &admin] {
            let mut args = world.member_args(&key.pubkey(), roles::CLINICIAN);
            args.credential_commitment = [9; 32];
            let ix = add_member(&by.pubkey(), &by.pubkey(), &h, args);
            custom_error(world.send_paid_by(by, &[ix], &[]), error);
            world.assert_unchanged(&snapshot);
        }
    }
    // The admin re-adding itself (with more roles) is its own account.
    let args = world.member_args(&admin.pubkey(), roles::ALL);
    let ix = add_member(&admin.pubkey(), &admin.pubkey(), &h, args);
    custom_error(
        world.send_paid_by(&admin, &[ix], &[]),
        RecordsError::MemberAlreadyExists,
    );
    world.assert_unchanged(&snapshot);
}

#[test]
fn a_member_acts_until_one_second_before_valid_until_then_is_refused_everywhere() {
    let mut world = World::new();
    let (hospital, patient) = hospital_and_patient(&mut world);
    let (h, p) = (hospital.pubkey(), patient.pubkey());
    let clinician = world.member(&hospital, roles::CLINICIAN | roles::NURSE);
    let record = {
        let (ix, address) = issue_by(ActingKeys::authority(h), &p);
        world.send(&[ix], &[&hospital]).expect("issue");
        address
    };
    let grant = world.grant_record(&patient, &h, &record, permissions::READ, 200 * DAY);
    let valid_until: Member = world.account(&member_address(&h, &clinician.pubkey()));
    let valid_until = valid_until.valid_until;
    world.warp(valid_until - world.now() - 1);
    let ix = rx::log_access(m(&clinician, &hospital), &grant, &record);
    world.send(&[ix], &[&clinician]).expect("one second before");

    for late in [0, 1] {
        world.warp(valid_until + late - world.now());
        assert_eq!(world.now(), valid_until + late);
        let other = world.patient();
        let snapshot = world.snapshot(&[
            grant,
            record,
            pda::record_book_account(&p),
            pda::patient(&other.pubkey()).0,
            clinician.pubkey(),
        ]);
        let (issue, _) = issue_by(m(&clinician, &hospital), &p);
        let attempts = [
            issue,
            rx::log_access(m(&clinician, &hospital), &grant, &record),
            break_glass_by(&world, m(&clinician, &hospital), &other.pubkey()),
            request_by(
                &world,
                m(&clinician, &hospital),
                &other.pubkey(),
                Purpose::Treatment,
            ),
        ];
        for ix in attempts {
            custom_error(
                world.send(&[ix], &[&clinician]),
                RecordsError::MemberExpired,
            );
            world.assert_unchanged(&snapshot);
        }
    }
    // The authority renews it: it acts again; its authority never expired.
    let ix = update_member(
        &h,
        &h,
        &clinician.pubkey(),
        UpdateMemberArgs {
            roles: None,
            valid_until: Some(world.now() + DAY),
            credential_commitment: None,
        },
    );
    world.send(&[ix], &[&hospital]).expect("renew");
    let ix = rx::log_access(m(&clinician, &hospital), &grant, &record);
    world.send(&[ix], &[&clinician]).expect("renewed");
    assert_eq!(world.account::<Grant>(&grant).access_count, 2);
}

/// What each single role may do in `records`: issue (ISSUE), break the
/// glass (BREAK_GLASS), request access for each purpose (`for_purpose`),
/// log a read under a Treatment grant (CARE).
#[test]
fn each_role_against_the_records_role_table() {
    let mut world = World::new();
    let (hospital, patient) = hospital_and_patient(&mut world);
    let (h, p) = (hospital.pubkey(), patient.pubkey());
    let record = {
        let (ix, address) = issue_by(ActingKeys::authority(h), &p);
        world.send(&[ix], &[&hospital]).expect("issue");
        address
    };
    let grant = world.grant_record(&patient, &h, &record, permissions::READ, 30 * DAY);
    #[derive(Clone, Copy, Debug)]
    enum Action {
        Issue,
        BreakGlass,
        Request(Purpose),
        Log,
    }
    let actions = [
        (Action::Issue, roles::ISSUE),
        (Action::BreakGlass, roles::BREAK_GLASS),
        (
            Action::Request(Purpose::Treatment),
            roles::for_purpose(Purpose::Treatment),
        ),
        (
            Action::Request(Purpose::Payment),
            roles::for_purpose(Purpose::Payment),
        ),
        (
            Action::Request(Purpose::Research),
            roles::for_purpose(Purpose::Research),
        ),
        (
            Action::Request(Purpose::Operations),
            roles::for_purpose(Purpose::Operations),
        ),
        (Action::Log, roles::for_purpose(Purpose::Treatment)),
    ];
    assert_eq!(
        roles::ISSUE,
        roles::CLINICIAN | roles::LAB_TECHNICIAN | roles::PHARMACIST
    );
    assert_eq!(roles::BREAK_GLASS, roles::CLINICIAN);
    assert_eq!(roles::for_purpose(Purpose::Research), roles::RESEARCHER);
    assert_eq!(
        roles::for_purpose(Purpose::Payment),
        roles::BILLING | roles::CLAIMS_ADJUDICATOR
    );
    let mut allowed_count = 0;
    for (role, name) in roles::NAMES {
        let member = world.member(&hospital, role);
        for (action, needs) in actions {
            let other = world.patient();
            let o = other.pubkey();
            let by = m(&member, &hospital);
            let (ix, created) = match action {
                Action::Issue => issue_by(by, &p),
                Action::BreakGlass => (
                    break_glass_by(&world, by, &o),
                    rx::emergency_grant_address(&o, &h),
                ),
                Action::Request(purpose) => (
                    request_by(&world, by, &o, purpose),
                    pda::access_request(&o, &h, &pda::patient(&o).0).0,
                ),
                Action::Log => (rx::log_access(by, &grant, &record), grant),
            };
            let snapshot = world.snapshot(&[
                created,
                grant,
                pda::record_book_account(&p),
                pda::patient(&o).0,
                member.pubkey(),
            ]);
            let result = world.send(&[ix], &[&member]);
            if role & needs != 0 {
                result.unwrap_or_else(|e| panic!("{name} may {action:?}: {:?}", e.err));
                assert!(world.exists(&created), "{name} {action:?}");
                allowed_count += 1;
            } else {
                custom_error(result, RecordsError::RoleNotAllowed);
                world.assert_unchanged(&snapshot);
            }
        }
    }
    // Clinician 5 (not Payment, not Research), Nurse 3 (request Treatment, Operations,
    // log), Pharmacist 4, LabTechnician 4, Billing 1, ClaimsAdjudicator 1,
    // Researcher 1, EntityAdmin 0.
    assert_eq!(allowed_count, 5 + 3 + 4 + 4 + 1 + 1 + 1);
    assert_eq!(world.account::<Grant>(&grant).access_count, 4);
}

#[test]
fn amending_and_retracting_need_an_issuing_role_of_the_issuing_entity() {
    let mut world = World::new();
    let (hospital, patient) = hospital_and_patient(&mut world);
    let (h, p) = (hospital.pubkey(), patient.pubkey());
    let clinic = world.provider();
    world.authorize_issuer(&patient, &clinic.pubkey());
    let researcher = world.member(&hospital, roles::RESEARCHER | roles::NURSE);
    let pharmacist = world.member(&hospital, roles::PHARMACIST);
    let clinic_clinician = world.member(&clinic, roles::CLINICIAN);
    let (ix, record) = issue_by(ActingKeys::authority(h), &p);
    world.send(&[ix], &[&hospital]).expect("issue");
    let amend = |by: ActingKeys| {
        rx::amend_record(
            by,
            &p,
            &record,
            None,
            AmendRecordArgs {
                record_id: random_id(),
                commitment: [1; 32],
                content_commitment: [2; 32],
            },
        )
    };
    let id = world.account::<Record>(&record).record_id;
    let snapshot = world.snapshot(&[record, pda::record_book_account(&p)]);
    custom_error(
        world.send(&[amend(m(&researcher, &hospital))], &[&researcher]),
        RecordsError::RoleNotAllowed,
    );
    world.assert_unchanged(&snapshot);
    let retract = rx::retract_record(m(&researcher, &hospital), &p, &id, None);
    custom_error(
        world.send(&[retract], &[&researcher]),
        RecordsError::RoleNotAllowed,
    );
    world.assert_unchanged(&snapshot);
    // A clinician of the clinic, acting for the clinic, is not the issuer.
    let retract = rx::retract_record(m(&clinic_clinician, &clinic), &p, &id, None);
    custom_error(
        world.send(&[retract], &[&clinic_clinician]),
        RecordsError::NotRecordIssuer,
    );
    world.assert_unchanged(&snapshot);
    // The pharmacist amends for the hospital: the new version is the hospital's.
    let ix = amend(m(&pharmacist, &hospital));
    let meta = world.send(&[ix], &[&pharmacist]).expect("amend");
    let issued = World::events::<RecordIssued>(&meta);
    assert_eq!(issued[0].issuer, h);
    assert_eq!(issued[0].actor_member, Some(pharmacist.pubkey()));
    assert_eq!(
        world.account::<Record>(&record).status,
        RecordStatus::Superseded
    );
}

#[test]
fn a_member_of_a_plain_wallet_grantee_is_of_another_entity() {
    let mut world = World::new();
    let (hospital, patient) = hospital_and_patient(&mut world);
    let (h, p) = (hospital.pubkey(), patient.pubkey());
    let relative = world.wallet();
    let clinician = world.member(&hospital, roles::CLINICIAN);
    let (ix, record) = issue_by(ActingKeys::authority(h), &p);
    world.send(&[ix], &[&hospital]).expect("issue");
    let grant = world.grant_record(
        &patient,
        &relative.pubkey(),
        &record,
        permissions::READ,
        DAY,
    );
    let snapshot = world.snapshot(&[grant, record, clinician.pubkey()]);
    let by_clinician = |with: &[Pubkey]| {
        let mut ix = rx::log_access(&relative.pubkey(), &grant, &record);
        ix.accounts[0].pubkey = clinician.pubkey();
        ix.accounts
            .extend(with.iter().map(|a| AccountMeta::new_readonly(*a, false)));
        ix
    };
    let member = member_address(&h, &clinician.pubkey());
    // The hospital's clinician naming the relative as its entity: there is none.
    custom_error(
        world.send(&[by_clinician(&[member])], &[&clinician]),
        RecordsError::MemberOfAnotherEntity,
    );
    world.assert_unchanged(&snapshot);
    // Adding its hospital's Entity does not help: only the Member is read.
    custom_error(
        world.send(&[by_clinician(&[member, pda::entity(&h).0])], &[&clinician]),
        RecordsError::MemberOfAnotherEntity,
    );
    world.assert_unchanged(&snapshot);
    custom_error(
        world.send(&[by_clinician(&[])], &[&clinician]),
        RecordsError::NotEntityAuthorityOrMember,
    );
    world.assert_unchanged(&snapshot);
    // The relative still reads.
    let ix = rx::log_access(&relative.pubkey(), &grant, &record);
    let meta = world.send(&[ix], &[&relative]).expect("relative reads");
    assert_eq!(World::events::<AccessLogged>(&meta)[0].actor_member, None);
}

#[test]
fn consent_is_to_the_entity_and_its_members_respect_it() {
    let mut world = World::new();
    let (hospital, patient) = hospital_and_patient(&mut world);
    let (h, p) = (hospital.pubkey(), patient.pubkey());
    let clinic = world.provider();
    let nurse = world.member(&hospital, roles::NURSE);
    let clinic_nurse = world.member(&clinic, roles::NURSE);
    let (ix, covered) = issue_by(ActingKeys::authority(h), &p);
    world.send(&[ix], &[&hospital]).expect("issue");
    let (ix, other) = issue_by(ActingKeys::authority(h), &p);
    world.send(&[ix], &[&hospital]).expect("issue");
    let grant = world.grant_record(&patient, &h, &covered, permissions::READ, DAY);
    let snapshot = world.snapshot(&[grant, covered, other, nurse.pubkey()]);
    // Only the record the patient chose.
    let ix = rx::log_access(m(&nurse, &hospital), &grant, &other);
    custom_error(
        world.send(&[ix], &[&nurse]),
        RecordsError::GrantDoesNotCoverRecord,
    );
    world.assert_unchanged(&snapshot);
    // Another entity's nurse under the hospital's grant.
    let mut ix = rx::log_access(m(&clinic_nurse, &clinic), &grant, &covered);
    ix.accounts[3].pubkey = pda::entity(&h).0;
    custom_error(
        world.send(&[ix], &[&clinic_nurse]),
        RecordsError::MemberOfAnotherEntity,
    );
    world.assert_unchanged(&snapshot);
    let ix = rx::log_access(m(&nurse, &hospital), &grant, &covered);
    world.send(&[ix], &[&nurse]).expect("the nurse reads");
    // The patient revokes: the members stop with the entity.
    let ix = rx::revoke_access(&p, &p, &grant);
    world.send(&[ix], &[&patient]).expect("revoke");
    let snapshot = world.snapshot(&[grant, covered, nurse.pubkey()]);
    let ix = rx::log_access(m(&nurse, &hospital), &grant, &covered);
    custom_error(world.send(&[ix], &[&nurse]), RecordsError::GrantRevoked);
    world.assert_unchanged(&snapshot);
}

#[test]
fn an_entity_admin_cannot_widen_itself_or_touch_the_authoritys_admins() {
    let mut world = World::new();
    let hospital = world.provider();
    let h = hospital.pubkey();
    let admin = world.member(&hospital, roles::ENTITY_ADMIN | roles::NURSE);
    let other_admin = world.member(&hospital, roles::ENTITY_ADMIN);
    let nurse = world.member(&hospital, roles::NURSE);
    let a = admin.pubkey();
    let addresses: Vec<Pubkey> = [&admin, &other_admin, &nurse]
        .iter()
        .map(|k| member_address(&h, &k.pubkey()))
        .collect();
    let snapshot = world.snapshot(&addresses);
    let update = |target: &Pubkey, roles: u16| {
        update_member(
            &a,
            &h,
            target,
            UpdateMemberArgs {
                roles: Some(roles),
                valid_until: None,
                credential_commitment: None,
            },
        )
    };
    let newcomer = Keypair::new().pubkey();
    let attempts = [
        // Widening its own roles, or dropping its admin role for staff roles.
        update(&a, roles::ENTITY_ADMIN | roles::NURSE | roles::CLINICIAN),
        update(&a, roles::CLINICIAN),
        // Promoting a nurse; adding an admin.
        update(&nurse.pubkey(), roles::NURSE | roles::ENTITY_ADMIN),
        add_member(
            &a,
            &a,
            &h,
            world.member_args(&newcomer, roles::ENTITY_ADMIN),
        ),
        // The authority's other admin: any change, status move or close.
        update(&other_admin.pubkey(), roles::NURSE),
        change_member_status(&a, &h, &other_admin.pubkey(), StatusMove::Suspend),
        change_member_status(&a, &h, &other_admin.pubkey(), StatusMove::Revoke),
        close_member(&a, &h, &other_admin.pubkey(), &world.payer.pubkey()),
        // Itself.
        change_member_status(&a, &h, &a, StatusMove::Revoke),
        close_member(&a, &h, &a, &world.payer.pubkey()),
    ];
    for ix in attempts {
        custom_error(
            world.send_paid_by(&admin, &[ix], &[]),
            RecordsError::AdminRoleReservedToAuthority,
        );
        world.assert_unchanged(&snapshot);
    }
    assert!(!world.exists(&member_address(&h, &newcomer)));
    // The other admin suspended by the authority cannot act either.
    world.set_member_status(&hospital, &other_admin.pubkey(), StatusMove::Suspend);
    let snapshot = world.snapshot(&addresses);
    let ix = change_member_status(
        &other_admin.pubkey(),
        &h,
        &nurse.pubkey(),
        StatusMove::Suspend,
    );
    custom_error(
        world.send_paid_by(&other_admin, &[ix], &[]),
        RecordsError::MemberSuspended,
    );
    world.assert_unchanged(&snapshot);
    // A nurse without the admin role administers nothing.
    let ix = change_member_status(&nurse.pubkey(), &h, &a, StatusMove::Suspend);
    custom_error(
        world.send_paid_by(&nurse, &[ix], &[]),
        RecordsError::RoleNotAllowed,
    );
    world.assert_unchanged(&snapshot);
}

#[test]
fn a_suspended_revoked_or_expired_entity_stops_its_members_not_the_authoritys_rules() {
    for status in [EntityStatus::Suspended, EntityStatus::Revoked] {
        let mut world = World::new();
        let (hospital, patient) = hospital_and_patient(&mut world);
        let (h, p) = (hospital.pubkey(), patient.pubkey());
        let clinician = world.member(&hospital, roles::CLINICIAN);
        world.set_status(&h, status);
        let snapshot = world.snapshot(&[
            pda::record_book_account(&p),
            clinician.pubkey(),
            member_address(&h, &clinician.pubkey()),
        ]);
        let (ix, _) = issue_by(m(&clinician, &hospital), &p);
        custom_error(
            world.send(&[ix], &[&clinician]),
            RecordsError::EntityNotActive,
        );
        world.assert_unchanged(&snapshot);
        // The authority gets the error it always got.
        let (ix, _) = issue_by(ActingKeys::authority(h), &p);
        custom_error(
            world.send(&[ix], &[&hospital]),
            RecordsError::EntityNotActive,
        );
        world.assert_unchanged(&snapshot);
        // And may still cut its staff off.
        world.set_member_status(&hospital, &clinician.pubkey(), StatusMove::Revoke);
    }
    let mut world = World::new();
    let (hospital, patient) = hospital_and_patient(&mut world);
    let (h, p) = (hospital.pubkey(), patient.pubkey());
    let clinician = world.member(&hospital, roles::CLINICIAN);
    let entity: Entity = world.account(&pda::entity(&h).0);
    // The member's own validity runs past the entity's: the entity's ends it.
    let ix = update_member(
        &h,
        &h,
        &clinician.pubkey(),
        UpdateMemberArgs {
            roles: None,
            valid_until: Some(entity.valid_until + DAY),
            credential_commitment: None,
        },
    );
    world.send(&[ix], &[&hospital]).expect("long validity");
    world.warp(entity.valid_until - world.now());
    let snapshot = world.snapshot(&[pda::record_book_account(&p), clinician.pubkey()]);
    let (ix, _) = issue_by(m(&clinician, &hospital), &p);
    custom_error(
        world.send(&[ix], &[&clinician]),
        RecordsError::EntityNotActive,
    );
    world.assert_unchanged(&snapshot);
}

#[test]
fn a_member_pays_a_records_rent_and_erasure_refunds_the_entity() {
    let mut world = World::new();
    let (hospital, patient) = hospital_and_patient(&mut world);
    let (h, p) = (hospital.pubkey(), patient.pubkey());
    let clinician = world.member(&hospital, roles::CLINICIAN);
    let before_member = world.lamports(&clinician.pubkey());
    let (ix, record) = issue_by(m(&clinician, &hospital), &p);
    world
        .send_paid_by(&clinician, &[ix], &[])
        .expect("clinician issues");
    let rent = world.lamports(&record);
    assert!(rent > 0);
    let after_member = world.lamports(&clinician.pubkey());
    assert!(after_member <= before_member - rent);
    let id = world.account::<Record>(&record).record_id;
    // The member is not the record's rent payer: erasure refuses it.
    let snapshot = world.snapshot(&[record, clinician.pubkey(), h]);
    let ix = rx::erase_record(&p, &p, &id, &clinician.pubkey());
    custom_error(
        world.send(&[ix], &[&patient]),
        RecordsError::RentPayerMismatch,
    );
    world.assert_unchanged(&snapshot);
    // The entity (whose record it is) gets the rent back.
    let before_entity = world.lamports(&h);
    let ix = rx::erase_record(&p, &p, &id, &h);
    world.send(&[ix], &[&patient]).expect("erase");
    assert!(!world.exists(&record));
    assert_eq!(world.lamports(&h), before_entity + rent);
    assert_eq!(world.lamports(&clinician.pubkey()), after_member);
}

#[test]
fn a_member_pays_for_its_own_member_account_and_gets_it_back_on_close() {
    let mut world = World::new();
    let hospital = world.provider();
    let h = hospital.pubkey();
    let admin = world.member(&hospital, roles::ENTITY_ADMIN);
    let newcomer = world.wallet();
    // The admin adds, the newcomer pays its own Member's rent.
    let before = world.lamports(&newcomer.pubkey());
    let ix = add_member(
        &newcomer.pubkey(),
        &admin.pubkey(),
        &h,
        world.member_args(&newcomer.pubkey(), roles::NURSE),
    );
    world
        .send(&[ix], &[&admin, &newcomer])
        .expect("added, paid by the newcomer");
    assert_eq!(world.lamports(&newcomer.pubkey()), before - MEMBER_RENT);
    let state: Member = world.account(&member_address(&h, &newcomer.pubkey()));
    assert_eq!(
        (state.added_by, state.rent_payer),
        (admin.pubkey(), newcomer.pubkey())
    );
    // Closing pays it back to the newcomer only.
    let address = member_address(&h, &newcomer.pubkey());
    let snapshot = world.snapshot(&[address, admin.pubkey()]);
    let ix = close_member(&admin.pubkey(), &h, &newcomer.pubkey(), &admin.pubkey());
    custom_error(
        world.send(&[ix], &[&admin]),
        RecordsError::RentPayerMismatch,
    );
    world.assert_unchanged(&snapshot);
    let ix = close_member(&admin.pubkey(), &h, &newcomer.pubkey(), &newcomer.pubkey());
    world.send(&[ix], &[&admin]).expect("close");
    assert_eq!(world.lamports(&newcomer.pubkey()), before);
}

#[test]
fn member_instructions_check_the_entity_member_pair() {
    let mut world = World::new();
    let hospital = world.provider();
    let clinic = world.provider();
    let (h, c) = (hospital.pubkey(), clinic.pubkey());
    let nurse = world.member(&hospital, roles::NURSE);
    let clinic_admin = world.member(&clinic, roles::ENTITY_ADMIN);
    let address = member_address(&h, &nurse.pubkey());
    let snapshot = world.snapshot(&[address]);
    // The clinic's authority naming the hospital's member under its own entity.
    let mut ix = change_member_status(&c, &c, &nurse.pubkey(), StatusMove::Suspend);
    ix.accounts[2].pubkey = address;
    custom_error(world.send(&[ix], &[&clinic]), Anchor::ConstraintSeeds);
    world.assert_unchanged(&snapshot);
    // The clinic's admin member on the hospital's entity.
    let mut ix = change_member_status(
        &clinic_admin.pubkey(),
        &h,
        &nurse.pubkey(),
        StatusMove::Suspend,
    );
    let last = ix.accounts.len() - 1;
    ix.accounts[last].pubkey = member_address(&c, &clinic_admin.pubkey());
    custom_error(
        world.send(&[ix], &[&clinic_admin]),
        RecordsError::MemberOfAnotherEntity,
    );
    world.assert_unchanged(&snapshot);
    // The hospital's authority signing with the clinic's Entity: no authority.
    let mut ix = change_member_status(&h, &h, &nurse.pubkey(), StatusMove::Suspend);
    ix.accounts[1].pubkey = pda::entity(&c).0;
    custom_error(world.send(&[ix], &[&hospital]), Anchor::ConstraintSeeds);
    world.assert_unchanged(&snapshot);
    // An Entity in the Member slot (type confusion).
    let mut ix = change_member_status(&h, &h, &nurse.pubkey(), StatusMove::Suspend);
    ix.accounts[2].pubkey = pda::entity(&h).0;
    custom_error(
        world.send(&[ix], &[&hospital]),
        Anchor::AccountDiscriminatorMismatch,
    );
    world.assert_unchanged(&snapshot);
    // The admin is not a signer.
    let mut ix = change_member_status(&h, &h, &nurse.pubkey(), StatusMove::Suspend);
    ix.accounts[0].is_signer = false;
    custom_error(world.send(&[ix], &[]), Anchor::AccountNotSigner);
    world.assert_unchanged(&snapshot);
}

#[test]
fn a_member_writes_only_into_its_own_entitys_tree() {
    let mut world = World::new();
    let (hospital, patient) = hospital_and_patient(&mut world);
    let (h, p) = (hospital.pubkey(), patient.pubkey());
    let lab = world.lab();
    world.authorize_issuer(&patient, &lab.pubkey());
    let lab_tree = world.create_tree(&lab, 5, 0, false);
    let clinician = world.member(&hospital, roles::CLINICIAN);
    let snapshot = world.snapshot(&[lab_tree, pda::record_book_account(&p), clinician.pubkey()]);
    // For its hospital, into the lab's tree.
    let args = World::compressed_args(RecordKind::LabResult);
    let ix = rx::issue_compressed_record(m(&clinician, &hospital), &p, &lab_tree, args);
    custom_error(
        world.send(&[ix], &[&clinician]),
        RecordsError::TreeIssuerMismatch,
    );
    world.assert_unchanged(&snapshot);
    // For the lab, with its hospital Member.
    let args = World::compressed_args(RecordKind::LabResult);
    let ix = rx::issue_compressed_record(
        ActingKeys::member(clinician.pubkey(), lab.pubkey()),
        &p,
        &lab_tree,
        args,
    );
    let ix = replace_last(ix, member_address(&h, &clinician.pubkey()));
    custom_error(
        world.send(&[ix], &[&clinician]),
        RecordsError::MemberOfAnotherEntity,
    );
    world.assert_unchanged(&snapshot);
}

/// Finding R17-2 (fixed): a member who is also a patient of its entity (staff
/// are often treated where they work) issued and amended its own medical
/// record in the entity's name: a self-prescription or self-diagnosis the
/// chain attributed to the hospital. Refused now (`MemberIsPatient`); the
/// authority and the member's colleagues still write its record.
#[test]
fn a_member_does_not_issue_or_amend_its_own_record() {
    use panacea_tests::compressed::issue_compressed_record;
    let mut world = World::new();
    let hospital = world.provider();
    let h = hospital.pubkey();
    let doctor = world.patient();
    let d = doctor.pubkey();
    // Staff pay the rent of what they issue.
    world.svm.airdrop(&d, 1_000_000_000).expect("airdrop");
    world.authorize_issuer(&doctor, &h);
    let ix = add_member(
        &world.payer.pubkey(),
        &h,
        &h,
        world.member_args(&d, roles::CLINICIAN | roles::PHARMACIST),
    );
    world
        .send(&[ix], &[&hospital])
        .expect("the doctor is staff too");
    let colleague = world.member(&hospital, roles::CLINICIAN);
    let tree = world.create_tree(&hospital, 5, 0, false);
    let snapshot = world.snapshot(&[
        pda::patient(&d).0,
        pda::record_book_account(&d),
        tree,
        member_address(&h, &d),
    ]);
    let (ix, record) = issue_by(ActingKeys::member(d, h), &d);
    custom_error(world.send(&[ix], &[&doctor]), RecordsError::MemberIsPatient);
    assert!(!world.exists(&record));
    world.assert_unchanged(&snapshot);
    let ix = issue_compressed_record(
        ActingKeys::member(d, h),
        &d,
        &tree,
        World::compressed_args(RecordKind::Encounter),
    );
    custom_error(world.send(&[ix], &[&doctor]), RecordsError::MemberIsPatient);
    world.assert_unchanged(&snapshot);
    // A colleague writes it; the doctor may not amend it either.
    let (ix, record) = issue_by(m(&colleague, &hospital), &d);
    world
        .send(&[ix], &[&colleague])
        .expect("the colleague issues");
    let snapshot = world.snapshot(&[record, pda::record_book_account(&d)]);
    let amend = |by: ActingKeys| {
        rx::amend_record(
            by,
            &d,
            &record,
            None,
            AmendRecordArgs {
                record_id: random_id(),
                commitment: [1; 32],
                content_commitment: [2; 32],
            },
        )
    };
    custom_error(
        world.send(&[amend(ActingKeys::member(d, h))], &[&doctor]),
        RecordsError::MemberIsPatient,
    );
    world.assert_unchanged(&snapshot);
    // The authority amends; the doctor still acts for other patients.
    world
        .send(&[amend(ActingKeys::authority(h))], &[&hospital])
        .expect("the authority amends");
    let other = world.patient();
    world.authorize_issuer(&other, &h);
    let (ix, _) = issue_by(ActingKeys::member(d, h), &other.pubkey());
    world.send(&[ix], &[&doctor]).expect("another patient");
}

#[test]
fn a_members_request_approved_by_the_patient_grants_the_entity_and_names_the_patient() {
    use records::events::{AccessGranted, AccessRequested};
    let mut world = World::new();
    let (hospital, patient) = hospital_and_patient(&mut world);
    let (h, p) = (hospital.pubkey(), patient.pubkey());
    let clinic = world.provider();
    let c = clinic.pubkey();
    let nurse = world.member(&clinic, roles::NURSE);
    let (ix, record) = issue_by(ActingKeys::authority(h), &p);
    world.send(&[ix], &[&hospital]).expect("issue");
    let payer = world.payer.pubkey();
    let ix = rx::request_access(
        &payer,
        m(&nurse, &clinic),
        &p,
        &record,
        RequestAccessArgs {
            scope: GrantScope::Record,
            kinds: 0,
            ..request_args(Purpose::Treatment)
        },
    );
    let meta = world.send(&[ix], &[&nurse]).expect("nurse requests");
    let requested = World::events::<AccessRequested>(&meta);
    assert_eq!(
        (requested[0].requester, requested[0].actor_member),
        (c, Some(nurse.pubkey()))
    );
    let ix = rx::approve_access_request(
        &payer,
        &p,
        &p,
        &c,
        &record,
        &payer,
        ApproveAccessRequestArgs {
            wrapped_key: vec![5; 80],
            leaf: None,
        },
    );
    let meta = world.send(&[ix], &[&patient]).expect("approve");
    let granted = World::events::<AccessGranted>(&meta);
    assert_eq!((granted[0].grantee, granted[0].actor_member), (c, None));
    let grant_address = pda::grant(&p, &c, &record).0;
    let grant: Grant = world.account(&grant_address);
    assert_eq!((grant.grantee, grant.granted_by), (c, p));
    // The clinic's nurse reads under it; the hospital's staff may not.
    let ix = rx::log_access(m(&nurse, &clinic), &grant_address, &record);
    let meta = world.send(&[ix], &[&nurse]).expect("nurse reads");
    assert_eq!(
        World::events::<AccessLogged>(&meta)[0].actor_member,
        Some(nurse.pubkey())
    );
    let hospital_nurse = world.member(&hospital, roles::NURSE);
    let snapshot = world.snapshot(&[grant_address, record]);
    let mut ix = rx::log_access(m(&hospital_nurse, &hospital), &grant_address, &record);
    ix.accounts[3].pubkey = pda::entity(&c).0;
    custom_error(
        world.send(&[ix], &[&hospital_nurse]),
        RecordsError::MemberOfAnotherEntity,
    );
    world.assert_unchanged(&snapshot);
}

/// Finding R17-1 (fixed): an EntityAdmin member gave any validity up to five
/// years, so a short-lived admin (a contractor, a locum) could leave
/// long-lived credentials behind it, its own key's sock-puppets included,
/// that outlived its expiry or revocation. It now gives no validity beyond
/// its own; the authority is bounded by five years only.
#[test]
fn an_entity_admin_gives_no_validity_beyond_its_own() {
    let mut world = World::new();
    let hospital = world.provider();
    let h = hospital.pubkey();
    let admin = world.member(&hospital, roles::ENTITY_ADMIN);
    let a = admin.pubkey();
    let own = world.account::<Member>(&member_address(&h, &a)).valid_until;
    let nurse = world.member(&hospital, roles::NURSE);
    let newcomer = Keypair::new().pubkey();
    let watched = [
        member_address(&h, &newcomer),
        member_address(&h, &nurse.pubkey()),
        member_address(&h, &a),
    ];
    let snapshot = world.snapshot(&watched);
    let mut args = world.member_args(&newcomer, roles::CLINICIAN);
    args.valid_until = own + 1;
    let ix = add_member(&a, &a, &h, args.clone());
    custom_error(
        world.send_paid_by(&admin, &[ix], &[]),
        RecordsError::ValidityBeyondAdmin,
    );
    world.assert_unchanged(&snapshot);
    let renew = |by: &Pubkey, until: i64| {
        update_member(
            by,
            &h,
            &nurse.pubkey(),
            UpdateMemberArgs {
                roles: None,
                valid_until: Some(until),
                credential_commitment: None,
            },
        )
    };
    custom_error(
        world.send_paid_by(&admin, &[renew(&a, own + 1)], &[]),
        RecordsError::ValidityBeyondAdmin,
    );
    world.assert_unchanged(&snapshot);
    // Up to its own end: allowed.
    args.valid_until = own;
    let ix = add_member(&a, &a, &h, args);
    world.send_paid_by(&admin, &[ix], &[]).expect("admin adds");
    world
        .send_paid_by(&admin, &[renew(&a, own - 1)], &[])
        .expect("admin renews");
    // Changing roles alone keeps the member's validity, whatever it is.
    // The authority gives up to five years.
    let five_years = world.now() + records::constants::MAX_MEMBER_DURATION;
    world
        .send(&[renew(&h, five_years)], &[&hospital])
        .expect("the authority renews");
    let ix = update_member(
        &a,
        &h,
        &nurse.pubkey(),
        UpdateMemberArgs {
            roles: Some(roles::NURSE | roles::CLINICIAN),
            valid_until: None,
            credential_commitment: None,
        },
    );
    world.send_paid_by(&admin, &[ix], &[]).expect("roles only");
    let state: Member = world.account(&member_address(&h, &nurse.pubkey()));
    assert_eq!(state.valid_until, five_years);
}

// ----- a seeded random sequence over the member lifecycle and actions -----

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Absent,
    Active,
    Suspended,
    Revoked,
}

#[derive(Clone, Copy, Debug)]
struct Model {
    state: State,
    roles: u16,
    valid_until: i64,
    revision: u32,
}

const RANDOM_ROLES: [u16; 6] = [
    roles::CLINICIAN,
    roles::NURSE,
    roles::LAB_TECHNICIAN,
    roles::BILLING,
    roles::CLINICIAN | roles::NURSE,
    roles::RESEARCHER,
];

fn random_sequence(seed: u64, steps: usize) {
    let mut rng = Rng(seed);
    let mut world = World::new();
    let (hospital, patient) = hospital_and_patient(&mut world);
    let (h, p) = (hospital.pubkey(), patient.pubkey());
    let keys: Vec<Keypair> = (0..6).map(|_| world.wallet()).collect();
    let mut models = [Model {
        state: State::Absent,
        roles: 0,
        valid_until: 0,
        revision: 0,
    }; 6];
    let mut entity_active = true;
    let mut records = 0u64;
    let mut outcomes = [0usize; 2];
    let mut refusals = std::collections::BTreeMap::<u32, usize>::new();
    let payer = world.payer.pubkey();
    for step in 0..steps {
        let i = rng.below(6) as usize;
        let key = &keys[i];
        let k = key.pubkey();
        let model = models[i];
        let now = world.now();
        // Revoking (final) and suspending the entity are rarer.
        let op = match rng.below(16) {
            5 if rng.below(3) != 0 => 3,
            12 | 13 => 7,
            14 | 15 => 0,
            op => op,
        };
        let mut snapshot_addresses: Vec<Pubkey> = keys
            .iter()
            .map(|k| member_address(&h, &k.pubkey()))
            .collect();
        snapshot_addresses.extend([pda::entity(&h).0, pda::record_book_account(&p), k]);
        let snapshot = world.snapshot(&snapshot_addresses);
        let exists = model.state != State::Absent;
        // (instruction, signers, expected error or None, model after success)
        let (ix, expected, after): (Instruction, Option<u32>, Model) = match op {
            0 | 1 => {
                let roles = RANDOM_ROLES[rng.below(6) as usize];
                let valid_until = now + 3600 * (1 + rng.below(72) as i64);
                let mut args = world.member_args(&k, roles);
                args.valid_until = valid_until;
                let expected = if !entity_active {
                    Some(code(RecordsError::EntityNotActive))
                } else if model.state == State::Revoked {
                    Some(code(RecordsError::MemberRevoked))
                } else if exists {
                    Some(code(RecordsError::MemberAlreadyExists))
                } else {
                    None
                };
                let after = Model {
                    state: State::Active,
                    roles,
                    valid_until,
                    revision: 1,
                };
                (add_member(&payer, &h, &h, args), expected, after)
            }
            2 => {
                let roles = RANDOM_ROLES[rng.below(6) as usize];
                let valid_until =
                    (rng.below(2) == 0).then(|| now + 3600 * (1 + rng.below(72) as i64));
                let changes =
                    roles != model.roles || valid_until.is_some_and(|v| v != model.valid_until);
                let expected = if !exists {
                    Some(code(Anchor::AccountNotInitialized))
                } else if !entity_active {
                    Some(code(RecordsError::EntityNotActive))
                } else if model.state == State::Revoked {
                    Some(code(RecordsError::MemberRevoked))
                } else if !changes {
                    Some(code(RecordsError::MemberUnchanged))
                } else {
                    None
                };
                let after = Model {
                    roles,
                    valid_until: valid_until.unwrap_or(model.valid_until),
                    revision: model.revision + 1,
                    ..model
                };
                let args = UpdateMemberArgs {
                    roles: Some(roles),
                    valid_until,
                    credential_commitment: None,
                };
                (update_member(&h, &h, &k, args), expected, after)
            }
            3..=5 => {
                let (to, target) = match op {
                    3 => (StatusMove::Suspend, State::Suspended),
                    4 => (StatusMove::Reinstate, State::Active),
                    _ => (StatusMove::Revoke, State::Revoked),
                };
                let allowed = match to {
                    StatusMove::Suspend => model.state == State::Active,
                    StatusMove::Reinstate => model.state == State::Suspended,
                    StatusMove::Revoke => true,
                };
                let expected = if !exists {
                    Some(code(Anchor::AccountNotInitialized))
                } else if model.state == State::Revoked {
                    Some(code(RecordsError::MemberRevoked))
                } else if !allowed {
                    Some(code(RecordsError::InvalidMemberTransition))
                } else if to == StatusMove::Reinstate && !entity_active {
                    Some(code(RecordsError::EntityNotActive))
                } else {
                    None
                };
                let after = Model {
                    state: target,
                    revision: model.revision + 1,
                    ..model
                };
                (change_member_status(&h, &h, &k, to), expected, after)
            }
            6 => {
                let expected = if !exists {
                    Some(code(Anchor::AccountNotInitialized))
                } else if model.state == State::Revoked {
                    Some(code(RecordsError::MemberRevoked))
                } else {
                    None
                };
                let after = Model {
                    state: State::Absent,
                    ..model
                };
                (close_member(&h, &h, &k, &payer), expected, after)
            }
            7..=9 => {
                let expected = if !exists {
                    Some(code(RecordsError::MemberNotFound))
                } else if !entity_active {
                    Some(code(RecordsError::EntityNotActive))
                } else if model.state == State::Suspended {
                    Some(code(RecordsError::MemberSuspended))
                } else if model.state == State::Revoked {
                    Some(code(RecordsError::MemberRevoked))
                } else if now >= model.valid_until {
                    Some(code(RecordsError::MemberExpired))
                } else if model.roles & roles::ISSUE == 0 {
                    Some(code(RecordsError::RoleNotAllowed))
                } else {
                    None
                };
                let (ix, _) = issue_by(ActingKeys::member(k, h), &p);
                (ix, expected, model)
            }
            10 => {
                // Time passes; sometimes exactly to a member's valid_until.
                let seconds = if exists && rng.below(3) == 0 && model.valid_until > now {
                    model.valid_until - now
                } else {
                    1 + rng.below(36 * 3600) as i64
                };
                world.warp(seconds);
                continue;
            }
            _ => {
                // Suspended now and then, reactivated at the next turn.
                if entity_active && rng.below(3) != 0 {
                    continue;
                }
                entity_active = !entity_active;
                let status = if entity_active {
                    EntityStatus::Active
                } else {
                    EntityStatus::Suspended
                };
                world.set_status(&h, status);
                continue;
            }
        };
        let signers: Vec<&Keypair> = if (7..=9).contains(&op) {
            vec![key]
        } else {
            vec![&hospital]
        };
        let result = world.send(&[ix], &signers);
        match expected {
            Some(error) => {
                *refusals.entry(error).or_insert(0) += 1;
                custom_error(result, error);
                world.assert_unchanged(&snapshot);
                outcomes[1] += 1;
            }
            None => {
                let meta = result
                    .unwrap_or_else(|e| panic!("seed {seed} step {step} op {op}: {:?}", e.err));
                if (7..=9).contains(&op) {
                    records += 1;
                    let issued = World::events::<RecordIssued>(&meta);
                    assert_eq!((issued[0].issuer, issued[0].actor_member), (h, Some(k)));
                } else {
                    models[i] = after;
                }
                outcomes[0] += 1;
            }
        }
        // The chain equals the model; every Member keeps its invariants.
        for (key, model) in keys.iter().zip(models.iter()) {
            let address = member_address(&h, &key.pubkey());
            if model.state == State::Absent {
                assert!(!world.exists(&address), "seed {seed} step {step}");
                continue;
            }
            let state: Member = world.account(&address);
            let status = match model.state {
                State::Active => MemberStatus::Active,
                State::Suspended => MemberStatus::Suspended,
                _ => MemberStatus::Revoked,
            };
            assert_eq!(
                (state.status, state.roles, state.valid_until, state.revision),
                (status, model.roles, model.valid_until, model.revision),
                "seed {seed} step {step}"
            );
            assert_eq!(state.entity, pda::entity(&h).0);
            assert_eq!(state.member, key.pubkey());
            assert_eq!(state.bump, pda::member(&state.entity, &key.pubkey()).1);
            assert!(state.updated_at >= state.added_at && state.valid_until > state.added_at);
            assert!(roles::is_valid(state.roles) && state.revision >= 1);
            assert_eq!(world.lamports(&address), MEMBER_RENT);
            let mut data = Vec::new();
            state.try_serialize(&mut data).unwrap();
            assert_eq!(data.len(), Member::SPACE);
        }
        let entity: Entity = world.account(&pda::entity(&h).0);
        assert_eq!(entity.authority, h);
        assert_eq!(
            entity.status == EntityStatus::Active,
            entity_active,
            "seed {seed} step {step}"
        );
        assert_eq!(world.book_balance(&p), records);
    }
    println!(
        "seed {seed}: {} done, {} refused {refusals:?}",
        outcomes[0], outcomes[1]
    );
    assert!(
        outcomes[0] > 20 && outcomes[1] > 20,
        "seed {seed}: {outcomes:?} {refusals:?}"
    );
}

#[test]
fn random_member_lifecycle_and_actions_keep_the_invariants() {
    for seed in [0x17, 0x1717, 0xA11CE] {
        random_sequence(seed, 150);
    }
}
