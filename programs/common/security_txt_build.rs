//! Build script of the three programs (each `Cargo.toml` names it with
//! `build = "../common/security_txt_build.rs"`): passes the repository's
//! address, `PANACEA_PROJECT_URL`, to `panacea_common::security_txt!`,
//! which writes it, with the contact and policy derived from it, into each
//! program's security.txt.
//!
//! A build for SBF (what is deployed) must set it; a host build (tests,
//! LiteSVM, the IDL) gets a value that says it is not for a cluster.

fn main() {
    const VAR: &str = "PANACEA_PROJECT_URL";
    println!("cargo:rerun-if-env-changed={VAR}");
    println!("cargo:rerun-if-changed=../common/security_txt_build.rs");
    let for_a_cluster = std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("solana");
    let url = match std::env::var(VAR) {
        Ok(url) if url.starts_with("https://") && !url.contains(char::is_whitespace) => {
            url.trim_end_matches('/').to_string()
        }
        Ok(url) if !url.is_empty() => {
            panic!("{VAR}={url:?} is not an https:// address without spaces")
        }
        _ if for_a_cluster => panic!(
            "set {VAR} to the repository's https:// address before building for a cluster: \
             it is written into the program's security.txt (README.md, section Security)"
        ),
        _ => "https://host-build.invalid/set-PANACEA_PROJECT_URL".to_string(),
    };
    println!("cargo:rustc-env={VAR}={url}");
}
