//! Instructions the holder of a grant signs.

pub mod log_access;

pub use log_access::*;
