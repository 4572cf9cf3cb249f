//! Verification rounds: at the end of a proof's round (`VerificationTimeout`
//! blocks after its list's block) it is decided by the votes it has, listed
//! again for another round, or dropped with its request returned to the market.

use crate::{pallet::*, PendingProof, ProofId, VerifierId, WeightInfo};
use frame_support::{pallet_prelude::*, BoundedVec};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::Saturating;
use zkmarket_primitives::traits::{ProofMarket, Verdict};

impl<T: Config> Pallet<T> {
	/// `on_initialize`: ends the verification round of the proofs listed
	/// `VerificationTimeout` blocks ago; returns the weight used.
	pub(crate) fn end_verification_rounds(n: BlockNumberFor<T>) -> Weight {
		let (read, concluded) = Self::process_timeouts(n);
		// Each proof decided or dropped concludes its request in the market
		// (`conclude_weight`: a settlement, or a slash and a re-queue into a
		// full queue with an eviction); re-listed proofs cost less.
		T::WeightInfo::timeouts(read)
			.saturating_add(T::Market::conclude_weight().saturating_mul(concluded.into()))
	}

	/// Ends the verification round of the proofs listed at block
	/// `n - VerificationTimeout` (at most `MaxProofsPerBlock`): decides those
	/// whose recorded votes of the current set agree, lists the others again
	/// while they have rounds left, and drops the rest, returning their
	/// requests to the market; returns how many ids it read and how many it
	/// concluded (decided or dropped).
	pub(crate) fn process_timeouts(n: BlockNumberFor<T>) -> (u32, u32) {
		let timeout = T::VerificationTimeout::get();
		if n < timeout {
			return (0, 0);
		}
		let ids = ProofsByBlock::<T>::take(n.saturating_sub(timeout));
		let threshold = VerdictThreshold::<T>::get().max(1) as usize;
		let set = Verifiers::<T>::get();
		let current = |side: &BoundedVec<VerifierId, T::MaxVerifiers>| {
			side.iter().filter(|v| set.contains(v)).count()
		};
		let mut concluded = 0u32;
		for id in ids.iter() {
			let Some(p) = Pending::<T>::take(id) else { continue };
			// Votes are counted as they arrive; a set that shrank since (a
			// session change, root) may already agree on a proof that gets
			// no more votes: decide it now rather than drop it.
			if current(&p.valid) >= threshold {
				concluded += 1;
				Self::finalize(*id, p, Verdict::Valid);
			} else if current(&p.invalid) >= threshold {
				concluded += 1;
				Self::finalize(*id, p, Verdict::Invalid);
			} else if let Some(round) = Self::next_round(*id) {
				// Votes could not land in time (or verifiers were offline): the
				// proof waits another round, its request still with its prover.
				let Ok(listed_at) = Self::list_proof(*id, n) else {
					concluded += 1;
					Self::time_out(*id, p);
					continue;
				};
				ExtraRounds::<T>::insert(id, round - 1);
				Self::deposit_event(Event::VerificationExtended {
					proof: *id,
					request: p.request,
					round,
					listed_at,
				});
				Pending::<T>::insert(id, PendingProof { listed_at, ..p });
			} else {
				concluded += 1;
				Self::time_out(*id, p);
			}
		}
		(ids.len() as u32, concluded)
	}

	/// The round proof `id` would enter now (2 for its first re-listing), if
	/// it has one left.
	fn next_round(id: ProofId) -> Option<u32> {
		let next = ExtraRounds::<T>::get(id).unwrap_or(0).saturating_add(2);
		(next <= T::VerificationRounds::get()).then_some(next)
	}

	/// Drops a proof that had its last round without a final verdict: its
	/// request returns to the market without a slash.
	fn time_out(id: ProofId, p: PendingOf<T>) {
		ExtraRounds::<T>::remove(id);
		Self::deposit_event(Event::VerificationTimedOut { proof: id, request: p.request });
		T::Market::conclude(p.request, &p.prover, Verdict::Undecided, &p.proof);
	}
}
