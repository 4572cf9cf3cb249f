//! GSP clearing with capabilities: bids are dealt only to provers that
//! declared their program, and never to a prover excluded from the bid (one
//! that declined it or missed its deadline).
//!
//! Rules (written down in `docs/SPEC-NOTES.md`):
//!
//! - **Order.** Bids are ranked as in [`crate::gsp::rank`]: `bid` descending,
//!   then `seq` ascending.
//! - **Served bids.** A bid is *served* when at least one prover that declared
//!   its program and can take work (eligible) is not excluded from it: a
//!   *candidate* (one with a free job slot, in slot order: reputation desc,
//!   stake desc, account asc) or, failing that, a busy one. Only served bids
//!   are demand (so the BaseFee rises while every capable prover is busy); a
//!   bid nobody serves stays queued, costs a few reads and sets no price.
//! - **Dealing.** In rank order, each served bid (while fewer than `max` bids
//!   won) takes the candidate slot that comes first in the round-robin slot
//!   order of [`crate::gsp::deal_slots`]: the candidate with the fewest slots
//!   dealt in this clearing, then the best in slot order, among candidates not
//!   excluded from it with a free slot left. A served bid whose candidates are
//!   all full this block waits.
//! - **Price.** A winner pays the next *served* bid below it in the ranking
//!   (0 if none) plus the BaseFee. So no winner pays more than its bid plus
//!   the BaseFee, and a winner's price does not depend on its own program:
//!   naming a program fewer provers serve cannot lower it.
//! - **Capacity.** Free slots of the candidates of served bids, at most `max`.
//!
//! With one program that every prover serves and no exclusions, this is
//! exactly [`crate::gsp::clear`] over [`crate::gsp::deal_slots`] (a property
//! test below checks it).

use crate::gsp::{self, SlotOffer};
use alloc::{collections::btree_map::BTreeMap, vec::Vec};

/// A queued bid with what the dealing must know of it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct CapBid<Id, Group, AccountId> {
	/// The caller's identifier of the request.
	pub id: Id,
	/// Calculating fee offered on top of the BaseFee.
	pub bid: u128,
	/// Submission order (lower = earlier); breaks ties.
	pub seq: u64,
	/// What a prover must serve to take it (its program).
	pub group: Group,
	/// Provers that must not be dealt it (declined or missed it).
	pub excluded: Vec<AccountId>,
}

/// A bid dealt to a prover.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Dealt<Id, AccountId> {
	/// The request.
	pub id: Id,
	/// 0-based position of the bid in the ranking of all bids.
	pub rank: u32,
	/// The prover it is dealt to.
	pub prover: AccountId,
	/// Next served bid below it + BaseFee (saturating).
	pub price: u128,
}

/// Outcome of a clearing.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Clearing<Id, AccountId> {
	/// Winners in rank order.
	pub winners: Vec<Dealt<Id, AccountId>>,
	/// Served bids (the demand reported to the BaseFee).
	pub demand: u32,
	/// Free slots of the candidates of served bids, at most `max`.
	pub capacity: u32,
}

/// Where the candidates of a group come from, best first. The chain reads
/// them lazily from its capability indexes; tests from vectors.
pub trait CandidateSource<Group, AccountId> {
	/// The next candidate of `group` in slot order (a prover at most once per
	/// group), or `None` when there is none left.
	fn next(&mut self, group: &Group) -> Option<SlotOffer<AccountId>>;
	/// Whether a prover that can take work but has no free slot now serves
	/// `group` and is not in `excluded`: a bid waiting only for busy provers is
	/// still demand (the BaseFee rises while every capable prover is busy).
	fn serves_busy(&mut self, group: &Group, excluded: &[AccountId]) -> bool;
}

/// Slot order: reputation desc, stake desc, account asc (`Less` = better).
fn slot_order<A: Ord>(a: &SlotOffer<A>, b: &SlotOffer<A>) -> core::cmp::Ordering {
	b.reputation.cmp(&a.reputation).then(b.stake.cmp(&a.stake)).then(a.who.cmp(&b.who))
}

struct ProverState<A> {
	offer: SlotOffer<A>,
	/// Slots dealt to it in this clearing.
	taken: u32,
}

struct GroupState<A> {
	/// Candidates read so far, in the order the source gave them.
	list: Vec<A>,
	exhausted: bool,
}

impl<A> Default for GroupState<A> {
	fn default() -> Self {
		Self { list: Vec::new(), exhausted: false }
	}
}

struct Dealer<'a, G, A, S> {
	source: &'a mut S,
	provers: BTreeMap<A, ProverState<A>>,
	groups: BTreeMap<G, GroupState<A>>,
}

impl<G: Ord + Clone, A: Ord + Clone, S: CandidateSource<G, A>> Dealer<'_, G, A, S> {
	/// Reads one more candidate of `g`; `false` when there is none.
	fn load(&mut self, g: &G) -> bool {
		let state = self.groups.entry(g.clone()).or_default();
		if state.exhausted {
			return false;
		}
		match self.source.next(g) {
			Some(offer) => {
				let who = offer.who.clone();
				self.provers.entry(who.clone()).or_insert(ProverState { offer, taken: 0 });
				state.list.push(who);
				true
			}
			None => {
				state.exhausted = true;
				false
			}
		}
	}

	/// Whether `g` has a candidate not in `excluded` (reading as few as
	/// needed), free or else busy; and whether it has a free one.
	fn served(&mut self, g: &G, excluded: &[A]) -> bool {
		let mut i = 0;
		loop {
			let list = &self.groups.entry(g.clone()).or_default().list;
			if let Some(who) = list.get(i) {
				if !excluded.contains(who) {
					return true;
				}
				i += 1;
			} else if !self.load(g) {
				return self.source.serves_busy(g, excluded);
			}
		}
	}

	/// The best candidate of `g` for a bid excluding `excluded`: fewest slots
	/// taken in this clearing, then slot order; reads more candidates only
	/// while every read one has already taken a slot.
	fn best(&mut self, g: &G, excluded: &[A]) -> Option<A> {
		loop {
			let list = &self.groups.entry(g.clone()).or_default().list;
			let mut best: Option<&ProverState<A>> = None;
			for who in list.iter() {
				if excluded.contains(who) {
					continue;
				}
				let Some(p) = self.provers.get(who) else { continue };
				if p.taken >= p.offer.free_slots {
					continue;
				}
				best = match best {
					Some(b)
						if b.taken < p.taken
							|| (b.taken == p.taken && slot_order(&b.offer, &p.offer).is_le()) =>
					{
						Some(b)
					}
					_ => Some(p),
				};
			}
			// A candidate not read yet has taken no slot and comes later in slot
			// order: only one that has taken none is certainly the best.
			match best {
				Some(b) if b.taken == 0 => return Some(b.offer.who.clone()),
				_ => {
					let found = best.map(|b| b.offer.who.clone());
					if !self.load(g) {
						return found;
					}
				}
			}
		}
	}
}

/// Clears `bids` (ranked in place) against the candidates `source` gives,
/// dealing at most `max` of them. See the module documentation for the rules.
pub fn clear<Id: Copy, G: Ord + Clone, A: Ord + Clone, S: CandidateSource<G, A>>(
	bids: &mut [CapBid<Id, G, A>],
	source: &mut S,
	base_fee: u128,
	max: u32,
) -> Clearing<Id, A> {
	bids.sort_by(|a, b| b.bid.cmp(&a.bid).then(a.seq.cmp(&b.seq)));
	let mut dealer = Dealer { source, provers: BTreeMap::new(), groups: BTreeMap::new() };
	let mut served = Vec::with_capacity(bids.len());
	let mut dealt: Vec<(usize, A)> = Vec::new();
	for (i, b) in bids.iter().enumerate() {
		let is_served = dealer.served(&b.group, &b.excluded);
		served.push(is_served);
		if !is_served || dealt.len() >= max as usize {
			continue;
		}
		if let Some(who) = dealer.best(&b.group, &b.excluded) {
			if let Some(p) = dealer.provers.get_mut(&who) {
				p.taken += 1;
			}
			dealt.push((i, who));
		}
	}
	// Next served bid below each position.
	let mut next_served = alloc::vec![0u128; bids.len()];
	let mut below = 0u128;
	for i in (0..bids.len()).rev() {
		next_served[i] = below;
		if served[i] {
			below = bids[i].bid;
		}
	}
	let winners = dealt
		.into_iter()
		.map(|(i, prover)| Dealt {
			id: bids[i].id,
			rank: i as u32,
			prover,
			price: next_served[i].saturating_add(base_fee),
		})
		.collect();
	let demand = served.iter().filter(|s| **s).count() as u32;
	// Capacity: free slots of the candidates of served groups, read up to `max`.
	let mut capacity: u64 = 0;
	let mut counted = alloc::collections::BTreeSet::new();
	let groups: Vec<G> = bids
		.iter()
		.zip(served.iter())
		.filter(|(_, s)| **s)
		.map(|(b, _)| b.group.clone())
		.collect::<alloc::collections::BTreeSet<G>>()
		.into_iter()
		.collect();
	for g in groups.iter() {
		let mut i = 0;
		loop {
			if capacity >= max as u64 {
				break;
			}
			let list = &dealer.groups.entry(g.clone()).or_default().list;
			match list.get(i).cloned() {
				Some(who) => {
					if counted.insert(who.clone()) {
						let free =
							dealer.provers.get(&who).map(|p| p.offer.free_slots).unwrap_or(0);
						capacity += free as u64;
					}
					i += 1;
				}
				None => {
					if !dealer.load(g) {
						break;
					}
				}
			}
		}
	}
	Clearing { winners, demand, capacity: capacity.min(max as u64) as u32 }
}

/// Candidates from vectors, each already in slot order (for tests and models).
pub struct VecSource<G, A> {
	/// Candidates per group, best first.
	pub lists: BTreeMap<G, Vec<SlotOffer<A>>>,
	/// Busy provers (eligible, no free slot) per group.
	pub busy: BTreeMap<G, Vec<A>>,
	/// How far each list was read.
	pub read: BTreeMap<G, usize>,
}

impl<G: Ord + Clone, A: Clone> VecSource<G, A> {
	/// A source over `lists` (each sorted best first), no busy provers.
	pub fn new(lists: BTreeMap<G, Vec<SlotOffer<A>>>) -> Self {
		Self { lists, busy: BTreeMap::new(), read: BTreeMap::new() }
	}

	/// Candidates read so far, over all groups.
	pub fn reads(&self) -> usize {
		self.read.values().sum()
	}
}

impl<G: Ord + Clone, A: Clone + PartialEq> CandidateSource<G, A> for VecSource<G, A> {
	fn next(&mut self, group: &G) -> Option<SlotOffer<A>> {
		let i = self.read.entry(group.clone()).or_default();
		let offer = self.lists.get(group)?.get(*i)?.clone();
		*i += 1;
		Some(offer)
	}

	fn serves_busy(&mut self, group: &G, excluded: &[A]) -> bool {
		self.busy.get(group).is_some_and(|b| b.iter().any(|a| !excluded.contains(a)))
	}
}

/// Sorts offers into slot order (reputation desc, stake desc, account asc).
pub fn sort_offers<A: Ord>(offers: &mut [SlotOffer<A>]) {
	offers.sort_by(slot_order);
}

/// Today's clearing without capabilities, for comparison: GSP over the slots
/// of [`gsp::deal_slots`].
pub fn clear_uncapable<Id: Copy, A: Ord + Clone>(
	bids: &mut [gsp::Bid<Id>],
	provers: Vec<SlotOffer<A>>,
	base_fee: u128,
	max: u32,
) -> Vec<(Id, u32, A, u128)> {
	let slots = gsp::deal_slots(provers, max);
	gsp::clear(bids, slots.len() as u32, base_fee)
		.into_iter()
		.map(|w| (w.id, w.rank, slots[w.rank as usize].clone(), w.price))
		.collect()
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;

	type Src = VecSource<u8, u32>;

	fn offer(who: u32, rep: u32, stake: u128, free: u32) -> SlotOffer<u32> {
		SlotOffer { who, reputation: rep, stake, free_slots: free }
	}

	fn source(groups: &[(u8, Vec<SlotOffer<u32>>)]) -> Src {
		let mut lists = BTreeMap::new();
		for (g, l) in groups {
			let mut l = l.clone();
			sort_offers(&mut l);
			lists.insert(*g, l);
		}
		VecSource::new(lists)
	}

	fn bid(id: u32, b: u128, group: u8) -> CapBid<u32, u8, u32> {
		CapBid { id, bid: b, seq: id as u64, group, excluded: Vec::new() }
	}

	#[test]
	fn bids_go_only_to_provers_that_serve_them() {
		// Prover 1 serves group A only, prover 2 group B only.
		let mut src = source(&[(0, vec![offer(1, 900, 10, 2)]), (1, vec![offer(2, 100, 10, 2)])]);
		let mut bids = vec![bid(0, 10, 1), bid(1, 9, 0), bid(2, 8, 1)];
		let c = clear(&mut bids, &mut src, 5, 10);
		let dealt: Vec<(u32, u32)> = c.winners.iter().map(|w| (w.id, w.prover)).collect();
		assert_eq!(dealt, vec![(0, 2), (1, 1), (2, 2)]);
		// Prices: next served bid below + BaseFee.
		let prices: Vec<u128> = c.winners.iter().map(|w| w.price).collect();
		assert_eq!(prices, vec![14, 13, 5]);
		assert_eq!((c.demand, c.capacity), (3, 4));
	}

	#[test]
	fn unserved_bids_are_not_demand_and_set_no_price() {
		// Group 7 has no prover: its high bids neither win nor price the others.
		let mut src = source(&[(0, vec![offer(1, 900, 10, 4)])]);
		let mut bids = vec![bid(0, 100, 7), bid(1, 50, 0), bid(2, 90, 7), bid(3, 20, 0)];
		let c = clear(&mut bids, &mut src, 5, 10);
		let dealt: Vec<(u32, u128)> = c.winners.iter().map(|w| (w.id, w.price)).collect();
		assert_eq!(dealt, vec![(1, 25), (3, 5)]);
		assert_eq!((c.demand, c.capacity), (2, 4));
		// One read for the empty group, whatever the number of its bids.
		let mut src = source(&[]);
		let mut bids: Vec<_> = (0..50).map(|i| bid(i, 100, 7)).collect();
		let c = clear(&mut bids, &mut src, 5, 10);
		assert_eq!((c.winners.len(), c.demand, c.capacity), (0, 0, 0));
		assert_eq!(src.reads(), 0);
	}

	#[test]
	fn bids_waiting_for_busy_provers_are_demand() {
		// Group 0's only prover is busy: its bids are demand (capacity 0, so the
		// BaseFee rises) and set prices; group 1's prover is free.
		let mut src = source(&[(1, vec![offer(2, 100, 10, 1)])]);
		src.busy.insert(0, vec![1]);
		let mut bids = vec![bid(0, 50, 0), bid(1, 20, 1), bid(2, 10, 0)];
		let c = clear(&mut bids, &mut src, 5, 10);
		let dealt: Vec<(u32, u128)> = c.winners.iter().map(|w| (w.id, w.price)).collect();
		assert_eq!(dealt, vec![(1, 15)]);
		assert_eq!((c.demand, c.capacity), (3, 1));
		// Excluded from the busy prover too: not demand.
		let mut src = source(&[]);
		src.busy.insert(0, vec![1]);
		let mut b = bid(0, 50, 0);
		b.excluded = vec![1];
		let c = clear(&mut [b], &mut src, 5, 10);
		assert_eq!((c.demand, c.capacity), (0, 0));
	}

	#[test]
	fn excluded_provers_are_never_dealt_the_bid() {
		let mut src = source(&[(0, vec![offer(1, 900, 10, 4), offer(2, 100, 10, 4)])]);
		let mut b = bid(0, 10, 0);
		b.excluded = vec![1];
		let mut bids = vec![b.clone()];
		let c = clear(&mut bids, &mut src, 5, 10);
		assert_eq!(c.winners[0].prover, 2);
		// Excluded by every candidate: not served.
		let mut src = source(&[(0, vec![offer(1, 900, 10, 4), offer(2, 100, 10, 4)])]);
		b.excluded = vec![1, 2];
		let mut bids = vec![b, bid(1, 3, 0)];
		let c = clear(&mut bids, &mut src, 5, 10);
		assert_eq!(c.winners.len(), 1);
		assert_eq!((c.winners[0].id, c.winners[0].price, c.demand), (1, 5, 1));
	}

	fn same(
		bids: &[u128],
		provers: &[(u32, u32, u32)],
		max: u32,
		fee: u128,
	) -> Result<(), TestCaseError> {
		let offers: Vec<SlotOffer<u32>> = provers
			.iter()
			.enumerate()
			.map(|(i, (rep, stake, free))| offer(i as u32, *rep, *stake as u128, *free))
			.collect();
		let mut old: Vec<gsp::Bid<u32>> = bids
			.iter()
			.enumerate()
			.map(|(i, b)| gsp::Bid { id: i as u32, bid: *b, seq: i as u64 })
			.collect();
		let expected = clear_uncapable(&mut old, offers.clone(), fee, max);
		let mut new: Vec<CapBid<u32, u8, u32>> =
			bids.iter().enumerate().map(|(i, b)| bid(i as u32, *b, 0)).collect();
		let eligible: Vec<_> = offers.into_iter().filter(|o| o.free_slots > 0).collect();
		let mut src = source(&[(0, eligible.clone())]);
		let c = clear(&mut new, &mut src, fee, max);
		let got: Vec<(u32, u32, u32, u128)> =
			c.winners.iter().map(|w| (w.id, w.rank, w.prover, w.price)).collect();
		prop_assert_eq!(got, expected);
		if !bids.is_empty() && !eligible.is_empty() {
			prop_assert_eq!(c.demand as usize, bids.len());
			prop_assert_eq!(c.capacity, gsp::capacity(&eligible, max));
		}
		Ok(())
	}

	#[test]
	fn worked_example_matches_plain_gsp() {
		same(&[10, 7, 7, 3], &[(900, 10, 1), (500, 10, 1)], 2, 5).unwrap();
	}

	proptest! {
		#[test]
		fn one_program_served_by_all_is_plain_gsp(
			bids in proptest::collection::vec(0u128..50, 0..40),
			provers in proptest::collection::vec((0u32..4, 0u32..4, 0u32..4), 0..12),
			max in 0u32..30,
			fee in 0u128..20,
		) {
			same(&bids, &provers, max, fee)?;
		}

		#[test]
		fn capability_properties(
			raw in proptest::collection::vec((0u128..40, 0u8..4, proptest::collection::vec(0u32..6, 0..3)), 0..40),
			provers in proptest::collection::vec((0u32..4, 0u32..4, 1u32..4, proptest::collection::vec(0u8..5, 0..3)), 0..6),
			max in 0u32..20,
			fee in 0u128..20,
		) {
			let mut lists: BTreeMap<u8, Vec<SlotOffer<u32>>> = BTreeMap::new();
			let mut serves: BTreeMap<u32, Vec<u8>> = BTreeMap::new();
			let mut free: BTreeMap<u32, u32> = BTreeMap::new();
			for (i, (rep, stake, f, groups)) in provers.iter().enumerate() {
				let who = i as u32;
				free.insert(who, *f);
				for g in groups {
					let l = lists.entry(*g).or_default();
					if !l.iter().any(|o| o.who == who) {
						l.push(offer(who, *rep, *stake as u128, *f));
						serves.entry(who).or_default().push(*g);
					}
				}
			}
			for l in lists.values_mut() { sort_offers(l); }
			let bids: Vec<CapBid<u32, u8, u32>> = raw.iter().enumerate()
				.map(|(i, (b, g, ex))| CapBid { id: i as u32, bid: *b, seq: i as u64, group: *g, excluded: ex.clone() })
				.collect();
			let mut ranked = bids.clone();
			let mut src = VecSource::new(lists.clone());
			let c = clear(&mut ranked, &mut src, fee, max);
			prop_assert!(c.winners.len() <= max as usize);
			prop_assert!(c.capacity <= max);
			let served = |b: &CapBid<u32, u8, u32>| lists.get(&b.group)
				.map(|l| l.iter().any(|o| !b.excluded.contains(&o.who))).unwrap_or(false);
			prop_assert_eq!(c.demand as usize, bids.iter().filter(|b| served(b)).count());
			let mut dealt: BTreeMap<u32, u32> = BTreeMap::new();
			for w in &c.winners {
				let b = &bids[w.id as usize];
				// Dealt only to a prover that serves it and is not excluded.
				prop_assert!(serves.get(&w.prover).map(|g| g.contains(&b.group)).unwrap_or(false));
				prop_assert!(!b.excluded.contains(&w.prover));
				// Never more than bid + BaseFee, never less than the BaseFee.
				prop_assert!(w.price <= b.bid + fee && w.price >= fee);
				*dealt.entry(w.prover).or_default() += 1;
				// Its price does not depend on its own program: the next served
				// bid below it in the ranking.
				let next = ranked[w.rank as usize + 1..].iter().find(|x| served(x)).map(|x| x.bid).unwrap_or(0);
				prop_assert_eq!(w.price, next + fee);
			}
			// No prover gets more than its free slots.
			for (who, n) in dealt { prop_assert!(n <= free[&who]); }
			// A served loser that is not dealt had no free candidate left, or the
			// clearing was full.
			if c.winners.len() < max as usize {
				for (i, b) in ranked.iter().enumerate() {
					if !served(b) || c.winners.iter().any(|w| w.rank as usize == i) { continue; }
					let taken = |who: u32| c.winners.iter().filter(|w| w.prover == who && (w.rank as usize) < i).count() as u32;
					for o in lists.get(&b.group).into_iter().flatten() {
						if !b.excluded.contains(&o.who) {
							prop_assert!(taken(o.who) >= o.free_slots, "bid {} waited while {} had room", b.id, o.who);
						}
					}
				}
			}
		}

		#[test]
		fn naming_a_rarer_program_does_not_lower_the_price(
			bids in proptest::collection::vec(1u128..40, 1..20),
			who in 0usize..20,
			fee in 0u128..10,
		) {
			// Group 0 is served by three provers, group 1 by one; every other
			// bid names group 0. Moving one bid to group 1 never lowers its price.
			let who = who % bids.len();
			let lists = |_: ()| {
				let mut l = BTreeMap::new();
				let mut g0 = vec![offer(1, 9, 9, 2), offer(2, 8, 8, 2), offer(3, 7, 7, 2)];
				sort_offers(&mut g0);
				l.insert(0u8, g0);
				l.insert(1u8, vec![offer(4, 1, 1, 1)]);
				l
			};
			let run = |g: u8| {
				let mut b: Vec<CapBid<u32, u8, u32>> = bids.iter().enumerate()
					.map(|(i, x)| bid(i as u32, *x, if i == who { g } else { 0 })).collect();
				let mut src = VecSource::new(lists(()));
				clear(&mut b, &mut src, fee, 8).winners.into_iter().find(|w| w.id == who as u32).map(|w| w.price)
			};
			if let (Some(common), Some(rare)) = (run(0), run(1)) {
				prop_assert!(rare >= common);
			}
		}
	}
}
