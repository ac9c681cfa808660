//! FHIR R4 payload validation.
//!
//! A record payload must be one FHIR R4 JSON resource or a Bundle. It is
//! checked against the R4B (4.3) model of `fhir-model`, the R4-compatible
//! model that crate offers: R4B only adds resource types to R4, except for
//! the R4 `MedicinalProduct*` family, which R4B replaced and which is
//! therefore not accepted.
//!
//! Nothing here logs or returns field content: a payload is protected health
//! information. Error messages keep the parser's description of the problem
//! with every input value removed.

use std::str::FromStr;

use fhir_model::r4b::resources::{Resource, ResourceType};
use serde_json::{error::Category, Value};

use super::OffchainError;

/// The longest error message [`validate_fhir`] returns, in bytes.
const MAX_MESSAGE_LEN: usize = 240;

/// What [`validate_fhir`] learned about a payload: its shape, never its
/// content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FhirSummary {
    /// The FHIR resource type, e.g. `"Observation"` or `"Bundle"`.
    pub resource_type: &'static str,
    /// For a Bundle, the number of entries it holds; `None` otherwise.
    pub bundle_entries: Option<usize>,
}

impl FhirSummary {
    /// The record kind this resource most likely is (an Observation is a
    /// lab result, a MedicationRequest a medication, ...); `Other` when the
    /// type maps to no kind. An issuer may always say otherwise.
    pub fn record_kind(&self) -> records::state::RecordKind {
        use records::state::RecordKind;
        match self.resource_type {
            "Observation" => RecordKind::LabResult,
            "DiagnosticReport" => RecordKind::DiagnosticReport,
            "Condition" => RecordKind::Condition,
            "MedicationRequest"
            | "MedicationStatement"
            | "MedicationAdministration"
            | "MedicationDispense" => RecordKind::Medication,
            "Immunization" => RecordKind::Immunization,
            "Procedure" => RecordKind::Procedure,
            "Encounter" => RecordKind::Encounter,
            "ImagingStudy" => RecordKind::Imaging,
            "DocumentReference" | "Composition" => RecordKind::ClinicalNote,
            _ => RecordKind::Other,
        }
    }
}

/// Checks that `json` is one FHIR R4 JSON resource (a Bundle included) and
/// summarises it.
///
/// Fails with [`OffchainError::InvalidFhir`] for malformed JSON, a JSON value
/// that is not an object, an object without a string `resourceType`, an
/// unknown resource type, or a resource that does not match its type's
/// model (a required element missing, a value of the wrong type, an invalid
/// code, ...).
pub fn validate_fhir(json: &[u8]) -> Result<FhirSummary, OffchainError> {
    let value: Value = serde_json::from_slice(json).map_err(|e| {
        let what = match e.classify() {
            Category::Eof => "unexpected end of input",
            Category::Syntax => "syntax error",
            Category::Io => "read error",
            // Every JSON text parses as a `Value`; kept for completeness.
            Category::Data => "invalid data",
        };
        OffchainError::InvalidFhir(format!(
            "malformed JSON: {what} at line {}, column {}",
            e.line(),
            e.column()
        ))
    })?;

    let object = value
        .as_object()
        .ok_or_else(|| invalid("a FHIR resource is a JSON object"))?;
    let resource_type = match object.get("resourceType") {
        Some(Value::String(name)) => name,
        Some(_) => return Err(invalid("resourceType is not a string")),
        None => return Err(invalid("not a FHIR resource: no resourceType")),
    };
    // The unknown name is input: it is not echoed.
    ResourceType::from_str(resource_type).map_err(|_| invalid("unknown FHIR R4 resource type"))?;

    let resource: Resource = serde_json::from_value(value).map_err(|e| {
        OffchainError::InvalidFhir(format!(
            "not a valid FHIR R4 resource: {}",
            describe(&e.to_string())
        ))
    })?;

    let bundle_entries = match &resource {
        Resource::Bundle(bundle) => Some(bundle.entry.len()),
        _ => None,
    };
    Ok(FhirSummary {
        resource_type: resource.resource_type().as_str(),
        bundle_entries,
    })
}

fn invalid(message: &str) -> OffchainError {
    OffchainError::InvalidFhir(message.to_owned())
}

/// The parser's message without input values.
///
/// Messages serde writes have known shapes, which are rebuilt from their
/// parts that come from the model (what kind of value was found, field
/// names, what was expected), never from the input: `invalid type: string
/// "Jane", expected a boolean` becomes `invalid type: string, expected a
/// boolean`, `unknown variant `Jane`, expected one of ...` becomes `unknown
/// variant, expected one of ...`. Any other message comes from the model's
/// own parsing code (codes, dates, integers), whose format may include the
/// input (`Unknown value: <input>`): only the text before its first colon is
/// kept. The result is capped at [`MAX_MESSAGE_LEN`] bytes.
fn describe(message: &str) -> String {
    // What the model expected: after the last ", expected " (an input value,
    // quoted before it, might itself contain those words).
    let expected = || {
        message
            .rsplit_once(", expected ")
            .map(|(_, tail)| format!(", expected {tail}"))
            .unwrap_or_default()
    };
    // The kind of value found (`string`, `floating point`, `map`, ...): the
    // words before the quoted value, if any.
    let found = |rest: &str| {
        let kind: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphabetic() || *c == ' ')
            .collect();
        kind.trim().to_owned()
    };

    let out = if let Some(rest) = message.strip_prefix("invalid type: ") {
        format!("invalid type: {}{}", found(rest), expected())
    } else if let Some(rest) = message.strip_prefix("invalid value: ") {
        format!("invalid value: {}{}", found(rest), expected())
    } else if message.starts_with("invalid length ") {
        format!("invalid length{}", expected())
    } else if message.starts_with("unknown variant ") {
        format!("unknown variant{}", expected())
    } else if message.starts_with("unknown field ") {
        format!("unknown field{}", expected())
    } else if message.starts_with("missing field `")
        || message.starts_with("duplicate field `")
        || message.starts_with("data did not match any variant")
    {
        // The field or enum is named by the model (a duplicate field is one
        // of the model's fields).
        message.to_owned()
    } else {
        match message.split_once(':') {
            Some((head, _)) => head.to_owned(),
            None => "invalid value".to_owned(),
        }
    };
    cap(out)
}

/// The commitment a bounty makes to its study: SHA-256 of the canonical
/// JSON ([`canonical_json`]) of a FHIR R4 `ResearchStudy`. Anything else
/// (another resource type, invalid FHIR, malformed JSON) is refused.
pub fn study_commitment(json: &[u8]) -> Result<[u8; 32], OffchainError> {
    use sha2::{Digest, Sha256};
    let summary = validate_fhir(json)?;
    if summary.resource_type != "ResearchStudy" {
        return Err(invalid(
            "a study must be a FHIR ResearchStudy resource, not another resource type",
        ));
    }
    let value: Value = serde_json::from_slice(json).map_err(|_| invalid("malformed JSON"))?;
    Ok(Sha256::digest(canonical_json(&value).as_bytes()).into())
}

/// `value` as canonical JSON: object keys sorted (by their UTF-8 bytes) at
/// every depth, no whitespace, strings and numbers as `serde_json` writes
/// them. Written by hand, so that it never depends on the order
/// `serde_json`'s maps keep (a dependency enabling `preserve_order` changes
/// it).
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => {
            out.push_str(&value.to_string())
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_unstable_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_canonical(&map[key], out);
            }
            out.push('}');
        }
    }
}

/// Caps a message at [`MAX_MESSAGE_LEN`] bytes.
fn cap(mut out: String) -> String {
    if out.len() > MAX_MESSAGE_LEN {
        let mut end = MAX_MESSAGE_LEN;
        while !out.is_char_boundary(end) {
            end -= 1;
        }
        out.truncate(end);
        out.push('…');
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A lab result naming its patient, so that tests can look for the name.
    pub(crate) const OBSERVATION: &str = r#"{
        "resourceType": "Observation",
        "id": "hba1c-1",
        "status": "final",
        "category": [{"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": "laboratory"}]}],
        "code": {"coding": [{"system": "http://loinc.org", "code": "4548-4",
                              "display": "Hemoglobin A1c/Hemoglobin.total in Blood"}]},
        "subject": {"reference": "Patient/p1", "display": "Zebedee Quixworth"},
        "effectiveDateTime": "2026-03-02T09:30:00Z",
        "valueQuantity": {"value": 6.1, "unit": "%",
                          "system": "http://unitsofmeasure.org", "code": "%"}
    }"#;

    /// The distinctive string in [`OBSERVATION`] and [`BUNDLE`].
    pub(crate) const PATIENT_NAME: &str = "Zebedee Quixworth";

    /// A collection of a patient and a condition.
    pub(crate) const BUNDLE: &str = r#"{
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"fullUrl": "urn:uuid:5b0c1f9e-2b1e-4a53-9d5e-0d6a1c7e4f11",
             "resource": {"resourceType": "Patient", "id": "p1",
                          "name": [{"family": "Quixworth", "given": ["Zebedee"],
                                    "text": "Zebedee Quixworth"}],
                          "birthDate": "1961-07-14"}},
            {"resource": {"resourceType": "Condition", "id": "c1",
                          "subject": {"reference": "urn:uuid:5b0c1f9e-2b1e-4a53-9d5e-0d6a1c7e4f11"},
                          "code": {"coding": [{"system": "http://snomed.info/sct",
                                               "code": "44054006"}]}}}
        ]
    }"#;

    fn rejected(json: &str) -> String {
        match validate_fhir(json.as_bytes()) {
            Err(OffchainError::InvalidFhir(message)) => message,
            other => panic!("expected InvalidFhir, got {other:?}"),
        }
    }

    #[test]
    fn observation_is_accepted() {
        let summary = validate_fhir(OBSERVATION.as_bytes()).unwrap();
        assert_eq!(
            summary,
            FhirSummary {
                resource_type: "Observation",
                bundle_entries: None
            }
        );
    }

    #[test]
    fn bundle_is_accepted_and_its_entries_counted() {
        let summary = validate_fhir(BUNDLE.as_bytes()).unwrap();
        assert_eq!(summary.resource_type, "Bundle");
        assert_eq!(summary.bundle_entries, Some(2));
    }

    #[test]
    fn non_fhir_json_is_rejected() {
        assert!(rejected(r#"{"hello":1}"#).contains("no resourceType"));
        assert!(rejected("[1, 2, 3]").contains("JSON object"));
        assert!(rejected(r#"{"resourceType": 7}"#).contains("not a string"));
    }

    #[test]
    fn malformed_json_is_rejected() {
        let message = rejected(r#"{"resourceType": "Observation", "#);
        assert!(message.starts_with("malformed JSON"), "{message}");
        assert!(rejected("not json at all").starts_with("malformed JSON"));
        assert!(rejected("").starts_with("malformed JSON"));
    }

    #[test]
    fn unknown_resource_type_is_rejected_without_echo() {
        let message = rejected(r#"{"resourceType": "Zebedee", "status": "final"}"#);
        assert!(message.contains("unknown FHIR R4 resource type"));
        assert!(!message.contains("Zebedee"));
    }

    #[test]
    fn unknown_resource_type_inside_a_bundle_is_rejected_without_echo() {
        let message = rejected(
            r#"{"resourceType": "Bundle", "type": "collection",
                "entry": [{"resource": {"resourceType": "Zebedee"}}]}"#,
        );
        assert!(!message.contains("Zebedee"), "{message}");
    }

    #[test]
    fn resource_not_matching_its_model_is_rejected_without_content() {
        // `status` is required for an Observation.
        let message = rejected(r#"{"resourceType": "Observation", "code": {"text": "x"}}"#);
        assert!(message.contains("missing field `status`"), "{message}");

        // A name where a date belongs: the parser's message must not carry it.
        let message = rejected(r#"{"resourceType": "Patient", "birthDate": "Zebedee Quixworth"}"#);
        assert!(!message.contains("Zebedee"), "{message}");

        // An unknown code: fhir-model's own message would echo it.
        let message =
            rejected(r#"{"resourceType": "Observation", "status": "Zebedee", "code": {}}"#);
        assert!(!message.contains("Zebedee"), "{message}");

        // A wrong type: the value is not echoed either.
        let message = rejected(r#"{"resourceType": "Patient", "active": "Zebedee"}"#);
        assert!(!message.contains("Zebedee"), "{message}");
    }

    #[test]
    fn descriptions_keep_only_what_the_model_wrote() {
        assert_eq!(
            describe(r#"invalid type: string "Jane, expected x", expected a boolean"#),
            "invalid type: string, expected a boolean"
        );
        assert_eq!(
            describe("invalid value: floating point `1.5`, expected u32"),
            "invalid value: floating point, expected u32"
        );
        assert_eq!(
            describe("invalid type: unit value, expected a string"),
            "invalid type: unit value, expected a string"
        );
        assert_eq!(
            describe("unknown variant `Ja`ne`, expected one of `a`, `b`"),
            "unknown variant, expected one of `a`, `b`"
        );
        assert_eq!(
            describe("unknown field `Jane`, there are no fields"),
            "unknown field"
        );
        assert_eq!(describe("missing field `status`"), "missing field `status`");
        assert_eq!(describe("Unknown value: Jane Doe"), "Unknown value");
        assert_eq!(describe("Jane Doe"), "invalid value");
        let long = format!("missing field `{}`", "x".repeat(1000));
        assert!(describe(&long).len() <= MAX_MESSAGE_LEN + '…'.len_utf8());
    }
}
