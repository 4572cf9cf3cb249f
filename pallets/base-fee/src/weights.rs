//! Weights for `pallet_base_fee` (see docs/performance.md for how they are measured).
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::RocksDbWeight, Weight},
};

/// Weight functions needed for `pallet_base_fee`.
pub trait WeightInfo {
	fn set_base_fee() -> Weight;
	fn on_demand() -> Weight;
}

/// Weights for `pallet_base_fee` using the runtime's DB weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn set_base_fee() -> Weight {
		Weight::from_parts(9_000_000, 1_500)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	fn on_demand() -> Weight {
		Weight::from_parts(8_000_000, 1_500)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
}

impl WeightInfo for () {
	fn set_base_fee() -> Weight {
		Weight::from_parts(9_000_000, 1_500).saturating_add(RocksDbWeight::get().reads_writes(1, 2))
	}
	fn on_demand() -> Weight {
		Weight::from_parts(8_000_000, 1_500).saturating_add(RocksDbWeight::get().reads_writes(1, 2))
	}
}
