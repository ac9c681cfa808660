//! Signer sources, as the Solana CLIs accept them for `-k`, `--fee-payer`
//! and every role's signer:
//!
//! - a keypair file (`~/.config/solana/id.json`, or `file:PATH`);
//! - `prompt://` (or `ASK`): a seed phrase typed at a prompt, with an
//!   optional `?key=ACCOUNT/CHANGE` derivation path;
//! - `usb://ledger[?key=...]`: a hardware wallet, which shows and signs
//!   each transaction or off-chain message on its screen;
//! - `stdin`: a keypair (JSON array of 64 bytes) read from standard input;
//! - a public key: signs nothing here. With `--sign-only` it is an absent
//!   signer (its signature is collected elsewhere); otherwise its
//!   signature must be given with `--signer PUBKEY=SIGNATURE`.

use {
    crate::context::expand,
    anyhow::{anyhow, bail, Context as _, Result},
    panacea_sdk::{client::AnySigner, Pubkey},
    solana_keypair::Keypair,
    solana_signature::Signature,
    solana_signer::{null_signer::NullSigner, Signer, SignerError},
    std::{str::FromStr, sync::Arc},
};

/// Where a signer comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    File(String),
    Prompt {
        derivation: Option<String>,
        legacy: bool,
    },
    Usb(String),
    Stdin,
    Pubkey(Pubkey),
}

impl Source {
    pub fn parse(text: &str) -> Result<Self> {
        let text = text.trim();
        if text.is_empty() {
            bail!("an empty signer source");
        }
        if text == "ASK" {
            return Ok(Source::Prompt {
                derivation: None,
                legacy: true,
            });
        }
        if text == "stdin" {
            return Ok(Source::Stdin);
        }
        if let Some(rest) = text.strip_prefix("prompt:") {
            let rest = rest.trim_start_matches('/');
            let derivation = rest.strip_prefix('?').and_then(|query| {
                query
                    .split('&')
                    .find_map(|kv| kv.strip_prefix("key=").map(str::to_string))
            });
            if !rest.is_empty() && derivation.is_none() {
                bail!("signer source {text}: expected prompt:// or prompt://?key=ACCOUNT/CHANGE");
            }
            return Ok(Source::Prompt {
                derivation,
                legacy: false,
            });
        }
        if text.starts_with("usb://") {
            return Ok(Source::Usb(text.to_string()));
        }
        if let Some(path) = text.strip_prefix("file:") {
            return Ok(Source::File(path.to_string()));
        }
        // A base58 public key, unless a file of that name exists.
        if let Ok(pubkey) = Pubkey::from_str(text) {
            if !expand(text).exists() {
                return Ok(Source::Pubkey(pubkey));
            }
        }
        Ok(Source::File(text.to_string()))
    }
}

/// `--signer PUBKEY=SIGNATURE`.
pub fn parse_presigned(text: &str) -> Result<(Pubkey, Signature), String> {
    let (key, signature) = text
        .split_once('=')
        .ok_or_else(|| format!("expected PUBKEY=SIGNATURE, got {text}"))?;
    let key = Pubkey::from_str(key).map_err(|_| format!("{key} is not a base58 public key"))?;
    let signature = Signature::from_str(signature)
        .map_err(|_| format!("{signature} is not a base58 signature"))?;
    Ok((key, signature))
}

/// How pubkey sources are resolved: with the collected signatures, or as
/// absent signers when signing offline.
#[derive(Clone, Debug, Default)]
pub struct Offline {
    pub sign_only: bool,
    pub presigned: Vec<(Pubkey, Signature)>,
}

/// The signer `source` names. `what` names it in errors and prompts.
pub fn resolve(source: &str, what: &str, offline: &Offline) -> Result<Arc<AnySigner>> {
    Ok(match Source::parse(source)? {
        Source::Pubkey(pubkey) => {
            if let Some((_, signature)) = offline.presigned.iter().find(|(k, _)| *k == pubkey) {
                Arc::new(solana_presigner::Presigner::new(&pubkey, signature))
            } else if offline.sign_only {
                Arc::new(NullSigner::new(&pubkey))
            } else {
                bail!("{what} {pubkey} is a public key: give its signature with --signer {pubkey}=SIGNATURE, or sign offline with --sign-only")
            }
        }
        Source::Usb(uri) => Arc::new(RemoteSigner::open(&uri, what)?),
        other => Arc::new(keypair_of(other, source, what)?),
    })
}

/// A keypair the CLI can hold: from a file, a seed phrase or stdin. The
/// commands that derive an encryption key from the wallet need one; a
/// hardware wallet or a bare public key is refused, saying why.
pub fn resolve_keypair(source: &str, what: &str) -> Result<Keypair> {
    keypair_of(Source::parse(source)?, source, what)
}

fn keypair_of(source: Source, text: &str, what: &str) -> Result<Keypair> {
    match source {
        Source::File(path) => read_keypair(&path, what),
        Source::Stdin => solana_keypair::read_keypair(&mut std::io::stdin())
            .map_err(|e| anyhow!("{what} from stdin is not a Solana keypair: {e}")),
        Source::Prompt { derivation, legacy } => {
            let derivation = derivation
                .map(|d| {
                    solana_derivation_path::DerivationPath::from_key_str(&d)
                        .map_err(|e| anyhow!("derivation path {d}: {e}"))
                })
                .transpose()?;
            solana_clap_utils::keypair::keypair_from_seed_phrase(what, false, false, derivation, legacy)
                .map_err(|e| anyhow!("{what} from the seed phrase: {e}"))
        }
        Source::Usb(_) | Source::Pubkey(_) => bail!(
            "{what} {text}: this command derives your encryption key from the wallet's secret, so it needs a keypair file, prompt:// or stdin (a hardware wallet or a public key cannot)"
        ),
    }
}

/// Reads a Solana keypair file (a JSON array of 64 bytes), naming what is
/// wrong with it.
pub fn read_keypair(path: &str, what: &str) -> Result<Keypair> {
    let file = expand(path);
    let text = std::fs::read_to_string(&file).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => anyhow!("{what} file {} not found", file.display()),
        _ => anyhow!("cannot read {what} file {}: {e}", file.display()),
    })?;
    let malformed = || {
        anyhow!(
            "{what} file {} is not a Solana keypair (expected a JSON array of 64 bytes)",
            file.display()
        )
    };
    let bytes: Vec<u8> = serde_json::from_str(&text).map_err(|_| malformed())?;
    if bytes.len() != 64 {
        return Err(malformed());
    }
    Keypair::try_from(bytes.as_slice()).map_err(|_| malformed())
}

/// A hardware wallet. Its driver is single-threaded (`Rc`), so it lives on
/// a thread of its own and signs what it is sent there; this handle is
/// what the SDK holds.
pub struct RemoteSigner {
    pubkey: Pubkey,
    requests: std::sync::Mutex<std::sync::mpsc::Sender<Request>>,
}

type Request = (
    Vec<u8>,
    std::sync::mpsc::Sender<Result<Signature, SignerError>>,
);

impl RemoteSigner {
    pub fn open(uri: &str, what: &str) -> Result<Self> {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<Result<Pubkey, String>>();
        let (requests_tx, requests_rx) = std::sync::mpsc::channel::<Request>();
        let (uri, what) = (uri.to_string(), what.to_string());
        std::thread::spawn(move || {
            let wallet = match open_remote(&uri, &what) {
                Ok(wallet) => wallet,
                Err(error) => {
                    let _ = ready_tx.send(Err(error));
                    return;
                }
            };
            let _ = ready_tx.send(Ok(wallet.pubkey()));
            for (message, reply) in requests_rx {
                let _ = reply.send(wallet.try_sign_message(&message));
            }
        });
        let pubkey = ready_rx
            .recv()
            .context("the hardware wallet thread stopped")?
            .map_err(|e| anyhow!(e))?;
        Ok(Self {
            pubkey,
            requests: std::sync::Mutex::new(requests_tx),
        })
    }
}

fn open_remote(
    uri: &str,
    what: &str,
) -> Result<solana_remote_wallet::remote_keypair::RemoteKeypair, String> {
    use solana_remote_wallet::{locator::Locator, remote_keypair::generate_remote_keypair};
    let parsed = uriparse::URIReference::try_from(uri).map_err(|e| format!("{what} {uri}: {e}"))?;
    let locator = Locator::new_from_uri(&parsed).map_err(|e| format!("{what} {uri}: {e}"))?;
    let derivation = solana_derivation_path::DerivationPath::from_uri_key_query(&parsed)
        .map_err(|e| format!("{what} {uri}: {e}"))?
        .unwrap_or_default();
    let manager = solana_remote_wallet::remote_wallet::maybe_wallet_manager()
        .map_err(|e| format!("{what} {uri}: {e}"))?
        .ok_or_else(|| format!("{what} {uri}: no hardware wallet found (is it plugged in and unlocked, with the Solana app open?)"))?;
    generate_remote_keypair(locator, derivation, &manager, false, what)
        .map_err(|e| format!("{what} {uri}: {e}"))
}

impl Signer for RemoteSigner {
    fn try_pubkey(&self) -> Result<Pubkey, SignerError> {
        Ok(self.pubkey)
    }

    fn try_sign_message(&self, message: &[u8]) -> Result<Signature, SignerError> {
        let (reply_tx, reply_rx) = std::sync::mpsc::channel();
        self.requests
            .lock()
            .map_err(|_| SignerError::Connection("hardware wallet thread".into()))?
            .send((message.to_vec(), reply_tx))
            .map_err(|_| SignerError::Connection("the hardware wallet thread stopped".into()))?;
        reply_rx
            .recv()
            .map_err(|_| SignerError::Connection("the hardware wallet thread stopped".into()))?
    }

    fn is_interactive(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_parse_as_the_solana_clis_do() {
        let key = Pubkey::new_unique();
        assert_eq!(
            Source::parse(&key.to_string()).unwrap(),
            Source::Pubkey(key)
        );
        assert_eq!(Source::parse("stdin").unwrap(), Source::Stdin);
        assert_eq!(
            Source::parse("prompt://?key=0/1").unwrap(),
            Source::Prompt {
                derivation: Some("0/1".into()),
                legacy: false
            }
        );
        assert_eq!(
            Source::parse("ASK").unwrap(),
            Source::Prompt {
                derivation: None,
                legacy: true
            }
        );
        assert_eq!(
            Source::parse("usb://ledger?key=0").unwrap(),
            Source::Usb("usb://ledger?key=0".into())
        );
        assert_eq!(
            Source::parse("file:/tmp/id.json").unwrap(),
            Source::File("/tmp/id.json".into())
        );
        assert_eq!(
            Source::parse("~/.config/solana/id.json").unwrap(),
            Source::File("~/.config/solana/id.json".into())
        );
        assert!(Source::parse("prompt://nonsense").is_err());
    }

    #[test]
    fn a_pubkey_signs_only_offline_or_with_its_signature() {
        let key = Keypair::new();
        let source = key.pubkey().to_string();
        let refused = resolve(&source, "keypair", &Offline::default())
            .err()
            .unwrap();
        assert!(refused.to_string().contains("--signer"), "{refused}");
        let absent = resolve(
            &source,
            "keypair",
            &Offline {
                sign_only: true,
                presigned: vec![],
            },
        )
        .unwrap();
        assert_eq!(absent.pubkey(), key.pubkey());
        let signature = key.sign_message(b"message");
        let presigned = resolve(
            &source,
            "keypair",
            &Offline {
                sign_only: false,
                presigned: vec![(key.pubkey(), signature)],
            },
        )
        .unwrap();
        assert_eq!(presigned.try_sign_message(b"message").unwrap(), signature);
        assert!(presigned.try_sign_message(b"another").is_err());
        assert!(resolve_keypair(&source, "keypair").is_err());
    }

    #[test]
    fn presigned_pairs_parse_and_name_what_is_wrong() {
        let key = Pubkey::new_unique();
        let signature = Signature::from([7; 64]);
        assert_eq!(
            parse_presigned(&format!("{key}={signature}")).unwrap(),
            (key, signature)
        );
        assert!(parse_presigned("nonsense")
            .unwrap_err()
            .contains("PUBKEY=SIGNATURE"));
        assert!(parse_presigned(&format!("{key}=xyz"))
            .unwrap_err()
            .contains("signature"));
    }
}
