//! Generalized second-price (GSP) clearing of proving capacity.
//!
//! Bids are ranked by `bid` descending, ties by submission order (earlier
//! first). With `K` slots the top `min(K, n)` bids win; winner `i` pays
//! `bid_{i+1} + base_fee` where `bid_{i+1}` is the next bid in the ranking
//! (the best losing bid for the last winner, 0 if there is none).
//! Slots are dealt from provers ordered by reputation, stake and account,
//! round-robin over their free job slots.

use alloc::vec::Vec;

/// One eligible bid.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Bid<Id> {
	/// The caller's identifier of the request.
	pub id: Id,
	/// Calculating fee offered on top of the BaseFee.
	pub bid: u128,
	/// Submission order (lower = earlier); breaks ties.
	pub seq: u64,
}

/// A winning bid and the price it pays.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Winner<Id> {
	/// The request.
	pub id: Id,
	/// 0-based rank; also the index of the slot it is assigned to.
	pub rank: u32,
	/// `next bid + base_fee` (saturating).
	pub price: u128,
}

/// Sorts bids into auction order: `bid` descending, then `seq` ascending.
pub fn rank<Id>(bids: &mut [Bid<Id>]) {
	bids.sort_by(|a, b| b.bid.cmp(&a.bid).then(a.seq.cmp(&b.seq)));
}

/// Clears the auction: ranks `bids` (in place) and returns the winners in rank
/// order with their GSP prices. `O(n log n)`.
pub fn clear<Id: Copy>(bids: &mut [Bid<Id>], capacity: u32, base_fee: u128) -> Vec<Winner<Id>> {
	rank(bids);
	let winners = bids.len().min(capacity as usize);
	(0..winners)
		.map(|i| {
			let next = bids.get(i + 1).map(|b| b.bid).unwrap_or(0);
			Winner { id: bids[i].id, rank: i as u32, price: next.saturating_add(base_fee) }
		})
		.collect()
}

/// A prover offering job slots.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SlotOffer<AccountId> {
	/// The prover.
	pub who: AccountId,
	/// Reputation in parts per billion.
	pub reputation: u32,
	/// Effective stake.
	pub stake: u128,
	/// Free job slots.
	pub free_slots: u32,
}

/// Deals slots: provers ordered by reputation desc, stake desc, account asc;
/// every prover's first free slot in that order, then every second free slot,
/// and so on. Returns at most `max` slots (the prover of each, in order).
pub fn deal_slots<AccountId: Ord + Clone>(
	mut provers: Vec<SlotOffer<AccountId>>,
	max: u32,
) -> Vec<AccountId> {
	provers.retain(|p| p.free_slots > 0);
	provers.sort_by(|a, b| {
		b.reputation.cmp(&a.reputation).then(b.stake.cmp(&a.stake)).then(a.who.cmp(&b.who))
	});
	let total: u64 = provers.iter().map(|p| p.free_slots as u64).sum();
	let want = (max as u64).min(total) as usize;
	let mut out = Vec::with_capacity(want);
	let mut round = 0u32;
	while out.len() < want {
		for p in provers.iter() {
			if out.len() >= want {
				break;
			}
			if p.free_slots > round {
				out.push(p.who.clone());
			}
		}
		round += 1;
	}
	out
}

/// Length of a [`slot_rank`] key.
pub const SLOT_RANK_LEN: usize = 20;

/// A prover's rank in slot order, as [`slot_rank`] makes it.
pub type SlotRank = [u8; SLOT_RANK_LEN];

/// The rank of a prover in slot order as bytes whose lexicographic order is the
/// dealing order: reputation descending, then stake descending. A storage map
/// keyed by `(slot_rank, account)` with an order-preserving (identity) hasher
/// iterates provers in dealing order (ties by the account's encoding, which for
/// 32-byte account ids is their `Ord`), so the best provers are read first
/// without sorting all of them.
pub fn slot_rank(reputation: u32, stake: u128) -> SlotRank {
	let mut out = [0u8; SLOT_RANK_LEN];
	out[..4].copy_from_slice(&(u32::MAX - reputation).to_be_bytes());
	out[4..].copy_from_slice(&(u128::MAX - stake).to_be_bytes());
	out
}

/// Total free slots of `provers`, capped at `max`.
pub fn capacity<AccountId>(provers: &[SlotOffer<AccountId>], max: u32) -> u32 {
	let total: u64 = provers.iter().map(|p| p.free_slots as u64).sum();
	total.min(max as u64) as u32
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;

	fn bids(v: &[u128]) -> Vec<Bid<u32>> {
		v.iter().enumerate().map(|(i, b)| Bid { id: i as u32, bid: *b, seq: i as u64 }).collect()
	}

	#[test]
	fn worked_example() {
		// bids [10, 7, 7, 3], 2 slots, BaseFee 5.
		let mut b = bids(&[10, 7, 7, 3]);
		let w = clear(&mut b, 2, 5);
		assert_eq!(
			w,
			vec![Winner { id: 0, rank: 0, price: 12 }, Winner { id: 1, rank: 1, price: 12 }]
		);
	}

	#[test]
	fn last_winner_without_next_bid_pays_base_fee() {
		let mut b = bids(&[4, 9]);
		let w = clear(&mut b, 5, 100);
		assert_eq!(
			w,
			vec![Winner { id: 1, rank: 0, price: 104 }, Winner { id: 0, rank: 1, price: 100 }]
		);
	}

	#[test]
	fn no_capacity_no_winner() {
		let mut b = bids(&[4, 9]);
		assert!(clear(&mut b, 0, 1).is_empty());
	}

	#[test]
	fn slots_round_robin() {
		let p = |who: u8, rep: u32, stake: u128, free: u32| SlotOffer {
			who,
			reputation: rep,
			stake,
			free_slots: free,
		};
		let provers = vec![p(3, 500, 10, 1), p(1, 900, 10, 2), p(2, 900, 20, 3)];
		assert_eq!(deal_slots(provers.clone(), 10), vec![2, 1, 3, 2, 1, 2]);
		assert_eq!(deal_slots(provers.clone(), 4), vec![2, 1, 3, 2]);
		assert_eq!(capacity(&provers, 4), 4);
		assert_eq!(capacity(&provers, 100), 6);
		// Same reputation and stake: account order.
		let provers = vec![p(9, 1, 1, 1), p(4, 1, 1, 1)];
		assert_eq!(deal_slots(provers, 10), vec![4, 9]);
	}

	proptest! {
		#[test]
		fn gsp_properties(v in proptest::collection::vec(0u128..1_000, 0..40), k in 0u32..50, fee in 0u128..1_000) {
			let mut b = bids(&v);
			let w = clear(&mut b, k, fee);
			// Number of winners = min(K, n).
			prop_assert_eq!(w.len(), v.len().min(k as usize));
			let won: Vec<u32> = w.iter().map(|x| x.id).collect();
			for (i, x) in w.iter().enumerate() {
				let own = v[x.id as usize];
				// Each winner pays at most its bid + BaseFee, at least the BaseFee.
				prop_assert!(x.price <= own + fee);
				prop_assert!(x.price >= fee);
				prop_assert_eq!(x.rank as usize, i);
				// Prices are non-increasing with rank.
				if i > 0 { prop_assert!(w[i - 1].price >= x.price); }
			}
			// No loser outbids a winner; on ties the winner was earlier.
			for (id, bid) in v.iter().enumerate() {
				if won.contains(&(id as u32)) { continue; }
				for x in &w {
					let wb = v[x.id as usize];
					prop_assert!(wb > *bid || (wb == *bid && x.id < id as u32));
				}
			}
		}

		#[test]
		fn extreme_values_do_not_overflow(v in proptest::collection::vec(any::<u128>(), 0..10), k in any::<u32>(), fee in any::<u128>()) {
			let mut b = bids(&v);
			let w = clear(&mut b, k, fee);
			prop_assert_eq!(w.len(), v.len().min(k as usize));
		}

		#[test]
		fn slot_rank_orders_like_the_dealing(a in any::<(u32, u128)>(), b in any::<(u32, u128)>()) {
			// Dealing order: reputation desc, then stake desc.
			let dealing = b.0.cmp(&a.0).then(b.1.cmp(&a.1));
			prop_assert_eq!(slot_rank(a.0, a.1).cmp(&slot_rank(b.0, b.1)), dealing);
		}

		#[test]
		fn dealing_the_best_max_provers_equals_dealing_all(
			free in proptest::collection::vec(1u32..5, 0..40),
			max in 0u32..60,
		) {
			// What the registry relies on: dealing only the first `max` provers
			// in slot order (each with a free slot) gives the same slots.
			let mut provers: Vec<SlotOffer<u32>> = free.iter().enumerate()
				.map(|(i, f)| SlotOffer { who: i as u32, reputation: (i as u32 * 7919) % 13, stake: (i as u128 * 31) % 5, free_slots: *f })
				.collect();
			provers.sort_by_key(|p| (slot_rank(p.reputation, p.stake), p.who));
			let best: Vec<_> = provers.iter().take(max as usize).cloned().collect();
			prop_assert_eq!(deal_slots(best, max), deal_slots(provers, max));
		}

		#[test]
		fn dealt_slots_respect_free_slots(free in proptest::collection::vec(0u32..5, 0..20), max in 0u32..120) {
			let provers: Vec<SlotOffer<u32>> = free.iter().enumerate()
				.map(|(i, f)| SlotOffer { who: i as u32, reputation: (i as u32 * 7919) % 13, stake: (i as u128 * 31) % 5, free_slots: *f })
				.collect();
			let slots = deal_slots(provers.clone(), max);
			prop_assert_eq!(slots.len() as u32, capacity(&provers, max));
			for p in &provers {
				prop_assert!(slots.iter().filter(|s| **s == p.who).count() as u32 <= p.free_slots);
			}
		}
	}
}
