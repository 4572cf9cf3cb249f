//! Benchmarks of the provers pallet (frame-benchmarking v2).
use super::*;
use frame_benchmarking::v2::*;
use frame_support::traits::{fungible::Mutate, Get};
use frame_system::RawOrigin;
use sp_runtime::Saturating;

fn funded<T: Config>(name: &'static str, i: u32) -> T::AccountId {
	let who: T::AccountId = account(name, i, 0);
	let amount = T::MinProverStake::get().saturating_mul(1_000u32.into());
	T::Currency::set_balance(&who, amount);
	who
}

fn registered<T: Config>(i: u32) -> T::AccountId {
	let who = funded::<T>("prover", i);
	Pallet::<T>::register(
		RawOrigin::Signed(who.clone()).into(),
		T::MinProverStake::get().saturating_mul(2u32.into()),
	)
	.expect("register");
	who
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register() {
		let who = funded::<T>("prover", 0);
		let stake = T::MinProverStake::get();
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), stake);
		assert!(Provers::<T>::contains_key(&who));
	}

	#[benchmark]
	fn bond_extra() {
		let who = registered::<T>(0);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), T::MinProverStake::get());
		assert_eq!(
			Provers::<T>::get(&who).unwrap().stake,
			T::MinProverStake::get().saturating_mul(3u32.into())
		);
	}

	#[benchmark]
	fn unbond() {
		let who = registered::<T>(0);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), T::MinProverStake::get());
		assert_eq!(Provers::<T>::get(&who).unwrap().unbonding.len(), 1);
	}

	#[benchmark]
	fn withdraw_unbonded() {
		let who = registered::<T>(0);
		let all = Provers::<T>::get(&who).unwrap().stake;
		Pallet::<T>::unbond(RawOrigin::Signed(who.clone()).into(), all).unwrap();
		frame_system::Pallet::<T>::set_block_number(
			frame_system::Pallet::<T>::block_number()
				.saturating_add(Pallet::<T>::unbonding_period()),
		);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));
		assert!(!Provers::<T>::contains_key(&who));
	}

	#[benchmark]
	fn pause() {
		let who = registered::<T>(0);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));
		assert_eq!(Provers::<T>::get(&who).unwrap().status, ProverStatus::Paused);
	}

	#[benchmark]
	fn resume() {
		let who = registered::<T>(0);
		Pallet::<T>::pause(RawOrigin::Signed(who.clone()).into()).unwrap();
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));
		assert_eq!(Provers::<T>::get(&who).unwrap().status, ProverStatus::Active);
	}

	#[benchmark]
	fn set_periods() {
		#[extrinsic_call]
		_(RawOrigin::Root, 100u32.into(), 10u32.into());
		assert_eq!(Pallet::<T>::idle_period(), 100u32.into());
	}

	/// The decay sweep over `n` provers that each owe one idle period.
	#[benchmark]
	fn sweep(n: Linear<1, { T::MaxProvers::get().min(T::DecaySweepLimit::get().max(1) * 4) }>) {
		for i in 0..n {
			registered::<T>(i);
		}
		let now =
			frame_system::Pallet::<T>::block_number().saturating_add(Pallet::<T>::idle_period());
		frame_system::Pallet::<T>::set_block_number(now);
		#[block]
		{
			Pallet::<T>::sweep(n);
		}
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
