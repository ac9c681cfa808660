//! A member's staff credential as a W3C Verifiable Credential (VCDM 2.0),
//! and what an outside verifier does to check one against the chain.
//!
//! - The issuer is the entity (`did:key` of its authority key), the subject
//!   the member (`did:key` of the member's signing key).
//! - The proof is a Data Integrity proof, cryptosuite `eddsa-jcs-2022`:
//!   Ed25519 over `SHA-256(JCS(proof options)) ‖ SHA-256(JCS(document))`,
//!   signed by the entity's authority or by an EntityAdmin member of it.
//! - The credential names the `Member` account and its `revision`; every
//!   change of the account bumps the revision, so a credential exported
//!   before a suspension, an update or a revocation is refused as stale.
//! - The chain holds only `credential_commitment`, a keyed hash of the
//!   licence (or of the document the entity hashed) under a random 32-byte
//!   key the entity keeps: [`member_commitment`]. Given both, a verifier
//!   checks it too ([`check_commitment`]).
//!
//! No PHI is involved: keys, roles, times and a commitment.

use {
    crate::{
        acting::member_address,
        audit::iso8601,
        backend::Backend,
        client::PanaceaClient,
        error::{Result, SdkError},
        offchain::commitment_with_key,
    },
    anchor_lang::{prelude::Pubkey, AccountDeserialize, Discriminator},
    records::state::{roles, Entity, Member, MemberStatus, RegistryConfig},
    serde_json::{json, Map, Value},
    sha2::{Digest, Sha256},
    solana_signature::Signature,
    solana_signer::Signer,
};

/// The VCDM 2.0 base context.
pub const VC_CONTEXT: &str = "https://www.w3.org/ns/credentials/v2";
/// The credential's own type (beside `VerifiableCredential`).
pub const CREDENTIAL_TYPE: &str = "PanaceaStaffCredential";
/// `credentialStatus.type`: the status is the `Member` account itself.
pub const STATUS_TYPE: &str = "PanaceaMemberAccount";
/// The keyed-commitment domain of a member's credential.
pub const COMMITMENT_DOMAIN: &str = "member-credential";
/// How `credentialCommitment` was computed.
pub const COMMITMENT_SCHEME: &str = "HMAC-SHA256 panacea/commitment/v1/member-credential";
/// The Data Integrity cryptosuite of the proof.
pub const CRYPTOSUITE: &str = "eddsa-jcs-2022";

/// Multicodec prefix of an Ed25519 public key (`0xed 0x01`).
const ED25519_MULTICODEC: [u8; 2] = [0xed, 0x01];
/// Largest integer JCS (and JavaScript) represents exactly.
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// Role names of a mask, in bit order (the `records` program's
/// `roles::NAMES`).
pub fn role_names(mask: u16) -> Vec<&'static str> {
    roles::NAMES
        .iter()
        .filter(|(bit, _)| mask & bit != 0)
        .map(|(_, name)| *name)
        .collect()
}

/// Why a credential is refused (each step of the verification names its
/// own failure).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    /// Step 1: the document is not a Panacea staff credential.
    #[error("credential field `{field}`: {reason}")]
    Malformed { field: &'static str, reason: String },
    /// A value JCS cannot canonicalise exactly (a float, a huge integer).
    #[error("cannot canonicalise the credential: {0}")]
    NotCanonical(String),
    /// Step 2: the signature does not verify under `verificationMethod`
    /// (the document or its proof options were changed after signing).
    #[error("the credential's proof does not verify under {signer}: the document or its proof was changed after signing")]
    BadProof { signer: Pubkey },
    /// Step 3: another deployment's credential.
    #[error("the credential is for deployment `{credential}`, the chain is `{chain}`")]
    WrongDeployment { credential: String, chain: String },
    /// Step 3: no entity account for the issuer.
    #[error("the issuer {issuer} is not a registered entity (no Entity account)")]
    IssuerNotAnEntity { issuer: Pubkey },
    /// Step 3: the issuing entity is suspended, revoked or expired.
    #[error("the issuing entity {issuer} is not active (suspended, revoked or expired)")]
    IssuerNotActive { issuer: Pubkey },
    /// Step 4: the signer is neither the issuer's authority nor an active,
    /// unexpired EntityAdmin member of it.
    #[error("the credential was signed by {signer}, who is neither the issuer {issuer} nor an active EntityAdmin member of it")]
    SignerNotAuthorized { signer: Pubkey, issuer: Pubkey },
    /// Step 5: no `Member` account (never added, or closed).
    #[error(
        "no Member account {member_account} for {member} under the issuer (never added, or closed)"
    )]
    MemberNotFound {
        member_account: Pubkey,
        member: Pubkey,
    },
    /// Step 5: the account changed since the credential was exported.
    #[error("stale credential: it states revision {credential} of the Member account, the chain holds revision {chain}")]
    StaleRevision { credential: u32, chain: u32 },
    /// Step 5: a field disagrees with the account at the same revision.
    #[error("the credential's {field} does not match the Member account")]
    DoesNotMatchChain { field: &'static str },
    /// Step 5: suspended or revoked.
    #[error("the member is {status}")]
    MemberNotActive { status: MemberStanding },
    /// Step 5: `now >= valid_until`.
    #[error("the member's credential expired at {valid_until}")]
    MemberExpired { valid_until: String },
    /// Step 6: the document (or the key) is not the one committed.
    #[error("the document and commitment key do not give the on-chain credential commitment")]
    CommitmentMismatch,
}

/// A `Member` account's status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberStanding {
    Active,
    Suspended,
    Revoked,
}

impl std::fmt::Display for MemberStanding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            MemberStanding::Active => "active",
            MemberStanding::Suspended => "suspended",
            MemberStanding::Revoked => "revoked",
        })
    }
}

/// What the chain says about a member: the fields of a decoded `Member`
/// account a credential states.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemberFacts {
    /// The `Member` account's address.
    pub address: Pubkey,
    /// The `Entity` account (not its authority).
    pub entity: Pubkey,
    /// The member's signing key.
    pub member: Pubkey,
    pub roles: u16,
    pub status: MemberStanding,
    pub valid_until: i64,
    pub updated_at: i64,
    pub revision: u32,
    pub credential_commitment: [u8; 32],
}

impl From<MemberStatus> for MemberStanding {
    fn from(status: MemberStatus) -> Self {
        match status {
            MemberStatus::Active => MemberStanding::Active,
            MemberStatus::Suspended => MemberStanding::Suspended,
            MemberStatus::Revoked => MemberStanding::Revoked,
        }
    }
}

impl MemberFacts {
    /// The facts of a decoded `Member` account at `address`.
    pub fn of(address: Pubkey, member: &Member) -> Self {
        Self {
            address,
            entity: member.entity,
            member: member.member,
            roles: member.roles,
            status: member.status.into(),
            valid_until: member.valid_until,
            updated_at: member.updated_at,
            revision: member.revision,
            credential_commitment: member.credential_commitment,
        }
    }

    /// Active and `now < valid_until`.
    pub fn is_active(&self, now: i64) -> bool {
        self.status == MemberStanding::Active && now < self.valid_until
    }
}

/// The chain data a credential is checked against: the registry's
/// deployment, the `Entity` at `pda::entity(issuer)`, the `Member` at
/// `pda::member(entity, subject)`, and (when the proof's signer is not the
/// issuer) the signer's own `Member` under the same entity. `None` = no
/// such account (absent, or not owned by `records`, or not that type).
#[derive(Clone, Debug)]
pub struct ChainState {
    pub deployment: String,
    pub entity: Option<Entity>,
    pub member: Option<MemberFacts>,
    pub signer_member: Option<MemberFacts>,
}

/// A credential that verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedMember {
    /// The issuing entity's authority key.
    pub entity: Pubkey,
    pub entity_account: Pubkey,
    pub member: Pubkey,
    pub member_account: Pubkey,
    pub roles: u16,
    pub valid_until: i64,
    pub revision: u32,
    pub credential_commitment: [u8; 32],
    /// Who signed the proof: the authority or an EntityAdmin member.
    pub signer: Pubkey,
}

/// The fields of a credential, parsed (step 1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedCredential {
    pub issuer: Pubkey,
    pub subject: Pubkey,
    pub deployment: String,
    pub entity_account: Pubkey,
    pub member_account: Pubkey,
    pub roles: u16,
    pub revision: u32,
    pub credential_commitment: [u8; 32],
    pub valid_from: String,
    pub valid_until: String,
    /// The key named by the proof's `verificationMethod`.
    pub signer: Pubkey,
}

/// The keyed commitment a `Member` account holds: HMAC-SHA256 under the
/// entity's random 32-byte `key`, over the member-credential domain and
/// `document` (the licence, or the VC the entity hashed).
pub fn member_commitment(key: &[u8; 32], document: &[u8]) -> [u8; 32] {
    commitment_with_key(key, COMMITMENT_DOMAIN, document)
}

/// Step 6: `document` under `key` gives the credential's commitment.
pub fn check_commitment(
    verified: &VerifiedMember,
    key: &[u8; 32],
    document: &[u8],
) -> Result<(), CredentialError> {
    if member_commitment(key, document) == verified.credential_commitment {
        Ok(())
    } else {
        Err(CredentialError::CommitmentMismatch)
    }
}

/// `did:key` of an Ed25519 key: `did:key:z` + base58btc(`0xed 0x01` ‖ key).
pub fn did_key(key: &Pubkey) -> String {
    let mut bytes = ED25519_MULTICODEC.to_vec();
    bytes.extend_from_slice(key.as_ref());
    format!("did:key:z{}", bs58::encode(bytes).into_string())
}

/// The Ed25519 key of a `did:key` (with or without a `#fragment`).
pub fn parse_did_key(did: &str) -> Result<Pubkey, CredentialError> {
    let bad = |reason: &str| CredentialError::Malformed {
        field: "did:key",
        reason: format!("`{did}` {reason}"),
    };
    let id = did.split('#').next().unwrap_or(did);
    let multibase = id
        .strip_prefix("did:key:z")
        .ok_or_else(|| bad("is not a base58btc did:key"))?;
    let bytes = bs58::decode(multibase)
        .into_vec()
        .map_err(|_| bad("is not base58btc"))?;
    let key = bytes
        .strip_prefix(&ED25519_MULTICODEC)
        .ok_or_else(|| bad("is not an Ed25519 key (multicodec 0xed01)"))?;
    let key: [u8; 32] = key
        .try_into()
        .map_err(|_| bad("does not hold a 32-byte key"))?;
    Ok(Pubkey::new_from_array(key))
}

/// The `verificationMethod` of `key`: its did:key, `#`, the same multibase.
pub fn verification_method(key: &Pubkey) -> String {
    let did = did_key(key);
    let multibase = did.trim_start_matches("did:key:").to_string();
    format!("{did}#{multibase}")
}

/// JCS (RFC 8785) of a JSON value: object keys sorted by UTF-16 code
/// units, no whitespace, strings escaped as ECMAScript does. Numbers must be
/// integers within ±(2^53 − 1) (a credential holds no other).
pub fn canonical_json(value: &Value) -> Result<String, CredentialError> {
    let mut out = String::new();
    write_canonical(value, &mut out)?;
    Ok(out)
}

fn write_canonical(value: &Value, out: &mut String) -> Result<(), CredentialError> {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let exact = n
                .as_i64()
                .filter(|i| i.unsigned_abs() <= MAX_SAFE_INTEGER)
                .map(|i| i.to_string())
                .or_else(|| {
                    n.as_u64()
                        .filter(|u| *u <= MAX_SAFE_INTEGER)
                        .map(|u| u.to_string())
                });
            out.push_str(&exact.ok_or_else(|| {
                CredentialError::NotCanonical(format!("{n} is not an integer within ±(2^53 - 1)"))
            })?);
        }
        Value::String(s) => out.push_str(&json_string(s)),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out)?;
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&json_string(key));
                out.push(':');
                write_canonical(&map[key], out)?;
            }
            out.push('}');
        }
    }
    Ok(())
}

/// A JSON string literal: serde_json escapes `"`, `\` and control
/// characters (`\b \f \n \r \t`, else `\u00xx` in lower case), as JCS does.
fn json_string(s: &str) -> String {
    Value::String(s.to_string()).to_string()
}

fn sha256_canonical(value: &Value) -> Result<[u8; 32], CredentialError> {
    Ok(Sha256::digest(canonical_json(value)?.as_bytes()).into())
}

/// The unsigned credential of a member, as the chain holds it.
/// `entity_authority` is the issuing entity's authority key; `deployment`
/// the registry's deployment name.
pub fn member_credential(
    deployment: &str,
    entity_authority: &Pubkey,
    member: &MemberFacts,
) -> Value {
    let commitment: String = member
        .credential_commitment
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    json!({
        "@context": [VC_CONTEXT],
        "id": format!("urn:panacea:member:{}:{}", member.address, member.revision),
        "type": ["VerifiableCredential", CREDENTIAL_TYPE],
        "issuer": did_key(entity_authority),
        "validFrom": iso8601(member.updated_at),
        "validUntil": iso8601(member.valid_until),
        "credentialSubject": {
            "id": did_key(&member.member),
            "roles": role_names(member.roles),
            "panacea": {
                "deployment": deployment,
                "recordsProgram": records::ID.to_string(),
                "entity": entity_authority.to_string(),
                "entityAccount": member.entity.to_string(),
                "memberAccount": member.address.to_string(),
                "rolesMask": member.roles,
                "revision": member.revision,
                "credentialCommitment": commitment,
                "commitmentScheme": COMMITMENT_SCHEME,
            }
        },
        "credentialStatus": {
            "id": format!("urn:panacea:{deployment}:{}", member.address),
            "type": STATUS_TYPE,
        },
    })
}

/// The bytes an `eddsa-jcs-2022` proof signs: SHA-256 of the canonical
/// proof options (the proof without `proofValue`, with the document's
/// `@context` when it has none) ‖ SHA-256 of the canonical document
/// without `proof`.
fn signing_input(
    document: &Map<String, Value>,
    options: &Value,
) -> Result<Vec<u8>, CredentialError> {
    let mut options = options.clone();
    if let Some(map) = options.as_object_mut() {
        map.remove("proofValue");
        if !map.contains_key("@context") {
            if let Some(context) = document.get("@context") {
                map.insert("@context".into(), context.clone());
            }
        }
    }
    let mut unsecured = document.clone();
    unsecured.remove("proof");
    let mut input = sha256_canonical(&options)?.to_vec();
    input.extend_from_slice(&sha256_canonical(&Value::Object(unsecured))?);
    Ok(input)
}

/// Signs `credential` (any proof it had is replaced): the proof names
/// `signer` and the time `created`. The signer is the issuing entity's
/// authority or an EntityAdmin member of it; a keypair is needed (a
/// hardware wallet signs transactions, not raw bytes).
pub fn sign_credential(
    credential: &Value,
    signer: &solana_keypair::Keypair,
    created: i64,
) -> Result<Value, CredentialError> {
    let mut document =
        credential
            .as_object()
            .cloned()
            .ok_or_else(|| CredentialError::Malformed {
                field: "credential",
                reason: "is not a JSON object".into(),
            })?;
    document.remove("proof");
    let options = json!({
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": iso8601(created),
        "verificationMethod": verification_method(&signer.pubkey()),
        "proofPurpose": "assertionMethod",
    });
    let signature = signer.sign_message(&signing_input(&document, &options)?);
    let mut proof = options;
    proof["proofValue"] = Value::String(format!(
        "z{}",
        bs58::encode(signature.as_ref()).into_string()
    ));
    document.insert("proof".into(), proof);
    Ok(Value::Object(document))
}

/// Step 2: the proof verifies; returns the key that signed.
pub fn verify_proof(credential: &Value) -> Result<Pubkey, CredentialError> {
    let document = credential
        .as_object()
        .ok_or_else(|| malformed("credential", "is not a JSON object"))?;
    let proof = document
        .get("proof")
        .and_then(Value::as_object)
        .ok_or_else(|| malformed("proof", "is missing or not an object"))?;
    expect_str(proof.get("type"), "proof.type", "DataIntegrityProof")?;
    expect_str(proof.get("cryptosuite"), "proof.cryptosuite", CRYPTOSUITE)?;
    expect_str(
        proof.get("proofPurpose"),
        "proof.proofPurpose",
        "assertionMethod",
    )?;
    str_field(proof.get("created"), "proof.created")?;
    let method = str_field(proof.get("verificationMethod"), "proof.verificationMethod")?;
    let signer = parse_did_key(method)?;
    if method != verification_method(&signer) {
        return Err(malformed(
            "proof.verificationMethod",
            "is not `did:key:z…#z…` of one key",
        ));
    }
    let value = str_field(proof.get("proofValue"), "proof.proofValue")?;
    let bytes = value
        .strip_prefix('z')
        .and_then(|b| bs58::decode(b).into_vec().ok())
        .ok_or_else(|| malformed("proof.proofValue", "is not multibase base58btc"))?;
    let signature = Signature::try_from(bytes.as_slice())
        .map_err(|_| malformed("proof.proofValue", "is not a 64-byte Ed25519 signature"))?;
    let input = signing_input(document, &Value::Object(proof.clone()))?;
    if signature.verify(signer.as_ref(), &input) {
        Ok(signer)
    } else {
        Err(CredentialError::BadProof { signer })
    }
}

fn malformed(field: &'static str, reason: &str) -> CredentialError {
    CredentialError::Malformed {
        field,
        reason: reason.to_string(),
    }
}

fn str_field<'v>(
    value: Option<&'v Value>,
    field: &'static str,
) -> Result<&'v str, CredentialError> {
    value
        .and_then(Value::as_str)
        .ok_or_else(|| malformed(field, "is missing or not a string"))
}

fn expect_str(
    value: Option<&Value>,
    field: &'static str,
    expected: &str,
) -> Result<(), CredentialError> {
    let got = str_field(value, field)?;
    if got == expected {
        Ok(())
    } else {
        Err(CredentialError::Malformed {
            field,
            reason: format!("is `{got}`, expected `{expected}`"),
        })
    }
}

fn pubkey_field(value: Option<&Value>, field: &'static str) -> Result<Pubkey, CredentialError> {
    str_field(value, field)?
        .parse()
        .map_err(|_| malformed(field, "is not a base58 address"))
}

/// Step 1: the shape of a Panacea staff credential, with every redundant
/// field consistent (the accounts are the issuer's and subject's PDAs, the
/// role names are the mask's, the id and status name the account).
pub fn parse_credential(credential: &Value) -> Result<ParsedCredential, CredentialError> {
    let vc = credential
        .as_object()
        .ok_or_else(|| malformed("credential", "is not a JSON object"))?;
    let context = vc
        .get("@context")
        .and_then(Value::as_array)
        .ok_or_else(|| malformed("@context", "is missing or not an array"))?;
    if context.first().and_then(Value::as_str) != Some(VC_CONTEXT) {
        return Err(malformed(
            "@context",
            "does not start with the VCDM 2.0 context",
        ));
    }
    let types: Vec<&str> = vc
        .get("type")
        .and_then(Value::as_array)
        .map(|t| t.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if !types.contains(&"VerifiableCredential") || !types.contains(&CREDENTIAL_TYPE) {
        return Err(malformed(
            "type",
            "must list VerifiableCredential and PanaceaStaffCredential",
        ));
    }
    let issuer = parse_did_key(str_field(vc.get("issuer"), "issuer")?)?;
    let subject_obj = vc
        .get("credentialSubject")
        .and_then(Value::as_object)
        .ok_or_else(|| malformed("credentialSubject", "is missing or not an object"))?;
    let subject = parse_did_key(str_field(subject_obj.get("id"), "credentialSubject.id")?)?;
    let p = subject_obj
        .get("panacea")
        .and_then(Value::as_object)
        .ok_or_else(|| malformed("credentialSubject.panacea", "is missing or not an object"))?;
    let deployment = str_field(p.get("deployment"), "panacea.deployment")?.to_string();
    if pubkey_field(p.get("recordsProgram"), "panacea.recordsProgram")? != records::ID {
        return Err(malformed(
            "panacea.recordsProgram",
            "is not this SDK's records program",
        ));
    }
    if pubkey_field(p.get("entity"), "panacea.entity")? != issuer {
        return Err(malformed("panacea.entity", "is not the issuer's key"));
    }
    let entity_account = pubkey_field(p.get("entityAccount"), "panacea.entityAccount")?;
    if entity_account != records::pda::entity(&issuer).0 {
        return Err(malformed(
            "panacea.entityAccount",
            "is not the issuer's Entity account",
        ));
    }
    let member_account = pubkey_field(p.get("memberAccount"), "panacea.memberAccount")?;
    if member_account != member_address(&issuer, &subject) {
        return Err(malformed(
            "panacea.memberAccount",
            "is not the subject's Member account under the issuer",
        ));
    }
    let roles = p
        .get("rolesMask")
        .and_then(Value::as_u64)
        .and_then(|m| u16::try_from(m).ok())
        .filter(|m| roles::is_valid(*m))
        .ok_or_else(|| malformed("panacea.rolesMask", "is not a valid role mask"))?;
    let names: Vec<&str> = subject_obj
        .get("roles")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if names != role_names(roles) {
        return Err(malformed(
            "credentialSubject.roles",
            "does not name the roles of rolesMask",
        ));
    }
    let revision = p
        .get("revision")
        .and_then(Value::as_u64)
        .and_then(|r| u32::try_from(r).ok())
        .filter(|r| *r >= 1)
        .ok_or_else(|| malformed("panacea.revision", "is not a revision (1 or more)"))?;
    let hex = str_field(
        p.get("credentialCommitment"),
        "panacea.credentialCommitment",
    )?;
    let credential_commitment = parse_hex32(hex)
        .ok_or_else(|| malformed("panacea.credentialCommitment", "is not 64 hex digits"))?;
    expect_str(
        p.get("commitmentScheme"),
        "panacea.commitmentScheme",
        COMMITMENT_SCHEME,
    )?;
    expect_str(
        vc.get("id"),
        "id",
        &format!("urn:panacea:member:{member_account}:{revision}"),
    )?;
    let status = vc
        .get("credentialStatus")
        .and_then(Value::as_object)
        .ok_or_else(|| malformed("credentialStatus", "is missing or not an object"))?;
    expect_str(status.get("type"), "credentialStatus.type", STATUS_TYPE)?;
    expect_str(
        status.get("id"),
        "credentialStatus.id",
        &format!("urn:panacea:{deployment}:{member_account}"),
    )?;
    let valid_from = str_field(vc.get("validFrom"), "validFrom")?.to_string();
    let valid_until = str_field(vc.get("validUntil"), "validUntil")?.to_string();
    let method = vc
        .get("proof")
        .and_then(|p| p.get("verificationMethod"))
        .and_then(Value::as_str)
        .ok_or_else(|| malformed("proof.verificationMethod", "is missing or not a string"))?;
    let signer = parse_did_key(method)?;
    Ok(ParsedCredential {
        issuer,
        subject,
        deployment,
        entity_account,
        member_account,
        roles,
        revision,
        credential_commitment,
        valid_from,
        valid_until,
        signer,
    })
}

fn parse_hex32(hex: &str) -> Option<[u8; 32]> {
    if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

/// Steps 1 to 5, against chain data the caller read: what an outside
/// verifier does. Each failure is its own [`CredentialError`].
pub fn verify_against(
    credential: &Value,
    chain: &ChainState,
    now: i64,
) -> Result<VerifiedMember, CredentialError> {
    // (1) Shape, types, dids. (2) The proof.
    let vc = parse_credential(credential)?;
    let signer = verify_proof(credential)?;
    // (3) The deployment and the issuing entity.
    if vc.deployment != chain.deployment {
        return Err(CredentialError::WrongDeployment {
            credential: vc.deployment,
            chain: chain.deployment.clone(),
        });
    }
    let entity = chain
        .entity
        .as_ref()
        .filter(|e| e.authority == vc.issuer)
        .ok_or(CredentialError::IssuerNotAnEntity { issuer: vc.issuer })?;
    if !entity.is_active(now) {
        return Err(CredentialError::IssuerNotActive { issuer: vc.issuer });
    }
    // (4) The signer: the authority, or an active EntityAdmin member.
    if signer != vc.issuer {
        let admin_ok = chain.signer_member.as_ref().is_some_and(|m| {
            m.member == signer
                && m.entity == vc.entity_account
                && m.is_active(now)
                && m.roles & roles::ENTITY_ADMIN != 0
        });
        if !admin_ok {
            return Err(CredentialError::SignerNotAuthorized {
                signer,
                issuer: vc.issuer,
            });
        }
    }
    // (5) The Member account states what the credential says, now.
    let member = chain
        .member
        .as_ref()
        .filter(|m| {
            m.address == vc.member_account
                && m.entity == vc.entity_account
                && m.member == vc.subject
        })
        .ok_or(CredentialError::MemberNotFound {
            member_account: vc.member_account,
            member: vc.subject,
        })?;
    if member.revision != vc.revision {
        return Err(CredentialError::StaleRevision {
            credential: vc.revision,
            chain: member.revision,
        });
    }
    if member.roles != vc.roles {
        return Err(CredentialError::DoesNotMatchChain { field: "roles" });
    }
    if iso8601(member.valid_until) != vc.valid_until {
        return Err(CredentialError::DoesNotMatchChain {
            field: "validUntil",
        });
    }
    if iso8601(member.updated_at) != vc.valid_from {
        return Err(CredentialError::DoesNotMatchChain { field: "validFrom" });
    }
    if member.credential_commitment != vc.credential_commitment {
        return Err(CredentialError::DoesNotMatchChain {
            field: "credentialCommitment",
        });
    }
    if member.status != MemberStanding::Active {
        return Err(CredentialError::MemberNotActive {
            status: member.status,
        });
    }
    if now >= member.valid_until {
        return Err(CredentialError::MemberExpired {
            valid_until: iso8601(member.valid_until),
        });
    }
    Ok(VerifiedMember {
        entity: vc.issuer,
        entity_account: vc.entity_account,
        member: vc.subject,
        member_account: vc.member_account,
        roles: vc.roles,
        valid_until: member.valid_until,
        revision: vc.revision,
        credential_commitment: vc.credential_commitment,
        signer,
    })
}

/// A `records` account of type `T` at `address`: `None` when absent, not
/// owned by the records program, or not a `T` (its discriminator).
async fn records_account<B: Backend, T: AccountDeserialize + Discriminator>(
    client: &PanaceaClient<B>,
    address: &Pubkey,
) -> Result<Option<T>> {
    let Some(account) = client.backend().get_account(address).await? else {
        return Ok(None);
    };
    if account.owner != records::ID || !account.data.starts_with(T::DISCRIMINATOR) {
        return Ok(None);
    }
    Ok(T::try_deserialize(&mut account.data.as_slice()).ok())
}

/// The registry's deployment name (`RegistryConfig.deployment`).
async fn deployment<B: Backend>(client: &PanaceaClient<B>) -> Result<String> {
    let config = records::pda::config().0;
    let config: RegistryConfig =
        records_account(client, &config)
            .await?
            .ok_or(SdkError::AccountNotFound {
                address: config,
                expected: "RegistryConfig",
            })?;
    Ok(config.deployment)
}

/// The `Member` of `member_key` under the entity whose authority is
/// `entity_authority`, as the chain holds it now.
pub async fn member_facts<B: Backend>(
    client: &PanaceaClient<B>,
    entity_authority: &Pubkey,
    member_key: &Pubkey,
) -> Result<Option<MemberFacts>> {
    let address = member_address(entity_authority, member_key);
    Ok(records_account::<B, Member>(client, &address)
        .await?
        .map(|m| MemberFacts::of(address, &m)))
}

/// Exports the credential of `member_key`, a member of the entity whose
/// authority is `entity_authority`, from the chain as it is now, signed by
/// `signer` (the authority or an EntityAdmin member; a keypair) at
/// `created`. Refuses a member that is not Active and unexpired (its
/// credential would not verify).
pub async fn export_member_credential<B: Backend>(
    client: &PanaceaClient<B>,
    signer: &solana_keypair::Keypair,
    entity_authority: &Pubkey,
    member_key: &Pubkey,
    created: i64,
) -> Result<Value> {
    let facts = member_facts(client, entity_authority, member_key)
        .await?
        .ok_or(SdkError::AccountNotFound {
            address: member_address(entity_authority, member_key),
            expected: "Member",
        })?;
    if !facts.is_active(created) {
        return Err(SdkError::InvalidInput(format!(
            "member {member_key} is {} (valid until {}): its credential would not verify",
            facts.status,
            iso8601(facts.valid_until)
        )));
    }
    let unsigned = member_credential(&deployment(client).await?, entity_authority, &facts);
    Ok(sign_credential(&unsigned, signer, created)?)
}

/// What an outside verifier does with a credential, step by step, reading
/// the chain through `client`: (1) shape, (2) proof, (3) the deployment and
/// the issuing entity, (4) the signer, (5) the `Member` account (owner,
/// discriminator, fields, revision, status, validity) at `now`. Step 6 is
/// [`check_commitment`], with the document and the entity's key.
pub async fn verify_member_credential<B: Backend>(
    client: &PanaceaClient<B>,
    credential: &Value,
    now: i64,
) -> Result<VerifiedMember> {
    let vc = parse_credential(credential)?;
    verify_proof(credential)?;
    let entity: Option<Entity> =
        records_account(client, &records::pda::entity(&vc.issuer).0).await?;
    let signer_member = if vc.signer == vc.issuer {
        None
    } else {
        member_facts(client, &vc.issuer, &vc.signer).await?
    };
    let chain = ChainState {
        deployment: deployment(client).await?,
        entity,
        member: member_facts(client, &vc.issuer, &vc.subject).await?,
        signer_member,
    };
    Ok(verify_against(credential, &chain, now)?)
}

#[cfg(test)]
mod tests {
    use {
        super::*,
        records::state::{EntityKind, EntityStatus},
        solana_keypair::Keypair,
    };

    const NOW: i64 = 1_795_219_200; // 2026-11-21
    const DAY: i64 = 86_400;

    fn entity(authority: &Pubkey) -> Entity {
        Entity {
            version: 1,
            bump: 255,
            authority: *authority,
            kind: EntityKind::Provider,
            status: EntityStatus::Active,
            credential_commitment: [1; 32],
            jurisdiction: *b"US\0\0\0\0\0\0",
            valid_until: NOW + 365 * DAY,
            encryption_key: [2; 32],
            attested_by: Pubkey::new_unique(),
            registered_at: NOW - DAY,
            updated_at: NOW - DAY,
            rent_payer: *authority,
        }
    }

    fn facts(authority: &Pubkey, member: &Pubkey, roles: u16, key: &[u8; 32]) -> MemberFacts {
        MemberFacts {
            address: member_address(authority, member),
            entity: records::pda::entity(authority).0,
            member: *member,
            roles,
            status: MemberStanding::Active,
            valid_until: NOW + 90 * DAY,
            updated_at: NOW - 3_600,
            revision: 3,
            credential_commitment: member_commitment(key, b"licence MD-0001 (synthetic)"),
        }
    }

    struct Fixture {
        authority: Keypair,
        clinician: Keypair,
        key: [u8; 32],
        chain: ChainState,
    }

    fn fixture() -> Fixture {
        let authority = Keypair::new();
        let clinician = Keypair::new();
        let key = [9u8; 32];
        let chain = ChainState {
            deployment: "localnet".into(),
            entity: Some(entity(&authority.pubkey())),
            member: Some(facts(
                &authority.pubkey(),
                &clinician.pubkey(),
                roles::CLINICIAN,
                &key,
            )),
            signer_member: None,
        };
        Fixture {
            authority,
            clinician,
            key,
            chain,
        }
    }

    fn signed(f: &Fixture) -> Value {
        let unsigned = member_credential(
            &f.chain.deployment,
            &f.authority.pubkey(),
            f.chain.member.as_ref().unwrap(),
        );
        sign_credential(&unsigned, &f.authority, NOW).unwrap()
    }

    #[test]
    fn facts_of_a_decoded_member_account() {
        let (authority, clinician) = (Pubkey::new_unique(), Pubkey::new_unique());
        let address = member_address(&authority, &clinician);
        let account = Member {
            version: 1,
            bump: 254,
            entity: records::pda::entity(&authority).0,
            member: clinician,
            roles: roles::CLINICIAN | roles::NURSE,
            status: MemberStatus::Suspended,
            credential_commitment: [4; 32],
            valid_until: NOW + DAY,
            added_by: authority,
            added_at: NOW - DAY,
            updated_at: NOW,
            revision: 2,
            rent_payer: authority,
        };
        let facts = MemberFacts::of(address, &account);
        assert_eq!(facts.status, MemberStanding::Suspended);
        assert_eq!(facts.revision, 2);
        assert!(!facts.is_active(NOW));
        let vc = member_credential("localnet", &authority, &facts);
        assert_eq!(
            vc["credentialSubject"]["roles"],
            json!(["Clinician", "Nurse"])
        );
        assert_eq!(vc["id"], format!("urn:panacea:member:{address}:2"));
        assert_eq!(
            vc["credentialStatus"]["id"],
            format!("urn:panacea:localnet:{address}")
        );
    }

    #[test]
    fn did_key_of_an_ed25519_key() {
        let key = Pubkey::new_from_array(core::array::from_fn(|i| i as u8 + 1));
        // Computed independently (multicodec 0xed01, base58btc).
        assert_eq!(
            did_key(&key),
            "did:key:z6MkeXCES4onVW4up9Qgz1KRnZsKmGufcaZxF6Zpv2w5QwUK"
        );
        assert_eq!(parse_did_key(&did_key(&key)).unwrap(), key);
        let random = Pubkey::new_unique();
        assert!(did_key(&random).starts_with("did:key:z6Mk"));
        assert_eq!(
            parse_did_key(&verification_method(&random)).unwrap(),
            random
        );
        assert!(parse_did_key("did:web:example.org").is_err());
        assert!(parse_did_key("did:key:z0OIl").is_err());
        // A secp256k1 did:key (multicodec 0xe7) is refused.
        assert!(
            parse_did_key("did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme").is_err()
        );
    }

    #[test]
    fn jcs_sorts_keys_by_utf16_and_escapes_like_ecmascript() {
        let value = json!({
            "b": 2, "a": [1, "x\n\u{1}\"\\", true, null], "c": {"\u{e9}": 1, "z": -0, "A": {}},
            "\u{ff61}": "\u{ff61}", "\u{1f600}": 3
        });
        assert_eq!(
            canonical_json(&value).unwrap(),
            "{\"a\":[1,\"x\\n\\u0001\\\"\\\\\",true,null],\"b\":2,\"c\":{\"A\":{},\"z\":0,\"\u{e9}\":1},\"\u{1f600}\":3,\"\u{ff61}\":\"\u{ff61}\"}"
        );
        assert!(matches!(
            canonical_json(&json!({"x": 1.5})),
            Err(CredentialError::NotCanonical(_))
        ));
        assert!(canonical_json(&json!(9_007_199_254_740_993u64)).is_err());
        assert!(canonical_json(&json!(9_007_199_254_740_991u64)).is_ok());
    }

    #[test]
    fn a_credential_verifies_against_the_chain() {
        let f = fixture();
        let vc = signed(&f);
        assert_eq!(vc["issuer"], did_key(&f.authority.pubkey()));
        assert_eq!(
            vc["credentialSubject"]["id"],
            did_key(&f.clinician.pubkey())
        );
        assert_eq!(vc["credentialSubject"]["roles"], json!(["Clinician"]));
        assert_eq!(vc["validFrom"], iso8601(NOW - 3_600));
        let verified = verify_against(&vc, &f.chain, NOW).unwrap();
        assert_eq!(verified.entity, f.authority.pubkey());
        assert_eq!(verified.member, f.clinician.pubkey());
        assert_eq!(verified.signer, f.authority.pubkey());
        assert_eq!(verified.revision, 3);
        // Step 6: the licence and the entity's key give the commitment.
        check_commitment(&verified, &f.key, b"licence MD-0001 (synthetic)").unwrap();
        assert_eq!(
            check_commitment(&verified, &f.key, b"licence MD-0002 (synthetic)"),
            Err(CredentialError::CommitmentMismatch)
        );
        assert_eq!(
            check_commitment(&verified, &[8; 32], b"licence MD-0001 (synthetic)"),
            Err(CredentialError::CommitmentMismatch)
        );
        // It survives a JSON round trip (what a verifier receives).
        let text = serde_json::to_string_pretty(&vc).unwrap();
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(verify_against(&back, &f.chain, NOW).unwrap(), verified);
    }

    #[test]
    fn a_tampered_credential_is_refused() {
        let f = fixture();
        let vc = signed(&f);
        // More roles, with a consistent mask and names: the proof breaks.
        let mut more = vc.clone();
        more["credentialSubject"]["roles"] = json!(["Clinician", "EntityAdmin"]);
        more["credentialSubject"]["panacea"]["rolesMask"] =
            json!(roles::CLINICIAN | roles::ENTITY_ADMIN);
        assert_eq!(
            verify_against(&more, &f.chain, NOW),
            Err(CredentialError::BadProof {
                signer: f.authority.pubkey()
            })
        );
        // Names that disagree with the mask: refused at the shape.
        let mut names = vc.clone();
        names["credentialSubject"]["roles"] = json!(["Nurse"]);
        assert!(matches!(
            verify_against(&names, &f.chain, NOW),
            Err(CredentialError::Malformed {
                field: "credentialSubject.roles",
                ..
            })
        ));
        // A later validUntil.
        let mut longer = vc.clone();
        longer["validUntil"] = json!(iso8601(NOW + 900 * DAY));
        assert!(matches!(
            verify_against(&longer, &f.chain, NOW),
            Err(CredentialError::BadProof { .. })
        ));
        // A changed proof option (the created time) breaks it too.
        let mut created = vc.clone();
        created["proof"]["created"] = json!(iso8601(NOW + 1));
        assert!(matches!(
            verify_against(&created, &f.chain, NOW),
            Err(CredentialError::BadProof { .. })
        ));
        // A flipped signature byte.
        let mut sig = vc.clone();
        let value = sig["proof"]["proofValue"].as_str().unwrap().to_string();
        let mut bytes = bs58::decode(&value[1..]).into_vec().unwrap();
        bytes[10] ^= 1;
        sig["proof"]["proofValue"] = json!(format!("z{}", bs58::encode(bytes).into_string()));
        assert!(matches!(
            verify_against(&sig, &f.chain, NOW),
            Err(CredentialError::BadProof { .. })
        ));
        // No proof at all.
        let mut bare = vc.clone();
        bare.as_object_mut().unwrap().remove("proof");
        assert!(matches!(
            verify_against(&bare, &f.chain, NOW),
            Err(CredentialError::Malformed { .. })
        ));
        // Another member's account for the same subject.
        let mut account = vc;
        account["credentialSubject"]["panacea"]["memberAccount"] =
            json!(Pubkey::new_unique().to_string());
        assert!(matches!(
            verify_against(&account, &f.chain, NOW),
            Err(CredentialError::Malformed {
                field: "panacea.memberAccount",
                ..
            })
        ));
    }

    #[test]
    fn a_stale_credential_is_refused_after_any_change() {
        let mut f = fixture();
        let vc = signed(&f);
        // Suspended (revision 4), then reinstated (revision 5): still stale.
        let member = f.chain.member.as_mut().unwrap();
        member.status = MemberStanding::Suspended;
        member.revision = 4;
        assert_eq!(
            verify_against(&vc, &f.chain, NOW),
            Err(CredentialError::StaleRevision {
                credential: 3,
                chain: 4
            })
        );
        let member = f.chain.member.as_mut().unwrap();
        member.status = MemberStanding::Active;
        member.revision = 5;
        assert!(matches!(
            verify_against(&vc, &f.chain, NOW),
            Err(CredentialError::StaleRevision { chain: 5, .. })
        ));
        // A fresh export at the new revision verifies.
        let fresh = signed(&f);
        verify_against(&fresh, &f.chain, NOW).unwrap();
        // Suspended at the exported revision (inconsistent chain data is
        // still refused), expired, closed.
        let mut suspended = f.chain.clone();
        suspended.member.as_mut().unwrap().status = MemberStanding::Suspended;
        assert_eq!(
            verify_against(&fresh, &suspended, NOW),
            Err(CredentialError::MemberNotActive {
                status: MemberStanding::Suspended
            })
        );
        let until = f.chain.member.unwrap().valid_until;
        verify_against(&fresh, &f.chain, until - 1).unwrap();
        assert!(matches!(
            verify_against(&fresh, &f.chain, until),
            Err(CredentialError::MemberExpired { .. })
        ));
        let mut closed = f.chain.clone();
        closed.member = None;
        assert!(matches!(
            verify_against(&fresh, &closed, NOW),
            Err(CredentialError::MemberNotFound { .. })
        ));
        let mut other = f.chain.clone();
        other.member.as_mut().unwrap().roles = roles::NURSE;
        assert_eq!(
            verify_against(&fresh, &other, NOW),
            Err(CredentialError::DoesNotMatchChain { field: "roles" })
        );
    }

    #[test]
    fn a_wrong_issuer_or_signer_is_refused() {
        let f = fixture();
        let unsigned = member_credential(
            &f.chain.deployment,
            &f.authority.pubkey(),
            f.chain.member.as_ref().unwrap(),
        );
        // Signed by a stranger: the proof verifies under the stranger, who
        // is not the issuer.
        let stranger = Keypair::new();
        let by_stranger = sign_credential(&unsigned, &stranger, NOW).unwrap();
        assert_eq!(
            verify_against(&by_stranger, &f.chain, NOW),
            Err(CredentialError::SignerNotAuthorized {
                signer: stranger.pubkey(),
                issuer: f.authority.pubkey()
            })
        );
        // Signed by the member itself (not an admin).
        let by_member = sign_credential(&unsigned, &f.clinician, NOW).unwrap();
        let mut with_self = f.chain.clone();
        with_self.signer_member = f.chain.member;
        assert!(matches!(
            verify_against(&by_member, &with_self, NOW),
            Err(CredentialError::SignerNotAuthorized { .. })
        ));
        // Signed by an active EntityAdmin member: accepted; suspended: not.
        let admin = Keypair::new();
        let mut with_admin = f.chain.clone();
        with_admin.signer_member = Some(facts(
            &f.authority.pubkey(),
            &admin.pubkey(),
            roles::ENTITY_ADMIN,
            &[3; 32],
        ));
        let by_admin = sign_credential(&unsigned, &admin, NOW).unwrap();
        assert_eq!(
            verify_against(&by_admin, &with_admin, NOW).unwrap().signer,
            admin.pubkey()
        );
        with_admin.signer_member.as_mut().unwrap().status = MemberStanding::Suspended;
        assert!(matches!(
            verify_against(&by_admin, &with_admin, NOW),
            Err(CredentialError::SignerNotAuthorized { .. })
        ));
        // The issuer swapped for another entity in a signed credential:
        // its accounts are no longer the issuer's.
        let other = Keypair::new();
        let mut swapped = signed(&f);
        swapped["issuer"] = json!(did_key(&other.pubkey()));
        assert!(matches!(
            verify_against(&swapped, &f.chain, NOW),
            Err(CredentialError::Malformed {
                field: "panacea.entity",
                ..
            })
        ));
        // Another entity's credential for the same key, checked against
        // this chain data: not that entity's account.
        let other_chain = ChainState {
            entity: Some(entity(&other.pubkey())),
            ..f.chain.clone()
        };
        assert_eq!(
            verify_against(&signed(&f), &other_chain, NOW),
            Err(CredentialError::IssuerNotAnEntity {
                issuer: f.authority.pubkey()
            })
        );
        // The issuing entity suspended.
        let mut suspended = f.chain.clone();
        suspended.entity.as_mut().unwrap().status = EntityStatus::Suspended;
        assert_eq!(
            verify_against(&signed(&f), &suspended, NOW),
            Err(CredentialError::IssuerNotActive {
                issuer: f.authority.pubkey()
            })
        );
        // Another deployment.
        let devnet = ChainState {
            deployment: "devnet".into(),
            ..f.chain.clone()
        };
        assert!(matches!(
            verify_against(&signed(&f), &devnet, NOW),
            Err(CredentialError::WrongDeployment { .. })
        ));
    }
}
