//! Entity staff: an entity's authority (or an EntityAdmin member) adds,
//! updates, suspends, reinstates, revokes and closes members; every refusal
//! names its error and changes nothing.

use {
    panacea_tests::{assert::*, members::*, *},
    records::{errors::RecordsError, events::*, instructions::*, pda, state::*},
    solana_instruction::AccountMeta,
    solana_keypair::Keypair,
    solana_signer::Signer,
};

/// The rent of a 201-byte `Member` account.
const MEMBER_RENT: u64 = 2_289_840;
/// Accounts of `add_member` before the remaining ones.
const ADD_MEMBER_ACCOUNTS: usize = 7;

fn member(world: &World, entity: &Pubkey, key: &Pubkey) -> Member {
    world.account(&member_address(entity, key))
}

use anchor_lang::prelude::Pubkey;

#[test]
fn an_entity_authority_adds_suspends_reinstates_and_revokes_a_member() {
    let mut world = World::new();
    let hospital = world.provider();
    let clinician = Keypair::new();
    let args = world.member_args(&clinician.pubkey(), roles::CLINICIAN);
    let ix = add_member(
        &world.payer.pubkey(),
        &hospital.pubkey(),
        &hospital.pubkey(),
        args.clone(),
    );
    let meta = world.send(&[ix], &[&hospital]).expect("add member");
    let address = member_address(&hospital.pubkey(), &clinician.pubkey());
    assert_eq!(world.raw(&address).unwrap().data.len(), Member::SPACE);
    assert_eq!(world.lamports(&address), MEMBER_RENT);
    let m = member(&world, &hospital.pubkey(), &clinician.pubkey());
    assert_eq!(m.entity, pda::entity(&hospital.pubkey()).0);
    assert_eq!(m.member, clinician.pubkey());
    assert_eq!(m.roles, roles::CLINICIAN);
    assert_eq!(m.status, MemberStatus::Active);
    assert_eq!(m.valid_until, args.valid_until);
    assert_eq!(m.added_by, hospital.pubkey());
    assert_eq!(m.rent_payer, world.payer.pubkey());
    assert_eq!(m.revision, 1);
    let added = World::events::<MemberAdded>(&meta);
    assert_eq!(added.len(), 1);
    assert_eq!(added[0].entity, hospital.pubkey());
    assert_eq!(added[0].member_account, address);
    assert_eq!(added[0].member, clinician.pubkey());
    assert_eq!(added[0].actor_member, None);

    // Adding the same key again is refused and changes nothing.
    let snapshot = world.snapshot(&[address, pda::entity(&hospital.pubkey()).0]);
    let ix = add_member(
        &world.payer.pubkey(),
        &hospital.pubkey(),
        &hospital.pubkey(),
        args,
    );
    custom_error(
        world.send(&[ix], &[&hospital]),
        RecordsError::MemberAlreadyExists,
    );
    world.assert_unchanged(&snapshot);

    // Suspend, reinstate, revoke: each bumps the revision and says so.
    let moves = [
        (
            StatusMove::Suspend,
            MemberStatus::Active,
            MemberStatus::Suspended,
            2,
        ),
        (
            StatusMove::Reinstate,
            MemberStatus::Suspended,
            MemberStatus::Active,
            3,
        ),
        (
            StatusMove::Revoke,
            MemberStatus::Active,
            MemberStatus::Revoked,
            4,
        ),
    ];
    for (to, old, new, revision) in moves {
        let ix = change_member_status(
            &hospital.pubkey(),
            &hospital.pubkey(),
            &clinician.pubkey(),
            to,
        );
        let meta = world.send(&[ix], &[&hospital]).expect("status move");
        let m = member(&world, &hospital.pubkey(), &clinician.pubkey());
        assert_eq!(m.status, new);
        assert_eq!(m.revision, revision);
        let events = World::events::<MemberStatusChanged>(&meta);
        assert_eq!(events.len(), 1);
        assert_eq!((events[0].old_status, events[0].new_status), (old, new));
        assert_eq!(events[0].revision, revision);
        assert_eq!(events[0].actor_member, None);
    }
}

#[test]
fn a_revoked_member_is_a_tombstone_that_nothing_changes() {
    let mut world = World::new();
    let hospital = world.provider();
    let clinician = world.member(&hospital, roles::CLINICIAN);
    world.set_member_status(&hospital, &clinician.pubkey(), StatusMove::Revoke);
    let address = member_address(&hospital.pubkey(), &clinician.pubkey());
    let snapshot = world.snapshot(&[address, pda::entity(&hospital.pubkey()).0]);

    let args = world.member_args(&clinician.pubkey(), roles::CLINICIAN);
    let h = hospital.pubkey();
    let attempts = [
        add_member(&world.payer.pubkey(), &h, &h, args),
        update_member(
            &h,
            &h,
            &clinician.pubkey(),
            UpdateMemberArgs {
                roles: Some(roles::NURSE),
                valid_until: None,
                credential_commitment: None,
            },
        ),
        change_member_status(&h, &h, &clinician.pubkey(), StatusMove::Reinstate),
        change_member_status(&h, &h, &clinician.pubkey(), StatusMove::Suspend),
        change_member_status(&h, &h, &clinician.pubkey(), StatusMove::Revoke),
        close_member(&h, &h, &clinician.pubkey(), &world.payer.pubkey()),
    ];
    for ix in attempts {
        custom_error(world.send(&[ix], &[&hospital]), RecordsError::MemberRevoked);
        world.assert_unchanged(&snapshot);
    }
}

#[test]
fn add_member_refuses_bad_arguments() {
    let mut world = World::new();
    let hospital = world.provider();
    let h = hospital.pubkey();
    let key = Keypair::new().pubkey();
    let now = world.now();
    let good = world.member_args(&key, roles::CLINICIAN);
    let cases: Vec<(AddMemberArgs, RecordsError)> = vec![
        (
            AddMemberArgs {
                member: Pubkey::default(),
                ..good.clone()
            },
            RecordsError::InvalidMemberKey,
        ),
        (
            AddMemberArgs {
                member: h,
                ..good.clone()
            },
            RecordsError::MemberIsEntityAuthority,
        ),
        (
            AddMemberArgs {
                roles: 0,
                ..good.clone()
            },
            RecordsError::InvalidRoles,
        ),
        (
            AddMemberArgs {
                roles: 1 << 8,
                ..good.clone()
            },
            RecordsError::InvalidRoles,
        ),
        (
            AddMemberArgs {
                valid_until: now,
                ..good.clone()
            },
            RecordsError::InvalidMemberValidity,
        ),
        (
            AddMemberArgs {
                valid_until: now + 5 * 365 * DAY + 1,
                ..good.clone()
            },
            RecordsError::InvalidMemberValidity,
        ),
        (
            AddMemberArgs {
                credential_commitment: [0; 32],
                ..good.clone()
            },
            RecordsError::InvalidCredentialCommitment,
        ),
    ];
    for (args, error) in cases {
        let address = pda::member(&pda::entity(&h).0, &args.member).0;
        let snapshot = world.snapshot(&[address, pda::entity(&h).0]);
        let ix = add_member(&world.payer.pubkey(), &h, &h, args);
        custom_error(world.send(&[ix], &[&hospital]), error);
        world.assert_unchanged(&snapshot);
    }
    // Exactly five years is allowed.
    let ix = add_member(
        &world.payer.pubkey(),
        &h,
        &h,
        AddMemberArgs {
            valid_until: now + 5 * 365 * DAY,
            ..good
        },
    );
    world.send(&[ix], &[&hospital]).expect("five years");
}

#[test]
fn a_stranger_or_another_entitys_member_cannot_administer() {
    let mut world = World::new();
    let hospital = world.provider();
    let clinic = world.provider();
    let h = hospital.pubkey();
    let clinic_admin = world.member(&clinic, roles::ENTITY_ADMIN);
    let hospital_admin = world.member(&hospital, roles::ENTITY_ADMIN);
    let stranger = world.wallet();
    let newcomer = Keypair::new().pubkey();
    let address = member_address(&h, &newcomer);
    let snapshot = world.snapshot(&[address, pda::entity(&h).0]);
    let args = world.member_args(&newcomer, roles::NURSE);

    // No Member account at all.
    let ix = add_member(&world.payer.pubkey(), &stranger.pubkey(), &h, args.clone());
    assert_eq!(ix.accounts.len(), ADD_MEMBER_ACCOUNTS + 1);
    let mut bare = ix.clone();
    bare.accounts.truncate(ADD_MEMBER_ACCOUNTS);
    custom_error(
        world.send(&[bare], &[&stranger]),
        RecordsError::NotEntityAuthorityOrMember,
    );
    world.assert_unchanged(&snapshot);
    // A Member account address with nothing there.
    custom_error(
        world.send(&[ix], &[&stranger]),
        RecordsError::MemberNotFound,
    );
    world.assert_unchanged(&snapshot);

    // The clinic's admin brings its own Member account to the hospital.
    let mut ix = add_member(
        &world.payer.pubkey(),
        &clinic_admin.pubkey(),
        &h,
        args.clone(),
    );
    ix.accounts[ADD_MEMBER_ACCOUNTS] = AccountMeta::new_readonly(
        member_address(&clinic.pubkey(), &clinic_admin.pubkey()),
        false,
    );
    custom_error(
        world.send(&[ix], &[&clinic_admin]),
        RecordsError::MemberOfAnotherEntity,
    );
    world.assert_unchanged(&snapshot);

    // A stranger passes the hospital admin's Member account.
    let mut ix = add_member(&world.payer.pubkey(), &stranger.pubkey(), &h, args.clone());
    ix.accounts[ADD_MEMBER_ACCOUNTS] =
        AccountMeta::new_readonly(member_address(&h, &hospital_admin.pubkey()), false);
    custom_error(world.send(&[ix], &[&stranger]), RecordsError::NotThisMember);
    world.assert_unchanged(&snapshot);

    // The Entity account itself as the "Member".
    let mut ix = add_member(&world.payer.pubkey(), &stranger.pubkey(), &h, args);
    ix.accounts[ADD_MEMBER_ACCOUNTS] = AccountMeta::new_readonly(pda::entity(&h).0, false);
    custom_error(
        world.send(&[ix], &[&stranger]),
        RecordsError::MemberNotFound,
    );
    world.assert_unchanged(&snapshot);
}

#[test]
fn an_entity_admin_adds_and_suspends_a_clinician() {
    let mut world = World::new();
    let hospital = world.provider();
    let h = hospital.pubkey();
    let admin = world.member(&hospital, roles::ENTITY_ADMIN);
    let clinician = Keypair::new().pubkey();
    let args = world.member_args(&clinician, roles::CLINICIAN | roles::NURSE);
    let ix = add_member(&admin.pubkey(), &admin.pubkey(), &h, args);
    let meta = world.send_paid_by(&admin, &[ix], &[]).expect("admin adds");
    let m = member(&world, &h, &clinician);
    assert_eq!(m.added_by, admin.pubkey());
    assert_eq!(m.rent_payer, admin.pubkey());
    assert_eq!(
        World::events::<MemberAdded>(&meta)[0].actor_member,
        Some(admin.pubkey())
    );

    let ix = update_member(
        &admin.pubkey(),
        &h,
        &clinician,
        UpdateMemberArgs {
            roles: Some(roles::CLINICIAN),
            valid_until: None,
            credential_commitment: Some([6; 32]),
        },
    );
    let meta = world.send(&[ix], &[&admin]).expect("admin updates");
    let m = member(&world, &h, &clinician);
    assert_eq!(
        (m.roles, m.credential_commitment, m.revision),
        (roles::CLINICIAN, [6; 32], 2)
    );
    let updated = World::events::<MemberUpdated>(&meta);
    assert_eq!(updated[0].actor_member, Some(admin.pubkey()));

    let ix = change_member_status(&admin.pubkey(), &h, &clinician, StatusMove::Suspend);
    let meta = world.send(&[ix], &[&admin]).expect("admin suspends");
    assert_eq!(
        member(&world, &h, &clinician).status,
        MemberStatus::Suspended
    );
    assert_eq!(
        World::events::<MemberStatusChanged>(&meta)[0].actor_member,
        Some(admin.pubkey())
    );

    // Once the admin is suspended by the authority, it administers nothing.
    world.set_member_status(&hospital, &admin.pubkey(), StatusMove::Suspend);
    let snapshot = world.snapshot(&[member_address(&h, &clinician)]);
    let ix = change_member_status(&admin.pubkey(), &h, &clinician, StatusMove::Reinstate);
    custom_error(world.send(&[ix], &[&admin]), RecordsError::MemberSuspended);
    world.assert_unchanged(&snapshot);
}

#[test]
fn an_entity_admin_cannot_add_promote_or_manage_entity_admins() {
    let mut world = World::new();
    let hospital = world.provider();
    let h = hospital.pubkey();
    let admin = world.member(&hospital, roles::ENTITY_ADMIN);
    let other_admin = world.member(&hospital, roles::ENTITY_ADMIN | roles::CLINICIAN);
    let nurse = world.member(&hospital, roles::NURSE);
    let a = admin.pubkey();
    let newcomer = Keypair::new().pubkey();
    let snapshot = world.snapshot(&[
        member_address(&h, &newcomer),
        member_address(&h, &other_admin.pubkey()),
        member_address(&h, &nurse.pubkey()),
        member_address(&h, &a),
    ]);
    let promote = |roles| UpdateMemberArgs {
        roles: Some(roles),
        valid_until: None,
        credential_commitment: None,
    };
    let attempts = [
        add_member(
            &a,
            &a,
            &h,
            world.member_args(&newcomer, roles::ENTITY_ADMIN),
        ),
        update_member(
            &a,
            &h,
            &nurse.pubkey(),
            promote(roles::NURSE | roles::ENTITY_ADMIN),
        ),
        update_member(&a, &h, &other_admin.pubkey(), promote(roles::CLINICIAN)),
        change_member_status(&a, &h, &other_admin.pubkey(), StatusMove::Suspend),
        change_member_status(&a, &h, &other_admin.pubkey(), StatusMove::Revoke),
        change_member_status(&a, &h, &a, StatusMove::Suspend),
        close_member(&a, &h, &other_admin.pubkey(), &world.payer.pubkey()),
    ];
    for ix in attempts {
        custom_error(
            world.send(&[ix], &[&admin]),
            RecordsError::AdminRoleReservedToAuthority,
        );
        world.assert_unchanged(&snapshot);
    }
    // The authority may do each of them.
    let ix = update_member(
        &h,
        &h,
        &nurse.pubkey(),
        promote(roles::NURSE | roles::ENTITY_ADMIN),
    );
    world.send(&[ix], &[&hospital]).expect("authority promotes");
    world.set_member_status(&hospital, &other_admin.pubkey(), StatusMove::Suspend);
}

#[test]
fn member_status_moves_and_unchanged_updates_are_refused() {
    let mut world = World::new();
    let hospital = world.provider();
    let h = hospital.pubkey();
    let nurse = world.member(&hospital, roles::NURSE);
    let n = nurse.pubkey();
    let snapshot = world.snapshot(&[member_address(&h, &n)]);
    let ix = change_member_status(&h, &h, &n, StatusMove::Reinstate);
    custom_error(
        world.send(&[ix], &[&hospital]),
        RecordsError::InvalidMemberTransition,
    );
    world.assert_unchanged(&snapshot);
    let m = member(&world, &h, &n);
    for args in [
        UpdateMemberArgs {
            roles: None,
            valid_until: None,
            credential_commitment: None,
        },
        UpdateMemberArgs {
            roles: Some(m.roles),
            valid_until: Some(m.valid_until),
            credential_commitment: Some(m.credential_commitment),
        },
    ] {
        let ix = update_member(&h, &h, &n, args);
        custom_error(
            world.send(&[ix], &[&hospital]),
            RecordsError::MemberUnchanged,
        );
        world.assert_unchanged(&snapshot);
    }
    world.set_member_status(&hospital, &n, StatusMove::Suspend);
    let snapshot = world.snapshot(&[member_address(&h, &n)]);
    let ix = change_member_status(&h, &h, &n, StatusMove::Suspend);
    custom_error(
        world.send(&[ix], &[&hospital]),
        RecordsError::InvalidMemberTransition,
    );
    world.assert_unchanged(&snapshot);
}

#[test]
fn a_closed_member_returns_its_rent_and_may_be_added_again() {
    let mut world = World::new();
    let hospital = world.provider();
    let h = hospital.pubkey();
    let rent_payer = world.wallet();
    let pharmacist = Keypair::new().pubkey();
    let args = world.member_args(&pharmacist, roles::PHARMACIST);
    let ix = add_member(&rent_payer.pubkey(), &h, &h, args.clone());
    world.send(&[ix], &[&hospital, &rent_payer]).expect("add");
    let address = member_address(&h, &pharmacist);

    // The rent goes only to the recorded payer.
    let snapshot = world.snapshot(&[address]);
    let ix = close_member(&h, &h, &pharmacist, &world.payer.pubkey());
    custom_error(
        world.send(&[ix], &[&hospital]),
        RecordsError::RentPayerMismatch,
    );
    world.assert_unchanged(&snapshot);

    let before = world.lamports(&rent_payer.pubkey());
    let ix = close_member(&h, &h, &pharmacist, &rent_payer.pubkey());
    let meta = world.send(&[ix], &[&hospital]).expect("close");
    assert!(!world.exists(&address));
    assert_eq!(world.lamports(&rent_payer.pubkey()), before + MEMBER_RENT);
    let closed = World::events::<MemberClosed>(&meta);
    assert_eq!(closed[0].refunded, MEMBER_RENT);
    assert_eq!(closed[0].member, pharmacist);

    // Closing is the ordinary departure: the key may come back.
    let ix = add_member(&world.payer.pubkey(), &h, &h, args);
    world.send(&[ix], &[&hospital]).expect("added again");
    assert_eq!(member(&world, &h, &pharmacist).revision, 1);
}

#[test]
fn a_suspended_entity_cannot_add_but_its_authority_can_still_cut_members_off() {
    let mut world = World::new();
    let hospital = world.provider();
    let h = hospital.pubkey();
    let admin = world.member(&hospital, roles::ENTITY_ADMIN);
    let clinician = world.member(&hospital, roles::CLINICIAN);
    let nurse = world.member(&hospital, roles::NURSE);
    world.set_status(&h, EntityStatus::Suspended);

    let newcomer = Keypair::new().pubkey();
    let snapshot = world.snapshot(&[
        member_address(&h, &newcomer),
        member_address(&h, &nurse.pubkey()),
    ]);
    let ix = add_member(
        &world.payer.pubkey(),
        &h,
        &h,
        world.member_args(&newcomer, roles::NURSE),
    );
    custom_error(
        world.send(&[ix], &[&hospital]),
        RecordsError::EntityNotActive,
    );
    world.assert_unchanged(&snapshot);
    // An EntityAdmin member of a suspended entity administers nothing.
    let ix = change_member_status(&admin.pubkey(), &h, &nurse.pubkey(), StatusMove::Suspend);
    custom_error(world.send(&[ix], &[&admin]), RecordsError::EntityNotActive);
    world.assert_unchanged(&snapshot);

    // The authority suspends, revokes and closes all the same.
    world.set_member_status(&hospital, &nurse.pubkey(), StatusMove::Suspend);
    world.set_member_status(&hospital, &clinician.pubkey(), StatusMove::Revoke);
    let ix = close_member(&h, &h, &nurse.pubkey(), &world.payer.pubkey());
    world
        .send(&[ix], &[&hospital])
        .expect("close under suspension");
    // Reinstating needs an active entity.
    let ix = change_member_status(&h, &h, &admin.pubkey(), StatusMove::Suspend);
    world.send(&[ix], &[&hospital]).expect("suspend admin");
    let snapshot = world.snapshot(&[member_address(&h, &admin.pubkey())]);
    let ix = change_member_status(&h, &h, &admin.pubkey(), StatusMove::Reinstate);
    custom_error(
        world.send(&[ix], &[&hospital]),
        RecordsError::EntityNotActive,
    );
    world.assert_unchanged(&snapshot);
}

#[test]
fn an_expired_entity_admin_is_refused() {
    let mut world = World::new();
    let hospital = world.provider();
    let h = hospital.pubkey();
    let admin = world.member(&hospital, roles::ENTITY_ADMIN);
    let valid_until = member(&world, &h, &admin.pubkey()).valid_until;
    let newcomer = Keypair::new().pubkey();
    world.warp(valid_until - world.now() - 1);
    // One second before: still acts (giving no validity beyond its own).
    let mut args = world.member_args(&newcomer, roles::NURSE);
    args.valid_until = valid_until;
    let ix = add_member(&admin.pubkey(), &admin.pubkey(), &h, args);
    world
        .send_paid_by(&admin, &[ix], &[])
        .expect("acts before valid_until");
    world.warp(1);
    let later = Keypair::new().pubkey();
    let snapshot = world.snapshot(&[member_address(&h, &later)]);
    let ix = add_member(
        &admin.pubkey(),
        &admin.pubkey(),
        &h,
        world.member_args(&later, roles::NURSE),
    );
    custom_error(
        world.send_paid_by(&admin, &[ix], &[]),
        RecordsError::MemberExpired,
    );
    world.assert_unchanged(&snapshot);
}

mod acting {
    use {
        super::*,
        panacea_sdk::records as rx,
        records::events::{AccessGranted, AccessLogged, RecordIssued},
    };

    fn issue_ix(hospital: &Pubkey, patient: &Pubkey, by: &Pubkey) -> (Instruction, [u8; 16]) {
        let args = World::issue_args(RecordKind::LabResult);
        let id = args.record_id;
        let ix = rx::issue_record(hospital, patient, args);
        (by_member(ix, 0, by, hospital, false), id)
    }

    fn break_glass_ix(
        world: &World,
        hospital: &Pubkey,
        patient: &Pubkey,
        by: &Pubkey,
    ) -> Instruction {
        let ix = rx::emergency_access(
            &world.payer.pubkey(),
            hospital,
            patient,
            EmergencyAccessArgs {
                reason_code: 1,
                duration: 3600,
            },
        );
        by_member(ix, 1, by, hospital, false)
    }

    use solana_instruction::Instruction;

    #[test]
    fn members_issue_break_glass_and_log_for_their_entity_and_events_name_them() {
        let mut world = World::new();
        let hospital = world.provider();
        let h = hospital.pubkey();
        let patient = world.patient();
        let p = patient.pubkey();
        world.authorize_issuer(&patient, &h);
        let clinician = world.member(&hospital, roles::CLINICIAN);
        let nurse = world.member(&hospital, roles::NURSE);

        // The clinician issues: the record is the hospital's; the clinician pays.
        let before = world.lamports(&clinician.pubkey());
        let (ix, id) = issue_ix(&h, &p, &clinician.pubkey());
        let meta = world
            .send_paid_by(&clinician, &[ix], &[])
            .expect("clinician issues");
        let record: Record = world.account(&World::record_address(&p, &id));
        assert_eq!(record.issuer, h);
        assert_eq!(record.original_issuer, h);
        assert_eq!(world.book_balance(&p), 1);
        let rent = world.lamports(&World::record_address(&p, &id));
        assert!(world.lamports(&clinician.pubkey()) <= before - rent);
        let issued = World::events::<RecordIssued>(&meta);
        assert_eq!(issued[0].issuer, h);
        assert_eq!(issued[0].actor_member, Some(clinician.pubkey()));

        // The clinician breaks the glass: the grant is the hospital's, and
        // names the clinician as the one who broke it.
        let ix = break_glass_ix(&world, &h, &p, &clinician.pubkey());
        let meta = world.send(&[ix], &[&clinician]).expect("break glass");
        let grant_address = rx::emergency_grant_address(&p, &h);
        let grant: Grant = world.account(&grant_address);
        assert_eq!(grant.grantee, h);
        assert_eq!(grant.granted_by, clinician.pubkey());
        let granted = World::events::<AccessGranted>(&meta);
        assert_eq!(granted[0].grantee, h);
        assert_eq!(granted[0].actor_member, Some(clinician.pubkey()));

        // The nurse logs a read under it.
        let ix = rx::log_access(&h, &grant_address, &World::record_address(&p, &id));
        let ix = by_member(ix, 0, &nurse.pubkey(), &h, false);
        let meta = world.send(&[ix], &[&nurse]).expect("nurse logs");
        let logged = World::events::<AccessLogged>(&meta);
        assert_eq!(logged[0].grantee, h);
        assert_eq!(logged[0].actor_member, Some(nurse.pubkey()));
        assert_eq!(world.account::<Grant>(&grant_address).access_count, 1);

        // The authority itself keeps working beside its members.
        world.issue(&hospital, &p, RecordKind::Condition);
        assert_eq!(world.book_balance(&p), 2);
    }

    #[test]
    fn a_role_that_does_not_allow_the_action_is_refused() {
        let mut world = World::new();
        let hospital = world.provider();
        let h = hospital.pubkey();
        let patient = world.patient();
        let p = patient.pubkey();
        world.authorize_issuer(&patient, &h);
        let nurse = world.member(&hospital, roles::NURSE);
        let lab_tech = world.member(&hospital, roles::LAB_TECHNICIAN);
        let billing = world.member(&hospital, STAFF_ROLES & !roles::CARE & !roles::CLINICIAN);
        let patient_state = pda::patient(&p).0;
        let snapshot = world.snapshot(&[
            patient_state,
            pda::record_book_account(&p),
            rx::emergency_grant_address(&p, &h),
        ]);

        let (ix, id) = issue_ix(&h, &p, &nurse.pubkey());
        custom_error(world.send(&[ix], &[&nurse]), RecordsError::RoleNotAllowed);
        assert!(!world.exists(&World::record_address(&p, &id)));
        let ix = break_glass_ix(&world, &h, &p, &lab_tech.pubkey());
        custom_error(
            world.send(&[ix], &[&lab_tech]),
            RecordsError::RoleNotAllowed,
        );
        let (ix, _) = issue_ix(&h, &p, &billing.pubkey());
        custom_error(world.send(&[ix], &[&billing]), RecordsError::RoleNotAllowed);
        world.assert_unchanged(&snapshot);
    }

    #[test]
    fn a_suspended_revoked_or_foreign_member_is_stopped_while_the_others_keep_working() {
        let mut world = World::new();
        let hospital = world.provider();
        let clinic = world.provider();
        let h = hospital.pubkey();
        let patient = world.patient();
        let p = patient.pubkey();
        world.authorize_issuer(&patient, &h);
        let suspended = world.member(&hospital, roles::CLINICIAN);
        let revoked = world.member(&hospital, roles::CLINICIAN);
        let colleague = world.member(&hospital, roles::CLINICIAN);
        let foreign = world.member(&clinic, roles::CLINICIAN);
        let stranger = world.wallet();
        world.set_member_status(&hospital, &suspended.pubkey(), StatusMove::Suspend);
        world.set_member_status(&hospital, &revoked.pubkey(), StatusMove::Revoke);
        let snapshot = world.snapshot(&[pda::patient(&p).0, pda::record_book_account(&p)]);

        let (ix, _) = issue_ix(&h, &p, &suspended.pubkey());
        custom_error(
            world.send(&[ix], &[&suspended]),
            RecordsError::MemberSuspended,
        );
        let (ix, _) = issue_ix(&h, &p, &revoked.pubkey());
        custom_error(world.send(&[ix], &[&revoked]), RecordsError::MemberRevoked);
        // The clinic's clinician brings its own Member account.
        let (mut ix, _) = issue_ix(&h, &p, &foreign.pubkey());
        let last = ix.accounts.len() - 1;
        ix.accounts[last].pubkey = member_address(&clinic.pubkey(), &foreign.pubkey());
        custom_error(
            world.send(&[ix], &[&foreign]),
            RecordsError::MemberOfAnotherEntity,
        );
        // Someone else's Member account.
        let (mut ix, _) = issue_ix(&h, &p, &stranger.pubkey());
        ix.accounts[last].pubkey = member_address(&h, &colleague.pubkey());
        custom_error(world.send(&[ix], &[&stranger]), RecordsError::NotThisMember);
        // No Member account at all.
        let (mut ix, _) = issue_ix(&h, &p, &stranger.pubkey());
        ix.accounts.pop();
        custom_error(
            world.send(&[ix], &[&stranger]),
            RecordsError::NotEntityAuthorityOrMember,
        );
        world.assert_unchanged(&snapshot);

        // The colleague keeps working.
        let (ix, _) = issue_ix(&h, &p, &colleague.pubkey());
        world.send(&[ix], &[&colleague]).expect("colleague issues");
        assert_eq!(world.book_balance(&p), 1);

        // A closed member is gone.
        let ix = close_member(&h, &h, &colleague.pubkey(), &world.payer.pubkey());
        world.send(&[ix], &[&hospital]).expect("close");
        let snapshot = world.snapshot(&[pda::patient(&p).0, pda::record_book_account(&p)]);
        let (ix, _) = issue_ix(&h, &p, &colleague.pubkey());
        custom_error(
            world.send(&[ix], &[&colleague]),
            RecordsError::MemberNotFound,
        );
        world.assert_unchanged(&snapshot);
    }

    #[test]
    fn members_of_a_suspended_entity_are_refused_until_it_is_active_again() {
        let mut world = World::new();
        let hospital = world.provider();
        let h = hospital.pubkey();
        let patient = world.patient();
        let p = patient.pubkey();
        world.authorize_issuer(&patient, &h);
        let clinician = world.member(&hospital, roles::CLINICIAN);
        world.set_status(&h, EntityStatus::Suspended);
        let snapshot = world.snapshot(&[pda::patient(&p).0, pda::record_book_account(&p)]);
        let (ix, _) = issue_ix(&h, &p, &clinician.pubkey());
        custom_error(
            world.send(&[ix], &[&clinician]),
            RecordsError::EntityNotActive,
        );
        world.assert_unchanged(&snapshot);
        world.set_status(&h, EntityStatus::Active);
        let (ix, _) = issue_ix(&h, &p, &clinician.pubkey());
        world.send(&[ix], &[&clinician]).expect("active again");
    }
    #[test]
    fn a_nurse_requests_access_for_its_entity_and_withdraws_it_but_not_for_research() {
        let mut world = World::new();
        let hospital = world.provider();
        let h = hospital.pubkey();
        let patient = world.patient();
        let p = patient.pubkey();
        let nurse = world.member(&hospital, roles::NURSE);
        let target = pda::patient(&p).0;
        let args = |purpose| RequestAccessArgs {
            scope: GrantScope::Patient,
            kinds: kinds::ALL,
            permissions: permissions::READ,
            purpose,
            duration: 7 * DAY,
            reason_code: 12,
            leaf: None,
        };
        let request = pda::access_request(&p, &h, &target).0;

        // Research is not a nurse's purpose: nothing is created.
        let ix = rx::request_access(
            &world.payer.pubkey(),
            &h,
            &p,
            &target,
            args(Purpose::Research),
        );
        let ix = by_member(ix, 1, &nurse.pubkey(), &h, false);
        custom_error(world.send(&[ix], &[&nurse]), RecordsError::RoleNotAllowed);
        assert!(!world.exists(&request));

        let ix = rx::request_access(
            &world.payer.pubkey(),
            &h,
            &p,
            &target,
            args(Purpose::Treatment),
        );
        let ix = by_member(ix, 1, &nurse.pubkey(), &h, false);
        let meta = world.send(&[ix], &[&nurse]).expect("nurse requests");
        let state: AccessRequest = world.account(&request);
        assert_eq!(state.requester, h);
        let requested = World::events::<AccessRequested>(&meta);
        assert_eq!(requested[0].requester, h);
        assert_eq!(requested[0].actor_member, Some(nurse.pubkey()));

        // Withdrawing needs the Entity too; without it the member is of no entity.
        let cancel = rx::cancel_access_request(&h, &p, &h, &target, &world.payer.pubkey());
        let without_entity = by_member(cancel.clone(), 0, &nurse.pubkey(), &h, false);
        let snapshot = world.snapshot(&[request]);
        custom_error(
            world.send(&[without_entity], &[&nurse]),
            RecordsError::MemberOfAnotherEntity,
        );
        world.assert_unchanged(&snapshot);
        // A stranger keeps the old error.
        let stranger = world.wallet();
        let mut by_stranger = cancel.clone();
        by_stranger.accounts[0].pubkey = stranger.pubkey();
        custom_error(
            world.send(&[by_stranger], &[&stranger]),
            RecordsError::AccessRequestNotExpired,
        );
        world.assert_unchanged(&snapshot);

        let ix = by_member(cancel, 0, &nurse.pubkey(), &h, true);
        let meta = world.send(&[ix], &[&nurse]).expect("nurse withdraws");
        assert!(!world.exists(&request));
        let cancelled = World::events::<AccessRequestCancelled>(&meta);
        assert_eq!(cancelled[0].requester, h);
        assert_eq!(cancelled[0].actor_member, Some(nurse.pubkey()));
    }
    #[test]
    fn a_member_issues_and_retracts_a_compressed_record_in_its_entitys_tree() {
        use panacea_tests::compressed::{issue_compressed_record, retract_compressed_record};
        let mut world = World::new();
        let hospital = world.provider();
        let h = hospital.pubkey();
        let patient = world.patient();
        let p = patient.pubkey();
        world.authorize_issuer(&patient, &h);
        let tree = world.create_tree(&hospital, 5, 0, false);
        let clinician = world.member(&hospital, roles::CLINICIAN);
        let nurse = world.member(&hospital, roles::NURSE);

        let ix =
            issue_compressed_record(&h, &p, &tree, World::compressed_args(RecordKind::Encounter));
        let ix = by_member(ix, 0, &clinician.pubkey(), &h, false);
        let meta = world
            .send(&[ix], &[&clinician])
            .expect("member issues compressed");
        let record = world.compressed(&tree, 0).expect("leaf 0");
        assert_eq!(record.issuer, h);
        assert_eq!(world.book_balance(&p), 1);
        let issued = World::events::<RecordIssued>(&meta);
        assert_eq!(issued[0].actor_member, Some(clinician.pubkey()));

        let retract = |world: &World, by: &Pubkey| {
            let ix = retract_compressed_record(
                &h,
                RetractCompressedRecordArgs {
                    record: world.leaf(&tree, 0),
                    previous: None,
                },
            );
            by_member(ix, 0, by, &h, false)
        };
        let snapshot = world.snapshot(&[tree, pda::record_book_account(&p)]);
        let ix = retract(&world, &nurse.pubkey());
        custom_error(world.send(&[ix], &[&nurse]), RecordsError::RoleNotAllowed);
        world.assert_unchanged(&snapshot);

        let ix = retract(&world, &clinician.pubkey());
        let meta = world.send(&[ix], &[&clinician]).expect("member retracts");
        assert_eq!(
            world.compressed(&tree, 0).unwrap().status,
            RecordStatus::Retracted
        );
        assert_eq!(world.book_balance(&p), 0);
        let retracted = World::events::<RecordRetracted>(&meta);
        assert_eq!(retracted[0].issuer, h);
        assert_eq!(retracted[0].actor_member, Some(clinician.pubkey()));
    }
}
