//! `panacea-localnet`: a local Solana validator with the Panacea programs.
//!
//! ```text
//! panacea-localnet [--rpc-port PORT] [--ledger DIR] [--keypair FILE] [--airdrop PUBKEY]...
//! ```
//! JSON-RPC on 127.0.0.1:PORT (default 8899), websocket on PORT+1. The
//! keypair (default: the Solana CLI's `~/.config/solana/id.json`, created if
//! missing) is funded and recorded as the `records` upgrade authority, so it
//! can initialize the registry. Ctrl-C shuts down cleanly.

use {
    panacea_localnet::{start, LocalnetConfig},
    signal_hook::{
        consts::{SIGINT, SIGTERM},
        iterator::Signals,
    },
    solana_keypair::Keypair,
    solana_pubkey::Pubkey,
    solana_signer::Signer,
    std::{path::PathBuf, process::ExitCode, str::FromStr},
};

const SOL: u64 = 1_000_000_000;

fn usage() -> &'static str {
    "usage: panacea-localnet [--rpc-port PORT] [--ledger DIR] [--keypair FILE] [--airdrop PUBKEY]..."
}

fn read_or_create_keypair(path: &PathBuf) -> Result<Keypair, String> {
    if path.exists() {
        return solana_keypair::read_keypair_file(path)
            .map_err(|e| format!("keypair file {}: {e}", path.display()));
    }
    let keypair = Keypair::new();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    solana_keypair::write_keypair_file(&keypair, path)
        .map_err(|e| format!("cannot write keypair {}: {e}", path.display()))?;
    eprintln!("created keypair {}", path.display());
    Ok(keypair)
}

fn run() -> Result<(), String> {
    let mut rpc_port = 8899;
    let mut ledger = PathBuf::from("test-ledger");
    let mut keypair_path = std::env::var_os("HOME")
        .map(|h| PathBuf::from(h).join(".config/solana/id.json"))
        .unwrap_or_else(|| PathBuf::from("id.json"));
    let mut airdrops = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .ok_or(format!("{name} needs a value\n{}", usage()))
        };
        match arg.as_str() {
            "--rpc-port" => {
                let v = value("--rpc-port")?;
                rpc_port = v
                    .parse()
                    .map_err(|_| format!("--rpc-port: '{v}' is not a port number"))?;
            }
            "--ledger" => ledger = PathBuf::from(value("--ledger")?),
            "--keypair" | "-k" => keypair_path = PathBuf::from(value("--keypair")?),
            "--airdrop" => {
                let v = value("--airdrop")?;
                airdrops.push((
                    Pubkey::from_str(&v)
                        .map_err(|_| format!("--airdrop: '{v}' is not a base58 address"))?,
                    1_000 * SOL,
                ));
            }
            "-h" | "--help" => {
                println!("{}", usage());
                return Ok(());
            }
            other => return Err(format!("unknown argument '{other}'\n{}", usage())),
        }
    }
    let authority = read_or_create_keypair(&keypair_path)?;
    airdrops.push((authority.pubkey(), 1_000 * SOL));
    let started = std::time::Instant::now();
    let localnet = start(LocalnetConfig {
        rpc_port: Some(rpc_port),
        ledger: Some(ledger),
        upgrade_authority: authority.pubkey(),
        airdrops,
    })?;
    println!(
        "Panacea localnet ready in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    println!("RPC URL:   {}", localnet.rpc_url());
    println!("WebSocket: {}", localnet.websocket_url());
    for program in panacea_runtime::PROGRAMS {
        println!("{:<8}   {}", program.name, program.program_id);
    }
    println!(
        "upgrade authority (funded): {} ({})",
        authority.pubkey(),
        keypair_path.display()
    );
    println!("Ctrl-C to stop.");
    let mut signals =
        Signals::new([SIGINT, SIGTERM]).map_err(|e| format!("cannot listen for signals: {e}"))?;
    signals.forever().next();
    println!("shutting down");
    drop(localnet);
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
