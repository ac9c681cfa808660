//! Parsers for command-line values, each naming what is wrong.

use {
    anyhow::{anyhow, bail, Result},
    clap::ValueEnum,
    panacea_sdk::{
        compression::RecordRef,
        consent_program::state::{actions, ConsentPurpose, Decision},
        records_program::state::{
            is_valid_deployment, kinds, permissions, EntityKind, EntityStatus, Purpose, RecordKind,
        },
        Pubkey,
    },
    sha2::{Digest, Sha256},
    std::str::FromStr,
};

/// A URL or one of the Solana CLI's monikers.
pub fn cluster_url(value: &str) -> Result<String> {
    let url = match value {
        "m" | "mainnet-beta" => "https://api.mainnet-beta.solana.com",
        "t" | "testnet" => "https://api.testnet.solana.com",
        "d" | "devnet" => "https://api.devnet.solana.com",
        "l" | "localhost" => "http://localhost:8899",
        other => other,
    };
    match url.split_once("://") {
        Some(("http" | "https", rest)) if !rest.is_empty() => Ok(url.to_string()),
        _ => bail!(
            "invalid --url '{value}': expected an http(s) URL or one of mainnet-beta, testnet, devnet, localhost"
        ),
    }
}

/// A deployment name for the registry (clap value parser): what every
/// wallet-signed consent message names, e.g. `mainnet-beta`, `devnet`,
/// `localnet`.
pub fn deployment(value: &str) -> Result<String, String> {
    if is_valid_deployment(value) {
        Ok(value.to_string())
    } else {
        Err(format!(
            "'{value}' is not a deployment name: 1 to 32 visible ASCII characters, no spaces (e.g. mainnet-beta, devnet, localnet)"
        ))
    }
}

/// The deployment name of the cluster at `url`, when the URL says which it
/// is: the public clusters' own endpoints by their names, a validator on
/// this machine as `localnet`. Any other URL (a private RPC provider) says
/// nothing about the cluster behind it.
pub fn deployment_of_url(url: &str) -> Option<&'static str> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next()?,
        None => authority.split(':').next()?,
    };
    Some(match host.to_ascii_lowercase().as_str() {
        "api.mainnet-beta.solana.com" => "mainnet-beta",
        "api.devnet.solana.com" => "devnet",
        "api.testnet.solana.com" => "testnet",
        "localhost" | "127.0.0.1" | "::1" | "0.0.0.0" => "localnet",
        _ => return None,
    })
}

/// A base58 address (clap value parser).
pub fn address(value: &str) -> Result<Pubkey, String> {
    Pubkey::from_str(value).map_err(|_| format!("'{value}' is not a valid base58 address"))
}

/// A record: its address, or `TREE:INDEX` for a compressed record.
pub fn record(value: &str) -> Result<RecordRef, String> {
    value.parse::<RecordRef>().map_err(|e| {
        format!(
            "'{value}' is not a record (an address, or TREE:INDEX for a compressed record): {e}"
        )
    })
}

/// Seconds, or a number with a unit: `90s`, `15m`, `12h`, `30d`.
pub fn duration(value: &str) -> Result<i64, String> {
    let (digits, unit) = match value.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => value.split_at(i),
        None => (value, "s"),
    };
    let scale = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        _ => {
            return Err(format!(
                "'{value}' is not a duration (e.g. 90s, 15m, 12h, 30d)"
            ))
        }
    };
    digits
        .parse::<i64>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .ok_or_else(|| format!("'{value}' is not a duration (e.g. 90s, 15m, 12h, 30d)"))
}

/// A decimal token amount (`12.5`) in base units of a mint with `decimals`.
pub fn token_amount(value: &str, decimals: u8) -> Result<u64> {
    let invalid = || anyhow!("'{value}' is not a token amount with at most {decimals} decimals");
    let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
    if whole.is_empty() && fraction.is_empty()
        || fraction.len() > decimals as usize
        || !whole
            .chars()
            .chain(fraction.chars())
            .all(|c| c.is_ascii_digit())
    {
        return Err(invalid());
    }
    let scale = 10u64.checked_pow(decimals as u32).ok_or_else(invalid)?;
    let whole: u64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| invalid())?
    };
    let fraction: u64 = if fraction.is_empty() {
        0
    } else {
        let padded = format!("{fraction:0<width$}", width = decimals as usize);
        padded.parse().map_err(|_| invalid())?
    };
    whole
        .checked_mul(scale)
        .and_then(|w| w.checked_add(fraction))
        .ok_or_else(invalid)
}

/// Base units as a decimal amount.
pub fn ui_amount(amount: u64, decimals: u8) -> String {
    if decimals == 0 {
        return amount.to_string();
    }
    let scale = 10u64.pow(decimals as u32);
    let fraction = format!("{:0width$}", amount % scale, width = decimals as usize);
    let fraction = fraction.trim_end_matches('0');
    if fraction.is_empty() {
        (amount / scale).to_string()
    } else {
        format!("{}.{fraction}", amount / scale)
    }
}

/// SHA-256 of a file's bytes: the policy commitment of a consent (the
/// consent text is not PHI, and anyone must be able to check it).
pub fn file_commitment(path: &str) -> Result<[u8; 32]> {
    let bytes = std::fs::read(path).map_err(|e| anyhow!("cannot read {path}: {e}"))?;
    Ok(Sha256::digest(&bytes).into())
}

/// A keyed commitment to a low-entropy document (a licence, a coded
/// service), keyed by `signer`'s wallet: the product rule for credential
/// and service commitments (`panacea_sdk::offchain::keyed_commitment`).
pub fn keyed_file_commitment(
    signer: &solana_keypair::Keypair,
    domain: &str,
    path: &str,
) -> Result<[u8; 32]> {
    let bytes = std::fs::read(path).map_err(|e| anyhow!("cannot read {path}: {e}"))?;
    Ok(panacea_sdk::offchain::keyed_commitment(
        signer, domain, &bytes,
    ))
}

/// A two-letter (up to 8 byte) jurisdiction code, NUL padded.
/// 32 bytes written as 64 lowercase hex digits (a hash, a key).
pub fn hex32(text: &str) -> Option<[u8; 32]> {
    let bytes: Option<Vec<u8>> = (0..text.len())
        .step_by(2)
        .map(|i| {
            text.get(i..i + 2)
                .and_then(|b| u8::from_str_radix(b, 16).ok())
        })
        .collect();
    let bytes = <[u8; 32]>::try_from(bytes?).ok()?;
    (crate::view::hex(&bytes) == text).then_some(bytes)
}

/// An X25519 public key: 64 hex digits.
pub fn encryption_key(value: &str) -> Result<[u8; 32], String> {
    hex32(&value.trim().to_ascii_lowercase())
        .ok_or_else(|| format!("'{value}' is not an X25519 public key (64 hex digits)"))
}

pub fn jurisdiction(value: &str) -> Result<[u8; 8], String> {
    if value.is_empty()
        || value.len() > 8
        || !value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err(format!(
            "'{value}' is not a jurisdiction code (e.g. US, DE, US-CA)"
        ));
    }
    let mut code = [0; 8];
    code[..value.len()].copy_from_slice(value.as_bytes());
    Ok(code)
}

pub fn jurisdiction_text(code: &[u8; 8]) -> String {
    String::from_utf8_lossy(code)
        .trim_end_matches('\0')
        .to_string()
}

/// Declares a command-line mirror of a program enum, with conversions.
macro_rules! mirror {
    ($name:ident => $target:ty { $($variant:ident),* $(,)? }) => {
        #[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $name { $($variant),* }
        impl From<$name> for $target {
            fn from(value: $name) -> Self {
                match value { $($name::$variant => <$target>::$variant),* }
            }
        }
    };
}

mirror!(KindArg => RecordKind { LabResult, DiagnosticReport, Condition, Medication, Immunization, Procedure, Encounter, Imaging, ClinicalNote, Other });
mirror!(EntityKindArg => EntityKind { Provider, Laboratory, Pharmacy, Insurer, Researcher });
mirror!(EntityStatusArg => EntityStatus { Active, Suspended, Revoked });
mirror!(PurposeArg => Purpose { Treatment, Payment, Research, Operations, Emergency, PatientRequest });
mirror!(ConsentPurposeArg => ConsentPurpose { Treatment, Payment, Research, Operations });
mirror!(DecisionArg => Decision { Permit, Deny });

/// Record kinds a grant or consent covers: `all` or a list.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum KindsArg {
    All,
    LabResult,
    DiagnosticReport,
    Condition,
    Medication,
    Immunization,
    Procedure,
    Encounter,
    Imaging,
    ClinicalNote,
    Other,
}

pub fn kinds_mask(list: &[KindsArg]) -> u16 {
    list.iter().fold(0, |mask, kind| {
        mask | match kind {
            KindsArg::All => kinds::ALL,
            KindsArg::LabResult => RecordKind::LabResult.bit(),
            KindsArg::DiagnosticReport => RecordKind::DiagnosticReport.bit(),
            KindsArg::Condition => RecordKind::Condition.bit(),
            KindsArg::Medication => RecordKind::Medication.bit(),
            KindsArg::Immunization => RecordKind::Immunization.bit(),
            KindsArg::Procedure => RecordKind::Procedure.bit(),
            KindsArg::Encounter => RecordKind::Encounter.bit(),
            KindsArg::Imaging => RecordKind::Imaging.bit(),
            KindsArg::ClinicalNote => RecordKind::ClinicalNote.bit(),
            KindsArg::Other => RecordKind::Other.bit(),
        }
    })
}

/// The names of the kinds in `mask`.
pub fn kinds_names(mask: u16) -> Vec<String> {
    if mask == kinds::ALL {
        return vec!["all".into()];
    }
    RecordKind::ALL
        .iter()
        .filter(|k| mask & k.bit() != 0)
        .map(|k| format!("{k:?}"))
        .collect()
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PermissionArg {
    Read,
    Amend,
    /// Issue new records to the patient (the care link; over the patient's
    /// records only)
    Issue,
}

pub fn permissions_mask(list: &[PermissionArg]) -> u8 {
    list.iter().fold(0, |mask, p| {
        mask | match p {
            PermissionArg::Read => permissions::READ,
            PermissionArg::Amend => permissions::AMEND,
            PermissionArg::Issue => permissions::ISSUE,
        }
    })
}

pub fn permissions_names(mask: u8) -> Vec<&'static str> {
    let mut names = Vec::new();
    if mask & permissions::READ != 0 {
        names.push("read");
    }
    if mask & permissions::AMEND != 0 {
        names.push("amend");
    }
    if mask & permissions::ISSUE != 0 {
        names.push("issue");
    }
    names
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActionArg {
    Access,
    Disclose,
}

pub fn actions_mask(list: &[ActionArg]) -> u8 {
    list.iter().fold(0, |mask, a| {
        mask | match a {
            ActionArg::Access => actions::ACCESS,
            ActionArg::Disclose => actions::DISCLOSE,
        }
    })
}

pub fn actions_names(mask: u8) -> Vec<&'static str> {
    let mut names = Vec::new();
    if mask & actions::ACCESS != 0 {
        names.push("access");
    }
    if mask & actions::DISCLOSE != 0 {
        names.push("disclose");
    }
    names
}

/// The record kind a FHIR resource type most likely is.
pub fn kind_of_resource(resource_type: &str) -> RecordKind {
    match resource_type {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_addresses_or_tree_and_index() {
        let tree = Pubkey::new_unique();
        assert_eq!(
            record(&format!("{tree}:5")).unwrap(),
            RecordRef::Compressed { tree, index: 5 }
        );
        assert_eq!(record(&tree.to_string()).unwrap(), RecordRef::Account(tree));
        assert!(record(&format!("{tree}:-1")).is_err());
        assert!(record("nope:1").unwrap_err().contains("TREE:INDEX"));
    }

    #[test]
    fn durations() {
        assert_eq!(duration("90"), Ok(90));
        assert_eq!(duration("15m"), Ok(900));
        assert_eq!(duration("30d"), Ok(2_592_000));
        assert!(duration("3w").is_err());
        assert!(duration("h").is_err());
        assert!(duration("-5s").is_err());
    }

    #[test]
    fn token_amounts() {
        assert_eq!(token_amount("12.5", 6).unwrap(), 12_500_000);
        assert_eq!(token_amount("0.000001", 6).unwrap(), 1);
        assert_eq!(token_amount("7", 0).unwrap(), 7);
        assert!(token_amount("0.0000001", 6).is_err());
        assert!(token_amount("1,5", 6).is_err());
        assert!(token_amount(".", 6).is_err());
        assert!(token_amount("99999999999999999999", 6).is_err());
        assert_eq!(ui_amount(12_500_000, 6), "12.5");
        assert_eq!(ui_amount(3_000_000, 6), "3");
    }

    #[test]
    fn urls_and_monikers() {
        assert_eq!(
            cluster_url("devnet").unwrap(),
            "https://api.devnet.solana.com"
        );
        assert_eq!(cluster_url("l").unwrap(), "http://localhost:8899");
        assert_eq!(
            cluster_url("http://127.0.0.1:9000").unwrap(),
            "http://127.0.0.1:9000"
        );
        assert!(cluster_url("devnett").is_err());
        assert!(cluster_url("ftp://x").is_err());
    }

    #[test]
    fn deployment_names() {
        let of = |moniker: &str| deployment_of_url(&cluster_url(moniker).unwrap());
        assert_eq!(of("mainnet-beta"), Some("mainnet-beta"));
        assert_eq!(of("d"), Some("devnet"));
        assert_eq!(of("testnet"), Some("testnet"));
        assert_eq!(of("localhost"), Some("localnet"));
        assert_eq!(of("http://127.0.0.1:9000/"), Some("localnet"));
        assert_eq!(of("http://[::1]:8899"), Some("localnet"));
        // A private RPC provider says nothing about its cluster.
        assert_eq!(of("https://rpc.example.com/?key=devnet"), None);
        assert_eq!(of("https://api.devnet.solana.com.evil.io"), None);
        assert_eq!(deployment("devnet"), Ok("devnet".to_string()));
        for bad in ["", "main net", "dev\nnet", "dévnet", &"x".repeat(33)] {
            assert!(deployment(bad).is_err(), "{bad:?}");
        }
    }
}

/// A member's role, kebab-case on the command line
/// (`records::state::roles`).
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoleArg {
    Clinician,
    Nurse,
    Pharmacist,
    LabTechnician,
    Billing,
    ClaimsAdjudicator,
    Researcher,
    EntityAdmin,
}

impl RoleArg {
    pub const ALL: [RoleArg; 8] = [
        RoleArg::Clinician,
        RoleArg::Nurse,
        RoleArg::Pharmacist,
        RoleArg::LabTechnician,
        RoleArg::Billing,
        RoleArg::ClaimsAdjudicator,
        RoleArg::Researcher,
        RoleArg::EntityAdmin,
    ];

    pub fn bit(self) -> u16 {
        use panacea_sdk::records_program::state::roles;
        match self {
            RoleArg::Clinician => roles::CLINICIAN,
            RoleArg::Nurse => roles::NURSE,
            RoleArg::Pharmacist => roles::PHARMACIST,
            RoleArg::LabTechnician => roles::LAB_TECHNICIAN,
            RoleArg::Billing => roles::BILLING,
            RoleArg::ClaimsAdjudicator => roles::CLAIMS_ADJUDICATOR,
            RoleArg::Researcher => roles::RESEARCHER,
            RoleArg::EntityAdmin => roles::ENTITY_ADMIN,
        }
    }

    /// The kebab-case name, as given on the command line.
    pub fn name(self) -> String {
        self.to_possible_value()
            .map(|v| v.get_name().to_string())
            .unwrap_or_default()
    }
}

pub fn roles_mask(list: &[RoleArg]) -> u16 {
    list.iter().fold(0, |mask, role| mask | role.bit())
}

/// The kebab-case names of the roles in `mask`, in bit order.
pub fn roles_names(mask: u16) -> Vec<String> {
    RoleArg::ALL
        .iter()
        .filter(|r| mask & r.bit() != 0)
        .map(|r| r.name())
        .collect()
}

/// A calendar date, YYYY-MM-DD, as the Unix time of its 00:00 UTC.
pub fn date(value: &str) -> Result<i64, String> {
    let bad = || format!("'{value}' is not a date: give YYYY-MM-DD (00:00 UTC that day)");
    let parts: Vec<&str> = value.trim().split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return Err(bad());
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return Err(bad());
    }
    let (y, m, d): (i64, i64, i64) = (
        y.parse().map_err(|_| bad())?,
        m.parse().map_err(|_| bad())?,
        d.parse().map_err(|_| bad())?,
    );
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let month_days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&m) || d < 1 || d > month_days[(m - 1) as usize] {
        return Err(bad());
    }
    // Days since 1970-01-01 (Howard Hinnant's days_from_civil).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Ok((era * 146_097 + doe - 719_468) * 86_400)
}

/// A 32-byte commitment given as 64 hex digits.
pub fn commitment(value: &str) -> Result<[u8; 32], String> {
    hex32(&value.trim().to_ascii_lowercase())
        .ok_or_else(|| format!("'{value}' is not a commitment (64 hex digits)"))
}

#[cfg(test)]
mod member_tests {
    use super::*;

    #[test]
    fn dates_are_midnight_utc() {
        assert_eq!(date("1970-01-01"), Ok(0));
        assert_eq!(date("2026-11-21"), Ok(1_795_219_200));
        assert_eq!(date("2024-02-29"), Ok(1_709_164_800));
        for bad in [
            "2025-02-29",
            "2026-13-01",
            "2026-1-01",
            "26-01-01",
            "tomorrow",
            "2026-01-00",
        ] {
            assert!(date(bad).unwrap_err().contains("YYYY-MM-DD"), "{bad}");
        }
    }

    #[test]
    fn role_names_are_kebab_case_and_match_the_program_bits() {
        use panacea_sdk::records_program::state::roles;
        assert_eq!(roles_mask(&RoleArg::ALL), roles::ALL);
        assert_eq!(
            roles_names(roles::LAB_TECHNICIAN | roles::ENTITY_ADMIN),
            ["lab-technician", "entity-admin"]
        );
        assert_eq!(RoleArg::ClaimsAdjudicator.name(), "claims-adjudicator");
    }
}
