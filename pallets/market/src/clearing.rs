//! Block hooks of the market: deadline processing and the GSP clearing.

use crate::{pallet::*, Pricing, RequestState, WeightInfo};
use alloc::vec::Vec;
use frame_support::{
	pallet_prelude::*,
	traits::{fungible::MutateHold, tokens::Precision},
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	traits::{One, Saturating, Zero},
	SaturatedConversion,
};
use zkmarket_primitives::{
	gsp, matching,
	traits::{
		BaseFeeOracle, Capability, CapabilityCursor, Failure, ProgramId, ProgramRegistry,
		ProverRegistry, RequestId,
	},
};

impl<T: Config> Pallet<T> {
	/// Weight of `on_finalize` registered in `on_initialize`: the clearing of the
	/// queued bids against every registered prover (only the BaseFee step when
	/// the queue is empty), the bids it may expire, and the offer deadlines of the
	/// per-block bounds. Bids submitted later in the block pay their share of the
	/// clearing in `submit_request`'s weight.
	pub(crate) fn on_finalize_weight() -> Weight {
		let bids =
			(AuctionQueue::<T>::decode_len().unwrap_or(0) as u32).min(T::MaxBidsPerBlock::get());
		let clearing = if bids == 0 {
			T::WeightInfo::clear_idle()
		} else {
			T::WeightInfo::clear_auction(bids, T::Provers::prover_count())
				.saturating_add(T::WeightInfo::block_deadlines(
					bids.min(T::MaxAssignmentsPerBlock::get()),
				))
				.saturating_add(Self::capability_weight(bids))
		};
		clearing.saturating_add(T::WeightInfo::offer_deadlines(
			T::MaxOfferSecondsPerBlock::get(),
			T::MaxOfferDeadlinesPerBlock::get(),
		))
	}

	/// What matching bids to capable provers adds to `clear_auction` (an upper
	/// bound until the clearing benchmark covers it): per bid its exclusions,
	/// and per program (at most one per bid) its kind and the probe of its
	/// capability index (kinds' indexes: a few, shared); the budget of
	/// candidate entries, each with the prover's record, declaration and idle
	/// period, and as many entries of the busy indexes.
	pub(crate) fn capability_weight(bids: u32) -> Weight {
		T::DbWeight::get()
			.reads((bids as u64).saturating_mul(3).saturating_add(8))
			.saturating_add(T::DbWeight::get().reads((T::MaxCandidateReads::get() as u64) * 5))
	}

	/// The clearing's cost of one more queued bid (charged to `submit_request`,
	/// since a bid submitted in a block is cleared in that block's `on_finalize`).
	pub fn clearing_weight_per_bid() -> Weight {
		T::WeightInfo::clear_auction(2, 0)
			.saturating_sub(T::WeightInfo::clear_auction(1, 0))
			.saturating_add(T::DbWeight::get().reads(3))
			.saturating_add(T::WeightInfo::block_deadlines(1))
			.saturating_sub(T::WeightInfo::block_deadlines(0))
	}

	/// Worst case of applying one offer's deadlines (a missed lock and an
	/// expiry), charged to the calls that apply them before they can fail.
	pub fn offer_deadline_weight() -> Weight {
		T::WeightInfo::offer_deadlines(1, 1).saturating_sub(T::WeightInfo::offer_deadlines(1, 0))
	}

	/// `on_initialize`: auction assignments whose deadline was the previous block
	/// (deadlines are inclusive: a proof in block `deadline` counts). Returns how
	/// many were missed.
	pub(crate) fn process_block_deadlines(n: BlockNumberFor<T>) -> u32 {
		let due = AssignmentDeadlines::<T>::take(n);
		let mut missed = 0u32;
		for id in due.iter() {
			let Some(req) = Requests::<T>::get(id) else { continue };
			if let RequestState::Assigned { prover, deadline, .. } = req.state.clone() {
				if deadline >= n {
					continue;
				}
				missed += 1;
				let slashed = T::Provers::record_failure(&prover, Failure::MissedDeadline);
				T::Provers::release_slot(&prover);
				Self::exclude_misser(*id, &prover);
				Self::deposit_event(Event::DeadlineMissed { id: *id, prover, slashed });
				Self::requeue(*id, req);
			}
		}
		missed
	}

	/// Remembers that `who` missed request `id`'s deadline, so it is not dealt
	/// it again, keeping room for the decliners `MaxDeclines` allows.
	pub(crate) fn exclude_misser(id: RequestId, who: &T::AccountId) {
		let mut ex = Self::exclusions(id);
		let reserved = T::MaxDeclines::get().saturating_sub(ex.declines);
		if ex.contains(who)
			|| (ex.provers.len() as u32).saturating_add(reserved) >= T::MaxExcludedProvers::get()
		{
			return;
		}
		let _ = ex.provers.try_push((who.clone(), crate::ExclusionReason::Missed));
		RequestExclusions::<T>::insert(id, ex);
	}

	/// Closes `req` as expired with a full refund.
	pub(crate) fn expire(id: RequestId, mut req: crate::RequestOf<T>) {
		let refund = Self::refund_all(&mut req);
		req.state = RequestState::Expired;
		Self::close(id, req);
		Self::deposit_event(Event::RequestExpired { id, refund });
	}

	/// The seconds at which offer `id`'s deadlines are checked: one after the lock
	/// deadline and one after the final deadline (once if they coincide).
	fn offer_deadline_keys(curve: &zkmarket_primitives::dutch::OfferCurve) -> [Option<u64>; 2] {
		let lock = curve.lock_deadline().saturating_add(1);
		let end = curve.deadline().saturating_add(1);
		[Some(lock), (end != lock).then_some(end)]
	}

	/// Indexes the deadlines of a new offer. A second the offer clock has already
	/// passed is not indexed (such a deadline is past; it applies lazily).
	pub(crate) fn index_offer_deadlines(
		id: RequestId,
		curve: &zkmarket_primitives::dutch::OfferCurve,
	) -> DispatchResult {
		let clock = OfferClock::<T>::get().unwrap_or_else(|| Self::now_secs().saturating_sub(1));
		for key in Self::offer_deadline_keys(curve).into_iter().flatten() {
			if key > clock {
				OfferDeadlines::<T>::try_mutate(key, |v| v.try_push(id))
					.map_err(|_| Error::<T>::DeadlineSlotFull)?;
			}
		}
		Ok(())
	}

	/// Removes a closed offer's deadline entries.
	pub(crate) fn unindex_offer_deadlines(
		id: RequestId,
		curve: &zkmarket_primitives::dutch::OfferCurve,
	) {
		for key in Self::offer_deadline_keys(curve).into_iter().flatten() {
			OfferDeadlines::<T>::mutate_exists(key, |v| {
				if let Some(ids) = v {
					ids.retain(|x| *x != id);
					if ids.is_empty() {
						*v = None;
					}
				}
			});
		}
	}

	/// `on_finalize`: offer deadlines up to now, at most `MaxOfferSecondsPerBlock`
	/// seconds and `MaxOfferDeadlinesPerBlock` entries per block. The clock only
	/// passes a second once all its entries are applied. Returns the seconds
	/// scanned and the entries applied.
	pub(crate) fn process_offer_deadlines() -> (u32, u32) {
		let now = Self::now_secs();
		// First block with a clock: start with the current second.
		let mut t = OfferClock::<T>::get().unwrap_or_else(|| now.saturating_sub(1));
		let budget = T::MaxOfferDeadlinesPerBlock::get() as usize;
		let (mut seconds, mut applied) = (0u32, 0usize);
		while t < now && seconds < T::MaxOfferSecondsPerBlock::get() && applied < budget {
			let next = t + 1;
			seconds += 1;
			let mut due = OfferDeadlines::<T>::take(next).into_inner();
			let room = budget - applied;
			let rest = if due.len() > room { due.split_off(room) } else { Vec::new() };
			for id in due.iter() {
				Self::apply_offer_deadlines(*id);
			}
			applied += due.len();
			if !rest.is_empty() {
				// Out of budget inside this second: keep the rest for the next block.
				OfferDeadlines::<T>::insert(next, BoundedVec::truncate_from(rest));
				break;
			}
			t = next;
		}
		OfferClock::<T>::put(t);
		(seconds, applied as u32)
	}

	/// Applies any passed deadline of offer `id` (idempotent): a locked offer past
	/// its lock deadline forfeits the collateral and opens the bounty; an offer
	/// past its final deadline expires (an unearned bounty goes to the slash handler).
	pub(crate) fn apply_offer_deadlines(id: RequestId) {
		let Some(req) = Requests::<T>::get(id) else { return };
		let Some(curve) = req.pricing.curve() else { return };
		let now = Self::now_secs();
		let req = match req.state.clone() {
			RequestState::Locked { prover, collateral, .. } if now > curve.lock_deadline() => {
				Self::miss_lock(id, req, &prover, collateral)
			}
			_ => req,
		};
		if now > curve.deadline() {
			match req.state.clone() {
				RequestState::Open => Self::expire(id, req),
				RequestState::BountyOpen { slashed, bounty } => {
					T::Provers::slash_bounty(&slashed, bounty);
					Self::expire(id, req);
				}
				_ => {}
			}
		}
	}

	/// The locking prover missed the lock deadline: forfeit its collateral
	/// (`BountyFraction` reserved as a bounty), refund the requester in full.
	pub(crate) fn miss_lock(
		id: RequestId,
		mut req: crate::RequestOf<T>,
		prover: &T::AccountId,
		collateral: BalanceOf<T>,
	) -> crate::RequestOf<T> {
		let bounty = T::BountyFraction::get().mul_floor(collateral);
		T::Provers::forfeit_collateral(prover, collateral, bounty);
		T::Provers::release_slot(prover);
		T::Provers::record_failure(prover, Failure::MissedLock);
		let _ = Self::refund_all(&mut req);
		req.state = RequestState::BountyOpen { slashed: prover.clone(), bounty };
		Requests::<T>::insert(id, &req);
		Self::deposit_event(Event::LockMissed { id, prover: prover.clone(), collateral, bounty });
		req
	}

	/// Clears the queued bids (the whole queue, at most `MaxBidsPerBlock`) with
	/// `max_base_fee >= BaseFee` against the provers that declared their
	/// programs ([`matching::clear`]: GSP prices over the served bids, each bid
	/// to the best capable free slot, never to an excluded prover) and reports
	/// the served demand and its capacity. Bids past their expiry are refunded
	/// (at most `MaxAssignmentsPerBlock` a block; the rest, ineligible, in
	/// later blocks).
	pub fn clear_auction(n: BlockNumberFor<T>) {
		let base_fee = T::BaseFee::base_fee();
		let queue = AuctionQueue::<T>::get();
		let window = T::MaxBidsPerBlock::get() as usize;
		let expiry_budget = T::MaxAssignmentsPerBlock::get() as usize;
		let mut bids: Vec<matching::CapBid<RequestId, ProgramId, T::AccountId>> = Vec::new();
		let mut expired = alloc::collections::BTreeSet::new();
		for id in queue.iter().take(window) {
			let Some(req) = Requests::<T>::get(id) else { continue };
			if let Pricing::Auction { bid, max_base_fee } = req.pricing {
				if req.expires_at <= n {
					if expired.len() < expiry_budget {
						expired.insert(*id);
						Self::expire(*id, req);
					}
				} else if max_base_fee >= base_fee {
					let excluded = RequestExclusions::<T>::get(id)
						.map(|ex| ex.provers.into_iter().map(|(who, _)| who).collect())
						.unwrap_or_default();
					bids.push(matching::CapBid {
						id: *id,
						bid: bid.saturated_into(),
						seq: *id,
						group: req.program,
						excluded,
					});
				}
			}
		}
		// One queue rewrite for all of this block's expiries.
		if !expired.is_empty() {
			AuctionQueue::<T>::mutate(|q| q.retain(|x| !expired.contains(x)));
		}
		let max = T::MaxAssignmentsPerBlock::get();
		let mut source = CapableProvers::<T>::new(T::MaxCandidateReads::get());
		let clearing = matching::clear(&mut bids, &mut source, base_fee.saturated_into(), max);
		let (demand, capacity) = (clearing.demand, clearing.capacity);
		if demand == 0 {
			// No bid anyone serves: the BaseFee falls by the full step.
			T::BaseFee::on_demand(0, 0);
			return;
		}
		let deadline = n.saturating_add(T::ProofDeadline::get());
		let mut assigned: Vec<RequestId> = Vec::new();
		for w in clearing.winners.iter() {
			let prover = &w.prover;
			let Some(mut req) = Requests::<T>::get(w.id) else { continue };
			if T::Provers::occupy_slot(prover).is_err() {
				continue;
			}
			let price: BalanceOf<T> = w.price.saturated_into();
			let price = price.min(req.escrow);
			let excess = req.escrow.saturating_sub(price);
			let released = T::Currency::release(
				&HoldReason::Escrow.into(),
				&req.requester,
				excess,
				Precision::BestEffort,
			)
			.unwrap_or_default();
			req.escrow = req.escrow.saturating_sub(released);
			req.state = RequestState::Assigned { prover: prover.clone(), price, deadline };
			Requests::<T>::insert(w.id, req);
			// Checked the block after the deadline: a proof in block `deadline` counts.
			AssignmentDeadlines::<T>::mutate(deadline.saturating_add(One::one()), |v| {
				let _ = v.try_push(w.id);
			});
			assigned.push(w.id);
			Self::deposit_event(Event::Assigned {
				id: w.id,
				prover: prover.clone(),
				price,
				rank: w.rank,
				deadline,
			});
		}
		if !assigned.is_empty() {
			AuctionQueue::<T>::mutate(|q| q.retain(|x| !assigned.contains(x)));
		}
		let summary =
			ClearingSummary { base_fee, demand, capacity, winners: assigned.len() as u32 };
		Self::deposit_event(Event::AuctionCleared {
			base_fee,
			demand,
			capacity,
			winners: summary.winners,
		});
		LastClearing::<T>::put(summary);
		T::BaseFee::on_demand(demand, capacity);
	}

	/// Where a bid of `bid` would rank now among the eligible queued bids (0-based)
	/// and what it would pay if the current capacity let it win.
	pub fn quote_bid(bid: BalanceOf<T>) -> (u32, BalanceOf<T>, u32) {
		let base_fee = T::BaseFee::base_fee();
		let n = frame_system::Pallet::<T>::block_number();
		let mut better = 0u32;
		let mut next: BalanceOf<T> = Zero::zero();
		for id in AuctionQueue::<T>::get().iter().take(T::MaxBidsPerBlock::get() as usize) {
			let Some(req) = Requests::<T>::get(id) else { continue };
			if let Pricing::Auction { bid: b, max_base_fee } = req.pricing {
				if max_base_fee < base_fee || req.expires_at <= n {
					continue;
				}
				// A new bid ranks after every existing bid at least as high.
				if b >= bid {
					better += 1;
				} else if b > next {
					next = b;
				}
			}
		}
		let capacity = T::Provers::auction_slots(T::MaxAssignmentsPerBlock::get()).len() as u32;
		(better, next.saturating_add(base_fee), capacity)
	}
}

/// A program's two walks (its own index and its kind's) and the provers
/// already offered for it.
type ProgramWalks<A> = ([Option<Walk<A>>; 2], alloc::collections::BTreeSet<A>);

/// One capability's walk: its cursor and the entry read but not yet taken.
struct Walk<A> {
	capability: Capability,
	cursor: Option<CapabilityCursor<A>>,
	peeked: Option<(CapabilityCursor<A>, Option<gsp::SlotOffer<A>>)>,
	done: bool,
}

/// The candidates of each program for [`matching::clear`], read lazily from
/// the provers' capability indexes: the program's own and its kind's, merged
/// in slot order, each prover once. At most `budget` index entries are read
/// in a clearing (a program without candidates costs two reads of empty
/// prefixes and no budget); past it every program looks exhausted.
pub(crate) struct CapableProvers<T: Config> {
	walks: alloc::collections::BTreeMap<ProgramId, ProgramWalks<T::AccountId>>,
	budget: u32,
	decays: u32,
	/// Entries of the busy indexes still to read (as many as `budget`): they
	/// decide only whether bids are demand, never the dealing.
	busy_budget: u32,
	/// Whether a busy prover serves a program (bids without exclusions).
	busy_cache: alloc::collections::BTreeMap<ProgramId, bool>,
}

impl<T: Config> CapableProvers<T> {
	pub(crate) fn new(budget: u32) -> Self {
		Self {
			walks: Default::default(),
			budget,
			decays: T::Provers::clearing_decays(),
			busy_budget: budget,
			busy_cache: Default::default(),
		}
	}

	/// Fills `walk.peeked` (one index read, counted against the budget).
	fn peek(walk: &mut Walk<T::AccountId>, budget: &mut u32, decays: &mut u32) {
		if walk.done || walk.peeked.is_some() {
			return;
		}
		if *budget == 0 {
			walk.done = true;
			return;
		}
		match T::Provers::next_capable(&walk.capability, walk.cursor.as_ref(), decays) {
			Some((key, offer)) => {
				*budget -= 1;
				walk.cursor = Some(key.clone());
				walk.peeked = Some((key, offer));
			}
			None => walk.done = true,
		}
	}
}

impl<T: Config> matching::CandidateSource<ProgramId, T::AccountId> for CapableProvers<T> {
	fn serves_busy(&mut self, program: &ProgramId, excluded: &[T::AccountId]) -> bool {
		if excluded.is_empty() {
			if let Some(known) = self.busy_cache.get(program) {
				return *known;
			}
		}
		// The program's walks know its kind (made by `next`, which the dealing
		// always calls first).
		let caps: alloc::vec::Vec<Capability> = match self.walks.get(program) {
			Some((walks, _)) => walks.iter().flatten().map(|w| w.capability).collect(),
			None => alloc::vec![Capability::Program(*program)],
		};
		let busy = caps.iter().any(|c| T::Provers::serves_busy(c, excluded, &mut self.busy_budget));
		if excluded.is_empty() {
			self.busy_cache.insert(*program, busy);
		}
		busy
	}

	fn next(&mut self, program: &ProgramId) -> Option<gsp::SlotOffer<T::AccountId>> {
		let (budget, decays) = (&mut self.budget, &mut self.decays);
		let (walks, seen) = self.walks.entry(*program).or_insert_with(|| {
			let walk = |capability| Walk { capability, cursor: None, peeked: None, done: false };
			let kind = T::Programs::kind(program).map(|k| walk(Capability::Kind(k)));
			([Some(walk(Capability::Program(*program))), kind], Default::default())
		});
		loop {
			for w in walks.iter_mut().flatten() {
				Self::peek(w, budget, decays);
			}
			// The walk whose peeked key comes first in storage order.
			let mut first: Option<usize> = None;
			for (i, w) in walks.iter().enumerate() {
				let Some(Some((key, _))) = w.as_ref().map(|w| w.peeked.as_ref()) else { continue };
				let better = match first.and_then(|f| walks[f].as_ref()?.peeked.as_ref()) {
					Some((best, _)) => (key.0, key.1.encode()) < (best.0, best.1.encode()),
					None => true,
				};
				if better {
					first = Some(i);
				}
			}
			let i = first?;
			let (_, offer) = walks[i].as_mut()?.peeked.take()?;
			if let Some(offer) = offer {
				if seen.insert(offer.who.clone()) {
					return Some(offer);
				}
			}
		}
	}
}
