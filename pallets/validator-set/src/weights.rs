//! Weights for `pallet_validator_set`.
//!
//! Each call reads and writes the set (at most `MaxValidators` = 32 account
//! ids, ~1 KiB) and reads the caller's session keys. Regenerate with
//! `scripts/benchmark.sh validator-set`.

#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::RocksDbWeight, Weight},
};

/// Weight functions needed for `pallet_validator_set`.
pub trait WeightInfo {
	fn add_validator() -> Weight;
	fn remove_validator() -> Weight;
}

/// Weights for `pallet_validator_set` with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Storage: `Session::NextKeys` (r:1 w:0)
	/// Storage: `ValidatorSet::Validators` (r:1 w:1)
	fn add_validator() -> Weight {
		Weight::from_parts(25_000_000, 3_000)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `ValidatorSet::Validators` (r:1 w:1)
	fn remove_validator() -> Weight {
		Weight::from_parts(20_000_000, 1_600)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
}

/// The same with the reference database weights, for mock runtimes.
impl WeightInfo for () {
	fn add_validator() -> Weight {
		Weight::from_parts(25_000_000, 3_000)
			.saturating_add(RocksDbWeight::get().reads(2_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn remove_validator() -> Weight {
		Weight::from_parts(20_000_000, 1_600)
			.saturating_add(RocksDbWeight::get().reads(1_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
}
