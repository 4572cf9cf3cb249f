//! Registration and staking: registering (with the track record of a returning
//! prover), bonding more, pausing and resuming, the periods root sets, and the
//! client view of a prover.

use crate::{pallet::*, ProverInfo, ProverRecord, ProverStatus, ProverView};
use frame_support::{pallet_prelude::*, traits::fungible::MutateHold};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::{Saturating, Zero};

impl<T: Config> Pallet<T> {
	/// Registers `who` with `stake` held; a returning prover gets its record back.
	pub(crate) fn do_register(who: T::AccountId, stake: BalanceOf<T>) -> DispatchResult {
		ensure!(!Provers::<T>::contains_key(&who), Error::<T>::AlreadyRegistered);
		ensure!(stake >= T::MinProverStake::get(), Error::<T>::StakeBelowMinimum);
		let count = ProverCount::<T>::get();
		ensure!(count < T::MaxProvers::get(), Error::<T>::TooManyProvers);
		T::Currency::hold(&HoldReason::Stake.into(), &who, stake)
			.map_err(|_| Error::<T>::InsufficientBalance)?;
		// A returning prover keeps its track record.
		let record = ProverHistory::<T>::take(&who).unwrap_or(ProverRecord {
			reputation: T::InitialReputation::get(),
			proofs_verified: 0,
			failures: 0,
		});
		let info = ProverInfo {
			stake,
			collateral: Zero::zero(),
			reserved_bounty: Zero::zero(),
			unbonding: BoundedVec::new(),
			reputation: record.reputation,
			status: ProverStatus::Active,
			active_jobs: 0,
			idle_since: frame_system::Pallet::<T>::block_number(),
			paused_at: None,
			obligated_since: None,
			proofs_verified: record.proofs_verified,
			failures: record.failures,
		};
		Self::put_prover(&who, &info);
		ProverCount::<T>::put(count + 1);
		Self::deposit_event(Event::Registered { who, stake });
		Ok(())
	}

	/// Adds `amount` of the free balance of `who` to its stake.
	pub(crate) fn do_bond_extra(who: T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		let mut info = Self::touched(&who)?;
		T::Currency::hold(&HoldReason::Stake.into(), &who, amount)
			.map_err(|_| Error::<T>::InsufficientBalance)?;
		info.stake = info.stake.saturating_add(amount);
		Self::put_prover(&who, &info);
		Self::deposit_event(Event::Bonded { who, amount });
		Ok(())
	}

	/// Pauses `who`: no new work, the idle clock stops.
	pub(crate) fn do_pause(who: T::AccountId) -> DispatchResult {
		let mut info = Self::touched(&who)?;
		ensure!(info.status == ProverStatus::Active, Error::<T>::AlreadyPaused);
		info.status = ProverStatus::Paused;
		info.paused_at = Some(frame_system::Pallet::<T>::block_number());
		Self::put_prover(&who, &info);
		Self::deposit_event(Event::Paused { who });
		Ok(())
	}

	/// Resumes `who`: the idle clock continues where the pause stopped it.
	pub(crate) fn do_resume(who: T::AccountId) -> DispatchResult {
		let mut info = Provers::<T>::get(&who).ok_or(Error::<T>::NotRegistered)?;
		ensure!(info.status == ProverStatus::Paused, Error::<T>::NotPaused);
		let now = frame_system::Pallet::<T>::block_number();
		let paused_for = info.paused_at.take().map(|at| now.saturating_sub(at));
		info.idle_since = info.idle_since.saturating_add(paused_for.unwrap_or_default()).min(now);
		info.status = ProverStatus::Active;
		Self::put_prover(&who, &info);
		Self::deposit_event(Event::Resumed { who });
		Ok(())
	}

	/// Sets the idle and unbonding periods in force.
	pub(crate) fn do_set_periods(
		idle_period: BlockNumberFor<T>,
		unbonding_period: BlockNumberFor<T>,
	) -> DispatchResult {
		ensure!(!idle_period.is_zero(), Error::<T>::InvalidPeriod);
		IdlePeriodOverride::<T>::put(idle_period);
		UnbondingPeriodOverride::<T>::put(unbonding_period);
		Self::deposit_event(Event::PeriodsChanged { idle_period, unbonding_period });
		Ok(())
	}

	/// A client's view of `who`.
	pub fn prover_view(who: &T::AccountId) -> Option<ProverView<BalanceOf<T>>> {
		let info = Provers::<T>::get(who)?;
		Some(ProverView {
			effective_stake: Self::effective_stake(&info),
			collateral: info.collateral,
			unbonding: info.unbonding_total(),
			reputation: info.reputation,
			paused: info.status == ProverStatus::Paused,
			active_jobs: info.active_jobs,
			eligible: Self::eligible(&info) && info.active_jobs < Self::max_jobs(who),
		})
	}
}
