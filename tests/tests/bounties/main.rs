//! The `bounties` program: researchers pay patients for records contributed
//! under Research consent, from an escrow vault checked after every change.

mod attacks;
mod caps;
mod compressed;
mod consent;
mod grant;
mod layouts;
mod life;
mod mint;
mod records;
mod review;
mod withdrawal;
