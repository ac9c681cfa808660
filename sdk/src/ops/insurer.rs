//! The insurer (policies, escrow), its adjudicator, and settlement (anyone).

use {
    crate::acting::Acting,
    crate::client::AnySigner,
    crate::{
        backend::Backend,
        claims as cl,
        client::{Outcome, PanaceaClient},
        error::Result,
    },
    anchor_lang::prelude::Pubkey,
    claims::{
        instructions::CreatePolicyArgs,
        state::{Claim, Policy},
    },
};

impl<B: Backend> PanaceaClient<B> {
    /// Opens a policy and its escrow vault. `token_program` owns `payout_mint`.
    pub async fn create_policy(
        &self,
        insurer: &AnySigner,
        patient: &Pubkey,
        payout_mint: &Pubkey,
        token_program: &Pubkey,
        args: CreatePolicyArgs,
    ) -> Result<Outcome> {
        let policy = cl::policy_address(&insurer.pubkey(), &args.policy_id);
        let vault = cl::vault_address(&policy);
        let ix = cl::create_policy(
            &self.payer(),
            &insurer.pubkey(),
            patient,
            payout_mint,
            token_program,
            args,
        );
        self.create(
            self.exists(&policy).await?,
            &[ix],
            &[insurer],
            vec![("policy", policy), ("vault", vault)],
        )
        .await
    }

    pub async fn fund_policy(
        &self,
        funder: &AnySigner,
        policy: &Pubkey,
        source: &Pubkey,
        amount: u64,
    ) -> Result<Outcome> {
        let state: Policy = self.get(policy).await?;
        let ix = cl::fund_policy(
            &funder.pubkey(),
            policy,
            &state.payout_mint,
            source,
            &state.token_program,
            amount,
        );
        self.act(&[ix], &[funder]).await
    }

    pub async fn withdraw_unreserved(
        &self,
        insurer: &AnySigner,
        policy: &Pubkey,
        destination: &Pubkey,
        amount: u64,
    ) -> Result<Outcome> {
        let state: Policy = self.get(policy).await?;
        let ix = cl::withdraw_unreserved(
            &insurer.pubkey(),
            policy,
            &state.payout_mint,
            destination,
            &state.token_program,
            amount,
        );
        self.act(&[ix], &[insurer]).await
    }

    pub async fn close_policy(
        &self,
        insurer: &AnySigner,
        policy: &Pubkey,
        destination: &Pubkey,
    ) -> Result<Outcome> {
        let state: Policy = self.get(policy).await?;
        let ix = cl::close_policy(
            &insurer.pubkey(),
            policy,
            &state.payout_mint,
            destination,
            &state.rent_payer,
            &state.token_program,
        );
        self.act(&[ix], &[insurer]).await
    }

    pub async fn dispute_claim<'a>(
        &self,
        adjudicator: impl Into<Acting<'a>>,
        claim: &Pubkey,
    ) -> Result<Outcome> {
        let adjudicator = adjudicator.into();
        let state: Claim = self.get(claim).await?;
        let ix = cl::dispute_claim(adjudicator.keys(), &state.policy, claim);
        self.act(&[ix], &[adjudicator.signer]).await
    }

    /// `approved_amount`: `Some` approves (all or part), `None` denies.
    pub async fn decide_claim<'a>(
        &self,
        adjudicator: impl Into<Acting<'a>>,
        claim: &Pubkey,
        approved_amount: Option<u64>,
    ) -> Result<Outcome> {
        let adjudicator = adjudicator.into();
        let state: Claim = self.get(claim).await?;
        let ix = cl::decide_claim(adjudicator.keys(), &state.policy, claim, approved_amount);
        self.act(&[ix], &[adjudicator.signer]).await
    }

    /// Pays an approved claim (anyone may) into `to`, a token account the
    /// provider owns, or by default the provider's associated token
    /// account, created in the same transaction when missing. Reads the
    /// claim and its policy once; the outcome names the account paid.
    pub async fn settle_claim(&self, claim: &Pubkey, to: Option<&Pubkey>) -> Result<Outcome> {
        use anchor_spl::associated_token::{
            get_associated_token_address_with_program_id,
            spl_associated_token_account::instruction::create_associated_token_account_idempotent,
        };
        let state: Claim = self.get(claim).await?;
        let policy: Policy = self.get(&state.policy).await?;
        let mut ixs = Vec::with_capacity(2);
        let destination = match to {
            Some(to) => *to,
            None => {
                ixs.push(create_associated_token_account_idempotent(
                    &self.payer(),
                    &state.provider,
                    &policy.payout_mint,
                    &policy.token_program,
                ));
                get_associated_token_address_with_program_id(
                    &state.provider,
                    &policy.payout_mint,
                    &policy.token_program,
                )
            }
        };
        ixs.push(cl::settle_claim(
            &self.payer(),
            &state.policy,
            claim,
            &state.provider,
            &policy.payout_mint,
            &destination,
            &policy.token_program,
        ));
        Ok(Outcome {
            addresses: vec![("paid to", destination)],
            ..self.act(&ixs, &[]).await?
        })
    }

    /// Voids an approved claim whose provider is no longer active, releasing
    /// its reservation. `authority` is the policy's insurer or adjudicator.
    pub async fn void_claim<'a>(
        &self,
        authority: impl Into<Acting<'a>>,
        claim: &Pubkey,
    ) -> Result<Outcome> {
        let authority = authority.into();
        let state: Claim = self.get(claim).await?;
        let ix = cl::void_claim(authority.keys(), &state.policy, claim, &state.provider);
        self.act(&[ix], &[authority.signer]).await
    }

    /// Times out a claim the adjudicator did not decide by its review
    /// deadline (anyone may): under review it is denied, on appeal approved
    /// in full.
    pub async fn expire_claim(&self, claim: &Pubkey) -> Result<Outcome> {
        let state: Claim = self.get(claim).await?;
        let ix = cl::expire_claim(&self.payer(), &state.policy, claim);
        self.act(&[ix], &[]).await
    }
}
