//! What a command prints: one JSON value (`--output json`, stable and
//! complete) and a short human rendering of the same value.

use {
    crate::global::Output,
    panacea_sdk::{client::Signed, Outcome},
    serde::Serialize,
    serde_json::Value,
    std::collections::BTreeMap,
};

pub struct Report {
    /// The first line of the human output.
    pub title: String,
    pub json: Value,
    /// For lists: the fields shown per row in text output.
    pub columns: &'static [&'static str],
    /// Print the JSON itself in text output too (FHIR exports).
    pub raw: bool,
}

/// A typed value as JSON. Every output is a `#[derive(Serialize)]` struct,
/// so the field names of `--output json` are checked by the compiler.
fn to_json<T: Serialize + ?Sized>(value: &T) -> Value {
    serde_json::to_value(value).expect("an output struct serializes to JSON")
}

/// An outcome's fields when there is nothing to add to it.
#[derive(Serialize)]
pub struct Nothing {}

/// What an operation that sent (or found) something reports: its
/// signature, whether it had already landed, the addresses it created
/// (`record`, `grant`, ...), the command's own `fields`, and, when signed
/// offline, what the Solana CLIs print for `--sign-only`.
#[derive(Serialize)]
pub struct Sent<'a, T: Serialize> {
    pub signature: Option<String>,
    pub already_existed: bool,
    #[serde(flatten)]
    pub addresses: BTreeMap<&'static str, String>,
    #[serde(flatten)]
    pub fields: &'a T,
    #[serde(flatten)]
    pub signed_only: Option<SignedOnly>,
}

/// A transaction signed offline, not sent (`--sign-only`).
#[derive(Serialize)]
pub struct SignedOnly {
    pub blockhash: String,
    /// `PUBKEY=SIGNATURE` for each signature made here.
    pub signers: Vec<String>,
    /// The signers whose signatures are collected elsewhere.
    pub absent_signers: Vec<String>,
    /// The message, printed with `--dump-transaction-message`.
    pub message_base58: String,
    pub message_base64: String,
}

impl SignedOnly {
    fn of(signed: &Signed) -> Self {
        Self {
            blockhash: signed.blockhash.to_string(),
            signers: signed
                .signers
                .iter()
                .map(|(key, signature)| format!("{key}={signature}"))
                .collect(),
            absent_signers: signed.absent.iter().map(|k| k.to_string()).collect(),
            message_base58: signed.message_base58(),
            message_base64: signed.message_base64(),
        }
    }
}

impl<'a, T: Serialize> Sent<'a, T> {
    pub fn new(outcome: &Outcome, fields: &'a T) -> Self {
        Self {
            signature: outcome.signature.map(|s| s.to_string()),
            already_existed: outcome.already_existed,
            addresses: outcome
                .addresses
                .iter()
                .map(|(name, address)| (*name, address.to_string()))
                .collect(),
            fields,
            signed_only: outcome.signed_only.as_ref().map(SignedOnly::of),
        }
    }
}

impl Report {
    /// A single object: the title, then one `key: value` line per field.
    pub fn object<T: Serialize>(title: impl Into<String>, value: &T) -> Self {
        Self {
            title: title.into(),
            json: to_json(value),
            columns: &[],
            raw: false,
        }
    }

    /// A document (FHIR) printed as JSON in both formats.
    pub fn raw<T: Serialize>(document: &T) -> Self {
        Self {
            title: String::new(),
            json: to_json(document),
            columns: &[],
            raw: true,
        }
    }

    /// A list: the title, then one line per item with `columns`.
    pub fn list<T: Serialize>(
        title: impl Into<String>,
        items: &[T],
        columns: &'static [&'static str],
    ) -> Self {
        Self {
            title: title.into(),
            json: to_json(items),
            columns,
            raw: false,
        }
    }

    /// The result of an operation that sent (or found) something, with the
    /// command's own `fields` ([`Sent`]).
    pub fn outcome<T: Serialize>(title: impl Into<String>, outcome: &Outcome, fields: &T) -> Self {
        let sent = Sent::new(outcome, fields);
        match &outcome.signed_only {
            Some(signed) => Self::object(
                format!(
                    "Signed offline, not sent ({} of {} signatures; the same command with --blockhash {} and a --signer PUBKEY=SIGNATURE for each signer submits it)",
                    signed.signers.len(),
                    signed.signers.len() + signed.absent.len(),
                    signed.blockhash
                ),
                &sent,
            ),
            None => Self::object(title, &sent),
        }
    }

    /// Without the transaction message of an offline signing (printed only
    /// with `--dump-transaction-message`).
    pub fn without_message(mut self) -> Self {
        if let Value::Object(fields) = &mut self.json {
            fields.remove("message_base58");
            fields.remove("message_base64");
        }
        self
    }

    pub fn print(&self, format: Output) {
        match format {
            Output::Json => println!(
                "{}",
                serde_json::to_string_pretty(&self.json).expect("JSON value")
            ),
            Output::Text => print!("{}", self.text()),
        }
    }

    pub fn text(&self) -> String {
        if self.raw {
            return format!(
                "{}\n",
                serde_json::to_string_pretty(&self.json).expect("JSON value")
            );
        }
        let mut out = format!("{}\n", self.title);
        match &self.json {
            Value::Object(fields) => {
                let width = fields.keys().map(String::len).max().unwrap_or(0);
                for (key, value) in fields {
                    if value.is_null() {
                        continue;
                    }
                    out.push_str(&format!("  {key:<width$}  {}\n", scalar(value)));
                }
            }
            Value::Array(items) => {
                for item in items {
                    let cells: Vec<String> =
                        self.columns.iter().map(|c| scalar(&item[*c])).collect();
                    out.push_str(&format!("  {}\n", cells.join("  ")));
                }
            }
            other => out.push_str(&format!("  {}\n", scalar(other))),
        }
        out
    }
}

/// A value on one line.
fn scalar(value: &Value) -> String {
    match value {
        Value::Null => "-".into(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(scalar).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use {
        super::*,
        panacea_sdk::{client::Signed, Pubkey},
        solana_signature::Signature,
    };

    #[derive(Serialize)]
    struct Fields {
        grantee: String,
    }

    #[test]
    fn an_outcome_reports_its_signature_addresses_and_fields() {
        let grant = Pubkey::new_unique();
        let outcome = Outcome {
            signature: Some(Signature::from([1; 64])),
            addresses: vec![("grant", grant)],
            already_existed: false,
            signed_only: None,
        };
        let report = Report::outcome(
            "Granted",
            &outcome,
            &Fields {
                grantee: "G".into(),
            },
        );
        assert_eq!(report.title, "Granted");
        assert_eq!(
            report.json,
            serde_json::json!({
                "signature": Signature::from([1; 64]).to_string(),
                "already_existed": false,
                "grant": grant.to_string(),
                "grantee": "G",
            })
        );
        assert!(report.text().contains("grantee"));
    }

    #[test]
    fn a_transaction_signed_offline_prints_what_the_solana_clis_print() {
        let (admin, payer) = (Pubkey::new_unique(), Pubkey::new_unique());
        let signature = Signature::from([2; 64]);
        let outcome = Outcome {
            signature: None,
            addresses: vec![],
            already_existed: false,
            signed_only: Some(Signed {
                blockhash: solana_hash::Hash::new_from_array([3; 32]),
                message: vec![1, 2, 3],
                signers: vec![(admin, signature)],
                absent: vec![payer],
            }),
        };
        let report = Report::outcome("Suspended", &outcome, &Nothing {});
        assert!(report.title.starts_with("Signed offline, not sent (1 of 2"));
        assert_eq!(
            report.json["signers"],
            serde_json::json!([format!("{admin}={signature}")])
        );
        assert_eq!(
            report.json["absent_signers"],
            serde_json::json!([payer.to_string()])
        );
        assert!(report.json["message_base58"].is_string());
        let quiet = report.without_message();
        assert!(quiet.json.get("message_base58").is_none());
        assert!(quiet.json.get("message_base64").is_none());
        assert!(quiet.json.get("blockhash").is_some());
    }
}
