//! Slashing and reputation: slashed (and decayed) funds go to `T::Slash`; a
//! slash reaches the stake unbonded since the prover's obligations began.

use crate::pallet::*;
use frame_support::traits::fungible;
use frame_support::traits::{Get, OnUnbalanced};
use sp_runtime::{
	traits::{Saturating, Zero},
	Perbill, SaturatedConversion,
};

impl<T: Config> Pallet<T> {
	/// Emits `Deactivated` when the stake fell from at least the minimum to below it.
	pub(crate) fn note_stake_drop(who: &T::AccountId, before: BalanceOf<T>, after: BalanceOf<T>) {
		let min = T::MinProverStake::get();
		if before >= min && after < min {
			Self::deposit_event(Event::Deactivated { who: who.clone() });
		}
	}

	/// Slashes up to `amount` held for `reason` on `who` into `T::Slash`.
	pub(crate) fn slash_hold(
		reason: HoldReason,
		who: &T::AccountId,
		amount: BalanceOf<T>,
	) -> BalanceOf<T> {
		if amount.is_zero() {
			return amount;
		}
		let (credit, missing) = <T::Currency as fungible::BalancedHold<T::AccountId>>::slash(
			&reason.into(),
			who,
			amount,
		);
		T::Slash::on_unbalanced(credit);
		amount.saturating_sub(missing)
	}

	/// Slashes `rate` of the stake that backs `who`'s obligations: the active
	/// stake plus the chunks unbonded since they began. Takes the active stake
	/// first, then those chunks (newest first). Returns the amount slashed.
	pub(crate) fn slash_backing(
		who: &T::AccountId,
		info: &mut ProverInfoOf<T>,
		rate: Perbill,
	) -> BalanceOf<T> {
		let base: u128 = info.stake.saturating_add(info.slashable_unbonding()).saturated_into();
		let want: BalanceOf<T> =
			zkmarket_primitives::decay::slash_amount(base, rate).saturated_into();
		let taken = Self::slash_hold(HoldReason::Stake, who, want);
		let from_stake = taken.min(info.stake);
		info.stake = info.stake.saturating_sub(from_stake);
		let mut rest = taken.saturating_sub(from_stake);
		let since = info.obligated_since;
		for c in info.unbonding.iter_mut().rev() {
			if rest.is_zero() {
				break;
			}
			if since.map(|s| c.unbonded_at >= s).unwrap_or(false) {
				let cut = rest.min(c.amount);
				c.amount = c.amount.saturating_sub(cut);
				rest = rest.saturating_sub(cut);
			}
		}
		info.unbonding.retain(|c| !c.amount.is_zero());
		taken
	}

	/// Moves reputation by `f` and emits `ReputationChanged`.
	pub(crate) fn set_reputation(who: &T::AccountId, info: &mut ProverInfoOf<T>, new: Perbill) {
		let old = info.reputation;
		if old != new {
			info.reputation = new;
			Self::deposit_event(Event::ReputationChanged { who: who.clone(), old, new });
		}
	}
}
