//! The `consent` program: patients (or guardians) consent per purpose,
//! directly or through a relayer with a wallet-signed message.

mod direct;
mod signed;
