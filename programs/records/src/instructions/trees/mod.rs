//! Record trees: the concurrent Merkle trees compressed records live in.
//! Created by an issuing entity (its own tree) or by the registry admin (a
//! tree shared by every active issuer), closed by their creator once empty
//! or fully erased.

pub mod close_record_tree;
pub mod create_record_tree;

#[allow(ambiguous_glob_reexports)]
pub use {close_record_tree::*, create_record_tree::*};
