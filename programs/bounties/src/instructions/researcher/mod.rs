//! Signed by the bounty's researcher (its authority; a Researcher member
//! for reviews).

pub mod accept_contribution;
pub mod cancel_bounty;
pub mod close_bounty;
pub mod close_intake;
pub mod create_bounty;
pub mod reject_contribution;
pub mod withdraw_unreserved;

#[allow(ambiguous_glob_reexports)]
pub use {
    accept_contribution::*, cancel_bounty::*, close_bounty::*, close_intake::*, create_bounty::*,
    reject_contribution::*, withdraw_unreserved::*,
};
