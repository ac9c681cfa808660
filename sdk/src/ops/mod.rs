//! High-level operations, one module per actor. Each returns the
//! transaction's signature and the addresses it created ([`Outcome`]);
//! operations that create an account first look for it, so a retry of an
//! operation that already landed reports the existing account instead of
//! failing with "already in use".
//!
//! [`Outcome`]: crate::client::Outcome

pub mod admin;
pub mod bounty;
pub mod close;
pub mod compressed;
pub mod insurer;
pub mod members;
pub mod patient;
pub mod provider;
pub mod sharing;
pub mod token;

use {
    crate::{
        backend::Backend,
        client::{AnySigner, Outcome, PanaceaClient, Sent},
        error::Result,
    },
    anchor_lang::prelude::Pubkey,
    solana_instruction::Instruction,
};

impl<B: Backend> PanaceaClient<B> {
    /// Sends `ixs` unless `exists` already holds, naming `addresses`.
    pub(crate) async fn create(
        &self,
        exists: bool,
        ixs: &[Instruction],
        signers: &[&AnySigner],
        addresses: Vec<(&'static str, Pubkey)>,
    ) -> Result<Outcome> {
        if exists {
            return Ok(Outcome {
                addresses,
                already_existed: true,
                ..Outcome::default()
            });
        }
        Ok(Outcome {
            addresses,
            ..self.outcome(ixs, signers).await?
        })
    }

    /// Sends `ixs` (or signs them offline) and says which.
    async fn outcome(&self, ixs: &[Instruction], signers: &[&AnySigner]) -> Result<Outcome> {
        Ok(match self.submit(ixs, signers).await? {
            Sent::Landed(signature) => Outcome {
                signature: Some(signature),
                ..Outcome::default()
            },
            Sent::SignedOnly(signed) => Outcome {
                signed_only: Some(signed),
                ..Outcome::default()
            },
        })
    }

    /// Sends `ixs` for an operation that creates nothing.
    pub(crate) async fn act(&self, ixs: &[Instruction], signers: &[&AnySigner]) -> Result<Outcome> {
        self.outcome(ixs, signers).await
    }

    pub(crate) async fn exists(&self, address: &Pubkey) -> Result<bool> {
        Ok(self.backend().get_account(address).await?.is_some())
    }
}
