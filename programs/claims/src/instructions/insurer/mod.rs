//! Instructions the insurer signs (funding may come from anyone; the
//! adjudicator may also void).

pub mod close_policy;
pub mod create_policy;
pub mod fund_policy;
pub mod void_claim;
pub mod withdraw_unreserved;

#[allow(ambiguous_glob_reexports)]
pub use {
    close_policy::*, create_policy::*, fund_policy::*, void_claim::*, withdraw_unreserved::*,
};
