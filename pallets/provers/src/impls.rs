//! [`ProverRegistry`] for the pallet: the interface the market and the verifier use.

use crate::{pallet::*, SlashReason};
use alloc::vec::Vec;
use frame_support::{
	ensure,
	traits::{
		fungible::MutateHold,
		tokens::{Fortitude, Precision, Restriction},
		Get,
	},
};
use sp_runtime::{
	traits::{Saturating, Zero},
	DispatchResult,
};
use zkmarket_primitives::{
	gsp::deal_slots,
	reputation,
	traits::{Failure, ProverRegistry},
};

impl<T: Config> ProverRegistry<T::AccountId, BalanceOf<T>> for Pallet<T> {
	fn is_eligible(who: &T::AccountId) -> bool {
		Provers::<T>::get(who).map(|i| Self::eligible(&i)).unwrap_or(false)
	}

	fn auction_slots(max: u32) -> Vec<T::AccountId> {
		if max == 0 {
			return Vec::new();
		}
		// Dealing to the best `max` provers with a free slot gives the same slots
		// as dealing to all of them (at most one slot each per round); the offers
		// may hold a few more (with decay pending) that the dealing sorts in.
		deal_slots(Self::slot_offers(max), max)
	}

	fn next_capable(
		capability: &zkmarket_primitives::traits::Capability,
		after: Option<&zkmarket_primitives::traits::CapabilityCursor<T::AccountId>>,
		decays: &mut u32,
	) -> Option<(
		zkmarket_primitives::traits::CapabilityCursor<T::AccountId>,
		Option<zkmarket_primitives::gsp::SlotOffer<T::AccountId>>,
	)> {
		Self::next_capable_prover(capability, after, decays)
	}

	fn serves_busy(
		capability: &zkmarket_primitives::traits::Capability,
		excluded: &[T::AccountId],
		budget: &mut u32,
	) -> bool {
		Self::serves_busy(capability, excluded, budget)
	}

	fn clearing_decays() -> u32 {
		T::DecaySweepLimit::get()
	}

	fn prover_count() -> u32 {
		ProverCount::<T>::get()
	}

	fn occupy_slot(who: &T::AccountId) -> DispatchResult {
		let mut info = Self::touched(who)?;
		ensure!(Self::eligible(&info), Error::<T>::NotEligible);
		ensure!(info.active_jobs < Self::max_jobs(who), Error::<T>::NoFreeSlot);
		if info.active_jobs == 0 {
			info.obligated_since = Some(frame_system::Pallet::<T>::block_number());
		}
		info.active_jobs += 1;
		Self::put_prover(who, &info);
		Ok(())
	}

	fn release_slot(who: &T::AccountId) {
		if let Some(mut info) = Provers::<T>::get(who) {
			info.active_jobs = info.active_jobs.saturating_sub(1);
			if info.active_jobs == 0 {
				info.obligated_since = None;
			}
			Self::put_prover(who, &info);
		}
	}

	fn hold_collateral(who: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		let mut info = Self::touched(who)?;
		ensure!(
			info.stake.saturating_sub(amount) >= T::MinProverStake::get() && amount <= info.stake,
			Error::<T>::InsufficientFreeStake
		);
		T::Currency::release(&HoldReason::Stake.into(), who, amount, Precision::Exact)?;
		T::Currency::hold(&HoldReason::Collateral.into(), who, amount)?;
		info.stake = info.stake.saturating_sub(amount);
		info.collateral = info.collateral.saturating_add(amount);
		Self::put_prover(who, &info);
		Self::deposit_event(Event::CollateralLocked { who: who.clone(), amount });
		Ok(())
	}

	fn release_collateral(who: &T::AccountId, amount: BalanceOf<T>) {
		let Some(mut info) = Provers::<T>::get(who) else { return };
		let amount = amount.min(info.collateral);
		let released = T::Currency::release(
			&HoldReason::Collateral.into(),
			who,
			amount,
			Precision::BestEffort,
		)
		.unwrap_or_default();
		let back = if T::Currency::hold(&HoldReason::Stake.into(), who, released).is_ok() {
			released
		} else {
			Zero::zero()
		};
		info.collateral = info.collateral.saturating_sub(released);
		info.stake = info.stake.saturating_add(back);
		Self::put_prover(who, &info);
		Self::deposit_event(Event::CollateralReleased { who: who.clone(), amount: back });
	}

	fn forfeit_collateral(
		who: &T::AccountId,
		amount: BalanceOf<T>,
		bounty: BalanceOf<T>,
	) -> BalanceOf<T> {
		let Some(mut info) = Provers::<T>::get(who) else { return Zero::zero() };
		let amount = amount.min(info.collateral);
		let bounty = bounty.min(amount);
		let slashed = Self::slash_hold(HoldReason::Collateral, who, amount.saturating_sub(bounty));
		info.collateral = info.collateral.saturating_sub(slashed.saturating_add(bounty));
		info.reserved_bounty = info.reserved_bounty.saturating_add(bounty);
		Self::put_prover(who, &info);
		Self::deposit_event(Event::CollateralForfeited { who: who.clone(), amount, bounty });
		if !slashed.is_zero() {
			Self::deposit_event(Event::Slashed {
				who: who.clone(),
				amount: slashed,
				reason: SlashReason::MissedLock,
			});
		}
		slashed.saturating_add(bounty)
	}

	fn pay_bounty(from: &T::AccountId, to: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		let mut src = Provers::<T>::get(from).ok_or(Error::<T>::NotRegistered)?;
		ensure!(amount <= src.reserved_bounty, Error::<T>::InsufficientBounty);
		ensure!(Provers::<T>::contains_key(to), Error::<T>::NotRegistered);
		if from != to {
			T::Currency::transfer_on_hold(
				&HoldReason::Collateral.into(),
				from,
				to,
				amount,
				Precision::Exact,
				Restriction::Free,
				Fortitude::Force,
			)?;
		} else {
			T::Currency::release(&HoldReason::Collateral.into(), from, amount, Precision::Exact)?;
		}
		src.reserved_bounty = src.reserved_bounty.saturating_sub(amount);
		Self::put_prover(from, &src);
		Self::credit_stake(to, amount)?;
		Self::deposit_event(Event::BountyPaid { from: from.clone(), to: to.clone(), amount });
		Ok(())
	}

	fn slash_bounty(from: &T::AccountId, amount: BalanceOf<T>) {
		let Some(mut info) = Provers::<T>::get(from) else { return };
		let amount = amount.min(info.reserved_bounty);
		let slashed = Self::slash_hold(HoldReason::Collateral, from, amount);
		info.reserved_bounty = info.reserved_bounty.saturating_sub(slashed);
		Self::put_prover(from, &info);
		Self::deposit_event(Event::Slashed {
			who: from.clone(),
			amount: slashed,
			reason: SlashReason::UnclaimedBounty,
		});
	}

	fn credit_stake(who: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		let mut info = Self::touched(who)?;
		if amount.is_zero() {
			return Ok(());
		}
		T::Currency::hold(&HoldReason::Stake.into(), who, amount)?;
		info.stake = info.stake.saturating_add(amount);
		Self::put_prover(who, &info);
		Self::deposit_event(Event::FeeCredited { who: who.clone(), amount });
		Ok(())
	}

	fn record_success(who: &T::AccountId) {
		let Ok(mut info) = Self::touched(who) else { return };
		let new = reputation::on_success(info.reputation, T::ReputationGain::get());
		Self::set_reputation(who, &mut info, new);
		info.proofs_verified = info.proofs_verified.saturating_add(1);
		// Not idle any more; a paused prover's frozen clock restarts from zero.
		info.idle_since = info.paused_at.unwrap_or_else(frame_system::Pallet::<T>::block_number);
		Self::put_prover(who, &info);
	}

	fn record_failure(who: &T::AccountId, failure: Failure) -> BalanceOf<T> {
		let Ok(mut info) = Self::touched(who) else { return Zero::zero() };
		let (rate, reason) = match failure {
			Failure::InvalidProof => (T::InvalidProofSlash::get(), Some(SlashReason::InvalidProof)),
			Failure::MissedDeadline => {
				(T::MissedDeadlineSlash::get(), Some(SlashReason::MissedDeadline))
			}
			Failure::MissedLock | Failure::DeclinedProvable => (Default::default(), None),
		};
		let mut slashed = Zero::zero();
		if let Some(reason) = reason {
			let before = info.stake;
			slashed = Self::slash_backing(who, &mut info, rate);
			Self::deposit_event(Event::Slashed { who: who.clone(), amount: slashed, reason });
			Self::note_stake_drop(who, before, info.stake);
		}
		let new = reputation::on_failure(info.reputation, T::ReputationLoss::get());
		Self::set_reputation(who, &mut info, new);
		info.failures = info.failures.saturating_add(1);
		Self::put_prover(who, &info);
		slashed
	}
}
