//! The verifier set: it follows the session (the pallet is a session handler
//! of the `zkvf` keys, with a majority threshold) unless root pins a set.

use crate::{pallet::*, VerifierId};
use frame_support::{pallet_prelude::*, BoundedVec};

impl<T: Config> Pallet<T> {
	/// Makes `verifiers` the verifier set with `threshold`, pinned: new sessions
	/// no longer change it.
	pub(crate) fn do_set_verifiers(
		verifiers: alloc::vec::Vec<VerifierId>,
		threshold: u32,
	) -> DispatchResult {
		let mut sorted = verifiers.clone();
		sorted.sort();
		sorted.dedup();
		ensure!(sorted.len() == verifiers.len(), Error::<T>::InvalidVerifierSet);
		let set: BoundedVec<VerifierId, T::MaxVerifiers> =
			verifiers.try_into().map_err(|_| Error::<T>::InvalidVerifierSet)?;
		ensure!(threshold >= 1 && threshold as usize <= set.len(), Error::<T>::InvalidThreshold);
		let count = set.len() as u32;
		Verifiers::<T>::put(set);
		VerdictThreshold::<T>::put(threshold);
		VerifierSetPinned::<T>::put(true);
		Self::deposit_event(Event::VerifiersChanged { count, threshold });
		Self::deposit_event(Event::VerifierSetPinned { pinned: true });
		Ok(())
	}

	/// Unpins the verifier set: the current session's verifier keys become the
	/// set at once, and each new session updates it.
	pub(crate) fn do_follow_session() {
		VerifierSetPinned::<T>::put(false);
		Self::deposit_event(Event::VerifierSetPinned { pinned: false });
		Self::apply_session_set(SessionVerifiers::<T>::get());
	}

	/// A session's validators' verifier keys: kept, and made the set unless
	/// root pinned one.
	pub(crate) fn session_changed(keys: impl Iterator<Item = VerifierId>) {
		let mut keys: alloc::vec::Vec<VerifierId> = keys.collect();
		keys.sort();
		keys.dedup();
		let set = BoundedVec::truncate_from(keys);
		SessionVerifiers::<T>::put(&set);
		if !VerifierSetPinned::<T>::get() {
			Self::apply_session_set(set);
		}
	}

	/// Makes `set` the verifier set with a majority threshold (an event
	/// only if something changed; an empty set is ignored).
	fn apply_session_set(set: BoundedVec<VerifierId, T::MaxVerifiers>) {
		if set.is_empty() {
			return;
		}
		let threshold = set.len() as u32 / 2 + 1;
		if Verifiers::<T>::get() == set && VerdictThreshold::<T>::get() == threshold {
			return;
		}
		let count = set.len() as u32;
		Verifiers::<T>::put(set);
		VerdictThreshold::<T>::put(threshold);
		Self::deposit_event(Event::VerifiersChanged { count, threshold });
	}
}

impl<T: Config> sp_runtime::BoundToRuntimeAppPublic for Pallet<T> {
	type Public = VerifierId;
}

impl<T: Config> frame_support::traits::OneSessionHandler<T::AccountId> for Pallet<T> {
	type Key = VerifierId;

	fn on_genesis_session<'a, I>(validators: I)
	where
		I: Iterator<Item = (&'a T::AccountId, VerifierId)> + 'a,
	{
		Self::session_changed(validators.map(|(_, k)| k));
	}

	fn on_new_session<'a, I>(changed: bool, validators: I, _queued: I)
	where
		I: Iterator<Item = (&'a T::AccountId, VerifierId)> + 'a,
	{
		if changed {
			Self::session_changed(validators.map(|(_, k)| k));
		}
	}

	fn on_disabled(_validator_index: u32) {}
}
