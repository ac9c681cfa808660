//! The `claims` program: insurer escrow, claims checked against credentials,
//! consent and records, paid by rule or after adjudication.

mod attacks;
mod attacks_ledger;
mod attacks_review;
mod caps;
mod compressed;
mod deductible;
mod flows;
mod layouts;
mod members;
mod members_review;
mod mint;
mod random;
mod review;
mod setup;
mod timeouts;
mod void;
