//! Accounts as output: every field, addresses in base58, times in ISO
//! 8601, hashes in hex. One `Serialize` struct per account kind, so the
//! JSON field names are checked by the compiler; the text output renders
//! the same values.

use {
    crate::parse::{actions_names, jurisdiction_text, kinds_names, permissions_names, roles_names},
    panacea_sdk::{
        audit::iso8601,
        claims_program::state::{Claim, Policy},
        consent_program::state::Consent,
        records_program::state::{
            AccessRequest, Entity, Grant, Member, Patient, Record, RegistryConfig,
        },
        Pubkey,
    },
    serde::Serialize,
};

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn opt_key(key: &Option<Pubkey>) -> Option<String> {
    key.map(|k| k.to_string())
}

fn opt_time(time: &Option<i64>) -> Option<String> {
    time.map(iso8601)
}

#[derive(Serialize)]
pub struct ConfigView {
    pub address: String,
    pub admin: String,
    pub max_emergency_duration: i64,
}

pub fn config(address: &Pubkey, c: &RegistryConfig) -> ConfigView {
    ConfigView {
        address: address.to_string(),
        admin: c.admin.to_string(),
        max_emergency_duration: c.max_emergency_duration,
    }
}

#[derive(Serialize)]
pub struct EntityView {
    pub address: String,
    pub authority: String,
    pub kind: String,
    pub status: String,
    pub jurisdiction: String,
    pub valid_until: String,
    pub credential_commitment: String,
    pub encryption_key: String,
    pub attested_by: String,
    pub registered_at: String,
    pub updated_at: String,
}

pub fn entity(address: &Pubkey, e: &Entity) -> EntityView {
    EntityView {
        address: address.to_string(),
        authority: e.authority.to_string(),
        kind: format!("{:?}", e.kind),
        status: format!("{:?}", e.status),
        jurisdiction: jurisdiction_text(&e.jurisdiction),
        valid_until: iso8601(e.valid_until),
        credential_commitment: hex(&e.credential_commitment),
        encryption_key: hex(&e.encryption_key),
        attested_by: e.attested_by.to_string(),
        registered_at: iso8601(e.registered_at),
        updated_at: iso8601(e.updated_at),
    }
}

#[derive(Serialize)]
pub struct PatientView {
    pub address: String,
    pub authority: String,
    pub guardian: Option<String>,
    pub encryption_key: String,
    pub registered_at: String,
}

pub fn patient(address: &Pubkey, p: &Patient) -> PatientView {
    PatientView {
        address: address.to_string(),
        authority: p.authority.to_string(),
        guardian: opt_key(&p.guardian),
        encryption_key: hex(&p.encryption_key),
        registered_at: iso8601(p.registered_at),
    }
}

#[derive(Serialize)]
pub struct RecordView {
    pub address: String,
    pub patient: String,
    pub issuer: String,
    pub kind: String,
    pub status: String,
    pub record_version: u16,
    pub record_id: String,
    pub serial: u64,
    pub commitment: String,
    pub content_commitment: String,
    pub locator: String,
    pub supersedes: Option<String>,
    pub superseded_by: Option<u64>,
    pub origin: u64,
    pub original_issuer: String,
    pub issued_at: String,
}

pub fn record(address: &Pubkey, r: &Record) -> RecordView {
    RecordView {
        address: address.to_string(),
        patient: r.patient.to_string(),
        issuer: r.issuer.to_string(),
        kind: format!("{:?}", r.kind),
        status: format!("{:?}", r.status),
        record_version: r.record_version,
        record_id: hex(&r.record_id),
        serial: r.serial,
        commitment: hex(&r.commitment),
        content_commitment: hex(&r.content_commitment),
        locator: panacea_sdk::offchain::blob_uri(&r.commitment),
        supersedes: panacea_sdk::records::previous_version(r).map(|a| a.to_string()),
        superseded_by: (r.superseded_by != 0).then_some(r.superseded_by),
        origin: r.origin,
        original_issuer: r.original_issuer.to_string(),
        issued_at: iso8601(r.issued_at),
    }
}

#[derive(Serialize)]
pub struct GrantView {
    pub address: String,
    pub patient: String,
    pub grantee: String,
    pub target: String,
    pub scope: String,
    pub kinds: Vec<String>,
    pub permissions: Vec<&'static str>,
    pub purpose: String,
    pub emergency: bool,
    pub reason_code: u16,
    pub granted_by: String,
    pub granted_at: String,
    pub expires_at: String,
    pub revoked_at: Option<String>,
    pub access_count: u64,
    pub last_access_at: Option<String>,
    pub has_key: bool,
}

pub fn grant(address: &Pubkey, g: &Grant) -> GrantView {
    GrantView {
        address: address.to_string(),
        patient: g.patient.to_string(),
        grantee: g.grantee.to_string(),
        target: g.target.to_string(),
        scope: format!("{:?}", g.scope),
        kinds: kinds_names(g.kinds),
        permissions: permissions_names(g.permissions),
        purpose: format!("{:?}", g.purpose),
        emergency: g.emergency,
        reason_code: g.reason_code,
        granted_by: g.granted_by.to_string(),
        granted_at: iso8601(g.granted_at),
        expires_at: iso8601(g.expires_at),
        revoked_at: opt_time(&g.revoked_at),
        access_count: g.access_count,
        last_access_at: opt_time(&g.last_access_at),
        has_key: !g.wrapped_key.is_empty(),
    }
}

#[derive(Serialize)]
pub struct RequestView {
    pub address: String,
    pub patient: String,
    pub requester: String,
    pub target: String,
    pub scope: String,
    pub kinds: Vec<String>,
    pub permissions: Vec<&'static str>,
    pub purpose: String,
    pub duration: i64,
    pub reason_code: u16,
    pub created_at: String,
}

pub fn request(address: &Pubkey, r: &AccessRequest) -> RequestView {
    RequestView {
        address: address.to_string(),
        patient: r.patient.to_string(),
        requester: r.requester.to_string(),
        target: r.target.to_string(),
        scope: format!("{:?}", r.scope),
        kinds: kinds_names(r.kinds),
        permissions: permissions_names(r.permissions),
        purpose: format!("{:?}", r.purpose),
        duration: r.duration,
        reason_code: r.reason_code,
        created_at: iso8601(r.created_at),
    }
}

#[derive(Serialize)]
pub struct ConsentView {
    pub address: String,
    pub patient: String,
    pub grantee: String,
    pub purpose: &'static str,
    pub decision: &'static str,
    pub status: String,
    pub kinds: Vec<String>,
    pub actions: Vec<&'static str>,
    pub period_start: String,
    pub period_end: String,
    pub policy_commitment: String,
    pub consent_version: u32,
    pub signed_via: String,
    pub granted_at: String,
    pub revoked_at: Option<String>,
    pub updated_at: String,
}

pub fn consent(address: &Pubkey, c: &Consent) -> ConsentView {
    ConsentView {
        address: address.to_string(),
        patient: c.patient.to_string(),
        grantee: c.grantee.to_string(),
        purpose: c.purpose.name(),
        decision: c.decision.name(),
        status: format!("{:?}", c.status),
        kinds: kinds_names(c.kinds),
        actions: actions_names(c.actions),
        period_start: iso8601(c.period_start),
        period_end: iso8601(c.period_end),
        policy_commitment: hex(&c.policy_commitment),
        consent_version: c.consent_version,
        signed_via: format!("{:?}", c.signed_via),
        granted_at: iso8601(c.granted_at),
        revoked_at: opt_time(&c.revoked_at),
        updated_at: iso8601(c.updated_at),
    }
}

/// Amounts in base units of the payout mint (`decimals` given for reading).
#[derive(Serialize)]
pub struct PolicyView {
    pub address: String,
    pub insurer: String,
    pub patient: String,
    pub adjudicator: String,
    pub payout_mint: String,
    pub decimals: u8,
    pub vault: String,
    pub token_program: String,
    pub coverage_limit: u64,
    pub deductible: u64,
    pub copay_bps: u16,
    pub auto_approve_limit: u64,
    pub provider_auto_approve_cap: u64,
    pub auto_approve_period: i64,
    pub challenge_window: i64,
    pub appeal_window: i64,
    pub review_window: i64,
    pub valid_from: String,
    pub valid_until: String,
    pub deposited: u64,
    pub reserved: u64,
    pub paid: u64,
    pub withdrawn: u64,
    pub deductible_met: u64,
    pub open_claims: u32,
    pub appealable_until: String,
    pub created_at: String,
}

pub fn policy(address: &Pubkey, p: &Policy, decimals: u8) -> PolicyView {
    PolicyView {
        address: address.to_string(),
        insurer: p.insurer.to_string(),
        patient: p.patient.to_string(),
        adjudicator: p.adjudicator.to_string(),
        payout_mint: p.payout_mint.to_string(),
        decimals,
        vault: p.vault.to_string(),
        token_program: p.token_program.to_string(),
        coverage_limit: p.coverage_limit,
        deductible: p.deductible,
        copay_bps: p.copay_bps,
        auto_approve_limit: p.auto_approve_limit,
        provider_auto_approve_cap: p.provider_auto_approve_cap,
        auto_approve_period: p.auto_approve_period,
        challenge_window: p.challenge_window,
        appeal_window: p.appeal_window,
        review_window: p.review_window,
        valid_from: iso8601(p.valid_from),
        valid_until: iso8601(p.valid_until),
        deposited: p.deposited,
        reserved: p.reserved,
        paid: p.paid,
        withdrawn: p.withdrawn,
        deductible_met: p.deductible_met,
        open_claims: p.open_claims,
        appealable_until: iso8601(p.appealable_until),
        created_at: iso8601(p.created_at),
    }
}

#[derive(Serialize)]
pub struct ClaimView {
    pub address: String,
    pub policy: String,
    pub provider: String,
    pub patient: String,
    pub status: String,
    pub amount_billed: u64,
    pub deductible_applied: u64,
    pub amount_requested: u64,
    pub amount_payable: u64,
    pub records: Vec<String>,
    pub service_commitment: String,
    pub submitted_at: String,
    pub settle_after: String,
    pub review_deadline: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub appealed: bool,
    pub disputed: bool,
    pub paid_at: Option<String>,
    pub voided_at: Option<String>,
}

/// A claim's review deadline, `None` when it has none (`i64::MAX`).
pub fn review_deadline(c: &Claim) -> Option<String> {
    (c.review_deadline != i64::MAX).then(|| iso8601(c.review_deadline))
}

pub fn claim(address: &Pubkey, c: &Claim) -> ClaimView {
    ClaimView {
        address: address.to_string(),
        policy: c.policy.to_string(),
        provider: c.provider.to_string(),
        patient: c.patient.to_string(),
        status: format!("{:?}", c.status),
        amount_billed: c.amount_billed,
        deductible_applied: c.deductible_applied,
        amount_requested: c.amount_requested,
        amount_payable: c.amount_payable,
        records: c.records.iter().map(|r| r.to_string()).collect(),
        service_commitment: hex(&c.service_commitment),
        submitted_at: iso8601(c.submitted_at),
        settle_after: iso8601(c.settle_after),
        review_deadline: review_deadline(c),
        decided_by: opt_key(&c.decided_by),
        decided_at: opt_time(&c.decided_at),
        appealed: c.appealed,
        disputed: c.disputed,
        paid_at: opt_time(&c.paid_at),
        voided_at: opt_time(&c.voided_at),
    }
}

#[derive(Serialize)]
pub struct MemberView {
    pub address: String,
    /// The entity's authority (what records, grants and claims name).
    pub entity: String,
    pub entity_account: String,
    pub member: String,
    pub roles: String,
    pub roles_mask: u16,
    pub status: String,
    pub valid_until: String,
    pub revision: u32,
    pub credential_commitment: String,
    pub added_by: String,
    pub added_at: String,
    pub updated_at: String,
    pub rent_payer: String,
}

/// A `Member` at `address` of the entity whose authority is `entity`.
pub fn member(address: &Pubkey, entity: &Pubkey, m: &Member) -> MemberView {
    MemberView {
        address: address.to_string(),
        entity: entity.to_string(),
        entity_account: m.entity.to_string(),
        member: m.member.to_string(),
        roles: roles_names(m.roles).join(","),
        roles_mask: m.roles,
        status: format!("{:?}", m.status),
        valid_until: iso8601(m.valid_until),
        revision: m.revision,
        credential_commitment: hex(&m.credential_commitment),
        added_by: m.added_by.to_string(),
        added_at: iso8601(m.added_at),
        updated_at: iso8601(m.updated_at),
        rent_payer: m.rent_payer.to_string(),
    }
}
