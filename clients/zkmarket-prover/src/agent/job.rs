//! One job: lock the offer (if it is one), prove with the backend, check
//! the proof against the program's key, submit it once and follow it into a
//! block; retries, gives up or declines as docs/prover-agent.md says. Also
//! the decline of an assignment (`market.decline_assignment`).

use super::{
	backend::{self, BackendError},
	book::{ours_to_prove, Kind, Phase},
	chain,
	decide::{self, AfterFailure, DeclinePlan},
	error::{JobError, Outcome},
	plan::{job_for, offer_terms},
	Agent, MAX_PROVE_ATTEMPTS, MAX_SUBMIT_ATTEMPTS, RETRY_AFTER_BLOCKS,
};
use std::{
	sync::Arc,
	time::{Duration, Instant},
};
use tracing::{debug, info, warn};
use zkmarket_client::{
	amount::format_zk,
	groth16,
	market::{self, RequestId, RequestState, RequestView},
	zk, AtBlock, Error,
};

impl Agent {
	/// Gives the assignment due at block `deadline` back
	/// (`market.decline_assignment`; the chain never deals it to us again).
	/// Free in the first `FreeDeclinePeriod` blocks of the assignment; later it
	/// is slashed like a missed deadline, so it is sent only if it frees the
	/// request (and our slot) sooner than the miss would ([`decide::plan_decline`]).
	pub(super) async fn decline(&self, id: RequestId, deadline: u32, why: &str, quiet: bool) {
		let best = self.book.best();
		let plan = decide::plan_decline(best, deadline as u64, &self.window);
		let cost = match plan {
			DeclinePlan::Free { until } => {
				self.metrics.decision("decline", "free");
				format!("free until #{until}")
			}
			DeclinePlan::Late { sooner } => {
				self.metrics.decision("decline", "late");
				warn!(
					"assignment #{id}: declining after the free window (slashed like a missed deadline, \
					 which it would be anyway; frees the request {sooner} blocks sooner): {why}"
				);
				"late".to_string()
			}
			DeclinePlan::Lapse => {
				self.metrics.decision("decline", "lapse");
				warn!(
					"assignment #{id}: not declining ({why}): the deadline #{deadline} is too close for a \
					 decline to free it sooner; the chain handles the miss (the same slash, no fee)"
				);
				return;
			}
		};
		match self.chain.submit(&chain::decline_call(id), self.block_time() * 10).await {
			Ok(l) => {
				let charged = l
					.events
					.find_first::<zk::market::events::DeclineCharged>()
					.and_then(|r| r.ok());
				let closed = l
					.events
					.find_first::<zk::market::events::ClosedUnprovable>()
					.and_then(|r| r.ok())
					.map(|c| format!("; closed as unprovable after {} declines", c.declines))
					.unwrap_or_default();
				let fee = charged
					.as_ref()
					.filter(|c| c.retry_fee > 0)
					.map(|c| {
						format!(", the requester paid a retry fee of {}", format_zk(c.retry_fee))
					})
					.unwrap_or_default();
				match charged {
					Some(c) if c.slashed > 0 => warn!(
						"assignment #{id}: declined in block #{}, slashed {} ({why}){closed}",
						l.block,
						format_zk(c.slashed)
					),
					_ if quiet => debug!(
						"assignment #{id}: declined in block #{} ({cost}{fee}; {why}){closed}",
						l.block
					),
					_ => info!(
						"assignment #{id}: declined in block #{} ({cost}{fee}; {why}){closed}",
						l.block
					),
				}
			}
			Err(e) => {
				warn!("assignment #{id}: decline failed: {e}; deciding again at the next block");
				// Forget the job: the next block's scan plans the assignment afresh.
				self.book.forget(id);
			}
		}
	}

	/// [`Self::still_ours`], retrying chain errors (a node restarting) every
	/// block until it gets an answer.
	pub(super) async fn read_ours(
		&self,
		id: RequestId,
		kind: Kind,
	) -> Option<(RequestView, AtBlock)> {
		let mut failures = 0u32;
		loop {
			match self.still_ours(id, kind).await {
				Ok(x) => return x,
				Err(e) => {
					if failures.is_multiple_of(5) {
						warn!("#{id}: reading the request: {e}; retrying");
					}
					failures += 1;
					tokio::time::sleep(self.block_time()).await;
				}
			}
		}
	}

	/// One job: lock (if needed), prove, check, submit.
	pub(super) async fn job(
		self: Arc<Self>,
		id: RequestId,
		kind: Kind,
		locking: bool,
		reuse_nonce: Option<u64>,
	) {
		if locking {
			match self.chain.submit(&chain::lock_call(id), self.block_time() * 10).await {
				Ok(l) => {
					let ev = l
						.events
						.find_first::<zk::market::events::RequestLocked>()
						.and_then(|r| r.ok());
					let (price, collateral) = ev.map(|e| (e.price, e.collateral)).unwrap_or((0, 0));
					info!(
						"lock #{id}: locked in block #{} at {} (collateral {})",
						l.block,
						format_zk(price),
						format_zk(collateral)
					);
					self.metrics.job_taken("lock");
				}
				Err(e) => {
					warn!("lock #{id}: lock failed: {e}");
					// Forget the job: if the lock landed after all (a lost
					// connection), the next scans see the offer locked by us
					// and prove it; otherwise it is left alone for a few blocks.
					self.book.forget(id);
					self.book.avoid(id, RETRY_AFTER_BLOCKS);
					return;
				}
			}
		}
		let mut reuse_nonce = reuse_nonce;
		// Whether the backend failed to prove it (not a chain or pool problem).
		let mut backend_failed = false;
		for attempt in 1..=MAX_PROVE_ATTEMPTS {
			match self.prove_once(id, kind, reuse_nonce).await {
				Outcome::Done => return,
				// Out of time (handled): after a backend failure, that failure
				// cost the job.
				Outcome::GaveUp => {
					if backend_failed {
						self.book.job_failed(
							&self.metrics,
							id,
							kind,
							"the backend could not prove it in time",
						);
					}
					return;
				}
				Outcome::Retry { error: why, attempt_secs } => {
					backend_failed = why.backend_failed();
					reuse_nonce = None;
					if attempt == MAX_PROVE_ATTEMPTS {
						warn!("#{id}: giving up after {attempt} attempts: {why}");
						break;
					}
					// An assignment is retried inside its free decline window only
					// if a failed retry could still be declined for free.
					if let Kind::Assignment { deadline } = kind {
						let best = self.book.best();
						if let AfterFailure::DeclineNow { until } = decide::after_failure(
							best,
							deadline as u64,
							attempt_secs,
							self.consts.block_millis,
							&self.window,
						) {
							warn!(
								"#{id}: attempt {attempt} failed: {why}; another attempt (~{attempt_secs} s) \
								 could end after the free decline window (#{until}): declining now"
							);
							break;
						}
					}
					warn!("#{id}: attempt {attempt} failed: {why}; retrying");
					tokio::time::sleep(self.block_time()).await;
				}
			}
		}
		// Gave up: an assignment is declined (free early in its window). A
		// backend that could not prove it counts against the requester (a
		// lock's failure blocks it at once).
		if backend_failed {
			self.book.job_failed(&self.metrics, id, kind, "the backend could not prove it");
		}
		self.set_phase(id, Phase::Done);
		match kind {
			Kind::Assignment { deadline } => {
				self.decline(id, deadline, "could not prove it", false).await
			}
			Kind::Lock => {
				warn!("lock #{id}: no proof; the collateral is forfeited at the lock deadline")
			}
			Kind::Bounty => self.book.avoid(id, u64::MAX / 2),
		}
	}

	/// Re-reads the request at the best block: the request if it still asks us for this job.
	pub(super) async fn still_ours(
		&self,
		id: RequestId,
		kind: Kind,
	) -> Result<Option<(RequestView, AtBlock)>, Error> {
		let at = self.chain.conn.best().await?;
		let Some(r) = market::request_at(&at, id).await? else {
			info!("#{id}: gone (pruned); nothing to do");
			return Ok(None);
		};
		if ours_to_prove(kind, &r.state, self.me()) {
			return Ok(Some((r, at)));
		}
		match &r.state {
			RequestState::ProofSubmitted { prover, .. } if prover == self.me() => {
				info!("#{id}: our proof is already submitted; not submitting again")
			}
			s => info!("#{id}: no longer ours to prove (state {}); dropped", s.name()),
		}
		Ok(None)
	}

	/// Seconds left until the job's deadline, from the best block.
	pub(super) async fn seconds_left(&self, r: &RequestView, kind: Kind, at: &AtBlock) -> u64 {
		match kind {
			Kind::Assignment { deadline } => {
				(deadline as u64).saturating_sub(at.block_number()) * self.consts.block_millis
					/ 1000
			}
			Kind::Lock | Kind::Bounty => {
				// No chain time: no time left (never an unbounded budget).
				let Ok(now) = market::now_secs_at(at).await else { return 0 };
				let terms = offer_terms(r);
				let deadline = match kind {
					Kind::Lock => terms.map(|t| t.lock_deadline()),
					_ => terms.map(|t| t.deadline()),
				}
				.unwrap_or(0);
				deadline.saturating_sub(now)
			}
		}
	}

	pub(super) async fn program(
		&self,
		at: &AtBlock,
		program: [u8; 32],
	) -> Result<market::ProgramInfo, Error> {
		if let Some(p) = self.book.program(&program) {
			return Ok(p);
		}
		let p = market::program_at(at, program).await?.ok_or_else(|| {
			Error::NotFound(format!("program 0x{} is not registered", hex::encode(program)))
		})?;
		self.book.add_program(program, p.clone());
		Ok(p)
	}

	pub(super) async fn prove_once(
		&self,
		id: RequestId,
		kind: Kind,
		reuse_nonce: Option<u64>,
	) -> Outcome {
		// The proof of a transaction whose outcome is unknown: send it again as is.
		if reuse_nonce.is_some() {
			let kept = self.book.kept_proof(id);
			if let Some(proof) = kept {
				return self.submit(id, kind, proof, reuse_nonce).await;
			}
		}
		let permit = match self.proving.acquire().await {
			Ok(p) => p,
			Err(_) => return Outcome::Done,
		};
		if self.stopping() && !matches!(kind, Kind::Assignment { .. } | Kind::Lock) {
			return Outcome::Done;
		}
		self.set_phase(id, Phase::Proving);
		let Some((r, at)) = self.read_ours(id, kind).await else {
			self.set_phase(id, Phase::Done);
			return Outcome::Done;
		};
		self.book.set_requester(id, r.requester.0);
		// The program's kind (the backend's job names it; the proof is checked
		// with it before it is submitted).
		let info = loop {
			match self.program(&at, r.program).await {
				Ok(p) => break p,
				Err(e @ Error::NotFound(_)) => {
					return Outcome::Retry { error: JobError::Program(e), attempt_secs: 0 }
				}
				Err(e) => {
					warn!("#{id}: fetching the program: {e}; retrying");
					tokio::time::sleep(self.block_time()).await;
				}
			}
		};
		// Its `[[programs]]` entry, or (assignments and our locks) its kind's.
		let served = match kind {
			Kind::Assignment { .. } | Kind::Lock => {
				self.cfg.program_for(&r.program, Some(info.kind.index()))
			}
			Kind::Bounty => self.cfg.program(&r.program).map(std::borrow::Cow::Borrowed),
		};
		let Some(program) = served else {
			warn!("#{id}: program 0x{} is not configured", hex::encode(r.program));
			self.set_phase(id, Phase::Done);
			// Defensive (the chain deals only what we declared): an assignment
			// we have no backend for is given back at once, while that is free.
			if let Kind::Assignment { deadline } = kind {
				self.decline(id, deadline, "program not configured", false).await;
			}
			return Outcome::Done;
		};
		let attempt_secs = program.prove_secs.saturating_add(self.cfg.margin_secs);
		let retry = |error: JobError| Outcome::Retry { error, attempt_secs };
		let left = self.seconds_left(&r, kind, &at).await;
		// The proof must be in a block before the deadline: the backend gets the
		// time left minus the margin. An assignment with no time left for another
		// attempt is given back (declined: free early in its window) instead of
		// being left to miss its deadline.
		let budget = left.saturating_sub(self.cfg.margin_secs);
		// Not enough time for the estimated proving time: an assignment is given
		// back while the decline can still land; a lock is tried while any time
		// is left (its collateral is lost either way); a bounty is left alone.
		let short = left < program.prove_secs.saturating_add(self.cfg.margin_secs);
		let give_up = match kind {
			Kind::Assignment { .. } | Kind::Bounty => short,
			Kind::Lock => budget == 0,
		};
		if give_up {
			self.set_phase(id, Phase::Done);
			match kind {
				Kind::Assignment { deadline } => {
					self.decline(
						id,
						deadline,
						&format!("not enough time left to prove ({left} s)"),
						false,
					)
					.await
				}
				Kind::Lock => {
					warn!("lock #{id}: no time left to prove; the collateral is forfeited at the lock deadline")
				}
				Kind::Bounty => self.book.avoid(id, u64::MAX / 2),
			}
			return Outcome::GaveUp;
		}
		let job = job_for(&r, &info.kind, self.me());
		// An assignment's preflight (offers and bounties had theirs before they
		// were taken): one that fails is declined at once, free early in its window.
		if let (Kind::Assignment { deadline }, Some(pf)) = (kind, &program.preflight) {
			if !self.preflight_assignment(id, deadline, &r.requester.0, &job, pf, budget).await {
				return Outcome::Done;
			}
		}
		debug!("#{id}: proving with {:?}, {left} s left", program.backend);
		let started = Instant::now();
		let proof = match backend::prove(
			&program.backend,
			&job,
			Duration::from_secs(budget),
			self.consts.max_proof_len,
		)
		.await
		{
			Ok(p) => p,
			Err(BackendError::Unprovable(e)) => {
				warn!("#{id}: cannot be proven: {e}");
				self.book.mark_unprovable(id, format!("cannot be proven: {e}"));
				self.book.job_failed(&self.metrics, id, kind, &e);
				self.metrics.backend_failed();
				self.set_phase(id, Phase::Done);
				match kind {
					Kind::Assignment { deadline } => {
						self.decline(id, deadline, "cannot be proven", false).await
					}
					Kind::Lock => {
						warn!("lock #{id}: the collateral is forfeited at the lock deadline")
					}
					Kind::Bounty => self.book.avoid(id, u64::MAX / 2),
				}
				return Outcome::Done;
			}
			Err(e @ BackendError::Failed(_)) => {
				self.metrics.backend_failed();
				return retry(JobError::Backend(e));
			}
		};
		let secs = started.elapsed().as_secs_f64();
		self.metrics.proof_time(secs);
		// Never submit a proof that does not verify: it would be slashed.
		match groth16::verify_program(
			&info.kind,
			info.selector,
			&info.vk,
			&proof,
			&r.inputs,
			&job.binding,
		) {
			Ok(true) => {}
			Ok(false) => {
				self.metrics.backend_failed();
				return retry(JobError::NotVerified);
			}
			Err(e) => {
				self.metrics.backend_failed();
				return retry(JobError::Malformed(e.to_string()));
			}
		}
		debug!("#{id}: proof of {} bytes in {secs:.2} s, verified locally", proof.len());
		drop(permit);
		match self.submit(id, kind, proof, reuse_nonce).await {
			Outcome::Retry { error, .. } => Outcome::Retry { error, attempt_secs },
			done => done,
		}
	}

	/// Submits a proof once: waits for the start-up barrier, re-reads the
	/// request, sends the transaction and follows it into a block.
	pub(super) async fn submit(
		&self,
		id: RequestId,
		kind: Kind,
		proof: Vec<u8>,
		mut reuse_nonce: Option<u64>,
	) -> Outcome {
		while self.book.barrier_up() {
			tokio::time::sleep(self.block_time()).await;
		}
		for attempt in 1..=MAX_SUBMIT_ATTEMPTS {
			self.set_phase(id, Phase::Submitting);
			if self.read_ours(id, kind).await.is_none() {
				self.set_phase(id, Phase::Done);
				return Outcome::Done;
			}
			let sent = match self
				.chain
				.send(&chain::submit_proof_call(id, proof.clone()), reuse_nonce)
				.await
			{
				Ok(s) => s,
				Err(e) => {
					if reuse_nonce.is_some() {
						// The earlier transaction with this nonce is still pending
						// (the pool refuses a second one): it may still land.
						info!(
							"#{id}: the earlier proof transaction is still pending ({e}); waiting"
						);
						self.set_phase(id, Phase::Unknown { nonce: reuse_nonce.unwrap_or(0) });
						return Outcome::Done;
					}
					warn!("#{id}: proof transaction refused by the pool (attempt {attempt}): {e}");
					tokio::time::sleep(self.block_time()).await;
					continue;
				}
			};
			let nonce = sent.nonce;
			reuse_nonce = None;
			self.book.keep_proof(id, &proof);
			debug!("#{id}: proof transaction {:?} sent with nonce {nonce}", sent.hash);
			let limit = self.block_time() * 20;
			match tokio::time::timeout(limit, self.chain.landed(sent)).await {
				Ok(Ok(l)) => {
					info!("#{id}: proof submitted in block #{}", l.block);
					debug!("#{id}: block {:?}", l.block_hash);
					self.metrics.proof_submitted();
					self.set_phase(id, Phase::Landed { block: l.block });
					return Outcome::Done;
				}
				Ok(Err(e @ Error::Dispatch { .. })) => {
					warn!("#{id}: proof refused: {e}");
					self.set_phase(id, Phase::Done);
					return Outcome::Done;
				}
				Ok(Err(Error::Invalid(m))) => {
					warn!("#{id}: proof transaction invalid or dropped (attempt {attempt}): {m}");
					continue;
				}
				Ok(Err(e)) => {
					warn!("#{id}: lost track of the proof transaction (nonce {nonce}): {e}; will check the chain");
					self.set_phase(id, Phase::Unknown { nonce });
					return Outcome::Done;
				}
				Err(_) => {
					self.chain.forget_nonces();
					warn!("#{id}: proof transaction not in a block after {} s (nonce {nonce}); will check the chain", limit.as_secs());
					self.set_phase(id, Phase::Unknown { nonce });
					return Outcome::Done;
				}
			}
		}
		Outcome::Retry { error: JobError::NotAccepted, attempt_secs: 0 }
	}
}
