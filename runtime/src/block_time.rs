//! Block time of the chain, fixed at genesis.
//!
//! Aura's slot duration and the timestamp pallet's minimum period are read from
//! here, so one runtime serves a fast development chain (2 s blocks, set by the
//! `development` genesis preset) and production-like networks (6 s, the default).
//! The value can only be set at genesis: changing the slot duration of a running
//! Aura chain would stop block production.

pub use pallet::*;

#[frame_support::pallet]
pub mod pallet {
	use frame_support::pallet_prelude::*;

	/// Default block time in milliseconds when genesis does not set one.
	pub const DEFAULT_BLOCK_TIME_MS: u64 = 6_000;

	/// The in-code storage version. The value is fixed at genesis, so no
	/// migration is expected; one would go in a `migrations` module beside
	/// this file, listed in the runtime's `Migrations`.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {}

	/// Default of [`BlockTimeMillis`].
	#[pallet::type_value]
	pub fn DefaultBlockTime() -> u64 {
		DEFAULT_BLOCK_TIME_MS
	}

	/// Target block time (Aura slot duration) in milliseconds, fixed at genesis.
	#[pallet::storage]
	pub type BlockTimeMillis<T> = StorageValue<_, u64, ValueQuery, DefaultBlockTime>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Block time in milliseconds (at least 1000, even).
		pub block_time_millis: u64,
		#[serde(skip)]
		pub _phantom: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			let ms = if self.block_time_millis == 0 {
				DEFAULT_BLOCK_TIME_MS
			} else {
				self.block_time_millis
			};
			assert!(ms >= 1_000 && ms % 2 == 0, "block time must be an even number >= 1000 ms");
			BlockTimeMillis::<T>::put(ms);
		}
	}

	impl<T: Config> Pallet<T> {
		/// The configured block time in milliseconds.
		pub fn block_time_millis() -> u64 {
			BlockTimeMillis::<T>::get()
		}
	}
}

/// `Get<u64>` for the Aura slot duration (milliseconds).
pub struct SlotDuration<T>(core::marker::PhantomData<T>);
impl<T: Config> frame_support::traits::Get<u64> for SlotDuration<T> {
	fn get() -> u64 {
		Pallet::<T>::block_time_millis()
	}
}

/// `Get<u64>` for the timestamp pallet's minimum period (half the block time).
pub struct MinimumPeriod<T>(core::marker::PhantomData<T>);
impl<T: Config> frame_support::traits::Get<u64> for MinimumPeriod<T> {
	fn get() -> u64 {
		Pallet::<T>::block_time_millis() / 2
	}
}
