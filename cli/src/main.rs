//! `panacea`: every Panacea flow from a terminal, in the conventions of the
//! Solana and spl-token CLIs, and `panacea demo`, the whole product on a
//! fresh machine.
//!
//! Errors are one line on stderr and a non-zero exit; nothing is sent
//! before every input has been read and checked.

mod cli;
mod commands;
mod context;
mod explain;
mod global;
mod keyfile;
mod output;
mod parse;
mod signer;
mod view;

use {
    clap::{error::ErrorKind, CommandFactory, Parser},
    std::process::ExitCode,
};

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if let Some(line) = global::repeated_global(&cli::Cli::command(), &args) {
        eprintln!("error: {line}");
        return ExitCode::from(2);
    }
    let cli = match cli::Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(error) => match error.kind() {
            ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => error.exit(),
            _ => {
                // clap's own message, without the usage block: one line.
                let rendered = error.to_string();
                let line = rendered
                    .lines()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or("invalid arguments");
                eprintln!("{line}");
                return ExitCode::from(2);
            }
        },
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    match runtime.block_on(cli::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", explain::one_line(&error));
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// clap's own consistency checks over every command and flag.
    #[test]
    fn the_command_line_is_consistent() {
        super::cli::Cli::command().debug_assert();
    }
}
