//! The agent's side of requests it may not be able to prove (issue 28): a
//! `command` backend's `preflight`, run in the background before an offer
//! is locked or a bounty taken (started by the plan, plan/mod.rs), or before
//! an assignment is proven; its result is recorded in the book, a failure
//! counted against the requester (the record itself, pure, is
//! `requesters.rs`).

use super::{
	backend::{self, BackendError, Job},
	book::Phase,
	config,
	plan::PreflightRun,
	requesters::PreflightState,
	Agent, RETRY_AFTER_BLOCKS,
};
use std::{
	sync::Arc,
	time::{Duration, Instant},
};
use tracing::{debug, info, warn};
use zkmarket_client::market::RequestId;

impl Agent {
	/// Runs a `command` backend's preflight of an offer or bounty in the
	/// background and records its result: the offer or bounty is taken at a
	/// later block if it passed; if not, it is remembered as unprovable and
	/// counted against its requester. A preflight that could not be run at
	/// all is tried again after a few blocks (not held against the requester).
	pub(super) async fn run_preflight(self: Arc<Self>, run: PreflightRun) {
		let PreflightRun { id, what, who, job, preflight } = run;
		let started = Instant::now();
		let result = backend::preflight_command(
			&preflight.argv,
			&job,
			Duration::from_secs(preflight.timeout_secs),
		)
		.await;
		let secs = started.elapsed().as_secs_f64();
		match result {
			Ok(()) => {
				info!("{what} #{id}: preflight passed in {secs:.1} s");
				self.metrics.preflight("pass");
				self.book.set_preflight(id, PreflightState::Passed);
			}
			Err(BackendError::Unprovable(why)) => {
				warn!("{what} #{id}: cannot be proven, not taken: {why}");
				self.metrics.preflight("fail");
				self.book.preflight_failed(&self.metrics, id, &who, &why, why.clone());
			}
			Err(e @ BackendError::Failed(_)) => {
				warn!(
					"{what} #{id}: {e}; not taken, tried again in {RETRY_AFTER_BLOCKS} blocks \
					 (a problem of this prover, not held against the requester)"
				);
				self.metrics.preflight("error");
				self.book.preflight_error(id);
			}
		}
	}

	/// An assignment's preflight, run before it is proven (at most its
	/// `timeout_secs`, and `budget`): whether to prove it. One that fails is
	/// counted against the requester `who` and the assignment declined at
	/// once (free early in its window); one that could not be run is our
	/// problem: the proof itself tells.
	pub(super) async fn preflight_assignment(
		&self,
		id: RequestId,
		deadline: u32,
		who: &[u8; 32],
		job: &Job,
		pf: &config::Preflight,
		budget: u64,
	) -> bool {
		if self.book.preflight(id) == Some(PreflightState::Passed) {
			return true;
		}
		let timeout = Duration::from_secs(pf.timeout_secs.min(budget));
		match backend::preflight_command(&pf.argv, job, timeout).await {
			Ok(()) => {
				debug!("assignment #{id}: preflight passed");
				self.metrics.preflight("pass");
				self.book.set_preflight(id, PreflightState::Passed);
				true
			}
			Err(BackendError::Unprovable(why)) => {
				warn!("assignment #{id}: cannot be proven: {why}");
				self.metrics.preflight("fail");
				self.book.assignment_preflight_failed(&self.metrics, id, who, &why);
				self.set_phase(id, Phase::Done);
				self.decline(id, deadline, "its preflight failed", false).await;
				false
			}
			Err(e @ BackendError::Failed(_)) => {
				warn!("assignment #{id}: {e}; proving anyway");
				self.metrics.preflight("error");
				true
			}
		}
	}
}
