//! The agent's planning step, I/O-free: from one best block's [`Snapshot`]
//! of the chain (the prover's record, the open requests, the chain's time
//! and the account's nonce), the bookkeeping ([`State`]) and the
//! configuration ([`Ctx`]), what to do now ([`Plan`]): jobs to start (prove
//! an assignment, lock an offer, prove a bounty, resume our lock, re-send a
//! proof with the nonce of a transaction whose outcome is unknown),
//! assignments to decline, preflights to run, registering again. The
//! bookkeeping is updated as the plan says (the jobs it starts are entered
//! in it), so a request is never planned twice while its job runs.
//!
//! The "never twice" rules live here: one job per request, a proof already
//! in a block is not redone unless the request asks again, a proof
//! transaction whose outcome is unknown is re-sent with the **same nonce**
//! while the account's nonce has not passed it, and right after a restart
//! with transactions of this account still in the pool nothing new starts
//! for a few blocks (the nonce barrier).

use super::{
	backend::{self, Job},
	book::{ours_to_prove, Entry, Kind, Phase, State},
	chain::Consts,
	config::{self, Backend, Config},
	decide::{self, AssignmentPlan, Capacity, DeclineWindow, OfferTerms, Skip, Standing},
	metrics::Metrics,
	requesters::{Failure, PreflightState, Screened},
	LOW_MARKS, RETRY_AFTER_BLOCKS,
};
use std::collections::{HashMap, HashSet};
use tracing::{debug, info, warn};
use zkmarket_client::{
	amount::format_zk,
	groth16,
	market::{Fulfilment, Pricing, ProverInfo, RequestId, RequestState, RequestView},
	AccountId,
};

#[cfg(test)]
mod tests;

/// The chain at one best block, as the planner sees it.
#[derive(Clone, Debug)]
pub struct Snapshot {
	/// The block's number.
	pub number: u64,
	/// The chain's time (UNIX seconds).
	pub now: u64,
	/// The account's nonce in the block's state (its transactions included so far).
	pub state_nonce: u64,
	/// The prover's record (`None`: not registered).
	pub info: Option<ProverInfo>,
	/// The open requests from the scan's start.
	pub requests: Vec<RequestView>,
	/// The lowest open request id (where the next scans start).
	pub low: RequestId,
}

/// What the planner needs besides the chain and the bookkeeping.
pub struct Ctx<'a> {
	pub cfg: &'a Config,
	pub consts: &'a Consts,
	pub window: &'a DeclineWindow,
	/// The agent's account.
	pub me: &'a AccountId,
	/// Shutting down: no new jobs.
	pub stopping: bool,
	pub metrics: &'a Metrics,
}

/// A job to start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Start {
	pub id: RequestId,
	pub kind: Kind,
	/// Lock the offer first (`market.lock_request`).
	pub locking: bool,
	/// Re-send the kept proof with this nonce (its first transaction's
	/// outcome is unknown: the chain includes at most one of the two).
	pub reuse_nonce: Option<u64>,
}

/// An assignment to give back (`market.decline_assignment`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decline {
	pub id: RequestId,
	/// The assignment's deadline (block).
	pub deadline: u32,
	pub why: String,
	/// Logged at debug level (a request known to be unprovable, declined again).
	pub quiet: bool,
}

/// A `command` backend's preflight to run in the background.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreflightRun {
	pub id: RequestId,
	/// `lock` or `bounty`.
	pub what: &'static str,
	/// The requester.
	pub who: [u8; 32],
	pub job: Job,
	pub preflight: config::Preflight,
}

/// The start-up nonce barrier at this block.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum BarrierState {
	/// None (or no longer).
	#[default]
	Clear,
	/// Lifted at this block: the earlier transactions are resolved.
	Lifted,
	/// Proofs wait; `defer`: new jobs do not even start yet.
	Holding { defer: bool },
}

/// What to do at one best block.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
	/// Jobs to start (entered in the bookkeeping as running).
	pub starts: Vec<Start>,
	/// Assignments to decline (entered as running, done).
	pub declines: Vec<Decline>,
	/// Preflights to run (entered as running).
	pub preflights: Vec<PreflightRun>,
	/// Register the prover again (its record is gone).
	pub register: bool,
	pub barrier: BarrierState,
}

/// The request's offer terms, if it is an offer.
pub fn offer_terms(r: &RequestView) -> Option<OfferTerms> {
	match &r.pricing {
		Pricing::Offer(o) => Some(*o),
		Pricing::Auction { .. } => None,
	}
}

/// The job a backend gets for request `r` of a program of `kind`, proven by `me`.
pub fn job_for(r: &RequestView, kind: &zkmarket_client::ProgramKind, me: &AccountId) -> Job {
	Job {
		request: r.id,
		program: r.program,
		kind: kind.name(),
		inputs: r.inputs.clone(),
		binding: groth16::binding(r.id, &me.0),
		prover: me.0,
		guest: match kind {
			zkmarket_client::ProgramKind::Sp1 { vkey_hash, .. } => Some(("vkey_hash", *vkey_hash)),
			zkmarket_client::ProgramKind::Risc0 { image_id, .. } => Some(("image_id", *image_id)),
			_ => None,
		},
	}
}

/// A reputation in parts per billion as a percentage.
pub fn reputation(ppb: u32) -> String {
	format!("{:.1}%", ppb as f64 / 1e7)
}

fn fulfilment_label(f: &Fulfilment) -> String {
	match f {
		Fulfilment::Assignment { price, .. } => format!("assignment, {}", format_zk(*price)),
		Fulfilment::Locked { price, .. } => format!("locked offer, {}", format_zk(*price)),
		Fulfilment::Open { price } => format!("open offer, {}", format_zk(*price)),
		Fulfilment::Bounty { amount, .. } => format!("bounty, {}", format_zk(*amount)),
	}
}

impl Ctx<'_> {
	/// Jobs the chain lets this prover hold at once: its declared `max_jobs`
	/// (`MaxJobsPerProver` while it declared nothing).
	fn chain_max_jobs(&self, st: &State) -> u32 {
		st.declared.as_ref().map_or(self.consts.max_jobs, |d| d.max_jobs.min(self.consts.max_jobs))
	}

	/// Block time in whole seconds (rounded up).
	fn block_secs(&self) -> u64 {
		self.consts.block_millis.div_ceil(1000)
	}
}

impl State {
	/// Plans best block `snap` and enters what it starts in the bookkeeping.
	pub fn plan(&mut self, ctx: &Ctx, snap: &Snapshot) -> Plan {
		let (number, now, me) = (snap.number, snap.now, ctx.me);
		let mut plan = Plan::default();
		self.low_marks.push_back(snap.low);
		while self.low_marks.len() > LOW_MARKS {
			self.low_marks.pop_front();
		}
		self.best = self.best.max(number);
		if let Some(b) = self.barrier {
			if snap.state_nonce >= b.target || number >= b.until {
				info!("the earlier transactions are resolved; proofs may be submitted");
				self.barrier = None;
				plan.barrier = BarrierState::Lifted;
			} else {
				plan.barrier = BarrierState::Holding { defer: number < b.defer_until };
			}
		}
		self.standing_changes(ctx, snap, &mut plan);
		let chain_max_jobs = ctx.chain_max_jobs(self);
		let standing = match &snap.info {
			// The chain's `eligible` also requires a free job slot; a busy
			// prover is short of capacity (NoCapacity), not ineligible.
			Some(p) => Standing {
				eligible: p.eligible || p.active_jobs >= chain_max_jobs,
				stake: p.effective_stake,
				min_stake: ctx.consts.min_stake,
			},
			None => Standing { eligible: false, stake: 0, min_stake: ctx.consts.min_stake },
		};
		// The requester record: failures older than `requester_block_secs`
		// forgotten, blocks that are over ended.
		self.now = now;
		for who in self.requesters.expire(now) {
			info!(
				"requester {}: no longer blocked; its offers and bounties are taken again",
				zkmarket_client::keys::ss58(&AccountId::from(who))
			);
		}
		ctx.metrics.blocked_requesters(self.requesters.blocked_count(now) as u64);
		let running_preflights =
			self.preflights.values().filter(|p| **p == PreflightState::Running).count() as u32;
		let mut locks_held = self.locks_held(me, &snap.requests);
		let mut capacity = Capacity {
			// Running preflights take a slot too (they compute).
			local_jobs: self.busy_count() + running_preflights,
			max_jobs: ctx.cfg.max_jobs,
			chain_jobs: snap.info.as_ref().map(|p| p.active_jobs).unwrap_or(0),
			chain_max_jobs,
		};
		self.avoid.retain(|_, until| *until > number);
		// Right after a restart with our transactions still pending, start
		// nothing for a few blocks: they may settle what we would redo.
		let stopping =
			ctx.stopping || matches!(plan.barrier, BarrierState::Holding { defer: true });
		// Jobs started: (id, kind, reuse nonce, requester).
		let mut spawn: Vec<(RequestId, Kind, Option<u64>, [u8; 32])> = Vec::new();

		for r in &snap.requests {
			// Offers and bounties: `[[programs]]` only. Assignments (and our
			// locks): also programs of a kind of `[[kinds]]`.
			let program = ctx.cfg.program(&r.program);
			let kind = self.programs.get(&r.program).map(|p| p.kind.index());
			let served = ctx.cfg.program_for(&r.program, kind);
			let auction_only = |e: Skip| match e {
				Skip::UnknownProgram if served.is_some() => Skip::AuctionOnly,
				e => e,
			};
			match &r.state {
				RequestState::Assigned { prover, deadline, .. } if prover == me => {
					let kind = Kind::Assignment { deadline: *deadline };
					let Some(nonce) = self.redo(r.id, kind, number, snap.state_nonce) else {
						continue;
					};
					if stopping {
						continue;
					}
					if let Some(why) = self.unprovable.get(&r.id).cloned() {
						if self.decisions.changed(r.id, "assignment", "unprovable") {
							info!("assignment #{}: declining again: {why}", r.id);
						}
						ctx.metrics.decision("assignment", "unprovable");
						plan.declines.push(Decline {
							id: r.id,
							deadline: *deadline,
							why,
							quiet: true,
						});
						continue;
					}
					// Served by a whole kind, perhaps, but the program's kind
					// could not be read yet: decide at the next block (while a
					// decline would still be free), rather than decline work we serve.
					let free_until = ctx.window.free_until(*deadline as u64);
					if served.is_none()
						&& !ctx.cfg.kinds.is_empty()
						&& !self.programs.contains_key(&r.program)
						&& number + 2 < free_until
					{
						debug!("assignment #{}: the program's kind is not known yet", r.id);
						continue;
					}
					match decide::plan_assignment(
						served.as_deref(),
						number,
						*deadline as u64,
						ctx.consts.block_millis,
					) {
						AssignmentPlan::Prove => {
							info!("assignment #{}: proving (deadline #{deadline})", r.id);
							// It takes a local slot from offers and bounties of this
							// block (its chain slot is already counted).
							capacity.local_jobs += 1;
							ctx.metrics.job_taken("assignment");
							ctx.metrics.decision("assignment", "prove");
							spawn.push((r.id, kind, nonce, r.requester.0));
						}
						AssignmentPlan::Decline(why) => {
							info!("assignment #{}: declining: {why}", r.id);
							ctx.metrics.decision("assignment", why.label());
							let quiet = self.unprovable.contains_key(&r.id);
							let why = why.to_string();
							plan.declines.push(Decline {
								id: r.id,
								deadline: *deadline,
								why,
								quiet,
							});
						}
					}
				}
				RequestState::Locked { prover, .. } if prover == me => {
					let Some(nonce) = self.redo(r.id, Kind::Lock, number, snap.state_nonce) else {
						continue;
					};
					if stopping {
						continue;
					}
					let deadline = offer_terms(r).map(|t| t.lock_deadline()).unwrap_or(0);
					info!(
						"lock #{}: locked by us, proving (lock deadline in {} s)",
						r.id,
						deadline.saturating_sub(now)
					);
					spawn.push((r.id, Kind::Lock, nonce, r.requester.0));
				}
				RequestState::ProofSubmitted { prover, fulfilment, .. }
					if prover == me
						&& !self.jobs.contains_key(&r.id)
						&& self.awaiting_logged.insert(r.id) =>
				{
					info!(
						"#{}: our proof ({}) awaits its verdict",
						r.id,
						fulfilment_label(fulfilment)
					);
				}
				RequestState::Open => {
					let Some(terms) = offer_terms(r) else { continue };
					if stopping || self.jobs.contains_key(&r.id) || self.avoid.contains_key(&r.id) {
						continue;
					}
					let price = terms.price_at(now);
					let held = locks_held.get(&r.requester.0).copied().unwrap_or(0);
					match decide::evaluate_lock(
						&terms,
						price,
						program,
						ctx.cfg.lock_offers,
						now,
						// Proving starts once the lock is in a block.
						ctx.cfg.margin_secs.saturating_add(ctx.block_secs()),
						&standing,
						&capacity,
					)
					.map_err(auction_only)
					.and_then(|p| self.screen(ctx, r, program, now, Some(held)).map(|s| (p, s)))
					{
						Ok((_, Screened::Preflight)) => {
							if let Some(run) = self.start_preflight(ctx, r, program, "lock") {
								*locks_held.entry(r.requester.0).or_default() += 1;
								capacity.take();
								plan.preflights.push(run);
							}
						}
						Ok((price, Screened::Take)) => {
							info!(
								"lock #{}: locking (price {}, cost {}, collateral {}, lock deadline in {} s)",
								r.id,
								format_zk(price),
								format_zk(program.map(|p| p.min_price).unwrap_or(0)),
								format_zk(terms.lock_collateral),
								terms.lock_deadline().saturating_sub(now)
							);
							ctx.metrics.decision("lock", "take");
							self.decisions.changed(r.id, "lock", "take");
							capacity.take();
							*locks_held.entry(r.requester.0).or_default() += 1;
							spawn.push((r.id, Kind::Lock, None, r.requester.0));
							let entry = Entry::new(Kind::Lock, Phase::Locking, Some(r.requester.0));
							self.jobs.insert(r.id, entry);
						}
						Err(why) => {
							if self.decisions.changed(r.id, "lock", why.label()) {
								info!("lock #{}: skipped: {why}", r.id);
								ctx.metrics.decision("lock", why.label());
							}
						}
					}
				}
				RequestState::BountyOpen { bounty, .. } => {
					let Some(terms) = offer_terms(r) else { continue };
					if stopping || self.jobs.contains_key(&r.id) || self.avoid.contains_key(&r.id) {
						continue;
					}
					// A proof of an unbound program is refused unless we hold
					// the obligation (a kind not fetched yet: a later block).
					let bound = self.programs.get(&r.program).is_some_and(|p| p.kind.is_bound());
					let unbound = program.is_some() && !bound;
					match decide::evaluate_bounty(
						&terms,
						*bounty,
						program,
						ctx.cfg.take_bounties,
						now,
						ctx.cfg.margin_secs,
						&standing,
						&capacity,
					)
					.map_err(auction_only)
					.and_then(|b| if unbound { Err(Skip::Unbound) } else { Ok(b) })
					.and_then(|b| self.screen(ctx, r, program, now, None).map(|s| (b, s)))
					{
						Ok((_, Screened::Preflight)) => {
							if let Some(run) = self.start_preflight(ctx, r, program, "bounty") {
								capacity.take();
								plan.preflights.push(run);
							}
						}
						Ok((b, Screened::Take)) => {
							info!(
								"bounty #{}: proving for a bounty of {} (deadline in {} s)",
								r.id,
								format_zk(b),
								terms.deadline().saturating_sub(now)
							);
							ctx.metrics.decision("bounty", "take");
							ctx.metrics.job_taken("bounty");
							self.decisions.changed(r.id, "bounty", "take");
							capacity.take();
							spawn.push((r.id, Kind::Bounty, None, r.requester.0));
						}
						Err(why) => {
							if self.decisions.changed(r.id, "bounty", why.label()) {
								info!("bounty #{}: skipped: {why}", r.id);
								ctx.metrics.decision("bounty", why.label());
							}
						}
					}
				}
				_ => {}
			}
		}
		self.forget_closed(me, &snap.requests);
		for (id, kind, reuse_nonce, requester) in spawn {
			let e = self
				.jobs
				.entry(id)
				.and_modify(|e| {
					e.kind = kind;
					e.running = true;
					e.requester = Some(requester);
					e.phase = if kind == Kind::Lock && e.phase == Phase::Locking {
						Phase::Locking
					} else {
						Phase::Proving
					};
				})
				.or_insert(Entry::new(kind, Phase::Proving, Some(requester)));
			let locking = e.phase == Phase::Locking;
			plan.starts.push(Start { id, kind, locking, reuse_nonce });
		}
		for d in &plan.declines {
			let kind = Kind::Assignment { deadline: d.deadline };
			self.jobs.insert(d.id, Entry::new(kind, Phase::Done, None));
		}
		ctx.metrics.in_flight(self.busy_count());
		plan
	}

	/// The prover's record: metrics, eligibility changes logged, registering
	/// again when it is gone.
	fn standing_changes(&mut self, ctx: &Ctx, snap: &Snapshot, plan: &mut Plan) {
		if let Some(p) = &snap.info {
			ctx.metrics.standing(p.effective_stake, p.collateral, p.reputation, p.active_jobs);
			let busy = !p.eligible && p.active_jobs >= ctx.chain_max_jobs(self);
			if busy {
				debug!("all {} job slots busy", p.active_jobs);
			} else if self.eligible != Some(p.eligible) {
				if p.eligible {
					info!(
						"eligible for new work (stake {}, reputation {})",
						format_zk(p.effective_stake),
						reputation(p.reputation)
					);
				} else {
					warn!(
						"not eligible for new work (stake {}, reputation {}{})",
						format_zk(p.effective_stake),
						reputation(p.reputation),
						if p.paused { ", paused" } else { "" }
					);
				}
				self.eligible = Some(p.eligible);
			}
		} else {
			if self.eligible != Some(false) {
				warn!("the account is not a registered prover: no new work");
				self.eligible = Some(false);
			}
			// Registered again (a fresh chain, or deregistered) as configured,
			// at most every RETRY_AFTER_BLOCKS * 4 blocks.
			if ctx.cfg.stake > 0 && !ctx.stopping && snap.number >= self.register_after {
				self.register_after = snap.number + RETRY_AFTER_BLOCKS * 4;
				plan.register = true;
			}
		}
	}

	/// Forgets finished jobs whose request no longer needs us, and what is
	/// remembered of requests that are closed.
	fn forget_closed(&mut self, me: &AccountId, requests: &[RequestView]) {
		let by_id: HashMap<RequestId, &RequestView> = requests.iter().map(|r| (r.id, r)).collect();
		self.jobs.retain(|id, e| {
			if e.running {
				return true;
			}
			match by_id.get(id) {
				None => false,
				Some(r) => match &r.state {
					RequestState::ProofSubmitted { prover, .. } => prover == me,
					s => ours_to_prove(e.kind, s, me),
				},
			}
		});
		let open: HashSet<RequestId> = requests.iter().map(|r| r.id).collect();
		self.decisions.retain(|id| open.contains(&id));
		self.unprovable.retain(|id, _| open.contains(id));
		self.preflights.retain(|id, p| open.contains(id) || *p == PreflightState::Running);
		self.awaiting_logged.retain(|id| open.contains(id));
	}

	/// Whether a request asking us for a proof (assignment or our lock) needs
	/// a new job now: `Some(reuse_nonce)` if so (the nonce of an earlier proof
	/// transaction with an unknown outcome, to be reused so that at most one of
	/// them is ever included), `None` if a job already covers it.
	pub fn redo(
		&self,
		id: RequestId,
		kind: Kind,
		number: u64,
		state_nonce: u64,
	) -> Option<Option<u64>> {
		let Some(e) = self.jobs.get(&id) else { return Some(None) };
		if e.running {
			return None;
		}
		if e.kind != kind {
			// Re-assigned (new deadline) or a lock after a bounty: a new job.
			return Some(None);
		}
		match e.phase {
			// Our proof was in an earlier block and the request asks again: its
			// verdict was invalid or late. Prove again.
			Phase::Landed { block } if number > block => Some(None),
			Phase::Landed { .. } => None,
			Phase::Unknown { nonce } if state_nonce > nonce => Some(None),
			Phase::Unknown { nonce } => Some(Some(nonce)),
			Phase::Done => None,
			Phase::Locking | Phase::Proving | Phase::Submitting => Some(None),
		}
	}

	/// The checks of an offer (`locks_held`: the locks of its requester held
	/// now) or a bounty (`None`) after its price, time and capacity checks
	/// (requesters.rs): its requester is not blocked (nor holding
	/// `requester_max_locks` locks), it is not known to be unprovable, and
	/// the backend's preflight passed: the demo backend's witness search runs
	/// at once (a few ms); a `command` backend's `preflight`
	/// ([`Screened::Preflight`]) is started by the caller and its result read
	/// at a later block; a `command` backend without one is trusted.
	fn screen(
		&mut self,
		ctx: &Ctx,
		r: &RequestView,
		program: Option<&config::Program>,
		now: u64,
		locks_held: Option<u32>,
	) -> Result<Screened, Skip> {
		if let Some(why) = self.unprovable.get(&r.id) {
			return Err(Skip::Unprovable(why.clone()));
		}
		let Some(program) = program else { return Err(Skip::UnknownProgram) };
		let who = r.requester.0;
		let state = match (&program.backend, &program.preflight) {
			(Backend::Command(_), None) => None,
			_ => Some(self.preflights.get(&r.id)),
		};
		let screened = self.requesters.screen(&who, now, locks_held, state)?;
		if screened == Screened::Preflight && program.backend == Backend::Demo {
			return match backend::preflight(&program.backend, &r.inputs) {
				Ok(()) => {
					self.preflights.insert(r.id, PreflightState::Passed);
					Ok(Screened::Take)
				}
				Err(e) => {
					let why = e.to_string();
					self.preflights.insert(r.id, PreflightState::Failed(why.clone()));
					self.unprovable.insert(r.id, why.clone());
					self.requester_failed(ctx.metrics, &who, Failure::Preflight, r.id, &why);
					Err(Skip::Unprovable(why))
				}
			};
		}
		Ok(screened)
	}

	/// Marks the preflight of an offer (`what` = "lock") or bounty as running
	/// and returns what runs it (`None` while the program's kind is not
	/// known yet: a later block).
	fn start_preflight(
		&mut self,
		ctx: &Ctx,
		r: &RequestView,
		program: Option<&config::Program>,
		what: &'static str,
	) -> Option<PreflightRun> {
		let preflight = program?.preflight.clone()?;
		let Some(info) = self.programs.get(&r.program) else {
			debug!("{what} #{}: the program's kind is not known yet; preflight later", r.id);
			return None;
		};
		let job = job_for(r, &info.kind, ctx.me);
		self.preflights.insert(r.id, PreflightState::Running);
		if self.decisions.changed(r.id, what, "preflight") {
			info!(
				"{what} #{}: running the preflight `{}` (at most {} s) before {}",
				r.id,
				preflight.argv[0],
				preflight.timeout_secs,
				if what == "lock" { "locking" } else { "proving" }
			);
			ctx.metrics.decision(what, "preflight");
		}
		Some(PreflightRun { id: r.id, what, who: r.requester.0, job, preflight })
	}

	/// Locks of each requester's offers not resolved yet: locked by us, or
	/// being locked, proven or submitted, or preflighted for a lock.
	fn locks_held(&self, me: &AccountId, requests: &[RequestView]) -> HashMap<[u8; 32], u32> {
		let mut held: HashMap<[u8; 32], u32> = HashMap::new();
		for r in requests {
			let locked = match &r.state {
				RequestState::Locked { prover, .. } => prover == me,
				RequestState::Open => self.preflights.get(&r.id) == Some(&PreflightState::Running),
				_ => false,
			};
			let job = self.jobs.get(&r.id).is_some_and(|e| {
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
}
