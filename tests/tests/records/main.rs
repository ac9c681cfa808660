//! The `records` program, told as stories through the fixture layer:
//! each module follows one actor or flow, happy path first, then the
//! attacks that must fail with the expected error and change nothing.

mod access;
mod attacks_book;
mod attacks_keys;
mod attacks_review;
mod compressed;
mod compressed_review;
mod custodians;
mod emergency;
mod guardian_keys;
mod issuance;
mod keys;
mod lifecycle;
mod members;
mod members_review;
mod registry;
mod rent;
mod review;
mod runtime;
mod security;
mod stranded;
mod support;
mod tokens;
