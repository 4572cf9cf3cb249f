//! The agent's decisions as pure functions (unit-tested without a chain):
//! whether an open offer is worth locking, a bounty worth proving, an
//! assignment provable in time, how much capacity is free, and when declining
//! an assignment is free.

use super::config::Program;
use std::fmt;
use zkmarket_client::amount::format_zk;

/// The terms of an offer (SPEC section 5; times in UNIX seconds), with its
/// price curve `price_at`, `lock_deadline` and `deadline` (inclusive).
pub use zkmarket_client::market::Offer as OfferTerms;

/// The prover's own standing, as the chain reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Standing {
	/// Eligible for new work (registered, active, enough stake and reputation).
	pub eligible: bool,
	/// Effective stake (decay applied).
	pub stake: u128,
	/// Minimum stake of the chain (`MinProverStake`).
	pub min_stake: u128,
}

/// Job slots: the agent's own limit and the chain's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Capacity {
	/// Jobs the agent works on now (proving, locking or submitting).
	pub local_jobs: u32,
	/// `max_jobs` of the configuration.
	pub max_jobs: u32,
	/// Unfinished jobs the chain counts for this prover (`active_jobs`).
	pub chain_jobs: u32,
	/// `MaxJobsPerProver` of the chain.
	pub chain_max_jobs: u32,
}

impl Capacity {
	/// Jobs that can still be taken now.
	pub fn free(&self) -> u32 {
		let local = self.max_jobs.saturating_sub(self.local_jobs);
		let chain = self.chain_max_jobs.saturating_sub(self.chain_jobs);
		local.min(chain)
	}

	/// Counts one more job taken.
	pub fn take(&mut self) {
		self.local_jobs += 1;
		self.chain_jobs += 1;
	}
}

/// Why a job is not taken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Skip {
	/// The program is not in the configuration.
	UnknownProgram,
	/// The program is served through a `[[kinds]]` entry: auction assignments
	/// only (no collateral is pledged on a guest the backend may not have).
	AuctionOnly,
	/// Locking offers / bounties is off in the configuration.
	Disabled,
	/// The chain does not let this prover take work now.
	NotEligible,
	/// The price now is below the configured cost.
	PriceBelowCost {
		/// Price now.
		price: u128,
		/// Configured `min_price`.
		cost: u128,
	},
	/// The bounty is below the configured cost.
	BountyBelowCost {
		/// The bounty.
		bounty: u128,
		/// Configured `min_price`.
		cost: u128,
	},
	/// The offer's collateral is above the configured maximum.
	CollateralAboveMax {
		/// Collateral asked.
		collateral: u128,
		/// Configured `max_collateral`.
		max: u128,
	},
	/// Pledging the collateral would leave the stake below the chain's minimum.
	StakeTooLow {
		/// Collateral asked.
		collateral: u128,
		/// Effective stake.
		stake: u128,
	},
	/// Not enough time to prove before the deadline.
	DeadlineTooClose {
		/// Seconds left until the deadline.
		left: u64,
		/// Seconds needed (estimate + margin).
		need: u64,
	},
	/// No free job slot.
	NoCapacity,
	/// The backend cannot prove the request's inputs (checked before locking).
	Unprovable(String),
	/// The program's proofs carry no binding (gnark, SP1, RISC Zero): the chain
	/// lets only an assigned or locking prover prove it, so no bounty (or the
	/// program's kind is not known yet).
	Unbound,
	/// The requester's requests failed too often (`requester_failure_limit`
	/// preflight or proving failures, or one locked offer that could not be
	/// proven): its offers and bounties are skipped for a while (requesters.rs).
	RequesterBlocked {
		/// Seconds until it is taken again.
		left: u64,
		/// Its failures counted.
		failures: u32,
	},
	/// Locks of this requester's offers already held (or being preflighted)
	/// at the most allowed at once (`requester_max_locks`).
	RequesterBusy {
		/// Held now.
		held: u32,
		/// `requester_max_locks`.
		max: u32,
	},
	/// The backend's preflight is running; decided at a later block.
	PreflightRunning,
}

impl Skip {
	/// A short label (the `reason` of the decisions metric).
	pub fn label(&self) -> &'static str {
		match self {
			Skip::UnknownProgram => "unknown_program",
			Skip::AuctionOnly => "auction_only",
			Skip::Disabled => "disabled",
			Skip::NotEligible => "not_eligible",
			Skip::PriceBelowCost { .. } => "price_below_cost",
			Skip::BountyBelowCost { .. } => "bounty_below_cost",
			Skip::CollateralAboveMax { .. } => "collateral_above_max",
			Skip::StakeTooLow { .. } => "stake_too_low",
			Skip::DeadlineTooClose { .. } => "deadline_too_close",
			Skip::NoCapacity => "no_capacity",
			Skip::Unprovable(_) => "unprovable",
			Skip::Unbound => "unbound",
			Skip::RequesterBlocked { .. } => "requester_blocked",
			Skip::RequesterBusy { .. } => "requester_busy",
			Skip::PreflightRunning => "preflight",
		}
	}
}

impl fmt::Display for Skip {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			Skip::UnknownProgram => write!(f, "unknown program"),
			Skip::AuctionOnly => {
				write!(f, "program served through [[kinds]]: auction assignments only")
			}
			Skip::Disabled => write!(f, "disabled in the configuration"),
			Skip::NotEligible => write!(f, "prover not eligible for new work"),
			Skip::Unprovable(why) => write!(f, "cannot be proven: {why}"),
			Skip::Unbound => {
				write!(f, "unbound program (only an assigned or locking prover may prove it)")
			}
			Skip::PriceBelowCost { price, cost } => {
				write!(f, "price below cost ({} < {})", format_zk(*price), format_zk(*cost))
			}
			Skip::BountyBelowCost { bounty, cost } => {
				write!(f, "bounty below cost ({} < {})", format_zk(*bounty), format_zk(*cost))
			}
			Skip::CollateralAboveMax { collateral, max } => {
				write!(f, "collateral above max ({} > {})", format_zk(*collateral), format_zk(*max))
			}
			Skip::StakeTooLow { collateral, stake } => write!(
				f,
				"stake too low for the collateral ({} of {} stake would leave less than the minimum)",
				format_zk(*collateral),
				format_zk(*stake)
			),
			Skip::DeadlineTooClose { left, need } => {
				write!(f, "deadline too close ({left} s left, {need} s needed)")
			}
			Skip::NoCapacity => write!(f, "no capacity"),
			Skip::RequesterBlocked { left, failures } => write!(
				f,
				"requester blocked for {left} s more ({failures} failure(s) of its requests)"
			),
			Skip::RequesterBusy { held, max } => write!(
				f,
				"{held} lock(s) of this requester not proven yet (requester_max_locks = {max})"
			),
			Skip::PreflightRunning => write!(f, "preflight running"),
		}
	}
}

/// Seconds needed to prove `program` and get the proof into a block.
pub fn needed_secs(program: &Program, margin: u64) -> u64 {
	program.prove_secs.saturating_add(margin)
}

fn time_check(now: u64, deadline: u64, need: u64) -> Result<(), Skip> {
	let left = deadline.saturating_sub(now);
	if now > deadline || left < need {
		return Err(Skip::DeadlineTooClose { left, need });
	}
	Ok(())
}

/// The checks every offer or bounty passes first: a configured program, the
/// kind of job enabled, a prover the chain lets take work.
fn taking<'a>(
	program: Option<&'a Program>,
	enabled: bool,
	standing: &Standing,
) -> Result<&'a Program, Skip> {
	let program = program.ok_or(Skip::UnknownProgram)?;
	if !enabled {
		return Err(Skip::Disabled);
	}
	if !standing.eligible {
		return Err(Skip::NotEligible);
	}
	Ok(program)
}

/// Whether to lock an open offer now.
///
/// `price_now` is the offer's price at the current best block's time: a lock
/// included later pays at least that much (the curve only rises until the
/// lock deadline), so comparing it with the cost is conservative. The proof
/// must land by the lock deadline, so `now + prove_secs + margin` must fit.
#[allow(clippy::too_many_arguments)]
pub fn evaluate_lock(
	terms: &OfferTerms,
	price_now: u128,
	program: Option<&Program>,
	enabled: bool,
	now: u64,
	margin: u64,
	standing: &Standing,
	capacity: &Capacity,
) -> Result<u128, Skip> {
	let program = taking(program, enabled, standing)?;
	if terms.lock_collateral > program.max_collateral {
		return Err(Skip::CollateralAboveMax {
			collateral: terms.lock_collateral,
			max: program.max_collateral,
		});
	}
	if standing.stake < terms.lock_collateral.saturating_add(standing.min_stake) {
		return Err(Skip::StakeTooLow { collateral: terms.lock_collateral, stake: standing.stake });
	}
	time_check(now, terms.lock_deadline(), needed_secs(program, margin))?;
	if price_now < program.min_price {
		return Err(Skip::PriceBelowCost { price: price_now, cost: program.min_price });
	}
	if capacity.free() == 0 {
		return Err(Skip::NoCapacity);
	}
	Ok(price_now)
}

/// Whether to go for the bounty of a forfeited lock: any eligible prover whose
/// proof is in a block by the offer's final deadline earns `bounty`.
#[allow(clippy::too_many_arguments)]
pub fn evaluate_bounty(
	terms: &OfferTerms,
	bounty: u128,
	program: Option<&Program>,
	enabled: bool,
	now: u64,
	margin: u64,
	standing: &Standing,
	capacity: &Capacity,
) -> Result<u128, Skip> {
	let program = taking(program, enabled, standing)?;
	time_check(now, terms.deadline(), needed_secs(program, margin))?;
	if bounty < program.min_price {
		return Err(Skip::BountyBelowCost { bounty, cost: program.min_price });
	}
	if capacity.free() == 0 {
		return Err(Skip::NoCapacity);
	}
	Ok(bounty)
}

/// What to do with an auction assignment (the chain assigned it; nobody asked).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AssignmentPlan {
	/// Prove it; the proof must be in a block by `deadline`.
	Prove,
	/// Give it back (`market.decline_assignment`; free early in its window,
	/// see [`plan_decline`]) because it cannot be done: unknown program, or
	/// not enough time.
	Decline(Skip),
}

/// Whether an auction assignment can be proven in time. Blocks left until
/// the (inclusive) deadline block times the block time must cover the
/// proving estimate; the margin is not required here (declining an
/// obligation that might still be met would forfeit a paid job).
pub fn plan_assignment(
	program: Option<&Program>,
	best_block: u64,
	deadline_block: u64,
	block_millis: u64,
) -> AssignmentPlan {
	let Some(program) = program else { return AssignmentPlan::Decline(Skip::UnknownProgram) };
	let left = deadline_block.saturating_sub(best_block).saturating_mul(block_millis) / 1000;
	if best_block >= deadline_block || left < program.prove_secs {
		return AssignmentPlan::Decline(Skip::DeadlineTooClose { left, need: program.prove_secs });
	}
	AssignmentPlan::Prove
}

/// When the chain lets an assigned prover decline for free
/// (`market.decline_assignment`): in the first `free_period` blocks after the
/// assignment, whose block is the deadline minus `proof_deadline`. A later
/// decline is slashed like a missed deadline. Both are runtime constants
/// (`Market::FreeDeclinePeriod`, `Market::ProofDeadline`) read from the metadata.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeclineWindow {
	/// `Market::ProofDeadline`: blocks from an assignment to its deadline.
	pub proof_deadline: u64,
	/// `Market::FreeDeclinePeriod`: blocks after an assignment in which a decline is free.
	pub free_period: u64,
}

impl DeclineWindow {
	/// The last block in which a decline of the assignment due at block
	/// `deadline` is free (a decline included in it costs no slash).
	pub fn free_until(&self, deadline: u64) -> u64 {
		deadline.saturating_sub(self.proof_deadline).saturating_add(self.free_period).min(deadline)
	}
}

/// A late decline is sent only if it can be in a block at least this many
/// blocks before the chain would handle the missed deadline (at block
/// `deadline + 1`): otherwise it frees the request no sooner and only costs
/// a transaction fee.
pub const LATE_DECLINE_MIN_GAIN: u64 = 2;

/// How to give an assignment back, seen at best block `best` (a transaction
/// sent now is in block `best + 1` at the earliest).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeclinePlan {
	/// Decline now: free if it is in a block by `until`.
	Free {
		/// The last block of the free window.
		until: u64,
	},
	/// Decline now although it is slashed like a missed deadline: the slash
	/// is the same either way, and the request (and our job slot) is freed
	/// about `sooner` blocks before the chain would handle the miss.
	Late {
		/// Blocks before the miss would be handled.
		sooner: u64,
	},
	/// Send nothing: the deadline is too close for a decline to free the
	/// request sooner; the chain handles the miss (same slash, no fee).
	Lapse,
}

/// [`DeclinePlan`] for the assignment due at block `deadline`, from best block `best`.
pub fn plan_decline(best: u64, deadline: u64, window: &DeclineWindow) -> DeclinePlan {
	let until = window.free_until(deadline);
	let lands = best.saturating_add(1);
	if lands <= until {
		return DeclinePlan::Free { until };
	}
	// The miss is handled at the start of block deadline + 1.
	let sooner = deadline.saturating_add(1).saturating_sub(lands);
	if lands <= deadline && sooner >= LATE_DECLINE_MIN_GAIN {
		DeclinePlan::Late { sooner }
	} else {
		DeclinePlan::Lapse
	}
}

/// Blocks a decline may take to be in a block after it is sent: the next
/// block, or the one after when the transaction reaches the author late.
pub const DECLINE_INCLUSION_BLOCKS: u64 = 2;

/// After a failed proving attempt of an assignment, at best block `best`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AfterFailure {
	/// Try again.
	Retry,
	/// Decline now, while it is free: another attempt (`attempt_secs`, one
	/// block's pause before it) could end after the free window, and if it
	/// failed too the decline would be slashed.
	DeclineNow {
		/// The last block of the free window.
		until: u64,
	},
}

/// Whether to retry a failed assignment or decline it while that is free.
/// Inside the free window a retry is made only if it ends (plus the decline's
/// inclusion) within it; past the window a decline costs what a miss costs,
/// so the agent keeps trying while the deadline allows.
pub fn after_failure(
	best: u64,
	deadline: u64,
	attempt_secs: u64,
	block_millis: u64,
	window: &DeclineWindow,
) -> AfterFailure {
	let until = window.free_until(deadline);
	if best.saturating_add(1) > until {
		return AfterFailure::Retry;
	}
	// The pause before the retry, the attempt, then the decline's inclusion.
	let blocks = attempt_secs.saturating_mul(1000).div_ceil(block_millis.max(1));
	let declined_by =
		best.saturating_add(1).saturating_add(blocks).saturating_add(DECLINE_INCLUSION_BLOCKS);
	if declined_by <= until {
		AfterFailure::Retry
	} else {
		AfterFailure::DeclineNow { until }
	}
}

/// Remembers the last decision logged per request, so a decision repeated at
/// every block (e.g. "price below cost" while the price ramps up) is logged
/// once, and again only when its reason changes.
#[derive(Default, Debug)]
pub struct DecisionLog {
	last: std::collections::HashMap<(u64, &'static str), &'static str>,
}

impl DecisionLog {
	/// Whether the decision `label` about `(id, what)` is new (and records it).
	pub fn changed(&mut self, id: u64, what: &'static str, label: &'static str) -> bool {
		self.last.insert((id, what), label) != Some(label)
	}

	/// Forgets requests not in `keep` (closed or gone).
	pub fn retain(&mut self, keep: impl Fn(u64) -> bool) {
		self.last.retain(|(id, _), _| keep(*id));
	}
}

#[cfg(test)]
mod tests {
	use super::super::config::Backend;
	use super::*;

	const ZK: u128 = zkmarket_client::amount::ZK;

	fn program() -> Program {
		Program {
			id: [1; 32],
			backend: Backend::Demo,
			preflight: None,
			min_price: ZK,
			max_collateral: 5 * ZK,
			prove_secs: 10,
		}
	}

	fn terms() -> OfferTerms {
		OfferTerms {
			min_price: ZK / 2,
			max_price: 2 * ZK,
			ramp_up_start: 1000,
			ramp_up_period: 100,
			lock_timeout: 200,
			timeout: 400,
			lock_collateral: 3 * ZK,
		}
	}

	fn standing() -> Standing {
		Standing { eligible: true, stake: 100 * ZK, min_stake: 32 * ZK }
	}

	fn cap(local: u32, chain: u32) -> Capacity {
		Capacity { local_jobs: local, max_jobs: 2, chain_jobs: chain, chain_max_jobs: 4 }
	}

	#[test]
	fn price_curve_matches_the_spec_vector() {
		// SPEC 5: min 0.001, max 0.002, start 1000, ramp 50 s.
		let t = OfferTerms {
			min_price: ZK / 1000,
			max_price: 2 * ZK / 1000,
			ramp_up_start: 1000,
			ramp_up_period: 50,
			lock_timeout: 100,
			timeout: 200,
			lock_collateral: 0,
		};
		assert_eq!(t.price_at(900), ZK / 1000);
		assert_eq!(t.price_at(1000), ZK / 1000);
		assert_eq!(t.price_at(1010), 12 * ZK / 10_000);
		assert_eq!(t.price_at(1020), 14 * ZK / 10_000);
		assert_eq!(t.price_at(1050), 2 * ZK / 1000);
		assert_eq!(t.price_at(1100), 2 * ZK / 1000);
		assert_eq!(t.price_at(1101), 0);
		let huge = OfferTerms { min_price: 0, max_price: u128::MAX, ..t };
		assert_eq!(huge.price_at(1025), u128::MAX / 2);
	}

	#[test]
	fn locks_only_when_worth_it() {
		let p = program();
		let (s, c) = (standing(), cap(0, 0));
		let lock = |price, now, prog: Option<&Program>, s: &Standing, c: &Capacity| {
			evaluate_lock(&terms(), price, prog, true, now, 5, s, c)
		};
		assert_eq!(lock(ZK, 1050, Some(&p), &s, &c), Ok(ZK));
		assert_eq!(
			lock(ZK / 2, 1000, Some(&p), &s, &c),
			Err(Skip::PriceBelowCost { price: ZK / 2, cost: ZK })
		);
		assert_eq!(lock(ZK, 1050, None, &s, &c), Err(Skip::UnknownProgram));
		assert_eq!(
			evaluate_lock(&terms(), ZK, Some(&p), false, 1050, 5, &s, &c),
			Err(Skip::Disabled)
		);
		let poor = Standing { stake: 34 * ZK, ..s };
		assert!(matches!(lock(ZK, 1050, Some(&p), &poor, &c), Err(Skip::StakeTooLow { .. })));
		let out = Standing { eligible: false, ..s };
		assert_eq!(lock(ZK, 1050, Some(&p), &out, &c), Err(Skip::NotEligible));
		let cheap = Program { max_collateral: 2 * ZK, ..p.clone() };
		assert_eq!(
			lock(ZK, 1050, Some(&cheap), &s, &c),
			Err(Skip::CollateralAboveMax { collateral: 3 * ZK, max: 2 * ZK })
		);
		// Lock deadline 1200; 10 s proving + 5 s margin.
		assert_eq!(lock(2 * ZK, 1185, Some(&p), &s, &c), Ok(2 * ZK));
		assert_eq!(
			lock(2 * ZK, 1186, Some(&p), &s, &c),
			Err(Skip::DeadlineTooClose { left: 14, need: 15 })
		);
		assert!(matches!(
			lock(0, 1201, Some(&p), &s, &c),
			Err(Skip::DeadlineTooClose { left: 0, .. })
		));
		assert_eq!(lock(ZK, 1050, Some(&p), &s, &cap(2, 0)), Err(Skip::NoCapacity));
		assert_eq!(lock(ZK, 1050, Some(&p), &s, &cap(0, 4)), Err(Skip::NoCapacity));
	}

	#[test]
	fn bounties() {
		let p = program();
		let (s, c) = (standing(), cap(1, 1));
		let b = |bounty, now, enabled| {
			evaluate_bounty(&terms(), bounty, Some(&p), enabled, now, 5, &s, &c)
		};
		assert_eq!(b(ZK, 1300, true), Ok(ZK));
		assert_eq!(b(ZK, 1300, false), Err(Skip::Disabled));
		assert_eq!(b(ZK / 4, 1300, true), Err(Skip::BountyBelowCost { bounty: ZK / 4, cost: ZK }));
		// Final deadline 1400.
		assert_eq!(b(ZK, 1385, true), Ok(ZK));
		assert!(matches!(b(ZK, 1390, true), Err(Skip::DeadlineTooClose { left: 10, need: 15 })));
	}

	#[test]
	fn assignments() {
		let p = program();
		// 2 s blocks: 5 blocks left = 10 s = the estimate.
		assert_eq!(plan_assignment(Some(&p), 95, 100, 2000), AssignmentPlan::Prove);
		assert_eq!(
			plan_assignment(Some(&p), 96, 100, 2000),
			AssignmentPlan::Decline(Skip::DeadlineTooClose { left: 8, need: 10 })
		);
		assert!(matches!(plan_assignment(Some(&p), 100, 100, 2000), AssignmentPlan::Decline(_)));
		assert_eq!(
			plan_assignment(None, 10, 100, 2000),
			AssignmentPlan::Decline(Skip::UnknownProgram)
		);
	}

	#[test]
	fn free_decline_window() {
		// The runtime's constants: a 50-block proof window, free for 25 blocks.
		let w = DeclineWindow { proof_deadline: 50, free_period: 25 };
		// Assigned in block 100: deadline 150, free until 125 inclusive.
		assert_eq!(w.free_until(150), 125);
		// Degenerate constants never put the window past the deadline or below 0.
		assert_eq!(DeclineWindow { proof_deadline: 50, free_period: 80 }.free_until(150), 150);
		assert_eq!(w.free_until(10), 10);
		assert_eq!(plan_decline(100, 150, &w), DeclinePlan::Free { until: 125 });
		// Sent at best 124, it lands in 125: still free.
		assert_eq!(plan_decline(124, 150, &w), DeclinePlan::Free { until: 125 });
		// Sent at 125 it lands in 126: slashed like a miss, but 25 blocks sooner.
		assert_eq!(plan_decline(125, 150, &w), DeclinePlan::Late { sooner: 25 });
		// Lands in 149: the miss would be handled at 151, 2 blocks later.
		assert_eq!(plan_decline(148, 150, &w), DeclinePlan::Late { sooner: 2 });
		// Lands in 150 (the deadline) or later: no sooner than the miss itself.
		assert_eq!(plan_decline(149, 150, &w), DeclinePlan::Lapse);
		assert_eq!(plan_decline(150, 150, &w), DeclinePlan::Lapse);
		assert_eq!(plan_decline(170, 150, &w), DeclinePlan::Lapse);
	}

	#[test]
	fn retries_inside_the_free_window_only_if_they_fit() {
		let w = DeclineWindow { proof_deadline: 50, free_period: 25 };
		// 2 s blocks, deadline 150, free until 125; an attempt of 16 s = 8 blocks:
		// from best b the decline after a failed retry is in a block by
		// b + 1 (pause) + 8 + 2 (inclusion).
		assert_eq!(after_failure(114, 150, 16, 2000, &w), AfterFailure::Retry);
		assert_eq!(after_failure(115, 150, 16, 2000, &w), AfterFailure::DeclineNow { until: 125 });
		assert_eq!(after_failure(123, 150, 1, 2000, &w), AfterFailure::DeclineNow { until: 125 });
		assert_eq!(after_failure(121, 150, 1, 2000, &w), AfterFailure::Retry);
		// Past the window, declining costs what missing costs: keep trying.
		assert_eq!(after_failure(125, 150, 16, 2000, &w), AfterFailure::Retry);
		assert_eq!(after_failure(140, 150, 60, 2000, &w), AfterFailure::Retry);
	}

	#[test]
	fn capacity() {
		let mut c = cap(0, 3);
		assert_eq!(c.free(), 1);
		c.take();
		assert_eq!(c.free(), 0);
		assert_eq!(cap(0, 0).free(), 2);
		assert_eq!(cap(5, 9).free(), 0);
	}

	#[test]
	fn messages() {
		assert_eq!(
			Skip::PriceBelowCost { price: 8 * ZK / 10, cost: ZK }.to_string(),
			"price below cost (0.8 ZK < 1 ZK)"
		);
		assert_eq!(Skip::NoCapacity.to_string(), "no capacity");
		assert_eq!(
			Skip::CollateralAboveMax { collateral: 3 * ZK, max: 2 * ZK }.to_string(),
			"collateral above max (3 ZK > 2 ZK)"
		);
		assert!(Skip::DeadlineTooClose { left: 1, need: 2 }
			.to_string()
			.starts_with("deadline too close"));
	}

	#[test]
	fn decision_log_dedups() {
		let mut d = DecisionLog::default();
		assert!(d.changed(1, "lock", "price_below_cost"));
		assert!(!d.changed(1, "lock", "price_below_cost"));
		assert!(d.changed(1, "lock", "no_capacity"));
		assert!(d.changed(2, "lock", "no_capacity"));
		d.retain(|id| id != 1);
		assert!(d.changed(1, "lock", "no_capacity"));
		assert!(!d.changed(2, "lock", "no_capacity"));
	}
}
