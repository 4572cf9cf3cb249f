//! The agent's side of requests it may not be able to prove (issue 28): the
//! checks an offer or a bounty passes after its price, time and capacity
//! (the requester record, the demo witness search, a `command` backend's
//! `preflight` run in the background), and the failures counted against
//! requesters (the record itself, pure, is `requesters.rs`).

use super::{
	backend::{self, BackendError, Job},
	config::{self, Backend},
	decide,
	log::timestamp,
	requesters::{Failure, PreflightState, Screened},
	Agent, Kind, Phase, State, RETRY_AFTER_BLOCKS,
};
use crate::{debug, info, warn};
use std::{
	collections::HashMap,
	sync::Arc,
	time::{Duration, Instant},
};
use zkmarket_client::{
	groth16,
	market::{RequestId, RequestState, RequestView},
	AccountId,
};

impl Agent {
	/// The checks of an offer (`locks_held`: the locks of its requester held
	/// now) or a bounty (`None`) after its price, time and
	/// capacity checks (requesters.rs): its requester is not blocked (nor
	/// holding `requester_max_locks` locks), it is not known to be
	/// unprovable, and the backend's preflight passed: the demo backend's
	/// witness search runs at once; a `command` backend's `preflight`
	/// ([`Screened::Preflight`]) is started by the caller and its result read
	/// at a later block; a `command` backend without one is trusted.
	pub(super) fn screen(
		&self,
		st: &mut State,
		r: &RequestView,
		program: Option<&config::Program>,
		now: u64,
		locks_held: Option<u32>,
	) -> Result<Screened, decide::Skip> {
		if let Some(why) = st.unprovable.get(&r.id) {
			return Err(decide::Skip::Unprovable(why.clone()));
		}
		let Some(program) = program else { return Err(decide::Skip::UnknownProgram) };
		let who = r.requester.0;
		let state = match (&program.backend, &program.preflight) {
			(Backend::Command(_), None) => None,
			_ => Some(st.preflights.get(&r.id)),
		};
		let screened = st.requesters.screen(&who, now, locks_held, state)?;
		if screened == Screened::Preflight && program.backend == Backend::Demo {
			// The demo witness search: a few ms, at once.
			return match backend::preflight(&program.backend, &r.inputs) {
				Ok(()) => {
					st.preflights.insert(r.id, PreflightState::Passed);
					Ok(Screened::Take)
				}
				Err(e) => {
					let why = e.to_string();
					st.preflights.insert(r.id, PreflightState::Failed(why.clone()));
					st.unprovable.insert(r.id, why.clone());
					self.requester_failed(st, &who, Failure::Preflight, r.id, &why);
					Err(decide::Skip::Unprovable(why))
				}
			};
		}
		Ok(screened)
	}

	/// The job a backend gets for request `r` of a program of `kind`.
	pub(super) fn job_for(&self, r: &RequestView, kind: &zkmarket_client::ProgramKind) -> Job {
		Job {
			request: r.id,
			program: r.program,
			kind: kind.name(),
			inputs: r.inputs.clone(),
			binding: groth16::binding(r.id, &self.chain.me_bytes()),
			prover: self.chain.me_bytes(),
			guest: match kind {
				zkmarket_client::ProgramKind::Sp1 { vkey_hash, .. } => {
					Some(("vkey_hash", *vkey_hash))
				}
				zkmarket_client::ProgramKind::Risc0 { image_id, .. } => {
					Some(("image_id", *image_id))
				}
				_ => None,
			},
		}
	}

	/// Marks the preflight of an offer (`what` = "lock") or bounty as running
	/// and returns what [`Self::run_preflight`] needs (`None` while the
	/// program's kind is not known yet: a later block).
	#[allow(clippy::type_complexity)]
	pub(super) fn start_preflight(
		&self,
		st: &mut State,
		r: &RequestView,
		program: Option<&config::Program>,
		what: &'static str,
	) -> Option<(RequestId, &'static str, [u8; 32], Job, config::Preflight)> {
		let preflight = program?.preflight.clone()?;
		let Some(info) = st.programs.get(&r.program) else {
			debug!("{what} #{}: the program's kind is not known yet; preflight later", r.id);
			return None;
		};
		let job = self.job_for(r, &info.kind);
		st.preflights.insert(r.id, PreflightState::Running);
		if st.decisions.changed(r.id, what, "preflight") {
			info!(
				"{what} #{}: running the preflight `{}` (at most {} s) before {}",
				r.id,
				preflight.argv[0],
				preflight.timeout_secs,
				if what == "lock" { "locking" } else { "proving" }
			);
			self.metrics.decision(what, "preflight");
		}
		Some((r.id, what, r.requester.0, job, preflight))
	}

	/// Runs a `command` backend's preflight of request `id` in the background
	/// and records its result: the offer or bounty is taken at a later block
	/// if it passed; if not, it is remembered as unprovable and counted
	/// against its requester `who`. A preflight that could not be run at all
	/// is tried again after a few blocks (not held against the requester).
	pub(super) async fn run_preflight(
		self: Arc<Self>,
		id: RequestId,
		what: &'static str,
		who: [u8; 32],
		job: Job,
		preflight: config::Preflight,
	) {
		let started = Instant::now();
		let result = backend::preflight_command(
			&preflight.argv,
			&job,
			Duration::from_secs(preflight.timeout_secs),
		)
		.await;
		let secs = started.elapsed().as_secs_f64();
		let mut st = self.state.lock().unwrap();
		match result {
			Ok(()) => {
				info!("{what} #{id}: preflight passed in {secs:.1} s");
				self.metrics.preflight("pass");
				st.preflights.insert(id, PreflightState::Passed);
			}
			Err(BackendError::Unprovable(why)) => {
				warn!("{what} #{id}: cannot be proven, not taken: {why}");
				self.metrics.preflight("fail");
				st.preflights.insert(id, PreflightState::Failed(why.clone()));
				st.unprovable.insert(id, why.clone());
				self.requester_failed(&mut st, &who, Failure::Preflight, id, &why);
			}
			Err(e @ BackendError::Failed(_)) => {
				warn!(
					"{what} #{id}: {e}; not taken, tried again in {RETRY_AFTER_BLOCKS} blocks \
					 (a problem of this prover, not held against the requester)"
				);
				self.metrics.preflight("error");
				st.preflights.remove(&id);
				let until = st.best.saturating_add(RETRY_AFTER_BLOCKS);
				st.avoid.insert(id, until);
			}
		}
	}

	/// Counts a failure of request `id` against its requester `who` and logs
	/// it; a requester it blocks is logged (and counted in the metrics).
	pub(super) fn requester_failed(
		&self,
		st: &mut State,
		who: &[u8; 32],
		failure: Failure,
		id: RequestId,
		why: &str,
	) {
		let now = st.now;
		let policy = *st.requesters.policy();
		if policy.block_secs == 0 {
			return;
		}
		let name = zkmarket_client::keys::ss58(&AccountId::from(*who));
		let why = why.strip_prefix("preflight: ").unwrap_or(why);
		match st.requesters.record(who, failure, now) {
			Some(b) => {
				warn!(
					"requester {name}: blocked until {} ({} s): its offers and bounties are skipped \
					 ({} failure(s); the last: #{id} {}: {why})",
					timestamp(b.until as u128 * 1000),
					policy.block_secs,
					b.failures,
					failure.label()
				);
				self.metrics.requester_blocked();
				self.metrics.blocked_requesters(st.requesters.blocked_count(now) as u64);
			}
			None if st.requesters.blocked_until(who, now).is_some() => {
				info!("requester {name} (blocked): #{id} {}", failure.label())
			}
			None => info!(
				"requester {name}: #{id} {}: failure {} of {} within {} s before it is blocked",
				failure.label(),
				st.requesters.failures(who, now),
				policy.failure_limit,
				policy.block_secs
			),
		}
	}

	/// [`Self::requester_failed`] for a job that could not be proven, from its entry.
	pub(super) fn job_failed(&self, id: RequestId, kind: Kind, why: &str) {
		let failure = match kind {
			Kind::Lock => Failure::Forfeit,
			Kind::Bounty | Kind::Assignment { .. } => Failure::Proving,
		};
		let mut st = self.state.lock().unwrap();
		if let Some(who) = st.jobs.get(&id).and_then(|e| e.requester) {
			self.requester_failed(&mut st, &who, failure, id, why);
		}
	}

	/// Locks of each requester's offers not resolved yet: locked by us, or
	/// being locked, proven or submitted, or preflighted for a lock.
	pub(super) fn locks_held(
		&self,
		st: &State,
		requests: &[RequestView],
	) -> HashMap<[u8; 32], u32> {
		let mut held: HashMap<[u8; 32], u32> = HashMap::new();
		for r in requests {
			let locked = match &r.state {
				RequestState::Locked { prover, .. } => prover == self.me(),
				RequestState::Open => st.preflights.get(&r.id) == Some(&PreflightState::Running),
				_ => false,
			};
			let job = st.jobs.get(&r.id).is_some_and(|e| {
				e.kind == Kind::Lock
					&& matches!(
						e.phase,
						Phase::Locking | Phase::Proving | Phase::Submitting | Phase::Unknown { .. }
					)
			});
			if locked || job {
				*held.entry(r.requester.0).or_default() += 1;
			}
		}
		held
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
		let passed = self.state.lock().unwrap().preflights.get(&id).cloned();
		if passed == Some(PreflightState::Passed) {
			return true;
		}
		let timeout = Duration::from_secs(pf.timeout_secs.min(budget));
		match backend::preflight_command(&pf.argv, job, timeout).await {
			Ok(()) => {
				debug!("assignment #{id}: preflight passed");
				self.metrics.preflight("pass");
				self.state.lock().unwrap().preflights.insert(id, PreflightState::Passed);
				true
			}
			Err(BackendError::Unprovable(why)) => {
				warn!("assignment #{id}: cannot be proven: {why}");
				self.metrics.preflight("fail");
				{
					let mut st = self.state.lock().unwrap();
					st.unprovable.insert(id, format!("cannot be proven: {why}"));
					self.requester_failed(&mut st, who, Failure::Preflight, id, &why);
				}
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
