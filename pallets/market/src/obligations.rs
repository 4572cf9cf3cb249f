//! What a prover owes the market right now: the live obligations that make
//! its proof (or its decline) urgent. The runtime's transaction priority reads
//! them (`zkmarket_runtime::priority`): a transaction that discharges a live
//! obligation ranks above any tip, so block stuffing cannot make an honest
//! prover miss its deadline.

use crate::{Config, Pallet, RequestState, Requests};
use zkmarket_primitives::traits::RequestId;

impl<T: Config> Pallet<T> {
	/// Whether `who` holds a live obligation on request `id`: the auction
	/// assignment of `id` with its deadline not passed (inclusive), or the lock
	/// of the offer `id` with its lock deadline not passed. Two reads.
	pub fn holds_obligation(id: RequestId, who: &T::AccountId) -> bool {
		let Some(req) = Requests::<T>::get(id) else { return false };
		match &req.state {
			RequestState::Assigned { prover, deadline, .. } => {
				prover == who && frame_system::Pallet::<T>::block_number() <= *deadline
			}
			RequestState::Locked { prover, .. } => {
				prover == who
					&& req.pricing.curve().is_some_and(|c| Self::now_secs() <= c.lock_deadline())
			}
			_ => false,
		}
	}

	/// Whether `who` is the prover `id` is assigned to, before its deadline
	/// (the one who may decline it).
	pub fn holds_assignment(id: RequestId, who: &T::AccountId) -> bool {
		let Some(req) = Requests::<T>::get(id) else { return false };
		matches!(&req.state, RequestState::Assigned { prover, deadline, .. }
			if prover == who && frame_system::Pallet::<T>::block_number() <= *deadline)
	}
}
