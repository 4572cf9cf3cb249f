//! Weights for `pallet_market` (see docs/performance.md for how they are measured).
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::RocksDbWeight, Weight},
};

/// Weight functions needed for `pallet_market`.
pub trait WeightInfo {
	fn submit_request() -> Weight;
	fn cancel_request() -> Weight;
	fn lock_request() -> Weight;
	/// `b` queued bids considered, `w` winners.
	fn clear_auction(b: u32, p: u32) -> Weight;
	/// `n` assignment deadlines and bid expiries processed.
	fn block_deadlines(n: u32) -> Weight;
	/// `s` seconds of offer deadlines processed.
	fn offer_deadlines(s: u32, n: u32) -> Weight;
}

/// Weights for `pallet_market` using the runtime's DB weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn submit_request() -> Weight {
		Weight::from_parts(70_000_000, 8_000)
			.saturating_add(T::DbWeight::get().reads(7_u64))
			.saturating_add(T::DbWeight::get().writes(7_u64))
	}
	fn cancel_request() -> Weight {
		Weight::from_parts(60_000_000, 8_000)
			.saturating_add(T::DbWeight::get().reads(5_u64))
			.saturating_add(T::DbWeight::get().writes(5_u64))
	}
	fn lock_request() -> Weight {
		Weight::from_parts(90_000_000, 8_000)
			.saturating_add(T::DbWeight::get().reads(8_u64))
			.saturating_add(T::DbWeight::get().writes(6_u64))
	}
	fn clear_auction(b: u32, p: u32) -> Weight {
		Weight::from_parts(20_000_000, 10_000)
			.saturating_add(Weight::from_parts(12_000_000, 1_200).saturating_mul(b.into()))
			.saturating_add(Weight::from_parts(60_000_000, 4_000).saturating_mul(p.into()))
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().reads((b as u64).saturating_add(3 * p as u64)))
			.saturating_add(T::DbWeight::get().writes(4_u64))
			.saturating_add(T::DbWeight::get().writes(4_u64.saturating_mul(p.into())))
	}
	fn block_deadlines(n: u32) -> Weight {
		Weight::from_parts(6_000_000, 3_000)
			.saturating_add(Weight::from_parts(80_000_000, 6_000).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().reads(6_u64.saturating_mul(n.into())))
			.saturating_add(T::DbWeight::get().writes(2_u64))
			.saturating_add(T::DbWeight::get().writes(6_u64.saturating_mul(n.into())))
	}
	fn offer_deadlines(s: u32, n: u32) -> Weight {
		Weight::from_parts(5_000_000, 1_500)
			.saturating_add(Weight::from_parts(10_000_000, 3_000).saturating_mul(s.into()))
			.saturating_add(Weight::from_parts(100_000_000, 8_000).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(1_u64 + s as u64))
			.saturating_add(T::DbWeight::get().writes(1_u64 + s as u64))
	}
}

impl WeightInfo for () {
	fn submit_request() -> Weight {
		Weight::from_parts(70_000_000, 8_000)
			.saturating_add(RocksDbWeight::get().reads_writes(7, 7))
	}
	fn cancel_request() -> Weight {
		Weight::from_parts(60_000_000, 8_000)
			.saturating_add(RocksDbWeight::get().reads_writes(5, 5))
	}
	fn lock_request() -> Weight {
		Weight::from_parts(90_000_000, 8_000)
			.saturating_add(RocksDbWeight::get().reads_writes(8, 6))
	}
	fn clear_auction(b: u32, p: u32) -> Weight {
		Weight::from_parts(20_000_000, 10_000)
			.saturating_add(Weight::from_parts(12_000_000, 1_200).saturating_mul(b.into()))
			.saturating_add(Weight::from_parts(60_000_000, 4_000).saturating_mul(p.into()))
			.saturating_add(
				RocksDbWeight::get().reads_writes(4 + b as u64 + 3 * p as u64, 4 + 4 * p as u64),
			)
	}
	fn block_deadlines(n: u32) -> Weight {
		Weight::from_parts(6_000_000, 3_000)
			.saturating_add(Weight::from_parts(80_000_000, 6_000).saturating_mul(n.into()))
			.saturating_add(RocksDbWeight::get().reads_writes(2 + 6 * n as u64, 2 + 6 * n as u64))
	}
	fn offer_deadlines(s: u32, n: u32) -> Weight {
		Weight::from_parts(5_000_000, 1_500)
			.saturating_add(Weight::from_parts(10_000_000, 3_000).saturating_mul(s.into()))
			.saturating_add(Weight::from_parts(100_000_000, 8_000).saturating_mul(n.into()))
			.saturating_add(RocksDbWeight::get().reads_writes(1 + s as u64, 1 + s as u64))
	}
}
