//! Storage migrations of the verifier pallet. Each is a
//! [`VersionedMigration`](frame_support::migrations::VersionedMigration): it runs
//! only when the pallet's on-chain storage version is its `From`, then sets
//! `To`; the runtime lists it in its `Migrations` until every chain has run it.
//! The next one goes in a module `v2` (`MigrateV1ToV2`), with its pre/post
//! checks for try-runtime.

/// Version 1: programs have a kind (issue 18). `ProgramInfo` gained `kind` and
/// `selector`; every program registered before is an arkworks program (its id,
/// the blake2-256 hash of its key, is unchanged).
pub mod v1 {
	use crate::{pallet::BalanceOf, Config, Pallet, ProgramInfo, ProgramKind, Programs};
	#[cfg(feature = "try-runtime")]
	use alloc::vec::Vec;
	use codec::{Decode, Encode};
	use frame_support::{
		pallet_prelude::*, traits::UncheckedOnRuntimeUpgrade, weights::Weight, BoundedVec,
	};

	/// A program as version 0 stored it.
	#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
	pub struct OldProgramInfo<AccountId, Balance, MaxVkLen: Get<u32>> {
		/// Who registered it.
		pub owner: AccountId,
		/// The key, arkworks compressed.
		pub vk: BoundedVec<u8, MaxVkLen>,
		/// Public inputs a request carries.
		pub inputs: u32,
		/// Deposit held.
		pub deposit: Balance,
	}

	/// A version-0 program of `T`.
	pub type OldProgramOf<T> = OldProgramInfo<
		<T as frame_system::Config>::AccountId,
		BalanceOf<T>,
		<T as Config>::MaxVkLen,
	>;

	/// The migration without its version check; use [`MigrateV0ToV1`].
	pub struct InnerMigrateV0ToV1<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for InnerMigrateV0ToV1<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut n = 0u64;
			Programs::<T>::translate::<OldProgramOf<T>, _>(|_, old| {
				n += 1;
				Some(ProgramInfo {
					owner: old.owner,
					kind: ProgramKind::Arkworks,
					vk: old.vk,
					selector: None,
					inputs: old.inputs,
					deposit: old.deposit,
				})
			});
			log::info!(target: "verifier", "migrated {n} program(s) to storage version 1");
			T::DbWeight::get().reads_writes(n, n)
		}

		/// The number of programs (keys only: version-0 values do not decode as
		/// version 1's).
		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<Vec<u8>, sp_runtime::TryRuntimeError> {
			Ok((Programs::<T>::iter_keys().count() as u32).encode())
		}

		/// As many programs as before, each an arkworks program under the id of
		/// its key.
		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			let before = u32::decode(&mut &state[..]).map_err(|_| "bad pre_upgrade state")?;
			let mut after = 0u32;
			for (id, p) in Programs::<T>::iter() {
				after += 1;
				ensure!(p.kind == ProgramKind::Arkworks, "a migrated program is not arkworks");
				ensure!(p.selector.is_none(), "a migrated program has a selector");
				ensure!(sp_io::hashing::blake2_256(&p.vk) == id, "a migrated program changed id");
			}
			ensure!(before == after, "programs lost or gained in the migration");
			Ok(())
		}
	}

	/// Migrates `Programs` from storage version 0 to 1.
	pub type MigrateV0ToV1<T> = frame_support::migrations::VersionedMigration<
		0,
		1,
		InnerMigrateV0ToV1<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}
