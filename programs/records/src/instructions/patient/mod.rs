//! Instructions the patient signs, or the guardian the patient names.

pub mod approve_access_request;
pub mod close_grant;
pub mod close_patient;
pub mod deny_access_request;
pub mod erase_record;
pub mod grant_access;
pub mod register_patient;
pub mod rekey_record;
pub mod revoke_access;
pub mod set_guardian;
pub mod update_grant_key;
pub mod update_guardian_encryption_key;
pub mod update_patient_encryption_key;

#[allow(ambiguous_glob_reexports)]
pub use update_guardian_encryption_key::*;
#[allow(ambiguous_glob_reexports)]
pub use {
    approve_access_request::*, close_grant::*, close_patient::*, deny_access_request::*,
    erase_record::*, grant_access::*, register_patient::*, rekey_record::*, revoke_access::*,
    set_guardian::*, update_grant_key::*, update_patient_encryption_key::*,
};

pub mod erase_compressed_record;
pub mod rekey_compressed_record;
#[allow(ambiguous_glob_reexports)]
pub use {erase_compressed_record::*, rekey_compressed_record::*};
