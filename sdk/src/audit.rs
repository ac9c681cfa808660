//! A patient's audit trail (who issued, granted, accessed, consented,
//! claimed, contributed to research, paid; in time order), and its export
//! as FHIR R4 resources: consents as `Consent`, accesses as `AuditEvent`,
//! research bounties as `ResearchStudy` and contributions as
//! `ResearchSubject`. Identifiers are
//! on-chain addresses (pseudonymous); no PHI is involved.

use {
    crate::{
        backend::Backend,
        client::PanaceaClient,
        error::Result,
        events::{events_of, PanaceaEvent},
    },
    anchor_lang::prelude::Pubkey,
    bounties::state::{Bounty, BountyStatus, Contribution, ContributionStatus},
    consent::state::{actions, Consent, ConsentPurpose, ConsentStatus, Decision},
    serde_json::{json, Value},
    solana_signature::Signature,
    std::collections::BTreeSet,
};

/// One event in a patient's trail.
#[derive(Clone, Debug)]
pub struct AuditEntry {
    pub signature: Signature,
    pub slot: u64,
    /// Cluster time of the transaction, when known.
    pub time: Option<i64>,
    pub event: PanaceaEvent,
}

/// Every Panacea event about `patient`, oldest first.
pub async fn audit_trail<B: Backend>(
    client: &PanaceaClient<B>,
    patient: &Pubkey,
) -> Result<Vec<AuditEntry>> {
    let policies: Vec<Pubkey> = client
        .policies_of_patient(patient)
        .await?
        .into_iter()
        .map(|(a, _)| a)
        .collect();
    let mut addresses = vec![*patient, records::pda::patient(patient).0];
    addresses.extend(policies.iter().copied());
    for (address, _) in client.records_of_patient(patient).await? {
        addresses.push(address);
    }
    for (address, _) in client.consents_of_patient(patient).await? {
        addresses.push(address);
    }
    // A compressed record is no account: the accesses logged on it are
    // found through the grants they were logged under.
    for (address, _) in client.grants_of_patient(patient).await? {
        addresses.push(address);
    }
    for policy in &policies {
        for (address, _) in client.claims_of_policy(policy).await? {
            addresses.push(address);
        }
    }
    // The patient's contributions to research bounties: each one, and its
    // bounty and tally (every review or settlement names the bounty). A
    // closed contribution is no longer listed: its bounty is learned from
    // the offer, which names the patient's profile, in a second pass.
    let mut bounties = BTreeSet::new();
    for (address, contribution) in client.contributions_of_patient(patient).await? {
        addresses.push(address);
        bounties.insert(contribution.bounty);
    }
    let with_bounty = |bounty: &Pubkey| [*bounty, crate::bounties::tally_address(bounty, patient)];
    for bounty in &bounties {
        addresses.extend(with_bounty(bounty));
    }

    let mut scanned = BTreeSet::new();
    let mut entries = Vec::new();
    let mut pending = addresses;
    while !pending.is_empty() {
        let mut signatures = BTreeSet::new();
        for address in &pending {
            signatures.extend(client.backend().signatures_for_address(address).await?);
        }
        pending = Vec::new();
        for signature in signatures {
            if !scanned.insert(signature) {
                continue;
            }
            let Some(tx) = client.backend().transaction(&signature).await? else {
                continue;
            };
            for event in events_of(&tx) {
                let about_patient = event.patient() == Some(*patient)
                    || event.policy().is_some_and(|p| policies.contains(&p))
                    || event.patient_profile() == Some(records::pda::patient(patient).0);
                if !about_patient {
                    continue;
                }
                if let Some(bounty) = event.bounty() {
                    if bounties.insert(bounty) {
                        pending.extend(with_bounty(&bounty));
                    }
                }
                entries.push(AuditEntry {
                    signature,
                    slot: tx.slot,
                    time: tx.block_time,
                    event,
                });
            }
        }
    }
    // Stable: events of one transaction keep their order.
    entries.sort_by_key(|e| (e.slot, e.time));
    Ok(entries)
}

/// ISO 8601 UTC date-time of a Unix time (FHIR `instant`/`dateTime`).
pub fn iso8601(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

fn wallet(key: &Pubkey) -> Value {
    json!({ "identifier": { "system": "urn:solana:address", "value": key.to_string() } })
}

/// The FHIR `AuditEvent.agent` list of an action.
///
/// - A member acted (`member` is Some) for the entity whose authority is
///   `organisation`: two agents, the practitioner (the member's key,
///   participation type PRF "performer", the requestor, with the
///   `auditevent-OnBehalfOf` extension naming the organisation), then the
///   organisation (not the requestor).
/// - Otherwise one agent, `who` (the requestor), typed `Organization` when
///   it is the entity the event names.
pub fn fhir_agents(who: &Pubkey, organisation: Option<&Pubkey>, member: Option<&Pubkey>) -> Value {
    let reference = |kind: &str, key: &Pubkey| json!({ "type": kind, "identifier": { "system": "urn:solana:address", "value": key.to_string() } });
    match (member, organisation) {
        (Some(member), Some(organisation)) => json!([
            {
                "type": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "code": "PRF", "display": "performer" }] },
                "who": reference("Practitioner", member),
                "requestor": true,
                "extension": [{
                    "url": "http://hl7.org/fhir/StructureDefinition/auditevent-OnBehalfOf",
                    "valueReference": reference("Organization", organisation)
                }]
            },
            { "who": reference("Organization", organisation), "requestor": false }
        ]),
        _ if organisation == Some(who) => {
            json!([{ "who": reference("Organization", who), "requestor": true }])
        }
        _ => json!([{ "who": wallet(who), "requestor": true }]),
    }
}

fn purpose_code(purpose: ConsentPurpose) -> &'static str {
    // HL7 v3 ActReason codes.
    match purpose {
        ConsentPurpose::Treatment => "TREAT",
        ConsentPurpose::Payment => "HPAYMT",
        ConsentPurpose::Research => "HRESCH",
        ConsentPurpose::Operations => "HOPERAT",
    }
}

/// A consent account as a FHIR R4 `Consent` resource.
pub fn consent_to_fhir(address: &Pubkey, consent: &Consent) -> Value {
    let mut provision_actions = Vec::new();
    if consent.actions & actions::ACCESS != 0 {
        provision_actions.push(json!({"coding": [{"system": "http://terminology.hl7.org/CodeSystem/consentaction", "code": "access"}]}));
    }
    if consent.actions & actions::DISCLOSE != 0 {
        provision_actions.push(json!({"coding": [{"system": "http://terminology.hl7.org/CodeSystem/consentaction", "code": "disclose"}]}));
    }
    let kinds: Vec<Value> = records::state::RecordKind::ALL
        .iter()
        .filter(|k| consent.kinds & k.bit() != 0)
        .map(|k| json!({"system": "urn:panacea:record-kind", "code": format!("{k:?}")}))
        .collect();
    let policy_hex: String = consent
        .policy_commitment
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    json!({
        "resourceType": "Consent",
        "id": address.to_string(),
        "meta": { "versionId": consent.consent_version.to_string() },
        "status": if consent.status == ConsentStatus::Active { "active" } else { "inactive" },
        "scope": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": if consent.purpose == ConsentPurpose::Research { "research" } else { "patient-privacy" } }] },
        "category": [{ "coding": [{ "system": "http://loinc.org", "code": "59284-0" }] }],
        "patient": wallet(&consent.patient),
        "dateTime": iso8601(consent.updated_at),
        "policy": [{ "uri": format!("urn:sha256:{policy_hex}") }],
        "provision": {
            "type": if consent.decision == Decision::Permit { "permit" } else { "deny" },
            "period": { "start": iso8601(consent.period_start), "end": iso8601(consent.period_end) },
            "actor": [{
                "role": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "code": "IRCP" }] },
                "reference": wallet(&consent.grantee)
            }],
            "action": provision_actions,
            "purpose": [{ "system": "http://terminology.hl7.org/CodeSystem/v3-ActReason", "code": purpose_code(consent.purpose) }],
            "class": kinds
        }
    })
}

/// An access-related trail entry as a FHIR R4 `AuditEvent` (record issued,
/// access logged, granted, revoked, emergency); `None` for other events.
/// When a member acted for an entity, the agents are the practitioner (the
/// member) on behalf of the organisation (the entity), see [`fhir_agents`].
pub fn audit_event_to_fhir(entry: &AuditEntry) -> Option<Value> {
    // `organisation`: the entity the actor acted for, when it is one for
    // sure (an issuer, a break-glass provider; a grantee logging through a
    // member). A grantee logging alone may be a plain wallet.
    let (action, subtype, who, what, emergency, organisation) = match &entry.event {
        PanaceaEvent::AccessLogged(e) => (
            "R",
            "read",
            e.actor_member.unwrap_or(e.grantee),
            e.record,
            e.emergency,
            e.actor_member.map(|_| e.grantee),
        ),
        PanaceaEvent::AccessGranted(e) => (
            "C",
            "grant",
            e.actor,
            e.grant,
            e.emergency,
            e.emergency.then_some(e.grantee),
        ),
        PanaceaEvent::AccessRevoked(e) => ("U", "revoke", e.actor, e.grant, false, None),
        PanaceaEvent::RecordIssued(e) => (
            "C",
            "issue",
            e.actor_member.unwrap_or(e.issuer),
            e.record,
            false,
            Some(e.issuer),
        ),
        _ => return None,
    };
    let member = entry.event.actor_member();
    let mut purposes = Vec::new();
    if emergency {
        purposes.push(json!({"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActReason", "code": "ETREAT"}]}));
    }
    Some(json!({
        "resourceType": "AuditEvent",
        "id": format!("{}-{}", entry.signature, subtype),
        "type": { "system": "http://dicom.nema.org/resources/ontology/DCM", "code": "110110", "display": "Patient Record" },
        "subtype": [{ "system": "urn:panacea:event", "code": entry.event.name() }],
        "action": action,
        "recorded": iso8601(entry.time.unwrap_or_default()),
        "outcome": "0",
        "purposeOfEvent": purposes,
        "agent": fhir_agents(&who, organisation.as_ref(), member.as_ref()),
        "source": { "observer": { "identifier": { "system": "urn:solana:transaction", "value": entry.signature.to_string() } } },
        "entity": [{ "what": wallet(&what) }],
    }))
}

fn hex(bytes: &[u8; 32]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn identifier(system: &str, value: String) -> Value {
    json!({ "system": system, "value": value })
}

/// A bounty as a FHIR R4 `ResearchStudy`: its terms by commitment (the
/// study and the consent text as `urn:sha256:` identifiers), its status at
/// `now` (active while intake is open, withdrawn once cancelled, else
/// closed to accrual), the intake period, the researcher as sponsor, the
/// record kinds wanted as keywords, and extensions for the compute-to-data
/// algorithm (or `none (raw access)`) and the reward per record.
pub fn bounty_to_research_study(address: &Pubkey, bounty: &Bounty, now: i64) -> Value {
    let status = if bounty.intake_open(now) {
        "active"
    } else if bounty.status == BountyStatus::Cancelled {
        "withdrawn"
    } else {
        "closed-to-accrual"
    };
    let keywords: Vec<Value> = records::state::RecordKind::ALL
        .iter()
        .filter(|k| bounty.kinds & k.bit() != 0)
        .map(|k| json!({"coding": [{"system": "urn:panacea:record-kind", "code": format!("{k:?}")}]}))
        .collect();
    let algorithm = match &bounty.algorithm {
        Some(hash) => format!("urn:sha256:{}", hex(hash)),
        None => "none (raw access)".to_string(),
    };
    json!({
        "resourceType": "ResearchStudy",
        "id": address.to_string(),
        "identifier": [
            identifier("urn:panacea:bounty", address.to_string()),
            identifier("urn:panacea:study-commitment", format!("urn:sha256:{}", hex(&bounty.study_commitment))),
            identifier("urn:panacea:consent-text", format!("urn:sha256:{}", hex(&bounty.consent_text))),
        ],
        "status": status,
        "period": { "start": iso8601(bounty.opened_at), "end": iso8601(bounty.intake_ends_at) },
        "sponsor": { "type": "Organization", "identifier": identifier("urn:solana:address", bounty.researcher.to_string()) },
        "keyword": keywords,
        "extension": [
            { "url": "urn:panacea:compute-to-data-algorithm", "valueString": algorithm },
            { "url": "urn:panacea:reward-per-record", "valueString": format!("{} base units of mint {}", bounty.reward, bounty.mint) },
        ],
    })
}

/// A contribution as a FHIR R4 `ResearchSubject`: Pending is
/// `pending-on-study`, Paid `on-study`, Rejected `ineligible`, Cancelled
/// `withdrawn`; the study is the bounty's `ResearchStudy`, the individual
/// the patient's wallet, the consent the patient's Research `Consent` at
/// `consent`; the period runs from the offer to the decision.
pub fn contribution_to_research_subject(
    address: &Pubkey,
    contribution: &Contribution,
    consent: &Pubkey,
) -> Value {
    let status = match contribution.status {
        ContributionStatus::Pending => "pending-on-study",
        ContributionStatus::Paid => "on-study",
        ContributionStatus::Rejected => "ineligible",
        ContributionStatus::Cancelled => "withdrawn",
    };
    let mut period = json!({ "start": iso8601(contribution.offered_at) });
    if let Some(decided) = contribution.decided_at {
        period["end"] = json!(iso8601(decided));
    }
    json!({
        "resourceType": "ResearchSubject",
        "id": address.to_string(),
        "identifier": [identifier("urn:panacea:contribution", address.to_string())],
        "status": status,
        "period": period,
        "study": { "reference": format!("ResearchStudy/{}", contribution.bounty) },
        "individual": { "type": "Patient", "identifier": identifier("urn:solana:address", contribution.patient.to_string()) },
        "consent": { "reference": format!("Consent/{consent}") },
    })
}

#[cfg(test)]
mod tests {
    use {
        super::{fhir_agents, iso8601},
        anchor_lang::prelude::Pubkey,
        serde_json::json,
    };

    fn entry(event: crate::events::PanaceaEvent) -> super::AuditEntry {
        super::AuditEntry {
            signature: solana_signature::Signature::from([7u8; 64]),
            slot: 10,
            time: Some(1_795_219_200),
            event,
        }
    }

    fn logged(grantee: Pubkey, member: Option<Pubkey>) -> crate::events::PanaceaEvent {
        crate::events::PanaceaEvent::AccessLogged(records::events::AccessLogged {
            grantee,
            patient: Pubkey::new_unique(),
            grant: Pubkey::new_unique(),
            record: Pubkey::new_unique(),
            purpose: records::state::Purpose::Treatment,
            emergency: false,
            access_count: 1,
            accessed_at: 1_795_219_200,
            actor_member: member,
        })
    }

    #[test]
    fn a_synthetic_entry_by_a_member_names_the_practitioner_and_the_organisation() {
        let (clinician, hospital) = (Pubkey::new_unique(), Pubkey::new_unique());
        // A read by a clinician for the hospital.
        let event = logged(hospital, Some(clinician));
        assert_eq!(event.actor_member(), Some(clinician));
        assert_eq!(event.acting_entity(), Some(hospital));
        let fhir = super::audit_event_to_fhir(&entry(event)).unwrap();
        assert_eq!(fhir["action"], "R");
        assert_eq!(
            fhir["agent"],
            fhir_agents(&clinician, Some(&hospital), Some(&clinician))
        );
        assert_eq!(fhir["agent"][0]["who"]["type"], "Practitioner");
        assert_eq!(
            fhir["agent"][0]["who"]["identifier"]["value"],
            clinician.to_string()
        );
        assert_eq!(
            fhir["agent"][1]["who"]["identifier"]["value"],
            hospital.to_string()
        );
        // The same read by the hospital's authority: one agent, as before
        // (a grantee may be a plain wallet, so untyped).
        let alone = super::audit_event_to_fhir(&entry(logged(hospital, None))).unwrap();
        assert_eq!(alone["agent"].as_array().unwrap().len(), 1);
        assert_eq!(
            alone["agent"][0]["who"]["identifier"]["value"],
            hospital.to_string()
        );
        assert_eq!(alone["agent"][0]["who"].get("type"), None);
        // An issue by a member: mapped ("C", "issue"), practitioner first.
        let record = Pubkey::new_unique();
        let issued = crate::events::PanaceaEvent::RecordIssued(records::events::RecordIssued {
            issuer: hospital,
            patient: Pubkey::new_unique(),
            record,
            kind: records::state::RecordKind::LabResult,
            record_version: 1,
            supersedes: [0; 16],
            commitment: [1; 32],
            content_commitment: [2; 32],
            serial: 1,
            origin: 1,
            actor_member: Some(clinician),
        });
        let fhir = super::audit_event_to_fhir(&entry(issued.clone())).unwrap();
        assert_eq!(
            (fhir["action"].as_str(), fhir["subtype"][0]["code"].as_str()),
            (Some("C"), Some("RecordIssued"))
        );
        assert!(fhir["id"].as_str().unwrap().ends_with("-issue"));
        assert_eq!(fhir["agent"][0]["who"]["type"], "Practitioner");
        assert_eq!(
            fhir["entity"][0]["what"]["identifier"]["value"],
            record.to_string()
        );
        // Issued by the authority: the organisation alone, typed.
        let crate::events::PanaceaEvent::RecordIssued(mut by_authority) = issued else {
            unreachable!()
        };
        by_authority.actor_member = None;
        let fhir = super::audit_event_to_fhir(&entry(crate::events::PanaceaEvent::RecordIssued(
            by_authority,
        )))
        .unwrap();
        assert_eq!(fhir["agent"], fhir_agents(&hospital, Some(&hospital), None));
        assert_eq!(fhir["agent"][0]["who"]["type"], "Organization");
    }

    #[test]
    fn a_member_is_the_practitioner_on_behalf_of_the_organisation() {
        let (clinician, hospital) = (Pubkey::new_unique(), Pubkey::new_unique());
        let agents = fhir_agents(&clinician, Some(&hospital), Some(&clinician));
        assert_eq!(agents.as_array().unwrap().len(), 2);
        assert_eq!(agents[0]["who"]["type"], "Practitioner");
        assert_eq!(
            agents[0]["who"]["identifier"]["value"],
            clinician.to_string()
        );
        assert_eq!(agents[0]["requestor"], true);
        assert_eq!(agents[0]["type"]["coding"][0]["code"], "PRF");
        assert_eq!(
            agents[0]["extension"][0]["url"],
            "http://hl7.org/fhir/StructureDefinition/auditevent-OnBehalfOf"
        );
        assert_eq!(
            agents[0]["extension"][0]["valueReference"],
            json!({"type": "Organization", "identifier": {"system": "urn:solana:address", "value": hospital.to_string()}})
        );
        assert_eq!(agents[1]["who"]["type"], "Organization");
        assert_eq!(
            agents[1]["who"]["identifier"]["value"],
            hospital.to_string()
        );
        assert_eq!(agents[1]["requestor"], false);
        // The authority itself: one agent, the organisation.
        let alone = fhir_agents(&hospital, Some(&hospital), None);
        assert_eq!(
            alone,
            json!([{"who": {"type": "Organization", "identifier": {"system": "urn:solana:address", "value": hospital.to_string()}}, "requestor": true}])
        );
        // A wallet that is no entity (a patient revoking): untyped.
        let patient = Pubkey::new_unique();
        let wallet = fhir_agents(&patient, None, None);
        assert_eq!(wallet[0]["who"].get("type"), None);
        assert_eq!(wallet[0]["who"]["identifier"]["value"], patient.to_string());
    }

    #[test]
    fn unix_times_format_as_fhir_instants() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(1_795_219_200), "2026-11-21T00:00:00Z");
        assert_eq!(iso8601(951_782_400 + 3_661), "2000-02-29T01:01:01Z");
    }
}
