//! The `claims` program: insurer escrow, claims checked against credentials,
//! consent and records, paid by rule or after adjudication.

mod attacks;
mod flows;
mod random;
mod review;
mod setup;
