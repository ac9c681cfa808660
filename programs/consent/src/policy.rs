//! "Is this grantee permitted, for this purpose, record kind and action, at
//! this time?" A pure function over consent accounts, shared by the
//! `claims` program and the SDK. A Deny that applies overrides any Permit.

use {
    crate::state::{Consent, ConsentPurpose, ConsentStatus, Decision},
    anchor_lang::prelude::Pubkey,
    records::state::RecordKind,
};

/// The question asked of a patient's consents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConsentQuery {
    pub patient: Pubkey,
    pub grantee: Pubkey,
    pub purpose: ConsentPurpose,
    pub kind: RecordKind,
    /// One or more `state::actions` bits; all must be covered.
    pub actions: u8,
    pub at: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// An applicable consent permits it and none denies it.
    Permit,
    /// An applicable consent denies it.
    Deny,
    /// No applicable consent: not permitted.
    NoConsent,
}

impl Consent {
    /// Whether this consent speaks to `query`: same patient, grantee and
    /// purpose, active, in period, covering the kind and the actions.
    pub fn applies_to(&self, query: &ConsentQuery) -> bool {
        self.status == ConsentStatus::Active
            && self.patient == query.patient
            && self.grantee == query.grantee
            && self.purpose == query.purpose
            && self.period_start <= query.at
            && query.at < self.period_end
            && self.kinds & query.kind.bit() != 0
            && query.actions != 0
            && self.actions & query.actions == query.actions
    }
}

/// Evaluates `consents` for `query`; Deny overrides Permit.
pub fn evaluate<'a>(
    consents: impl IntoIterator<Item = &'a Consent>,
    query: &ConsentQuery,
) -> Verdict {
    let mut verdict = Verdict::NoConsent;
    for consent in consents.into_iter().filter(|c| c.applies_to(query)) {
        match consent.decision {
            Decision::Deny => return Verdict::Deny,
            Decision::Permit => verdict = Verdict::Permit,
        }
    }
    verdict
}

/// True only when an applicable consent permits and none denies.
pub fn is_permitted<'a>(
    consents: impl IntoIterator<Item = &'a Consent>,
    query: &ConsentQuery,
) -> bool {
    evaluate(consents, query) == Verdict::Permit
}
