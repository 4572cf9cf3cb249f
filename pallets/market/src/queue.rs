//! The auction queue: bids kept in rank order (`bid` descending, then request
//! id ascending), so the worst bid is the last one and a full queue can admit a
//! better bid by evicting it.

use crate::{pallet::*, Pricing, RequestState};
use frame_support::traits::fungible::MutateHold;
use sp_runtime::traits::{Saturating, Zero};
use zkmarket_primitives::traits::RequestId;

impl<T: Config> Pallet<T> {
	/// The bid of a queued request (0 if it is not an auction bid).
	fn queued_bid(id: RequestId) -> BalanceOf<T> {
		match Requests::<T>::get(id).map(|r| r.pricing) {
			Some(Pricing::Auction { bid, .. }) => bid,
			_ => Zero::zero(),
		}
	}

	/// Where bid `(bid, id)` belongs in the rank-ordered queue `q`: after every
	/// entry with a higher bid, or an equal bid submitted earlier. Binary search,
	/// `O(log n)` reads.
	fn rank_position(q: &[RequestId], bid: BalanceOf<T>, id: RequestId) -> usize {
		q.partition_point(|x| {
			let b = Self::queued_bid(*x);
			b > bid || (b == bid && *x < id)
		})
	}

	/// Puts auction request `id` (bidding `bid`) into the queue at its rank. When
	/// the queue is full, the worst queued bid is evicted (refunded and closed) if
	/// `id` ranks above it; otherwise nothing changes and `false` is returned.
	pub(crate) fn enqueue(id: RequestId, bid: BalanceOf<T>) -> bool {
		let mut q = AuctionQueue::<T>::get();
		let pos = Self::rank_position(&q, bid, id);
		if q.is_full() {
			if pos >= q.len() {
				return false;
			}
			if let Some(worst) = q.pop() {
				Self::evict(worst, id);
			}
		}
		if q.try_insert(pos, id).is_err() {
			return false;
		}
		AuctionQueue::<T>::put(q);
		true
	}

	/// Closes the queued bid `id` (as expired, refunded in full) to make room for `by`.
	fn evict(id: RequestId, by: RequestId) {
		let Some(mut req) = Requests::<T>::get(id) else { return };
		let refund = Self::refund_all(&mut req);
		req.state = RequestState::Expired;
		Self::close(id, req);
		Self::deposit_event(Event::BidEvicted { id, by, refund });
	}

	/// Removes `id` from the auction queue.
	pub(crate) fn remove_from_queue(id: RequestId) {
		AuctionQueue::<T>::mutate(|q| q.retain(|x| *x != id));
	}

	/// Puts an auction request back in the queue, topping its escrow up to
	/// `bid + max_base_fee` again. Expires it instead when it is past its expiry,
	/// the requester cannot fund the top-up, or the queue is full of better bids.
	pub(crate) fn requeue(id: RequestId, mut req: crate::RequestOf<T>) {
		let Pricing::Auction { bid, max_base_fee } = req.pricing.clone() else { return };
		let now = frame_system::Pallet::<T>::block_number();
		let full = bid.saturating_add(max_base_fee);
		let top_up = full.saturating_sub(req.escrow);
		let funded = top_up.is_zero()
			|| T::Currency::hold(&HoldReason::Escrow.into(), &req.requester, top_up).is_ok();
		if funded {
			req.escrow = req.escrow.max(full);
		}
		if !funded || req.expires_at <= now {
			Self::expire(id, req);
			return;
		}
		req.state = RequestState::Queued;
		Requests::<T>::insert(id, &req);
		if Self::enqueue(id, bid) {
			Self::deposit_event(Event::Requeued { id });
		} else {
			Self::expire(id, req);
		}
	}
}
