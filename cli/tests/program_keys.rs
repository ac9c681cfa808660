//! `migrations/new-program-keys.sh`: fresh, secret program keypairs for a
//! public cluster (issue 11, finding 17). Each file must be a Solana keypair
//! whose public key is the id printed, readable by its owner only; the
//! script refuses a directory inside the repository and never overwrites a
//! keypair.

use {
    solana_keypair::{read_keypair_file, Signer},
    std::{os::unix::fs::PermissionsExt, path::PathBuf, process::Command},
};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn run(out: &std::path::Path) -> std::process::Output {
    Command::new("bash")
        .arg(repo().join("migrations/new-program-keys.sh"))
        .arg(out)
        .output()
        .expect("run the script")
}

#[test]
fn fresh_program_keypairs_are_valid_private_and_never_overwritten() {
    let out = std::env::temp_dir().join(format!("panacea-keys-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let first = run(&out);
    assert!(first.status.success(), "{first:?}");
    let printed = String::from_utf8(first.stdout).unwrap();
    for program in ["records", "consent", "claims", "bounties"] {
        let path = out.join(format!("{program}-keypair.json"));
        let keypair = read_keypair_file(&path).expect("a Solana keypair file");
        let line = printed
            .lines()
            .find(|l| l.starts_with(program))
            .expect("the id is printed");
        assert!(
            line.contains(&keypair.pubkey().to_string()),
            "printed id {line} is the keypair's public key {}",
            keypair.pubkey()
        );
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{program} keypair readable by its owner only");
    }
    // Fresh each time: never the committed localnet ids.
    let committed = read_keypair_file(repo().join("deploy/records-keypair.json")).unwrap();
    let fresh = read_keypair_file(out.join("records-keypair.json")).unwrap();
    assert_ne!(committed.pubkey(), fresh.pubkey());

    // A second run into the same directory overwrites nothing.
    let before = std::fs::read(out.join("records-keypair.json")).unwrap();
    let again = run(&out);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("refusing to overwrite"));
    assert_eq!(
        std::fs::read(out.join("records-keypair.json")).unwrap(),
        before
    );
    std::fs::remove_dir_all(&out).unwrap();

    // Never inside the repository (where they could be committed).
    let inside = repo().join("target/panacea-keys-inside");
    let refused = run(&inside);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("inside the repository"));
    assert!(!inside.join("records-keypair.json").exists());
}
