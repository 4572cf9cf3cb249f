//! # BaseFee pallet
//!
//! The reserve price of the proving-capacity auction, adjusted once per block
//! like EIP-1559 (SPEC section 4; compare frontier's `pallet-base-fee`).
//!
//! The market reports each block's demand (eligible bids) and capacity (free
//! job slots) through [`BaseFeeOracle::on_demand`]; the pallet moves the
//! BaseFee by [`zkmarket_primitives::base_fee::next_base_fee`]: towards more
//! when demand exceeds `TargetUtilization` of capacity, less when below, by at
//! most `1 / MaxChangeDenominator` per block, within `[MinBaseFee, MaxBaseFee]`.
#![cfg_attr(not(feature = "std"), no_std)]

pub use pallet::*;

pub mod migrations;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod weights;

pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use super::WeightInfo;
	use codec::{Decode, Encode, MaxEncodedLen};
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;
	use scale_info::TypeInfo;
	use sp_runtime::{traits::AtLeast32BitUnsigned, Perbill};
	use zkmarket_primitives::{
		base_fee::{next_base_fee, BaseFeeParams},
		traits::BaseFeeOracle,
	};

	/// The last change of the BaseFee.
	#[derive(Clone, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
	pub struct FeeChange<Balance, BlockNumber> {
		/// Block in which it changed.
		pub block: BlockNumber,
		/// Value before.
		pub old: Balance,
		/// Value after.
		pub new: Balance,
	}

	/// The in-code storage version (see [`crate::migrations`]).
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The balance type of fees.
		type Balance: Parameter
			+ MaxEncodedLen
			+ AtLeast32BitUnsigned
			+ Copy
			+ Default
			+ Into<u128>
			+ TryFrom<u128>;

		/// BaseFee before genesis sets one.
		#[pallet::constant]
		type DefaultBaseFee: Get<Self::Balance>;

		/// Lowest BaseFee.
		#[pallet::constant]
		type MinBaseFee: Get<Self::Balance>;

		/// Highest BaseFee.
		#[pallet::constant]
		type MaxBaseFee: Get<Self::Balance>;

		/// Share of the capacity the market aims to use (50%).
		#[pallet::constant]
		type TargetUtilization: Get<Perbill>;

		/// One block moves the BaseFee by at most `1 / MaxChangeDenominator` (8).
		#[pallet::constant]
		type MaxChangeDenominator: Get<u32>;

		/// Weights of this pallet.
		type WeightInfo: WeightInfo;
	}

	/// Default of [`BaseFee`].
	#[pallet::type_value]
	pub fn DefaultBaseFee<T: Config>() -> T::Balance {
		T::DefaultBaseFee::get()
	}

	/// The current BaseFee: the reserve price every auction winner pays on top of
	/// the next bid.
	#[pallet::storage]
	pub type BaseFee<T: Config> = StorageValue<_, T::Balance, ValueQuery, DefaultBaseFee<T>>;

	/// The last change of the BaseFee.
	#[pallet::storage]
	pub type LastChange<T: Config> =
		StorageValue<_, FeeChange<T::Balance, BlockNumberFor<T>>, OptionQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Initial BaseFee in base units (`None`: `DefaultBaseFee`).
		pub base_fee: Option<u128>,
		#[serde(skip)]
		pub _phantom: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			if let Some(fee) = self.base_fee {
				let fee: T::Balance =
					fee.try_into().ok().expect("genesis BaseFee fits the balance type");
				assert!(
					fee >= T::MinBaseFee::get() && fee <= T::MaxBaseFee::get(),
					"genesis BaseFee out of bounds"
				);
				BaseFee::<T>::put(fee);
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// The BaseFee changed after a block with `demand` eligible bids and `capacity` free slots.
		BaseFeeChanged { old: T::Balance, new: T::Balance, demand: u32, capacity: u32 },
		/// Root set the BaseFee.
		BaseFeeSet { old: T::Balance, new: T::Balance },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The value is outside `[MinBaseFee, MaxBaseFee]`.
		OutOfBounds,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(T::MinBaseFee::get() <= T::MaxBaseFee::get(), "MinBaseFee > MaxBaseFee");
			assert!(T::MaxChangeDenominator::get() > 0, "MaxChangeDenominator must be positive");
			let d = T::DefaultBaseFee::get();
			assert!(
				d >= T::MinBaseFee::get() && d <= T::MaxBaseFee::get(),
				"DefaultBaseFee out of bounds"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Root: set the BaseFee (within `[MinBaseFee, MaxBaseFee]`).
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::set_base_fee())]
		pub fn set_base_fee(origin: OriginFor<T>, fee: T::Balance) -> DispatchResult {
			ensure_root(origin)?;
			ensure!(
				fee >= T::MinBaseFee::get() && fee <= T::MaxBaseFee::get(),
				Error::<T>::OutOfBounds
			);
			let old = BaseFee::<T>::get();
			BaseFee::<T>::put(fee);
			LastChange::<T>::put(FeeChange {
				block: frame_system::Pallet::<T>::block_number(),
				old,
				new: fee,
			});
			Self::deposit_event(Event::BaseFeeSet { old, new: fee });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// Parameters of the rule, as `u128`.
		pub fn params() -> BaseFeeParams {
			BaseFeeParams {
				target_utilization: T::TargetUtilization::get(),
				max_change_denominator: T::MaxChangeDenominator::get(),
				min: T::MinBaseFee::get().into(),
				max: T::MaxBaseFee::get().into(),
			}
		}

		/// Invariant: the BaseFee is within its bounds.
		#[cfg(any(feature = "try-runtime", feature = "std", test))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			let f = BaseFee::<T>::get();
			ensure!(
				f >= T::MinBaseFee::get() && f <= T::MaxBaseFee::get(),
				"BaseFee out of bounds"
			);
			Ok(())
		}
	}

	impl<T: Config> BaseFeeOracle<T::Balance> for Pallet<T> {
		fn base_fee() -> T::Balance {
			BaseFee::<T>::get()
		}

		fn min_base_fee() -> T::Balance {
			T::MinBaseFee::get()
		}

		fn on_demand(demand: u32, capacity: u32) {
			let old = BaseFee::<T>::get();
			let next = next_base_fee(old.into(), demand, capacity, &Self::params());
			let new: T::Balance = next.try_into().unwrap_or(old);
			if new != old {
				BaseFee::<T>::put(new);
				LastChange::<T>::put(FeeChange {
					block: frame_system::Pallet::<T>::block_number(),
					old,
					new,
				});
				Self::deposit_event(Event::BaseFeeChanged { old, new, demand, capacity });
			}
		}
	}
}
