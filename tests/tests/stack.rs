//! Issue 13, item 7: every instruction fits well inside the 4 KiB stack
//! frame of an SBF program.
//!
//! On SBF each function gets one 4 KiB frame; Anchor builds an
//! instruction's `Accounts` struct in one function (`try_accounts`) and the
//! handler then builds the accounts' new state and its events as locals.
//! `size_of` on the host (64-bit, the same pointer size and alignment as
//! SBF) is the proxy: for each instruction, the `Accounts` struct plus the
//! largest account state or event value of its program (an upper bound on
//! the handler's largest local: `set_inner(T { .. })` and `emit_cpi!(E { ..
//! })` build one such value on the stack) must stay within half a frame.
//! Large accounts are boxed (`Box<Account<..>>`, 8 bytes on the stack).
//! The margins are printed (`cargo test -p panacea-tests --test stack --
//! --nocapture`).

use {::consent as consent_program, std::mem::size_of};

/// One SBF stack frame.
const SBF_FRAME: usize = 4096;
/// What an instruction may use of it, leaving the rest to Anchor's own
/// locals (the `Bumps` struct, account infos, borsh buffers).
const BUDGET: usize = SBF_FRAME / 2;

macro_rules! largest {
    ($($ty:ty),* $(,)?) => {
        [$(size_of::<$ty>()),*].into_iter().max().unwrap_or(0)
    };
}

macro_rules! accounts {
    ($program:ident: $($ix:ident),* $(,)?) => {
        vec![$((
            concat!(stringify!($program), "::", stringify!($ix)),
            size_of::<$program::instructions::$ix<'static>>(),
        )),*]
    };
}

fn records_local() -> usize {
    use records::{events::*, state::*};
    largest!(
        AccessRequest,
        RegistryConfig,
        Entity,
        Grant,
        Patient,
        Record,
        RegistryInitialized,
        RegistryUpdated,
        EntityRegistered,
        EntityStatusChanged,
        EntityRenewed,
        PatientRegistered,
        GuardianChanged,
        PatientClosed,
        RecordIssued,
        RecordSuperseded,
        RecordRetracted,
        RecordErased,
        AccessGranted,
        AccessRevoked,
        AccessRequested,
        AccessRequestDenied,
        AccessLogged,
        RecordRekeyed,
        GrantKeyUpdated,
        GrantClosed,
        AccessRequestCancelled,
        RecordBookInitialized,
        EmergencyCustodians,
        EmergencyCustodiansSet,
        Member,
        MemberAdded,
        MemberUpdated,
        MemberStatusChanged,
        MemberClosed,
    )
}

fn consent_local() -> usize {
    use ::consent::{events::*, message::ConsentMessage, state::*};
    largest!(
        Consent,
        ConsentEpoch,
        ConsentMessage,
        ConsentChanged,
        ConsentClosed,
        ConsentEpochChanged,
    )
}

fn claims_local() -> usize {
    use claims::{events::*, state::*};
    largest!(
        Claim,
        ClaimedRecord,
        Policy,
        ProviderUsage,
        PolicyCreated,
        PolicyFunded,
        FundsWithdrawn,
        PolicyClosed,
        ClaimSubmitted,
        ClaimStatusChanged,
        ClaimSettled,
        ClaimClosed,
        ProviderUsageClosed,
        ClaimedRecordClosed,
    )
}

fn bounties_local() -> usize {
    use bounties::{events::*, state::*};
    largest!(
        Bounty,
        Contribution,
        PatientTally,
        BountyCreated,
        BountyFunded,
        BountyFundsWithdrawn,
        BountyIntakeClosed,
        BountyCancelled,
        BountyClosed,
        ContributionOffered,
        ContributionAccepted,
        ContributionRejected,
        ContributionSettled,
        ContributionCancelled,
        ContributionClosed,
        PatientTallyClosed,
        // The consent and grant a review reads (`research_permission`).
        consent_program::state::Consent,
        records::state::Grant,
        records::state::Record,
    )
}

#[test]
fn every_instruction_fits_well_inside_an_sbf_stack_frame() {
    let programs = [
        (
            records_local(),
            accounts!(records:
                InitializeRegistry, UpdateRegistry, InitializeRecordBook, RegisterEntity,
                SetEntityStatus, RenewEntity, RegisterPatient, SetGuardian, ClosePatient,
                GrantAccess, RevokeAccess, ApproveAccessRequest, DenyAccessRequest,
                EraseRecord, RekeyRecord, UpdateGrantKey, CloseGrant, IssueRecord,
                AmendRecord, RetractRecord, RequestAccess, CancelAccessRequest,
                EmergencyAccess, LogAccess, SetEmergencyCustodians, AddMember, UpdateMember,
                ChangeMemberStatus, CloseMember,
            ),
        ),
        (
            consent_local(),
            accounts!(consent_program:
                GrantConsent, RevokeConsent, GrantConsentSigned, RevokeConsentSigned,
                CloseConsent,
            ),
        ),
        (
            claims_local(),
            accounts!(claims:
                CreatePolicy, FundPolicy, WithdrawUnreserved, ClosePolicy, VoidClaim,
                SubmitClaim, AppealClaim, WithdrawClaim, ReinstateClaim, DisputeClaim,
                DecideClaim, SettleClaim, ExpireClaim, CloseClaim, CloseClaimedRecord,
                CloseProviderUsage,
            ),
        ),
        (
            bounties_local(),
            accounts!(bounties:
                CreateBounty, FundBounty, CloseIntake, CancelBounty, WithdrawUnreserved,
                CloseBounty, OfferContribution, AcceptContribution, RejectContribution,
                SettleContribution, CancelContribution, CloseContribution, ClosePatientTally,
            ),
        ),
    ];
    let mut count = 0;
    let mut tightest = (SBF_FRAME, "");
    for (local, instructions) in programs {
        for (name, accounts) in instructions {
            let used = accounts + local;
            println!(
                "{name:<36} accounts {accounts:>5} B + largest local {local:>4} B = {used:>5} B \
                 of {SBF_FRAME} B (margin {} B)",
                SBF_FRAME - used
            );
            assert!(
                used <= BUDGET,
                "{name}: {used} bytes on the stack, over {BUDGET} (half a 4 KiB SBF frame): \
                 box its largest accounts"
            );
            tightest = tightest.min((SBF_FRAME - used, name));
            count += 1;
        }
    }
    assert_eq!(
        count,
        29 + 5 + 16 + 13,
        "every instruction of the four programs"
    );
    println!(
        "tightest: {} with {} bytes of margin",
        tightest.1, tightest.0
    );
}
