//! A long, seeded, reproducible random sequence of bounty operations: a
//! researcher's bounty, three patients (one with a guardian) offering eighteen
//! lab results issued before the bounty opened (and a few records that do
//! not count), a relayer paying their fees, consents and grants given,
//! revoked, replaced and expiring, the researcher accepting (all or part,
//! with a quality score) and rejecting, anyone settling and cancelling,
//! funding, tokens sent straight to the vault, withdrawals (sometimes over
//! what is unreserved), time passing, intake closed and the bounty
//! cancelled near the end.
//!
//! A model predicts every step: the exact error of a refused step (which
//! must then change no account it could write) or, for a step that lands,
//! the new state. After every step the ledger, every contribution, every
//! tally and every balance match the model, the escrow invariants hold
//! against the vault's real balance, no contribution is paid twice, and
//! tokens only move between the researcher, the vault and the patients. At
//! the end every pending contribution is settled or cancelled, and every
//! bounties account is closed, its rent back to whoever paid it.

use {
    ::bounties::{
        constants::SETTLEMENT_PERIOD, errors::BountiesError, instructions::CreateBountyArgs,
        state::*,
    },
    anchor_lang::prelude::Pubkey,
    anchor_spl::token_2022::spl_token_2022::instruction as token_ix,
    consent::{
        instructions::GrantConsentArgs,
        state::{actions, ConsentPurpose, ConsentTerms, Decision},
    },
    panacea_sdk::{bounties as bx, consent as cx, records as rx},
    panacea_tests::*,
    records::{
        instructions::GrantAccessArgs,
        pda,
        state::{kinds, permissions, EntityKind, GrantScope, Purpose, Record, RecordKind},
    },
    solana_instruction::{error::InstructionError, Instruction},
    solana_keypair::Keypair,
    solana_signer::Signer,
    solana_transaction_error::TransactionError,
    std::collections::{BTreeMap, HashSet},
};

/// The consent text of the sequence's study, and another study's.
const TEXT: [u8; 32] = [0xC7; 32];
const OTHER_TEXT: [u8; 32] = [0xD8; 32];
/// One unit of a 6-decimal mint per record.
const REWARD: u64 = 1_000_000;
/// Fewer slots than the records that could fill them (3 patients x 4).
const MAX_CONTRIBUTIONS: u32 = 10;
const MAX_PER_PATIENT: u16 = 4;
/// A short review window, so that settlements happen within the sequence.
const REVIEW: i64 = 2 * DAY;
const INTAKE: i64 = 40 * DAY;
/// Lab results per patient issued before the bounty opened.
const LAB_RESULTS: usize = 6;

/// The model of a patient's Research consent to the researcher.
#[derive(Clone, Copy, Debug)]
struct ConsentModel {
    text: [u8; 32],
    deny: bool,
    revoked: bool,
    end: i64,
}

/// The model of the record-scope grant of a record to the researcher.
#[derive(Clone, Copy, Debug)]
struct GrantModel {
    research: bool,
    read: bool,
    expires_at: i64,
    revoked: bool,
}

struct Rec {
    address: Pubkey,
    origin: u64,
    /// A lab result (the bounty wants only those).
    wanted: bool,
    /// Issued before the bounty opened.
    before_opening: bool,
    grant: Option<GrantModel>,
}

#[derive(Clone, Copy, Debug, Default)]
struct TallyModel {
    exists: bool,
    counted: u16,
    pending: u16,
}

struct Person {
    key: Keypair,
    guardian: Option<Keypair>,
    tokens: Pubkey,
    records: Vec<Rec>,
    consent: Option<ConsentModel>,
    tally: TallyModel,
    /// Everything paid to this patient.
    received: u64,
}

#[derive(Clone, Debug)]
struct ContributionModel {
    person: usize,
    record: usize,
    address: Pubkey,
    status: ContributionStatus,
    amount_paid: u64,
    quality: Option<u8>,
    review_deadline: i64,
    closed: bool,
}

/// The bounty's ledger as the model sees it.
#[derive(Clone, Copy, Debug)]
struct Ledger {
    deposited: u64,
    reserved: u64,
    paid: u64,
    withdrawn: u64,
    pending: u32,
    rewarded: u32,
    status: BountyStatus,
    intake_ends_at: i64,
}

/// How a step is expected to be refused: by the program, or by Anchor
/// while loading its accounts (before any of the program's checks).
#[derive(Clone, Copy, Debug)]
enum Refusal {
    Program(BountiesError),
    Anchor(anchor_lang::error::ErrorCode),
}

impl From<BountiesError> for Refusal {
    fn from(error: BountiesError) -> Self {
        Self::Program(error)
    }
}

impl Refusal {
    fn code(self) -> u32 {
        match self {
            Self::Program(error) => error.into(),
            Self::Anchor(error) => error.into(),
        }
    }
}

/// Once intake is over, a patient's tally may be closed while its final
/// contributions remain: any review, settlement or cancellation of one is
/// then refused by Anchor (the tally account is gone) before the program
/// looks at the contribution's status. Nothing could be paid anyway.
const TALLY_CLOSED: Refusal = Refusal::Anchor(anchor_lang::error::ErrorCode::AccountNotInitialized);

struct Sequence {
    world: World,
    researcher: Keypair,
    relayer: Keypair,
    stranger: Keypair,
    people: Vec<Person>,
    keys: bx::BountyKeys,
    vault: Pubkey,
    researcher_tokens: Pubkey,
    guardian_tokens: Pubkey,
    relayer_tokens: Pubkey,
    ledger: Ledger,
    /// Tokens sent straight to the vault and not yet absorbed.
    donation: u64,
    contributions: Vec<ContributionModel>,
    /// Every token of the mint: the researcher's, the vault's, the patients'.
    total: u64,
    researcher_start: u64,
    paid_once: HashSet<Pubkey>,
    landed: BTreeMap<&'static str, usize>,
    refused: BTreeMap<&'static str, usize>,
    /// Every distinct refusal seen (operation, error code).
    refusals: std::collections::BTreeSet<(&'static str, u32)>,
}

fn debug() -> bool {
    std::env::var("PANACEA_DEBUG").is_ok()
}

impl Sequence {
    fn new(token_program: Pubkey) -> Self {
        let mut world = World::new();
        let researcher = world.entity(EntityKind::Researcher);
        let lab = world.lab();
        let relayer = world.wallet();
        let stranger = world.wallet();
        let (first, guardian) = world.patient_with_guardian();
        let mut cast = vec![(first, Some(guardian))];
        cast.push((world.patient(), None));
        cast.push((world.patient(), None));
        let mut people: Vec<Person> = cast
            .into_iter()
            .map(|(key, guardian)| Person {
                key,
                guardian,
                tokens: Pubkey::default(),
                records: Vec::new(),
                consent: None,
                tally: TallyModel::default(),
                received: 0,
            })
            .collect();
        let issue = |world: &mut World, person: &mut Person, kind: RecordKind, before: bool| {
            let id = world.issue(&lab, &person.key.pubkey(), kind);
            let address = World::record_address(&person.key.pubkey(), &id);
            let origin = world.account::<Record>(&address).origin;
            person.records.push(Rec {
                address,
                origin,
                wanted: kind == RecordKind::LabResult,
                before_opening: before,
                grant: None,
            });
        };
        for person in people.iter_mut() {
            for _ in 0..LAB_RESULTS {
                issue(&mut world, person, RecordKind::LabResult, true);
            }
        }
        // A kind the bounty does not want.
        issue(&mut world, &mut people[0], RecordKind::Imaging, true);
        world.warp(60);

        let mint = world.create_mint(&token_program);
        let args = CreateBountyArgs {
            bounty_id: random_id(),
            kinds: RecordKind::LabResult.bit(),
            reward: REWARD,
            max_contributions: MAX_CONTRIBUTIONS,
            max_per_patient: MAX_PER_PATIENT,
            intake_period: INTAKE,
            review_window: REVIEW,
            study_commitment: [0x57; 32],
            consent_text: TEXT,
            algorithm: None,
        };
        let bounty = bx::bounty_address(&researcher.pubkey(), &args.bounty_id);
        let ix = bx::create_bounty(
            &world.payer.pubkey(),
            &researcher.pubkey(),
            &mint,
            &token_program,
            args,
        );
        world.send(&[ix], &[&researcher]).expect("create bounty");
        let opened = world.account::<Bounty>(&bounty);
        // A lab result issued after the bounty opened.
        world.warp(1);
        issue(&mut world, &mut people[1], RecordKind::LabResult, false);

        let keys = bx::BountyKeys {
            bounty,
            researcher: researcher.pubkey(),
            mint,
            token_program,
        };
        let researcher_tokens = world.token_account(&researcher.pubkey(), &mint, &token_program);
        for person in people.iter_mut() {
            person.tokens = world.token_account(&person.key.pubkey(), &mint, &token_program);
        }
        let guardian_key = people[0].guardian.as_ref().expect("guardian").pubkey();
        let guardian_tokens = world.token_account(&guardian_key, &mint, &token_program);
        let relayer_tokens = world.token_account(&relayer.pubkey(), &mint, &token_program);
        world.mint_to(&mint, &researcher_tokens, 1_000 * REWARD, &token_program);
        let researcher_start = world.token_amount(&researcher_tokens);
        let mut sequence = Self {
            world,
            researcher,
            relayer,
            stranger,
            people,
            keys,
            vault: bx::vault_address(&bounty),
            researcher_tokens,
            guardian_tokens,
            relayer_tokens,
            ledger: Ledger {
                deposited: 0,
                reserved: 0,
                paid: 0,
                withdrawn: 0,
                pending: 0,
                rewarded: 0,
                status: BountyStatus::Open,
                intake_ends_at: opened.intake_ends_at,
            },
            donation: 0,
            contributions: Vec::new(),
            total: researcher_start,
            researcher_start,
            paid_once: HashSet::new(),
            landed: BTreeMap::new(),
            refused: BTreeMap::new(),
            refusals: Default::default(),
        };
        // Enough for five offers; funding and donations add more.
        sequence.fund(usize::MAX, 5 * REWARD);
        // Every patient agreed to the study's consent text and granted the
        // researcher Research read on its lab results; the sequence then
        // revokes, replaces and lets them expire.
        for p in 0..sequence.people.len() {
            sequence.give_consent(p, TEXT, false, 365 * DAY);
            for r in 0..LAB_RESULTS {
                sequence.give_grant(p, r, true, true, 60 * DAY);
            }
        }
        sequence
    }

    fn now(&self) -> i64 {
        self.world.now()
    }

    fn intake_open(&self) -> bool {
        self.ledger.status == BountyStatus::Open && self.now() < self.ledger.intake_ends_at
    }

    /// What the vault holds beyond what pending contributions need, counting
    /// tokens sent straight to it (every operation that checks it absorbs
    /// them first).
    fn unreserved(&self) -> u64 {
        let l = &self.ledger;
        l.deposited + self.donation - l.paid - l.withdrawn - l.reserved
    }

    fn grant_address(&self, p: usize, r: usize) -> Pubkey {
        pda::grant(
            &self.people[p].key.pubkey(),
            &self.researcher.pubkey(),
            &self.people[p].records[r].address,
        )
        .0
    }

    fn contribution_address(&self, p: usize, origin: u64) -> Pubkey {
        bx::contribution_address(&self.keys.bounty, &self.people[p].key.pubkey(), origin)
    }

    fn tally_address(&self, p: usize) -> Pubkey {
        bx::tally_address(&self.keys.bounty, &self.people[p].key.pubkey())
    }

    /// The model of `research_permission` for record `r` of patient `p`:
    /// the first failure in the program's order, or when the grant and the
    /// consent end.
    fn permission(&self, p: usize, r: usize) -> Result<(i64, i64), BountiesError> {
        use BountiesError::*;
        let now = self.now();
        let consent = self.people[p].consent.ok_or(ConsentMissing)?;
        if consent.revoked {
            return Err(ConsentRevoked);
        }
        if consent.deny {
            return Err(ConsentDenied);
        }
        if now >= consent.end {
            return Err(ConsentExpired);
        }
        if consent.text != TEXT {
            return Err(ConsentOtherStudy);
        }
        let grant = self.people[p].records[r].grant.ok_or(GrantMissing)?;
        if grant.revoked {
            return Err(GrantRevoked);
        }
        if now >= grant.expires_at {
            return Err(GrantExpired);
        }
        if !grant.read {
            return Err(GrantWithoutRead);
        }
        if !grant.research {
            return Err(GrantNotResearch);
        }
        Ok((grant.expires_at, consent.end))
    }

    /// The live (not closed) contribution of record `r` of patient `p`.
    fn contribution_of(&self, p: usize, r: usize) -> Option<usize> {
        self.contributions
            .iter()
            .position(|c| c.person == p && c.record == r && !c.closed)
    }

    // ----- sending -----

    /// Sends `ixs` (paid by `payer`, else the world's payer, and signed by
    /// `signers`) and checks the outcome against `expected`: a refusal with
    /// exactly that error changing no account the transaction could write.
    /// Returns whether it landed.
    fn send(
        &mut self,
        step: usize,
        op: &'static str,
        ix: Instruction,
        payer: Option<&Keypair>,
        signers: &[&Keypair],
        expected: Result<(), impl Into<Refusal>>,
    ) -> bool {
        let expected = expected.map_err(Into::into);
        let fee_payer = payer.map_or(self.world.payer.pubkey(), |p| p.pubkey());
        let writable: Vec<Pubkey> = ix
            .accounts
            .iter()
            .filter(|a| a.is_writable && a.pubkey != fee_payer)
            .map(|a| a.pubkey)
            .collect();
        let before = self.world.snapshot(&writable);
        let before_vault = self.world.token_amount(&self.vault);
        let result = match payer {
            Some(payer) => self.world.send_paid_by(payer, &[ix], signers),
            None => self.world.send(&[ix], signers),
        };
        match (result, expected) {
            (Ok(_), Ok(())) => {
                *self.landed.entry(op).or_default() += 1;
                true
            }
            (Ok(meta), Err(error)) => panic!(
                "step {step} {op}: expected {error:?}, but it landed:\n{}",
                meta.pretty_logs()
            ),
            (Err(failed), expected) => {
                let code = match failed.err {
                    TransactionError::InstructionError(_, InstructionError::Custom(code)) => code,
                    ref other => panic!(
                        "step {step} {op}: expected {expected:?}, got {other:?}\n{}",
                        failed.meta.pretty_logs()
                    ),
                };
                match expected {
                    Ok(()) => panic!(
                        "step {step} {op}: expected to land, refused with {code}\n{}",
                        failed.meta.pretty_logs()
                    ),
                    Err(error) => assert_eq!(
                        code,
                        error.code(),
                        "step {step} {op}: expected {error:?}\n{}",
                        failed.meta.pretty_logs()
                    ),
                }
                if debug() {
                    eprintln!("step {step} {op}: refused with {expected:?}");
                }
                *self.refused.entry(op).or_default() += 1;
                self.refusals.insert((op, code));
                self.world.assert_unchanged(&before);
                assert_eq!(
                    self.world.token_amount(&self.vault),
                    before_vault,
                    "step {step}: a refused {op} moved money"
                );
                false
            }
        }
    }

    /// Setup transactions outside the bounties program (consents, grants):
    /// they must land and must not touch the bounty.
    fn setup(&mut self, ixs: &[Instruction], signers: &[&Keypair], what: &str) {
        let watched = [self.keys.bounty, self.vault];
        let before = self.world.snapshot(&watched);
        self.world.send(ixs, signers).expect(what);
        self.world.assert_unchanged(&before);
    }

    /// Any landed operation that reads the vault absorbed the tokens sent
    /// straight to it.
    fn absorb(&mut self) {
        self.ledger.deposited += self.donation;
        self.donation = 0;
    }

    // ----- consents and grants -----

    fn give_consent(&mut self, p: usize, text: [u8; 32], deny: bool, duration: i64) {
        let now = self.now();
        let terms = ConsentTerms {
            decision: if deny {
                Decision::Deny
            } else {
                Decision::Permit
            },
            kinds: kinds::ALL,
            actions: actions::ACCESS,
            period_start: now,
            period_end: now + duration,
            policy_commitment: text,
        };
        let patient = self.people[p].key.insecure_clone();
        let ix = cx::grant_consent(
            &self.world.payer.pubkey(),
            &patient.pubkey(),
            &patient.pubkey(),
            &self.researcher.pubkey(),
            GrantConsentArgs {
                purpose: ConsentPurpose::Research,
                terms,
            },
        );
        self.setup(&[ix], &[&patient], "grant consent");
        self.people[p].consent = Some(ConsentModel {
            text,
            deny,
            revoked: false,
            end: now + duration,
        });
    }

    fn revoke_consent(&mut self, p: usize) {
        let patient = self.people[p].key.insecure_clone();
        let ix = cx::revoke_consent(
            &patient.pubkey(),
            &patient.pubkey(),
            &self.researcher.pubkey(),
            ConsentPurpose::Research,
        );
        self.setup(&[ix], &[&patient], "revoke consent");
        self.people[p].consent.as_mut().expect("a consent").revoked = true;
    }

    fn revoke_grant(&mut self, p: usize, r: usize) {
        let patient = self.people[p].key.insecure_clone();
        let grant = self.grant_address(p, r);
        let ix = rx::revoke_access(&patient.pubkey(), &patient.pubkey(), &grant);
        self.setup(&[ix], &[&patient], "revoke grant");
        self.people[p].records[r]
            .grant
            .as_mut()
            .expect("a grant")
            .revoked = true;
    }

    /// The patient (re-)grants the researcher access to record `r`: the
    /// grant in place is revoked and closed first.
    fn give_grant(&mut self, p: usize, r: usize, research: bool, read: bool, duration: i64) {
        let now = self.now();
        let patient = self.people[p].key.insecure_clone();
        let grant = self.grant_address(p, r);
        if let Some(old) = self.people[p].records[r].grant {
            if !old.revoked && now < old.expires_at {
                self.revoke_grant(p, r);
            }
            let ix = rx::close_grant(
                &patient.pubkey(),
                &patient.pubkey(),
                &grant,
                &self.world.payer.pubkey(),
            );
            self.setup(&[ix], &[&patient], "close grant");
            self.people[p].records[r].grant = None;
        }
        let ix = rx::grant_access(
            &self.world.payer.pubkey(),
            &patient.pubkey(),
            &patient.pubkey(),
            &self.people[p].records[r].address,
            GrantAccessArgs {
                grantee: self.researcher.pubkey(),
                scope: GrantScope::Record,
                kinds: 0,
                permissions: if read {
                    permissions::READ
                } else {
                    permissions::AMEND
                },
                purpose: if research {
                    Purpose::Research
                } else {
                    Purpose::Treatment
                },
                duration,
                wrapped_key: vec![1; 80],
                leaf: None,
            },
        );
        self.setup(&[ix], &[&patient], "grant access");
        self.people[p].records[r].grant = Some(GrantModel {
            research,
            read,
            expires_at: now + duration,
            revoked: false,
        });
    }

    // ----- bounty operations -----

    fn fund(&mut self, step: usize, amount: u64) {
        let expected = if amount == 0 {
            Err(BountiesError::InvalidAmount)
        } else {
            Ok(())
        };
        let researcher = self.researcher.insecure_clone();
        let ix = bx::fund_bounty(
            &researcher.pubkey(),
            &self.keys,
            &self.researcher_tokens,
            amount,
        );
        if self.send(step, "fund", ix, None, &[&researcher], expected) {
            self.absorb();
            self.ledger.deposited += amount;
        }
    }

    fn donate(&mut self, amount: u64) {
        let ix = token_ix::transfer_checked(
            &self.keys.token_program,
            &self.researcher_tokens,
            &self.keys.mint,
            &self.vault,
            &self.researcher.pubkey(),
            &[],
            amount,
            6,
        )
        .expect("transfer");
        let researcher = self.researcher.insecure_clone();
        self.world.send(&[ix], &[&researcher]).expect("donate");
        self.donation += amount;
    }

    fn withdraw(&mut self, step: usize, amount: u64) {
        let expected = if amount > self.unreserved() {
            Err(BountiesError::InsufficientEscrow)
        } else {
            Ok(())
        };
        let researcher = self.researcher.insecure_clone();
        let ix = bx::withdraw_unreserved(&self.keys, &self.researcher_tokens, amount);
        if self.send(step, "withdraw", ix, None, &[&researcher], expected) {
            self.absorb();
            self.ledger.withdrawn += amount;
        }
    }

    /// `signer` offers record `r` of patient `q` as patient `p`'s (with
    /// `origin_shift` added to its origin), the relayer paying.
    fn offer(
        &mut self,
        step: usize,
        p: usize,
        q: usize,
        r: usize,
        origin_shift: u64,
        signer: Keypair,
    ) {
        use BountiesError::*;
        let person = &self.people[p];
        let record = &self.people[q].records[r];
        let origin = record.origin + origin_shift;
        let may_sign = signer.pubkey() == person.key.pubkey()
            || person.guardian.as_ref().map(|g| g.pubkey()) == Some(signer.pubkey());
        let now = self.now();
        let expected = (|| {
            if !may_sign {
                return Err(NotPatientOrGuardian);
            }
            if !self.intake_open() {
                return Err(IntakeClosed);
            }
            if q != p {
                return Err(RecordPatientMismatch);
            }
            if origin_shift != 0 {
                return Err(ContributionMismatch);
            }
            if self.contribution_of(p, r).is_some() {
                return Err(RecordAlreadyContributed);
            }
            if !record.wanted {
                return Err(KindNotWanted);
            }
            if !record.before_opening {
                return Err(RecordIssuedAfterOpening);
            }
            let (grant_ends, consent_ends) = self.permission(p, r)?;
            // As the program: the grant and the consent outlive the review
            // window by the settlement period, so anyone can still settle.
            let settle_until = now + REVIEW + SETTLEMENT_PERIOD;
            if grant_ends < settle_until {
                return Err(GrantEndsInsideWindow);
            }
            if consent_ends < settle_until {
                return Err(ConsentEndsInsideWindow);
            }
            if person.tally.counted >= MAX_PER_PATIENT {
                return Err(PatientCapReached);
            }
            if self.ledger.pending + self.ledger.rewarded >= MAX_CONTRIBUTIONS {
                return Err(BountyFull);
            }
            if self.unreserved() < REWARD {
                return Err(InsufficientEscrow);
            }
            Ok(())
        })();
        let ix = bx::offer_contribution(
            &self.relayer.pubkey(),
            &signer.pubkey(),
            &person.key.pubkey(),
            &self.keys,
            &record.address,
            &self.grant_address(p, r.min(self.people[p].records.len() - 1)),
            origin,
            None,
        );
        let relayer = self.relayer.insecure_clone();
        if self.send(step, "offer", ix, Some(&relayer), &[&signer], expected) {
            self.absorb();
            self.ledger.reserved += REWARD;
            self.ledger.pending += 1;
            let tally = &mut self.people[p].tally;
            tally.exists = true;
            tally.counted += 1;
            tally.pending += 1;
            let address = self.contribution_address(p, origin);
            self.contributions.push(ContributionModel {
                person: p,
                record: r,
                address,
                status: ContributionStatus::Pending,
                amount_paid: 0,
                quality: None,
                review_deadline: now + REVIEW,
                closed: false,
            });
        }
    }

    /// Books the payment of `amount` to contribution `c`.
    fn paid(&mut self, c: usize, amount: u64, quality: Option<u8>) {
        self.absorb();
        let contribution = &mut self.contributions[c];
        assert!(
            self.paid_once.insert(contribution.address),
            "contribution {} paid twice",
            contribution.address
        );
        contribution.status = ContributionStatus::Paid;
        contribution.amount_paid = amount;
        contribution.quality = quality;
        let person = &mut self.people[contribution.person];
        person.received += amount;
        person.tally.pending -= 1;
        let l = &mut self.ledger;
        l.paid += amount;
        l.reserved -= REWARD;
        l.pending -= 1;
        l.rewarded += 1;
    }

    /// Contribution `c` was rejected or cancelled: its reward and its slot
    /// are free again.
    fn released(&mut self, c: usize, status: ContributionStatus) {
        self.absorb();
        let contribution = &mut self.contributions[c];
        contribution.status = status;
        let tally = &mut self.people[contribution.person].tally;
        tally.pending -= 1;
        tally.counted -= 1;
        self.ledger.reserved -= REWARD;
        self.ledger.pending -= 1;
    }

    /// Where a payment for contribution `c` goes: the patient's account,
    /// or (`wrong`) the guardian's or the relayer's.
    fn payout_account(&self, c: usize, wrong: u64) -> Pubkey {
        match wrong {
            1 => self.guardian_tokens,
            2 => self.relayer_tokens,
            _ => self.people[self.contributions[c].person].tokens,
        }
    }

    /// `by` (the researcher, or a stranger) accepts contribution `c`,
    /// paying `amount` to the patient's account (or, `wrong`, another's).
    fn accept(&mut self, step: usize, c: usize, by: Keypair, amount: u64, quality: u8, wrong: u64) {
        use BountiesError::*;
        let model = self.contributions[c].clone();
        let tally_closed = !self.people[model.person].tally.exists;
        let expected = (|| {
            if wrong != 0 {
                return Err(PayoutNotPatient);
            }
            if by.pubkey() != self.researcher.pubkey() {
                return Err(NotResearcher);
            }
            if model.status != ContributionStatus::Pending {
                return Err(InvalidContributionStatus);
            }
            if self.now() >= model.review_deadline {
                return Err(ReviewWindowClosed);
            }
            if amount == 0 || amount > REWARD {
                return Err(InvalidAmount);
            }
            if quality > 100 {
                return Err(InvalidQualityScore);
            }
            self.permission(model.person, model.record).map(|_| ())
        })()
        .map_err(Refusal::from);
        let expected = if tally_closed {
            Err(TALLY_CLOSED)
        } else {
            expected
        };
        let ix = bx::accept_contribution(
            &by.pubkey(),
            &self.keys,
            &model.address,
            &self.people[model.person].key.pubkey(),
            &self.grant_address(model.person, model.record),
            &self.payout_account(c, wrong),
            amount,
            quality,
        );
        if self.send(step, "accept", ix, None, &[&by], expected) {
            self.paid(c, amount, Some(quality));
        }
    }

    fn reject(&mut self, step: usize, c: usize, by: Keypair, reason: u16) {
        use BountiesError::*;
        let model = self.contributions[c].clone();
        let tally_closed = !self.people[model.person].tally.exists;
        let expected = (|| {
            if by.pubkey() != self.researcher.pubkey() {
                return Err(NotResearcher);
            }
            if model.status != ContributionStatus::Pending {
                return Err(InvalidContributionStatus);
            }
            if self.now() >= model.review_deadline {
                return Err(ReviewWindowClosed);
            }
            if reason == 0 {
                return Err(InvalidReasonCode);
            }
            Ok(())
        })()
        .map_err(Refusal::from);
        let expected = if tally_closed {
            Err(TALLY_CLOSED)
        } else {
            expected
        };
        let ix = bx::reject_contribution(
            &by.pubkey(),
            &self.keys,
            &model.address,
            &self.people[model.person].key.pubkey(),
            reason,
        );
        if self.send(step, "reject", ix, None, &[&by], expected) {
            self.released(c, ContributionStatus::Rejected);
        }
    }

    fn settle(&mut self, step: usize, c: usize, wrong: u64) {
        use BountiesError::*;
        let model = self.contributions[c].clone();
        let tally_closed = !self.people[model.person].tally.exists;
        let expected = (|| {
            if wrong != 0 {
                return Err(PayoutNotPatient);
            }
            if model.status != ContributionStatus::Pending {
                return Err(InvalidContributionStatus);
            }
            if self.now() < model.review_deadline {
                return Err(ReviewWindowOpen);
            }
            self.permission(model.person, model.record).map(|_| ())
        })()
        .map_err(Refusal::from);
        let expected = if tally_closed {
            Err(TALLY_CLOSED)
        } else {
            expected
        };
        let ix = bx::settle_contribution(
            &self.world.payer.pubkey(),
            &self.keys,
            &model.address,
            &self.people[model.person].key.pubkey(),
            &self.grant_address(model.person, model.record),
            &self.payout_account(c, wrong),
        );
        if self.send(step, "settle", ix, None, &[], expected) {
            self.paid(c, REWARD, None);
        }
    }

    fn cancel(&mut self, step: usize, c: usize) {
        use BountiesError::*;
        let model = self.contributions[c].clone();
        let expected = if !self.people[model.person].tally.exists {
            Err(TALLY_CLOSED)
        } else if model.status != ContributionStatus::Pending {
            Err(InvalidContributionStatus.into())
        } else {
            match self.permission(model.person, model.record) {
                Ok(_) => Err(ContributionStillValid.into()),
                Err(_) => Ok(()),
            }
        };
        let ix = bx::cancel_contribution(
            &self.world.payer.pubkey(),
            &self.keys,
            &model.address,
            &self.people[model.person].key.pubkey(),
            &self.grant_address(model.person, model.record),
        );
        if self.send(step, "cancel", ix, None, &[], expected) {
            self.released(c, ContributionStatus::Cancelled);
        }
    }

    fn close_contribution(&mut self, step: usize, c: usize) {
        use BountiesError::*;
        let model = self.contributions[c].clone();
        let expected = if model.status == ContributionStatus::Pending {
            Err(InvalidContributionStatus)
        } else if self.intake_open() {
            Err(IntakeStillOpen)
        } else {
            Ok(())
        };
        let relayer = self.relayer.pubkey();
        let rent = self.world.lamports(&model.address);
        let before = self.world.lamports(&relayer);
        let ix = bx::close_contribution(&model.address, &self.keys.bounty, &relayer);
        if self.send(step, "close contribution", ix, None, &[], expected) {
            self.contributions[c].closed = true;
            assert_eq!(
                self.world.lamports(&relayer),
                before + rent,
                "step {step}: the contribution's rent goes back to the relayer"
            );
        }
    }

    fn close_tally(&mut self, step: usize, p: usize) {
        use BountiesError::*;
        let tally = self.people[p].tally;
        let expected = if tally.pending != 0 {
            Err(PendingContributions)
        } else if self.intake_open() {
            Err(IntakeStillOpen)
        } else {
            Ok(())
        };
        let address = self.tally_address(p);
        let relayer = self.relayer.pubkey();
        let rent = self.world.lamports(&address);
        let before = self.world.lamports(&relayer);
        let ix = bx::close_patient_tally(&address, &self.keys.bounty, &relayer);
        if self.send(step, "close tally", ix, None, &[], expected) {
            self.people[p].tally = TallyModel::default();
            assert_eq!(
                self.world.lamports(&relayer),
                before + rent,
                "step {step}: the tally's rent goes back to the relayer"
            );
        }
    }

    fn close_intake(&mut self, step: usize) {
        let expected = if self.intake_open() {
            Ok(())
        } else {
            Err(BountiesError::IntakeClosed)
        };
        let researcher = self.researcher.insecure_clone();
        let ix = bx::close_intake(&researcher.pubkey(), &self.keys.bounty);
        if self.send(step, "close intake", ix, None, &[&researcher], expected) {
            self.ledger.status = BountyStatus::IntakeClosed;
            self.ledger.intake_ends_at = self.now();
        }
    }

    fn cancel_bounty(&mut self, step: usize) {
        use BountiesError::*;
        let expected = if self.ledger.status == BountyStatus::Cancelled {
            Err(IntakeClosed)
        } else if self.ledger.pending != 0 {
            Err(PendingContributions)
        } else {
            Ok(())
        };
        let researcher = self.researcher.insecure_clone();
        let ix = bx::cancel_bounty(&researcher.pubkey(), &self.keys.bounty);
        if self.send(step, "cancel bounty", ix, None, &[&researcher], expected) {
            self.ledger.status = BountyStatus::Cancelled;
            self.ledger.intake_ends_at = self.ledger.intake_ends_at.min(self.now());
        }
    }

    // ----- checks -----

    /// Everything on chain is as the model says, and the escrow is whole.
    fn check(&self, step: usize, op: &str) {
        let at = format!("step {step} ({op})");
        let bounty = self.world.account::<Bounty>(&self.keys.bounty);
        let vault = self.world.token_amount(&self.vault);
        let l = &self.ledger;
        assert_eq!(
            (
                bounty.deposited,
                bounty.reserved,
                bounty.paid,
                bounty.withdrawn,
                bounty.pending,
                bounty.rewarded
            ),
            (
                l.deposited,
                l.reserved,
                l.paid,
                l.withdrawn,
                l.pending,
                l.rewarded
            ),
            "{at}: the ledger"
        );
        assert_eq!(
            (bounty.status, bounty.intake_ends_at),
            (l.status, l.intake_ends_at),
            "{at}: the bounty's status"
        );
        // The escrow invariants against the vault's real balance: vault =
        // deposited - paid - withdrawn (+ what was sent straight to it and
        // is absorbed by the next operation that reads it).
        assert!(bounty.invariant(), "{at}: {bounty:?}");
        assert_eq!(
            vault,
            bounty.deposited - bounty.paid - bounty.withdrawn + self.donation,
            "{at}: the vault"
        );
        bounty
            .check_escrow(vault - self.donation)
            .unwrap_or_else(|e| panic!("{at}: escrow: {e:?}"));
        if self.donation == 0 {
            bounty
                .check_escrow(vault)
                .unwrap_or_else(|e| panic!("{at}: escrow: {e:?}"));
        }
        assert!(bounty.reserved <= vault, "{at}");
        assert_eq!(bounty.reserved, u64::from(bounty.pending) * REWARD, "{at}");
        assert!(
            bounty.paid + bounty.reserved <= REWARD * u64::from(MAX_CONTRIBUTIONS),
            "{at}"
        );

        // Every contribution as modelled.
        let mut paid = 0;
        for model in &self.contributions {
            paid += model.amount_paid;
            if model.closed {
                assert!(!self.world.exists(&model.address), "{at}: closed");
                continue;
            }
            let c = self.world.account::<Contribution>(&model.address);
            assert!(c.invariant(), "{at}: {c:?}");
            assert_eq!(
                (
                    c.status,
                    c.amount_paid,
                    c.quality_score,
                    c.review_deadline,
                    c.reward
                ),
                (
                    model.status,
                    model.amount_paid,
                    model.quality,
                    model.review_deadline,
                    REWARD
                ),
                "{at}: contribution {}",
                model.address
            );
            let person = &self.people[model.person];
            assert_eq!(c.patient, person.key.pubkey(), "{at}");
            assert_eq!(c.record, person.records[model.record].address, "{at}");
            assert_eq!(c.origin, person.records[model.record].origin, "{at}");
            assert_eq!(
                c.grant,
                self.grant_address(model.person, model.record),
                "{at}"
            );
            assert_eq!(c.rent_payer, self.relayer.pubkey(), "{at}");
        }
        assert_eq!(bounty.paid, paid, "{at}: paid is what contributions got");

        // Every tally, every patient's balance.
        let mut patients = 0;
        for (p, person) in self.people.iter().enumerate() {
            let address = self.tally_address(p);
            assert_eq!(
                self.world.exists(&address),
                person.tally.exists,
                "{at}: tally {p}"
            );
            if person.tally.exists {
                let tally = self.world.account::<PatientTally>(&address);
                assert!(tally.invariant(), "{at}: {tally:?}");
                assert_eq!(
                    (tally.counted, tally.pending),
                    (person.tally.counted, person.tally.pending),
                    "{at}: tally {p}"
                );
                assert!(tally.counted <= MAX_PER_PATIENT, "{at}");
            }
            let balance = self.world.token_amount(&person.tokens);
            assert_eq!(
                balance, person.received,
                "{at}: patient {p} holds what was paid"
            );
            patients += balance;
        }
        // Nothing ever reaches a guardian's or a relayer's account.
        assert_eq!(self.world.token_amount(&self.guardian_tokens), 0, "{at}");
        assert_eq!(self.world.token_amount(&self.relayer_tokens), 0, "{at}");

        // Tokens only move between the researcher, the vault and patients.
        let researcher = self.world.token_amount(&self.researcher_tokens);
        assert_eq!(
            researcher + vault + patients,
            self.total,
            "{at}: conservation"
        );
        assert_eq!(
            researcher + bounty.deposited + self.donation,
            self.researcher_start + bounty.withdrawn,
            "{at}: the researcher's account"
        );
    }
}

/// Mostly a contribution the operation applies to now (`fits`), so that
/// operations land; sometimes any live one, so that refusals are tried.
fn pick(rng: &mut Rng, s: &Sequence, fits: impl Fn(&ContributionModel) -> bool) -> Option<usize> {
    let live: Vec<usize> = (0..s.contributions.len())
        .filter(|&c| !s.contributions[c].closed)
        .collect();
    let fitting: Vec<usize> = live
        .iter()
        .copied()
        .filter(|&c| fits(&s.contributions[c]))
        .collect();
    let from = match (fitting.is_empty(), rng.below(4)) {
        (false, 1..) => &fitting,
        (_, 0) => &live,
        (true, _) => return None,
    };
    from.get(rng.below(from.len() as u64) as usize).copied()
}

fn run(seed: u64, steps: usize, token_program: Pubkey) {
    let mut rng = Rng(seed);
    let mut s = Sequence::new(token_program);
    s.check(0, "setup");
    use ContributionStatus::*;
    for step in 1..=steps {
        // Contributions each operation applies to now.
        let now = s.now();
        let in_review = |c: &ContributionModel| c.status == Pending && now < c.review_deadline;
        let due = |c: &ContributionModel| c.status == Pending && now >= c.review_deadline;
        let dead = |c: &ContributionModel| {
            c.status == Pending && s.permission(c.person, c.record).is_err()
        };
        let late = step > steps * 9 / 10;
        let op: &'static str = match rng.below(30) {
            0 | 1 => {
                let amount = if rng.below(6) == 0 {
                    0
                } else {
                    1 + rng.below(4 * REWARD)
                };
                s.fund(step, amount);
                "fund"
            }
            2 => {
                s.donate(1 + rng.below(REWARD / 2));
                "donate"
            }
            3..=8 => {
                let p = rng.below(3) as usize;
                let mut q = p;
                let mut shift = 0;
                let mut signer = s.people[p].key.insecure_clone();
                match rng.below(16) {
                    // Someone else's record.
                    0 => q = (p + 1 + rng.below(2) as usize) % 3,
                    // A wrong origin.
                    1 => shift = 1_000_000,
                    // Signed by another patient.
                    2 => signer = s.people[(p + 1) % 3].key.insecure_clone(),
                    // Signed by the guardian (where there is one).
                    3 | 4 => {
                        if let Some(guardian) = &s.people[p].guardian {
                            signer = guardian.insecure_clone();
                        }
                    }
                    _ => {}
                }
                // Mostly a record not offered yet.
                let fresh: Vec<usize> = (0..s.people[q].records.len())
                    .filter(|&r| s.contribution_of(q, r).is_none())
                    .collect();
                let r = if fresh.is_empty() || rng.below(4) == 0 {
                    rng.below(s.people[q].records.len() as u64) as usize
                } else {
                    fresh[rng.below(fresh.len() as u64) as usize]
                };
                if q != p && r >= s.people[p].records.len() {
                    continue;
                }
                s.offer(step, p, q, r, shift, signer);
                "offer"
            }
            9 | 10 => {
                let Some(c) = pick(&mut rng, &s, in_review) else {
                    continue;
                };
                let mut by = s.researcher.insecure_clone();
                let mut amount = if rng.below(2) == 0 {
                    REWARD
                } else {
                    1 + rng.below(REWARD)
                };
                let mut quality = rng.below(101) as u8;
                let mut wrong = 0;
                match rng.below(14) {
                    0 => by = s.stranger.insecure_clone(),
                    1 => amount = 0,
                    2 => amount = REWARD + 1,
                    3 => quality = 101,
                    4 => wrong = 1 + rng.below(2),
                    _ => {}
                }
                s.accept(step, c, by, amount, quality, wrong);
                "accept"
            }
            11 | 12 => {
                let Some(c) = pick(&mut rng, &s, in_review) else {
                    continue;
                };
                let mut by = s.researcher.insecure_clone();
                let mut reason = 1 + rng.below(9) as u16;
                match rng.below(8) {
                    0 => by = s.stranger.insecure_clone(),
                    1 => reason = 0,
                    _ => {}
                }
                s.reject(step, c, by, reason);
                "reject"
            }
            13..=15 => {
                let Some(c) = pick(&mut rng, &s, due) else {
                    continue;
                };
                let wrong = if rng.below(10) == 0 {
                    1 + rng.below(2)
                } else {
                    0
                };
                s.settle(step, c, wrong);
                "settle"
            }
            16 => {
                let Some(c) = pick(&mut rng, &s, dead) else {
                    continue;
                };
                s.cancel(step, c);
                "cancel"
            }
            17 | 18 => {
                // The patient revokes a sound consent, or gives one again
                // (mostly sound after a broken one; otherwise sometimes
                // naming another study's text, denying, or short).
                let p = rng.below(3) as usize;
                let now = s.now();
                let sound = s.people[p]
                    .consent
                    .is_some_and(|c| !c.revoked && !c.deny && c.text == TEXT && now < c.end);
                if sound && rng.below(4) == 0 {
                    s.revoke_consent(p);
                } else if !sound && rng.below(4) != 0 {
                    s.give_consent(p, TEXT, false, 365 * DAY);
                } else {
                    let text = if rng.below(4) == 0 { OTHER_TEXT } else { TEXT };
                    let deny = rng.below(5) == 0;
                    let duration = if rng.below(3) == 0 {
                        DAY + rng.below(4 * DAY as u64) as i64
                    } else {
                        365 * DAY
                    };
                    s.give_consent(p, text, deny, duration);
                }
                "consent"
            }
            19 | 20 => {
                // The patient (re-)grants access to one of its records:
                // mostly Research read, sometimes for another purpose or
                // without read, for a random time (sometimes ending inside
                // the review window, sometimes just after it).
                let p = rng.below(3) as usize;
                // Mostly a record whose grant is missing or no longer live.
                let now = s.now();
                let dead: Vec<usize> = (0..s.people[p].records.len())
                    .filter(|&r| {
                        s.people[p].records[r].grant.is_none_or(|g| {
                            g.revoked || now >= g.expires_at || !g.read || !g.research
                        })
                    })
                    .collect();
                let r = if dead.is_empty() || rng.below(3) == 0 {
                    rng.below(s.people[p].records.len() as u64) as usize
                } else {
                    dead[rng.below(dead.len() as u64) as usize]
                };
                let research = rng.below(10) != 0;
                let read = rng.below(10) != 0;
                let duration = match rng.below(4) {
                    0 => REVIEW / 2,
                    1 => REVIEW + rng.below(DAY as u64) as i64,
                    _ => 10 * DAY + rng.below(30 * DAY as u64) as i64,
                };
                s.give_grant(p, r, research, read, duration);
                "grant"
            }
            21 | 22 => {
                // The patient revokes a grant: mostly one a pending
                // contribution relies on (the patient withdraws its offer).
                let relied: Vec<(usize, usize)> = s
                    .contributions
                    .iter()
                    .filter(|c| c.status == Pending)
                    .map(|c| (c.person, c.record))
                    .collect();
                let (p, r) = if relied.is_empty() || rng.below(3) == 0 {
                    let p = rng.below(3) as usize;
                    (p, rng.below(s.people[p].records.len() as u64) as usize)
                } else {
                    relied[rng.below(relied.len() as u64) as usize]
                };
                match s.people[p].records[r].grant {
                    Some(g) if !g.revoked && s.now() < g.expires_at => s.revoke_grant(p, r),
                    _ => continue,
                }
                "revoke grant"
            }
            23 => {
                // Sometimes more than is unreserved.
                let unreserved = s.unreserved();
                let amount = if rng.below(4) == 0 {
                    unreserved + 1 + rng.below(REWARD)
                } else {
                    1 + rng.below(unreserved / 3 + 1)
                };
                s.withdraw(step, amount);
                "withdraw"
            }
            24 | 25 => {
                s.world.warp(rng.below(3 * DAY as u64) as i64);
                "warp"
            }
            26 => {
                if rng.below(3) == 0 {
                    let p = rng.below(3) as usize;
                    if !s.people[p].tally.exists {
                        continue;
                    }
                    s.close_tally(step, p);
                    "close tally"
                } else {
                    let Some(c) = pick(&mut rng, &s, |c| c.status != Pending) else {
                        continue;
                    };
                    s.close_contribution(step, c);
                    "close contribution"
                }
            }
            _ => {
                if !late {
                    s.world.warp(rng.below(DAY as u64 / 2) as i64);
                    "warp"
                } else if rng.below(3) == 0 {
                    s.cancel_bounty(step);
                    "cancel bounty"
                } else {
                    s.close_intake(step);
                    "close intake"
                }
            }
        };
        s.check(step, op);
    }
    if debug() {
        eprintln!(
            "landed: {:?}\nrefused: {:?}\n{} distinct refusals",
            s.landed,
            s.refused,
            s.refusals.len()
        );
    }
    // The end: intake closes, every pending contribution is settled (its
    // window over) or cancelled (its consent or grant gone), and every
    // bounties account is closed.
    let mut step = steps;
    if s.intake_open() {
        step += 1;
        s.close_intake(step);
        s.check(step, "close intake");
    }
    for _ in 0..100 {
        if s.ledger.pending == 0 {
            break;
        }
        let now = s.now();
        let mut next = i64::MAX;
        for c in 0..s.contributions.len() {
            let model = s.contributions[c].clone();
            if model.closed || model.status != Pending {
                continue;
            }
            step += 1;
            if s.permission(model.person, model.record).is_err() {
                s.cancel(step, c);
                s.check(step, "cancel");
            } else if now >= model.review_deadline {
                s.settle(step, c, 0);
                s.check(step, "settle");
            } else {
                next = next.min(model.review_deadline);
            }
        }
        if next != i64::MAX {
            s.world.warp(next - now);
        }
    }
    assert_eq!(s.ledger.pending, 0, "contributions left pending");

    // What the sequence tried and landed (the end included).
    let landed: usize = s.landed.values().sum();
    assert!(
        landed > steps / 8,
        "only {landed} of {steps} steps landed: {:?}",
        s.landed
    );
    for op in [
        "fund", "offer", "accept", "reject", "settle", "cancel", "withdraw",
    ] {
        assert!(
            s.landed.get(op).is_some_and(|n| *n > 0),
            "no {op} landed: {:?}",
            s.landed
        );
    }
    assert!(
        s.refusals.len() >= 15,
        "only {} distinct refusals were tried: {:?}",
        s.refusals.len(),
        s.refusals
    );

    for c in 0..s.contributions.len() {
        if !s.contributions[c].closed {
            step += 1;
            s.close_contribution(step, c);
            s.check(step, "close contribution");
        }
    }
    for p in 0..s.people.len() {
        if s.people[p].tally.exists {
            step += 1;
            s.close_tally(step, p);
            s.check(step, "close tally");
        }
    }
    let payer = s.world.payer.pubkey();
    let rent = s.world.lamports(&s.keys.bounty) + s.world.lamports(&s.vault);
    let payer_before = s.world.lamports(&payer);
    let vault = s.world.token_amount(&s.vault);
    let researcher = s.researcher.insecure_clone();
    let ix = bx::close_bounty(&s.keys, &s.researcher_tokens, &payer);
    let researcher_before = s.world.token_amount(&s.researcher_tokens);
    s.world
        .send_paid_by(&researcher, &[ix], &[])
        .expect("the bounty closes");
    assert_eq!(
        s.world.lamports(&payer),
        payer_before + rent,
        "the bounty's and the vault's rent go back to their payer"
    );
    assert_eq!(
        s.world.token_amount(&s.researcher_tokens),
        researcher_before + vault,
        "what was left in the vault goes back to the researcher"
    );
    let mut created = vec![s.keys.bounty, s.vault];
    created.extend(s.contributions.iter().map(|c| c.address));
    created.extend((0..s.people.len()).map(|p| s.tally_address(p)));
    for address in created {
        assert!(!s.world.exists(&address), "{address} was left behind");
    }
    let patients: u64 = s
        .people
        .iter()
        .map(|p| s.world.token_amount(&p.tokens))
        .sum();
    assert_eq!(
        patients,
        s.people.iter().map(|p| p.received).sum::<u64>(),
        "the patients hold what they were paid"
    );
    assert_eq!(
        s.world.token_amount(&s.researcher_tokens) + patients,
        s.total,
        "every token is with the researcher or a patient"
    );
}

#[test]
fn a_long_random_sequence_keeps_the_bounty_escrow_whole_with_spl_token() {
    run(0xB0B7_0001, 300, anchor_spl::token::ID);
}

#[test]
fn a_long_random_sequence_keeps_the_bounty_escrow_whole_with_token_2022() {
    run(0xB0B7_2022, 300, anchor_spl::token_2022::ID);
}
