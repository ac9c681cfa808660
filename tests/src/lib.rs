//! A small fixture layer so that each test reads as a story: a [`World`]
//! (a LiteSVM runtime with the Panacea programs and an initialized registry)
//! and its actors: the registry admin, credentialed entities (provider, lab,
//! pharmacy, specialist, insurer, researcher), patients and guardians.

pub mod assert;
pub mod bounties;
pub mod compressed;
pub mod members;

use {
    anchor_lang::{prelude::Pubkey, AccountDeserialize, Discriminator, Event},
    anchor_spl::{
        associated_token::{
            get_associated_token_address_with_program_id,
            spl_associated_token_account::instruction::create_associated_token_account,
        },
        token_2022::spl_token_2022::{
            extension::StateWithExtensions,
            instruction as token_ix,
            state::{Account as TokenAccount, Mint},
        },
    },
    consent::{
        instructions::GrantConsentArgs,
        state::{actions, ConsentPurpose, ConsentTerms, Decision},
    },
    panacea_runtime::litesvm::{
        types::{FailedTransactionMetadata, TransactionMetadata},
        LiteSVM,
    },
    panacea_sdk::{consent as cx, records as rx},
    records::{instructions::*, pda, state::*},
    solana_account::Account,
    solana_instruction::Instruction,
    solana_keypair::Keypair,
    solana_message::Message,
    solana_signer::Signer,
    solana_transaction::Transaction,
};

pub use panacea_runtime::{advance_clock, unix_timestamp};

/// One day, in seconds.
pub const DAY: i64 = 24 * 60 * 60;
/// The X25519 key the fixture's guardians register (any non-zero bytes).
pub const GUARDIAN_KEY: [u8; 32] = [7; 32];
/// The registry's emergency-access cap used by [`World::new`]: 4 hours.
pub const MAX_EMERGENCY: i64 = 4 * 60 * 60;
const AIRDROP: u64 = 100_000_000_000;
/// The deployment name [`World::new`] initializes the registry with.
pub const DEPLOYMENT: &str = "localnet";
/// Cluster time at the start of every story: 2026-11-21T00:00:00Z.
pub const GENESIS_TIME: i64 = 1_795_219_200;

/// A transaction's outcome; the failure is boxed (it carries the logs).
pub type TxResult = Result<TransactionMetadata, Box<FailedTransactionMetadata>>;

/// A runtime with the Panacea programs and an initialized registry.
/// splitmix64, seeded: a random sequence that is the same on every run
/// (the stories' seeded random sequences).
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

pub struct World {
    pub svm: LiteSVM,
    /// Pays fees and rent (a relayer, from the programs' point of view).
    pub payer: Keypair,
    pub admin: Keypair,
    pub upgrade_authority: Keypair,
    /// The wallets of the patients [`World::patient`] registered, so that a
    /// story can have a patient authorize an issuer (the care link) before a
    /// record is issued to them.
    patients: std::collections::HashMap<Pubkey, Keypair>,
    /// Every record tree the story created, as rebuilt from the events of
    /// the transactions that landed (see [`compressed`]).
    pub trees: std::collections::HashMap<Pubkey, compressed::ModelTree>,
}

impl Default for World {
    fn default() -> Self {
        Self::new()
    }
}

impl World {
    /// A runtime whose `records` registry was initialized by the upgrade
    /// authority, with [`MAX_EMERGENCY`] as the emergency cap and
    /// [`DEPLOYMENT`] as the deployment name.
    pub fn new() -> Self {
        let mut world = Self::without_registry();
        let ix = rx::initialize_registry(
            &world.payer.pubkey(),
            &world.upgrade_authority.pubkey(),
            InitializeRegistryArgs {
                admin: world.admin.pubkey(),
                max_emergency_duration: MAX_EMERGENCY,
                deployment: DEPLOYMENT.to_string(),
            },
        );
        let ua = world.upgrade_authority.insecure_clone();
        world.send(&[ix], &[&ua]).expect("initialize registry");
        let ix = rx::initialize_record_book(
            &world.payer.pubkey(),
            &world.admin.pubkey(),
            InitializeRecordBookArgs {
                uri: panacea_sdk::rent::RECORD_BOOK_URI.into(),
            },
        );
        let admin = world.admin.insecure_clone();
        world
            .send(&[ix], &[&admin])
            .expect("initialize record book");
        world
    }

    /// A runtime with the programs deployed (their `ProgramData` naming
    /// `upgrade_authority`) but no registry yet.
    pub fn without_registry() -> Self {
        let payer = Keypair::new();
        let upgrade_authority = Keypair::new();
        let svm = panacea_runtime::deployment(
            &upgrade_authority.pubkey(),
            GENESIS_TIME,
            &[(payer.pubkey(), AIRDROP)],
        )
        .expect("deployment");
        Self {
            svm,
            payer,
            admin: Keypair::new(),
            upgrade_authority,
            patients: Default::default(),
            trees: Default::default(),
        }
    }

    /// Sends `ixs` paid by [`World::payer`] and signed by `signers` too.
    pub fn send(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> TxResult {
        // A fresh blockhash per transaction: the same instruction sent twice
        // must reach the program, not be dropped as a duplicate signature.
        self.svm.expire_blockhash();
        let mut all: Vec<&Keypair> = vec![&self.payer];
        all.extend(
            signers
                .iter()
                .copied()
                .filter(|k| k.pubkey() != self.payer.pubkey()),
        );
        let message = Message::new(ixs, Some(&self.payer.pubkey()));
        let tx = Transaction::new(&all, message, self.svm.latest_blockhash());
        self.send_transaction(tx)
    }

    /// Sends `ixs` paid by `payer` (not [`World::payer`]) and signed by
    /// `signers` too.
    pub fn send_paid_by(
        &mut self,
        payer: &Keypair,
        ixs: &[Instruction],
        signers: &[&Keypair],
    ) -> TxResult {
        self.svm.expire_blockhash();
        let mut all: Vec<&Keypair> = vec![payer];
        all.extend(
            signers
                .iter()
                .copied()
                .filter(|k| k.pubkey() != payer.pubkey()),
        );
        let message = Message::new(ixs, Some(&payer.pubkey()));
        let tx = Transaction::new(&all, message, self.svm.latest_blockhash());
        self.send_transaction(tx)
    }

    /// Sends a signed transaction as it is; when it lands, the record trees'
    /// events are applied to [`World::trees`].
    pub fn send_transaction(&mut self, tx: Transaction) -> TxResult {
        let result = self.svm.send_transaction(tx).map_err(Box::new);
        if let Ok(meta) = &result {
            self.apply_tree_events(meta);
        }
        result
    }

    /// A new funded wallet.
    pub fn wallet(&mut self) -> Keypair {
        let key = Keypair::new();
        self.svm.airdrop(&key.pubkey(), AIRDROP).expect("airdrop");
        key
    }

    pub fn now(&self) -> i64 {
        unix_timestamp(&self.svm)
    }

    /// Moves cluster time forward.
    pub fn warp(&mut self, seconds: i64) {
        advance_clock(&mut self.svm, seconds);
    }

    // ----- registry -----

    /// Registers an entity of `kind`, valid for a year; its wallet is funded
    /// (an issuer pays its records' rent).
    pub fn entity(&mut self, kind: EntityKind) -> Keypair {
        let authority = self.wallet();
        let args = self.entity_args(kind);
        let ix = rx::register_entity(
            &self.payer.pubkey(),
            &self.admin.pubkey(),
            &authority.pubkey(),
            args,
        );
        let admin = self.admin.insecure_clone();
        self.send(&[ix], &[&admin, &authority])
            .expect("register entity");
        authority
    }

    pub fn entity_args(&self, kind: EntityKind) -> RegisterEntityArgs {
        RegisterEntityArgs {
            kind,
            credential_commitment: [7; 32],
            jurisdiction: *b"US-CA\0\0\0",
            valid_until: self.now() + 365 * DAY,
            encryption_key: [9; 32],
        }
    }

    pub fn provider(&mut self) -> Keypair {
        self.entity(EntityKind::Provider)
    }

    pub fn lab(&mut self) -> Keypair {
        self.entity(EntityKind::Laboratory)
    }

    pub fn insurer(&mut self) -> Keypair {
        self.entity(EntityKind::Insurer)
    }

    pub fn set_status(&mut self, entity: &Pubkey, status: EntityStatus) {
        let ix =
            rx::set_entity_status(&self.admin.pubkey(), entity, SetEntityStatusArgs { status });
        let admin = self.admin.insecure_clone();
        self.send(&[ix], &[&admin]).expect("set entity status");
    }

    // ----- patients -----

    pub fn patient(&mut self) -> Keypair {
        let patient = Keypair::new();
        let ix = rx::register_patient(
            &self.payer.pubkey(),
            &patient.pubkey(),
            None,
            RegisterPatientArgs {
                encryption_key: [3; 32],
                guardian_encryption_key: [0; 32],
            },
        );
        self.send(&[ix], &[&patient]).expect("register patient");
        self.patients
            .insert(patient.pubkey(), patient.insecure_clone());
        patient
    }

    /// A patient with a guardian; returns (patient, guardian).
    pub fn patient_with_guardian(&mut self) -> (Keypair, Keypair) {
        let patient = self.patient();
        let guardian = Keypair::new();
        let ix = rx::set_guardian(&patient.pubkey(), Some(&guardian.pubkey()), GUARDIAN_KEY);
        self.send(&[ix], &[&patient, &guardian])
            .expect("set guardian");
        (patient, guardian)
    }

    // ----- records -----

    pub fn issue_args(kind: RecordKind) -> IssueRecordArgs {
        IssueRecordArgs {
            record_id: random_id(),
            commitment: [0xC0; 32],
            content_commitment: [0xCC; 32],
            kind,
        }
    }

    /// The patient makes `issuer` their care link: a grant over all their
    /// records with Issue (and Read) permission for a year.
    pub fn authorize_issuer(&mut self, patient: &Keypair, issuer: &Pubkey) -> Pubkey {
        let ix = self.care_link_ix(
            patient,
            issuer,
            kinds::ALL,
            permissions::ISSUE | permissions::READ,
        );
        self.send(&[ix], &[patient]).expect("authorize issuer");
        rx::care_link_address(&patient.pubkey(), issuer)
    }

    /// The instruction by which `patient` grants `issuer` `permissions`
    /// over their records of `kinds` for a year.
    pub fn care_link_ix(
        &self,
        patient: &Keypair,
        issuer: &Pubkey,
        kinds: u16,
        permissions: u8,
    ) -> Instruction {
        let target = pda::patient(&patient.pubkey()).0;
        rx::grant_access(
            &self.payer.pubkey(),
            &patient.pubkey(),
            &patient.pubkey(),
            &target,
            GrantAccessArgs {
                grantee: *issuer,
                scope: GrantScope::Patient,
                kinds,
                permissions,
                purpose: Purpose::Treatment,
                duration: 365 * DAY,
                wrapped_key: vec![],
                leaf: None,
            },
        )
    }

    /// Creates the care link from `patient` to `issuer` unless one (live,
    /// revoked or expired) already exists: stories that do not test the link
    /// itself start from a patient who chose their provider.
    pub(crate) fn ensure_care_link(&mut self, issuer: &Pubkey, patient: &Pubkey) {
        let link = rx::care_link_address(patient, issuer);
        if let Some(account) = self.raw(&link) {
            let grant = Grant::try_deserialize(&mut account.data.as_slice()).expect("grant");
            let profile = pda::patient(patient).0;
            let registration = self
                .raw(&profile)
                .map(|a| Patient::try_deserialize(&mut a.data.as_slice()).expect("patient"))
                .map(|p| p.registration());
            if registration != Some(grant.target_serial) {
                // A link of an ended registration: anyone clears it.
                let ix = rx::close_grant(&self.payer.pubkey(), patient, &link, &grant.rent_payer);
                self.send(&[ix], &[]).expect("close a dead care link");
            } else {
                return;
            }
        }
        if let Some(patient) = self.patients.get(patient).map(|k| k.insecure_clone()) {
            self.authorize_issuer(&patient, issuer);
        }
    }

    /// `issuer` issues a record of `kind` to `patient` (under the patient's
    /// care link, created first when missing); returns its id.
    pub fn issue(&mut self, issuer: &Keypair, patient: &Pubkey, kind: RecordKind) -> [u8; 16] {
        let args = Self::issue_args(kind);
        let id = args.record_id;
        self.try_issue(issuer, patient, args).expect("issue record");
        id
    }

    /// Issues under the patient's care link (created first when missing).
    pub fn try_issue(
        &mut self,
        issuer: &Keypair,
        patient: &Pubkey,
        args: IssueRecordArgs,
    ) -> TxResult {
        self.ensure_care_link(&issuer.pubkey(), patient);
        let ix = rx::issue_record(&issuer.pubkey(), patient, args);
        self.send(&[ix], &[issuer])
    }

    pub fn record_address(patient: &Pubkey, id: &[u8; 16]) -> Pubkey {
        pda::record(patient, id).0
    }

    /// The patient's record book balance: their number of Active records.
    pub fn book_balance(&self, patient: &Pubkey) -> u64 {
        self.token_amount(&pda::record_book_account(patient))
    }

    // ----- access -----

    /// The patient grants `grantee` Read on one record for `duration`.
    pub fn grant_record(
        &mut self,
        patient: &Keypair,
        grantee: &Pubkey,
        record: &Pubkey,
        permissions: u8,
        duration: i64,
    ) -> Pubkey {
        let ix = rx::grant_access(
            &self.payer.pubkey(),
            &patient.pubkey(),
            &patient.pubkey(),
            record,
            GrantAccessArgs {
                grantee: *grantee,
                scope: GrantScope::Record,
                kinds: 0,
                permissions,
                purpose: Purpose::Treatment,
                duration,
                wrapped_key: vec![1; 80],
                leaf: None,
            },
        );
        self.send(&[ix], &[patient]).expect("grant access");
        pda::grant(&patient.pubkey(), grantee, record).0
    }

    // ----- consent -----

    /// Terms permitting Access to every record kind for a year from now.
    pub fn consent_terms(&self) -> ConsentTerms {
        ConsentTerms {
            decision: Decision::Permit,
            kinds: kinds::ALL,
            actions: actions::ACCESS,
            period_start: self.now(),
            period_end: self.now() + 365 * DAY,
            policy_commitment: [0xAB; 32],
        }
    }

    /// The patient consents to `grantee` for `purpose`; returns the address.
    pub fn consent(
        &mut self,
        patient: &Keypair,
        grantee: &Pubkey,
        purpose: ConsentPurpose,
    ) -> Pubkey {
        let terms = self.consent_terms();
        let ix = cx::grant_consent(
            &self.payer.pubkey(),
            &patient.pubkey(),
            &patient.pubkey(),
            grantee,
            GrantConsentArgs { purpose, terms },
        );
        self.send(&[ix], &[patient]).expect("grant consent");
        cx::consent_address(&patient.pubkey(), grantee, purpose)
    }

    /// What a signed message for this consent must name now: the registry's
    /// deployment name, the patient's consent epoch and the consent's
    /// version (0 for what does not exist).
    pub fn message_context(
        &self,
        patient: &Pubkey,
        grantee: &Pubkey,
        purpose: ConsentPurpose,
    ) -> cx::MessageContext {
        let epoch = cx::consent_epoch_address(patient);
        let consent = cx::consent_address(patient, grantee, purpose);
        cx::MessageContext {
            deployment: self.account::<RegistryConfig>(&pda::config().0).deployment,
            consent_epoch: if self.exists(&epoch) {
                self.account::<consent::state::ConsentEpoch>(&epoch).epoch
            } else {
                0
            },
            consent_version: if self.exists(&consent) {
                self.account::<consent::state::Consent>(&consent)
                    .consent_version
            } else {
                0
            },
        }
    }

    /// The patient signs `message` off-chain, as a wallet's off-chain
    /// message signing does: over its envelope (`signed_bytes`).
    pub fn sign(patient: &Keypair, message: &consent::message::ConsentMessage) -> [u8; 64] {
        let signature = patient.sign_message(&message.signed_bytes());
        <[u8; 64]>::try_from(signature.as_ref()).expect("64-byte signature")
    }

    // ----- tokens and insurance -----

    /// A new mint (6 decimals, like USDC) of `token_program`, minted by the payer.
    pub fn create_mint(&mut self, token_program: &Pubkey) -> Pubkey {
        let mint = Keypair::new();
        let space = 82;
        let lamports = self.svm.minimum_balance_for_rent_exemption(space);
        let create = anchor_lang::solana_program::system_instruction::create_account(
            &self.payer.pubkey(),
            &mint.pubkey(),
            lamports,
            space as u64,
            token_program,
        );
        let init = token_ix::initialize_mint2(
            token_program,
            &mint.pubkey(),
            &self.payer.pubkey(),
            None,
            6,
        )
        .expect("initialize mint");
        self.send(&[create, init], &[&mint]).expect("create mint");
        mint.pubkey()
    }

    /// `owner`'s associated token account for `mint`, created if missing.
    pub fn token_account(
        &mut self,
        owner: &Pubkey,
        mint: &Pubkey,
        token_program: &Pubkey,
    ) -> Pubkey {
        let address = get_associated_token_address_with_program_id(owner, mint, token_program);
        if !self.exists(&address) {
            let ix =
                create_associated_token_account(&self.payer.pubkey(), owner, mint, token_program);
            self.send(&[ix], &[]).expect("create token account");
        }
        address
    }

    pub fn mint_to(
        &mut self,
        mint: &Pubkey,
        account: &Pubkey,
        amount: u64,
        token_program: &Pubkey,
    ) {
        let ix = token_ix::mint_to(
            token_program,
            mint,
            account,
            &self.payer.pubkey(),
            &[],
            amount,
        )
        .expect("mint_to");
        self.send(&[ix], &[]).expect("mint tokens");
    }

    // ----- reading state -----

    pub fn raw(&self, address: &Pubkey) -> Option<Account> {
        self.svm.get_account(address).filter(|a| a.lamports > 0)
    }

    /// Decodes an Anchor account (owner and discriminator checked).
    pub fn account<T: AccountDeserialize>(&self, address: &Pubkey) -> T {
        let account = self
            .raw(address)
            .unwrap_or_else(|| panic!("no account at {address}"));
        T::try_deserialize(&mut account.data.as_slice()).expect("decode account")
    }

    /// The accounts at `addresses` as they are now (lamports, owner, data),
    /// to compare after an attack with [`World::assert_unchanged`].
    pub fn snapshot(&self, addresses: &[Pubkey]) -> Vec<(Pubkey, Option<Account>)> {
        addresses.iter().map(|a| (*a, self.raw(a))).collect()
    }

    /// Every account of `snapshot` is exactly as it was.
    #[track_caller]
    pub fn assert_unchanged(&self, snapshot: &[(Pubkey, Option<Account>)]) {
        for (address, before) in snapshot {
            assert_eq!(&self.raw(address), before, "account {address} changed");
        }
    }

    pub fn exists(&self, address: &Pubkey) -> bool {
        self.raw(address).is_some()
    }

    pub fn lamports(&self, address: &Pubkey) -> u64 {
        self.raw(address).map(|a| a.lamports).unwrap_or(0)
    }

    /// Token amount held by a Token-2022 or SPL Token account.
    pub fn token_amount(&self, address: &Pubkey) -> u64 {
        let account = self.raw(address).expect("token account");
        StateWithExtensions::<TokenAccount>::unpack(&account.data)
            .expect("token account")
            .base
            .amount
    }

    pub fn mint(&self, address: &Pubkey) -> Mint {
        let account = self.raw(address).expect("mint account");
        StateWithExtensions::<Mint>::unpack(&account.data)
            .expect("mint")
            .base
    }

    /// Events of `T` that `program` emitted (via `emit_cpi!`) in a transaction.
    pub fn events<T: Event + Discriminator + anchor_lang::AnchorDeserialize>(
        meta: &TransactionMetadata,
    ) -> Vec<T> {
        let prefix: Vec<u8> = anchor_lang::event::EVENT_IX_TAG_LE
            .iter()
            .chain(T::DISCRIMINATOR)
            .copied()
            .collect();
        meta.inner_instructions
            .iter()
            .flatten()
            .filter_map(|inner| inner.instruction.data.strip_prefix(prefix.as_slice()))
            .map(|mut data| T::deserialize(&mut data).expect("decode event"))
            .collect()
    }
}

/// Wire size of a legacy transaction: the signature count (compact-u16),
/// the signatures, and the serialized message.
pub fn transaction_size(tx: &Transaction) -> usize {
    let count = tx.signatures.len();
    let prefix = if count < 0x80 { 1 } else { 2 };
    prefix + 64 * count + tx.message.serialize().len()
}

/// 16 random bytes, as the SDK chooses record ids.
pub fn random_id() -> [u8; 16] {
    let bytes = Keypair::new().pubkey().to_bytes();
    let mut id = [0; 16];
    id.copy_from_slice(&bytes[..16]);
    id
}
