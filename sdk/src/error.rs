//! One error type for the SDK. Program errors are mapped to the program's
//! own error name and message (from the committed IDL); RPC, signing,
//! storage and crypto failures stay distinguishable, and a failed
//! transaction says whether it landed.

use {
    crate::offchain::OffchainError,
    anchor_lang::prelude::Pubkey,
    serde_json::Value,
    solana_signature::Signature,
    std::{collections::HashMap, sync::OnceLock},
};
pub use {solana_instruction::error::InstructionError, solana_transaction_error::TransactionError};

/// Everything the SDK can fail with.
#[derive(Debug, thiserror::Error)]
pub enum SdkError {
    /// A Panacea program refused the instruction.
    #[error("{program} error {code} ({name}): {message}")]
    Program {
        program: &'static str,
        code: u32,
        name: String,
        message: String,
        /// Whether the failed transaction was recorded on chain (and charged).
        landed: bool,
    },
    /// The runtime or another program (System, Token) refused it.
    #[error("transaction failed: {error} (landed: {landed})")]
    Transaction {
        error: TransactionError,
        landed: bool,
    },
    /// The transaction was signed and sent but its outcome is unknown: the
    /// cluster could not be asked before the client's confirm timeout, so it
    /// may have landed or may still land. Query the signature's status
    /// before doing the action again.
    #[error("transaction {signature} not confirmed in time; it may still land")]
    Unconfirmed { signature: Signature },
    #[error("RPC: {0}")]
    Rpc(String),
    #[error("signing: {0}")]
    Signing(String),
    #[error(transparent)]
    Offchain(#[from] OffchainError),
    #[error("no {expected} at {address}: the account does not exist")]
    AccountNotFound {
        address: Pubkey,
        expected: &'static str,
    },
    #[error("account {address} is not a {expected}")]
    Decode {
        address: Pubkey,
        expected: &'static str,
    },
    #[error("{0}")]
    InvalidInput(String),
    /// The signer may not do this (a guardian rotating the patient's key,
    /// a stranger acting for a patient): refused before anything is sent.
    #[error("not permitted: {0}")]
    NotPermitted(String),
    /// The SDK's index of a record tree (rebuilt from the tree's events)
    /// does not reach the root the account holds, even after a refresh:
    /// no proof built from it would land, so nothing was sent.
    #[error("record tree {tree}: the index rebuilt from its events has root {index_root} (sequence {index_sequence}), the account holds root {account_root} (sequence {account_sequence}); nothing was sent")]
    TreeRootMismatch {
        tree: Pubkey,
        /// Hex.
        index_root: String,
        index_sequence: u64,
        /// Hex.
        account_root: String,
        account_sequence: u64,
    },
    /// A staff credential (W3C VC) was refused: the step that failed.
    #[error("credential: {0}")]
    Credential(#[from] crate::credential::CredentialError),
    /// The transaction was reported landed but the account does not hold
    /// what it asked for: the cluster dropped it as a duplicate of a
    /// byte-identical transaction in the same blockhash, or someone else
    /// changed the account since. Check the account and send again.
    #[error("{operation}: the transaction was reported landed, but the chain holds {found} at {account}, not what it asked (the cluster dropped it as a duplicate of an identical transaction in the same blockhash, or another signer changed the account since): check it and send again")]
    WithoutEffect {
        operation: String,
        account: Pubkey,
        found: String,
    },
}

impl SdkError {
    /// Maps a transaction error, naming the program error when the failing
    /// instruction belongs to a Panacea program.
    pub fn from_transaction(
        error: TransactionError,
        program_of_instruction: impl Fn(u8) -> Option<Pubkey>,
        landed: bool,
    ) -> Self {
        if let TransactionError::InstructionError(index, InstructionError::Custom(code)) = &error {
            if let Some(program) = program_of_instruction(*index) {
                if let Some((name, label, message)) = describe(&program, *code) {
                    return SdkError::Program {
                        program: label,
                        code: *code,
                        name,
                        message,
                        landed,
                    };
                }
            }
        }
        SdkError::Transaction { error, landed }
    }

    /// The program error name, when this is one (`"GrantRevoked"`).
    pub fn program_error_name(&self) -> Option<&str> {
        match self {
            SdkError::Program { name, .. } => Some(name),
            _ => None,
        }
    }

    /// Whether the failed transaction was recorded on chain.
    pub fn landed(&self) -> Option<bool> {
        match self {
            SdkError::Program { landed, .. } | SdkError::Transaction { landed, .. } => {
                Some(*landed)
            }
            SdkError::Unconfirmed { .. } => None,
            _ => Some(false),
        }
    }
}

type ErrorTable = HashMap<u32, (String, String)>;

fn table(idl: &str) -> ErrorTable {
    let idl: Value = serde_json::from_str(idl).expect("committed IDL is JSON");
    idl["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| {
            Some((
                e["code"].as_u64()? as u32,
                (
                    e["name"].as_str()?.to_string(),
                    e["msg"].as_str().unwrap_or_default().to_string(),
                ),
            ))
        })
        .collect()
}

/// Anchor's own errors that Panacea instructions can raise; their codes,
/// names and messages come from `anchor_lang` itself.
const ANCHOR_ERRORS: [anchor_lang::error::ErrorCode; 16] = {
    use anchor_lang::error::ErrorCode as E;
    [
        E::ConstraintMut,
        E::ConstraintHasOne,
        E::ConstraintSigner,
        E::ConstraintRaw,
        E::ConstraintOwner,
        E::ConstraintSeeds,
        E::ConstraintAddress,
        E::ConstraintTokenMint,
        E::ConstraintTokenOwner,
        E::AccountDiscriminatorNotFound,
        E::AccountDiscriminatorMismatch,
        E::AccountDidNotDeserialize,
        E::AccountOwnedByWrongProgram,
        E::AccountNotSigner,
        E::AccountNotInitialized,
        E::InvalidProgramId,
    ]
};

/// (name, program label, message) of `code` raised by `program`.
pub fn describe(program: &Pubkey, code: u32) -> Option<(String, &'static str, String)> {
    static TABLES: OnceLock<[(Pubkey, &'static str, ErrorTable); 4]> = OnceLock::new();
    let tables = TABLES.get_or_init(|| {
        [
            (
                records::ID,
                "records",
                table(include_str!("../../idl/records.json")),
            ),
            (
                consent::ID,
                "consent",
                table(include_str!("../../idl/consent.json")),
            ),
            (
                claims::ID,
                "claims",
                table(include_str!("../../idl/claims.json")),
            ),
            (
                bounties::ID,
                "bounties",
                table(include_str!("../../idl/bounties.json")),
            ),
        ]
    });
    let (_, label, errors) = tables.iter().find(|(id, _, _)| id == program)?;
    if let Some((name, message)) = errors.get(&code) {
        return Some((name.clone(), label, message.clone()));
    }
    ANCHOR_ERRORS
        .iter()
        .find(|e| u32::from(**e) == code)
        .map(|e| (e.name(), *label, e.to_string()))
}

pub type Result<T, E = SdkError> = std::result::Result<T, E>;
