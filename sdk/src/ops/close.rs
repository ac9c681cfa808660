//! Closing what is finished: every `close_*` instruction, each reading the
//! account first for the rent payer its rent goes back to.

use {
    crate::{
        backend::Backend,
        claims as cl,
        client::{AnySigner, Outcome, PanaceaClient},
        consent as cx,
        error::Result,
        records as rx,
    },
    anchor_lang::prelude::Pubkey,
    claims::state::{Claim, ClaimedRecord, ProviderUsage},
    consent::state::{Consent, ConsentPurpose},
    records::{
        pda,
        state::{Grant, Patient},
    },
};

impl<B: Backend> PanaceaClient<B> {
    /// Closes the signer's patient profile and record book account (no
    /// records left); the rent goes back to whoever paid it.
    pub async fn close_patient(&self, authority: &AnySigner) -> Result<Outcome> {
        let patient: Patient = self.get(&pda::patient(&authority.pubkey()).0).await?;
        let ix = rx::close_patient(&authority.pubkey(), &patient.rent_payer);
        self.act(&[ix], &[authority]).await
    }

    /// Closes a grant that is revoked or expired (anyone may close a dead
    /// grant; a live one only its patient or guardian).
    pub async fn close_grant(&self, authority: &AnySigner, grant: &Pubkey) -> Result<Outcome> {
        let state: Grant = self.get(grant).await?;
        let ix = rx::close_grant(
            &authority.pubkey(),
            &state.patient,
            grant,
            &state.rent_payer,
        );
        self.act(&[ix], &[authority]).await
    }

    /// Closes a revoked consent (the patient's consent epoch moves on).
    pub async fn close_consent(
        &self,
        authority: &AnySigner,
        patient: &Pubkey,
        grantee: &Pubkey,
        purpose: ConsentPurpose,
    ) -> Result<Outcome> {
        let state: Consent = self
            .get(&cx::consent_address(patient, grantee, purpose))
            .await?;
        let ix = cx::close_consent(
            &authority.pubkey(),
            patient,
            grantee,
            purpose,
            &state.rent_payer,
        );
        self.act(&[ix], &[authority]).await
    }

    /// Closes a finished claim.
    pub async fn close_claim(&self, actor: &AnySigner, claim: &Pubkey) -> Result<Outcome> {
        let state: Claim = self.get(claim).await?;
        let ix = cl::close_claim(&actor.pubkey(), &state.policy, claim, &state.rent_payer);
        self.act(&[ix], &[actor]).await
    }

    /// Closes the "billed once" marker of a record's amendment chain
    /// (`origin`) once its policy is closed.
    pub async fn close_claimed_record(
        &self,
        actor: &AnySigner,
        policy: &Pubkey,
        origin: u64,
    ) -> Result<Outcome> {
        let marker: ClaimedRecord = self
            .get(&::claims::pda::claimed_record(policy, origin).0)
            .await?;
        let ix = cl::close_claimed_record(&actor.pubkey(), policy, origin, &marker.rent_payer);
        self.act(&[ix], &[actor]).await
    }

    /// Closes a provider's auto-approval counter once the policy has ended.
    pub async fn close_provider_usage(
        &self,
        actor: &AnySigner,
        policy: &Pubkey,
        provider: &Pubkey,
    ) -> Result<Outcome> {
        let usage: ProviderUsage = self
            .get(&cl::provider_usage_address(policy, provider))
            .await?;
        let ix = cl::close_provider_usage(&actor.pubkey(), policy, provider, &usage.rent_payer);
        self.act(&[ix], &[actor]).await
    }
}
