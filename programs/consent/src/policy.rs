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

#[cfg(test)]
mod tests {
    use {
        super::*,
        crate::state::{actions, SignedVia},
    };

    const PATIENT: Pubkey = Pubkey::new_from_array([1; 32]);
    const INSURER: Pubkey = Pubkey::new_from_array([2; 32]);

    fn consent(decision: Decision) -> Consent {
        Consent {
            version: 1,
            bump: 255,
            patient: PATIENT,
            grantee: INSURER,
            purpose: ConsentPurpose::Payment,
            decision,
            kinds: RecordKind::LabResult.bit() | RecordKind::Procedure.bit(),
            actions: actions::ACCESS,
            period_start: 100,
            period_end: 200,
            policy_commitment: [0; 32],
            status: ConsentStatus::Active,
            consent_version: 1,
            signed_via: SignedVia::Patient,
            granted_at: 100,
            revoked_at: None,
            updated_at: 100,
            rent_payer: PATIENT,
        }
    }

    fn query() -> ConsentQuery {
        ConsentQuery {
            patient: PATIENT,
            grantee: INSURER,
            purpose: ConsentPurpose::Payment,
            kind: RecordKind::LabResult,
            actions: actions::ACCESS,
            at: 150,
        }
    }

    #[test]
    fn a_matching_permit_permits() {
        assert!(is_permitted([&consent(Decision::Permit)], &query()));
    }

    #[test]
    fn deny_overrides_permit_in_any_order() {
        let (permit, deny) = (consent(Decision::Permit), consent(Decision::Deny));
        assert_eq!(evaluate([&permit, &deny], &query()), Verdict::Deny);
        assert_eq!(evaluate([&deny, &permit], &query()), Verdict::Deny);
        assert!(!is_permitted([&permit, &deny], &query()));
    }

    #[test]
    fn no_consent_is_not_permission() {
        assert_eq!(evaluate([], &query()), Verdict::NoConsent);
    }

    #[test]
    fn every_field_of_the_query_must_match() {
        let permit = consent(Decision::Permit);
        let misses = [
            ConsentQuery {
                patient: INSURER,
                ..query()
            },
            ConsentQuery {
                grantee: PATIENT,
                ..query()
            },
            ConsentQuery {
                purpose: ConsentPurpose::Research,
                ..query()
            },
            ConsentQuery {
                kind: RecordKind::Imaging,
                ..query()
            },
            ConsentQuery {
                actions: actions::DISCLOSE,
                ..query()
            },
            ConsentQuery {
                actions: actions::ALL,
                ..query()
            },
            ConsentQuery {
                actions: 0,
                ..query()
            },
            ConsentQuery { at: 99, ..query() },
            ConsentQuery { at: 200, ..query() },
        ];
        for miss in misses {
            assert_eq!(evaluate([&permit], &miss), Verdict::NoConsent, "{miss:?}");
        }
        assert!(is_permitted(
            [&permit],
            &ConsentQuery { at: 100, ..query() }
        ));
        assert!(is_permitted(
            [&permit],
            &ConsentQuery { at: 199, ..query() }
        ));
    }

    #[test]
    fn a_revoked_consent_neither_permits_nor_denies() {
        let mut revoked = consent(Decision::Deny);
        revoked.status = ConsentStatus::Revoked;
        revoked.revoked_at = Some(120);
        assert_eq!(
            evaluate([&revoked, &consent(Decision::Permit)], &query()),
            Verdict::Permit
        );
    }
}
