//! The `consent` program: patients (or guardians) consent per purpose,
//! directly or through a relayer with a wallet-signed message.

mod attacks_envelope;
mod attacks_review;
mod direct;
mod signed;
