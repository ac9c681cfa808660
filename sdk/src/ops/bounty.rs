//! Research data bounties: the researcher's bounty (create, fund, close
//! intake, cancel, withdraw, close), the patient's offer of a record (the
//! research grant and the offer in one transaction), the review (accept,
//! reject), settlement and cancellation (anyone), and the closing of
//! contributions and tallies (anyone; rent back to whoever paid it).

use {
    crate::{
        acting::Acting,
        backend::Backend,
        bounties as bx,
        client::{AnySigner, Outcome, PanaceaClient},
        compression::{legacy_transaction_size, RecordRef},
        error::{Result, SdkError},
        offchain::{BlobStore, EncryptionKeypair},
        ops::patient::AccessTerms,
    },
    anchor_lang::prelude::Pubkey,
    anchor_spl::associated_token::{
        get_associated_token_address_with_program_id,
        spl_associated_token_account::instruction::create_associated_token_account_idempotent,
    },
    bounties::{
        instructions::CreateBountyArgs,
        state::{Bounty, Contribution, PatientTally},
    },
    consent::state::{actions, Consent, ConsentPurpose, ConsentStatus, Decision},
    records::state::{permissions, Grant, Purpose},
    solana_instruction::Instruction,
};

/// Seconds a contribution's consent and grant must outlive its review
/// window, so that someone can settle it once the window has passed: the
/// SDK refuses to offer under a consent ending sooner, and makes the grant
/// it creates last the review window plus this margin.
pub const SETTLEMENT_MARGIN: i64 = 7 * 24 * 60 * 60;

/// What a researcher gets from a contribution to `bounty`, in plain words:
/// raw access when no compute-to-data algorithm is set, otherwise the
/// algorithm's commitment and the fact that nothing enforces it.
pub fn access_statement(bounty: &Bounty) -> String {
    algorithm_statement(bounty.algorithm.as_ref())
}

/// [`access_statement`] of a bounty committing to `algorithm` (before it
/// exists: the terms a researcher is about to create).
pub fn algorithm_statement(algorithm: Option<&[u8; 32]>) -> String {
    match algorithm {
        None => "RAW ACCESS: no compute-to-data algorithm is set; the researcher receives the record's decryption key and can read and copy the whole record.".to_string(),
        Some(hash) => {
            let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
            format!(
                "Compute-to-data: the researcher committed to run only algorithm sha256:{hex} on the record. Panacea records this commitment but cannot enforce it: the decryption key is still wrapped to the researcher."
            )
        }
    }
}

/// The instructions of a patient's offer, as
/// [`offer_contribution`](PanaceaClient::offer_contribution) sends them.
#[derive(Clone, Debug)]
pub struct PreparedOffer {
    pub bounty: Pubkey,
    pub contribution: Pubkey,
    pub tally: Pubkey,
    /// The grant the offer names (existing, or created by `grant_ix`).
    pub grant: Pubkey,
    /// Creates the grant; `None` when a live one is reused.
    pub grant_ix: Option<Instruction>,
    pub offer_ix: Instruction,
    /// A compressed record: the grant and the offer go as two transactions
    /// (two leaf proofs do not fit one packet).
    pub compressed: bool,
    /// [`access_statement`] of the bounty.
    pub statement: String,
}

impl PreparedOffer {
    /// The instructions of the one transaction an account record's offer is.
    pub fn instructions(&self) -> Vec<Instruction> {
        self.grant_ix
            .iter()
            .cloned()
            .chain(std::iter::once(self.offer_ix.clone()))
            .collect()
    }

    /// Bytes of the legacy transaction that carries the offer, paid by
    /// `payer` (with the compute-unit limit instruction): the grant and the
    /// offer for an account record, the offer alone for a compressed one.
    pub fn transaction_size(&self, payer: &Pubkey) -> usize {
        let ixs = if self.compressed {
            vec![self.offer_ix.clone()]
        } else {
            self.instructions()
        };
        legacy_transaction_size(&ixs, payer, true)
    }
}

impl<B: Backend> PanaceaClient<B> {
    /// Opens a bounty and its escrow vault. `researcher` is a Researcher
    /// entity's authority; `token_program` owns `mint`. A retry finds the
    /// bounty that landed.
    pub async fn create_bounty(
        &self,
        researcher: &AnySigner,
        mint: &Pubkey,
        token_program: &Pubkey,
        args: CreateBountyArgs,
    ) -> Result<Outcome> {
        let bounty = bx::bounty_address(&researcher.pubkey(), &args.bounty_id);
        let vault = bx::vault_address(&bounty);
        let ix = bx::create_bounty(
            &self.payer(),
            &researcher.pubkey(),
            mint,
            token_program,
            args,
        );
        self.create(
            self.exists(&bounty).await?,
            &[ix],
            &[researcher],
            vec![("bounty", bounty), ("vault", vault)],
        )
        .await
    }

    async fn bounty_keys(&self, bounty: &Pubkey) -> Result<(Bounty, bx::BountyKeys)> {
        let state: Bounty = self.get(bounty).await?;
        let keys = bx::BountyKeys::of(*bounty, &state);
        Ok((state, keys))
    }

    /// Anyone adds `amount` to the escrow from `source` (a token account of
    /// the bounty's mint owned by `funder`).
    pub async fn fund_bounty(
        &self,
        funder: &AnySigner,
        bounty: &Pubkey,
        source: &Pubkey,
        amount: u64,
    ) -> Result<Outcome> {
        let (_, keys) = self.bounty_keys(bounty).await?;
        let ix = bx::fund_bounty(&funder.pubkey(), &keys, source, amount);
        self.act(&[ix], &[funder]).await
    }

    /// The researcher ends intake now; pending offers are still reviewed.
    pub async fn close_intake(&self, researcher: &AnySigner, bounty: &Pubkey) -> Result<Outcome> {
        let ix = bx::close_intake(&researcher.pubkey(), bounty);
        self.act(&[ix], &[researcher]).await
    }

    /// The researcher cancels a bounty with no pending offer.
    pub async fn cancel_bounty(&self, researcher: &AnySigner, bounty: &Pubkey) -> Result<Outcome> {
        let ix = bx::cancel_bounty(&researcher.pubkey(), bounty);
        self.act(&[ix], &[researcher]).await
    }

    /// The researcher takes back money no pending offer holds, into
    /// `destination` (any token account of the mint).
    pub async fn withdraw_bounty_funds(
        &self,
        researcher: &AnySigner,
        bounty: &Pubkey,
        destination: &Pubkey,
        amount: u64,
    ) -> Result<Outcome> {
        let (state, keys) = self.bounty_keys(bounty).await?;
        if keys.researcher != researcher.pubkey() {
            return Err(not_the_researcher(bounty, &state, researcher));
        }
        let ix = bx::withdraw_unreserved(&keys, destination, amount);
        self.act(&[ix], &[researcher]).await
    }

    /// The researcher closes a bounty whose intake is over and which has
    /// nothing pending: the vault's balance goes to `destination`, the rent
    /// of the bounty and its vault to whoever paid it.
    pub async fn close_bounty(
        &self,
        researcher: &AnySigner,
        bounty: &Pubkey,
        destination: &Pubkey,
    ) -> Result<Outcome> {
        let (state, keys) = self.bounty_keys(bounty).await?;
        if keys.researcher != researcher.pubkey() {
            return Err(not_the_researcher(bounty, &state, researcher));
        }
        let ix = bx::close_bounty(&keys, destination, &state.rent_payer);
        self.act(&[ix], &[researcher]).await
    }

    /// Builds a patient's offer of `record` to `bounty` without sending it
    /// (see [`offer_contribution`](Self::offer_contribution)): checks the
    /// patient's Research consent, reuses a live Research read grant to the
    /// researcher that reaches the record, or prepares one lasting
    /// `grant_duration` (default: the review window plus
    /// [`SETTLEMENT_MARGIN`]).
    #[allow(clippy::too_many_arguments)]
    pub async fn prepare_offer(
        &self,
        authority: &Pubkey,
        patient: &Pubkey,
        bounty: &Pubkey,
        record: &RecordRef,
        keys: &EncryptionKeypair,
        store: &BlobStore,
        grant_duration: Option<i64>,
    ) -> Result<PreparedOffer> {
        let (state, bounty_keys) = self.bounty_keys(bounty).await?;
        let now = self.backend().unix_timestamp().await?;
        if !state.intake_open(now) {
            return Err(SdkError::InvalidInput(format!(
                "bounty {bounty} takes no more offers: its intake is over"
            )));
        }
        let researcher = state.researcher;
        let settle_by = now
            .checked_add(state.review_window)
            .and_then(|t| t.checked_add(SETTLEMENT_MARGIN))
            .ok_or_else(|| SdkError::InvalidInput("time overflow".into()))?;
        self.check_research_consent(patient, &state, settle_by)
            .await?;
        let resolved = self.resolve_record(record).await?;
        if resolved.record.patient != *patient {
            return Err(SdkError::InvalidInput(format!(
                "record {} is not a record of patient {patient}",
                resolved.address
            )));
        }
        let minimum = state.review_window + SETTLEMENT_MARGIN;
        let duration = grant_duration.unwrap_or(minimum);
        if duration < minimum {
            return Err(SdkError::InvalidInput(format!(
                "a grant of {duration} seconds would end before the contribution can be settled: it must last at least the review window plus {} days ({minimum} seconds)",
                SETTLEMENT_MARGIN / 86_400
            )));
        }
        let (grant, grant_ix) = match self
            .reusable_grant(
                patient,
                &researcher,
                &resolved.address,
                &resolved.record,
                settle_by,
            )
            .await?
        {
            Some(grant) => (grant, None),
            None => {
                let terms = AccessTerms {
                    permissions: permissions::READ,
                    purpose: Purpose::Research,
                    duration,
                };
                self.grant_record_ix(authority, patient, record, &researcher, terms, keys, store)
                    .await?
            }
        };
        let origin = resolved.record.origin;
        let offer_ix = bx::offer_contribution(
            &self.payer(),
            authority,
            patient,
            &bounty_keys,
            &resolved.slot,
            &grant,
            origin,
            resolved.leaf.clone(),
        );
        Ok(PreparedOffer {
            bounty: *bounty,
            contribution: bx::contribution_address(bounty, patient, origin),
            tally: bx::tally_address(bounty, patient),
            grant,
            grant_ix,
            offer_ix,
            compressed: record.is_compressed(),
            statement: access_statement(&state),
        })
    }

    /// The patient (or guardian, `authority`; this client's payer may be a
    /// relayer paying fees and rent) offers one of the patient's Active
    /// records to `bounty`. The patient's Research consent to the researcher
    /// must name the bounty's consent text and last the review window plus
    /// [`SETTLEMENT_MARGIN`] (else nothing is sent). A live Research read
    /// grant reaching the record is reused; otherwise one is created with
    /// the record's data key wrapped to the researcher. An account record's
    /// grant and offer go as one transaction, a compressed record's as two
    /// (the grant first). A retry finds the contribution that landed.
    #[allow(clippy::too_many_arguments)]
    pub async fn offer_contribution(
        &self,
        authority: &AnySigner,
        patient: &Pubkey,
        bounty: &Pubkey,
        record: &RecordRef,
        keys: &EncryptionKeypair,
        store: &BlobStore,
        grant_duration: Option<i64>,
    ) -> Result<Outcome> {
        let resolved = self.resolve_record(record).await?;
        let contribution = bx::contribution_address(bounty, patient, resolved.record.origin);
        if let Some(existing) = self.fetch::<Contribution>(&contribution).await? {
            if existing.record == resolved.address {
                return self
                    .create(
                        true,
                        &[],
                        &[],
                        vec![
                            ("contribution", contribution),
                            ("grant", existing.grant),
                            ("tally", bx::tally_address(bounty, patient)),
                        ],
                    )
                    .await;
            }
        }
        let offer = self
            .prepare_offer(
                &authority.pubkey(),
                patient,
                bounty,
                record,
                keys,
                store,
                grant_duration,
            )
            .await?;
        let addresses = vec![
            ("contribution", offer.contribution),
            ("grant", offer.grant),
            ("tally", offer.tally),
        ];
        if offer.compressed {
            if let Some(grant_ix) = &offer.grant_ix {
                if self.config().blockhash.is_some() {
                    return Err(SdkError::InvalidInput(
                        "a compressed record's offer is two transactions (the grant, then the offer): it cannot be signed offline or over a given blockhash; grant the researcher access first, then offer".into(),
                    ));
                }
                self.act(std::slice::from_ref(grant_ix), &[authority])
                    .await?;
            }
            return self
                .create(false, &[offer.offer_ix], &[authority], addresses)
                .await;
        }
        self.create(false, &offer.instructions(), &[authority], addresses)
            .await
    }

    /// Bytes of the legacy transaction [`offer_contribution`](Self::offer_contribution)
    /// would send for an account record (the grant, when one is needed, and
    /// the offer, with the compute-unit limit instruction), paid by this
    /// client's payer (a relayer) and signed by `authority`. For a
    /// compressed record, the offer's transaction alone.
    #[allow(clippy::too_many_arguments)]
    pub async fn offer_transaction_size(
        &self,
        authority: &Pubkey,
        patient: &Pubkey,
        bounty: &Pubkey,
        record: &RecordRef,
        keys: &EncryptionKeypair,
        store: &BlobStore,
        grant_duration: Option<i64>,
    ) -> Result<usize> {
        let offer = self
            .prepare_offer(
                authority,
                patient,
                bounty,
                record,
                keys,
                store,
                grant_duration,
            )
            .await?;
        Ok(offer.transaction_size(&self.payer()))
    }

    /// The patient's Research consent to the bounty's researcher permits an
    /// offer now and lasts until `settle_by`, under the bounty's consent text.
    async fn check_research_consent(
        &self,
        patient: &Pubkey,
        bounty: &Bounty,
        settle_by: i64,
    ) -> Result<()> {
        let address = bx::research_consent_address(patient, &bounty.researcher);
        let Some(consent) = self.fetch::<Consent>(&address).await? else {
            return Err(SdkError::InvalidInput(format!(
                "patient {patient} has no Research consent to researcher {}: grant one naming the study's consent text first (nothing was sent)",
                bounty.researcher
            )));
        };
        let now = self.backend().unix_timestamp().await?;
        let problem = if consent.purpose != ConsentPurpose::Research {
            Some("is not for Research".to_string())
        } else if consent.status != ConsentStatus::Active {
            Some("is revoked".to_string())
        } else if consent.decision != Decision::Permit {
            Some("denies research use".to_string())
        } else if consent.actions & actions::ACCESS == 0 {
            Some("does not permit access".to_string())
        } else if consent.policy_commitment != bounty.consent_text {
            Some("names another consent text than this bounty's study".to_string())
        } else if now < consent.period_start {
            Some(format!(
                "starts only at {}",
                crate::audit::iso8601(consent.period_start)
            ))
        } else if consent.period_end < settle_by {
            Some(format!(
                "ends at {}, before the contribution could be settled ({}: the review window plus {} days)",
                crate::audit::iso8601(consent.period_end),
                crate::audit::iso8601(settle_by),
                SETTLEMENT_MARGIN / 86_400
            ))
        } else {
            None
        };
        match problem {
            Some(problem) => Err(SdkError::InvalidInput(format!(
                "patient {patient}'s Research consent {address} to researcher {} {problem}: nothing was sent",
                bounty.researcher
            ))),
            None => Ok(()),
        }
    }

    /// A live Research read grant to `researcher` reaching `record` (the
    /// record's own grant, else one over the patient's records) lasting
    /// until `settle_by`. A record grant that exists and does not qualify is
    /// refused by name (a second one cannot be created at its address).
    async fn reusable_grant(
        &self,
        patient: &Pubkey,
        researcher: &Pubkey,
        address: &Pubkey,
        record: &records::state::Record,
        settle_by: i64,
    ) -> Result<Option<Pubkey>> {
        let now = self.backend().unix_timestamp().await?;
        let qualifies = |grant: &Grant| {
            !grant.is_revoked()
                && !grant.is_expired(now)
                && grant.expires_at >= settle_by
                && grant.purpose == Purpose::Research
                && grant.permissions & permissions::READ != 0
                && grant.grantee == *researcher
                && grant.covers(address, record)
        };
        let own = records::pda::grant(patient, researcher, address).0;
        if let Some(grant) = self.fetch::<Grant>(&own).await? {
            if qualifies(&grant) {
                return Ok(Some(own));
            }
            return Err(SdkError::InvalidInput(format!(
                "grant {own} of this record to researcher {researcher} exists but is not a live Research read grant lasting until {}: revoke and close it, then offer again (nothing was sent)",
                crate::audit::iso8601(settle_by)
            )));
        }
        let over_patient =
            records::pda::grant(patient, researcher, &records::pda::patient(patient).0).0;
        if let Some(grant) = self.fetch::<Grant>(&over_patient).await? {
            if qualifies(&grant) {
                return Ok(Some(over_patient));
            }
        }
        Ok(None)
    }

    /// The patient's associated token account for the bounty's mint,
    /// created in the same transaction when missing (paid by this client's
    /// payer): payment goes only to the patient's own account.
    fn patient_tokens(
        &self,
        state: &Bounty,
        contribution: &Contribution,
        ixs: &mut Vec<Instruction>,
    ) -> Pubkey {
        ixs.push(create_associated_token_account_idempotent(
            &self.payer(),
            &contribution.patient,
            &state.mint,
            &state.token_program,
        ));
        get_associated_token_address_with_program_id(
            &contribution.patient,
            &state.mint,
            &state.token_program,
        )
    }

    /// The researcher (or a Researcher member for it) accepts a pending
    /// contribution within its review window: `amount` (default the full
    /// reward) is paid to the patient's own token account, the rest of the
    /// reserve released; `quality_score` is 0 to 100.
    pub async fn accept_contribution<'a>(
        &self,
        researcher: impl Into<Acting<'a>>,
        contribution: &Pubkey,
        amount: Option<u64>,
        quality_score: u8,
    ) -> Result<Outcome> {
        let researcher = researcher.into();
        let c: Contribution = self.get(contribution).await?;
        let (state, keys) = self.bounty_keys(&c.bounty).await?;
        let mut ixs = Vec::with_capacity(2);
        let destination = self.patient_tokens(&state, &c, &mut ixs);
        ixs.push(bx::accept_contribution(
            researcher.keys(),
            &keys,
            contribution,
            &c.patient,
            &c.grant,
            &destination,
            amount.unwrap_or(c.reward),
            quality_score,
        ));
        Ok(Outcome {
            addresses: vec![("paid to", destination)],
            ..self.act(&ixs, &[researcher.signer]).await?
        })
    }

    /// The researcher (or a Researcher member) rejects a pending
    /// contribution within its review window, with a reason (not 0).
    pub async fn reject_contribution<'a>(
        &self,
        researcher: impl Into<Acting<'a>>,
        contribution: &Pubkey,
        reason_code: u16,
    ) -> Result<Outcome> {
        let researcher = researcher.into();
        let c: Contribution = self.get(contribution).await?;
        let (_, keys) = self.bounty_keys(&c.bounty).await?;
        let ix = bx::reject_contribution(
            researcher.keys(),
            &keys,
            contribution,
            &c.patient,
            reason_code,
        );
        self.act(&[ix], &[researcher.signer]).await
    }

    /// Anyone, once the review window has passed: the full reward to the
    /// patient's own token account (while the consent and grant permit).
    pub async fn settle_contribution(&self, contribution: &Pubkey) -> Result<Outcome> {
        let c: Contribution = self.get(contribution).await?;
        let (state, keys) = self.bounty_keys(&c.bounty).await?;
        let mut ixs = Vec::with_capacity(2);
        let destination = self.patient_tokens(&state, &c, &mut ixs);
        ixs.push(bx::settle_contribution(
            &self.payer(),
            &keys,
            contribution,
            &c.patient,
            &c.grant,
            &destination,
        ));
        Ok(Outcome {
            addresses: vec![("paid to", destination)],
            ..self.act(&ixs, &[]).await?
        })
    }

    /// Anyone cancels a pending contribution whose consent or grant no
    /// longer permits payment; its reserve is released.
    pub async fn cancel_contribution(&self, contribution: &Pubkey) -> Result<Outcome> {
        let c: Contribution = self.get(contribution).await?;
        let (_, keys) = self.bounty_keys(&c.bounty).await?;
        let ix = bx::cancel_contribution(&self.payer(), &keys, contribution, &c.patient, &c.grant);
        self.act(&[ix], &[]).await
    }

    /// Anyone closes a final contribution once its bounty's intake is over
    /// (or the bounty is gone); the rent goes back to whoever paid it.
    pub async fn close_contribution(&self, contribution: &Pubkey) -> Result<Outcome> {
        let c: Contribution = self.get(contribution).await?;
        let ix = bx::close_contribution(contribution, &c.bounty, &c.rent_payer);
        self.act(&[ix], &[]).await
    }

    /// Anyone closes a patient's tally with nothing pending once the
    /// bounty's intake is over; the rent goes back to whoever paid it.
    pub async fn close_patient_tally(&self, tally: &Pubkey) -> Result<Outcome> {
        let t: PatientTally = self.get(tally).await?;
        let ix = bx::close_patient_tally(tally, &t.bounty, &t.rent_payer);
        self.act(&[ix], &[]).await
    }
}

fn not_the_researcher(bounty: &Pubkey, state: &Bounty, signer: &AnySigner) -> SdkError {
    SdkError::NotPermitted(format!(
        "{} is not the researcher of bounty {bounty} ({}): nothing was sent",
        signer.pubkey(),
        state.researcher
    ))
}
