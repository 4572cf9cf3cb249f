//! The agent's bookkeeping: its jobs, the requests it leaves alone, the
//! start-up nonce barrier, the declaration's state, the requester record and
//! preflight results. [`State`] is the plain data (planned on by
//! `plan.rs`, I/O-free); [`Book`] owns it behind its one lock, and every
//! other module goes through its methods.

use super::{
	decide::DecisionLog,
	declare::Declaration,
	log::timestamp,
	metrics::Metrics,
	plan::{Ctx, Plan, Snapshot},
	requesters::{Failure, PreflightState, Requesters},
	DECLARE_CHECK_BLOCKS, DECLARE_RETRY_BLOCKS, RETRY_AFTER_BLOCKS,
};
use std::{
	collections::{HashMap, HashSet, VecDeque},
	sync::Mutex,
};
use tracing::{info, warn};
use zkmarket_client::{
	market::{self, RequestId, RequestState},
	AccountId,
};

/// What a job is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
	/// An auction assignment, due by block `deadline`.
	Assignment { deadline: u32 },
	/// An offer this agent locks (or has locked).
	Lock,
	/// A bounty of a forfeited lock.
	Bounty,
}

/// Where a job is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
	Locking,
	Proving,
	Submitting,
	/// The proof transaction is in best block `block`.
	Landed {
		block: u64,
	},
	/// The proof transaction with `nonce` was sent; its outcome is unknown.
	Unknown {
		nonce: u64,
	},
	/// Nothing more to do (declined, refused, gave up).
	Done,
}

/// One job of the agent.
#[derive(Debug)]
pub struct Entry {
	pub kind: Kind,
	pub phase: Phase,
	/// A task works on it now.
	pub running: bool,
	pub handle: Option<tokio::task::AbortHandle>,
	/// The last proof sent for it (re-sent as is when its transaction's outcome is unknown).
	pub proof: Option<Vec<u8>>,
	/// The request's requester (its failures are held against it).
	pub requester: Option<[u8; 32]>,
}

impl Entry {
	/// A new entry of a running job.
	pub fn new(kind: Kind, phase: Phase, requester: Option<[u8; 32]>) -> Self {
		Entry { kind, phase, running: true, handle: None, proof: None, requester }
	}

	/// Working (locking, proving or submitting) now.
	pub fn busy(&self) -> bool {
		self.running && matches!(self.phase, Phase::Locking | Phase::Proving | Phase::Submitting)
	}
}

/// Proofs wait until the account's nonce in the best state reaches `target`
/// (transactions of an earlier run still in the pool), or until block `until`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Barrier {
	pub target: u64,
	pub until: u64,
	/// New jobs wait until this block too (one of the pending transactions
	/// may be the proof of a request we would otherwise prove again).
	pub defer_until: u64,
}

/// The bookkeeping (no I/O; see [`Book`] for the shared, locked form).
#[derive(Default)]
pub struct State {
	pub jobs: HashMap<RequestId, Entry>,
	/// Requests left alone until a block (failed locks, unprovable bounties).
	pub avoid: HashMap<RequestId, u64>,
	pub decisions: DecisionLog,
	pub best: u64,
	pub barrier: Option<Barrier>,
	/// Registered programs (kind, key) by id, fetched once: an id names one
	/// (kind, key) for ever.
	pub programs: HashMap<[u8; 32], market::ProgramInfo>,
	/// Whether the prover was eligible at the last block (to log changes).
	pub eligible: Option<bool>,
	/// Requests with a proof of ours awaiting a verdict, already logged.
	pub awaiting_logged: HashSet<RequestId>,
	/// Requests the backend found unprovable (no witness): declined at once
	/// when the auction assigns them again.
	pub unprovable: HashMap<RequestId, String>,
	/// First block at which a missing prover record is registered again.
	pub register_after: u64,
	/// Lowest request id open at each of the last scans (ids below are closed for good).
	pub low_marks: VecDeque<RequestId>,
	/// The declaration on chain at the last check (`None`: none, or not read yet).
	pub declared: Option<Declaration>,
	/// A `set_capabilities` transaction is on its way.
	pub declaring: bool,
	/// First block at which the declaration on chain is checked again.
	pub declare_after: u64,
	/// The chain's time at the last best block (UNIX seconds).
	pub now: u64,
	/// Requesters whose requests failed, and who is blocked.
	pub requesters: Requesters,
	/// Results of `command` backends' preflights, per request (its inputs
	/// never change).
	pub preflights: HashMap<RequestId, PreflightState>,
}

impl State {
	/// Jobs working now.
	pub fn busy_count(&self) -> u32 {
		self.jobs.values().filter(|e| e.busy()).count() as u32
	}

	/// Counts a failure of request `id` against its requester `who` and logs
	/// it; a requester it blocks is logged (and counted in the metrics).
	pub fn requester_failed(
		&mut self,
		metrics: &Metrics,
		who: &[u8; 32],
		failure: Failure,
		id: RequestId,
		why: &str,
	) {
		let now = self.now;
		let policy = *self.requesters.policy();
		if policy.block_secs == 0 {
			return;
		}
		let name = zkmarket_client::keys::ss58(&AccountId::from(*who));
		let why = why.strip_prefix("preflight: ").unwrap_or(why);
		match self.requesters.record(who, failure, now) {
			Some(b) => {
				warn!(
					"requester {name}: blocked until {} ({} s): its offers and bounties are skipped \
					 ({} failure(s); the last: #{id} {}: {why})",
					timestamp(b.until as u128 * 1000),
					policy.block_secs,
					b.failures,
					failure.label()
				);
				metrics.requester_blocked();
				metrics.blocked_requesters(self.requesters.blocked_count(now) as u64);
			}
			None if self.requesters.blocked_until(who, now).is_some() => {
				info!("requester {name} (blocked): #{id} {}", failure.label())
			}
			None => info!(
				"requester {name}: #{id} {}: failure {} of {} within {} s before it is blocked",
				failure.label(),
				self.requesters.failures(who, now),
				policy.failure_limit,
				policy.block_secs
			),
		}
	}
}

/// What a job's request is to us now, given its state on chain.
pub fn ours_to_prove(kind: Kind, state: &RequestState, me: &AccountId) -> bool {
	match (kind, state) {
		(Kind::Assignment { deadline }, RequestState::Assigned { prover, deadline: d, .. }) => {
			prover == me && *d == deadline
		}
		(Kind::Lock, RequestState::Locked { prover, .. }) => prover == me,
		(Kind::Bounty, RequestState::BountyOpen { .. }) => true,
		_ => false,
	}
}

/// [`State`] behind its lock: the one place the agent's tasks share state.
#[derive(Default)]
pub struct Book(Mutex<State>);

impl Book {
	/// A book with the requester record's `requesters`.
	pub fn new(requesters: Requesters) -> Self {
		Book(Mutex::new(State { requesters, ..State::default() }))
	}

	/// Runs `f` on the state (short: no I/O, no await inside).
	fn with<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
		f(&mut self.0.lock().unwrap_or_else(|e| e.into_inner()))
	}

	/// Plans best block `snap` (see [`State::plan`]).
	pub fn plan(&self, ctx: &Ctx, snap: &Snapshot) -> Plan {
		self.with(|st| st.plan(ctx, snap))
	}

	/// The best block seen.
	pub fn best(&self) -> u64 {
		self.with(|st| st.best)
	}

	/// Start-up: the best block, and when a missing record is registered again.
	pub fn started_at(&self, best: u64) {
		self.with(|st| {
			st.best = best;
			st.register_after = best + RETRY_AFTER_BLOCKS;
		})
	}

	/// Start-up: proofs wait for the account's transactions still in the pool.
	pub fn set_barrier(&self, barrier: Barrier) {
		self.with(|st| st.barrier = Some(barrier))
	}

	/// Whether proofs still wait for transactions of an earlier run.
	pub fn barrier_up(&self) -> bool {
		self.with(|st| st.barrier.is_some())
	}

	/// The node's chain went back (a fresh dev chain, a reorg to a shorter
	/// fork): forget what belonged to the old one.
	pub fn chain_went_back(&self, number: u64) {
		self.with(|st| {
			st.best = number;
			st.register_after = 0;
			st.avoid.clear();
			st.low_marks.clear();
			// Another chain: its declaration is read afresh.
			st.declared = None;
			st.declare_after = 0;
		})
	}

	/// The first request id of the next scan: the lowest open id of the last
	/// scans (a request closed in a best block that a short reorg replaces is
	/// still seen).
	pub fn scan_start(&self) -> RequestId {
		self.with(|st| st.low_marks.iter().copied().min().unwrap_or(0))
	}

	/// Whether the declaration on chain is to be read at block `number`
	/// (`force`: a runtime upgrade): not while one is on its way, while the
	/// start-up barrier holds, or before its next check.
	pub fn declaration_due(&self, number: u64, force: bool) -> bool {
		self.with(|st| {
			!st.declaring && st.barrier.is_none() && (force || number >= st.declare_after)
		})
	}

	/// The declaration on chain at block `number` is `have` (matching the configuration).
	pub fn declaration_read(&self, have: Option<Declaration>, number: u64) {
		self.with(|st| {
			st.declared = have;
			st.declare_after = number + DECLARE_CHECK_BLOCKS;
		})
	}

	/// A declaration is to be sent (the chain holds `have`): `false` if one
	/// is already on its way.
	pub fn start_declaring(&self, have: Option<Declaration>) -> bool {
		self.with(|st| {
			if st.declaring {
				return false;
			}
			st.declaring = true;
			st.declared = have;
			true
		})
	}

	/// The declaration `want` is in block `block` (read back at the next check).
	pub fn declared(&self, want: Declaration, block: u64) {
		self.with(|st| {
			st.declaring = false;
			st.declared = Some(want);
			st.declare_after = block + DECLARE_CHECK_BLOCKS;
		})
	}

	/// The declaration failed: tried again in [`DECLARE_RETRY_BLOCKS`] blocks.
	pub fn declaration_failed(&self) {
		self.with(|st| {
			st.declaring = false;
			st.declare_after = st.best + DECLARE_RETRY_BLOCKS;
		})
	}

	/// A new prover record has no declaration: check it at the next block.
	pub fn registered(&self) {
		self.with(|st| {
			st.declared = None;
			st.declare_after = 0;
		})
	}

	/// The program `id`, if fetched already.
	pub fn program(&self, id: &[u8; 32]) -> Option<market::ProgramInfo> {
		self.with(|st| st.programs.get(id).cloned())
	}

	/// Whether program `id` was fetched already.
	pub fn knows_program(&self, id: &[u8; 32]) -> bool {
		self.with(|st| st.programs.contains_key(id))
	}

	/// Remembers program `id` (an id names one program for ever).
	pub fn add_program(&self, id: [u8; 32], info: market::ProgramInfo) {
		self.with(|st| {
			st.programs.insert(id, info);
		})
	}

	/// Moves job `id` to `phase`; returns the jobs working now.
	pub fn set_phase(&self, id: RequestId, phase: Phase) -> u32 {
		self.with(|st| {
			if let Some(e) = st.jobs.get_mut(&id) {
				e.phase = phase;
			}
			st.busy_count()
		})
	}

	/// Leaves request `id` alone for `blocks` blocks.
	pub fn avoid(&self, id: RequestId, blocks: u64) {
		self.with(|st| {
			let until = st.best.saturating_add(blocks);
			st.avoid.insert(id, until);
		})
	}

	/// Forgets job `id`: the next block plans its request afresh.
	pub fn forget(&self, id: RequestId) {
		self.with(|st| {
			st.jobs.remove(&id);
		})
	}

	/// The task of job `id` ended.
	pub fn finished(&self, id: RequestId) {
		self.with(|st| {
			if let Some(e) = st.jobs.get_mut(&id) {
				e.running = false;
				e.handle = None;
			}
		})
	}

	/// The task of job `id` (aborted at shutdown) if the job still runs.
	pub fn set_handle(&self, id: RequestId, handle: tokio::task::AbortHandle) {
		self.with(|st| {
			if let Some(e) = st.jobs.get_mut(&id).filter(|e| e.running) {
				e.handle = Some(handle);
			}
		})
	}

	/// The request of job `id` is `requester`'s.
	pub fn set_requester(&self, id: RequestId, requester: [u8; 32]) {
		self.with(|st| {
			if let Some(e) = st.jobs.get_mut(&id) {
				e.requester = Some(requester);
			}
		})
	}

	/// The proof last sent for job `id`.
	pub fn kept_proof(&self, id: RequestId) -> Option<Vec<u8>> {
		self.with(|st| st.jobs.get(&id).and_then(|e| e.proof.clone()))
	}

	/// Keeps the proof sent for job `id` (re-sent as is with the same nonce
	/// while its transaction's outcome is unknown).
	pub fn keep_proof(&self, id: RequestId, proof: &[u8]) {
		self.with(|st| {
			if let Some(e) = st.jobs.get_mut(&id) {
				e.proof = Some(proof.to_vec());
			}
		})
	}

	/// Remembers request `id` as unprovable.
	pub fn mark_unprovable(&self, id: RequestId, why: String) {
		self.with(|st| {
			st.unprovable.insert(id, why);
		})
	}

	/// The preflight result of request `id`.
	pub fn preflight(&self, id: RequestId) -> Option<PreflightState> {
		self.with(|st| st.preflights.get(&id).cloned())
	}

	/// Records the preflight result of request `id`.
	pub fn set_preflight(&self, id: RequestId, state: PreflightState) {
		self.with(|st| {
			st.preflights.insert(id, state);
		})
	}

	/// A preflight that could not be run: forgotten, and the request left
	/// alone for [`RETRY_AFTER_BLOCKS`].
	pub fn preflight_error(&self, id: RequestId) {
		self.with(|st| {
			st.preflights.remove(&id);
			let until = st.best.saturating_add(RETRY_AFTER_BLOCKS);
			st.avoid.insert(id, until);
		})
	}

	/// A preflight that failed: request `id` is unprovable (`why`), counted
	/// against its requester `who`.
	pub fn preflight_failed(
		&self,
		metrics: &Metrics,
		id: RequestId,
		who: &[u8; 32],
		why: &str,
		unprovable: String,
	) {
		self.with(|st| {
			st.preflights.insert(id, PreflightState::Failed(why.to_string()));
			st.unprovable.insert(id, unprovable);
			st.requester_failed(metrics, who, Failure::Preflight, id, why);
		})
	}

	/// An assignment's preflight failed: the request is unprovable, counted
	/// against its requester `who`.
	pub fn assignment_preflight_failed(
		&self,
		metrics: &Metrics,
		id: RequestId,
		who: &[u8; 32],
		why: &str,
	) {
		self.with(|st| {
			st.unprovable.insert(id, format!("cannot be proven: {why}"));
			st.requester_failed(metrics, who, Failure::Preflight, id, why);
		})
	}

	/// A job that could not be proven counts against its requester (a lock's
	/// failure blocks it at once).
	pub fn job_failed(&self, metrics: &Metrics, id: RequestId, kind: Kind, why: &str) {
		let failure = match kind {
			Kind::Lock => Failure::Forfeit,
			Kind::Bounty | Kind::Assignment { .. } => Failure::Proving,
		};
		self.with(|st| {
			if let Some(who) = st.jobs.get(&id).and_then(|e| e.requester) {
				st.requester_failed(metrics, &who, failure, id, why);
			}
		})
	}

	/// Jobs working now.
	pub fn busy_count(&self) -> u32 {
		self.with(|st| st.busy_count())
	}

	/// The jobs working now.
	pub fn busy_jobs(&self) -> Vec<(RequestId, Kind)> {
		self.with(|st| {
			st.jobs.iter().filter(|(_, e)| e.busy()).map(|(id, e)| (*id, e.kind)).collect()
		})
	}

	/// Aborts every job's task.
	pub fn abort_all(&self) {
		self.with(|st| {
			for h in st.jobs.values().filter_map(|e| e.handle.as_ref()) {
				h.abort();
			}
		})
	}
}
