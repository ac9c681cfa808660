//! # Panacea `common`
//!
//! What the Panacea programs (`records`, `consent`, `claims`, `bounties`) share. A plain
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

/// An escrow ledger kept beside a token vault (a claims `Policy`, a
/// `Bounty`): what was deposited, paid, withdrawn and is reserved. The vault
/// must hold `deposited - paid - withdrawn`, and `reserved` of it is owed.
/// Each program implements the accessors, its errors and its full check;
/// the arithmetic of the money that comes and goes is here, once.
pub trait EscrowLedger {
    fn deposited(&self) -> u64;
    fn reserved(&self) -> u64;
    fn paid(&self) -> u64;
    fn withdrawn(&self) -> u64;
    fn set_deposited(&mut self, deposited: u64);
    fn set_withdrawn(&mut self, withdrawn: u64);
    /// The account's own checks after a change (its invariant).
    fn check_ledger(&self) -> Result<()>;
    /// The program's errors: a total out of range, money asked for that the
    /// ledger does not hold free, a ledger that does not add up.
    fn overflow() -> Error
    where
        Self: Sized;
    fn insufficient_escrow() -> Error
    where
        Self: Sized;
    fn ledger_violation() -> Error
    where
        Self: Sized;

    /// What the vault must hold: deposited - paid - withdrawn.
    fn expected_vault_balance(&self) -> Option<u64> {
        self.deposited()
            .checked_sub(self.paid())?
            .checked_sub(self.withdrawn())
    }

    /// Money in the vault that nothing pending is owed.
    fn unreserved(&self) -> Result<u64>
    where
        Self: Sized,
    {
        self.expected_vault_balance()
            .and_then(|b| b.checked_sub(self.reserved()))
            .ok_or_else(Self::ledger_violation)
    }

    /// Counts `received` (what actually arrived in the vault) as deposited.
    fn deposit(&mut self, received: u64) -> Result<()>
    where
        Self: Sized,
    {
        let deposited = self
            .deposited()
            .checked_add(received)
            .ok_or_else(Self::overflow)?;
        self.set_deposited(deposited);
        self.check_ledger()
    }

    /// Books `amount` paid out of the vault to its owner: at most what
    /// nothing pending holds.
    fn withdraw(&mut self, amount: u64) -> Result<()>
    where
        Self: Sized,
    {
        if amount > self.unreserved()? {
            return Err(Self::insufficient_escrow());
        }
        let withdrawn = self
            .withdrawn()
            .checked_add(amount)
            .ok_or_else(Self::overflow)?;
        self.set_withdrawn(withdrawn);
        self.check_ledger()
    }

    /// The escrow check against the vault's real balance: the account's
    /// own checks, and the vault holds exactly deposited - paid - withdrawn,
    /// of which `reserved` at most is owed. Every handler that changes the
    /// ledger or moves the vault's tokens ends with it.
    fn check_escrow(&self, vault_balance: u64) -> Result<()>
    where
        Self: Sized,
    {
        self.check_ledger()?;
        if self.expected_vault_balance() != Some(vault_balance) || self.reserved() > vault_balance {
            return Err(Self::ledger_violation());
        }
        Ok(())
    }

    /// Counts as a deposit anything sent to the vault outside the funding
    /// instruction, so that the vault holds deposited - paid - withdrawn
    /// again. Returns the amount absorbed; a vault holding less than the
    /// ledger says is a violation.
    fn absorb_donations(&mut self, vault_balance: u64) -> Result<u64>
    where
        Self: Sized,
    {
        let expected = self
            .expected_vault_balance()
            .ok_or_else(Self::ledger_violation)?;
        let surplus = vault_balance
            .checked_sub(expected)
            .ok_or_else(Self::ledger_violation)?;
        let deposited = self
            .deposited()
            .checked_add(surplus)
            .ok_or_else(Self::overflow)?;
        self.set_deposited(deposited);
        self.check_ledger()?;
        Ok(surplus)
    }
}

/// Token movements into and out of an escrow vault, booked in its
/// [`EscrowLedger`].
pub mod vault {
    use {
        super::EscrowLedger,
        anchor_lang::prelude::*,
        anchor_spl::token_interface::{self, TokenAccount, TransferChecked},
    };

    /// Moves `amount` from `source` (signed by `owner`) into `vault` and
    /// books what actually arrived (a fee-bearing mint may deliver less),
    /// after counting anything sent to the vault outside this path. Ends
    /// with the escrow check. Returns the amount received.
    #[allow(clippy::too_many_arguments)]
    pub fn fund<'info, L: EscrowLedger>(
        ledger: &mut L,
        vault: &mut InterfaceAccount<'info, TokenAccount>,
        source: AccountInfo<'info>,
        mint: AccountInfo<'info>,
        owner: AccountInfo<'info>,
        token_program: &AccountInfo<'info>,
        amount: u64,
        decimals: u8,
    ) -> Result<u64> {
        ledger.absorb_donations(vault.amount)?;
        let before = vault.amount;
        token_interface::transfer_checked(
            CpiContext::new(
                token_program.key(),
                TransferChecked {
                    from: source,
                    mint,
                    to: vault.to_account_info(),
                    authority: owner,
                },
            ),
            amount,
            decimals,
        )?;
        vault.reload()?;
        let received = vault
            .amount
            .checked_sub(before)
            .ok_or_else(L::ledger_violation)?;
        ledger.deposit(received)?;
        ledger.check_escrow(vault.amount)?;
        Ok(received)
    }

    /// Moves `amount` out of `vault`, signed by the PDA `authority` whose
    /// seeds (with its bump) are `seeds`. Nothing moves for zero.
    #[allow(clippy::too_many_arguments)]
    pub fn pay_out<'info>(
        vault: &AccountInfo<'info>,
        mint: &AccountInfo<'info>,
        destination: &AccountInfo<'info>,
        authority: AccountInfo<'info>,
        token_program: &AccountInfo<'info>,
        seeds: &[&[u8]],
        amount: u64,
        decimals: u8,
    ) -> Result<()> {
        if amount == 0 {
            return Ok(());
        }
        token_interface::transfer_checked(
            CpiContext::new_with_signer(
                token_program.key(),
                TransferChecked {
                    from: vault.clone(),
                    mint: mint.clone(),
                    to: destination.clone(),
                    authority,
                },
                &[seeds],
            ),
            amount,
            decimals,
        )
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
