//! `panacea consent submit FILE`: the relayer's side of a wallet-signed
//! consent. The file is checked (message matches its fields, signature is
//! the patient's, deployment and consent epoch are this cluster's) before
//! anything is paid for.

use {
    crate::{context::Ctx, output::Report, view::hex},
    anyhow::{anyhow, bail, Context as _, Result},
    panacea_sdk::{
        consent_program::{
            message::ConsentMessage,
            state::{ConsentPurpose, ConsentTerms, Decision},
        },
        ops::patient::verify_consent_message,
        Pubkey,
    },
    serde_json::{json, Value},
    std::{path::PathBuf, str::FromStr},
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A file written by `panacea consent sign`
    pub file: PathBuf,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let name = args.file.display().to_string();
    let text =
        std::fs::read_to_string(&args.file).with_context(|| format!("cannot read {name}"))?;
    let file: Value = serde_json::from_str(&text)
        .map_err(|_| anyhow!("{name} is not a signed consent file (not JSON)"))?;
    let (message, signature) =
        from_json(&file).map_err(|e| anyhow!("{name} is not a signed consent file: {e}"))?;
    if file["message"].as_str() != Some(String::from_utf8_lossy(&message.encode()).as_ref()) {
        bail!("{name}: the signed text does not match the consent fields");
    }
    if !verify_consent_message(&message.patient, &message, &signature) {
        bail!(
            "{name}: the signature is not the patient's ({})",
            message.patient
        );
    }
    let client = ctx.client()?;
    // What the program will check, said plainly before anything is paid.
    let now = client
        .message_context(&message.patient, &message.grantee, message.purpose)
        .await?;
    if message.deployment != now.deployment {
        bail!(
            "{name}: signed for deployment '{}', but this cluster is '{}'",
            message.deployment,
            now.deployment
        );
    }
    if message.consent_epoch != now.consent_epoch {
        bail!(
            "{name}: signed in consent epoch {}, but the patient's consent epoch is now {} (a consent was closed since): the patient must sign again",
            message.consent_epoch,
            now.consent_epoch
        );
    }
    let outcome = client.relay_consent(&message, &signature).await?;
    Ok(Report::outcome(
        format!(
            "Signed consent of {} relayed ({})",
            message.patient,
            if message.terms.is_some() {
                "grant"
            } else {
                "revoke"
            }
        ),
        &outcome,
        json!({ "relayer": client.payer().to_string() }),
    ))
}

fn from_json(file: &Value) -> Result<(ConsentMessage, [u8; 64])> {
    let text = |key: &str| {
        file[key]
            .as_str()
            .ok_or_else(|| anyhow!("missing field '{key}'"))
    };
    let int = |value: &Value, key: &str| {
        value[key]
            .as_i64()
            .ok_or_else(|| anyhow!("missing field '{key}'"))
    };
    let key = |name: &str| -> Result<Pubkey> {
        Pubkey::from_str(text(name)?).map_err(|_| anyhow!("'{name}' is not an address"))
    };
    let purpose = match text("purpose")? {
        "Treatment" => ConsentPurpose::Treatment,
        "Payment" => ConsentPurpose::Payment,
        "Research" => ConsentPurpose::Research,
        "Operations" => ConsentPurpose::Operations,
        other => bail!("unknown purpose '{other}'"),
    };
    let terms = match &file["terms"] {
        Value::Null => None,
        t => {
            let decision = match t["decision"].as_str() {
                Some("Permit") => Decision::Permit,
                Some("Deny") => Decision::Deny,
                _ => bail!("unknown decision"),
            };
            let commitment = t["policy_commitment"]
                .as_str()
                .and_then(unhex)
                .ok_or_else(|| anyhow!("'policy_commitment' is not 32 bytes of hex"))?;
            Some(ConsentTerms {
                decision,
                kinds: u16::try_from(int(t, "kinds")?)?,
                actions: u8::try_from(int(t, "actions")?)?,
                period_start: int(t, "period_start")?,
                period_end: int(t, "period_end")?,
                policy_commitment: commitment,
            })
        }
    };
    let message = ConsentMessage {
        deployment: text("deployment")?.to_string(),
        program_id: key("program_id")?,
        patient: key("patient")?,
        grantee: key("grantee")?,
        purpose,
        terms,
        consent_epoch: file["consent_epoch"]
            .as_u64()
            .ok_or_else(|| anyhow!("missing field 'consent_epoch'"))?,
        consent_version: u32::try_from(int(file, "consent_version")?)?,
        issued_at: int(file, "issued_at")?,
        expires_at: int(file, "expires_at")?,
    };
    let signature = bs58::decode(text("signature")?)
        .into_vec()
        .ok()
        .and_then(|s| <[u8; 64]>::try_from(s).ok())
        .ok_or_else(|| anyhow!("'signature' is not a base58 Ed25519 signature"))?;
    Ok((message, signature))
}

fn unhex(text: &str) -> Option<[u8; 32]> {
    let bytes: Option<Vec<u8>> = (0..text.len())
        .step_by(2)
        .map(|i| {
            text.get(i..i + 2)
                .and_then(|b| u8::from_str_radix(b, 16).ok())
        })
        .collect();
    let bytes = <[u8; 32]>::try_from(bytes?).ok()?;
    (hex(&bytes) == text).then_some(bytes)
}
