//! Errors as one line that names the problem, in the user's terms.

use {
    crate::context::Ctx,
    anyhow::{anyhow, Error},
    panacea_sdk::{backend::Backend, SdkError},
    solana_signer::Signer,
};

/// The error and its causes on one line.
pub fn one_line(error: &Error) -> String {
    let text = format!("{error:#}");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Rewrites the SDK's transport and funding failures so they say which
/// cluster could not be reached or which account could not pay.
pub async fn in_context(error: Error, ctx: &Ctx) -> Error {
    let Some(sdk) = error.downcast_ref::<SdkError>() else {
        return error;
    };
    match sdk {
        SdkError::Rpc(message) if unreachable(message) => {
            anyhow!(
                "cannot reach the cluster at {} (is a validator running there?)",
                ctx.url
            )
        }
        SdkError::Transaction { error: tx, landed } => {
            let Some(whose) = insufficient_funds(tx) else {
                return error;
            };
            let Ok(payer) = ctx.fee_payer() else {
                return error;
            };
            let balance = match ctx.backend().get_account(&payer.pubkey()).await {
                Ok(account) => account.map_or(0, |a| a.lamports),
                Err(_) => return error,
            };
            anyhow!(
                "insufficient funds: {whose} (fee payer {} holds {} SOL; {})",
                payer.pubkey(),
                balance as f64 / 1e9,
                if *landed {
                    "the transaction landed and was charged"
                } else {
                    "nothing was sent"
                }
            )
        }
        SdkError::AccountNotFound { address, expected } => {
            anyhow!(
                "no {} at {address} on {}: the account does not exist",
                account_noun(expected),
                ctx.url
            )
        }
        _ => error,
    }
}

/// The account type the SDK expected, in words: `Patient` is "registered
/// patient", `AccessRequest` "access request".
fn account_noun(expected: &str) -> String {
    match expected {
        "Patient" => "registered patient".into(),
        "Entity" => "registered entity".into(),
        "RegistryConfig" => "registry".into(),
        other => {
            let mut words = String::new();
            for (i, c) in other.chars().enumerate() {
                if c.is_uppercase() && i > 0 {
                    words.push(' ');
                }
                words.extend(c.to_lowercase());
            }
            words
        }
    }
}

fn unreachable(message: &str) -> bool {
    [
        "error sending request",
        "Connection refused",
        "dns error",
        "tcp connect error",
    ]
    .iter()
    .any(|needle| message.contains(needle))
}

/// Whose funds fell short, when that is what `error` says. Custom error 1
/// is both the System program's and the token programs' "insufficient
/// funds", so it names neither.
fn insufficient_funds(error: &panacea_sdk::error::TransactionError) -> Option<&'static str> {
    use panacea_sdk::error::{InstructionError, TransactionError as E};
    match error {
        E::AccountNotFound | E::InsufficientFundsForFee => Some("the fee payer cannot pay the fee"),
        E::InsufficientFundsForRent { .. } => Some("an account would fall below rent exemption"),
        E::InstructionError(_, InstructionError::Custom(1)) => {
            Some("a lamport or token balance cannot cover this transaction")
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn account_types_are_named_in_words() {
        assert_eq!(super::account_noun("Record"), "record");
        assert_eq!(super::account_noun("AccessRequest"), "access request");
        assert_eq!(super::account_noun("Patient"), "registered patient");
    }
}
