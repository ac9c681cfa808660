//! # Panacea `common`
//!
//! What the three programs (`records`, `consent`, `claims`) share. A plain
//! library: no entrypoint, no accounts, no instructions, nothing in any
//! IDL; it builds for SBF as part of each program.

use anchor_lang::prelude::*;

/// An account's invariant: what must hold after every change. Each program
/// implements it for its accounts with its own error
/// ([`Invariant::violation`]); handlers call [`Invariant::check_invariant`]
/// after every change, so a broken state fails the instruction and nothing
/// is written.
pub trait Invariant {
    /// Whether the account's state is consistent.
    fn invariant(&self) -> bool;

    /// The program's error for a broken invariant.
    fn violation() -> Error
    where
        Self: Sized;

    /// Fails with [`Invariant::violation`] when the invariant does not hold.
    fn check_invariant(&self) -> Result<()>
    where
        Self: Sized,
    {
        if self.invariant() {
            Ok(())
        } else {
            Err(Self::violation())
        }
    }
}

/// The program's security.txt (`solana-security-txt`): who to tell about
/// a vulnerability, read by explorers and `query-security-txt`. Invoked once
/// at the root of each program; left out of builds with `no-entrypoint`
/// (a program linked into another as a CPI client), like the entrypoint, so
/// two programs never define the same symbol. The address comes from
/// `PANACEA_PROJECT_URL` at build time (`security_txt_build.rs`); contact and
/// policy point at the repository's security advisories and the README's
/// Security section. The invoking crate depends on `solana-security-txt`.
#[macro_export]
macro_rules! security_txt {
    ($name:literal) => {
        #[cfg(not(feature = "no-entrypoint"))]
        ::solana_security_txt::security_txt! {
            name: $name,
            project_url: env!("PANACEA_PROJECT_URL"),
            contacts: concat!("link:", env!("PANACEA_PROJECT_URL"), "/security/advisories/new"),
            policy: concat!(env!("PANACEA_PROJECT_URL"), "/blob/main/README.md#security"),
            preferred_languages: "en",
            source_code: env!("PANACEA_PROJECT_URL")
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Counter {
        value: u8,
    }

    impl Invariant for Counter {
        fn invariant(&self) -> bool {
            self.value < 10
        }

        fn violation() -> Error {
            error!(ErrorCode::ConstraintRaw)
        }
    }

    #[test]
    fn check_invariant_fails_with_the_programs_error() {
        assert!(Counter { value: 9 }.check_invariant().is_ok());
        let err = Counter { value: 10 }.check_invariant().unwrap_err();
        assert_eq!(err, error!(ErrorCode::ConstraintRaw));
    }
}
