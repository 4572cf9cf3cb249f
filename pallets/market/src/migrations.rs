//! Storage migrations of the market pallet. Each is a
//! [`VersionedMigration`](frame_support::migrations::VersionedMigration): it runs
//! only when the pallet's on-chain storage version is its `From`, then sets
//! `To`; the runtime lists it in its `Migrations` until every chain has run it.
//! The next one goes in a module `v2` (`MigrateV1ToV2`), with its pre/post
//! checks for try-runtime.

/// Version 1 (spec version 102): a request records the block it closed in
/// (`Request::closed_at`), so clients know when it and its proof are pruned
/// (`closed_at + ClosedRetention + 1`) without reading old events.
///
/// Open requests get `None`. A closed request's closing block is derived from
/// the prune schedule: `close` scheduled it at `closed_at + ClosedRetention + 1`
/// in `PruneAt`, so that entry gives it back exactly.
pub mod v1 {
	use crate::{
		pallet::{BalanceOf, Config, Pallet, PruneAt, Requests},
		Pricing, Request, RequestState,
	};
	#[cfg(feature = "try-runtime")]
	use alloc::vec::Vec;
	use codec::{Decode, Encode};
	use frame_support::{
		pallet_prelude::*, traits::UncheckedOnRuntimeUpgrade, weights::Weight, BoundedVec,
	};
	use frame_system::pallet_prelude::BlockNumberFor;
	use sp_runtime::traits::{One, Saturating};
	#[cfg(feature = "try-runtime")]
	use zkmarket_primitives::traits::RequestId;
	use zkmarket_primitives::traits::{ProgramId, PublicInput};

	/// A request as version 0 stored it (no `closed_at`).
	#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
	pub struct OldRequest<AccountId, Balance, BlockNumber, MaxInputs: Get<u32>> {
		/// Who pays.
		pub requester: AccountId,
		/// The program to prove.
		pub program: ProgramId,
		/// Its public inputs.
		pub inputs: BoundedVec<PublicInput, MaxInputs>,
		/// Auction bid or offer.
		pub pricing: Pricing<Balance>,
		/// Funds of the requester held for this request.
		pub escrow: Balance,
		/// Block of submission.
		pub submitted_at: BlockNumber,
		/// Last block an auction bid may be cleared.
		pub expires_at: BlockNumber,
		/// Current state.
		pub state: RequestState<AccountId, Balance, BlockNumber>,
	}

	/// A version-0 request of `T`.
	pub type OldRequestOf<T> = OldRequest<
		<T as frame_system::Config>::AccountId,
		BalanceOf<T>,
		BlockNumberFor<T>,
		<T as Config>::MaxPublicInputs,
	>;

	/// The migration without its version check; use [`MigrateV0ToV1`].
	pub struct InnerMigrateV0ToV1<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for InnerMigrateV0ToV1<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut n = 0u64;
			Requests::<T>::translate::<OldRequestOf<T>, _>(|_, old| {
				n += 1;
				Some(Request {
					requester: old.requester,
					program: old.program,
					inputs: old.inputs,
					pricing: old.pricing,
					escrow: old.escrow,
					submitted_at: old.submitted_at,
					expires_at: old.expires_at,
					state: old.state,
					closed_at: None,
				})
			});
			// Closing blocks from the prune schedule, one slot at a time (no map
			// of every closed request in memory).
			let back = T::ClosedRetention::get().saturating_add(One::one());
			let (mut slots, mut closed) = (0u64, 0u64);
			for (prune_at, ids) in PruneAt::<T>::iter() {
				slots += 1;
				for id in ids {
					if let Some(mut r) = Requests::<T>::get(id) {
						if r.state.is_closed() {
							r.closed_at = Some(prune_at.saturating_sub(back));
							Requests::<T>::insert(id, r);
							closed += 1;
						}
					}
				}
			}
			log::info!(
				target: "market",
				"migrated {n} request(s) to storage version 1, {closed} of them closed"
			);
			T::DbWeight::get().reads_writes(n + slots + closed, n + closed)
		}

		/// Every request decodes as version 0; their ids and states, and the
		/// prune schedule.
		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<Vec<u8>, sp_runtime::TryRuntimeError> {
			let mut before: Vec<(RequestId, OldRequestOf<T>)> = Vec::new();
			for id in Requests::<T>::iter_keys() {
				let old: OldRequestOf<T> =
					frame_support::storage::unhashed::get(&Requests::<T>::hashed_key_for(id))
						.ok_or("a request does not decode as version 0")?;
				before.push((id, old));
			}
			Ok(before.encode())
		}

		/// The same requests with the same fields; `closed_at` is `None` exactly
		/// for open ones, and a closed one is pruned `ClosedRetention + 1`
		/// blocks after it.
		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			let before = Vec::<(RequestId, OldRequestOf<T>)>::decode(&mut &state[..])
				.map_err(|_| "bad pre_upgrade state")?;
			ensure!(
				Requests::<T>::iter_keys().count() == before.len(),
				"requests lost or gained in the migration"
			);
			let back = T::ClosedRetention::get().saturating_add(One::one());
			for (id, old) in before {
				let new = Requests::<T>::get(id).ok_or("a migrated request does not decode")?;
				ensure!(
					new.requester == old.requester
						&& new.program == old.program
						&& new.inputs == old.inputs
						&& new.pricing == old.pricing
						&& new.escrow == old.escrow
						&& new.submitted_at == old.submitted_at
						&& new.expires_at == old.expires_at
						&& new.state == old.state,
					"a migrated request changed"
				);
				match new.closed_at {
					None => ensure!(!new.state.is_closed(), "a closed request without closed_at"),
					Some(at) => {
						ensure!(new.state.is_closed(), "an open request with closed_at");
						ensure!(
							PruneAt::<T>::get(at.saturating_add(back)).contains(&id),
							"closed_at does not match the prune schedule"
						);
					}
				}
			}
			Ok(())
		}
	}

	/// Migrates `Requests` from storage version 0 to 1.
	pub type MigrateV0ToV1<T> = frame_support::migrations::VersionedMigration<
		0,
		1,
		InnerMigrateV0ToV1<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}
