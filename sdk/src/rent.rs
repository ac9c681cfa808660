//! What state costs: the rent of every account kind, and of each
//! high-level operation (all of it refunded when the accounts are closed,
//! except a patient's `ConsentEpoch`, which is never closed: it is what
//! keeps a signed consent message from outliving the consent it names).

use {
    crate::{backend::Backend, error::Result},
    anchor_lang::Space,
};

/// The record book metadata URI the SDK and the CLI create books with.
pub const RECORD_BOOK_URI: &str = "https://panacea.health/record-book.json";
/// Bytes of an SPL Token account without extensions (a policy vault).
pub const TOKEN_ACCOUNT_LEN: usize = <anchor_spl::token_2022::spl_token_2022::state::Account as anchor_lang::solana_program::program_pack::Pack>::LEN;

/// Sizes in bytes of every account kind.
pub fn account_sizes() -> Vec<(&'static str, usize)> {
    vec![
        (
            "RegistryConfig",
            8 + records::state::RegistryConfig::INIT_SPACE,
        ),
        ("Entity", 8 + records::state::Entity::INIT_SPACE),
        ("Patient", 8 + records::state::Patient::INIT_SPACE),
        ("Record", records::state::Record::SPACE),
        (
            "record book mint (one per deployment)",
            records::token::record_book_space(RECORD_BOOK_URI).expect("record book size"),
        ),
        (
            "record book account (one per patient)",
            records::token::record_book_account_space().expect("book account size"),
        ),
        ("Grant", 8 + records::state::Grant::INIT_SPACE),
        (
            "AccessRequest",
            8 + records::state::AccessRequest::INIT_SPACE,
        ),
        (
            "EmergencyCustodians (one per deployment)",
            8 + records::state::EmergencyCustodians::INIT_SPACE,
        ),
        ("Consent", 8 + consent::state::Consent::INIT_SPACE),
        ("ConsentEpoch", 8 + consent::state::ConsentEpoch::INIT_SPACE),
        ("Policy", 8 + claims::state::Policy::INIT_SPACE),
        ("policy vault", TOKEN_ACCOUNT_LEN),
        ("Claim", 8 + claims::state::Claim::INIT_SPACE),
        ("ClaimedRecord", claims::state::ClaimedRecord::SPACE),
        ("ProviderUsage", claims::state::ProviderUsage::SPACE),
        (
            "RecordTree, depth 14 (16,384 compressed records; buffer 64, canopy 10)",
            record_tree_space(14),
        ),
        (
            "RecordTree, depth 20 (1,048,576 compressed records; buffer 64, canopy 10)",
            record_tree_space(20),
        ),
        (
            "RecordTree, depth 24 (16,777,216 compressed records; buffer 64, canopy 10)",
            record_tree_space(24),
        ),
        ("Member", records::state::Member::SPACE),
        ("Bounty", 8 + bounties::state::Bounty::INIT_SPACE),
        ("bounty vault", TOKEN_ACCOUNT_LEN),
        (
            "Contribution",
            8 + bounties::state::Contribution::INIT_SPACE,
        ),
        (
            "PatientTally",
            8 + bounties::state::PatientTally::INIT_SPACE,
        ),
    ]
}

/// Bytes of a record tree of `depth` with buffer 64 and canopy 10.
fn record_tree_space(depth: u8) -> usize {
    crate::records::record_tree_space(depth, 64, 10).expect("valid tree dimensions")
}

/// One line of the rent table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RentRow {
    pub name: &'static str,
    pub bytes: usize,
    pub lamports: u64,
}

/// The rent of every account kind on the backend's cluster.
pub async fn account_rent(backend: &impl Backend) -> Result<Vec<RentRow>> {
    let mut rows = Vec::new();
    for (name, bytes) in account_sizes() {
        rows.push(RentRow {
            name,
            bytes,
            lamports: backend.minimum_balance_for_rent_exemption(bytes).await?,
        });
    }
    Ok(rows)
}

/// The rent each high-level operation pays, from the account table.
pub fn operation_rent(accounts: &[RentRow]) -> Vec<(&'static str, u64)> {
    let of = |name: &str| {
        accounts
            .iter()
            .find(|r| r.name == name)
            .map(|r| r.lamports)
            .unwrap_or_default()
    };
    vec![
        ("register entity", of("Entity")),
        (
            "register patient (profile and record book account)",
            of("Patient") + of("record book account (one per patient)"),
        ),
        ("issue or amend a record", of("Record")),
        ("grant access / approve a request", of("Grant")),
        ("request access", of("AccessRequest")),
        ("grant consent", of("Consent")),
        (
            "a patient's first consent (ConsentEpoch kept)",
            of("Consent") + of("ConsentEpoch"),
        ),
        ("create a policy", of("Policy") + of("policy vault")),
        (
            "submit a claim with 1 record",
            of("Claim") + of("ClaimedRecord"),
        ),
        (
            "a provider's first claim on a policy (once)",
            of("ProviderUsage"),
        ),
        (
            "submit a claim with 8 records",
            of("Claim") + 8 * of("ClaimedRecord"),
        ),
        ("add a member (staff)", of("Member")),
        ("create a bounty", of("Bounty") + of("bounty vault")),
        (
            "offer a record to a bounty (grant + contribution)",
            of("Grant") + of("Contribution"),
        ),
        (
            "a patient's first offer to a bounty (once)",
            of("PatientTally"),
        ),
    ]
}
