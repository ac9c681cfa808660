//! Generates the list of the programs' events from the committed IDL
//! (`idl/*.json`), so that the SDK never retypes an event name: a program
//! that adds an event adds it to `PanaceaEvent` by regenerating its IDL.

use std::{env, fs, path::Path};

fn main() {
    let idl_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../idl");
    println!("cargo:rerun-if-changed={}", idl_dir.display());
    let mut entries = Vec::new();
    for program in ["records", "consent", "claims", "bounties"] {
        let path = idl_dir.join(format!("{program}.json"));
        println!("cargo:rerun-if-changed={}", path.display());
        let text = fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let idl: serde_json::Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
        for event in idl["events"].as_array().into_iter().flatten() {
            let name = event["name"]
                .as_str()
                .unwrap_or_else(|| panic!("an event of {program} has no name"));
            entries.push(format!("{program}::{name}"));
        }
    }
    let out = Path::new(&env::var("OUT_DIR").expect("OUT_DIR")).join("events.rs");
    fs::write(
        out,
        format!("panacea_events!(\n    {},\n);\n", entries.join(",\n    ")),
    )
    .expect("write events.rs");
}
