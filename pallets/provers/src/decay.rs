//! Idle decay: an active prover with no verified proof for a full idle period
//! loses `IdleDecay` of its stake per period, applied lazily whenever it is
//! touched and by a bounded sweep of `DecaySweepLimit` provers per block.

use crate::{pallet::*, ProverStatus, WeightInfo};
use frame_support::pallet_prelude::*;
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	traits::{Saturating, Zero},
	SaturatedConversion,
};

impl<T: Config> Pallet<T> {
	/// `on_initialize`: the decay sweep; returns its weight and that of the slot
	/// dealing's decays.
	pub(crate) fn sweep_on_initialize() -> Weight {
		let swept = Self::sweep(T::DecaySweepLimit::get());
		// Plus what the slot dealing in `on_finalize` may do beyond reading the
		// provers it deals to: apply `DecaySweepLimit` pending decays (the
		// sweep's work) and value as many more (reads).
		T::WeightInfo::sweep(swept)
			.saturating_add(T::WeightInfo::sweep(T::DecaySweepLimit::get().saturating_mul(2)))
	}

	/// The idle period in force.
	pub fn idle_period() -> BlockNumberFor<T> {
		IdlePeriodOverride::<T>::get().unwrap_or_else(T::IdlePeriod::get)
	}

	/// Full idle periods of `info` at block `now` (0 when paused).
	pub(crate) fn pending_periods(info: &ProverInfoOf<T>, now: BlockNumberFor<T>) -> u64 {
		if info.status != ProverStatus::Active {
			return 0;
		}
		let to_u64 = |b: BlockNumberFor<T>| -> u64 { b.try_into().unwrap_or(u64::MAX) };
		zkmarket_primitives::decay::idle_periods(
			to_u64(info.idle_since),
			to_u64(now),
			to_u64(Self::idle_period()),
		)
	}

	/// The stake of `info` after decay not yet applied.
	pub fn effective_stake(info: &ProverInfoOf<T>) -> BalanceOf<T> {
		let periods = Self::pending_periods(info, frame_system::Pallet::<T>::block_number());
		let stake: u128 = info.stake.saturated_into();
		let left = zkmarket_primitives::decay::decayed_stake(stake, T::IdleDecay::get(), periods);
		left.saturated_into()
	}

	/// Brings the decay of `who` up to date (writing the record) and returns it.
	pub(crate) fn touched(who: &T::AccountId) -> Result<ProverInfoOf<T>, DispatchError> {
		let mut info = Provers::<T>::get(who).ok_or(Error::<T>::NotRegistered)?;
		if Self::apply_decay(who, &mut info) {
			Self::put_prover(who, &info);
		}
		Ok(info)
	}

	/// Applies pending idle decay to `info`; returns whether it changed.
	pub(crate) fn apply_decay(who: &T::AccountId, info: &mut ProverInfoOf<T>) -> bool {
		let now = frame_system::Pallet::<T>::block_number();
		let periods = Self::pending_periods(info, now);
		if periods == 0 {
			return false;
		}
		let new_stake = Self::effective_stake(info);
		let cut = info.stake.saturating_sub(new_stake);
		let period = Self::idle_period();
		let advance = period.saturating_mul(
			BlockNumberFor::<T>::try_from(periods)
				.unwrap_or_else(|_| now.saturating_sub(info.idle_since)),
		);
		info.idle_since = info.idle_since.saturating_add(advance).min(now);
		if cut.is_zero() {
			return true;
		}
		let before = info.stake;
		let taken = Self::slash_hold(HoldReason::Stake, who, cut);
		info.stake = info.stake.saturating_sub(taken);
		Self::deposit_event(Event::Decayed {
			who: who.clone(),
			amount: taken,
			periods: periods.min(u32::MAX as u64) as u32,
		});
		Self::note_stake_drop(who, before, info.stake);
		true
	}

	/// Brings up to `limit` provers' decay up to date, continuing where the last
	/// sweep stopped. Returns how many were visited.
	pub fn sweep(limit: u32) -> u32 {
		if limit == 0 || ProverCount::<T>::get() == 0 {
			return 0;
		}
		let mut iter = match SweepCursor::<T>::get() {
			Some(last) => Provers::<T>::iter_from(Provers::<T>::hashed_key_for(last)),
			None => Provers::<T>::iter(),
		};
		let mut visited = 0u32;
		let mut last = None;
		while visited < limit {
			match iter.next() {
				Some((who, mut info)) => {
					visited += 1;
					if Self::apply_decay(&who, &mut info) {
						Self::put_prover(&who, &info);
					}
					last = Some(who);
				}
				None => {
					last = None;
					break;
				}
			}
		}
		match last {
			Some(who) => SweepCursor::<T>::put(who),
			None => SweepCursor::<T>::kill(),
		}
		visited
	}
}
