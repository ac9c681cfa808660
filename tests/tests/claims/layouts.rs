//! Issue 13, item 2: the programs own the byte offsets clients list
//! accounts by (`getProgramAccounts` memcmp filters). Each constant is
//! checked here against an account the programs actually wrote.

use {
    super::setup::*,
    anchor_lang::{prelude::Pubkey, AccountSerialize},
    panacea_sdk::consent as cx,
    panacea_tests::*,
    records::state::{
        access_request_offsets, grant_offsets, record_offsets, AccessRequest, GrantScope, Purpose,
        RecordKind,
    },
    solana_signer::Signer,
};

/// The 32 bytes at `offset` of the account at `address`.
fn key_at(world: &World, address: &Pubkey, offset: usize) -> Pubkey {
    let data = world.raw(address).expect("account").data;
    Pubkey::try_from(&data[offset..offset + 32]).unwrap()
}

#[test]
fn listing_offsets_match_the_accounts_the_programs_write() {
    let mut s = insured(anchor_spl::token::ID);
    let patient = s.patient.pubkey();
    let provider = s.provider.pubkey();
    let insurer = s.insurer.pubkey();

    let record = s.record(RecordKind::LabResult);
    assert_eq!(key_at(&s.world, &record, record_offsets::PATIENT), patient);
    assert_eq!(key_at(&s.world, &record, record_offsets::ISSUER), provider);

    let grantee = s.world.wallet().pubkey();
    let patient_key = s.patient.insecure_clone();
    let grant = s.world.grant_record(
        &patient_key,
        &grantee,
        &record,
        records::state::permissions::READ,
        DAY,
    );
    assert_eq!(key_at(&s.world, &grant, grant_offsets::PATIENT), patient);
    assert_eq!(key_at(&s.world, &grant, grant_offsets::GRANTEE), grantee);

    let consent = cx::consent_address(
        &patient,
        &insurer,
        ::consent::state::ConsentPurpose::Payment,
    );
    use ::consent::state::consent_offsets;
    assert_eq!(
        key_at(&s.world, &consent, consent_offsets::PATIENT),
        patient
    );
    assert_eq!(
        key_at(&s.world, &consent, consent_offsets::GRANTEE),
        insurer
    );

    use claims::state::{claim_offsets, policy_offsets};
    assert_eq!(
        key_at(&s.world, &s.policy, policy_offsets::INSURER),
        insurer
    );
    assert_eq!(
        key_at(&s.world, &s.policy, policy_offsets::PATIENT),
        patient
    );
    let claim = s.submit(100_000);
    assert_eq!(key_at(&s.world, &claim, claim_offsets::POLICY), s.policy);
    assert_eq!(key_at(&s.world, &claim, claim_offsets::PROVIDER), provider);
    assert_eq!(key_at(&s.world, &claim, claim_offsets::PATIENT), patient);

    // An access request, serialized as the program writes it.
    let requester = Pubkey::new_unique();
    let request = AccessRequest {
        version: 1,
        bump: 255,
        patient,
        requester,
        target: record,
        scope: GrantScope::Record,
        target_serial: 7,
        kinds: 1,
        permissions: 1,
        purpose: Purpose::Treatment,
        duration: DAY,
        reason_code: 1,
        created_at: 0,
        rent_payer: requester,
    };
    let mut data = Vec::new();
    request.try_serialize(&mut data).unwrap();
    let at = |offset: usize| Pubkey::try_from(&data[offset..offset + 32]).unwrap();
    assert_eq!(at(access_request_offsets::PATIENT), patient);
    assert_eq!(at(access_request_offsets::REQUESTER), requester);
}
