//! What a command prints: one JSON value (`--output json`, stable and
//! complete) and a short human rendering of the same value.

use {
    crate::global::Output,
    panacea_sdk::Outcome,
    serde_json::{json, Map, Value},
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

impl Report {
    /// A single object: the title, then one `key: value` line per field.
    pub fn object(title: impl Into<String>, json: Value) -> Self {
        Self {
            title: title.into(),
            json,
            columns: &[],
            raw: false,
        }
    }

    /// A document (FHIR) printed as JSON in both formats.
    pub fn raw(json: Value) -> Self {
        Self {
            title: String::new(),
            json,
            columns: &[],
            raw: true,
        }
    }

    /// A list: the title, then one line per item with `columns`.
    pub fn list(
        title: impl Into<String>,
        items: Vec<Value>,
        columns: &'static [&'static str],
    ) -> Self {
        Self {
            title: title.into(),
            json: Value::Array(items),
            columns,
            raw: false,
        }
    }

    /// The result of an operation that sent (or found) something.
    pub fn outcome(title: impl Into<String>, outcome: &Outcome, extra: Value) -> Self {
        let mut fields = Map::new();
        fields.insert(
            "signature".into(),
            outcome
                .signature
                .map_or(Value::Null, |s| Value::String(s.to_string())),
        );
        fields.insert(
            "already_existed".into(),
            Value::Bool(outcome.already_existed),
        );
        for (name, address) in &outcome.addresses {
            fields.insert((*name).into(), Value::String(address.to_string()));
        }
        if let Value::Object(extra) = extra {
            fields.extend(extra);
        }
        if let Some(signed) = &outcome.signed_only {
            // What the Solana CLIs print for --sign-only.
            fields.insert("blockhash".into(), json!(signed.blockhash.to_string()));
            fields.insert(
                "signers".into(),
                json!(signed
                    .signers
                    .iter()
                    .map(|(key, signature)| format!("{key}={signature}"))
                    .collect::<Vec<_>>()),
            );
            fields.insert(
                "absent_signers".into(),
                json!(signed
                    .absent
                    .iter()
                    .map(|k| k.to_string())
                    .collect::<Vec<_>>()),
            );
            fields.insert("message_base58".into(), json!(signed.message_base58()));
            fields.insert("message_base64".into(), json!(signed.message_base64()));
            let title = format!(
                "Signed offline, not sent ({} of {} signatures; the same command with --blockhash {} and a --signer PUBKEY=SIGNATURE for each signer submits it)",
                signed.signers.len(),
                signed.signers.len() + signed.absent.len(),
                signed.blockhash
            );
            return Self::object(title, Value::Object(fields));
        }
        Self::object(title, Value::Object(fields))
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

/// `{}` when there is nothing to add to an outcome.
pub fn none() -> Value {
    json!({})
}
