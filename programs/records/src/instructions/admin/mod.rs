//! Registry administration: the registry admin (in production a multisig).

pub mod initialize_record_book;
pub mod initialize_registry;
pub mod register_entity;
pub mod renew_entity;
pub mod set_emergency_custodians;
pub mod set_entity_status;
pub mod update_registry;

#[allow(ambiguous_glob_reexports)]
pub use {
    initialize_record_book::*, initialize_registry::*, register_entity::*, renew_entity::*,
    set_emergency_custodians::*, set_entity_status::*, update_registry::*,
};
