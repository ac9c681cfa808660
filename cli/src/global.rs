//! The options every command shares: the Solana CLI's, read from its
//! config file when not given, and those of offline signing.

use clap::{Args, ValueEnum};

/// The Solana CLI's options, read from its config file when not given.
#[derive(Args, Debug, Clone)]
pub struct GlobalArgs {
    /// Configuration file [default: ~/.config/solana/cli/config.yml]
    #[arg(short = 'C', long, global = true, value_name = "PATH")]
    pub config: Option<String>,
    /// JSON-RPC URL or moniker (mainnet-beta, testnet, devnet, localhost; or m, t, d, l)
    #[arg(short = 'u', long, global = true, value_name = "URL_OR_MONIKER")]
    pub url: Option<String>,
    /// The signer (the actor running the command): a keypair file, prompt://, usb://ledger, stdin, or a public key (see --sign-only, --signer)
    #[arg(short = 'k', long, global = true, value_name = "SIGNER")]
    pub keypair: Option<String>,
    /// The fee and rent payer, any signer source [default: the signer]
    #[arg(long, global = true, value_name = "SIGNER")]
    pub fee_payer: Option<String>,
    /// Commitment level for reads and confirmations
    #[arg(long, global = true, value_enum)]
    pub commitment: Option<Commitment>,
    /// Priority fee, in micro-lamports per compute unit (at most 10,000,000,000)
    #[arg(long, global = true, value_name = "MICRO_LAMPORTS")]
    pub with_compute_unit_price: Option<u64>,
    /// Compute-unit limit of a transaction built over --blockhash (otherwise measured by simulation)
    #[arg(long, global = true, value_name = "UNITS", requires = "blockhash")]
    pub with_compute_unit_limit: Option<u32>,
    /// Sign with the signers present and print the signatures instead of sending (needs --blockhash)
    #[arg(long, global = true, requires = "blockhash")]
    pub sign_only: bool,
    /// Build the transaction over this blockhash (offline signing, and submitting what was signed offline)
    #[arg(long, global = true, value_name = "BLOCKHASH")]
    pub blockhash: Option<String>,
    /// A signature collected offline, for a signer given as a public key
    #[arg(long = "signer", global = true, value_name = "PUBKEY=SIGNATURE", value_parser = crate::signer::parse_presigned)]
    pub signers: Vec<(panacea_sdk::Pubkey, solana_signature::Signature)>,
    /// With --sign-only: also print the transaction message (base58 and base64), for a multisig proposal or a hardware wallet
    #[arg(long, global = true, requires = "sign_only")]
    pub dump_transaction_message: bool,
    /// Act as a member (staff) of the entity whose authority is ENTITY_AUTHORITY: the signer (-k) is the member's own key, and reading through a grant decrypts with the entity's encryption key file (--encryption-key, held by the organisation), not the member's [default: the signer is the entity's authority]
    #[arg(
        long = "entity",
        id = "acting_entity",
        global = true,
        value_name = "ENTITY_AUTHORITY"
    )]
    pub entity: Option<String>,
    /// Output format
    #[arg(long, global = true, value_enum, default_value_t = Output::Text)]
    pub output: Output,
    /// Where encrypted payloads and key envelopes are kept: a directory, file://, s3:// or memory:// URL
    #[arg(
        long,
        global = true,
        env = "PANACEA_STORE",
        value_name = "DIR_OR_URL",
        default_value = "~/.config/panacea/store"
    )]
    pub store: String,
    /// Your X25519 encryption key file (created 0600 on first use) [default: ~/.config/panacea/encryption/<signer pubkey>.json]
    #[arg(long, global = true, value_name = "PATH")]
    pub encryption_key: Option<String>,
    /// Derive your encryption key from the keypair file's seed (the key of records issued before key files) instead of the key file
    #[arg(long, global = true, conflicts_with = "encryption_key")]
    pub derive_encryption_key_from_seed: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    Text,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Commitment {
    Processed,
    Confirmed,
    Finalized,
}

/// The first single-valued global option given more than once, named as
/// clap names it (`--url <URL_OR_MONIKER>`). clap keeps the value given
/// after the subcommand and silently drops the one given before it, so
/// `panacea -u devnet record list -u localhost` would read one cluster
/// while the user believes the other: it is refused instead. Stops at `--`.
///
/// Every token that starts with `-` is an option to clap (no argument
/// accepts hyphen values), so the scan needs to know only the global
/// options, and which of them take a value, to skip those values.
pub fn repeated_global(command: &clap::Command, args: &[std::ffi::OsString]) -> Option<String> {
    use clap::ArgAction;
    let globals: Vec<&clap::Arg> = command
        .get_arguments()
        .filter(|arg| arg.is_global_set())
        .collect();
    let single = |arg: &clap::Arg| {
        matches!(
            arg.get_action(),
            ArgAction::Set | ArgAction::SetTrue | ArgAction::SetFalse
        )
    };
    let takes_value = |arg: &clap::Arg| arg.get_action().takes_values();
    let mut seen: Vec<String> = Vec::new();
    let mut occurrence = |arg: &clap::Arg| -> Option<String> {
        let id = arg.get_id().as_str();
        if single(arg) && seen.iter().any(|s| s == id) {
            let name = arg.get_long().map_or_else(
                || format!("-{}", arg.get_short().unwrap_or('?')),
                |long| format!("--{long}"),
            );
            let value = if takes_value(arg) {
                arg.get_value_names()
                    .and_then(|names| names.first())
                    .map_or_else(
                        || format!(" <{}>", id.to_uppercase()),
                        |name| format!(" <{name}>"),
                    )
            } else {
                String::new()
            };
            return Some(format!(
                "the global option '{name}{value}' was given more than once: give it once, before or after the subcommand"
            ));
        }
        seen.push(id.to_string());
        None
    };
    let mut tokens = args.iter().skip(1).map(|t| t.to_string_lossy());
    while let Some(token) = tokens.next() {
        if token == "--" {
            break;
        }
        if let Some(long) = token.strip_prefix("--") {
            let (name, attached) = match long.split_once('=') {
                Some((name, _)) => (name, true),
                None => (long, false),
            };
            if let Some(arg) = globals.iter().find(|a| a.get_long() == Some(name)) {
                if let Some(line) = occurrence(arg) {
                    return Some(line);
                }
                if takes_value(arg) && !attached {
                    tokens.next();
                }
            }
        } else if let Some(shorts) = token.strip_prefix('-') {
            for (at, short) in shorts.char_indices() {
                let Some(arg) = globals.iter().find(|a| a.get_short() == Some(short)) else {
                    continue;
                };
                if let Some(line) = occurrence(arg) {
                    return Some(line);
                }
                if takes_value(arg) {
                    if at + short.len_utf8() == shorts.len() {
                        tokens.next();
                    }
                    break;
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use {super::repeated_global, crate::cli::Cli, clap::CommandFactory};

    fn repeated(line: &str) -> Option<String> {
        let args: Vec<std::ffi::OsString> = std::iter::once("panacea")
            .chain(line.split_whitespace())
            .map(Into::into)
            .collect();
        repeated_global(&Cli::command(), &args)
    }

    #[test]
    fn a_global_option_given_twice_is_named() {
        let url = repeated("--url devnet record list --url localhost").unwrap();
        assert!(url.contains("'--url <URL_OR_MONIKER>'"), "{url}");
        let keypair = repeated("-k a.json record list -k b.json").unwrap();
        assert!(keypair.contains("'--keypair <SIGNER>'"), "{keypair}");
        // Short and long forms, attached values, clusters.
        assert!(repeated("-ua rent --url=b").is_some());
        assert!(repeated("--keypair=a.json rent -kb.json").is_some());
        assert!(repeated("--sign-only --blockhash X rent --sign-only").is_some());
        assert!(repeated("--output json rent --output text").is_some());
    }

    #[test]
    fn what_may_repeat_is_left_alone() {
        assert_eq!(repeated("--url devnet -k a.json record list"), None);
        // --signer collects one signature per signer.
        assert_eq!(repeated("--signer A=1 rent --signer B=2"), None);
        // A value that looks like an option is a value.
        assert_eq!(repeated("--store -k -k a.json rent"), None);
        // After `--`, nothing is an option.
        assert_eq!(repeated("-k a.json rent -- -k b.json"), None);
        // A subcommand's own option of the same name as nothing global.
        assert_eq!(
            repeated("-k a.json registry register --entity e.json --kind provider"),
            None
        );
    }
}
