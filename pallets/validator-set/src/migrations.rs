//! Storage migrations of the validator set pallet. Each is a
//! [`VersionedMigration`](frame_support::migrations::VersionedMigration): it runs
//! only when the pallet's on-chain storage version is its `From`, then sets
//! `To`; the runtime lists it in its `Migrations` until every chain has run it.
//! The next one goes in a module `v2` (`MigrateV1ToV2`), with its pre/post
//! checks for try-runtime.

/// Version 1 (spec version 102): the set last planned is kept ([`Planned`])
/// instead of a "set changed" flag, so that a member whose keys are purged is
/// planned out (pallet-session alone missed it when it was last in the list).
///
/// `SetChanged` is removed. `Planned` starts as the wanted set if no change
/// was pending (the set was planned then), empty otherwise: the next session
/// boundary then plans the members with keys, at worst once more than needed.
///
/// [`Planned`]: crate::Planned
pub mod v1 {
	use crate::{Config, Pallet, Planned, Validators};
	#[cfg(feature = "try-runtime")]
	use alloc::vec::Vec;
	#[cfg(feature = "try-runtime")]
	use codec::{Decode, Encode};
	use frame_support::{
		pallet_prelude::*, storage_alias, traits::UncheckedOnRuntimeUpgrade, weights::Weight,
	};

	/// Version 0's flag: the wanted set changed since it was last planned.
	#[storage_alias]
	pub type SetChanged<T: Config> = StorageValue<Pallet<T>, bool, ValueQuery>;

	/// The migration without its version check; use [`MigrateV0ToV1`].
	pub struct InnerMigrateV0ToV1<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for InnerMigrateV0ToV1<T> {
		fn on_runtime_upgrade() -> Weight {
			if !SetChanged::<T>::take() {
				Planned::<T>::put(Validators::<T>::get());
			}
			T::DbWeight::get().reads_writes(2, 2)
		}

		/// The flag.
		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<Vec<u8>, sp_runtime::TryRuntimeError> {
			Ok(SetChanged::<T>::get().encode())
		}

		/// The flag is gone; without a pending change the planned set is the
		/// wanted one, with one it is empty.
		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			let changed = bool::decode(&mut &state[..]).map_err(|_| "bad pre_upgrade state")?;
			ensure!(!SetChanged::<T>::exists(), "SetChanged still stored");
			if changed {
				ensure!(Planned::<T>::get().is_empty(), "a pending change counted as planned");
			} else {
				ensure!(Planned::<T>::get() == Validators::<T>::get(), "planned set not kept");
			}
			Ok(())
		}
	}

	/// Migrates the validator set pallet from storage version 0 to 1.
	pub type MigrateV0ToV1<T> = frame_support::migrations::VersionedMigration<
		0,
		1,
		InnerMigrateV0ToV1<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}
