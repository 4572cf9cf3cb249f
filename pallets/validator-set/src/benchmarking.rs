//! Benchmarks of the validator set pallet (frame-benchmarking v2), with a set
//! one short of `MaxValidators` (the largest set to search and rewrite).
use super::*;
use alloc::vec::Vec;
use frame_benchmarking::v2::*;
use frame_support::{traits::Get, BoundedVec};
use frame_system::RawOrigin;

fn fill<T: Config>(n: u32) -> Vec<T::AccountId> {
	let mut set: Vec<T::AccountId> = (0..n).map(|i| account("validator", i, 0)).collect();
	for who in &set {
		T::BenchmarkHelper::register(who);
	}
	set.sort();
	Validators::<T>::put(BoundedVec::try_from(set.clone()).expect("within bounds"));
	set
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn add_validator() {
		fill::<T>(T::MaxValidators::get() - 1);
		let who: T::AccountId = account("new", 0, 0);
		T::BenchmarkHelper::register(&who);
		#[extrinsic_call]
		_(RawOrigin::Root, who.clone());
		assert!(Validators::<T>::get().contains(&who));
	}

	#[benchmark]
	fn remove_validator() {
		let set = fill::<T>(T::MaxValidators::get());
		let who = set[0].clone();
		#[extrinsic_call]
		_(RawOrigin::Root, who.clone());
		assert!(!Validators::<T>::get().contains(&who));
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
