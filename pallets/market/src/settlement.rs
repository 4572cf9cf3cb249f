//! Settlement: the market side of proof verification ([`ProofMarket`]).

use crate::{pallet::*, Fulfilment, Pricing, RequestState};
use alloc::vec::Vec;
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::MutateHold,
		tokens::{Fortitude, Precision, Restriction},
	},
};
use sp_runtime::{
	traits::{Saturating, Zero},
	DispatchError, SaturatedConversion,
};
use zkmarket_primitives::traits::{
	Failure, ProgramId, ProgramRegistry, ProofKind, ProofMarket, ProverRegistry, PublicInput,
	RequestId, Verdict,
};

impl<T: Config> Pallet<T> {
	/// Pays `amount` of the requester's escrow into `prover`'s stake.
	fn pay(
		req: &mut crate::RequestOf<T>,
		prover: &T::AccountId,
		amount: BalanceOf<T>,
	) -> BalanceOf<T> {
		if amount.is_zero() {
			return amount;
		}
		let moved = T::Currency::transfer_on_hold(
			&HoldReason::Escrow.into(),
			&req.requester,
			prover,
			amount.min(req.escrow),
			Precision::BestEffort,
			Restriction::Free,
			Fortitude::Force,
		)
		.unwrap_or_default();
		req.escrow = req.escrow.saturating_sub(moved);
		// The fee goes into the stake; should that fail it stays free on the prover.
		let _ = T::Provers::credit_stake(prover, moved);
		moved
	}

	/// Settles a valid proof.
	fn settle_valid(
		id: RequestId,
		mut req: crate::RequestOf<T>,
		prover: T::AccountId,
		f: Fulfilment<T::AccountId, BalanceOf<T>, frame_system::pallet_prelude::BlockNumberFor<T>>,
		proof: &[u8],
	) {
		let paid = match f {
			Fulfilment::Assignment { price, .. } => {
				T::Provers::release_slot(&prover);
				Self::pay(&mut req, &prover, price)
			}
			Fulfilment::Locked { price, collateral } => {
				T::Provers::release_slot(&prover);
				T::Provers::release_collateral(&prover, collateral);
				Self::pay(&mut req, &prover, price)
			}
			Fulfilment::Open { price } => {
				T::Provers::release_slot(&prover);
				Self::pay(&mut req, &prover, price)
			}
			Fulfilment::Bounty { from, amount } => {
				T::Provers::release_slot(&prover);
				if T::Provers::pay_bounty(&from, &prover, amount).is_ok() {
					amount
				} else {
					T::Provers::slash_bounty(&from, amount);
					Zero::zero()
				}
			}
		};
		T::Provers::record_success(&prover);
		// Provers that declined it for free were wrong: it could be proven.
		if let Some(ex) = RequestExclusions::<T>::get(id) {
			for (who, reason) in ex.provers.iter() {
				if *reason == crate::ExclusionReason::Declined {
					T::Provers::record_failure(who, Failure::DeclinedProvable);
					Self::deposit_event(Event::DeclineDisproved { id, prover: who.clone() });
				}
			}
		}
		let refund = Self::refund_all(&mut req);
		req.state = RequestState::Settled { prover: prover.clone(), paid };
		// Kept for the requester while the closed request is (`close` prunes both).
		// The verifier's bound is the same, so a proof always fits.
		if let Ok(proof) = BoundedVec::<u8, T::MaxProofLen>::try_from(proof.to_vec()) {
			Proofs::<T>::insert(id, proof);
		}
		Self::close(id, req);
		Self::deposit_event(Event::RequestSettled { id, prover, paid, refund });
	}

	/// Returns a request whose proof failed (or got no verdict) to the market.
	///
	/// `late_verdict`: no verdict was reached in time. A locked offer whose proof
	/// came in time but whose lock deadline passed while waiting is then released
	/// without penalty (collateral back, the offer open to all) instead of being
	/// forfeited: a prover is never slashed because verdicts were late.
	fn reopen(
		id: RequestId,
		mut req: crate::RequestOf<T>,
		prover: &T::AccountId,
		f: Fulfilment<T::AccountId, BalanceOf<T>, frame_system::pallet_prelude::BlockNumberFor<T>>,
		late_verdict: bool,
	) {
		match f {
			Fulfilment::Assignment { .. } => {
				T::Provers::release_slot(prover);
				Self::requeue(id, req);
			}
			Fulfilment::Locked { price, collateral } => {
				let lock_passed = req
					.pricing
					.curve()
					.map(|c| Self::now_secs() > c.lock_deadline())
					.unwrap_or(true);
				if late_verdict && lock_passed {
					T::Provers::release_collateral(prover, collateral);
					T::Provers::release_slot(prover);
					req.state = RequestState::Open;
				} else {
					req.state = RequestState::Locked { prover: prover.clone(), price, collateral };
				}
				Requests::<T>::insert(id, req);
				// The lock deadline may have passed while the proof was pending.
				Self::apply_offer_deadlines(id);
			}
			Fulfilment::Open { .. } => {
				T::Provers::release_slot(prover);
				req.state = RequestState::Open;
				Requests::<T>::insert(id, req);
				Self::apply_offer_deadlines(id);
			}
			Fulfilment::Bounty { from, amount } => {
				T::Provers::release_slot(prover);
				req.state = RequestState::BountyOpen { slashed: from, bounty: amount };
				Requests::<T>::insert(id, req);
				Self::apply_offer_deadlines(id);
			}
		}
	}
}

impl<T: Config> ProofMarket<T::AccountId> for Pallet<T> {
	fn begin_verification(
		id: RequestId,
		prover: &T::AccountId,
	) -> Result<(ProgramId, Vec<PublicInput>, ProofKind), DispatchError> {
		Self::apply_offer_deadlines(id);
		let mut req = Requests::<T>::get(id).ok_or(Error::<T>::UnknownRequest)?;
		let now = Self::now_secs();
		let fulfilment = match (&req.state, &req.pricing) {
			(RequestState::Assigned { prover: p, price, deadline }, _) => {
				ensure!(p == prover, Error::<T>::NotAssignedProver);
				// Inclusive: a proof in block `deadline` counts.
				ensure!(
					frame_system::Pallet::<T>::block_number() <= *deadline,
					Error::<T>::DeadlinePassed
				);
				Fulfilment::Assignment { price: *price, deadline: *deadline }
			}
			(RequestState::Locked { prover: p, price, collateral }, _) => {
				ensure!(p == prover, Error::<T>::NotAssignedProver);
				Fulfilment::Locked { price: *price, collateral: *collateral }
			}
			(RequestState::Open, Pricing::Offer { .. }) => {
				ensure!(T::Programs::is_bound(&req.program), Error::<T>::ProgramNeedsLock);
				ensure!(T::Provers::is_eligible(prover), Error::<T>::NotEligible);
				let curve = req.pricing.curve().ok_or(Error::<T>::NotAnOffer)?;
				ensure!(now <= curve.deadline(), Error::<T>::DeadlinePassed);
				// The proof takes a job slot until its verdict: no prover holds more
				// pending proofs than its slots.
				T::Provers::occupy_slot(prover)?;
				Fulfilment::Open { price: curve.price_at(now).saturated_into() }
			}
			(RequestState::BountyOpen { slashed, bounty }, _) => {
				ensure!(T::Programs::is_bound(&req.program), Error::<T>::ProgramNeedsLock);
				ensure!(T::Provers::is_eligible(prover), Error::<T>::NotEligible);
				T::Provers::occupy_slot(prover)?;
				Fulfilment::Bounty { from: slashed.clone(), amount: *bounty }
			}
			(RequestState::Queued, _) => return Err(Error::<T>::NotAssignedProver.into()),
			_ => return Err(Error::<T>::InvalidState.into()),
		};
		let kind = match fulfilment {
			Fulfilment::Assignment { .. } | Fulfilment::Locked { .. } => ProofKind::Obligated,
			Fulfilment::Open { .. } | Fulfilment::Bounty { .. } => ProofKind::Open,
		};
		req.state = RequestState::ProofSubmitted { prover: prover.clone(), fulfilment, at: now };
		let out = (req.program, req.inputs.to_vec(), kind);
		Requests::<T>::insert(id, req);
		Self::deposit_event(Event::ProofSubmitted { id, prover: prover.clone() });
		Ok(out)
	}

	fn conclude(id: RequestId, prover: &T::AccountId, verdict: Verdict, proof: &[u8]) {
		let Some(req) = Requests::<T>::get(id) else { return };
		let RequestState::ProofSubmitted { prover: p, fulfilment, .. } = req.state.clone() else {
			return;
		};
		if &p != prover {
			return;
		}
		match verdict {
			Verdict::Valid => Self::settle_valid(id, req, p, fulfilment, proof),
			Verdict::Invalid => {
				let slashed = T::Provers::record_failure(prover, Failure::InvalidProof);
				Self::deposit_event(Event::ProofRejected { id, prover: p.clone(), slashed });
				Self::reopen(id, req, &p, fulfilment, false);
			}
			Verdict::Undecided => {
				Self::deposit_event(Event::VerificationUndecided { id, prover: p.clone() });
				Self::reopen(id, req, &p, fulfilment, true);
			}
		}
	}

	fn open_requests_for(program: &ProgramId) -> u32 {
		ProgramRequests::<T>::get(program)
	}

	fn begin_verification_weight() -> frame_support::weights::Weight {
		Self::offer_deadline_weight()
	}

	fn conclude_weight() -> frame_support::weights::Weight {
		use crate::weights::WeightInfo;
		// One missed deadline's share of `block_deadlines`, measured on the
		// costliest re-opening: a slash (the prover moved in all its index
		// entries) and a re-queue into a full queue that evicts, refunds and
		// closes the worst bid. A settlement (payment into the stake, refund,
		// slot release, close) moves the prover's entries once too; its free
		// decliners' reputation failures are not in it (docs/security.md 37).
		T::WeightInfo::block_deadlines(1).saturating_sub(T::WeightInfo::block_deadlines(0))
	}
}
