//! Requesters whose requests the agent could not prove (issue 28), and the
//! preflight results of requests: the checks an offer or a bounty passes after
//! its price, time and capacity checks (`decide`), before it is taken.
//!
//! A requester can post offers whose public inputs no witness satisfies, at
//! the agent's `max_collateral`: a lock of such an offer forfeits the
//! collateral and lowers the prover's reputation. The defence, in order:
//!
//! 1. **Preflight**: a `command` backend's `preflight` command (witness
//!    generation, guest execution) runs before an offer is locked or a bounty
//!    taken; the demo backend searches its witness. A request that fails it is
//!    not taken (and costs nothing but the preflight's time).
//! 2. **Record**: every failure of a requester's request is counted
//!    ([`Failure`]): `failure_limit` preflight (or proving) failures within
//!    `block_secs`, or **one** locked offer that could not be proven (a
//!    forfeited lock: the preflight passed, the proof failed), and its offers
//!    and bounties are skipped for `block_secs`.
//! 3. **One lock at a time**: at most `max_locks` (default 1) offers of one
//!    requester are locked, or being preflighted for a lock, at once, so the
//!    first forfeit blocks the requester before a second lock is taken.
//!
//! Together: a requester whose offers pass the preflight but cannot be proven
//! costs the agent at most `max_locks` forfeited locks per `block_secs` (one
//! by default); one whose offers fail the preflight costs none.
//!
//! Auction assignments are dealt by the chain, not chosen: they are never
//! refused by requester, but an assignment that fails its preflight is
//! declined at once (free early in its window) and counted as a failure.
//!
//! Times are the chain's (UNIX seconds of the best block); the record lives in
//! memory (a restart forgets it) and holds at most [`MAX_RECORDS`] requesters.

use super::decide::Skip;
use std::collections::{HashMap, VecDeque};

/// A requester: its 32-byte account id.
pub type Who = [u8; 32];

/// Requesters remembered at most (the least recent are forgotten first; a
/// blocked requester only when every remembered one is blocked).
pub const MAX_RECORDS: usize = 4096;

/// When a requester's offers and bounties are no longer taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
	/// Preflight (or proving) failures within `block_secs` that block the
	/// requester (`requester_failure_limit`, at least 1). A forfeited lock
	/// blocks at once.
	pub failure_limit: u32,
	/// How long failures are counted and a requester stays blocked
	/// (`requester_block_secs`; 0: the record is off).
	pub block_secs: u64,
	/// Offers of one requester locked (or preflighted for a lock) at once
	/// (`requester_max_locks`, at least 1).
	pub max_locks: u32,
}

impl Default for Policy {
	fn default() -> Self {
		use super::config::{
			DEFAULT_REQUESTER_BLOCK_SECS, DEFAULT_REQUESTER_FAILURE_LIMIT,
			DEFAULT_REQUESTER_MAX_LOCKS,
		};
		Policy {
			failure_limit: DEFAULT_REQUESTER_FAILURE_LIMIT,
			block_secs: DEFAULT_REQUESTER_BLOCK_SECS,
			max_locks: DEFAULT_REQUESTER_MAX_LOCKS,
		}
	}
}

/// What failed about a request the agent considered or took.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
	/// A preflight found it cannot be proven (nothing was pledged).
	Preflight,
	/// A bounty or an assignment it took could not be proven (proving time
	/// lost; an assignment is declined).
	Proving,
	/// An offer it locked could not be proven: the collateral is forfeited.
	/// Blocks the requester at once.
	Forfeit,
}

impl Failure {
	/// A short label (logs).
	pub fn label(self) -> &'static str {
		match self {
			Failure::Preflight => "preflight failed",
			Failure::Proving => "could not be proven",
			Failure::Forfeit => "locked but could not be proven",
		}
	}
}

/// A requester newly blocked by a failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Blocked {
	/// Blocked until this time (UNIX seconds).
	pub until: u64,
	/// Failures counted.
	pub failures: u32,
}

#[derive(Clone, Debug, Default)]
struct Record {
	/// Times of the failures counted (oldest first).
	failures: VecDeque<u64>,
	/// Blocked until this time.
	blocked_until: Option<u64>,
	/// Time of the last failure.
	last: u64,
}

impl Record {
	fn expire(&mut self, now: u64, block_secs: u64) {
		while self.failures.front().is_some_and(|t| t.saturating_add(block_secs) <= now) {
			self.failures.pop_front();
		}
		if self.blocked_until.is_some_and(|u| u <= now) {
			self.blocked_until = None;
		}
	}

	fn blocked(&self, now: u64) -> Option<u64> {
		self.blocked_until.filter(|u| *u > now)
	}

	fn idle(&self) -> bool {
		self.failures.is_empty() && self.blocked_until.is_none()
	}
}

/// The failures of requesters' requests, and who is blocked.
#[derive(Clone, Debug, Default)]
pub struct Requesters {
	policy: Policy,
	records: HashMap<Who, Record>,
}

/// What to do with an offer or bounty after [`Requesters::screen`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Screened {
	/// Take it (lock the offer, prove the bounty).
	Take,
	/// Run the backend's preflight first (in the background); decide again
	/// with its result at a later block.
	Preflight,
}

/// The result of a `command` backend's preflight for a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PreflightState {
	/// Running.
	Running,
	/// It can be proven.
	Passed,
	/// It cannot: why.
	Failed(String),
}

impl Requesters {
	/// An empty record with `policy`.
	pub fn new(policy: Policy) -> Self {
		Requesters { policy, records: HashMap::new() }
	}

	/// The policy.
	pub fn policy(&self) -> &Policy {
		&self.policy
	}

	/// Until when `who` is blocked, if it is at `now`.
	pub fn blocked_until(&self, who: &Who, now: u64) -> Option<u64> {
		self.records.get(who).and_then(|r| r.blocked(now))
	}

	/// Failures of `who` counted at `now`.
	pub fn failures(&self, who: &Who, now: u64) -> u32 {
		let secs = self.policy.block_secs;
		self.records.get(who).map_or(0, |r| {
			r.failures.iter().filter(|t| t.saturating_add(secs) > now).count() as u32
		})
	}

	/// Whether an offer (`locks_held`: `Some` of the locks of `who` held now,
	/// counting preflights running for a lock) or a bounty (`None`) of `who`,
	/// which passed the price, time and capacity checks, is taken at `now`.
	/// `preflight`: `None` when the backend has no preflight of its own to
	/// run (the demo backend's witness search is checked before), else the
	/// request's preflight result so far.
	pub fn screen(
		&self,
		who: &Who,
		now: u64,
		locks_held: Option<u32>,
		preflight: Option<Option<&PreflightState>>,
	) -> Result<Screened, Skip> {
		if let Some(until) = self.blocked_until(who, now) {
			return Err(Skip::RequesterBlocked {
				left: until - now,
				failures: self.failures(who, now),
			});
		}
		if let Some(held) = locks_held {
			if held >= self.policy.max_locks {
				return Err(Skip::RequesterBusy { held, max: self.policy.max_locks });
			}
		}
		match preflight {
			None | Some(Some(PreflightState::Passed)) => Ok(Screened::Take),
			Some(None) => Ok(Screened::Preflight),
			Some(Some(PreflightState::Running)) => Err(Skip::PreflightRunning),
			Some(Some(PreflightState::Failed(why))) => Err(Skip::Unprovable(why.clone())),
		}
	}

	/// Counts a failure of `who` at `now`; `Some` when it blocks `who` now
	/// (`failure_limit` failures within `block_secs`, or a forfeited lock).
	/// A failure while blocked is counted but does not extend the block.
	pub fn record(&mut self, who: &Who, failure: Failure, now: u64) -> Option<Blocked> {
		let Policy { failure_limit, block_secs, .. } = self.policy;
		if block_secs == 0 {
			return None;
		}
		if !self.records.contains_key(who) {
			self.make_room(now);
		}
		let rec = self.records.entry(*who).or_default();
		rec.expire(now, block_secs);
		rec.failures.push_back(now);
		rec.last = now;
		if rec.blocked(now).is_some() {
			return None;
		}
		let failures = rec.failures.len() as u32;
		if failure == Failure::Forfeit || failures >= failure_limit {
			let until = now.saturating_add(block_secs);
			rec.blocked_until = Some(until);
			return Some(Blocked { until, failures });
		}
		None
	}

	/// Forgets failures older than `block_secs` and ends blocks that are
	/// over; returns the requesters no longer blocked.
	pub fn expire(&mut self, now: u64) -> Vec<Who> {
		let secs = self.policy.block_secs;
		let mut unblocked = Vec::new();
		self.records.retain(|who, r| {
			let was = r.blocked_until.is_some();
			r.expire(now, secs);
			if was && r.blocked_until.is_none() {
				unblocked.push(*who);
			}
			!r.idle()
		});
		unblocked
	}

	/// Requesters blocked at `now`.
	pub fn blocked_count(&self, now: u64) -> usize {
		self.records.values().filter(|r| r.blocked(now).is_some()).count()
	}

	/// Requesters remembered.
	#[cfg(test)]
	pub fn len(&self) -> usize {
		self.records.len()
	}

	/// Whether none is remembered.
	#[cfg(test)]
	pub fn is_empty(&self) -> bool {
		self.records.is_empty()
	}

	/// Keeps the record under [`MAX_RECORDS`] before a new requester is added:
	/// forgets expired entries, then the least recent unblocked one, then the
	/// blocked one whose block ends first.
	fn make_room(&mut self, now: u64) {
		if self.records.len() < MAX_RECORDS {
			return;
		}
		self.expire(now);
		if self.records.len() < MAX_RECORDS {
			return;
		}
		let victim = self
			.records
			.iter()
			.min_by_key(|(_, r)| (r.blocked(now).is_some(), r.blocked_until.unwrap_or(0), r.last))
			.map(|(w, _)| *w);
		if let Some(w) = victim {
			self.records.remove(&w);
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	const DAY: u64 = 24 * 3600;
	const EVE: Who = [0xee; 32];
	const ALICE: Who = [0xaa; 32];

	fn policy() -> Policy {
		Policy { failure_limit: 3, block_secs: DAY, max_locks: 1 }
	}

	#[test]
	fn preflight_failures_block_at_the_limit_and_expire() {
		let mut r = Requesters::new(policy());
		assert_eq!(r.record(&EVE, Failure::Preflight, 1000), None);
		assert_eq!(r.record(&EVE, Failure::Proving, 1010), None);
		assert_eq!(r.failures(&EVE, 1010), 2);
		assert_eq!(r.screen(&EVE, 1010, Some(0), None), Ok(Screened::Take));
		// The third within a day blocks for a day.
		assert_eq!(
			r.record(&EVE, Failure::Preflight, 1020),
			Some(Blocked { until: 1020 + DAY, failures: 3 })
		);
		assert_eq!(r.blocked_until(&EVE, 1021), Some(1020 + DAY));
		assert_eq!(
			r.screen(&EVE, 1020 + 100, None, None),
			Err(Skip::RequesterBlocked { left: DAY - 100, failures: 3 })
		);
		// Failures while blocked do not extend it.
		assert_eq!(r.record(&EVE, Failure::Forfeit, 2000), None);
		assert_eq!(r.blocked_until(&EVE, 2000), Some(1020 + DAY));
		// Others are not affected.
		assert_eq!(r.screen(&ALICE, 2000, Some(0), None), Ok(Screened::Take));
		assert_eq!(r.blocked_count(2000), 1);
		// The block ends; the failures expire with it (the last, at 2000, a little later).
		assert_eq!(r.expire(1020 + DAY), vec![EVE]);
		assert_eq!(r.blocked_until(&EVE, 1020 + DAY), None);
		assert_eq!(r.failures(&EVE, 1020 + DAY), 1);
		assert_eq!(r.expire(2000 + DAY), Vec::<Who>::new());
		assert!(r.is_empty());
	}

	#[test]
	fn failures_older_than_the_window_do_not_count() {
		let mut r = Requesters::new(policy());
		r.record(&EVE, Failure::Preflight, 0);
		r.record(&EVE, Failure::Preflight, DAY / 2);
		// The first is a day old: 2 within the window, not blocked.
		assert_eq!(r.record(&EVE, Failure::Preflight, DAY), None);
		assert_eq!(r.failures(&EVE, DAY), 2);
		assert!(r.record(&EVE, Failure::Preflight, DAY + 1).is_some());
	}

	#[test]
	fn a_forfeited_lock_blocks_at_once() {
		let mut r = Requesters::new(policy());
		assert_eq!(
			r.record(&EVE, Failure::Forfeit, 50),
			Some(Blocked { until: 50 + DAY, failures: 1 })
		);
		// Limit 1: the first failure of any kind blocks.
		let mut one = Requesters::new(Policy { failure_limit: 1, ..policy() });
		assert!(one.record(&EVE, Failure::Preflight, 50).is_some());
		// block_secs 0: the record is off.
		let mut off = Requesters::new(Policy { block_secs: 0, ..policy() });
		assert_eq!(off.record(&EVE, Failure::Forfeit, 50), None);
		assert_eq!(off.screen(&EVE, 50, Some(0), None), Ok(Screened::Take));
		assert!(off.is_empty());
	}

	#[test]
	fn screening() {
		let r = Requesters::new(Policy { max_locks: 2, ..policy() });
		let pf = |s: Option<&PreflightState>| r.screen(&EVE, 10, Some(1), Some(s));
		assert_eq!(pf(None), Ok(Screened::Preflight));
		assert_eq!(pf(Some(&PreflightState::Running)), Err(Skip::PreflightRunning));
		assert_eq!(pf(Some(&PreflightState::Passed)), Ok(Screened::Take));
		assert_eq!(
			pf(Some(&PreflightState::Failed("exit 1".into()))),
			Err(Skip::Unprovable("exit 1".into()))
		);
		assert_eq!(
			r.screen(&EVE, 10, Some(2), Some(None)),
			Err(Skip::RequesterBusy { held: 2, max: 2 })
		);
		// Bounties are not limited by locks held.
		assert_eq!(r.screen(&EVE, 10, None, Some(None)), Ok(Screened::Preflight));
	}

	#[test]
	fn the_record_is_bounded() {
		let mut r = Requesters::new(policy());
		let who = |i: usize| {
			let mut w = [0u8; 32];
			w[..8].copy_from_slice(&(i as u64).to_le_bytes());
			w
		};
		// One blocked requester, then more requesters than fit.
		r.record(&EVE, Failure::Forfeit, 1);
		for i in 0..MAX_RECORDS + 10 {
			r.record(&who(i), Failure::Preflight, 2 + i as u64);
		}
		assert_eq!(r.len(), MAX_RECORDS);
		// The least recent unblocked ones went first; the blocked one stays.
		assert!(r.blocked_until(&EVE, 100).is_some());
		assert_eq!(r.failures(&who(0), 100), 0);
		assert_eq!(r.failures(&who(MAX_RECORDS + 9), 10_000), 1);
	}

	/// The agent's screening of one requester's offers, block by block, as
	/// `Agent::tick` runs it: an offer that passed the price, time and
	/// capacity checks is screened with the locks (and lock preflights) of
	/// its requester held now; a preflight runs in the background and its
	/// result is read at the next block; a lock is proven (or not) before the
	/// next block's screening.
	struct Sim {
		requesters: Requesters,
		/// Per offer: its preflight state, and whether it was locked.
		offers: Vec<(Option<PreflightState>, bool)>,
		preflights: u32,
		locks: u32,
		forfeits: u32,
	}

	impl Sim {
		fn new(policy: Policy, offers: usize) -> Self {
			Sim {
				requesters: Requesters::new(policy),
				offers: vec![(None, false); offers],
				preflights: 0,
				locks: 0,
				forfeits: 0,
			}
		}

		/// One block at `now`: screen every open offer, then finish the
		/// preflights started and the proofs of the locks taken.
		fn block(&mut self, now: u64, preflight_passes: bool, proof_succeeds: bool) {
			let running =
				self.offers.iter().filter(|(s, _)| *s == Some(PreflightState::Running)).count();
			let mut held = running as u32;
			let mut taken = Vec::new();
			for i in 0..self.offers.len() {
				let (state, locked) = &self.offers[i];
				if *locked {
					continue;
				}
				match self.requesters.screen(&EVE, now, Some(held), Some(state.as_ref())) {
					Ok(Screened::Preflight) => {
						self.offers[i].0 = Some(PreflightState::Running);
						self.preflights += 1;
						held += 1;
					}
					Ok(Screened::Take) => {
						self.offers[i].1 = true;
						self.locks += 1;
						held += 1;
						taken.push(i);
					}
					Err(_) => {}
				}
			}
			for (state, _) in self.offers.iter_mut() {
				if *state == Some(PreflightState::Running) {
					*state = Some(if preflight_passes {
						PreflightState::Passed
					} else {
						self.requesters.record(&EVE, Failure::Preflight, now);
						PreflightState::Failed("no witness".into())
					});
				}
			}
			for _ in taken {
				if !proof_succeeds {
					self.forfeits += 1;
					self.requesters.record(&EVE, Failure::Forfeit, now);
				}
			}
		}
	}

	/// Issue 28: "10 such offers from one requester cost the agent at most one
	/// forfeited lock", whether they come all at once or one per block.
	#[test]
	fn ten_unprovable_offers_cost_at_most_one_forfeited_lock() {
		for at_once in [true, false] {
			// The preflight passes, the proof fails: one lock lost, then blocked.
			let mut sim = Sim::new(policy(), 10);
			if at_once {
				for b in 0..20 {
					sim.block(1000 + 6 * b, true, false);
				}
			} else {
				// A new offer every block.
				let all = std::mem::take(&mut sim.offers);
				for (b, offer) in all.into_iter().enumerate() {
					sim.offers.push(offer);
					sim.block(1000 + 6 * b as u64, true, false);
				}
			}
			assert_eq!(sim.forfeits, 1, "at most one forfeited lock (at once: {at_once})");
			assert_eq!(sim.locks, 1);
			assert!(sim.requesters.blocked_until(&EVE, 1200).is_some());

			// The preflight fails: nothing locked, and only `failure_limit`
			// preflights run before the requester is skipped.
			let mut sim = Sim::new(policy(), 10);
			for b in 0..20 {
				sim.block(1000 + 6 * b, false, false);
			}
			assert_eq!((sim.locks, sim.forfeits), (0, 0));
			assert_eq!(sim.preflights, 3);
			assert!(sim.requesters.blocked_until(&EVE, 1200).is_some());
		}
		// Provable offers are all locked, one at a time.
		let mut sim = Sim::new(policy(), 10);
		for b in 0..20 {
			sim.block(1000 + 6 * b, true, true);
		}
		assert_eq!((sim.locks, sim.forfeits), (10, 0));
		// With `max_locks` = 3 the worst case is 3 forfeited locks.
		let mut sim = Sim::new(Policy { max_locks: 3, ..policy() }, 10);
		for b in 0..20 {
			sim.block(1000 + 6 * b, true, false);
		}
		assert_eq!(sim.forfeits, 3);
	}
}
