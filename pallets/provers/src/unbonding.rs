//! Unbonding: stake leaves in chunks after the unbonding period; chunks
//! unbonded while jobs are unfinished back them until they are over, and a
//! prover with nothing left at stake is deregistered (its record kept).

use crate::{pallet::*, ProverRecord, UnbondingChunk};
use frame_support::{
	pallet_prelude::*,
	traits::{fungible::MutateHold, tokens::Precision},
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::{Saturating, Zero};

impl<T: Config> Pallet<T> {
	/// The unbonding period in force.
	pub fn unbonding_period() -> BlockNumberFor<T> {
		UnbondingPeriodOverride::<T>::get().unwrap_or_else(T::UnbondingPeriod::get)
	}

	/// Starts unbonding `amount` of the active stake of `who`.
	pub(crate) fn do_unbond(who: T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		let mut info = Self::touched(&who)?;
		ensure!(amount <= info.stake, Error::<T>::InsufficientStake);
		let remaining = info.stake.saturating_sub(amount);
		if info.active_jobs > 0 || !info.collateral.is_zero() {
			ensure!(remaining >= T::MinProverStake::get(), Error::<T>::StakeNeededForJobs);
		}
		let now = frame_system::Pallet::<T>::block_number();
		let unlock_at = now.saturating_add(Self::unbonding_period());
		info.unbonding
			.try_push(UnbondingChunk { amount, unlock_at, unbonded_at: now })
			.map_err(|_| Error::<T>::TooManyUnbondingChunks)?;
		let before = info.stake;
		info.stake = remaining;
		Self::put_prover(&who, &info);
		Self::deposit_event(Event::Unbonded { who: who.clone(), amount, unlock_at });
		Self::note_stake_drop(&who, before, remaining);
		Ok(())
	}

	/// Returns the matured chunks of `who` that back no obligation to its free
	/// balance; deregisters it when nothing is left at stake.
	pub(crate) fn do_withdraw_unbonded(who: T::AccountId) -> DispatchResult {
		let mut info = Self::touched(&who)?;
		let now = frame_system::Pallet::<T>::block_number();
		let (mut amount, mut held_back): (BalanceOf<T>, bool) = (Zero::zero(), false);
		let chunks = core::mem::take(&mut info.unbonding);
		for c in chunks {
			let matured = c.unlock_at <= now;
			if matured && !info.backs_obligations(&c) {
				amount = amount.saturating_add(c.amount);
			} else {
				held_back |= matured;
				// Cannot overflow: at most as many chunks as were taken out.
				let _ = info.unbonding.try_push(c);
			}
		}
		// Nothing left at stake at all (e.g. slashed to zero): deregisters.
		let empty = info.stake.is_zero()
			&& info.collateral.is_zero()
			&& info.reserved_bounty.is_zero()
			&& info.unbonding.is_empty()
			&& info.active_jobs == 0;
		if amount.is_zero() && !empty {
			return Err(if held_back {
				Error::<T>::ObligationsOutstanding
			} else {
				Error::<T>::NothingToWithdraw
			}
			.into());
		}
		if !amount.is_zero() {
			T::Currency::release(&HoldReason::Stake.into(), &who, amount, Precision::BestEffort)?;
			Self::deposit_event(Event::Withdrawn { who: who.clone(), amount });
		}
		if empty {
			Self::remove_prover(&who);
			ProverHistory::<T>::insert(
				&who,
				ProverRecord {
					reputation: info.reputation,
					proofs_verified: info.proofs_verified,
					failures: info.failures,
				},
			);
			ProverCount::<T>::mutate(|c| *c = c.saturating_sub(1));
			Self::deposit_event(Event::Deregistered { who });
		} else {
			Self::put_prover(&who, &info);
		}
		Ok(())
	}
}
