//! The bridge between the runtime and a natively compiled program.
//!
//! A runtime builtin receives an [`InvokeContext`]; an Anchor program exposes
//! `entry(program_id, accounts, data)`. [`invoke_native`] serializes the
//! instruction's accounts exactly as the BPF loader does (ABI v1), hands the
//! deserialized `AccountInfo`s to the program, and writes the result back with
//! the loader's own `deserialize_parameters`, so the runtime enforces the same
//! ownership, writability and realloc rules it enforces on an SBF program.
//!
//! Programs reach the runtime through the `solana-sysvar` syscall stubs
//! (`sol_invoke_signed`, `sol_get_*_sysvar`, return data, logs). Anchor 1.2
//! calls the solana-sysvar 3 stubs, Agave 4.2 crates the solana-sysvar 4 ones;
//! [`install_syscall_stubs`] installs one implementation behind both. An
//! uninstalled stub silently succeeds, which is why the tests in this crate
//! assert the effect of every CPI.

use {
    solana_account_info::AccountInfo,
    solana_instruction::{error::InstructionError, Instruction},
    solana_program_error::{ProgramError, ProgramResult},
    solana_program_runtime::{
        invoke_context::InvokeContext,
        serialization::{deserialize_parameters, serialize_parameters},
        solana_sbpf::vm::ContextObject,
        stable_log,
    },
    solana_pubkey::Pubkey,
    solana_svm_log_collector::ic_msg,
    solana_svm_timings::ExecuteTimings,
    std::{
        cell::{Cell, RefCell},
        panic::AssertUnwindSafe,
        ptr::NonNull,
        sync::Once,
    },
};

/// The entrypoint Anchor generates for every program (`program::entry`).
pub type NativeEntry = for<'a> fn(&'a Pubkey, &'a [AccountInfo<'a>], &'a [u8]) -> ProgramResult;

/// Return codes of the `sol_get_sysvar` syscall.
const SYSVAR_SUCCESS: u64 = 0;
const OFFSET_LENGTH_EXCEEDS_SYSVAR: u64 = 1;
const SYSVAR_NOT_FOUND: u64 = 2;

thread_local! {
    /// The invoke context of the instruction the current thread is executing.
    /// Stubs are process-wide, runtimes are per thread: each thread keeps its own.
    static CURRENT: Cell<Option<NonNull<InvokeContext<'static, 'static>>>> =
        const { Cell::new(None) };

    /// The error of a failed CPI. On chain a failed CPI aborts the caller with
    /// the callee's error; natively the caller gets a `ProgramError` back, so
    /// the exact error is kept here and reported in place of the caller's.
    static CPI_FAILURE: RefCell<Option<InstructionError>> = const { RefCell::new(None) };
}

/// Restores the previous invoke context when a (possibly nested) call returns.
struct ContextGuard(Option<NonNull<InvokeContext<'static, 'static>>>);

impl ContextGuard {
    fn enter(invoke_context: &mut InvokeContext) -> Self {
        // SAFETY: the pointer is only dereferenced while the builtin that set
        // it is on the stack; the guard restores the previous value on exit.
        let ptr = NonNull::from(invoke_context).cast::<InvokeContext<'static, 'static>>();
        ContextGuard(CURRENT.with(|c| c.replace(Some(ptr))))
    }
}

impl Drop for ContextGuard {
    fn drop(&mut self) {
        CURRENT.with(|c| c.set(self.0));
    }
}

/// The invoke context of the running instruction.
///
/// # Panics
/// When no native program is executing on this thread: a syscall stub was
/// called outside of [`invoke_native`].
fn current<'a>() -> &'a mut InvokeContext<'static, 'static> {
    let ptr = CURRENT
        .with(Cell::get)
        .expect("a syscall was made outside of a native program invocation");
    // SAFETY: see ContextGuard::enter.
    unsafe { &mut *ptr.as_ptr() }
}

/// Runs `entry` as the program of the current instruction of `invoke_context`.
pub fn invoke_native(
    invoke_context: &mut InvokeContext,
    entry: NativeEntry,
) -> Result<(), InstructionError> {
    install_syscall_stubs();
    // Builtins must consume compute units; native code itself is not metered.
    invoke_context
        .compute_meter
        .consume_checked(1)
        .map_err(|_| InstructionError::ComputationalBudgetExceeded)?;
    let log_collector = invoke_context.get_log_collector();
    let stack_height = invoke_context.get_stack_height();

    let (mut buffer, _regions, accounts_metadata, program_id) = {
        let instruction_context = invoke_context
            .transaction_context
            .get_current_instruction_context()?;
        let program_id = *instruction_context.get_program_key()?;
        let (buffer, regions, metadata, _) =
            serialize_parameters(&instruction_context, false, false, false)?;
        (buffer, regions, metadata, program_id)
    };
    stable_log::program_invoke(&log_collector, &program_id, stack_height);

    let result = {
        let _guard = ContextGuard::enter(invoke_context);
        // SAFETY: the buffer was laid out by serialize_parameters in the ABI
        // that solana_program_entrypoint::deserialize reads, and outlives
        // every AccountInfo built on it (they are dropped in this block).
        let (id, accounts, data) =
            unsafe { solana_program_entrypoint::deserialize(buffer.as_slice_mut().as_mut_ptr()) };
        std::panic::catch_unwind(AssertUnwindSafe(|| entry(id, &accounts, data)))
    };

    let outcome = match (result, CPI_FAILURE.with(|f| f.borrow_mut().take())) {
        (_, Some(cpi_error)) => Err(cpi_error),
        (Ok(Ok(())), None) => Ok(()),
        (Ok(Err(program_error)), None) => Err(InstructionError::from(u64::from(program_error))),
        (Err(_panic), None) => Err(InstructionError::ProgramFailedToComplete),
    };
    if let Err(err) = &outcome {
        stable_log::program_failure(&log_collector, &program_id, err);
        return outcome;
    }

    // The program may have invoked others: re-read the current frame.
    let instruction_context = invoke_context
        .transaction_context
        .get_current_instruction_context()?;
    deserialize_parameters(
        &instruction_context,
        false,
        false,
        buffer.as_slice(),
        &accounts_metadata,
    )
    .inspect_err(|err| stable_log::program_failure(&log_collector, &program_id, err))?;
    stable_log::program_success(&log_collector, &program_id);
    Ok(())
}

/// Copies the caller's view of an account (its `AccountInfo`) into the
/// runtime, subject to the runtime's rules for the calling program.
fn push_account_info(
    invoke_context: &InvokeContext,
    account_info: &AccountInfo,
) -> Result<(), InstructionError> {
    let transaction_context = &invoke_context.transaction_context;
    let caller = transaction_context.get_current_instruction_context()?;
    let index_in_transaction = transaction_context
        .find_index_of_account(account_info.key)
        .ok_or(InstructionError::MissingAccount)?;
    let index_in_caller = caller.get_index_of_account_in_instruction(index_in_transaction)?;
    let mut account = caller.try_borrow_instruction_account(index_in_caller)?;
    if account.get_lamports() != account_info.lamports() {
        account.set_lamports(account_info.lamports())?;
    }
    let data = account_info
        .try_borrow_data()
        .map_err(|_| InstructionError::AccountBorrowFailed)?;
    match account.can_data_be_resized(data.len()) {
        Ok(()) => account.set_data_from_slice(&data)?,
        Err(err) if account.get_data() != *data => return Err(err),
        Err(_) => {}
    }
    if account.get_owner() != account_info.owner {
        account.set_owner(account_info.owner.as_ref())?;
    }
    Ok(())
}

/// Copies the runtime's view of an account back into the caller's `AccountInfo`.
fn pull_account_info(
    invoke_context: &InvokeContext,
    account_info: &AccountInfo,
) -> Result<(), InstructionError> {
    let transaction_context = &invoke_context.transaction_context;
    let caller = transaction_context.get_current_instruction_context()?;
    let index_in_transaction = transaction_context
        .find_index_of_account(account_info.key)
        .ok_or(InstructionError::MissingAccount)?;
    let index_in_caller = caller.get_index_of_account_in_instruction(index_in_transaction)?;
    let account = caller.try_borrow_instruction_account(index_in_caller)?;
    **account_info
        .try_borrow_mut_lamports()
        .map_err(|_| InstructionError::AccountBorrowFailed)? = account.get_lamports();
    if account_info.owner != account.get_owner() {
        // The owner field lives in the serialized input buffer this invocation owns.
        account_info.assign(account.get_owner());
    }
    let new_data = account.get_data();
    if account_info.data_len() != new_data.len() {
        account_info
            .resize(new_data.len())
            .map_err(|_| InstructionError::InvalidRealloc)?;
    }
    account_info
        .try_borrow_mut_data()
        .map_err(|_| InstructionError::AccountBorrowFailed)?
        .copy_from_slice(new_data);
    Ok(())
}

fn invoke_signed(
    instruction: &Instruction,
    account_infos: &[AccountInfo],
    signers_seeds: &[&[&[u8]]],
) -> ProgramResult {
    invoke_signed_inner(current(), instruction, account_infos, signers_seeds).map_err(|err| {
        let program_error =
            ProgramError::try_from(err.clone()).unwrap_or(ProgramError::InvalidArgument);
        CPI_FAILURE.with(|f| *f.borrow_mut() = Some(err));
        program_error
    })
}

fn invoke_signed_inner(
    invoke_context: &mut InvokeContext,
    instruction: &Instruction,
    account_infos: &[AccountInfo],
    signers_seeds: &[&[&[u8]]],
) -> Result<(), InstructionError> {
    let caller_id = *invoke_context
        .transaction_context
        .get_current_instruction_context()?
        .get_program_key()?;
    let signers = signers_seeds
        .iter()
        .map(|seeds| Pubkey::create_program_address(seeds, &caller_id))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| InstructionError::InvalidSeeds)?;

    // Everything the caller changed so far becomes visible to the callee.
    let mut writable_infos = Vec::with_capacity(instruction.accounts.len());
    for meta in &instruction.accounts {
        let info = account_infos
            .iter()
            .find(|info| *info.key == meta.pubkey)
            .ok_or_else(|| {
                ic_msg!(
                    invoke_context,
                    "Instruction references an account without an AccountInfo: {}",
                    meta.pubkey
                );
                InstructionError::MissingAccount
            })?;
        push_account_info(invoke_context, info)?;
        if meta.is_writable
            && !writable_infos
                .iter()
                .any(|i: &&AccountInfo| i.key == info.key)
        {
            writable_infos.push(info);
        }
    }

    invoke_context.prepare_next_cpi_instruction(instruction.clone(), &signers)?;
    let mut compute_units_consumed = 0;
    invoke_context
        .process_instruction(&mut compute_units_consumed, &mut ExecuteTimings::default())?;

    // And everything the callee changed becomes visible to the caller.
    for info in writable_infos {
        pull_account_info(invoke_context, info)?;
    }
    Ok(())
}

fn copy_sysvar<T: Clone>(
    sysvar: Result<std::sync::Arc<T>, InstructionError>,
    var_addr: *mut u8,
) -> u64 {
    match sysvar {
        Ok(value) => {
            // SAFETY: the program passes a pointer to a `T` it owns.
            unsafe { (var_addr as *mut T).write(T::clone(&value)) };
            SYSVAR_SUCCESS
        }
        Err(_) => solana_instruction::error::UNSUPPORTED_SYSVAR,
    }
}

fn get_sysvar_bytes(sysvar_id: *const u8, var_addr: *mut u8, offset: u64, length: u64) -> u64 {
    // SAFETY: the program passes a pointer to a 32-byte address.
    let id = Pubkey::new_from_array(unsafe { *(sysvar_id as *const [u8; 32]) });
    let cache = current().environment_config.sysvar_cache();
    let Some(bytes) = cache.sysvar_id_to_buffer(&id) else {
        return SYSVAR_NOT_FOUND;
    };
    let (Ok(start), Ok(len)) = (usize::try_from(offset), usize::try_from(length)) else {
        return OFFSET_LENGTH_EXCEEDS_SYSVAR;
    };
    match start.checked_add(len).and_then(|end| bytes.get(start..end)) {
        Some(slice) => {
            // SAFETY: the program passes a buffer of `length` bytes.
            unsafe { std::ptr::copy_nonoverlapping(slice.as_ptr(), var_addr, len) };
            SYSVAR_SUCCESS
        }
        None => OFFSET_LENGTH_EXCEEDS_SYSVAR,
    }
}

fn set_return_data(data: &[u8]) {
    let invoke_context = current();
    let caller = invoke_context
        .transaction_context
        .get_current_instruction_context()
        .and_then(|ctx| ctx.get_program_key().copied());
    if let Ok(caller) = caller {
        // Too-large return data is the program's bug; the runtime refuses it.
        let _ = invoke_context
            .transaction_context
            .set_return_data(caller, data.to_vec());
    }
}

/// One implementation of the syscall stubs, for each solana-sysvar major.
macro_rules! impl_syscall_stubs {
    ($stubs:path) => {
        impl $stubs for NativeSyscalls {
            fn sol_log(&self, message: &str) {
                ic_msg!(current(), "Program log: {}", message);
            }
            fn sol_log_compute_units(&self) {
                let remaining = current().get_remaining();
                ic_msg!(
                    current(),
                    "Program consumption: {} units remaining",
                    remaining
                );
            }
            fn sol_remaining_compute_units(&self) -> u64 {
                current().get_remaining()
            }
            fn sol_invoke_signed(
                &self,
                instruction: &Instruction,
                account_infos: &[AccountInfo],
                signers_seeds: &[&[&[u8]]],
            ) -> ProgramResult {
                invoke_signed(instruction, account_infos, signers_seeds)
            }
            fn sol_get_sysvar(
                &self,
                sysvar_id_addr: *const u8,
                var_addr: *mut u8,
                offset: u64,
                length: u64,
            ) -> u64 {
                get_sysvar_bytes(sysvar_id_addr, var_addr, offset, length)
            }
            fn sol_get_clock_sysvar(&self, var_addr: *mut u8) -> u64 {
                copy_sysvar(
                    current().environment_config.sysvar_cache().get_clock(),
                    var_addr,
                )
            }
            fn sol_get_epoch_schedule_sysvar(&self, var_addr: *mut u8) -> u64 {
                copy_sysvar(
                    current()
                        .environment_config
                        .sysvar_cache()
                        .get_epoch_schedule(),
                    var_addr,
                )
            }
            fn sol_get_rent_sysvar(&self, var_addr: *mut u8) -> u64 {
                copy_sysvar(
                    current().environment_config.sysvar_cache().get_rent(),
                    var_addr,
                )
            }
            fn sol_get_epoch_rewards_sysvar(&self, var_addr: *mut u8) -> u64 {
                copy_sysvar(
                    current()
                        .environment_config
                        .sysvar_cache()
                        .get_epoch_rewards(),
                    var_addr,
                )
            }
            fn sol_get_last_restart_slot(&self, var_addr: *mut u8) -> u64 {
                copy_sysvar(
                    current()
                        .environment_config
                        .sysvar_cache()
                        .get_last_restart_slot(),
                    var_addr,
                )
            }
            fn sol_get_return_data(&self) -> Option<(Pubkey, Vec<u8>)> {
                let (program_id, data) = current().transaction_context.get_return_data();
                Some((*program_id, data.to_vec()))
            }
            fn sol_set_return_data(&self, data: &[u8]) {
                set_return_data(data)
            }
            fn sol_log_data(&self, fields: &[&[u8]]) {
                let log_collector = current().get_log_collector();
                stable_log::program_data(&log_collector, fields);
            }
            fn sol_get_stack_height(&self) -> u64 {
                current().get_stack_height() as u64
            }
        }
    };
}

/// The syscall stubs through which native programs reach the runtime.
struct NativeSyscalls;

impl_syscall_stubs!(solana_sysvar_v3::program_stubs::SyscallStubs);
impl_syscall_stubs!(solana_sysvar_v4::program_stubs::SyscallStubs);

/// Installs the syscall stubs of both solana-sysvar majors, once per process.
pub fn install_syscall_stubs() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        solana_sysvar_v3::program_stubs::set_syscall_stubs(Box::new(NativeSyscalls));
        solana_sysvar_v4::program_stubs::set_syscall_stubs(Box::new(NativeSyscalls));
    });
}
