//! Transport faults: sends lost, status queries failing. Each intended
//! action lands exactly once and the client reports success.

use {
    async_trait::async_trait,
    panacea_sdk::{
        backend::{in_process::InProcessBackend, Backend, Filter, Simulation, TransactionRecord},
        offchain::EncryptionKeypair,
        PanaceaClient, Pubkey, Result, SdkError, TxConfig,
    },
    solana_account::Account,
    solana_hash::Hash,
    solana_keypair::Keypair,
    solana_signature::Signature,
    solana_signer::Signer,
    solana_transaction::Transaction,
    solana_transaction_error::TransactionError,
    std::{
        sync::{
            atomic::{AtomicU32, Ordering},
            Arc,
        },
        time::Duration,
    },
};

/// Loses the first `lose_sends` sends (the request never arrives) and fails
/// every other status query.
struct Flaky {
    inner: InProcessBackend,
    lose_sends: AtomicU32,
    sends: AtomicU32,
    status_calls: AtomicU32,
}

#[async_trait]
impl Backend for Flaky {
    async fn get_account(&self, a: &Pubkey) -> Result<Option<Account>> {
        self.inner.get_account(a).await
    }
    async fn get_multiple_accounts(&self, a: &[Pubkey]) -> Result<Vec<Option<Account>>> {
        self.inner.get_multiple_accounts(a).await
    }
    async fn get_program_accounts(
        &self,
        p: &Pubkey,
        f: &[Filter],
    ) -> Result<Vec<(Pubkey, Account)>> {
        self.inner.get_program_accounts(p, f).await
    }
    async fn latest_blockhash(&self) -> Result<(Hash, u64)> {
        self.inner.latest_blockhash().await
    }
    async fn block_height(&self) -> Result<u64> {
        self.inner.block_height().await
    }
    async fn simulate(&self, tx: &Transaction) -> Result<Simulation> {
        self.inner.simulate(tx).await
    }
    async fn send(&self, tx: &Transaction) -> Result<Signature> {
        self.sends.fetch_add(1, Ordering::SeqCst);
        if self
            .lose_sends
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
        {
            return Err(SdkError::Rpc("HTTP 503: request dropped".into()));
        }
        self.inner.send(tx).await
    }
    async fn signature_status(
        &self,
        s: &Signature,
    ) -> Result<Option<Result<(), TransactionError>>> {
        if self
            .status_calls
            .fetch_add(1, Ordering::SeqCst)
            .is_multiple_of(2)
        {
            return Err(SdkError::Rpc("HTTP 429: too many requests".into()));
        }
        self.inner.signature_status(s).await
    }
    async fn transaction(&self, s: &Signature) -> Result<Option<TransactionRecord>> {
        self.inner.transaction(s).await
    }
    async fn signatures_for_address(&self, a: &Pubkey) -> Result<Vec<Signature>> {
        self.inner.signatures_for_address(a).await
    }
    async fn minimum_balance_for_rent_exemption(&self, n: usize) -> Result<u64> {
        self.inner.minimum_balance_for_rent_exemption(n).await
    }
    async fn unix_timestamp(&self) -> Result<i64> {
        self.inner.unix_timestamp().await
    }
}

#[tokio::test]
async fn lost_sends_and_failing_status_queries_still_land_exactly_once() {
    let payer = Keypair::new();
    // A registry and its record book, set up without faults.
    let (deployer, admin) = (Keypair::new(), Keypair::new());
    let mut svm = panacea_runtime::deployment(
        &deployer.pubkey(),
        1_795_219_200,
        &[(payer.pubkey(), 10_000_000_000)],
    )
    .unwrap();
    let setup = [
        panacea_sdk::records::initialize_registry(
            &payer.pubkey(),
            &deployer.pubkey(),
            records::instructions::InitializeRegistryArgs {
                admin: admin.pubkey(),
                max_emergency_duration: 3600,
                deployment: "localnet".into(),
            },
        ),
        panacea_sdk::records::initialize_record_book(
            &payer.pubkey(),
            &admin.pubkey(),
            records::instructions::InitializeRecordBookArgs {
                uri: panacea_sdk::rent::RECORD_BOOK_URI.into(),
            },
        ),
    ];
    let message = solana_message::Message::new(&setup, Some(&payer.pubkey()));
    let tx = Transaction::new(
        &[&payer, &deployer, &admin],
        message,
        svm.latest_blockhash(),
    );
    svm.send_transaction(tx).expect("registry and record book");
    let backend = Arc::new(Flaky {
        inner: InProcessBackend::new(svm),
        lose_sends: AtomicU32::new(2),
        sends: AtomicU32::new(0),
        status_calls: AtomicU32::new(0),
    });
    let config = TxConfig {
        poll_interval: Duration::from_millis(1),
        ..TxConfig::default()
    };
    let client = PanaceaClient::new(backend.clone(), payer).with_config(config);
    let patient = Keypair::new();
    let outcome = client
        .register_patient(&patient, &EncryptionKeypair::generate(), None)
        .await
        .expect("lands despite the faults");
    assert!(
        backend.sends.load(Ordering::SeqCst) >= 3,
        "the same transaction was re-sent"
    );
    let signature = outcome.signature.unwrap();
    let landed = backend
        .inner
        .signatures_for_address(&patient.pubkey())
        .await
        .unwrap();
    assert_eq!(landed, vec![signature], "exactly one transaction landed");
    // Retrying the whole operation finds the profile instead of failing.
    assert!(
        client
            .register_patient(&patient, &EncryptionKeypair::generate(), None)
            .await
            .unwrap()
            .already_existed
    );
}
