//! Panacea's programs, natively compiled, inside a real Solana runtime.
//!
//! The SBF toolchain is not available on every machine that builds Panacea,
//! so the programs also run as runtime builtins: [`adapter`] bridges a
//! builtin's invoke context to Anchor's `entry`, and [`PROGRAMS`] lists the
//! four programs with the registration function a runtime needs. Anything
//! that hosts a runtime (LiteSVM here, a test validator's bank, an SDK
//! backend) registers the same [`NativeProgram`]s.
//!
//! SPL Token, Token-2022 and the associated token account program are the
//! real SBF programs shipped with LiteSVM; CPIs into them run in the SBF VM.

pub mod adapter;

use {
    litesvm::LiteSVM,
    solana_clock::Clock,
    solana_program_runtime::{
        declare_process_instruction, invoke_context::BuiltinFunctionRegisterer,
    },
    solana_pubkey::Pubkey,
};

pub use litesvm;

declare_process_instruction!(RecordsBuiltin, 0, |invoke_context| {
    adapter::invoke_native(invoke_context, records::entry)
});
declare_process_instruction!(ConsentBuiltin, 0, |invoke_context| {
    adapter::invoke_native(invoke_context, consent::entry)
});
declare_process_instruction!(ClaimsBuiltin, 0, |invoke_context| {
    adapter::invoke_native(invoke_context, claims::entry)
});
declare_process_instruction!(BountiesBuiltin, 0, |invoke_context| {
    adapter::invoke_native(invoke_context, bounties::entry)
});

/// A Panacea program as a runtime builtin.
#[derive(Clone, Copy)]
pub struct NativeProgram {
    /// The crate and IDL name.
    pub name: &'static str,
    pub program_id: Pubkey,
    /// Registers the builtin's entrypoint with a runtime.
    pub register: BuiltinFunctionRegisterer,
}

impl std::fmt::Debug for NativeProgram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NativeProgram")
            .field("name", &self.name)
            .field("program_id", &self.program_id)
            .finish()
    }
}

use solana_program_runtime::solana_sbpf::program::BuiltinFunctionDefinition as _;

/// The four Panacea programs.
pub const PROGRAMS: [NativeProgram; 4] = [
    NativeProgram {
        name: "records",
        program_id: records::ID,
        register: RecordsBuiltin::register,
    },
    NativeProgram {
        name: "consent",
        program_id: consent::ID,
        register: ConsentBuiltin::register,
    },
    NativeProgram {
        name: "claims",
        program_id: claims::ID,
        register: ClaimsBuiltin::register,
    },
    NativeProgram {
        name: "bounties",
        program_id: bounties::ID,
        register: BountiesBuiltin::register,
    },
];

/// Registers the Panacea programs with a LiteSVM instance.
pub fn add_programs(svm: &mut LiteSVM) {
    adapter::install_syscall_stubs();
    for program in PROGRAMS {
        svm.add_builtin(program.program_id, program.register);
    }
}

/// A LiteSVM with the default builtins, SPL Token, Token-2022, ATA, the
/// Ed25519 and secp256k1 precompiles, and the Panacea programs.
pub fn svm() -> LiteSVM {
    let mut svm = LiteSVM::new();
    add_programs(&mut svm);
    svm
}

/// A deployment as a cluster would have it, in one call: [`svm`], the
/// `records` program's `ProgramData` naming `upgrade_authority` (which
/// `initialize_registry` checks), the clock at `unix_timestamp`, and each
/// `(address, lamports)` of `airdrops` funded. The demo, the SDK's tests,
/// the story tests and the benchmark all start from here.
pub fn deployment(
    upgrade_authority: &Pubkey,
    unix_timestamp: i64,
    airdrops: &[(Pubkey, u64)],
) -> Result<LiteSVM, String> {
    let mut svm = svm();
    set_unix_timestamp(&mut svm, unix_timestamp);
    set_upgrade_authority(&mut svm, &records::ID, upgrade_authority);
    for (address, lamports) in airdrops {
        svm.airdrop(address, *lamports)
            .map_err(|e| format!("funding {address}: {:?}", e.err))?;
    }
    Ok(svm)
}

/// The cluster time seen by programs.
pub fn unix_timestamp(svm: &LiteSVM) -> i64 {
    svm.get_sysvar::<Clock>().unix_timestamp
}

/// Sets cluster time (seconds since the Unix epoch) and moves to the next slot.
pub fn set_unix_timestamp(svm: &mut LiteSVM, unix_timestamp: i64) {
    let mut clock = svm.get_sysvar::<Clock>();
    clock.unix_timestamp = unix_timestamp;
    clock.slot = clock.slot.saturating_add(1);
    svm.set_sysvar(&clock);
    svm.expire_blockhash();
}

/// Moves cluster time (and the slot, so that blockhashes and signatures
/// stay unique) forward by `seconds`.
pub fn advance_clock(svm: &mut LiteSVM, seconds: i64) {
    let now = unix_timestamp(svm);
    set_unix_timestamp(svm, now.checked_add(seconds).expect("clock overflow"));
}

/// The `ProgramData` account (address and account) that a deployment of
/// `program_id` through the upgradeable loader leaves, naming
/// `upgrade_authority` (`records::initialize_registry` checks it). Builtins
/// have no ProgramData of their own, so hosts that want a registry create it.
pub fn program_data_account(
    program_id: &Pubkey,
    upgrade_authority: &Pubkey,
) -> (Pubkey, solana_account::Account) {
    use anchor_lang::solana_program::bpf_loader_upgradeable::{self, UpgradeableLoaderState};
    let state = UpgradeableLoaderState::ProgramData {
        slot: 0,
        upgrade_authority_address: Some(*upgrade_authority),
    };
    let data = bincode::serialize(&state).expect("ProgramData serializes");
    let address =
        Pubkey::find_program_address(&[program_id.as_ref()], &bpf_loader_upgradeable::ID).0;
    // Rent-exempt at the default rent for its size (about 1.2M lamports).
    let lamports = 1_000_000_000;
    let account = solana_account::Account {
        lamports,
        data,
        owner: bpf_loader_upgradeable::ID,
        executable: false,
        rent_epoch: 0,
    };
    (address, account)
}

/// Writes [`program_data_account`] into a LiteSVM.
pub fn set_upgrade_authority(svm: &mut LiteSVM, program_id: &Pubkey, upgrade_authority: &Pubkey) {
    let (address, account) = program_data_account(program_id, upgrade_authority);
    svm.set_account(address, account)
        .expect("ProgramData account");
}
