//! Weights for `pallet_verifier` (see docs/performance.md for how they are measured).
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::RocksDbWeight, Weight},
};

/// Weight functions needed for `pallet_verifier`.
pub trait WeightInfo {
	/// `l` bytes of verifying key (parsing validates curve points).
	fn register_program(l: u32) -> Weight;
	fn submit_proof() -> Weight;
	/// `v` verdicts; each may settle a request in the market.
	fn submit_verdicts(v: u32) -> Weight;
	fn set_verifiers(n: u32) -> Weight;
	/// `n` timed-out proofs dropped.
	fn timeouts(n: u32) -> Weight;
}

/// Weights for `pallet_verifier` using the runtime's DB weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn register_program(l: u32) -> Weight {
		// Parsing and validating a key in WASM (curve and subgroup checks of the
		// G1/G2 points) dominates: ~25 ms measured for the demo key, see
		// docs/performance.md; charged at 40 ms.
		Weight::from_parts(40_000_000_000, 5_000)
			.saturating_add(Weight::from_parts(2_000, 1).saturating_mul(l.into()))
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	fn submit_proof() -> Weight {
		Weight::from_parts(90_000_000, 10_000)
			.saturating_add(T::DbWeight::get().reads(9_u64))
			.saturating_add(T::DbWeight::get().writes(6_u64))
	}
	fn submit_verdicts(v: u32) -> Weight {
		Weight::from_parts(60_000_000, 5_000)
			.saturating_add(Weight::from_parts(250_000_000, 12_000).saturating_mul(v.into()))
			.saturating_add(T::DbWeight::get().reads(2_u64 + 12 * v as u64))
			.saturating_add(T::DbWeight::get().writes(12_u64 * v as u64))
	}
	fn set_verifiers(n: u32) -> Weight {
		Weight::from_parts(10_000_000, 0)
			.saturating_add(Weight::from_parts(50_000, 32).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	fn timeouts(n: u32) -> Weight {
		Weight::from_parts(5_000_000, 2_000)
			.saturating_add(Weight::from_parts(150_000_000, 12_000).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(1_u64 + 10 * n as u64))
			.saturating_add(T::DbWeight::get().writes(10_u64 * n as u64))
	}
}

impl WeightInfo for () {
	fn register_program(l: u32) -> Weight {
		Weight::from_parts(100_000_000, 5_000)
			.saturating_add(Weight::from_parts(2_000, 1).saturating_mul(l.into()))
			.saturating_add(RocksDbWeight::get().reads_writes(2, 2))
	}
	fn submit_proof() -> Weight {
		Weight::from_parts(90_000_000, 10_000)
			.saturating_add(RocksDbWeight::get().reads_writes(9, 6))
	}
	fn submit_verdicts(v: u32) -> Weight {
		Weight::from_parts(60_000_000, 5_000)
			.saturating_add(Weight::from_parts(250_000_000, 12_000).saturating_mul(v.into()))
			.saturating_add(RocksDbWeight::get().reads_writes(2 + 12 * v as u64, 12 * v as u64))
	}
	fn set_verifiers(n: u32) -> Weight {
		Weight::from_parts(10_000_000, 0)
			.saturating_add(Weight::from_parts(50_000, 32).saturating_mul(n.into()))
			.saturating_add(RocksDbWeight::get().writes(2))
	}
	fn timeouts(n: u32) -> Weight {
		Weight::from_parts(5_000_000, 2_000)
			.saturating_add(Weight::from_parts(150_000_000, 12_000).saturating_mul(n.into()))
			.saturating_add(RocksDbWeight::get().reads_writes(1 + 10 * n as u64, 10 * n as u64))
	}
}
