//! The programs' `emit_cpi!` events, decoded from a transaction's inner
//! instructions (a self-invocation whose data is Anchor's event tag, the
//! event's discriminator, then the Borsh-encoded event).

use {
    crate::backend::TransactionRecord,
    anchor_lang::{prelude::Pubkey, AnchorDeserialize, Discriminator},
};

macro_rules! panacea_events {
    ($($program:ident :: $name:ident),* $(,)?) => {
        /// Every event of the four programs.
        #[derive(Clone, Debug)]
        pub enum PanaceaEvent {
            $($name(::$program::events::$name),)*
        }

        impl PanaceaEvent {
            /// Decodes one self-invocation of `program` carrying `data`.
            pub fn decode(program: &Pubkey, data: &[u8]) -> Option<Self> {
                let body = data.strip_prefix(anchor_lang::event::EVENT_IX_TAG_LE)?;
                $(
                    if *program == ::$program::ID {
                        if let Some(mut rest) = body.strip_prefix(::$program::events::$name::DISCRIMINATOR) {
                            return ::$program::events::$name::deserialize(&mut rest)
                                .ok()
                                .map(PanaceaEvent::$name);
                        }
                    }
                )*
                None
            }

            /// The event's name, as in the IDL.
            pub fn name(&self) -> &'static str {
                match self {
                    $(PanaceaEvent::$name(_) => stringify!($name),)*
                }
            }
        }
    };
}

// The events of every program, as the committed IDL lists them (build.rs).
include!(concat!(env!("OUT_DIR"), "/events.rs"));

/// The Panacea events a landed transaction emitted, in order.
pub fn events_of(tx: &TransactionRecord) -> Vec<PanaceaEvent> {
    tx.inner_instructions
        .iter()
        .filter_map(|(program, data)| PanaceaEvent::decode(program, data))
        .collect()
}

impl PanaceaEvent {
    /// The patient (wallet) the event is about, when it names one.
    pub fn patient(&self) -> Option<Pubkey> {
        use PanaceaEvent as E;
        Some(match self {
            E::PatientRegistered(e) => e.patient,
            E::GuardianChanged(e) => e.patient,
            E::EncryptionKeyRotated(e) if e.holder == records::state::KeyHolder::Patient => {
                e.authority
            }
            E::PatientClosed(e) => e.patient,
            E::RecordIssued(e) => e.patient,
            E::RecordSuperseded(e) => e.patient,
            E::RecordRetracted(e) => e.patient,
            E::RecordErased(e) => e.patient,
            E::RecordRekeyed(e) => e.patient,
            E::AccessGranted(e) => e.patient,
            E::AccessRevoked(e) => e.patient,
            E::AccessRequested(e) => e.patient,
            E::AccessRequestDenied(e) => e.patient,
            E::AccessRequestCancelled(e) => e.patient,
            E::AccessLogged(e) => e.patient,
            E::GrantKeyUpdated(e) => e.patient,
            E::GrantClosed(e) => e.patient,
            E::ConsentChanged(e) => e.patient,
            E::ConsentClosed(e) => e.patient,
            E::ConsentEpochChanged(e) => e.patient,
            E::PolicyCreated(e) => e.patient,
            E::ClaimSubmitted(e) => e.patient,
            E::CompressedRecordWritten(e) => e.record.as_ref()?.patient,
            E::ContributionOffered(e) => e.patient,
            E::ContributionAccepted(e) => e.patient,
            E::ContributionRejected(e) => e.patient,
            E::ContributionSettled(e) => e.patient,
            E::ContributionCancelled(e) => e.patient,
            E::ContributionClosed(e) => e.patient,
            E::PatientTallyClosed(e) => e.patient,
            _ => return None,
        })
    }

    /// The patient profile (`Patient` account) the event is about, for the
    /// events that name the account rather than the wallet: the guardian's
    /// key rotation.
    pub fn patient_profile(&self) -> Option<Pubkey> {
        match self {
            PanaceaEvent::EncryptionKeyRotated(e)
                if e.holder == records::state::KeyHolder::Guardian =>
            {
                Some(e.account)
            }
            _ => None,
        }
    }

    /// The policy the event is about, for claims events.
    pub fn policy(&self) -> Option<Pubkey> {
        use PanaceaEvent as E;
        Some(match self {
            E::PolicyCreated(e) => e.policy,
            E::PolicyFunded(e) => e.policy,
            E::FundsWithdrawn(e) => e.policy,
            E::PolicyClosed(e) => e.policy,
            E::ClaimSubmitted(e) => e.policy,
            E::ClaimStatusChanged(e) => e.policy,
            E::ClaimSettled(e) => e.policy,
            E::ClaimClosed(e) => e.policy,
            E::ClaimedRecordClosed(e) => e.policy,
            E::ProviderUsageClosed(e) => e.policy,
            _ => return None,
        })
    }

    /// The bounty the event is about, for bounties events.
    pub fn bounty(&self) -> Option<Pubkey> {
        use PanaceaEvent as E;
        Some(match self {
            E::BountyCreated(e) => e.bounty,
            E::BountyFunded(e) => e.bounty,
            E::BountyFundsWithdrawn(e) => e.bounty,
            E::BountyIntakeClosed(e) => e.bounty,
            E::BountyCancelled(e) => e.bounty,
            E::BountyClosed(e) => e.bounty,
            E::ContributionOffered(e) => e.bounty,
            E::ContributionAccepted(e) => e.bounty,
            E::ContributionRejected(e) => e.bounty,
            E::ContributionSettled(e) => e.bounty,
            E::ContributionCancelled(e) => e.bounty,
            E::ContributionClosed(e) => e.bounty,
            E::PatientTallyClosed(e) => e.bounty,
            _ => return None,
        })
    }
}

impl PanaceaEvent {
    /// The member who signed for an entity, when a member (not the entity's
    /// authority) did.
    pub fn actor_member(&self) -> Option<Pubkey> {
        use PanaceaEvent as E;
        match self {
            E::RecordIssued(e) => e.actor_member,
            E::RecordSuperseded(e) => e.actor_member,
            E::RecordRetracted(e) => e.actor_member,
            E::AccessGranted(e) => e.actor_member,
            E::AccessRequested(e) => e.actor_member,
            E::AccessRequestCancelled(e) => e.actor_member,
            E::AccessLogged(e) => e.actor_member,
            E::MemberAdded(e) => e.actor_member,
            E::MemberUpdated(e) => e.actor_member,
            E::MemberStatusChanged(e) => e.actor_member,
            E::MemberClosed(e) => e.actor_member,
            E::ClaimSubmitted(e) => e.actor_member,
            E::ClaimStatusChanged(e) => e.actor_member,
            E::ContributionAccepted(e) => e.actor_member,
            E::ContributionRejected(e) => e.actor_member,
            _ => None,
        }
    }

    /// The entity (its authority key) on whose behalf the event's actor
    /// acted, for the events an entity (or a member for it) causes.
    pub fn acting_entity(&self) -> Option<Pubkey> {
        use PanaceaEvent as E;
        Some(match self {
            E::RecordIssued(e) => e.issuer,
            E::RecordSuperseded(e) => e.actor,
            E::RecordRetracted(e) => e.issuer,
            E::AccessGranted(e) if e.emergency => e.grantee,
            E::AccessRequested(e) => e.requester,
            E::AccessRequestCancelled(e) if e.actor_member.is_some() || e.actor == e.requester => {
                e.requester
            }
            E::AccessLogged(e) => e.grantee,
            E::MemberAdded(e) => e.entity,
            E::MemberUpdated(e) => e.entity,
            E::MemberStatusChanged(e) => e.entity,
            E::MemberClosed(e) => e.entity,
            E::ClaimSubmitted(e) => e.provider,
            E::ClaimStatusChanged(e) => e.actor,
            E::ContributionAccepted(e) => e.researcher,
            E::ContributionRejected(e) => e.researcher,
            _ => return None,
        })
    }
}
