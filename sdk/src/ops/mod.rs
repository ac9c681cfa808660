//! High-level operations, one module per actor. Each returns the
//! transaction's signature and the addresses it created ([`Outcome`]);
//! operations that create an account first look for it, so a retry of an
//! operation that already landed reports the existing account instead of
//! failing with "already in use".
//!
//! [`Outcome`]: crate::client::Outcome

pub mod admin;
pub mod insurer;
pub mod patient;
pub mod provider;
pub mod token;

use {
    crate::{
        backend::Backend,
        client::{Outcome, PanaceaClient},
        error::Result,
    },
    anchor_lang::prelude::Pubkey,
    solana_instruction::Instruction,
    solana_keypair::Keypair,
};

impl<B: Backend> PanaceaClient<B> {
    /// Sends `ixs` unless `exists` already holds, naming `addresses`.
    pub(crate) async fn create(
        &self,
        exists: bool,
        ixs: &[Instruction],
        signers: &[&Keypair],
        addresses: Vec<(&'static str, Pubkey)>,
    ) -> Result<Outcome> {
        if exists {
            return Ok(Outcome {
                signature: None,
                addresses,
                already_existed: true,
            });
        }
        let signature = self.send(ixs, signers).await?;
        Ok(Outcome {
            signature: Some(signature),
            addresses,
            already_existed: false,
        })
    }

    /// Sends `ixs` for an operation that creates nothing.
    pub(crate) async fn act(&self, ixs: &[Instruction], signers: &[&Keypair]) -> Result<Outcome> {
        let signature = self.send(ixs, signers).await?;
        Ok(Outcome {
            signature: Some(signature),
            ..Outcome::default()
        })
    }

    pub(crate) async fn exists(&self, address: &Pubkey) -> Result<bool> {
        Ok(self.backend().get_account(address).await?.is_some())
    }
}
