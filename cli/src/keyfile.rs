//! The encryption key file: the X25519 key a CLI user encrypts and
//! decrypts with, kept apart from the wallet.
//!
//! One file per signer, `~/.config/panacea/encryption/<signer
//! pubkey>.json` unless `--encryption-key PATH` names another, created on
//! first use from the operating system's random number generator with mode
//! 0600. It holds the secret and the public key, and is refused when it is
//! readable by the group or others, malformed, or when its public key is
//! not the secret's. A hardware wallet never exposes its seed, so this is
//! how a `usb://ledger` (or `prompt://`) signer encrypts; a wallet
//! compromise no longer exposes the records, and the key can rotate.
//!
//! `--derive-encryption-key-from-seed` derives the key from a keypair
//! file's seed instead (the format before key files), for that user's
//! records issued before.

use {
    crate::{context::expand, view::hex},
    anyhow::{anyhow, bail, Context as _, Result},
    panacea_sdk::{offchain::EncryptionKeypair, Pubkey},
    serde::{Deserialize, Serialize},
    std::{
        io::Write,
        os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt},
        path::{Path, PathBuf},
    },
};

/// The directory of the key files, beside the CLI's default store.
pub const DEFAULT_DIR: &str = "~/.config/panacea/encryption";

/// What a key file holds (JSON).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Stored {
    /// Always 1.
    version: u8,
    /// The X25519 public key, 64 hex digits: what is registered on chain.
    public_key: String,
    /// The X25519 secret key, 64 hex digits.
    secret_key: String,
}

/// The key file of the signer `owner`: `given` (`--encryption-key`) or the
/// default one in [`DEFAULT_DIR`].
pub fn path_of(owner: &Pubkey, given: Option<&str>) -> PathBuf {
    match given {
        Some(path) => expand(path),
        None => expand(DEFAULT_DIR).join(format!("{owner}.json")),
    }
}

/// The key in `path`; a new one, written there, when there is no file.
/// Returns the keys and whether the file was created now.
pub fn load_or_create(path: &Path) -> Result<(EncryptionKeypair, bool)> {
    if path.exists() || path.symlink_metadata().is_ok() {
        return Ok((load(path)?, false));
    }
    let keys = EncryptionKeypair::generate();
    write_new(path, &keys)?;
    Ok((keys, true))
}

/// The key in `path`, refused when the file is readable by others,
/// malformed, or holds a public key that is not its secret's.
pub fn load(path: &Path) -> Result<EncryptionKeypair> {
    let shown = path.display();
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => anyhow!("encryption key file {shown} not found"),
        _ => anyhow!("cannot read encryption key file {shown}: {e}"),
    })?;
    if !meta.is_file() {
        bail!("encryption key file {shown} is not a file");
    }
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        bail!(
            "encryption key file {shown} is readable by others (mode {mode:03o}): it holds your secret key; restrict it with `chmod 600 {shown}` (and consider the key exposed if others could read it: rotate it)"
        );
    }
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read encryption key file {shown}"))?;
    let malformed = |what: &str| {
        anyhow!(
            "encryption key file {shown} is malformed ({what}); expected {{\"version\": 1, \"public_key\": \"<64 hex>\", \"secret_key\": \"<64 hex>\"}}. It was left unchanged"
        )
    };
    let stored: Stored = serde_json::from_str(&text).map_err(|e| malformed(&e.to_string()))?;
    if stored.version != 1 {
        return Err(malformed(&format!("unknown version {}", stored.version)));
    }
    let secret = crate::parse::hex32(&stored.secret_key)
        .ok_or_else(|| malformed("secret_key is not 64 lowercase hex digits"))?;
    let public = crate::parse::hex32(&stored.public_key)
        .ok_or_else(|| malformed("public_key is not 64 lowercase hex digits"))?;
    let keys = EncryptionKeypair::from_secret_bytes(secret);
    if keys.public_key_bytes() != public {
        bail!(
            "encryption key file {shown}: its public key {} is not the one of its secret key ({}); the file was altered or mixed up with another. It was left unchanged",
            stored.public_key,
            hex(&keys.public_key_bytes())
        );
    }
    Ok(keys)
}

/// Writes `keys` to a new file at `path` (mode 0600, its directory 0700
/// when created); refuses to replace a file that is there.
pub fn write_new(path: &Path, keys: &EncryptionKeypair) -> Result<()> {
    let shown = path.display();
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if !dir.exists() {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .with_context(|| format!("cannot create the directory {}", dir.display()))?;
        }
    }
    let stored = Stored {
        version: 1,
        public_key: hex(&keys.public_key_bytes()),
        secret_key: hex(keys.secret_bytes().as_ref()),
    };
    let text = zeroize::Zeroizing::new(
        serde_json::to_string_pretty(&stored).expect("a key file serialises") + "\n",
    );
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => {
                anyhow!("encryption key file {shown} exists already: it was left unchanged")
            }
            _ => anyhow!("cannot create encryption key file {shown}: {e}"),
        })?;
    // The umask may have narrowed the mode; never widened it. Make it 0600
    // exactly.
    file.set_permissions(std::fs::Permissions::from_mode(0o600))
        .with_context(|| format!("cannot restrict {shown} to its owner"))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write encryption key file {shown}"))?;
    Ok(())
}

/// Where the key file `path` is kept once replaced at unix time `now`:
/// `<name>.json.old-<now>`.
pub fn old_path(path: &Path, now: i64) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".old-{now}"));
    path.with_file_name(name)
}

/// `<name>.json.old-<now>`, or with a `-N` suffix when that is taken.
fn free_old_path(path: &Path, now: i64) -> PathBuf {
    let first = old_path(path, now);
    let mut kept = first.clone();
    let mut n = 1;
    while kept.symlink_metadata().is_ok() {
        let mut name = first.file_name().unwrap_or_default().to_os_string();
        name.push(format!("-{n}"));
        kept = first.with_file_name(name);
        n += 1;
    }
    kept
}

/// Where the new key of a rotation waits until the rotation has landed:
/// `<name>.json.pending`.
pub fn pending_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".pending");
    path.with_file_name(name)
}

/// The new key of a rotation of the key file at `path`: the one an
/// interrupted rotation left pending (so a retry finishes it with the same
/// key), else a fresh one, written pending (0600) before anything is sent,
/// so that a crash after the rotation landed does not lose it. Returns the
/// key and whether it was resumed.
pub fn pending_or_new(path: &Path) -> Result<(EncryptionKeypair, bool)> {
    let pending = pending_path(path);
    if pending.symlink_metadata().is_ok() {
        return Ok((load(&pending)?, true));
    }
    let keys = EncryptionKeypair::generate();
    write_new(&pending, &keys)?;
    Ok((keys, false))
}

/// After a rotation landed: the key file at `path` is kept as
/// `<name>.json.old-<now>` (0600; envelopes wrapped to the old key by an
/// issuer who had not seen the rotation still open with it), or `old` is
/// written there when it had no file (derived from the wallet seed); then
/// the pending new key becomes `path`. Returns where the old key went.
pub fn install(path: &Path, old: &EncryptionKeypair, now: i64) -> Result<PathBuf> {
    let pending = pending_path(path);
    // The pending key must be sound before anything moves.
    load(&pending)?;
    let kept = free_old_path(path, now);
    if path.symlink_metadata().is_ok() {
        std::fs::rename(path, &kept).with_context(|| {
            format!(
                "cannot keep the old encryption key file {} as {}",
                path.display(),
                kept.display()
            )
        })?;
        std::fs::set_permissions(&kept, std::fs::Permissions::from_mode(0o600))
            .with_context(|| format!("cannot restrict {} to its owner", kept.display()))?;
    } else {
        write_new(&kept, old)?;
    }
    std::fs::rename(&pending, path).with_context(|| {
        format!(
            "cannot move the new encryption key {} to {} (the rotation landed: move it yourself; the old key is in {})",
            pending.display(),
            path.display(),
            kept.display()
        )
    })?;
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use {super::*, std::fs};

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_key_file_is_created_0600_on_first_use_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let owner = Pubkey::new_unique();
        let path = dir.path().join("encryption").join(format!("{owner}.json"));
        let (created, fresh) = load_or_create(&path).unwrap();
        assert!(fresh);
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
        let (again, fresh) = load_or_create(&path).unwrap();
        assert!(!fresh);
        assert_eq!(again.public_key_bytes(), created.public_key_bytes());
        // Random, not derived from anything: another file, another key.
        let (other, _) = load_or_create(&dir.path().join("other.json")).unwrap();
        assert_ne!(other.public_key_bytes(), created.public_key_bytes());
        // The file names the public key (what is registered).
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains(&hex(&created.public_key_bytes())));
    }

    #[test]
    fn the_default_path_is_per_signer_and_the_flag_overrides_it() {
        let owner = Pubkey::new_unique();
        let default = path_of(&owner, None);
        assert!(default.ends_with(format!(".config/panacea/encryption/{owner}.json")));
        assert_eq!(
            path_of(&owner, Some("/tmp/mine.json")),
            PathBuf::from("/tmp/mine.json")
        );
    }

    #[test]
    fn a_key_file_readable_by_others_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key.json");
        load_or_create(&path).unwrap();
        for wide in [0o640, 0o604, 0o644] {
            fs::set_permissions(&path, fs::Permissions::from_mode(wide)).unwrap();
            let before = fs::read(&path).unwrap();
            let refused = load_or_create(&path).err().unwrap().to_string();
            assert!(refused.contains(&path.display().to_string()), "{refused}");
            assert!(refused.contains("readable by others"), "{refused}");
            assert!(refused.contains("chmod 600"), "{refused}");
            assert_eq!(fs::read(&path).unwrap(), before);
            assert_eq!(mode(&path), wide);
        }
    }

    #[test]
    fn a_malformed_or_mismatched_key_file_is_refused_and_left_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let a = EncryptionKeypair::generate();
        let b = EncryptionKeypair::generate();
        let write = |name: &str, text: &str| {
            let path = dir.path().join(name);
            fs::write(&path, text).unwrap();
            fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
            path
        };
        let cases = [
            ("not-json.json", "not json".to_string(), "malformed"),
            (
                "short.json",
                format!(
                    r#"{{"version":1,"public_key":"{}","secret_key":"abcd"}}"#,
                    hex(&a.public_key_bytes())
                ),
                "secret_key",
            ),
            (
                "version.json",
                format!(
                    r#"{{"version":2,"public_key":"{}","secret_key":"{}"}}"#,
                    hex(&a.public_key_bytes()),
                    hex(a.secret_bytes().as_ref())
                ),
                "version 2",
            ),
            (
                "mismatch.json",
                format!(
                    r#"{{"version":1,"public_key":"{}","secret_key":"{}"}}"#,
                    hex(&b.public_key_bytes()),
                    hex(a.secret_bytes().as_ref())
                ),
                "is not the one of its secret key",
            ),
            ("keypair.json", format!("{:?}", [1u8; 64]), "malformed"),
        ];
        for (name, text, expected) in cases {
            let path = write(name, &text);
            let refused = load_or_create(&path).err().unwrap().to_string();
            assert!(refused.contains(&path.display().to_string()), "{refused}");
            assert!(refused.contains(expected), "{name}: {refused}");
            assert!(refused.contains("left unchanged"), "{refused}");
            assert_eq!(fs::read_to_string(&path).unwrap(), text, "{name}");
        }
        // A well-formed file reads back as the key it holds.
        let good = write(
            "good.json",
            &format!(
                r#"{{"version":1,"public_key":"{}","secret_key":"{}"}}"#,
                hex(&a.public_key_bytes()),
                hex(a.secret_bytes().as_ref())
            ),
        );
        assert_eq!(
            load(&good).unwrap().public_key_bytes(),
            a.public_key_bytes()
        );
    }

    #[test]
    fn a_rotation_keeps_the_new_key_pending_then_the_old_one_beside_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key.json");
        let (old, _) = load_or_create(&path).unwrap();
        // The new key is on disk (pending) before anything is sent, and a
        // retry resumes with the same one.
        let (new, resumed) = pending_or_new(&path).unwrap();
        assert!(!resumed);
        let pending = dir.path().join("key.json.pending");
        assert_eq!(mode(&pending), 0o600);
        let (again, resumed) = pending_or_new(&path).unwrap();
        assert!(resumed);
        assert_eq!(again.public_key_bytes(), new.public_key_bytes());
        // The key file is still the old one until the rotation landed.
        assert_eq!(
            load(&path).unwrap().public_key_bytes(),
            old.public_key_bytes()
        );

        let kept = install(&path, &old, 1_700_000_000).unwrap();
        assert_eq!(kept, dir.path().join("key.json.old-1700000000"));
        assert!(!pending.exists());
        assert_eq!(mode(&kept), 0o600);
        assert_eq!(mode(&path), 0o600);
        assert_eq!(
            load(&kept).unwrap().public_key_bytes(),
            old.public_key_bytes()
        );
        assert_eq!(
            load(&path).unwrap().public_key_bytes(),
            new.public_key_bytes()
        );

        // A second rotation in the same second does not overwrite it.
        let (newer, _) = pending_or_new(&path).unwrap();
        let kept_again = install(&path, &new, 1_700_000_000).unwrap();
        assert_eq!(kept_again, dir.path().join("key.json.old-1700000000-1"));
        assert_eq!(
            load(&kept).unwrap().public_key_bytes(),
            old.public_key_bytes()
        );
        assert_eq!(
            load(&kept_again).unwrap().public_key_bytes(),
            new.public_key_bytes()
        );
        assert_eq!(
            load(&path).unwrap().public_key_bytes(),
            newer.public_key_bytes()
        );

        // A key derived from the seed had no file: it is written as the
        // old one.
        let fresh = dir.path().join("fresh.json");
        let derived = EncryptionKeypair::from_wallet_seed(&[5; 32]);
        let (rotated, _) = pending_or_new(&fresh).unwrap();
        let kept = install(&fresh, &derived, 42).unwrap();
        assert_eq!(
            load(&kept).unwrap().public_key_bytes(),
            derived.public_key_bytes()
        );
        assert_eq!(
            load(&fresh).unwrap().public_key_bytes(),
            rotated.public_key_bytes()
        );

        // write_new never replaces a file.
        let refused = write_new(&path, &old).err().unwrap().to_string();
        assert!(refused.contains("exists already"), "{refused}");
        assert_eq!(
            load(&path).unwrap().public_key_bytes(),
            newer.public_key_bytes()
        );
    }
}
