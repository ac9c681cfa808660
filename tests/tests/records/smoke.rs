use {panacea_tests::*, records::state::*, solana_signer::Signer};

#[test]
fn lab_issues_a_record_token_to_a_patient() {
    let mut world = World::new();
    let lab = world.lab();
    let patient = world.patient();
    let id = world.issue(&lab, &patient.pubkey(), RecordKind::LabResult);
    let addrs = panacea_sdk::records::RecordAddresses::new(&patient.pubkey(), &id);
    let record: Record = world.account(&addrs.record);
    assert_eq!(record.issuer, lab.pubkey());
    assert_eq!(world.mint(&addrs.mint).supply, 1);
    assert_eq!(world.token_amount(&addrs.token_account), 1);
}
