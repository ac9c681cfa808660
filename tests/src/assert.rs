//! Assertions on failed transactions: the attack must fail with exactly the
//! expected error, and leave state as it was.

use {
    crate::TxResult, solana_instruction::error::InstructionError,
    solana_transaction_error::TransactionError,
};

/// The error code of a program error enum variant or Anchor `ErrorCode`.
pub fn code(error: impl Into<u32>) -> u32 {
    error.into()
}

/// The transaction failed in some instruction with custom error `expected`.
#[track_caller]
pub fn custom_error(result: TxResult, expected: impl Into<u32>) {
    let expected = expected.into();
    match result {
        Ok(meta) => panic!(
            "expected error {expected}, but the transaction succeeded:\n{}",
            meta.pretty_logs()
        ),
        Err(failed) => match failed.err {
            TransactionError::InstructionError(_, InstructionError::Custom(code))
                if code == expected => {}
            other => panic!(
                "expected custom error {expected}, got {other:?}\n{}",
                failed.meta.pretty_logs()
            ),
        },
    }
}

/// The transaction failed with `expected` as the instruction error.
#[track_caller]
pub fn instruction_error(result: TxResult, expected: InstructionError) {
    match result {
        Ok(meta) => panic!(
            "expected {expected:?}, but the transaction succeeded:\n{}",
            meta.pretty_logs()
        ),
        Err(failed) => match failed.err {
            TransactionError::InstructionError(_, ref err) if *err == expected => {}
            other => panic!(
                "expected {expected:?}, got {other:?}\n{}",
                failed.meta.pretty_logs()
            ),
        },
    }
}

/// The transaction failed before or while executing, with `expected`.
#[track_caller]
pub fn transaction_error(result: TxResult, expected: TransactionError) {
    match result {
        Ok(_) => panic!("expected {expected:?}, but the transaction succeeded"),
        Err(failed) => assert_eq!(failed.err, expected, "{}", failed.meta.pretty_logs()),
    }
}
