//! `cargo run -p panacea-idl` writes `idl/<program>.json` for every program;
//! `cargo run -p panacea-idl -- --check` fails when a committed IDL is stale.
//!
//! Uses anchor-lang-idl's `IdlBuilder`, which builds the program with its
//! `idl-build` feature on the host: the same JSON as `anchor idl build`,
//! without the SBF toolchain.

use {
    anchor_lang_idl::build::IdlBuilder,
    std::{path::PathBuf, process::ExitCode},
};

const PROGRAMS: [&str; 4] = ["records", "consent", "claims", "bounties"];

fn main() -> ExitCode {
    // anchor-lang-idl 0.1.4 mishandles a RUSTUP_TOOLCHAIN set by an outer
    // cargo; the inner build must pick the toolchain itself.
    std::env::remove_var("RUSTUP_TOOLCHAIN");
    let check = match std::env::args().nth(1).as_deref() {
        None => false,
        Some("--check") => true,
        Some(other) => {
            eprintln!("error: unknown argument '{other}' (expected nothing or --check)");
            return ExitCode::from(2);
        }
    };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut stale = Vec::new();
    for program in PROGRAMS {
        let idl = match IdlBuilder::new()
            .program_path(root.join("programs").join(program))
            .build()
        {
            Ok(idl) => idl,
            Err(err) => {
                eprintln!("error: building the IDL of {program}: {err:#}");
                return ExitCode::FAILURE;
            }
        };
        let json = serde_json::to_string_pretty(&idl).expect("IDL serializes") + "\n";
        let path = root.join("idl").join(format!("{program}.json"));
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed == json {
            println!("{program}: up to date");
        } else if check {
            stale.push(program);
        } else if let Err(err) = std::fs::write(&path, json) {
            eprintln!("error: writing {}: {err}", path.display());
            return ExitCode::FAILURE;
        } else {
            println!("{program}: written to idl/{program}.json");
        }
    }
    if stale.is_empty() {
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "error: idl/ is stale for {}: run `cargo run -p panacea-idl` and commit the result",
            stale.join(", ")
        );
        ExitCode::FAILURE
    }
}
