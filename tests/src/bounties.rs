//! The cast of every bounties story: a researcher with a funded bounty, a
//! lab, a patient (with a guardian) whose lab results were issued before
//! the bounty opened, a relayer paying the patient's fees, a Research
//! consent naming the study's consent text and a Research read grant.

use {
    crate::*,
    ::bounties::{instructions::*, state::*},
    anchor_lang::prelude::Pubkey,
    consent::{
        instructions::GrantConsentArgs,
        state::{actions, ConsentPurpose, ConsentTerms, Decision},
    },
    panacea_sdk::{bounties as bx, consent as cx, records as rx},
    records::{
        instructions::GrantAccessArgs,
        pda,
        state::{kinds, permissions, EntityKind, GrantScope, Purpose, Record, RecordKind},
    },
    solana_account::Account,
    solana_instruction::Instruction,
    solana_keypair::Keypair,
    solana_signer::Signer,
};

/// SHA-256 of the study's consent text (any non-zero bytes here).
pub const CONSENT_TEXT: [u8; 32] = [0xC7; 32];
/// SHA-256 of the study's FHIR ResearchStudy.
pub const STUDY: [u8; 32] = [0x57; 32];
/// Reward per record: 25 units of a 6-decimal mint.
pub const REWARD: u64 = 25_000_000;
pub const MAX_CONTRIBUTIONS: u32 = 100;
pub const MAX_PER_PATIENT: u16 = 3;
pub const INTAKE: i64 = 30 * DAY;
pub const REVIEW: i64 = 7 * DAY;
/// How long the fixture's research grants last.
pub const GRANT: i64 = 14 * DAY;
/// What the fixture funds the bounty with.
pub const FUNDING: u64 = 10 * REWARD;
/// Lab results issued before the bounty opened.
pub const RECORDS: usize = 4;

pub struct Study {
    pub world: World,
    pub researcher: Keypair,
    pub lab: Keypair,
    pub patient: Keypair,
    pub guardian: Keypair,
    pub relayer: Keypair,
    pub mint: Pubkey,
    pub token_program: Pubkey,
    pub bounty: Pubkey,
    pub vault: Pubkey,
    pub keys: bx::BountyKeys,
    pub researcher_tokens: Pubkey,
    pub patient_tokens: Pubkey,
    /// The first of `records`.
    pub record: Pubkey,
    /// Lab results of the patient, issued before the bounty opened.
    pub records: Vec<Pubkey>,
    /// An imaging record of the patient, issued before the bounty opened.
    pub imaging: Pubkey,
}

/// The fixture's bounty terms (a random id).
pub fn bounty_args() -> CreateBountyArgs {
    CreateBountyArgs {
        bounty_id: random_id(),
        kinds: RecordKind::LabResult.bit(),
        reward: REWARD,
        max_contributions: MAX_CONTRIBUTIONS,
        max_per_patient: MAX_PER_PATIENT,
        intake_period: INTAKE,
        review_window: REVIEW,
        study_commitment: STUDY,
        consent_text: CONSENT_TEXT,
        algorithm: Some([0xA1; 32]),
    }
}

/// The whole cast, with the bounty funded with [`FUNDING`] of a mint of
/// `token_program`.
pub fn study(token_program: Pubkey) -> Study {
    study_with(token_program, |_| {})
}

/// The whole cast, with the bounty's terms changed by `terms`.
pub fn study_with(token_program: Pubkey, terms: impl FnOnce(&mut CreateBountyArgs)) -> Study {
    let mut world = World::new();
    let researcher = world.entity(EntityKind::Researcher);
    let lab = world.lab();
    let (patient, guardian) = world.patient_with_guardian();
    let relayer = world.wallet();
    let records: Vec<Pubkey> = (0..RECORDS)
        .map(|_| {
            let id = world.issue(&lab, &patient.pubkey(), RecordKind::LabResult);
            World::record_address(&patient.pubkey(), &id)
        })
        .collect();
    let id = world.issue(&lab, &patient.pubkey(), RecordKind::Imaging);
    let imaging = World::record_address(&patient.pubkey(), &id);
    // Issued strictly before the bounty opens.
    world.warp(60);
    let mint = world.create_mint(&token_program);
    let mut args = bounty_args();
    terms(&mut args);
    let bounty = bx::bounty_address(&researcher.pubkey(), &args.bounty_id);
    let ix = bx::create_bounty(
        &world.payer.pubkey(),
        &researcher.pubkey(),
        &mint,
        &token_program,
        args,
    );
    world.send(&[ix], &[&researcher]).expect("create bounty");
    let keys = bx::BountyKeys {
        bounty,
        researcher: researcher.pubkey(),
        mint,
        token_program,
    };
    let researcher_tokens = world.token_account(&researcher.pubkey(), &mint, &token_program);
    let patient_tokens = world.token_account(&patient.pubkey(), &mint, &token_program);
    world.mint_to(&mint, &researcher_tokens, 2 * FUNDING, &token_program);
    let mut study = Study {
        world,
        researcher,
        lab,
        patient,
        guardian,
        relayer,
        mint,
        token_program,
        bounty,
        vault: bx::vault_address(&bounty),
        keys,
        researcher_tokens,
        patient_tokens,
        record: records[0],
        records,
        imaging,
    };
    study.fund(FUNDING).expect("fund bounty");
    let patient = study.patient.insecure_clone();
    study.research_consent(&patient, CONSENT_TEXT, |_| {});
    let record = study.record;
    study.research_grant(&record, permissions::READ, Purpose::Research, GRANT);
    study
}

impl Study {
    pub fn now(&self) -> i64 {
        self.world.now()
    }

    pub fn state(&self) -> Bounty {
        self.world.account::<Bounty>(&self.bounty)
    }

    pub fn contribution_state(&self, record: &Pubkey) -> Contribution {
        self.world
            .account::<Contribution>(&self.contribution(record))
    }

    pub fn tally(&self) -> Pubkey {
        bx::tally_address(&self.bounty, &self.patient.pubkey())
    }

    pub fn tally_state(&self) -> PatientTally {
        self.world.account::<PatientTally>(&self.tally())
    }

    /// The vault holds what the ledger says, and the ledger is whole.
    #[track_caller]
    pub fn check_escrow(&self) {
        let vault = self.world.token_amount(&self.vault);
        self.state().check_escrow(vault).expect("escrow invariants");
    }

    /// The record at `address` (an account).
    pub fn record_state(&self, address: &Pubkey) -> Record {
        self.world.account::<Record>(address)
    }

    /// The origin of the amendment chain of the record at `address` (0 when
    /// nothing is there).
    pub fn origin(&self, address: &Pubkey) -> u64 {
        use anchor_lang::AccountDeserialize;
        self.world
            .raw(address)
            .filter(|account| account.owner == records::ID)
            .and_then(|account| Record::try_deserialize(&mut account.data.as_slice()).ok())
            .map_or(0, |record| record.origin)
    }

    pub fn contribution(&self, record: &Pubkey) -> Pubkey {
        bx::contribution_address(&self.bounty, &self.patient.pubkey(), self.origin(record))
    }

    /// The record-scope grant of the patient to the researcher on `record`.
    pub fn grant_address(&self, record: &Pubkey) -> Pubkey {
        pda::grant(&self.patient.pubkey(), &self.researcher.pubkey(), record).0
    }

    pub fn consent_address(&self) -> Pubkey {
        bx::research_consent_address(&self.patient.pubkey(), &self.researcher.pubkey())
    }

    // ----- consent and grants -----

    /// Terms of a Research consent naming `text`, permitting Access to
    /// every kind for a year.
    pub fn research_terms(&self, text: [u8; 32]) -> ConsentTerms {
        ConsentTerms {
            decision: Decision::Permit,
            kinds: kinds::ALL,
            actions: actions::ACCESS,
            period_start: self.now(),
            period_end: self.now() + 365 * DAY,
            policy_commitment: text,
        }
    }

    /// `patient` gives (or changes) its Research consent to the researcher,
    /// naming `text`, with its terms changed by `terms`.
    pub fn research_consent(
        &mut self,
        patient: &Keypair,
        text: [u8; 32],
        terms: impl FnOnce(&mut ConsentTerms),
    ) -> Pubkey {
        let grantee = self.researcher.pubkey();
        self.consent_to(patient, &grantee, ConsentPurpose::Research, text, terms)
    }

    /// `patient` consents to `grantee` for `purpose`, naming `text`.
    pub fn consent_to(
        &mut self,
        patient: &Keypair,
        grantee: &Pubkey,
        purpose: ConsentPurpose,
        text: [u8; 32],
        terms: impl FnOnce(&mut ConsentTerms),
    ) -> Pubkey {
        let mut consent_terms = self.research_terms(text);
        terms(&mut consent_terms);
        let ix = cx::grant_consent(
            &self.world.payer.pubkey(),
            &patient.pubkey(),
            &patient.pubkey(),
            grantee,
            GrantConsentArgs {
                purpose,
                terms: consent_terms,
            },
        );
        self.world.send(&[ix], &[patient]).expect("grant consent");
        cx::consent_address(&patient.pubkey(), grantee, purpose)
    }

    pub fn revoke_consent(&mut self) {
        let patient = self.patient.insecure_clone();
        let ix = cx::revoke_consent(
            &patient.pubkey(),
            &patient.pubkey(),
            &self.researcher.pubkey(),
            ConsentPurpose::Research,
        );
        self.world.send(&[ix], &[&patient]).expect("revoke consent");
    }

    /// The patient grants the researcher `perms` on `record` for `purpose`
    /// and `duration` (record scope); returns the grant.
    pub fn research_grant(
        &mut self,
        record: &Pubkey,
        perms: u8,
        purpose: Purpose,
        duration: i64,
    ) -> Pubkey {
        let grantee = self.researcher.pubkey();
        self.grant_to(&grantee, record, perms, purpose, duration)
    }

    pub fn grant_to(
        &mut self,
        grantee: &Pubkey,
        record: &Pubkey,
        perms: u8,
        purpose: Purpose,
        duration: i64,
    ) -> Pubkey {
        let patient = self.patient.insecure_clone();
        let ix = rx::grant_access(
            &self.world.payer.pubkey(),
            &patient.pubkey(),
            &patient.pubkey(),
            record,
            GrantAccessArgs {
                grantee: *grantee,
                scope: GrantScope::Record,
                kinds: 0,
                permissions: perms,
                purpose,
                duration,
                wrapped_key: vec![1; 80],
                leaf: None,
            },
        );
        self.world.send(&[ix], &[&patient]).expect("grant access");
        pda::grant(&patient.pubkey(), grantee, record).0
    }

    /// The patient grants the researcher Research read on all its records
    /// of `kinds` (patient scope); returns the grant.
    pub fn patient_scope_grant(&mut self, kinds: u16, duration: i64) -> Pubkey {
        let patient = self.patient.insecure_clone();
        let target = pda::patient(&patient.pubkey()).0;
        let ix = rx::grant_access(
            &self.world.payer.pubkey(),
            &patient.pubkey(),
            &patient.pubkey(),
            &target,
            GrantAccessArgs {
                grantee: self.researcher.pubkey(),
                scope: GrantScope::Patient,
                kinds,
                permissions: permissions::READ,
                purpose: Purpose::Research,
                duration,
                wrapped_key: vec![],
                leaf: None,
            },
        );
        self.world.send(&[ix], &[&patient]).expect("grant access");
        pda::grant(&patient.pubkey(), &self.researcher.pubkey(), &target).0
    }

    /// The record-scope research grant on `record` ([`GRANT`] long), made
    /// when missing.
    pub fn ensure_grant(&mut self, record: &Pubkey) -> Pubkey {
        let grant = self.grant_address(record);
        if !self.world.exists(&grant) {
            self.research_grant(record, permissions::READ, Purpose::Research, GRANT);
        }
        grant
    }

    pub fn revoke_grant(&mut self, grant: &Pubkey) {
        let patient = self.patient.insecure_clone();
        let ix = rx::revoke_access(&patient.pubkey(), &patient.pubkey(), grant);
        self.world.send(&[ix], &[&patient]).expect("revoke grant");
    }

    // ----- the bounty -----

    pub fn fund(&mut self, amount: u64) -> TxResult {
        let researcher = self.researcher.insecure_clone();
        let ix = bx::fund_bounty(
            &researcher.pubkey(),
            &self.keys,
            &self.researcher_tokens,
            amount,
        );
        self.world.send(&[ix], &[&researcher])
    }

    pub fn withdraw(&mut self, amount: u64) -> TxResult {
        let researcher = self.researcher.insecure_clone();
        let ix = bx::withdraw_unreserved(&self.keys, &self.researcher_tokens, amount);
        self.world.send(&[ix], &[&researcher])
    }

    pub fn close_intake(&mut self) -> TxResult {
        let researcher = self.researcher.insecure_clone();
        let ix = bx::close_intake(&researcher.pubkey(), &self.bounty);
        self.world.send(&[ix], &[&researcher])
    }

    pub fn cancel_bounty(&mut self) -> TxResult {
        let researcher = self.researcher.insecure_clone();
        let ix = bx::cancel_bounty(&researcher.pubkey(), &self.bounty);
        self.world.send(&[ix], &[&researcher])
    }

    pub fn close_bounty(&mut self) -> TxResult {
        let researcher = self.researcher.insecure_clone();
        let ix = bx::close_bounty(
            &self.keys,
            &self.researcher_tokens,
            &self.world.payer.pubkey(),
        );
        self.world.send(&[ix], &[&researcher])
    }

    // ----- contributions -----

    /// `signer` (the patient or guardian, or an impostor) offers `record`
    /// with its record-scope grant, the relayer paying.
    pub fn offer_ix(&self, record: &Pubkey, signer: &Pubkey) -> Instruction {
        bx::offer_contribution(
            &self.relayer.pubkey(),
            signer,
            &self.patient.pubkey(),
            &self.keys,
            record,
            &self.grant_address(record),
            self.origin(record),
            None,
        )
    }

    /// Sends `ix` paid by the relayer and signed by `signer`.
    pub fn send_relayed(&mut self, ix: Instruction, signer: &Keypair) -> TxResult {
        let relayer = self.relayer.insecure_clone();
        self.world.send_paid_by(&relayer, &[ix], &[signer])
    }

    /// The patient offers `record` (the relayer pays).
    pub fn offer(&mut self, record: &Pubkey) -> TxResult {
        let ix = self.offer_ix(record, &self.patient.pubkey());
        let patient = self.patient.insecure_clone();
        self.send_relayed(ix, &patient)
    }

    /// Grants (when missing) and offers `record`; returns its contribution.
    pub fn offered(&mut self, record: &Pubkey) -> Pubkey {
        self.ensure_grant(record);
        self.offer(record).expect("offer contribution");
        self.contribution(record)
    }

    pub fn accept_ix(&self, record: &Pubkey, amount: u64, quality: u8) -> Instruction {
        bx::accept_contribution(
            &self.researcher.pubkey(),
            &self.keys,
            &self.contribution(record),
            &self.patient.pubkey(),
            &self.grant_address(record),
            &self.patient_tokens,
            amount,
            quality,
        )
    }

    pub fn accept(&mut self, record: &Pubkey, amount: u64, quality: u8) -> TxResult {
        let ix = self.accept_ix(record, amount, quality);
        let researcher = self.researcher.insecure_clone();
        self.world.send(&[ix], &[&researcher])
    }

    pub fn reject_ix(&self, record: &Pubkey, reason: u16) -> Instruction {
        bx::reject_contribution(
            &self.researcher.pubkey(),
            &self.keys,
            &self.contribution(record),
            &self.patient.pubkey(),
            reason,
        )
    }

    pub fn reject(&mut self, record: &Pubkey, reason: u16) -> TxResult {
        let ix = self.reject_ix(record, reason);
        let researcher = self.researcher.insecure_clone();
        self.world.send(&[ix], &[&researcher])
    }

    /// Settled by the world's payer (anyone).
    pub fn settle_ix(&self, record: &Pubkey) -> Instruction {
        bx::settle_contribution(
            &self.world.payer.pubkey(),
            &self.keys,
            &self.contribution(record),
            &self.patient.pubkey(),
            &self.grant_address(record),
            &self.patient_tokens,
        )
    }

    pub fn settle(&mut self, record: &Pubkey) -> TxResult {
        let ix = self.settle_ix(record);
        self.world.send(&[ix], &[])
    }

    /// Cancelled by the world's payer (anyone).
    pub fn cancel_ix(&self, record: &Pubkey) -> Instruction {
        bx::cancel_contribution(
            &self.world.payer.pubkey(),
            &self.keys,
            &self.contribution(record),
            &self.patient.pubkey(),
            &self.grant_address(record),
        )
    }

    pub fn cancel(&mut self, record: &Pubkey) -> TxResult {
        let ix = self.cancel_ix(record);
        self.world.send(&[ix], &[])
    }

    /// What every refused step must leave as it was: the bounty, its vault,
    /// the patient's tally and contributions, and the token accounts.
    pub fn watched(&self) -> Vec<Pubkey> {
        let mut watched = vec![
            self.bounty,
            self.vault,
            self.tally(),
            self.patient_tokens,
            self.researcher_tokens,
        ];
        watched.extend(self.records.iter().map(|r| self.contribution(r)));
        watched.push(self.contribution(&self.imaging));
        watched
    }

    pub fn snapshot(&self) -> Vec<(Pubkey, Option<Account>)> {
        self.world.snapshot(&self.watched())
    }
}

/// `ix` with every account at `from` replaced by `to`.
pub fn replace(mut ix: Instruction, from: &Pubkey, to: &Pubkey) -> Instruction {
    for meta in ix.accounts.iter_mut().filter(|m| m.pubkey == *from) {
        meta.pubkey = *to;
    }
    ix
}

impl Study {
    /// The researcher opens (and funds with [`FUNDING`]) another bounty
    /// with the fixture's terms changed by `terms`; the study now points at
    /// it. Records issued until now count in it.
    pub fn reopen(&mut self, terms: impl FnOnce(&mut CreateBountyArgs)) {
        self.world.warp(60);
        let mut args = bounty_args();
        terms(&mut args);
        let bounty = bx::bounty_address(&self.researcher.pubkey(), &args.bounty_id);
        let ix = bx::create_bounty(
            &self.world.payer.pubkey(),
            &self.researcher.pubkey(),
            &self.mint,
            &self.token_program,
            args,
        );
        let researcher = self.researcher.insecure_clone();
        self.world
            .send(&[ix], &[&researcher])
            .expect("create bounty");
        self.bounty = bounty;
        self.vault = bx::vault_address(&bounty);
        self.keys.bounty = bounty;
        self.fund(FUNDING).expect("fund bounty");
    }
}
