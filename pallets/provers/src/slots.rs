//! The slot index: the provers that can take auction work, in slot order
//! ([`SlotIndex`], and per capability [`CapabilityIndex`] and
//! [`BusyCapabilityIndex`]), kept in step with every write of a record, and the
//! walks of the clearing over them.

use crate::{pallet::*, ProverStatus};
use alloc::vec::Vec;
use frame_support::traits::Get;
use sp_runtime::SaturatedConversion;
use zkmarket_primitives::{gsp, traits::Capability};

impl<T: Config> Pallet<T> {
	/// Whether `info` may take new work.
	pub(crate) fn eligible(info: &ProverInfoOf<T>) -> bool {
		Self::eligible_with_stake(info, Self::effective_stake(info))
	}

	/// Whether `info` may take new work, given its already computed effective stake.
	pub(crate) fn eligible_with_stake(info: &ProverInfoOf<T>, stake: BalanceOf<T>) -> bool {
		info.status == ProverStatus::Active
			&& stake >= T::MinProverStake::get()
			&& info.reputation >= T::MinReputation::get()
	}

	/// The key of `who` in [`SlotIndex`] when `info` can take auction work
	/// (active, recorded stake and reputation at least the minimum, a free
	/// job slot), `None` otherwise.
	pub(crate) fn slot_key(
		who: &T::AccountId,
		info: &ProverInfoOf<T>,
	) -> Option<(gsp::SlotRank, T::AccountId)> {
		match Self::listing(who, info) {
			Some(Listing::Free(key)) => Some(key),
			_ => None,
		}
	}

	/// The key of `who` in [`BusyCapabilityIndex`] when `info` can take
	/// work but holds as many jobs as it declared, `None` otherwise.
	pub(crate) fn busy_key(
		who: &T::AccountId,
		info: &ProverInfoOf<T>,
	) -> Option<(gsp::SlotRank, T::AccountId)> {
		match Self::listing(who, info) {
			Some(Listing::Busy(key)) => Some(key),
			_ => None,
		}
	}

	/// Where `info` belongs in the indexes: free (a job slot left under its
	/// declared limit), busy, or nowhere (paused or not eligible by its
	/// recorded stake and reputation).
	pub(crate) fn listing(who: &T::AccountId, info: &ProverInfoOf<T>) -> Option<Listing<T>> {
		if !Self::eligible_with_stake(info, info.stake) {
			return None;
		}
		let key = (
			gsp::slot_rank(info.reputation.deconstruct(), info.stake.saturated_into()),
			who.clone(),
		);
		Some(if info.active_jobs < Self::max_jobs(who) {
			Listing::Free(key)
		} else {
			Listing::Busy(key)
		})
	}

	/// Removes `who`'s entries under `listing`: its [`SlotIndex`] entry when
	/// free, and one entry per capability of `caps` (its declaration).
	pub(crate) fn unlist(listing: &Listing<T>, caps: Option<&CapabilitiesOf<T>>) {
		match listing {
			Listing::Free(key) => {
				SlotIndex::<T>::remove(key);
				for cap in caps.into_iter().flat_map(|c| c.all()) {
					CapabilityIndex::<T>::remove(cap, key);
				}
			}
			Listing::Busy(key) => {
				for cap in caps.into_iter().flat_map(|c| c.all()) {
					BusyCapabilityIndex::<T>::remove(cap, key);
				}
			}
		}
	}

	/// Adds the entries of `listing` (see [`Self::unlist`]).
	pub(crate) fn list(listing: &Listing<T>, caps: Option<&CapabilitiesOf<T>>) {
		match listing {
			Listing::Free(key) => {
				SlotIndex::<T>::insert(key, ());
				for cap in caps.into_iter().flat_map(|c| c.all()) {
					CapabilityIndex::<T>::insert(cap, key, ());
				}
			}
			Listing::Busy(key) => {
				for cap in caps.into_iter().flat_map(|c| c.all()) {
					BusyCapabilityIndex::<T>::insert(cap, key, ());
				}
			}
		}
	}

	/// Writes the record of `who`, moving it in [`SlotIndex`] and the
	/// capability indexes when its rank or its ability to take work changed
	/// (its declaration is read only then). Every write of a record goes here.
	pub(crate) fn put_prover(who: &T::AccountId, info: &ProverInfoOf<T>) {
		let old = Provers::<T>::get(who).and_then(|old| Self::listing(who, &old));
		let new = Self::listing(who, info);
		if old != new {
			let caps = Capabilities::<T>::get(who);
			if let Some(l) = old.as_ref() {
				Self::unlist(l, caps.as_ref());
			}
			if let Some(l) = new.as_ref() {
				Self::list(l, caps.as_ref());
			}
		}
		Provers::<T>::insert(who, info);
	}

	/// Removes the record of `who` (its index entries and its declaration).
	pub(crate) fn remove_prover(who: &T::AccountId) {
		if let Some(l) = Provers::<T>::take(who).and_then(|old| Self::listing(who, &old)) {
			Self::unlist(&l, Capabilities::<T>::get(who).as_ref());
		}
		Capabilities::<T>::remove(who);
	}

	/// Whether a busy prover (see [`BusyCapabilityIndex`]) that declared
	/// `capability` is not in `excluded`; reads at most `excluded.len() + 1`
	/// entries, counted against `budget`.
	pub(crate) fn serves_busy(
		capability: &Capability,
		excluded: &[T::AccountId],
		budget: &mut u32,
	) -> bool {
		for (_, who) in BusyCapabilityIndex::<T>::iter_key_prefix(capability) {
			if *budget == 0 {
				return false;
			}
			*budget -= 1;
			if !excluded.contains(&who) {
				return true;
			}
		}
		false
	}

	/// See [`zkmarket_primitives::traits::ProverRegistry::next_capable`].
	#[allow(clippy::type_complexity)]
	pub(crate) fn next_capable_prover(
		capability: &Capability,
		after: Option<&(gsp::SlotRank, T::AccountId)>,
		decays: &mut u32,
	) -> Option<((gsp::SlotRank, T::AccountId), Option<gsp::SlotOffer<T::AccountId>>)> {
		let mut keys = match after {
			Some(k) => CapabilityIndex::<T>::iter_key_prefix_from(
				capability,
				CapabilityIndex::<T>::hashed_key_for(capability, k),
			),
			None => CapabilityIndex::<T>::iter_key_prefix(capability),
		};
		let key = keys.next()?;
		let who = key.1.clone();
		let offer = Provers::<T>::get(&who).and_then(|mut info| {
			// Defensive: an entry that does not match its record is skipped.
			if Self::slot_key(&who, &info).as_ref() != Some(&key) {
				return None;
			}
			// Pending decay is applied while the budget lasts: the prover moves
			// down (a lower stake is a later key: the walk meets it again there,
			// in its true place) or out of the indexes. Past the budget it is
			// offered at its recorded rank if its effective stake qualifies.
			let now = frame_system::Pallet::<T>::block_number();
			if *decays > 0 && Self::pending_periods(&info, now) > 0 {
				*decays -= 1;
				Self::apply_decay(&who, &mut info);
				Self::put_prover(&who, &info);
				return None;
			}
			Self::eligible(&info).then(|| gsp::SlotOffer {
				reputation: info.reputation.deconstruct(),
				stake: info.stake.saturated_into(),
				free_slots: Self::max_jobs(&who).saturating_sub(info.active_jobs),
				who: who.clone(),
			})
		});
		Some((key, offer))
	}

	/// Free auction slots of up to `max` provers in slot order, read from
	/// [`SlotIndex`]: the cost depends on `max`, not on how many provers are
	/// registered. A prover read with idle decay pending gets it applied (at
	/// most `DecaySweepLimit` a call; past that, up to `DecaySweepLimit` more
	/// are only valued at their effective stake, without a write) and is offered
	/// at its effective stake; it moves down the index (or out of it) and
	/// counts towards `max` when the walk reaches its new key, so the offers
	/// hold exactly the best `max` provers by effective stake (the dealing
	/// sorts them). Past both limits the walk stops early: this block may
	/// favour a prover it met over one it did not reach; the sweep and later
	/// blocks catch up.
	pub(crate) fn slot_offers(max: u32) -> Vec<gsp::SlotOffer<T::AccountId>> {
		let (mut decays, mut passed) = (T::DecaySweepLimit::get(), T::DecaySweepLimit::get());
		let now = frame_system::Pallet::<T>::block_number();
		let offer =
			|who: T::AccountId, info: &ProverInfoOf<T>, stake: BalanceOf<T>| gsp::SlotOffer {
				stake: stake.saturated_into(),
				reputation: info.reputation.deconstruct(),
				free_slots: Self::max_jobs(&who).saturating_sub(info.active_jobs),
				who,
			};
		let mut offers = Vec::new();
		// Provers offered before the walk reaches their (new) key.
		let mut early = alloc::collections::BTreeSet::new();
		let mut exact = 0u32;
		let mut keys = SlotIndex::<T>::iter_keys();
		while exact < max {
			let Some(key) = keys.next() else { break };
			let who = key.1.clone();
			if early.contains(&who) {
				// Met again at its true rank: it now counts.
				exact += 1;
				continue;
			}
			let Some(mut info) = Provers::<T>::get(&who) else { continue };
			// Defensive: an entry that does not match its record is skipped.
			if Self::slot_key(&who, &info).as_ref() != Some(&key) {
				continue;
			}
			if Self::pending_periods(&info, now) > 0 {
				let stake = if decays > 0 {
					decays -= 1;
					Self::apply_decay(&who, &mut info);
					Self::put_prover(&who, &info);
					info.stake
				} else if passed > 0 {
					passed -= 1;
					Self::effective_stake(&info)
				} else {
					break;
				};
				// Offered at its effective stake now (the dealing sorts it into
				// place); it counts when the walk reaches its new key.
				if Self::eligible_with_stake(&info, stake) {
					early.insert(who.clone());
					offers.push(offer(who, &info, stake));
				}
				continue;
			}
			exact += 1;
			offers.push(offer(who, &info, info.stake));
		}
		offers
	}
}
