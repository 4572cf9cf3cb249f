//! Capabilities: what a prover declares it serves in the auction (programs,
//! whole zkVM kinds, jobs at once), kept in step with the capability indexes.

use crate::{pallet::*, CapabilitiesView, ProverCapabilities};
use alloc::vec::Vec;
use frame_support::{pallet_prelude::*, traits::Contains};
use zkmarket_primitives::traits::{ProgramId, ProgramKindId};

impl<T: Config> Pallet<T> {
	/// Replaces the declaration of `who`, moving it between the indexes.
	pub(crate) fn do_set_capabilities(
		who: T::AccountId,
		programs: BoundedVec<ProgramId, T::MaxCapabilityPrograms>,
		kinds: BoundedVec<ProgramKindId, T::MaxCapabilityKinds>,
		max_jobs: u32,
	) -> DispatchResult {
		let info = Self::touched(&who)?;
		ensure!(
			max_jobs >= 1 && max_jobs <= T::MaxJobsPerProver::get(),
			Error::<T>::InvalidMaxJobs
		);
		ensure!(kinds.iter().all(T::ServableKinds::contains), Error::<T>::KindNotServable);
		let (mut programs, mut kinds) = (programs, kinds);
		programs.sort();
		kinds.sort();
		ensure!(
			programs.windows(2).all(|w| w[0] != w[1]) && kinds.windows(2).all(|w| w[0] != w[1]),
			Error::<T>::DuplicateCapability
		);
		let caps = ProverCapabilities { programs, kinds, max_jobs };
		// Out of every index under the old declaration, in under the new one
		// (a new `max_jobs` may also move it between free and busy).
		let old = Self::listing(&who, &info);
		if let Some(l) = old.as_ref() {
			Self::unlist(l, Capabilities::<T>::get(&who).as_ref());
		}
		Capabilities::<T>::insert(&who, &caps);
		if let Some(l) = Self::listing(&who, &info) {
			Self::list(&l, Some(&caps));
		}
		Self::deposit_event(Event::CapabilitiesSet {
			who,
			programs: caps.programs,
			kinds: caps.kinds,
			max_jobs,
		});
		Ok(())
	}

	/// The jobs `who` takes at once: its declared `max_jobs`, else `MaxJobsPerProver`.
	pub fn max_jobs(who: &T::AccountId) -> u32 {
		Capabilities::<T>::get(who)
			.map(|c| c.max_jobs.min(T::MaxJobsPerProver::get()))
			.unwrap_or_else(T::MaxJobsPerProver::get)
	}

	/// What `who` declared it serves, for clients.
	pub fn capabilities_view(who: &T::AccountId) -> Option<CapabilitiesView> {
		if !Provers::<T>::contains_key(who) {
			return None;
		}
		Some(match Capabilities::<T>::get(who) {
			Some(c) => CapabilitiesView {
				programs: c.programs.into_inner(),
				kinds: c.kinds.into_inner(),
				max_jobs: c.max_jobs,
			},
			None => CapabilitiesView {
				programs: Vec::new(),
				kinds: Vec::new(),
				max_jobs: T::MaxJobsPerProver::get(),
			},
		})
	}
}
