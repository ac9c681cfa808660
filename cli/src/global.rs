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
