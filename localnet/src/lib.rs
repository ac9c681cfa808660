//! A local validator for Panacea: `solana-test-validator` 4.2 in-process,
//! with `records`, `consent`, `claims` and `bounties` registered as native builtins,
//! SPL Token, Token-2022 and ATA in genesis, and the `records` program's
//! upgrade authority recorded so that the registry can be initialized.

use {
    solana_account::{AccountSharedData, WritableAccount},
    solana_keypair::Keypair,
    solana_program_runtime::program_cache_entry::ProgramCacheEntry,
    solana_pubkey::Pubkey,
    solana_signer::Signer,
    solana_test_validator::{TestValidator, TestValidatorGenesis},
    std::path::PathBuf,
};

/// How to start the localnet.
#[derive(Debug, Default)]
pub struct LocalnetConfig {
    /// JSON-RPC port; the websocket listens on the next one. Random when `None`.
    pub rpc_port: Option<u16>,
    /// Ledger directory; a temporary one when `None`.
    pub ledger: Option<PathBuf>,
    /// The `records` program's upgrade authority (signs `initialize_registry`).
    pub upgrade_authority: Pubkey,
    /// Keys funded at genesis, with their lamports.
    pub airdrops: Vec<(Pubkey, u64)>,
}

/// A running localnet. Dropping it shuts the validator down.
pub struct Localnet {
    pub validator: TestValidator,
    /// Holds the genesis supply: fund development keys from it.
    pub faucet: Keypair,
}

impl Localnet {
    pub fn rpc_url(&self) -> String {
        self.validator.rpc_url()
    }

    pub fn websocket_url(&self) -> String {
        self.validator.rpc_pubsub_url()
    }
}

/// Starts the validator and registers the Panacea programs on it.
///
/// Sync only: it starts its own runtimes (do not call it from inside a
/// tokio runtime).
/// Ports a validator binds: gossip, then RPC, websocket, TPU, repair, ...
const PORT_BLOCK: u16 = 40;

/// The first port of `len` consecutive local ports that are all free (TCP
/// and UDP), probed from a start that differs per process and call.
fn free_port_block(len: u16) -> Option<u16> {
    use std::net::{TcpListener, UdpSocket};
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos() as u64);
    let mut state = nanos ^ ((std::process::id() as u64) << 32);
    let free = |port: u16| {
        TcpListener::bind(("127.0.0.1", port)).is_ok()
            && UdpSocket::bind(("127.0.0.1", port)).is_ok()
    };
    (0..100).find_map(|_| {
        // splitmix64 step: a spread of candidate blocks in 20000..60000.
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        let base = 20_000 + ((z ^ (z >> 31)) % 40_000) as u16;
        (base..base + len).all(free).then_some(base)
    })
}

pub fn start(config: LocalnetConfig) -> Result<Localnet, String> {
    let mut genesis = TestValidatorGenesis::default();
    // Transaction history serves getSignaturesForAddress, and the extended
    // metadata keeps the inner instructions that carry `emit_cpi!` events:
    // both are needed for the audit trail.
    genesis.rpc_config(solana_rpc::rpc::JsonRpcConfig {
        enable_rpc_transaction_history: true,
        enable_extended_tx_metadata_storage: true,
        ..solana_rpc::rpc::JsonRpcConfig::default_for_test()
    });
    // Gossip, TPU, repair and (unless given) RPC on a free block of ports:
    // the defaults are fixed, so a second validator on the host (another
    // test binary, another localnet) would collide with the first.
    let base =
        free_port_block(PORT_BLOCK).ok_or("no free block of local ports for the validator")?;
    genesis.gossip_port(base);
    genesis.port_range((base + 1, base + PORT_BLOCK));
    if let Some(port) = config.rpc_port {
        genesis.rpc_port(port);
    }
    if let Some(ledger) = &config.ledger {
        genesis.ledger_path(ledger);
    }
    for program in panacea_runtime::PROGRAMS {
        // What the native loader expects at a builtin's address.
        let mut account =
            AccountSharedData::new(1, program.name.len(), &solana_sdk_ids::native_loader::ID);
        account.set_data_from_slice(program.name.as_bytes());
        account.set_executable(true);
        genesis.add_account(program.program_id, account);
    }
    let (program_data, account) =
        panacea_runtime::program_data_account(&records::ID, &config.upgrade_authority);
    genesis.add_account(program_data, account.into());
    for (key, lamports) in &config.airdrops {
        genesis.add_account(
            *key,
            AccountSharedData::new(*lamports, 0, &solana_sdk_ids::system_program::ID),
        );
    }
    let faucet = Keypair::new();
    let validator = genesis
        .start_with_mint_address(
            faucet.pubkey(),
            solana_net_utils::SocketAddrSpace::new(true),
        )
        .map_err(|e| format!("the validator did not start: {e}"))?;
    panacea_runtime::adapter::install_syscall_stubs();
    // A bank takes its builtins from its parent when it is created, and the
    // validator keeps creating banks: register the programs on every bank
    // that exists (frozen ones serve reads and simulation at a commitment),
    // and keep doing it for new ones until the confirmed bank has them.
    let bank_forks = validator.bank_forks();
    let register = |bank: &solana_runtime_bank::bank::Bank| {
        for program in panacea_runtime::PROGRAMS {
            bank.add_builtin(
                program.program_id,
                program.name,
                ProgramCacheEntry::new_builtin(0, program.name.len(), program.register),
            );
        }
    };
    let mut done = std::collections::HashSet::new();
    let mut first_round_max = None;
    let rpc = validator.get_rpc_client();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let banks: Vec<_> = bank_forks
            .read()
            .expect("bank forks")
            .banks()
            .iter()
            .map(|(slot, bank)| (*slot, bank.clone_without_scheduler()))
            .collect();
        let mut newest = 0;
        for (slot, bank) in banks {
            if done.insert(slot) {
                register(&bank);
            }
            newest = newest.max(slot);
        }
        let first_round_max = *first_round_max.get_or_insert(newest);
        let confirmed = rpc
            .get_slot_with_commitment(solana_commitment_config::CommitmentConfig::confirmed())
            .map_err(|e| format!("the validator does not answer: {e}"))?;
        if confirmed > first_round_max && done.contains(&confirmed) {
            break;
        }
        if std::time::Instant::now() > deadline {
            return Err("the validator did not confirm a slot within a minute".into());
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    Ok(Localnet { validator, faucet })
}
