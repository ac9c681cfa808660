//! Seeded random sequences over the encryption-key rules and the emergency
//! custodians: `set_guardian`, `update_patient_encryption_key`,
//! `update_guardian_encryption_key`, `update_entity_encryption_key`,
//! `set_emergency_custodians` (and the admin's entity status changes),
//! each step by a legitimate or an illegitimate signer. After every step
//! the accounts equal a model of what the rules allow, their invariants
//! hold (a guardian exactly when a non-zero guardian key; a custodian set
//! that can rebuild a key), and a refused step failed with the expected
//! error and left every account byte for byte as it was.

use {
    anchor_lang::{error::ErrorCode as Anchor, prelude::Pubkey},
    panacea_sdk::records as rx,
    panacea_tests::{assert::*, *},
    records::{errors::RecordsError, instructions::*, pda, state::*},
    solana_keypair::Keypair,
    solana_signer::Signer,
};

type Instruction = anchor_lang::solana_program::instruction::Instruction;

/// What the patient's profile must hold.
#[derive(Clone, Debug, PartialEq, Eq)]
struct PatientModel {
    encryption_key: [u8; 32],
    guardian: Option<Pubkey>,
    guardian_key: [u8; 32],
}

/// What `EmergencyCustodians` must hold (absent until first set).
#[derive(Clone, Debug, PartialEq, Eq)]
struct CustodiansModel {
    threshold: u8,
    generation: u64,
    custodians: Vec<Custodian>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct EntityModel {
    encryption_key: [u8; 32],
    status: EntityStatus,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Model {
    patient: PatientModel,
    custodians: Option<CustodiansModel>,
    entity: EntityModel,
}

/// A key from a small pool, so that "unchanged" and "all zeroes" come up:
/// `[0; 32]` a quarter of the time.
fn key(rng: &mut Rng) -> [u8; 32] {
    [rng.below(4) as u8; 32]
}

/// The error `set_emergency_custodians` must answer for this set, in the
/// program's order of checks; `None` when the set is valid.
fn custodian_set_error(threshold: u8, list: &[Custodian]) -> Option<RecordsError> {
    let n = list.len();
    if !(1..=records::constants::MAX_CUSTODIANS).contains(&n)
        || threshold == 0
        || usize::from(threshold) > n
    {
        return Some(RecordsError::InvalidCustodianThreshold);
    }
    if list
        .iter()
        .any(|c| c.authority == Pubkey::default() || c.encryption_key == [0; 32])
    {
        return Some(RecordsError::ZeroCustodianKey);
    }
    for (i, a) in list.iter().enumerate() {
        for b in &list[i + 1..] {
            if a.authority == b.authority || a.encryption_key == b.encryption_key {
                return Some(RecordsError::DuplicateCustodian);
            }
        }
    }
    None
}

/// A custodian list of 0 to 6 (one more than allowed), distinct from a
/// pool, then sometimes spoiled: an entry named twice, an encryption key
/// named twice under another authority, a zero authority, a zero key.
fn random_custodians(rng: &mut Rng, pool: &[Custodian]) -> (u8, Vec<Custodian>) {
    let n = rng.below(7) as usize;
    let start = rng.below(pool.len() as u64) as usize;
    let mut list: Vec<Custodian> = (0..n).map(|i| pool[(start + i) % pool.len()]).collect();
    if n > 0 {
        let last = n - 1;
        match rng.below(8) {
            0 if n >= 2 => list[last] = list[0],
            1 if n >= 2 => list[last].encryption_key = list[0].encryption_key,
            2 => list[last].authority = Pubkey::default(),
            3 => list[last].encryption_key = [0; 32],
            _ => {}
        }
    }
    let threshold = rng.below(n as u64 + 2) as u8;
    (threshold, list)
}

fn check(world: &World, model: &Model, patient: &Pubkey, entity: &Pubkey, step: &str) {
    let profile: Patient = world.account(&pda::patient(patient).0);
    assert!(profile.invariant(), "{step}: patient invariant");
    assert_eq!(
        (profile.guardian_encryption_key == [0; 32]),
        profile.guardian.is_none(),
        "{step}: a guardian exactly when a guardian key"
    );
    assert_eq!(
        PatientModel {
            encryption_key: profile.encryption_key,
            guardian: profile.guardian,
            guardian_key: profile.guardian_encryption_key,
        },
        model.patient,
        "{step}: patient"
    );
    let address = pda::custodians().0;
    match &model.custodians {
        None => assert!(!world.exists(&address), "{step}: no custodians yet"),
        Some(expected) => {
            let state: EmergencyCustodians = world.account(&address);
            assert!(state.invariant(), "{step}: custodians invariant");
            assert_eq!(state.bump, pda::custodians().1);
            assert_eq!(
                CustodiansModel {
                    threshold: state.threshold,
                    generation: state.generation,
                    custodians: state.custodians.clone(),
                },
                *expected,
                "{step}: custodians"
            );
        }
    }
    let state: Entity = world.account(&pda::entity(entity).0);
    assert!(state.invariant(), "{step}: entity invariant");
    assert_eq!(
        EntityModel {
            encryption_key: state.encryption_key,
            status: state.status,
        },
        model.entity,
        "{step}: entity"
    );
}

fn run(seed: u64, steps: usize) {
    let mut rng = Rng(seed);
    let mut world = World::new();
    let admin = world.admin.insecure_clone();
    let patient = world.patient();
    let lab = world.lab();
    let rival = world.provider();
    let guardians = [Keypair::new(), Keypair::new()];
    let stranger = world.wallet();
    let profile = pda::patient(&patient.pubkey()).0;
    let entity = pda::entity(&lab.pubkey()).0;
    let pool: Vec<Custodian> = (1..=7u8)
        .map(|i| Custodian {
            authority: Pubkey::new_unique(),
            encryption_key: [i; 32],
        })
        .collect();
    let mut model = Model {
        patient: PatientModel {
            encryption_key: [3; 32],
            guardian: None,
            guardian_key: [0; 32],
        },
        custodians: None,
        entity: EntityModel {
            encryption_key: [9; 32],
            status: EntityStatus::Active,
        },
    };
    check(&world, &model, &patient.pubkey(), &lab.pubkey(), "start");
    let watched = [
        profile,
        pda::custodians().0,
        entity,
        pda::entity(&rival.pubkey()).0,
        pda::patient(&stranger.pubkey()).0,
    ];
    let (mut accepted, mut refused) = (0, 0);

    for step in 0..steps {
        let mut next = model.clone();
        // (instruction, signers, expected error or None)
        let (name, ix, signers, expected): (&str, Instruction, Vec<&Keypair>, Option<u32>) =
            match rng.below(12) {
                // The patient names (or re-names) a guardian, who co-signs.
                0 | 1 => {
                    let g = match rng.below(5) {
                        0 => &patient,
                        i => &guardians[(i % 2) as usize],
                    };
                    let k = key(&mut rng);
                    let ix = rx::set_guardian(&patient.pubkey(), Some(&g.pubkey()), k);
                    let expected = if g.pubkey() == patient.pubkey() {
                        Some(code(RecordsError::GuardianIsPatient))
                    } else if k == [0; 32] {
                        Some(code(RecordsError::ZeroEncryptionKey))
                    } else {
                        next.patient.guardian = Some(g.pubkey());
                        next.patient.guardian_key = k;
                        None
                    };
                    let signers = if g.pubkey() == patient.pubkey() {
                        vec![&patient]
                    } else {
                        vec![&patient, g]
                    };
                    ("name guardian", ix, signers, expected)
                }
                // The patient removes the guardian, with or without a key.
                2 => {
                    let k = if rng.below(2) == 0 {
                        [0; 32]
                    } else {
                        key(&mut rng)
                    };
                    let ix = rx::set_guardian(&patient.pubkey(), None, k);
                    let expected = if k != [0; 32] {
                        Some(code(RecordsError::GuardianKeyWithoutGuardian))
                    } else {
                        next.patient.guardian = None;
                        next.patient.guardian_key = [0; 32];
                        None
                    };
                    ("remove guardian", ix, vec![&patient], expected)
                }
                // The patient names a guardian (and its key) that does not
                // sign: no guardian is named without accepting.
                3 => {
                    let g = &guardians[rng.below(2) as usize];
                    let mut ix = rx::set_guardian(&patient.pubkey(), Some(&g.pubkey()), [0x5a; 32]);
                    ix.accounts[1].is_signer = false;
                    (
                        "guardian does not sign",
                        ix,
                        vec![&patient],
                        Some(code(Anchor::AccountNotSigner)),
                    )
                }
                // A guardian or a stranger signs set_guardian for the
                // patient's profile (removing the guardian, or naming
                // itself with its own key).
                4 => {
                    let attacker = match rng.below(3) {
                        2 => &stranger,
                        i => &guardians[i as usize],
                    };
                    let mut ix = if rng.below(2) == 0 {
                        rx::set_guardian(&attacker.pubkey(), None, [0; 32])
                    } else {
                        let other = &guardians[rng.below(2) as usize];
                        rx::set_guardian(&attacker.pubkey(), Some(&other.pubkey()), [0x5b; 32])
                    };
                    ix.accounts[2].pubkey = profile;
                    let mut signers = vec![attacker];
                    if ix.accounts[1].is_signer && ix.accounts[1].pubkey != attacker.pubkey() {
                        let other = guardians
                            .iter()
                            .find(|g| g.pubkey() == ix.accounts[1].pubkey)
                            .expect("a guardian");
                        signers.push(other);
                    }
                    (
                        "someone else sets the guardian",
                        ix,
                        signers,
                        Some(code(Anchor::ConstraintSeeds)),
                    )
                }
                // The patient rotates their own key.
                5 => {
                    let k = key(&mut rng);
                    let ix = rx::update_patient_encryption_key(&patient.pubkey(), k);
                    let expected = if k == [0; 32] {
                        Some(code(RecordsError::ZeroEncryptionKey))
                    } else if k == model.patient.encryption_key {
                        Some(code(RecordsError::EncryptionKeyUnchanged))
                    } else {
                        next.patient.encryption_key = k;
                        None
                    };
                    ("patient rotates", ix, vec![&patient], expected)
                }
                // A guardian (current or former) or a stranger rotates the
                // patient's key through the patient's profile.
                6 => {
                    let attacker = match rng.below(3) {
                        2 => &stranger,
                        i => &guardians[i as usize],
                    };
                    let mut ix = rx::update_patient_encryption_key(&attacker.pubkey(), [0x5c; 32]);
                    ix.accounts[1].pubkey = profile;
                    (
                        "someone else rotates the patient's key",
                        ix,
                        vec![attacker],
                        Some(code(Anchor::ConstraintSeeds)),
                    )
                }
                // The guardian's key rotated by the guardian, a former or
                // never guardian, the patient, or a stranger.
                7 | 8 => {
                    let actor = match rng.below(4) {
                        0 => &patient,
                        1 => &stranger,
                        i => &guardians[(i % 2) as usize],
                    };
                    let k = key(&mut rng);
                    let ix =
                        rx::update_guardian_encryption_key(&actor.pubkey(), &patient.pubkey(), k);
                    let expected = if model.patient.guardian != Some(actor.pubkey()) {
                        Some(code(RecordsError::NotGuardian))
                    } else if k == [0; 32] {
                        Some(code(RecordsError::ZeroEncryptionKey))
                    } else if k == model.patient.guardian_key {
                        Some(code(RecordsError::EncryptionKeyUnchanged))
                    } else {
                        next.patient.guardian_key = k;
                        None
                    };
                    ("rotate guardian key", ix, vec![actor], expected)
                }
                // The admin, or someone else, names the custodians.
                9 => {
                    let (threshold, list) = random_custodians(&mut rng, &pool);
                    let signer = if rng.below(4) == 0 { &stranger } else { &admin };
                    let ix = rx::set_emergency_custodians(
                        &world.payer.pubkey(),
                        &signer.pubkey(),
                        SetEmergencyCustodiansArgs {
                            threshold,
                            custodians: list.clone(),
                        },
                    );
                    let expected = if signer.pubkey() != admin.pubkey() {
                        Some(code(RecordsError::NotRegistryAdmin))
                    } else if let Some(error) = custodian_set_error(threshold, &list) {
                        Some(code(error))
                    } else {
                        let generation = model.custodians.as_ref().map_or(0, |c| c.generation) + 1;
                        next.custodians = Some(CustodiansModel {
                            threshold,
                            generation,
                            custodians: list,
                        });
                        None
                    };
                    ("set custodians", ix, vec![signer], expected)
                }
                // The lab rotates its key, or a rival signs for the lab's
                // account.
                10 => {
                    let k = key(&mut rng);
                    if rng.below(4) == 0 {
                        let mut ix = rx::update_entity_encryption_key(&rival.pubkey(), k);
                        ix.accounts[1].pubkey = entity;
                        (
                            "rival rotates the lab's key",
                            ix,
                            vec![&rival],
                            Some(code(Anchor::ConstraintSeeds)),
                        )
                    } else {
                        let ix = rx::update_entity_encryption_key(&lab.pubkey(), k);
                        let expected = if model.entity.status == EntityStatus::Revoked {
                            Some(code(RecordsError::EntityRevoked))
                        } else if k == [0; 32] {
                            Some(code(RecordsError::ZeroEncryptionKey))
                        } else if k == model.entity.encryption_key {
                            Some(code(RecordsError::EncryptionKeyUnchanged))
                        } else {
                            next.entity.encryption_key = k;
                            None
                        };
                        ("lab rotates", ix, vec![&lab], expected)
                    }
                }
                // The admin suspends, reinstates or (late, rarely) revokes
                // the lab.
                _ => {
                    if model.entity.status == EntityStatus::Revoked {
                        continue;
                    }
                    let status = if step > steps / 2 && rng.below(4) == 0 {
                        EntityStatus::Revoked
                    } else if model.entity.status == EntityStatus::Active {
                        EntityStatus::Suspended
                    } else {
                        EntityStatus::Active
                    };
                    world.set_status(&lab.pubkey(), status);
                    model.entity.status = status;
                    check(&world, &model, &patient.pubkey(), &lab.pubkey(), "status");
                    continue;
                }
            };
        let label = format!("seed {seed} step {step} ({name})");
        let snapshot = world.snapshot(&watched);
        let result = world.send(&[ix], &signers);
        match expected {
            None => {
                if let Err(failed) = result {
                    panic!(
                        "{label}: refused: {:?}\n{}",
                        failed.err,
                        failed.meta.pretty_logs()
                    );
                }
                model = next;
                accepted += 1;
            }
            Some(error) => {
                custom_error(result, error);
                world.assert_unchanged(&snapshot);
                refused += 1;
            }
        }
        check(&world, &model, &patient.pubkey(), &lab.pubkey(), &label);
    }
    // The sequence exercised both sides.
    assert!(accepted >= steps / 8, "seed {seed}: {accepted} accepted");
    assert!(refused >= steps / 4, "seed {seed}: {refused} refused");
}

#[test]
fn random_key_guardian_and_custodian_steps_keep_the_invariants_and_refusals_change_nothing() {
    for seed in [15, 0x1515, 0x00de_ad15] {
        run(seed, 160);
    }
}
