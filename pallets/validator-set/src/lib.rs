//! # Validator set pallet
//!
//! The validators of the chain, managed by an admin origin (root, i.e. sudo,
//! today) and applied at session boundaries: the runtime's session manager
//! (pallet-session) asks this pallet for the next set each time a session
//! ends ([`Pallet::new_session`]).
//!
//! - [`Call::add_validator`] / [`Call::remove_validator`] change the wanted set
//!   ([`Validators`]) at once; pallet-session queues it at the next session
//!   boundary and makes it active one session later (the queued set's keys
//!   are announced a session ahead, so GRANDPA hands over cleanly).
//! - Only accounts with registered session keys (`session.setKeys`) can be
//!   added ([`Config::ValidatorRegistration`]). Each session boundary plans
//!   the members that have keys; when that differs from the set planned last
//!   ([`Planned`]: a member added, removed, or whose keys were purged or set
//!   again), the new set goes to pallet-session. If fewer than
//!   [`Config::MinValidators`] members have keys, the current set is kept
//!   ([`Event::NewSetRefused`]) and planning is tried again next session.
//! - Sessions last [`SessionLength`] blocks, fixed at genesis ([`Sessions`]
//!   tells pallet-session when one ends).
//!
//! Like pallet-session itself this pallet pays no rewards and slashes nothing:
//! validators are chosen by governance, not by stake.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod migrations;
#[cfg(test)]
mod mock;
mod sessions;
#[cfg(test)]
mod tests;
pub mod weights;

pub use sessions::Sessions;
pub use weights::WeightInfo;

/// Sets accounts up for the benchmarks (the runtime registers session keys).
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Makes `who` pass [`Config::ValidatorRegistration`].
	fn register(who: &AccountId);
}

#[frame_support::pallet]
pub mod pallet {
	use super::WeightInfo;
	use alloc::vec::Vec;
	use frame_support::{pallet_prelude::*, traits::ValidatorRegistration};
	use frame_system::pallet_prelude::*;

	/// The in-code storage version: 1 since the planned set is kept
	/// ([`Planned`], `migrations::v1`).
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// Who may add and remove validators (runtime: root).
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// Whether an account has session keys (runtime: pallet-session).
		type ValidatorRegistration: ValidatorRegistration<Self::AccountId>;
		/// Most validators (at most the session and consensus pallets' bounds).
		#[pallet::constant]
		type MaxValidators: Get<u32>;
		/// Fewest validators: removals below it are refused, and a planned
		/// session with fewer validators that have keys keeps the current set.
		#[pallet::constant]
		type MinValidators: Get<u32>;
		/// Weights of this pallet.
		type WeightInfo: WeightInfo;
		/// Registers session keys for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: crate::BenchmarkHelper<Self::AccountId>;
	}

	/// The wanted validator set: the next planned session uses it (its members
	/// with session keys). Sorted, no duplicates.
	#[pallet::storage]
	pub type Validators<T: Config> =
		StorageValue<_, BoundedVec<T::AccountId, T::MaxValidators>, ValueQuery>;

	/// The set last given to pallet-session (the members of [`Validators`]
	/// with keys then). A session boundary plans a new set only when the
	/// members with keys differ from it. (pallet-session itself drops members
	/// without keys, but does not tell Aura, GRANDPA and the verifier when the
	/// one dropped was last in the list.)
	#[pallet::storage]
	pub type Planned<T: Config> =
		StorageValue<_, BoundedVec<T::AccountId, T::MaxValidators>, ValueQuery>;

	/// Sessions of chains whose genesis sets no length: 600 blocks (one hour at
	/// 6 s blocks).
	pub const DEFAULT_SESSION_LENGTH: u32 = 600;

	/// Blocks per session, fixed at genesis.
	#[pallet::storage]
	pub type SessionLength<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The validators of the first sessions (each needs session keys in
		/// pallet-session's genesis).
		pub validators: Vec<T::AccountId>,
		/// Blocks per session (at least 2; 0: [`DEFAULT_SESSION_LENGTH`]).
		pub session_length: BlockNumberFor<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			let mut set = self.validators.clone();
			set.sort();
			set.dedup();
			assert_eq!(set.len(), self.validators.len(), "duplicate genesis validators");
			// A chain without genesis validators (tests) has no sessions to plan.
			assert!(
				set.is_empty() || set.len() as u32 >= T::MinValidators::get(),
				"fewer genesis validators than MinValidators"
			);
			let set: BoundedVec<_, _> = set.try_into().expect("too many genesis validators");
			let length = if self.session_length == 0u32.into() {
				DEFAULT_SESSION_LENGTH.into()
			} else {
				self.session_length
			};
			assert!(length >= 2u32.into(), "sessions last at least 2 blocks");
			Validators::<T>::put(&set);
			Planned::<T>::put(set);
			SessionLength::<T>::put(length);
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `who` joins the set at the next session boundary but one.
		ValidatorAdded { who: T::AccountId },
		/// `who` leaves the set at the next session boundary but one.
		ValidatorRemoved { who: T::AccountId },
		/// The set planned for session `session` (active one session later).
		NewSetPlanned { session: u32, validators: Vec<T::AccountId> },
		/// Too few of the wanted validators have session keys: session
		/// `session` keeps the current set.
		NewSetRefused { session: u32, with_keys: u32 },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The account has no session keys: `session.setKeys` first.
		NoSessionKeys,
		/// The account is already a validator.
		AlreadyValidator,
		/// The account is not a validator.
		NotValidator,
		/// The set would exceed `MaxValidators`.
		TooManyValidators,
		/// Fewer than `MinValidators` members with session keys would remain.
		TooFewValidators,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(T::MinValidators::get() >= 1, "MinValidators must be positive");
			assert!(T::MinValidators::get() <= T::MaxValidators::get());
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Admin: add `who` (which must have session keys) to the set. It is
		/// queued at the next session boundary and validates from the one after.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::add_validator())]
		pub fn add_validator(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			ensure!(T::ValidatorRegistration::is_registered(&who), Error::<T>::NoSessionKeys);
			Validators::<T>::try_mutate(|set| -> DispatchResult {
				let pos = set.binary_search(&who).err().ok_or(Error::<T>::AlreadyValidator)?;
				set.try_insert(pos, who.clone()).map_err(|_| Error::<T>::TooManyValidators)?;
				Ok(())
			})?;
			Self::deposit_event(Event::ValidatorAdded { who });
			Ok(())
		}

		/// Admin: remove `who` from the set. It is left out of the session
		/// planned at the next boundary and stops validating one session later.
		/// At least `MinValidators` members with session keys must remain.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::remove_validator())]
		pub fn remove_validator(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Validators::<T>::try_mutate(|set| -> DispatchResult {
				let pos = set.binary_search(&who).map_err(|_| Error::<T>::NotValidator)?;
				set.remove(pos);
				// Enough members left that can validate (have session keys).
				let with_keys =
					set.iter().filter(|v| T::ValidatorRegistration::is_registered(v)).count();
				ensure!(with_keys as u32 >= T::MinValidators::get(), Error::<T>::TooFewValidators);
				Ok(())
			})?;
			Self::deposit_event(Event::ValidatorRemoved { who });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// The set to plan for session `index`: the members of [`Validators`]
		/// with session keys, if that differs from the set planned last;
		/// `None` (pallet-session keeps the current set) if not, or if fewer
		/// than `MinValidators` members have keys.
		pub fn new_session(index: u32) -> Option<Vec<T::AccountId>> {
			let with_keys: Vec<T::AccountId> = Validators::<T>::get()
				.into_iter()
				.filter(T::ValidatorRegistration::is_registered)
				.collect();
			if Planned::<T>::get().as_slice() == with_keys.as_slice() {
				return None;
			}
			if (with_keys.len() as u32) < T::MinValidators::get() {
				// Remembered as planned, so that the set is planned again as
				// soon as members set keys (pallet-session keeps what it has).
				Planned::<T>::put(BoundedVec::truncate_from(with_keys.clone()));
				Self::deposit_event(Event::NewSetRefused {
					session: index,
					with_keys: with_keys.len() as u32,
				});
				return None;
			}
			// A subset of `Validators`: within the bound.
			Planned::<T>::put(BoundedVec::truncate_from(with_keys.clone()));
			Self::deposit_event(Event::NewSetPlanned {
				session: index,
				validators: with_keys.clone(),
			});
			Some(with_keys)
		}

		/// The genesis sessions use the genesis set.
		pub fn new_session_genesis(_index: u32) -> Option<Vec<T::AccountId>> {
			Some(Validators::<T>::get().into_inner())
		}

		/// Blocks per session.
		pub fn session_length() -> BlockNumberFor<T> {
			SessionLength::<T>::get()
		}

		/// Invariants: the set is sorted without duplicates, within bounds, and
		/// sessions have a length.
		#[cfg(any(feature = "try-runtime", feature = "std", test))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			let set = Validators::<T>::get();
			ensure!(set.windows(2).all(|w| w[0] < w[1]), "validators not sorted or duplicated");
			ensure!(set.len() as u32 >= T::MinValidators::get(), "fewer validators than minimum");
			// (`Planned` may still hold members removed since the last boundary.)
			let planned = Planned::<T>::get();
			ensure!(planned.windows(2).all(|w| w[0] < w[1]), "planned set not sorted");
			ensure!(
				!sp_runtime::traits::Zero::is_zero(&SessionLength::<T>::get()),
				"sessions without a length"
			);
			Ok(())
		}
	}
}
