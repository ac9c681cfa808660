//! Instructions a credentialed entity signs: issuing and amending records,
//! retracting its own records, requesting access, break-glass access,
//! rotating its encryption key.

pub mod amend_record;
pub mod cancel_access_request;
pub mod emergency_access;
pub mod issue_record;
pub mod request_access;
pub mod retract_record;
pub mod update_entity_encryption_key;

#[allow(ambiguous_glob_reexports)]
pub use {
    amend_record::*, cancel_access_request::*, emergency_access::*, issue_record::*,
    request_access::*, retract_record::*, update_entity_encryption_key::*,
};

use {
    crate::{errors::RecordsError, state::*},
    anchor_lang::prelude::*,
};

/// An entity acts only while Active and unexpired.
pub(crate) fn require_active(entity: &Entity, now: i64) -> Result<()> {
    require!(entity.is_active(now), RecordsError::EntityNotActive);
    Ok(())
}

pub mod amend_compressed_record;
pub mod issue_compressed_record;
pub mod retract_compressed_record;
#[allow(ambiguous_glob_reexports)]
pub use {amend_compressed_record::*, issue_compressed_record::*, retract_compressed_record::*};
