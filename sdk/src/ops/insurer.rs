//! The insurer (policies, escrow), its adjudicator, and settlement (anyone).

use {
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

    pub async fn dispute_claim(&self, adjudicator: &AnySigner, claim: &Pubkey) -> Result<Outcome> {
        let state: Claim = self.get(claim).await?;
        let ix = cl::dispute_claim(&adjudicator.pubkey(), &state.policy, claim);
        self.act(&[ix], &[adjudicator]).await
    }

    /// `approved_amount`: `Some` approves (all or part), `None` denies.
    pub async fn decide_claim(
        &self,
        adjudicator: &AnySigner,
        claim: &Pubkey,
        approved_amount: Option<u64>,
    ) -> Result<Outcome> {
        let state: Claim = self.get(claim).await?;
        let ix = cl::decide_claim(&adjudicator.pubkey(), &state.policy, claim, approved_amount);
        self.act(&[ix], &[adjudicator]).await
    }

    /// Pays an approved claim into the provider's token account (anyone may).
    pub async fn settle_claim(
        &self,
        claim: &Pubkey,
        provider_token_account: &Pubkey,
    ) -> Result<Outcome> {
        let state: Claim = self.get(claim).await?;
        let policy: Policy = self.get(&state.policy).await?;
        let ix = cl::settle_claim(
            &self.payer(),
            &state.policy,
            claim,
            &state.provider,
            &policy.payout_mint,
            provider_token_account,
            &policy.token_program,
        );
        self.act(&[ix], &[]).await
    }

    /// Voids an approved claim whose provider is no longer active, releasing
    /// its reservation. `authority` is the policy's insurer or adjudicator.
    pub async fn void_claim(&self, authority: &AnySigner, claim: &Pubkey) -> Result<Outcome> {
        let state: Claim = self.get(claim).await?;
        let ix = cl::void_claim(&authority.pubkey(), &state.policy, claim, &state.provider);
        self.act(&[ix], &[authority]).await
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
